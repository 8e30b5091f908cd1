"""One run per output folder at a time: an exclusive lock on ``OUTPUT/.deidentify-lock``.

The lock is an ``flock`` on the open file, so the kernel releases it whenever the run ends,
killed or not; the file names the holder (PID, host, start time) for the message a second
run gives. A run that ends removes the file while it still holds the lock; a run that locked
a file since removed (it lost that race) locks the new one instead. A killed run leaves the
file, unlocked, for the next run to take.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import time
from pathlib import Path
from types import TracebackType

from deidentify.batch.discovery import InputError

LOCK = ".deidentify-lock"


class OutputLock:
    """Held while a run writes into an output folder."""

    def __init__(self, output: Path) -> None:
        self.path = output / LOCK
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock; InputError naming the run that holds it."""
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
                os.close(fd)
                raise InputError(
                    f"{self.path.parent}: another deidentify run ({holder or 'unknown'}) is"
                    " writing to this output folder; wait for it to end or choose another"
                    " output folder"
                ) from None
            except BaseException:
                os.close(fd)
                raise
            if self._still_named(fd):
                break
            os.close(fd)
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"PID {os.getpid()} on {socket.gethostname()}, started {started}\n"
                  .encode(), 0)
        self._fd = fd

    def _still_named(self, fd: int) -> bool:
        """Whether the locked file is still the one at the lock's path."""
        try:
            named = os.stat(self.path)
        except FileNotFoundError:
            return False
        opened = os.fstat(fd)
        return (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)

    def release(self) -> None:
        """Remove the lock file and let the next run in."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()
