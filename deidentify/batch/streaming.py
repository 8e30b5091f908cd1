"""Large files: the header de-identified by the engine, the Pixel Data copied, never held.

The header (everything before the top-level Pixel Data) is read with pydicom, the elements
after Pixel Data (trailing padding, signatures, private groups) too; the engine de-identifies
them as one dataset. The output is the engine's header, then the Pixel Data element's bytes
copied from the input by the kernel (the transfer syntax is unchanged, so they are valid as
they are), the blanking of encapsulated codestreams that the engine makes on a dataset
(``deidentify.pixels.codestream``, read one codestream at a time) written over them, then what
the engine kept of the trailing elements. Its digest, which the output folder's manifest
records, is computed meanwhile on the other core from the bytes copied as the input holds
them with those edits made (read into one buffer and hashed by one thread: the kernel's copy
takes the first core), so the output is not read back. Deflated and raw (no File Meta)
inputs are not streamed.
"""

from __future__ import annotations

import io
import os
import struct
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, NamedTuple

from pydicom import Dataset
from pydicom.charset import default_encoding
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import read_dataset as read_raw_dataset
from pydicom.filewriter import write_dataset
from pydicom.uid import UID
from pydicom.valuerep import EXPLICIT_VR_LENGTH_32

from deidentify.batch.manifest import DIGEST_CHUNK, Digest, Written
from deidentify.batch.reading import (
    UNDEFINED_LENGTH,
    Kind,
    check_end,
    check_structure,
    check_values,
    read_dataset,
)
from deidentify.batch.results import TRUNCATED, FileFailed
from deidentify.engine import Deidentifier
from deidentify.fastpath.sink import Extent, copy_extent
from deidentify.inflation import DEFAULT_LIMIT, InflationLimit
from deidentify.pixels import codestream

STREAM_THRESHOLD = 1024 * 1024
"""Pixel Data longer than this is copied rather than read."""
PIXEL_TAGS = frozenset({0x7FE00008, 0x7FE00009, 0x7FE00010})
ITEM = 0xFFFEE000
SEQUENCE_DELIMITER = 0xFFFEE0DD
_LONG_VRS = frozenset(vr.encode("ascii") for vr in EXPLICIT_VR_LENGTH_32)


def _read_exactly(stream: BinaryIO, count: int) -> bytes:
    data = stream.read(count)
    if len(data) != count:
        raise FileFailed(TRUNCATED)
    return data


def _skip_fragments(stream: BinaryIO, position: int, size: int, order: str) -> int:
    """The end of encapsulated Pixel Data whose items start at ``position``."""
    item_header = struct.Struct(order + "HHL")
    while True:
        stream.seek(position)
        group, element, length = item_header.unpack(_read_exactly(stream, 8))
        tag = group << 16 | element
        position += 8
        if tag == SEQUENCE_DELIMITER:
            return position
        if tag != ITEM or length == UNDEFINED_LENGTH or position + length > size:
            raise FileFailed(TRUNCATED)
        position += length


class PixelElement(NamedTuple):
    """The pixel element of a file: its tag, where its encapsulated items start (None when
    its value is not encapsulated) and where it ends."""

    tag: int
    items: int | None
    end: int


def pixel_element_end(
    stream: BinaryIO, start: int, size: int, implicit: bool, little: bool
) -> PixelElement | None:
    """The pixel element at ``start``; None if none is there."""
    order = "<" if little else ">"
    stream.seek(start)
    head = stream.read(8)
    if len(head) < 8:
        return None
    group, element = struct.unpack(order + "HH", head[:4])
    tag = group << 16 | element
    if tag not in PIXEL_TAGS:
        return None
    if implicit:
        (length,) = struct.unpack(order + "L", head[4:])
        value_start = start + 8
    elif head[4:6] in _LONG_VRS:
        (length,) = struct.unpack(order + "L", _read_exactly(stream, 4))
        value_start = start + 12
    else:
        (length,) = struct.unpack(order + "H", head[6:])
        value_start = start + 8
    if length == UNDEFINED_LENGTH:
        return PixelElement(tag, value_start, _skip_fragments(stream, value_start, size, order))
    end = value_start + length
    if end > size:
        raise FileFailed(TRUNCATED)
    return PixelElement(tag, None, end)


class _RangeDigest(threading.Thread):
    """The digest of ``head``, then of ``[start, stop)`` of a file with ``edits`` made, read
    into one buffer in a thread of its own (the hash and ``preadv`` release the GIL);
    ``short``: the range could not be read to ``stop``."""

    def __init__(self, head: bytes, fd: int, start: int, stop: int,
                 edits: Sequence[codestream.Edit]) -> None:
        super().__init__(daemon=True)
        self.digest = Digest()
        self.digest.update(head)
        self.short = False
        self._fd, self._range, self._edits = fd, (start, stop), edits

    def run(self) -> None:
        offset, stop = self._range
        buffer = memoryview(bytearray(DIGEST_CHUNK))
        try:
            while offset < stop:
                count = os.preadv(self._fd, [buffer[:min(DIGEST_CHUNK, stop - offset)]], offset)
                if not count:
                    self.short = True
                    return
                codestream.overlay(buffer[:count], offset, self._edits)
                self.digest.update(buffer[:count])
                offset += count
        except OSError:
            self.short = True


