"""The output folder: what may be replaced, by whom, and the atomic swap that commits a run.

A run writes into a staging folder next to the output folder and commits by
swapping the two in one step (Linux renameat2 RENAME_EXCHANGE; elsewhere two
renames, with recovery of the old folder on the next run). Readers see either
the old dataset or the new one, never a mix, and a crash leaves the previous
dataset untouched. Because a commit replaces the whole folder, only a folder
baocao wrote (its manifest's marker) that holds nothing else is ever replaced.
"""
from __future__ import annotations

import ctypes
import fcntl
import json
import os
import re
import shutil
import uuid
from pathlib import Path

from pipeline.discover import WORK_DIR_PREFIX
from pipeline.store.libc import function
from pipeline.store.schema import TABLES

MANIFEST = "manifest.json"
GENERATOR = "baocao"  # the manifest's marker: only a folder baocao wrote is ever replaced


class OutputError(Exception):
    """The output folder cannot be used; the message says why."""


class DamagedDataset(OutputError):
    """A part of the dataset a run would carry over cannot be read."""

    def __init__(self, out: Path, part: Path, detail: object):
        super().__init__(
            f"The dataset {out} is damaged: {part} cannot be read ({' '.join(str(detail).split())}). Nothing was changed. "
            "Run again with --full to rebuild it from the inputs (the rows of files no longer among them are then dropped)."
        )


def lock(out: Path):
    """One writer per output folder; the lock dies with the process, so a crash never leaves it held."""
    fh = open(out.parent / f"{WORK_DIR_PREFIX}lock-{out.name}", "a+b")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise OutputError(f"Another baocao run is writing to {out}; wait for it to finish.") from None
    return fh


def read_manifest(out: Path) -> dict | None:
    """The manifest of the dataset at `out` when baocao wrote it, else None (absent, unreadable, someone else's)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    if data.get("generator") == GENERATOR:
        return data
    # datasets written before the marker: recognized by the keys only baocao's manifest has together
    legacy = ("schema_version", "pipeline_version", "tables", "row_counts")
    if all(k in data for k in legacy) and isinstance(data["tables"], dict):
        return data
    return None


def foreign_entries(out: Path, manifest: dict) -> list[str]:
    """What the dataset folder holds that baocao did not write (paths relative to `out`).

    A commit replaces the whole folder, so anything listed here would be lost:
    the run refuses instead. Links count as foreign too: the query sandbox and
    the swap must never reach through one.
    """
    listed = manifest.get("tables") or {}
    known_tables = set(TABLES) | set(listed)
    foreign: list[str] = []
    for entry in sorted(os.scandir(out), key=lambda e: e.name):
        if entry.name == MANIFEST and entry.is_file(follow_symlinks=False):
            continue
        if entry.name not in known_tables or not entry.is_dir(follow_symlinks=False):
            foreign.append(entry.name)
            continue
        parts = set(listed.get(entry.name) or ())
        for sub in sorted(os.scandir(entry.path), key=lambda e: e.name):
            if sub.name not in parts or not sub.is_file(follow_symlinks=False):
                foreign.append(f"{entry.name}/{sub.name}")
    return foreign


def check_output(out: Path) -> None:
    if out.is_symlink():
        raise OutputError(f"Output path {out} is a symbolic link; name the real folder with -o.")
    if out.exists() and not out.is_dir():
        raise OutputError(f"Output path {out} exists and is not a folder.")
    if not out.is_dir() or not any(out.iterdir()):
        return
    if not (out / MANIFEST).exists():
        raise OutputError(
            f"Output folder {out} is not empty and holds no baocao dataset (no {MANIFEST}); "
            "choose another folder with -o, or empty it."
        )
    manifest = read_manifest(out)
    if manifest is None:
        raise OutputError(
            f"Output folder {out} holds a {MANIFEST} that baocao did not write; it is not a baocao dataset. "
            "Choose another folder with -o."
        )
    foreign = foreign_entries(out, manifest)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutputError(
            f"Output folder {out} holds files baocao did not write ({shown}); a run replaces the whole folder, "
            "so it stops here. Move them out of the dataset folder, or choose another folder with -o."
        )


def work_dir(out: Path, kind: str) -> Path:
    """A new folder name beside `out` for a run's `staging` copy or the `old` dataset during a swap."""
    return out.parent / f"{WORK_DIR_PREFIX}{kind}-{uuid.uuid4().hex[:12]}-{out.name}"


def _work_dirs(out: Path, kind: str) -> list[Path]:
    """The work folders of `out` itself: `ds`'s clean-up must never match `ds-2025`'s folders."""
    prefix = re.escape(WORK_DIR_PREFIX + kind)
    # this version's names, and those of earlier versions (name before the id)
    patterns = (re.compile(rf"{prefix}-[0-9a-f]{{12}}-(.+)"), re.compile(rf"{prefix}-(.+)-[0-9a-f]{{8}}(?:[0-9a-f]{{4}})?"))
    found = []
    for entry in os.scandir(out.parent):
        names = {m.group(1) for pattern in patterns if (m := pattern.fullmatch(entry.name))}
        if out.name in names and entry.is_dir(follow_symlinks=False):
            found.append(Path(entry.path))
    return sorted(found, key=lambda p: p.stat().st_mtime)


def recover(out: Path) -> None:
    """Undo a commit that a crash interrupted, and drop what crashed runs left (call under the lock)."""
    if not out.parent.exists():
        return
    olds = _work_dirs(out, "old")
    if olds and not out.exists():
        os.rename(olds[-1], out)  # the crash fell between the two renames: put the old dataset back
        olds = olds[:-1]
    for stale in olds + _work_dirs(out, "staging"):
        shutil.rmtree(stale, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2). False when the platform cannot."""
    renameat2 = function("renameat2")
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def swap_into_place(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
    elif _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the previous dataset
    else:
        old = work_dir(out, "old")
        os.rename(out, old)
        os.rename(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(out.parent)


def fsync_tree(root: Path) -> None:
    for dirpath, _, filenames in os.walk(root):
        for fn in filenames:
            with open(os.path.join(dirpath, fn), "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
