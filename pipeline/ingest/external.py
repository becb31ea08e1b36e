"""External programs (LibreOffice, Tesseract): run so that none outlives its time limit or its worker.

Each program starts in a process group of its own: LibreOffice is a shell
script that starts `oosplash`, which starts `soffice.bin`, and killing the
first alone (what `subprocess.run(timeout=...)` does) leaves the others
running. At its time limit, or when anything interrupts the wait, the whole
group is killed. After a normal exit the group is killed too: a helper it
left behind has nothing more to do.

The group stays inside the caller's session. The local engine starts each
worker as a session of its own, so killing a worker's session
(`kill_session`) takes every program it started with it, whatever group
each one is in, even after the worker itself is dead.

`offline=True` runs the program in a network namespace of its own with no
interface but a loopback that is down (`unshare -rn`, where the kernel allows
unprivileged user namespaces or we are root): nothing the document links to
can be fetched, not even from 127.0.0.1. Where that is not possible the
program runs as it is; `offline_available()` says which.
"""
from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ToolResult:
    returncode: int
    stdout: bytes
    stderr: bytes


class ToolTimeout(Exception):
    """The program ran past its time limit; its process group was killed."""


@functools.cache
def offline_available() -> bool:
    """Whether programs can be started in a network namespace without network (`unshare -rn`)."""
    exe = shutil.which("unshare")
    if exe is None:
        return False
    try:
        return subprocess.run([exe, "-rn", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def run_tool(
    cmd: list[str],
    *,
    timeout: float,
    input: bytes | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    offline: bool = False,
) -> ToolResult:
    """Run `cmd` in its own process group; raise ToolTimeout (the group killed) past `timeout` seconds."""
    if offline and offline_available():
        cmd = ["unshare", "-rn", *cmd]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env, process_group=0,
    )
    try:
        out, err = proc.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise ToolTimeout(f"{Path(cmd[0]).name} ran longer than {timeout:g} s and was stopped") from None
    except BaseException:  # an interrupt or an error while waiting: the program must not stay behind
        _kill_group(proc)
        raise
    _kill_group(proc)
    return ToolResult(proc.returncode, out, err)


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.communicate(timeout=5)  # reap it and close its pipes
    except (subprocess.TimeoutExpired, ValueError, OSError):
        pass


def session_members(sid: int) -> list[int]:
    """The living processes of a session (Linux: read from /proc; elsewhere none are known)."""
    members = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            stat = Path("/proc", entry, "stat").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()  # the name may hold spaces and brackets
        if len(fields) > 3 and fields[0] != b"Z" and int(fields[3]) == sid:
            members.append(int(entry))
    return members


def kill_session(sid: int, rounds: int = 5) -> None:
    """Kill every process of session `sid` (a worker and all it started), then its group where /proc is absent."""
    for _ in range(rounds):  # a member may fork while the others are killed: look again
        members = session_members(sid)
        if not members:
            break
        for pid in members:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.01)
    try:
        os.killpg(sid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def die_with_parent(parent: int) -> None:
    """Be killed when the process that started this one dies, even by SIGKILL (Linux; elsewhere nothing)."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return
    prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before the request was made
        os._exit(1)
