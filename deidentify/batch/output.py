"""An output file written front to back, digested as it is written.

Every byte reaches the file through ``write`` (there is no ``fileno``, so no range is copied
by the kernel behind it), and the size and digest that the folder's manifest records
(``manifest.Digest``) are those of the bytes written: the output need not be read back. The
file is created by the first write, so a path that declines before writing leaves nothing.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from deidentify.batch.manifest import Digest, Written

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
"""Those of ``open(path, "wb")``."""


class DigestingOutput(io.RawIOBase):
    """A new file at ``path``: what is written, one ``os.write`` per call, and its digest."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._fd: int | None = None
        self._digest = Digest()

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer, /) -> int:
        """Write all of ``data`` (the file is created by the first call)."""
        if self._fd is None:
            self._fd = os.open(self.path, CREATE_FLAGS, 0o666)
        view = memoryview(data).cast("B")
        self._digest.update(view)
        done = 0
        while done < len(view):
            done += os.write(self._fd, view[done:])
        return done

    @property
    def written(self) -> Written | None:
        """The size and digest of the file as written; None if nothing was."""
        return None if self._fd is None else self._digest.written

    def close(self) -> None:
        """Close the file (it stays where it is)."""
        if self._fd is not None and not self.closed:
            os.close(self._fd)
        super().close()
