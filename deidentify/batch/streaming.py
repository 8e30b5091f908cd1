"""Large files: the header de-identified by the engine, the Pixel Data copied, never held.

The header (everything before the top-level Pixel Data) is read with pydicom, the elements
after Pixel Data (trailing padding, signatures, private groups) too; the engine de-identifies
them as one dataset. The output is the engine's header, then the Pixel Data element's bytes
copied from the input in chunks (the transfer syntax is unchanged, so they are valid as they
are), then what the engine kept of the trailing elements. Deflated and raw (no File Meta)
inputs are not streamed.
"""

from __future__ import annotations

import os
import struct
import warnings
from pathlib import Path
from typing import BinaryIO

from pydicom import Dataset
from pydicom.charset import default_encoding
from pydicom.filebase import DicomFileLike
from pydicom.filereader import read_dataset as read_raw_dataset
from pydicom.filewriter import write_dataset
from pydicom.uid import UID
from pydicom.valuerep import EXPLICIT_VR_LENGTH_32

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
from deidentify.inflation import DEFAULT_LIMIT, InflationLimit

STREAM_THRESHOLD = 1024 * 1024
"""Pixel Data longer than this is copied rather than read."""
COPY_CHUNK = 1024 * 1024
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


def pixel_element_end(
    stream: BinaryIO, start: int, size: int, implicit: bool, little: bool
) -> tuple[int, int] | None:
    """The tag and end offset of the pixel element at ``start``; None if none is there."""
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
        return tag, _skip_fragments(stream, value_start, size, order)
    end = value_start + length
    if end > size:
        raise FileFailed(TRUNCATED)
    return tag, end


def copy_range(source: BinaryIO, target: BinaryIO, start: int, stop: int) -> None:
    """Copy ``[start, stop)`` of ``source`` to ``target`` in bounded chunks."""
    source.seek(start)
    remaining = stop - start
    while remaining > 0:
        chunk = source.read(min(COPY_CHUNK, remaining))
        if not chunk:
            raise FileFailed(TRUNCATED)
        target.write(chunk)
        remaining -= len(chunk)


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
) -> bool:
    """De-identify ``source`` into ``target`` streaming its Pixel Data; False if not suited.

    Not suited: a raw or deflated input, one whose Pixel Data is small or absent, or whose
    element encoding differs from its declared transfer syntax. Nothing is written then.
    FileFailed if the element structure is inconsistent (:mod:`deidentify.structure`).
    ``size``: the input's, when the caller has it.
    """
    if kind is not Kind.PART10:
        return False
    if (os.stat(source).st_size if size is None else size) <= STREAM_THRESHOLD:
        return False
    with open(source, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        if size <= STREAM_THRESHOLD:
            return False
        ds = read_dataset(stream, kind, size, limit, stop_before_pixels=True)
        start = stream.tell()
        syntax = UID(str(ds.file_meta.get("TransferSyntaxUID", "")))
        if not syntax.is_transfer_syntax or syntax.is_deflated:
            return False
        check_structure(source)
        implicit, little = bool(syntax.is_implicit_VR), bool(syntax.is_little_endian)
        if ds.original_encoding != (implicit, little):
            return False
        check_values(ds)
        found = pixel_element_end(stream, start, size, implicit, little)
        if found is None:
            return False
        pixel_tag, end = found
        if end - start <= STREAM_THRESHOLD:
            return False
        tail = _read_tail(stream, end, size, implicit, little)
        for tag in list(tail.keys()):
            ds[tag] = tail.get_item(tag)
        if deid.needs_pixels(ds):
            return False
        deid.apply(ds)
        kept_tail = Dataset()
        present = list(ds.keys())
        for tag in [tag for tag in present if tag > pixel_tag]:
            kept_tail[tag] = ds.get_item(tag)
            del ds[tag]
        if UID(str(ds.file_meta.get("TransferSyntaxUID", ""))) != syntax:
            raise FileFailed("the engine changed the transfer syntax of a streamed file")
        encoding = ds.get("SpecificCharacterSet", default_encoding)
        with open(target, "wb") as output:
            deid.write(ds, output)
            copy_range(stream, output, start, end)
            if kept_tail:
                encoded = DicomFileLike(output)
                encoded.is_implicit_VR, encoded.is_little_endian = implicit, little
                write_dataset(encoded, kept_tail, parent_encoding=encoding)
    return True
