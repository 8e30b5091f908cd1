"""Text and pictures that compressed Pixel Data carries beside the image, blanked in place.

A JPEG, JPEG-LS, JPEG 2000 or JPEG XL codestream may hold more than the image: comments (a
JPEG COM segment, a JPEG 2000 COM marker), application segments (EXIF with a camera's serial
number, dates and place, XMP, IPTC captions, a JFIF thumbnail, an ICC profile's
description), a JP2 file's XML, UUID and intellectual-property boxes, a JPEG XL file's EXIF,
XMP and JUMBF boxes. No decoder needs them to rebuild the image, and a writer may have put
anything there. What flows in: the value of an encapsulated Pixel Data element (its items as
written, little endian). What flows out: ``edits``, the byte ranges to overwrite and their
replacements, each of the length it replaces, so that fragment lengths, offset tables and
the image decoded are unchanged.

Kept: the segments decoders read to interpret the image (JFIF's header, Adobe's colour
transform, JPEG-LS's SPIFF header and end of directory, HP's colour transform), each up to
its defined length, and a JPEG XL file's JPEG reconstruction box (JPEG XL JPEG Recompression
rebuilds the original JPEG from it). Every other application segment becomes a comment
segment of zeros; every comment's content becomes zeros; the boxes named above, and a JPEG
XL file's Brotli-compressed boxes, become free boxes of zeros. Fragments that start no
codestream of these kinds (RLE, MPEG and HEVC video, a bare JPEG XL codestream, which has
no place for metadata) are left as they are; a codestream the walk cannot follow to its end
is blanked up to where it can be followed, a JPEG comment or application segment that runs
past the end of its codestream is blanked to that end, and bytes after a codestream's end
(a vendor's trailer) are zeroed, but for one byte of padding.
"""

from __future__ import annotations

import functools
import os
import re
import struct
from collections.abc import Callable, Iterator, Sequence

Edit = tuple[int, bytes]
"""An offset of the value's buffer and the bytes written there instead."""
Read = Callable[[int, int], bytes]
"""The bytes ``[start, stop)`` of wherever a value lies (an input file read with ``pread``)."""

_ITEM = 0xFFFEE000
_ITEM_HEADER = struct.Struct("<HHL")
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">L")

_JPEG_START = b"\xff\xd8"
_J2K_START = b"\xff\x4f\xff\x51"
_JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
_JXL_SIGNATURE = b"\x00\x00\x00\x0cJXL \r\n\x87\n"

_COM = 0xFE
_SOS = 0xDA
_EOI = 0xD9
_STANDALONE = frozenset({0x01, 0xD8, *range(0xD0, 0xD8)})
"""Markers without a length: TEM, SOI, RST0 to RST7."""
_SCAN_END = re.compile(rb"\xff[\xc0-\xcf\xd8-\xfe]")
"""The first marker after entropy-coded data: stuffed bytes (``FF00`` in JPEG, ``FF`` then a
byte below 80h in JPEG-LS), restart markers and fill bytes are not ones."""

_KEPT_APPLICATION = (
    (0xE0, b"JFIF\x00", 14),
    (0xEE, b"Adobe", 12),
    (0xE8, b"SPIFF\x00", 30),
    (0xE8, b"\x00\x00\x00\x01", 6),
    (0xE8, b"mrfx", 5),
)
"""(marker, identifier, bytes kept): application segments a decoder reads, kept up to their
defined fields (a JFIF thumbnail, what follows Adobe's transform flag, are blanked)."""

_J2K_COM = 0xFF64
_J2K_SOT = 0xFF90
_J2K_SOD = 0xFF93
_J2K_END = b"\xff\xd9"
_JP2_BLANKED = frozenset({b"xml ", b"uuid", b"uinf", b"jp2i"})
_JXL_BLANKED = frozenset({b"Exif", b"xml ", b"jumb", b"brob"})
"""A JPEG XL file's metadata boxes: EXIF, XMP, JUMBF, and any of them Brotli-compressed."""
_JP2_CODESTREAM = b"jp2c"
_JP2_FREE = b"free"


def fragments(read: Read, start: int, stop: int) -> list[tuple[int, int]]:
    """The ``(start, stop)`` of each fragment's bytes in encapsulated Pixel Data whose items
    lie at ``[start, stop)``, the Basic Offset Table left out; the items up to the first that
    cannot be read."""
    found: list[tuple[int, int]] = []
    position = start
    while position + 8 <= stop:
        header = read(position, position + 8)
        if len(header) < 8:
            break
        group, element, length = _ITEM_HEADER.unpack(header)
        tag = group << 16 | element
        position += 8
        if tag != _ITEM or position + length > stop:
            break
        found.append((position, position + length))
        position += length
    return found[1:]


