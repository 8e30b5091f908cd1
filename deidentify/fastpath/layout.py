"""Where each element of a DICOM file lies: a byte-level parse of element headers only.

Values are never decoded here. The parse covers the preamble, the File Meta group (always
explicit VR little endian) and the dataset in explicit or implicit VR little endian. Anything
else (big endian, deflated, no preamble, a malformed or truncated header, an undefined length
where only a sequence or encapsulated Pixel Data may have one) raises :class:`Declined`, so the
caller falls back to the reference path, which reports or tolerates the problem as it does.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass
from struct import Struct
from typing import NamedTuple

from pydicom.datadict import dictionary_VR
from pydicom.uid import UID
from pydicom.valuerep import EXPLICIT_VR_LENGTH_32, STANDARD_VR

Buffer = bytes | mmap.mmap
"""A whole input file: read into memory, or memory-mapped."""


class Declined(Exception):
    """The fast path does not handle this input; the reference path must process it."""


class Element(NamedTuple):
    """One element of a dataset, as offsets into the buffer it was parsed from.

    ``vr`` is the VR written in the file, or ``""`` in implicit VR. ``content_end`` is where
    the value ends: for an undefined length it is the start of the Sequence Delimitation Item,
    and ``end`` lies past that item.
    """

    tag: int
    vr: str
    start: int
    value_start: int
    content_end: int
    end: int
    undefined_length: bool


@dataclass(frozen=True)
class FileLayout:
    """A parsed file: its File Meta elements, transfer syntax and top-level elements."""

    meta: tuple[Element, ...]
    transfer_syntax: str
    implicit_vr: bool
    elements: tuple[Element, ...]


UNDEFINED = 0xFFFFFFFF
PIXEL_DATA = 0x7FE00010
ITEM = 0xFFFEE000
ITEM_DELIMITER = 0xFFFEE00D
SEQUENCE_DELIMITER = 0xFFFEE0DD
PREAMBLE_LENGTH = 128
PREFIX = b"DICM"
RELEASE_EVERY = 32 * 1024 * 1024
"""Bytes of fragments walked in a memory map between two releases of the pages touched."""

_EXPLICIT_HEAD = Struct("<HH2sH")
_IMPLICIT_HEAD = Struct("<HHL")
_LONG_LENGTH = Struct("<L")
_TAG = Struct("<HH")
_LONG_VRS = frozenset(vr.encode() for vr in EXPLICIT_VR_LENGTH_32)
_KNOWN_VRS = frozenset(vr.encode() for vr in STANDARD_VR)
_VR_TEXT = {vr: vr.decode() for vr in _KNOWN_VRS}
_VR_FORMS = {vr: (text, vr in _LONG_VRS) for vr, text in _VR_TEXT.items()}
"""Each known VR as written: its text, and whether its length takes 4 bytes."""
_FRAGMENT_VRS = frozenset({"OB", "OW", ""})
_new_tuple = tuple.__new__


def _element_header(
    buf: Buffer, pos: int, end: int, implicit: bool
) -> tuple[int, str, int, int]:
    """The tag, VR, value length and value offset of the element header at ``pos``."""
    if pos + 8 > end:
        raise Declined("truncated element header")
    if implicit:
        group, elem, length = _IMPLICIT_HEAD.unpack_from(buf, pos)
        return group << 16 | elem, "", length, pos + 8
    group, elem, raw_vr, length = _EXPLICIT_HEAD.unpack_from(buf, pos)
    if group == 0xFFFE:
        (length,) = _LONG_LENGTH.unpack_from(buf, pos + 4)
        return group << 16 | elem, "", length, pos + 8
    if raw_vr in _LONG_VRS:
        if pos + 12 > end:
            raise Declined("truncated element header")
        (length,) = _LONG_LENGTH.unpack_from(buf, pos + 8)
        return group << 16 | elem, _VR_TEXT[raw_vr], length, pos + 12
    if raw_vr not in _KNOWN_VRS:
        raise Declined("unknown or implicit VR inside an explicit VR dataset")
    return group << 16 | elem, _VR_TEXT[raw_vr], length, pos + 8


def _is_sequence(buf: Buffer, tag: int, vr: str, value_start: int, end: int) -> bool:
    """Whether an undefined-length element is a sequence, as the reference reader decides."""
    if vr == "SQ":
        return True
    if vr:
        return False
    try:
        return dictionary_VR(tag) == "SQ"
    except KeyError:
        return value_start + 4 <= end and _tag_at(buf, value_start) == ITEM


def _tag_at(buf: Buffer, pos: int) -> int:
    group, elem = _TAG.unpack_from(buf, pos)
    return int(group << 16 | elem)


def _skip_items(buf: Buffer, pos: int, end: int, implicit: bool) -> tuple[int, int]:
    """Skip the items of an undefined-length sequence starting at ``pos``.

    Returns the offset of the Sequence Delimitation Item and the offset past it.
    """
    while True:
        tag, _, length, value_start = _element_header(buf, pos, end, True)
        if tag == SEQUENCE_DELIMITER:
            return pos, value_start
        if tag != ITEM:
            raise Declined("unexpected element inside a sequence")
        if length == UNDEFINED:
            pos = _skip_item_dataset(buf, value_start, end, implicit)
        else:
            pos = value_start + length
            if pos > end:
                raise Declined("sequence item runs past the end of its container")


def _release(buf: Buffer, start: int, stop: int) -> None:
    """Unmap the pages of ``[start, stop)`` that reading headers faulted in (a memory map's
    page faults bring neighbouring pages with them, which would otherwise add up)."""
    if isinstance(buf, mmap.mmap):
        first = start - start % mmap.PAGESIZE
        length = (stop - first) - (stop - first) % mmap.PAGESIZE
        if length > 0:
            buf.madvise(mmap.MADV_DONTNEED, first, length)


def _skip_fragments(buf: Buffer, pos: int, end: int) -> tuple[int, int]:
    """Skip the items of encapsulated Pixel Data; same return as :func:`_skip_items`."""
    released = pos
    while True:
        tag, _, length, value_start = _element_header(buf, pos, end, True)
        if tag == SEQUENCE_DELIMITER:
            _release(buf, released, pos)
            return pos, value_start
        if tag != ITEM or length == UNDEFINED:
            raise Declined("malformed encapsulated Pixel Data")
        pos = value_start + length
        if pos > end:
            raise Declined("Pixel Data fragment runs past the end of the file")
        if pos - released > RELEASE_EVERY:
            _release(buf, released, pos)
            released = pos


def _next_element(buf: Buffer, pos: int, end: int, implicit: bool) -> Element:
    """Parse the element starting at ``pos``, skipping over its value."""
    tag, vr, length, value_start = _element_header(buf, pos, end, implicit)
    if length != UNDEFINED:
        value_end = value_start + length
        if value_end > end:
            raise Declined("element value runs past the end of its container")
        return Element(tag, vr, pos, value_start, value_end, value_end, False)
    if _is_sequence(buf, tag, vr, value_start, end):
        content_end, after = _skip_items(buf, value_start, end, implicit)
    elif tag == PIXEL_DATA and vr in _FRAGMENT_VRS:
        content_end, after = _skip_fragments(buf, value_start, end)
    else:
        raise Declined("undefined length on an element that is neither SQ nor Pixel Data")
    return Element(tag, vr, pos, value_start, content_end, after, True)


def _skip_item_dataset(buf: Buffer, pos: int, end: int, implicit: bool) -> int:
    """Skip the elements of an undefined-length item; returns the offset past its delimiter."""
    while pos + 8 <= end:
        if _tag_at(buf, pos) == ITEM_DELIMITER:
            return pos + 8
        pos = _next_element(buf, pos, end, implicit).end
    raise Declined("undefined-length item without an Item Delimitation Item")


def _explicit_elements(buf: Buffer, pos: int, end: int) -> list[Element]:
    """The top-level elements of an explicit VR little endian dataset in ``buf[pos:end]``.

    The common case (a defined length fully inside ``end``) is parsed inline; anything else
    by :func:`_next_element`.
    """
    elements: list[Element] = []
    append = elements.append
    head, long_length = _EXPLICIT_HEAD.unpack_from, _LONG_LENGTH.unpack_from
    vr_forms = _VR_FORMS
    last_inline = end - 12
    previous = -1
    while pos < end:
        value_start = 0
        if pos <= last_inline:
            group, number, raw_vr, length = head(buf, pos)
            form = vr_forms.get(raw_vr)
            if form is not None:
                vr, long_form = form
                if long_form:
                    (length,) = long_length(buf, pos + 8)
                    value_start = pos + 12
                elif group != 0xFFFE:
                    value_start = pos + 8
        if value_start and length != UNDEFINED and value_start + length <= end:
            value_end = value_start + length
            element = _new_tuple(Element, (group << 16 | number, vr, pos, value_start,
                                           value_end, value_end, False))
        else:
            element = _next_element(buf, pos, end, False)
        tag = element[0]
        if tag <= previous or tag >> 16 == 0xFFFE:
            raise Declined("top-level tags out of order or a stray delimiter")
        previous = tag
        append(element)
        pos = element[5]
    return elements


def _implicit_elements(buf: Buffer, pos: int, end: int) -> list[Element]:
    """The top-level elements of an implicit VR little endian dataset in ``buf[pos:end]``,
    parsed as :func:`_explicit_elements` parses explicit VR."""
    elements: list[Element] = []
    append = elements.append
    head = _IMPLICIT_HEAD.unpack_from
    last_inline = end - 12
    previous = -1
    while pos < end:
        inline = False
        if pos <= last_inline:
            group, number, length = head(buf, pos)
            inline = length != UNDEFINED and pos + 8 + length <= end
        if inline:
            value_end = pos + 8 + length
            element = _new_tuple(Element, (group << 16 | number, "", pos, pos + 8, value_end,
                                           value_end, False))
        else:
            element = _next_element(buf, pos, end, True)
        tag = element[0]
        if tag <= previous or tag >> 16 == 0xFFFE:
            raise Declined("top-level tags out of order or a stray delimiter")
        previous = tag
        append(element)
        pos = element[5]
    return elements


def read_elements(buf: Buffer, pos: int, end: int, implicit: bool) -> tuple[Element, ...]:
    """The top-level elements of a dataset encoded in ``buf[pos:end]``, in file order.

    Tags must ascend strictly, as the reference writer orders them; a delimiter or item tag
    at the top level is malformed.
    """
    if implicit:
        return tuple(_implicit_elements(buf, pos, end))
    return tuple(_explicit_elements(buf, pos, end))


def _meta_elements(buf: Buffer, pos: int, end: int) -> tuple[tuple[Element, ...], int]:
    """The File Meta elements from ``pos`` and the offset where the dataset starts."""
    meta: list[Element] = []
    while pos + 4 <= end and _tag_at(buf, pos) >> 16 == 0x0002:
        element = _next_element(buf, pos, end, False)
        if element.undefined_length:
            raise Declined("undefined length in File Meta")
        meta.append(element)
        pos = element.end
    return tuple(meta), pos


def _text(buf: Buffer, element: Element) -> str:
    try:
        text = bytes(buf[element.value_start : element.content_end]).decode("ascii")
    except UnicodeDecodeError:
        raise Declined("non-ASCII bytes in a File Meta UID") from None
    return text.rstrip("\0 ")


def _check_first_vr(buf: Buffer, pos: int, end: int, implicit: bool) -> None:
    """Decline when the first element contradicts the transfer syntax's VR encoding.

    The reference reader then switches encoding, which this path does not mimic.
    """
    if pos + 6 > end:
        return
    raw_vr = buf[pos + 4 : pos + 6]
    looks_explicit = 0x40 < raw_vr[0] < 0x5B and 0x40 < raw_vr[1] < 0x5B
    if looks_explicit == implicit:
        raise Declined("dataset VR encoding contradicts the transfer syntax")


def read_layout(buf: Buffer) -> FileLayout:
    """Parse a whole DICOM file held in ``buf`` (bytes or a memory map)."""
    end = len(buf)
    if end < PREAMBLE_LENGTH + 4 or buf[PREAMBLE_LENGTH : PREAMBLE_LENGTH + 4] != PREFIX:
        raise Declined("no DICM prefix after a 128-byte preamble")
    meta, dataset_start = _meta_elements(buf, PREAMBLE_LENGTH + 4, end)
    syntax = next((_text(buf, e) for e in meta if e.tag == 0x00020010), None)
    if syntax is None:
        raise Declined("no Transfer Syntax UID in File Meta")
    uid = UID(syntax)
    if not uid.is_transfer_syntax or not uid.is_little_endian or uid.is_deflated:
        raise Declined("transfer syntax is not little endian, is deflated or is unknown")
    implicit = bool(uid.is_implicit_VR)
    _check_first_vr(buf, dataset_start, end, implicit)
    elements = read_elements(buf, dataset_start, end, implicit)
    if elements and elements[0].tag >> 16 <= 0x0002:
        raise Declined("File Meta or group 0000 elements inside the dataset")
    return FileLayout(meta, syntax, implicit, elements)
