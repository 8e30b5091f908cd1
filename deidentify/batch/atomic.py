"""Outputs appear complete or not at all: written under a temporary name, then renamed.

Temporary files live in one hidden folder of the output folder (same file system, so the
rename is atomic) and are named after the writing process. A run that was killed may leave
some there; the next run removes those whose process is gone, and never lists them as
outputs.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path

TEMP_FOLDER = ".deidentify-tmp"
SUFFIX = ".part"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class TempArea:
    """The temporary folder of one output folder."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.folder = output / TEMP_FOLDER
        self._counter = itertools.count()

    def prepare(self) -> int:
        """Create the folder; remove files left by processes that no longer run (a count)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        removed = 0
        for leftover in self.folder.iterdir():
            pid_text = leftover.name.split("-", 1)[0]
            if pid_text.isdigit() and _process_alive(int(pid_text)):
                continue
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
                removed += 1
        return removed

    def new_name(self) -> Path:
        """A fresh temporary path for this process."""
        return self.folder / f"{os.getpid()}-{next(self._counter)}{SUFFIX}"

    def remove_if_empty(self) -> None:
        """Remove the folder at the end of a run unless another run still writes there."""
        with contextlib.suppress(OSError):
            self.folder.rmdir()


def publish(temporary: Path, target: Path, replace: bool) -> bool:
    """Move a complete temporary file to ``target``; False if it exists and ``replace`` is off.

    Without ``replace`` the move is a hard link (fails if the target exists) and an unlink;
    where hard links are not supported, an existence check and a rename. The target's folder
    is created when the move finds it missing.
    """
    if replace:
        try:
            os.replace(temporary, target)
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temporary, target)
        return True
    try:
        try:
            os.link(temporary, target)
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(temporary, target)
    except FileExistsError:
        return False
    except OSError:
        if target.exists():
            return False
        os.replace(temporary, target)
        return True
    temporary.unlink()
    return True