def codestream_edits(source_fd: int, pixels: PixelElement) -> list[codestream.Edit]:
    """The blanking of encapsulated Pixel Data's codestreams (``Deidentifier.apply`` makes it
    on a dataset), at offsets of the file: read one codestream at a time, never held."""
    if pixels.items is None:
        return []
    return codestream.edits_read(codestream.file_reader(source_fd), pixels.items, pixels.end)


def write_streamed(target: Path, head: bytes, source_fd: int, start: int, stop: int,
                   tail: bytes, edits: Sequence[codestream.Edit] = ()) -> Written:
    """Write ``head``, the bytes ``[start, stop)`` of the source with ``edits`` (at offsets
    of the source) made, and ``tail`` to ``target``; the size and digest of what was written
    (the copied range digested meanwhile)."""
    digesting = _RangeDigest(head, source_fd, start, stop, edits)
    digesting.start()
    try:
        with open(target, "wb") as output:
            output.write(head)
            try:
                copy_extent(source_fd, output, Extent(start, stop))
            except OSError:
                raise FileFailed(TRUNCATED) from None
            for offset, data in edits:
                os.pwrite(output.fileno(), data, len(head) + offset - start)
            output.write(tail)
    finally:
        digesting.join()
    if digesting.short:
        raise FileFailed(TRUNCATED)
    digesting.digest.update(tail)
    return digesting.digest.written


def _read_tail(stream: BinaryIO, start: int, size: int, implicit: bool, little: bool) -> Dataset:
    stream.seek(start)
    if start == size:
        return Dataset()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tail = read_raw_dataset(stream, implicit, little)
    if caught or not tail._dict:
        raise FileFailed(TRUNCATED)
    check_values(tail)
    check_end(tail, size)
    return tail


def deidentify_streaming(
    deid: Deidentifier,
    source: Path,
    target: Path,
    kind: Kind,
    limit: InflationLimit = DEFAULT_LIMIT,
    size: int | None = None,
) -> Written | None:
    """De-identify ``source`` into ``target`` streaming its Pixel Data; the size and digest of
    the output, or None if the input is not suited.

    Not suited: a raw or deflated input, one whose Pixel Data is small or absent, or whose
    element encoding differs from its declared transfer syntax. Nothing is written then.
    FileFailed if the element structure is inconsistent (:mod:`deidentify.structure`).
    ``size``: the input's, when the caller has it.
    """
    if kind is not Kind.PART10:
        return None
    if (os.stat(source).st_size if size is None else size) <= STREAM_THRESHOLD:
        return None
    with open(source, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        if size <= STREAM_THRESHOLD:
            return None
        ds = read_dataset(stream, kind, size, limit, stop_before_pixels=True)
        start = stream.tell()
        syntax = UID(str(ds.file_meta.get("TransferSyntaxUID", "")))
        if not syntax.is_transfer_syntax or syntax.is_deflated:
            return None
        check_structure(source)
        implicit, little = bool(syntax.is_implicit_VR), bool(syntax.is_little_endian)
        if ds.original_encoding != (implicit, little):
            return None
        check_values(ds)
        found = pixel_element_end(stream, start, size, implicit, little)
        if found is None:
            return None
        pixel_tag, end = found.tag, found.end
        if end - start <= STREAM_THRESHOLD:
            return None
        tail = _read_tail(stream, end, size, implicit, little)
        for tag in list(tail.keys()):
            ds[tag] = tail.get_item(tag)
        if deid.needs_pixels(ds):
            return None
        deid.apply(ds)
        kept_tail = Dataset()
        present = list(ds.keys())
        for tag in [tag for tag in present if tag > pixel_tag]:
            kept_tail[tag] = ds.get_item(tag)
            del ds[tag]
        if UID(str(ds.file_meta.get("TransferSyntaxUID", ""))) != syntax:
            raise FileFailed("the engine changed the transfer syntax of a streamed file")
        encoding = ds.get("SpecificCharacterSet", default_encoding)
        head = io.BytesIO()
        deid.write(ds, head)
        encoded = DicomBytesIO()
        if kept_tail:
            encoded.is_implicit_VR, encoded.is_little_endian = implicit, little
            write_dataset(encoded, kept_tail, parent_encoding=encoding)
        return write_streamed(target, head.getvalue(), stream.fileno(), start, end,
                              encoded.getvalue(), codestream_edits(stream.fileno(), found))
