"""The C library's own functions (renameat2, mallopt, malloc_trim), where the platform has them."""
from __future__ import annotations

import ctypes
from functools import cache


@cache
def libc() -> ctypes.CDLL | None:
    # the symbols already loaded into the process; ctypes.util.find_library would fork
    # `ldconfig`, and a fork of a big run's process counts that process's size once more
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def function(name: str):
    """A libc function, or None where the C library lacks it (musl, macOS...)."""
    lib = libc()
    return getattr(lib, name, None) if lib is not None else None
