"""Outputs appear complete or not at all: written under a temporary name, then renamed.

Temporary files live in one hidden folder of the output folder (same file system, so the
rename is atomic), in a subfolder of its own for each writing process, named after it, so that
processes creating and removing files do not contend for one folder. A run that was killed
may leave some there; the next run removes those whose process is gone, and never lists them
as outputs. A cluster's workers name their subfolders ``PID-HOST``: one of another machine
is removed too (only one run writes into an output folder, and it has not started its
workers yet, or they are done), since its PID says nothing of this machine's processes.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import socket
from pathlib import Path

TEMP_FOLDER = ".deidentify-tmp"
SUFFIX = ".part"


def host_label() -> str:
    """This machine's name as a cluster worker's subfolder ends with it (``PID-HOST``)."""
    return re.sub(r"[^A-Za-z0-9.]", "_", socket.gethostname()) or "host"


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
        self._own: tuple[str, Path] | None = None

    def owner(self) -> str:
        """The name of this process's subfolder: its PID."""
        return str(os.getpid())

    def prepare(self) -> int:
        """Create the folder; remove what processes that no longer run left (files, a count)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        removed = 0
        host = host_label()
        for leftover in self.folder.iterdir():
            folder = leftover.is_dir() and not leftover.is_symlink()
            pid_text, _, owner_host = leftover.name.partition("-")
            here = not folder or not owner_host or owner_host == host
            if here and pid_text.isdigit() and _process_alive(int(pid_text)):
                continue
            if folder:
                removed += sum(1 for path in leftover.rglob("*") if not path.is_dir())
                shutil.rmtree(leftover, ignore_errors=True)
                continue
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
                removed += 1
        return removed

    def new_name(self) -> Path:
        """A fresh temporary path in this process's subfolder (created when missing: a run
        that ended may have removed it)."""
        owner = self.owner()
        if self._own is None or self._own[0] != owner:
            self._own = owner, self.folder / owner
        own = self._own[1]
        if not os.path.isdir(own):
            own.mkdir(parents=True, exist_ok=True)
        return own / f"{next(self._counter)}{SUFFIX}"

    def remove_if_empty(self) -> None:
        """Remove the empty subfolders and the folder at the end of a run (its workers done),
        keeping whatever still holds a file."""
        with contextlib.suppress(OSError):
            for sub in self.folder.iterdir():
                with contextlib.suppress(OSError):
                    sub.rmdir()
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
