"""Discover input files: files and folders (recursive) as the user named them.

Every path the user gave ends up either as an `InputFile` or as an error
(missing path, unreadable folder, broken link); nothing is skipped silently.
Symbolic links to folders are not followed, so link loops cannot trap the walk.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.models import ErrorRecord

WORK_DIR_PREFIX = ".baocao-"  # staging folders of a run in progress: never inputs


class InputError(Exception):
    """The inputs named cannot be used as given; nothing was read or changed. The message says why."""


def check_inputs(paths: list[Path], out: Path) -> None:
    """Refuse, before anything changes, inputs that are missing or overlap the output folder.

    A typo in an input path must not look like a corpus whose files all vanished
    (`--prune` would empty the dataset), and a run must never replace the folder
    it reads from (a commit replaces the whole output folder).
    """
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputError(
            f"Input path{'s' if len(missing) > 1 else ''} not found: {', '.join(missing)}. Nothing was read or changed."
        )
    target = out.resolve()
    for p in paths:
        src = p.resolve()
        if target == src or (src.is_dir() and target.is_relative_to(src)):
            raise InputError(
                f"The output folder {out} is {'the input folder' if target == src else 'inside the input folder'} {p}: "
                "a run replaces its output folder, so it must lie outside the inputs. Choose another folder with -o."
            )
        if src.is_relative_to(target):
            raise InputError(f"The input {p} lies inside the output folder {out}; name inputs outside the dataset.")


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path  # where to read it
    display: str  # how the dataset names it: as given, or root/relative for folder walks (always valid UTF-8)
    resolved: str = ""  # the file itself, however its path was spelled: identity across runs


def shown(path: str | Path) -> str:
    """A path as text that can be stored and printed: bytes that are not UTF-8 become \\xNN.

    File names are bytes on Linux; Python keeps undecodable ones as lone surrogates,
    which Parquet, JSON and the terminal all refuse.
    """
    text = os.fspath(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")


def discover(
    paths: list[Path], exclude: list[Path] | None = None, follow_symlinks: bool = False
) -> tuple[list[InputFile], list[ErrorRecord]]:
    """Every regular file under `paths`, in a stable order; an error for everything else.

    A symbolic link found in a folder is read only when it stays inside the folder
    named (or with `follow_symlinks`): a link planted in a corpus must not pull in
    files from elsewhere. A path the user names is taken as named.
    """
    files: list[InputFile] = []
    errors: list[ErrorRecord] = []
    skip = {p.resolve() for p in (exclude or []) if p.exists()}
    seen: set[str] = set()

    def add(path: Path, display: str) -> None:
        try:
            st = path.stat()
        except OSError as exc:
            errors.append(_error(display, "unreadable", f"{display} cannot be read: {exc.strerror or exc}."))
            return
        if not stat.S_ISREG(st.st_mode):
            errors.append(_error(display, "not_a_regular_file", f"{display} is not a regular file (a device, pipe or socket); only files are read."))
            return
        if display not in seen:
            seen.add(display)
            files.append(InputFile(path, display, shown(os.path.realpath(path))))

    for root in paths:
        given = shown(root)
        if root.is_symlink() and not root.exists():
            errors.append(_error(given, "broken_link", f"{given} is a symbolic link to a path that does not exist."))
        elif root.is_dir():
            if root.resolve() not in skip:
                for path, display in _walk(root, given, skip, follow_symlinks, errors):
                    add(path, display)
        elif root.exists():
            add(root, given)
        else:
            errors.append(_error(given, "not_found", f"{given} does not exist."))
    return files, errors


def _walk(root: Path, given: str, skip: set[Path], follow_symlinks: bool, errors: list[ErrorRecord]) -> Iterator[tuple[Path, str]]:
    """(path, display) of the files under a folder the user named, in a stable order; errors for what is not read."""
    real_root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root, onerror=lambda e: errors.append(_walk_error(e))):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if (here / d).resolve() not in skip and not d.startswith(WORK_DIR_PREFIX))
        for dn in list(dirnames):
            if (here / dn).is_symlink():
                dirnames.remove(dn)
                errors.append(_error(
                    shown(os.path.join(root, (here / dn).relative_to(root))), "symlink_dir",
                    "Symbolic link to a folder not followed (it could loop); name the target folder instead.",
                ))
        for fn in sorted(filenames):
            if fn.startswith(WORK_DIR_PREFIX):
                continue  # a run's lock file
            full = here / fn
            display = shown(os.path.join(root, full.relative_to(root)))
            if full.is_symlink():
                if not full.exists():
                    errors.append(_error(display, "broken_link", f"{display} is a symbolic link to a missing file."))
                    continue
                if not follow_symlinks and not full.resolve().is_relative_to(real_root):
                    errors.append(_error(
                        display, "symlink_outside",
                        f"{display} is a symbolic link to a file outside {given}; not read. "
                        "Name that file itself, or pass --follow-symlinks.",
                    ))
                    continue
            yield full, display


def _error(path: str, error_type: str, message: str) -> ErrorRecord:
    return ErrorRecord(source_path=path, stage="discover", error_type=error_type, message=message)


def _walk_error(exc: OSError) -> ErrorRecord:
    path = shown(exc.filename or "?")
    return _error(path, "unreadable_folder", f"Cannot list folder {path}: {exc.strerror or exc}.")
