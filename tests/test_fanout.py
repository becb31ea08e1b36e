"""The corpus stages' passes dealt out to forked processes (pipeline.corpus.fanout): the same results, in order."""
from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.corpus.fanout import FanOutError, fan_out


def square_with_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(-1000, 1000), max_size=12), st.integers(1, 4))
def test_results_come_back_as_map_gives_them(items, processes):
    got = list(fan_out(square_with_pid, items, processes))
    assert [value for value, _ in got] == [x * x for x in items]
    pids = {pid for _, pid in got}
    if processes > 1 and len(items) > 1:
        assert os.getpid() not in pids and len(pids) == min(processes, len(items))
    else:
        assert pids <= {os.getpid()}


def test_one_process_works_in_this_one():
    seen = []
    assert list(fan_out(lambda x: seen.append(x) or x, [1, 2, 3], 1)) == [1, 2, 3] and seen == [1, 2, 3]


def test_what_a_forked_process_changes_is_not_seen_here():
    state = {"n": 0}

    def bump(x: int) -> int:
        state["n"] += 1
        return state["n"]

    assert list(fan_out(bump, [10, 20, 30, 40], 2)) == [1, 1, 2, 2]  # each process counts its own
    assert state == {"n": 0}


def fails_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three is bad")
    return x


def dies_on_three(x: int) -> int:
    if x == 3:
        os._exit(7)
    return x


@pytest.mark.parametrize("work, message", [(fails_on_three, "ValueError: three is bad"), (dies_on_three, "exit code 7")])
def test_a_failure_in_a_forked_process_fails_the_stage_after_the_results_before_it(work, message):
    got = []
    with pytest.raises(FanOutError, match=message):
        for value in fan_out(work, [1, 2, 3, 4, 5], 2):
            got.append(value)
    assert got == [1, 2]