def edits(value: bytes, start: int = 0, stop: int | None = None) -> list[Edit]:
    """The edits that blank what the codestreams of encapsulated Pixel Data carry beside the
    image; its items lie at ``[start, stop)`` of ``value`` (all of it by default)."""
    return edits_read(lambda low, high: value[low:high], start,
                      len(value) if stop is None else stop)


def edits_read(read: Read, start: int, stop: int) -> list[Edit]:
    """``edits`` of a value read through ``read``, one codestream at a time: a large file's
    Pixel Data is never held whole, nor mapped into the process."""
    found: list[Edit] = []
    for group in _codestreams(read, fragments(read, start, stop)):
        stream = b"".join(read(low, high) for low, high in group)
        for offset, data in _stream_edits(stream):
            found.extend(_placed(group, offset, data))
    return found


def file_reader(fd: int) -> Read:
    """``Read`` of an open file, with ``pread``: what it reads is not kept."""
    return lambda low, high: os.pread(fd, high - low, low)


def blanked(value: bytes) -> bytes:
    """``value`` (encapsulated Pixel Data) with its ``edits`` made; ``value`` itself when
    there are none."""
    found = edits(value)
    if not found:
        return value
    result = bytearray(value)
    for offset, data in found:
        result[offset : offset + len(data)] = data
    return bytes(result)


def overlay(chunk: bytearray | memoryview, chunk_start: int, found: Sequence[Edit]) -> None:
    """Make the parts of ``found`` that fall in ``chunk`` (which holds the bytes from
    offset ``chunk_start`` of the value) in it."""
    chunk_stop = chunk_start + len(chunk)
    for offset, data in found:
        low, high = max(offset, chunk_start), min(offset + len(data), chunk_stop)
        if low < high:
            chunk[low - chunk_start : high - chunk_start] = data[low - offset : high - offset]


def _codestreams(read: Read, pieces: list[tuple[int, int]]) -> Iterator[list[tuple[int, int]]]:
    """The fragments grouped by codestream: a group starts at a fragment that begins one and
    runs to the next such fragment; fragments before the first are left out."""
    group: list[tuple[int, int]] = []
    for piece in pieces:
        head = read(piece[0], min(piece[0] + 12, piece[1]))
        if head.startswith((_JPEG_START, _J2K_START, _JP2_SIGNATURE, _JXL_SIGNATURE)):
            if group:
                yield group
            group = [piece]
        elif group:
            group.append(piece)
    if group:
        yield group


def _placed(group: list[tuple[int, int]], offset: int, data: bytes) -> Iterator[Edit]:
    """An edit at ``offset`` of a codestream, as edits of the value its fragments lie in."""
    base = 0
    for start, stop in group:
        length = stop - start
        low, high = max(offset, base), min(offset + len(data), base + length)
        if low < high:
            yield start + low - base, data[low - offset : high - offset]
        base += length


def _stream_edits(stream: bytes) -> list[Edit]:
    head = stream[:12]
    if head.startswith(_JPEG_START):
        return _jpeg_edits(stream)
    if head.startswith(_J2K_START):
        return _j2k_edits(stream, 0, len(stream))
    if head.startswith(_JXL_SIGNATURE):
        return _box_edits(stream, _JXL_BLANKED)
    return _box_edits(stream, _JP2_BLANKED)


