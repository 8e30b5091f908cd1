"""An input file opened for the fast path: small files read whole, large files memory-mapped.

A memory map lets the parse touch only the pages that hold element headers; large values are
then copied file to file (see :mod:`deidentify.fastpath.sink`) without entering memory.
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path
from types import TracebackType

MAP_THRESHOLD = 16 * 1024 * 1024
"""Files larger than this are memory-mapped rather than read."""


class SourceFile:
    """A read-only input file: ``buffer`` holds its bytes (read or mapped when first used, so
    that a caller may look at ``size`` first), ``fd`` stays open for copies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDONLY)
        try:
            self.size = os.fstat(self.fd).st_size
        except BaseException:
            os.close(self.fd)
            raise
        self._map: mmap.mmap | None = None
        self._buffer: bytes | mmap.mmap | None = None

    @property
    def buffer(self) -> bytes | mmap.mmap:
        """The file's bytes: read whole, or memory-mapped if larger than ``MAP_THRESHOLD``."""
        if self._buffer is None:
            if self.mapped:
                self._map = mmap.mmap(self.fd, 0, access=mmap.ACCESS_READ)
                self._buffer = self._map
            else:
                self._buffer = _read_all(self.fd, self.size)
        return self._buffer

    @property
    def mapped(self) -> bool:
        """Whether the file is memory-mapped (it is larger than ``MAP_THRESHOLD``)."""
        return self.size > MAP_THRESHOLD

    def close(self) -> None:
        """Unmap and close the file."""
        if self._map is not None:
            self._map.close()
            self._map = None
        os.close(self.fd)

    def __enter__(self) -> SourceFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _read_all(fd: int, size: int) -> bytes:
    """The whole file, read with as few calls as the kernel allows."""
    chunks: list[bytes] = []
    remaining = size
    while remaining > 0:
        chunk = os.read(fd, remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)
