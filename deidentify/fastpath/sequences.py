"""Encoding a sequence element as ``pydicom.filewriter.write_data_element`` does, faster.

The engine decodes every sequence it walks, so a sequence always reaches the writer as a
decoded element, although most elements of its items are still raw (undecoded): pydicom then
writes their original bytes. This mirror of ``write_sequence``, ``write_sequence_item`` and
``write_dataset`` does the same for items read from the input, encodes simple replacements
with :func:`deidentify.fastpath.encoding.encode`, and returns None (pydicom writes the
element) at the first thing it does not mirror exactly: an item created by the engine or
re-encoded in another encoding, an ambiguous or unknown VR, an over-long value.
"""

from __future__ import annotations

from struct import Struct

from pydicom.charset import convert_encodings, default_encoding
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.valuerep import EXPLICIT_VR_LENGTH_32

from deidentify.fastpath import encoding

ITEM = b"\xfe\xff\x00\xe0"
ITEM_DELIMITATION = b"\xfe\xff\x0d\xe0\x00\x00\x00\x00"
SEQUENCE_DELIMITATION = b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"
UNDEFINED_LENGTH = b"\xff\xff\xff\xff"
PIXEL_DATA = 0x7FE00010

_TAG = Struct("<HH")
_SHORT = Struct("<H")
_LONG = Struct("<L")
_LONG_VRS = frozenset(EXPLICIT_VR_LENGTH_32)


def _raw_bytes(raw: RawDataElement, implicit: bool) -> bytes | None:
    """An untouched raw element: header and original value, as pydicom writes it."""
    value = raw.value
    if value is None:
        return None
    tag = _TAG.pack(raw.tag >> 16, raw.tag & 0xFFFF)
    undefined = raw.length == 0xFFFFFFFF
    if undefined and raw.tag == PIXEL_DATA and not value.startswith(ITEM):
        return None
    if implicit:
        length = UNDEFINED_LENGTH if undefined else _LONG.pack(len(value))
        return tag + length + value + (SEQUENCE_DELIMITATION if undefined else b"")
    vr = raw.VR
    if vr is None or len(vr) != 2:
        return None
    if vr in _LONG_VRS:
        length = UNDEFINED_LENGTH if undefined else _LONG.pack(len(value))
        header = tag + vr.encode() + b"\0\0" + length
    elif undefined or len(value) > 0xFFFF:
        return None
    else:
        header = tag + vr.encode() + _SHORT.pack(len(value))
    return header + value + (SEQUENCE_DELIMITATION if undefined else b"")


def _item_bytes(item: Dataset, implicit: bool, parent: encoding.Encodings) -> bytes | None:
    """``write_dataset`` of an item read from the input, None if not mirrored exactly."""
    if item.original_encoding != (implicit, True):
        return None
    if item.original_character_set != item._character_set:
        return None
    charset = item.get("SpecificCharacterSet", parent)
    ascii_text = encoding.ascii_safe(charset)
    parts: list[bytes] = []
    for tag in sorted(item._dict, key=int):
        if tag & 0xFFFF == 0 and tag >> 16 > 6:
            continue
        element = item.get_item(tag)
        if isinstance(element, RawDataElement):
            data = _raw_bytes(element, implicit)
        elif element.VR == "SQ":
            data = sequence_bytes(element, implicit, charset)
        else:
            data = encoding.encode(element, implicit, ascii_text)
        if data is None:
            return None
        parts.append(data)
    return b"".join(parts)


def sequence_bytes(element: DataElement, implicit: bool, encodings: object) -> bytes | None:
    """The bytes of a sequence element, None where pydicom must write it."""
    value = element.value
    if not isinstance(value, Sequence):
        return None
    converted = convert_encodings(encodings or default_encoding)  # type: ignore[arg-type]
    parts: list[bytes] = []
    for item in value:
        body = _item_bytes(item, implicit, converted)
        if body is None:
            return None
        if getattr(item, "is_undefined_length_sequence_item", False):
            parts += [ITEM, UNDEFINED_LENGTH, body, ITEM_DELIMITATION]
        else:
            parts += [ITEM, _LONG.pack(len(body)), body]
    content = b"".join(parts)
    tag = _TAG.pack(element.tag >> 16, element.tag & 0xFFFF)
    undefined = element.is_undefined_length
    length = UNDEFINED_LENGTH if undefined else _LONG.pack(len(content))
    header = tag + length if implicit else tag + b"SQ\0\0" + length
    return header + content + (SEQUENCE_DELIMITATION if undefined else b"")