def _jpeg_edits(stream: bytes) -> list[Edit]:
    """The edits of a JPEG or JPEG-LS codestream (and of any that follow it in the group)."""
    found: list[Edit] = []
    size, position = len(stream), 0
    while position + 2 <= size:
        if stream[position] != 0xFF:
            break
        marker = stream[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        if marker in _STANDALONE:
            position += 2
            continue
        if marker == _EOI:
            following = _next_start(stream, position + 2)
            if following == size:
                found.extend(_trailer(stream, position + 2, size))
            position = following
            continue
        if position + 4 > size:
            break
        (length,) = _U16.unpack_from(stream, position + 2)
        end = position + 2 + length
        if length < 2:
            break
        if end > size:
            found.extend(_jpeg_segment_edits(stream, position, marker, size))
            break
        found.extend(_jpeg_segment_edits(stream, position, marker, end))
        position = end
        if marker == _SOS:
            match = _SCAN_END.search(stream, position)
            if match is None:
                break
            position = match.start()
    return found


def _next_start(stream: bytes, position: int) -> int:
    """Past an end of image: where the next codestream of the group starts, after padding;
    the end of the stream when none does (what follows the end of image is then blanked,
    ``_trailer``: no decoder reads it)."""
    size = len(stream)
    while position < size and stream[position] == 0:
        position += 1
    return position if stream[position : position + 2] == _JPEG_START else size


def _jpeg_segment_edits(stream: bytes, position: int, marker: int, end: int) -> list[Edit]:
    """The edits of one marker segment ``[position, end)``: none for one outside APPn and
    COM, the blanked rest of a kept application segment, a comment of zeros otherwise."""
    if marker != _COM and not 0xE0 <= marker <= 0xEF:
        return []
    content = position + 4
    if marker != _COM:
        for kept_marker, identifier, kept in _KEPT_APPLICATION:
            if marker == kept_marker and (
                    stream[content : content + len(identifier)] == identifier):
                return _zeros(stream, content + min(kept, end - content), end)
        return [(position + 1, bytes([_COM])), *_zeros(stream, content, end)]
    return _zeros(stream, content, end)


def _trailer(stream: bytes, start: int, stop: int) -> list[Edit]:
    """The edit that zeroes what follows a codestream's end, but the one byte that pads a
    fragment to an even length (an encoder's 00h or FFh)."""
    return _zeros(stream, start, stop) if stop - start > 1 else []


def _zeros(stream: bytes, start: int, stop: int) -> list[Edit]:
    """The edit that zeroes ``[start, stop)``, none when it is zero already."""
    zeros = _zero_bytes(stop - start) if start < stop else b""
    if not zeros or stream[start:stop] == zeros:
        return []
    return [(start, zeros)]


@functools.lru_cache(maxsize=256)
def _zero_bytes(length: int) -> bytes:
    """Zero bytes, one object per length: the frames of a large file often carry segments
    of one size, whose edits then share their replacement."""
    return bytes(length)


def _j2k_edits(stream: bytes, start: int, stop: int) -> list[Edit]:
    """The edits of a JPEG 2000 codestream at ``[start, stop)``: the content of every COM
    marker segment of its main header and of its tile-part headers zeroed, and what follows
    its end of codestream where every tile-part's length is given."""
    found: list[Edit] = []
    position = _j2k_header(stream, start + 2, stop, found)
    while position + 12 <= stop and _U16.unpack_from(stream, position)[0] == _J2K_SOT:
        (length,) = _U16.unpack_from(stream, position + 2)
        (tile_part,) = _U32.unpack_from(stream, position + 6)
        _j2k_header(stream, position + 2 + length, stop, found)
        if tile_part == 0:
            return found
        position += tile_part
    if stream[position : position + 2] == _J2K_END:
        found.extend(_trailer(stream, position + 2, stop))
    return found


def _j2k_header(stream: bytes, position: int, stop: int, found: list[Edit]) -> int:
    """Walk marker segments from ``position`` to a start of tile-part or of data, adding the
    edits of COM segments to ``found``; where the walk stopped."""
    while position + 4 <= stop:
        (marker,) = _U16.unpack_from(stream, position)
        if marker in (_J2K_SOT, _J2K_SOD) or marker >> 8 != 0xFF:
            break
        (length,) = _U16.unpack_from(stream, position + 2)
        end = position + 2 + length
        if length < 2 or end > stop:
            break
        if marker == _J2K_COM:
            found.extend(_zeros(stream, position + 4, end))
        position = end
    return position


def _box_edits(stream: bytes, blanked: frozenset[bytes]) -> list[Edit]:
    """The edits of a JP2 or JPEG XL file: its ``blanked`` boxes made free boxes of zeros,
    and those of a JPEG 2000 codestream box."""
    found: list[Edit] = []
    size, position = len(stream), 0
    while position + 8 <= size:
        (length,) = _U32.unpack_from(stream, position)
        kind = stream[position + 4 : position + 8]
        header = 8
        if length == 1:
            if position + 16 > size:
                break
            length, header = struct.unpack_from(">Q", stream, position + 8)[0], 16
        elif length == 0:
            length = size - position
        end = position + length
        if length < header or end > size:
            break
        if kind in blanked:
            found.append((position + 4, _JP2_FREE))
            found.extend(_zeros(stream, position + header, end))
        elif kind == _JP2_CODESTREAM and (
                stream[position + header : position + header + 4] == _J2K_START):
            found.extend(_j2k_edits(stream, position + header, end))
        position = end
    return found
