"""A bound on what a deflated dataset may inflate to, checked before anything inflates it.

pydicom and pynetdicom inflate a Deflated Explicit VR Little Endian dataset in one piece, so a
file of 1 MB of deflated zeros takes gigabytes before a single element is read. The
compressed bytes (of a file after its File Meta, or of a DIMSE message) are first inflated
here as a stream into a small window that is thrown away, counting the inflated size; past
the bound the dataset is refused with ``InflationRefused`` and nothing large was allocated.

The bound: up to ``FLOOR`` bytes whatever the ratio; beyond, at most ``max_ratio`` times the
compressed size; never more than ``max_bytes``. Legitimate deflated objects compress a few
times to some hundred times; a stream of zeros compresses a thousand times.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import BinaryIO

MB = 1_000_000
FLOOR = 64 * MB
"""What any deflated dataset may inflate to, whatever its compression ratio."""
DEFAULT_MAX_BYTES = 500 * MB
DEFAULT_MAX_RATIO = 100.0
_CHUNK = 256 * 1024


class InflationRefused(Exception):
    """A deflated dataset inflates past the bound, or its deflated data is corrupt."""


@dataclass(frozen=True)
class InflationLimit:
    """How far a deflated dataset may inflate: ``max_ratio`` times its compressed size (but
    always ``FLOOR``), and never beyond ``max_bytes``."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_ratio: float = DEFAULT_MAX_RATIO

    def allowed(self, compressed: int) -> int:
        """The inflated size allowed for ``compressed`` bytes of deflated data."""
        return min(self.max_bytes, max(FLOOR, int(self.max_ratio * compressed)))

    def refusal(self, compressed: int) -> str:
        """The fixed phrase a dataset of ``compressed`` bytes past the bound is refused with."""
        if self.allowed(compressed) == self.max_bytes:
            return f"deflated dataset inflates past {self.max_bytes / MB:g} MB (the bound)"
        return (f"deflated dataset inflates more than {self.max_ratio:g} times its size "
                "(the bound)")


DEFAULT_LIMIT = InflationLimit()


def check_stream(stream: BinaryIO, compressed: int, limit: InflationLimit) -> None:
    """Inflate ``compressed`` bytes of raw deflate data read from ``stream``, keeping none of
    it; InflationRefused if they inflate past the bound or are not valid deflate data.
    Data after the end of the deflate stream (a padding byte) is ignored, as pydicom does."""
    allowed = limit.allowed(compressed)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    inflated = 0
    try:
        while not inflater.eof:
            data = inflater.unconsumed_tail or stream.read(_CHUNK)
            if not data:
                break
            inflated += len(inflater.decompress(data, _CHUNK))
            if inflated > allowed:
                raise InflationRefused(limit.refusal(compressed))
    except zlib.error:
        raise InflationRefused("deflated data is corrupt") from None
    if not inflater.eof:
        raise InflationRefused("deflated data is truncated")


def check_file(stream: BinaryIO, limit: InflationLimit) -> None:
    """Check the dataset of a Part 10 file (``stream`` at its start) against ``limit`` when
    its Transfer Syntax is deflated; the stream is left at its start. Files that are not
    deflated, or whose File Meta cannot be read, pass (their reader reports them)."""
    try:
        start = _deflated_start(stream)
        if start is not None:
            compressed = stream.seek(0, 2) - start
            stream.seek(start)
            check_stream(stream, compressed, limit)
    finally:
        stream.seek(0)


def _deflated_start(stream: BinaryIO) -> int | None:
    """Where the deflated dataset of a Part 10 file starts; None if it is not deflated.

    pydicom's reader is imported here, not with the module: a run's main process holds the
    limit without reading any file."""
    from pydicom.errors import InvalidDicomError
    from pydicom.filereader import _read_file_meta_info, read_preamble
    from pydicom.uid import DeflatedExplicitVRLittleEndian

    unreadable = (InvalidDicomError, ValueError, EOFError, KeyError, TypeError, struct.error)
    try:
        read_preamble(stream, True)
        syntax = _read_file_meta_info(stream).get("TransferSyntaxUID")
    except unreadable:
        return None
    return stream.tell() if syntax == DeflatedExplicitVRLittleEndian else None
