"""Discover input files: files and folders (recursive) as the user named them.

Every path the user gave ends up either as an `InputFile` or as an error
(missing path, unreadable folder, broken link); nothing is skipped silently.
Symbolic links to folders are not followed, so link loops cannot trap the walk.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.models import ErrorRecord

WORK_DIR_PREFIX = ".baocao-"  # staging folders of a run in progress: never inputs


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path  # where to read it
    display: str  # how the dataset names it: as given, or root/relative for folder walks


def discover(paths: list[Path], exclude: list[Path] | None = None) -> tuple[list[InputFile], list[ErrorRecord]]:
    files: list[InputFile] = []
    errors: list[ErrorRecord] = []
    skip = {p.resolve() for p in (exclude or []) if p.exists()}
    seen: set[str] = set()

    def add(path: Path, display: str) -> None:
        if display not in seen:
            seen.add(display)
            files.append(InputFile(path, display))

    for root in paths:
        given = str(root)
        if root.is_symlink() and not root.exists():
            errors.append(_error(given, "broken_link", f"{given} is a symbolic link to a path that does not exist."))
        elif root.is_dir():
            if root.resolve() in skip:
                continue
            for dirpath, dirnames, filenames in os.walk(root, onerror=lambda e: errors.append(_walk_error(e))):
                here = Path(dirpath)
                dirnames[:] = sorted(
                    d for d in dirnames if (here / d).resolve() not in skip and not d.startswith(WORK_DIR_PREFIX)
                )
                for dn in list(dirnames):
                    if (here / dn).is_symlink():
                        dirnames.remove(dn)
                        rel = (here / dn).relative_to(root)
                        errors.append(
                            _error(
                                os.path.join(given, rel),
                                "symlink_dir",
                                "Symbolic link to a folder not followed (it could loop); name the target folder instead.",
                            )
                        )
                for fn in sorted(filenames):
                    full = here / fn
                    display = os.path.join(given, full.relative_to(root))
                    if full.is_symlink() and not full.exists():
                        errors.append(_error(display, "broken_link", f"{display} is a symbolic link to a missing file."))
                    else:
                        add(full, display)
        elif root.exists():
            add(root, given)
        else:
            errors.append(_error(given, "not_found", f"{given} does not exist."))
    return files, errors


def _error(path: str, error_type: str, message: str) -> ErrorRecord:
    return ErrorRecord(source_path=path, stage="discover", error_type=error_type, message=message)


def _walk_error(exc: OSError) -> ErrorRecord:
    path = exc.filename or "?"
    return _error(str(path), "unreadable_folder", f"Cannot list folder {path}: {exc.strerror or exc}.")
