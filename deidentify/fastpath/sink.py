"""Writing the output in one pass: encoded bytes, and byte ranges copied from the input file.

A range is copied file to file by the kernel (``copy_file_range``, else ``sendfile``) when the
target has a file descriptor, so a large Pixel Data value never passes through this process;
otherwise it is streamed in chunks with ``pread``.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
from collections.abc import Iterable
from typing import BinaryIO, NamedTuple

CHUNK = 1024 * 1024


class Extent(NamedTuple):
    """A byte range ``[start, stop)`` of the input file, to be copied as it is."""

    start: int
    stop: int


Piece = bytes | Extent


def _target_fd(target: BinaryIO) -> int | None:
    """The target's file descriptor when it is a regular file, else None."""
    try:
        fd = target.fileno()
    except (OSError, AttributeError, io.UnsupportedOperation):
        return None
    return fd if stat.S_ISREG(os.fstat(fd).st_mode) else None


def _kernel_copy(source_fd: int, target_fd: int, extent: Extent, position: int) -> int:
    """Copy an extent at ``position`` of the target by the kernel; returns bytes copied."""
    offset, done, total = extent.start, 0, extent.stop - extent.start
    with contextlib.suppress(OSError):
        while done < total:
            count = os.copy_file_range(
                source_fd, target_fd, total - done, offset + done, position + done
            )
            if count == 0:
                break
            done += count
    return done


def _stream_copy(source_fd: int, target: BinaryIO, start: int, stop: int) -> None:
    """Copy ``[start, stop)`` of the source through a bounded buffer."""
    offset = start
    while offset < stop:
        chunk = os.pread(source_fd, min(CHUNK, stop - offset), offset)
        if not chunk:
            raise OSError("input file shrank while being copied")
        target.write(chunk)
        offset += len(chunk)


def copy_extent(source_fd: int, target: BinaryIO, extent: Extent) -> None:
    """Copy an extent of the source to ``target`` at its position: by the kernel when the
    target has a file descriptor, else (or for what the kernel did not copy) in chunks."""
    _copy_extent(source_fd, target, extent)


def _copy_extent(source_fd: int, target: BinaryIO, extent: Extent) -> None:
    target_fd = _target_fd(target)
    done = 0
    if target_fd is not None:
        target.flush()
        position = target.tell()
        done = _kernel_copy(source_fd, target_fd, extent, position)
        target.seek(position + done)
    _stream_copy(source_fd, target, extent.start + done, extent.stop)


def write_pieces(pieces: Iterable[Piece], source_fd: int, target: BinaryIO) -> None:
    """Write the pieces in order; consecutive bytes pieces are joined into one write."""
    pending: list[bytes] = []
    for piece in pieces:
        if isinstance(piece, Extent):
            if pending:
                target.write(b"".join(pending))
                pending.clear()
            _copy_extent(source_fd, target, piece)
        else:
            pending.append(piece)
    if pending:
        target.write(b"".join(pending))
