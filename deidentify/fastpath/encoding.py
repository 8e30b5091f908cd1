"""Encoding the elements the engine replaced or added, as pydicom's writer encodes them.

Most replacements are short ASCII strings (dummies, UIDs, emptied values) or a single
number; for those the bytes ``pydicom.filewriter.write_data_element`` produces are built
here directly. The sequences the engine adds to every object (De-identification Method Code
Sequence, Contributing Equipment Sequence) are encoded by pydicom once and then reused for
identical content. Anything else is left to pydicom (``encode`` returns None).
"""

from __future__ import annotations

from collections.abc import MutableSequence
from struct import Struct
from typing import cast

from pydicom.charset import convert_encodings, default_encoding
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_data_element
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.uid import UID
from pydicom.valuerep import EXPLICIT_VR_LENGTH_32, PersonName

Encodings = str | MutableSequence[str]
"""One character set, or several (a list, or the MultiValue pydicom reads)."""

STRING_VRS = frozenset(
    {"AE", "AS", "CS", "DA", "DT", "TM", "UI", "UR", "LO", "LT", "SH", "ST", "UC", "UT"}
)
"""VRs whose str values pydicom joins with backslashes, pads to even length and encodes."""

TEXT_VRS = frozenset({"LO", "LT", "SH", "ST", "UC", "UT", "PN"})
"""The VRs encoded with the dataset's character set (the other string VRs are always
ASCII)."""

NUMBER_FORMATS = {"US": Struct("<H"), "UL": Struct("<L"), "FL": Struct("<f"), "FD": Struct("<d")}
"""Single-valued numbers: pydicom packs them with these formats."""

ASCII_COMPATIBLE = frozenset(
    {default_encoding, "latin_1", "utf_8", *(f"iso8859_{n}" for n in range(2, 10))}
)
"""Character sets that encode an ASCII string as its ASCII bytes."""

_TAG = Struct("<HH")
_SHORT = Struct("<H")
_LONG = Struct("<L")
_LONG_VRS = frozenset(EXPLICIT_VR_LENGTH_32)
_SIMPLE_VALUES = (str, int, float, bytes, type(None))

_SEQUENCE_CACHE_SIZE = 256
_sequences: dict[tuple[object, ...], bytes] = {}

_ENCODED_CACHE_SIZE = 4096
_MEMO_TYPES = frozenset({str, bytes, int, float, type(None)})
_MEMO_LENGTH = 64
_UNKNOWN = object()
_encoded: dict[tuple[object, ...], object] = {}


def ascii_safe(encodings: Encodings | None) -> bool:
    """Whether ASCII text encodes to its ASCII bytes under ``encodings``."""
    names = convert_encodings(encodings or default_encoding)
    return all(name in ASCII_COMPATIBLE for name in names)


def _header(tag: int, vr: str, length: int, implicit: bool) -> bytes | None:
    tag_bytes = _TAG.pack(tag >> 16, tag & 0xFFFF)
    if implicit:
        return tag_bytes + _LONG.pack(length)
    if vr in _LONG_VRS:
        return tag_bytes + vr.encode() + b"\0\0" + _LONG.pack(length)
    if length > 0xFFFF:
        return None
    return tag_bytes + vr.encode() + _SHORT.pack(length)


def _string_value(value: object, vr: str) -> bytes | None:
    if isinstance(value, str):
        text = value
    elif isinstance(value, (list, MultiValue)) and all(isinstance(v, str) for v in value):
        text = "\\".join(value)
    else:
        return None
    if not text.isascii():
        return None
    if len(text) % 2:
        text += "\0" if vr == "UI" else " "
    return text.encode("ascii")


def _person_name(value: object) -> bytes | None:
    """A Person Name value this tool set (a name not read from a file: no original bytes)
    as pydicom's ``write_PN`` encodes it, when it is ASCII; None for any other."""
    names = list(value) if isinstance(value, (list, MultiValue)) else [value]
    texts: list[object] = []
    for name in names:
        if isinstance(name, PersonName):
            original: object = getattr(name, "original_string", None)  # typed bytes, may be None
            if original is not None:
                return None
            name = str(name)
        texts.append(name)
    return _string_value(texts, "PN")


def _is_empty(value: object) -> bool:
    """``DataElement.is_empty`` (a VM of 0) for the value types encoded here."""
    if value is None:
        return True
    if isinstance(value, (str, bytes, list, MultiValue)):
        return len(value) == 0
    return False


def _value(element: DataElement) -> bytes | None:
    vr = element.VR
    value = element.value
    if _is_empty(value):
        return b""
    if vr in STRING_VRS:
        return _string_value(value, vr)
    if vr == "PN":
        return _person_name(value)
    number = NUMBER_FORMATS.get(vr)
    if number is not None and isinstance(value, (int, float)):
        return number.pack(value)
    if vr == "OB" and isinstance(value, bytes):
        return value + b"\0" if len(value) % 2 else value
    return None


def encode(element: object, implicit: bool, ascii_text: bool) -> bytes | None:
    """The bytes pydicom writes for ``element``, or None to let pydicom write it.

    ``ascii_text`` says that the dataset's character set encodes ASCII text as ASCII. The
    result for a short value of a plain immutable type (an emptied element, a dummy) is kept
    and reused for the same tag, VR and value.
    """
    if type(element) is not DataElement or element.is_undefined_length:
        return None
    value = element.value
    if type(value) not in _MEMO_TYPES or (
        isinstance(value, (str, bytes)) and len(value) > _MEMO_LENGTH
    ):
        return _encode(element, implicit, ascii_text)
    key = (int(element.tag), element.VR, type(value), value, implicit, ascii_text)
    known = _encoded.get(key, _UNKNOWN)
    if known is _UNKNOWN:
        if len(_encoded) >= _ENCODED_CACHE_SIZE:
            _encoded.clear()
        known = _encoded[key] = _encode(element, implicit, ascii_text)
    return cast(bytes | None, known)


def encode_uid(tag: int, uid: str, implicit: bool) -> bytes | None:
    """``encode`` of the element ``Deidentifier.replaced_uid`` makes of ``uid`` (a UI
    element of that one UID), without making it."""
    value = _string_value(uid, "UI")
    if not value:
        return None
    header = _header(tag, "UI", len(value), implicit)
    return None if header is None else header + value


def _encode(element: DataElement, implicit: bool, ascii_text: bool) -> bytes | None:
    if not ascii_text and element.VR in TEXT_VRS:
        return None
    value = _value(element)
    if value is None:
        return None
    header = _header(element.tag, element.VR, len(value), implicit)
    return None if header is None else header + value


def _fingerprint(value: object) -> object:
    """A hashable key that determines how pydicom encodes a value; None if unsure."""
    if type(value) in _SIMPLE_VALUES or type(value) is UID:
        return value
    if isinstance(value, Sequence):
        items = tuple(_item_fingerprint(item) for item in value)
        return None if None in items else items
    if isinstance(value, (list, MultiValue)):
        parts = tuple(_fingerprint(part) for part in value)
        return None if None in parts else parts
    return None


def _item_fingerprint(item: Dataset) -> object:
    parts: list[object] = [getattr(item, "is_undefined_length_sequence_item", False)]
    for tag in sorted(item._dict):
        element = item._dict[tag]
        if isinstance(element, RawDataElement) or len(element.VR) != 2:
            return None
        value = _fingerprint(element.value)
        if value is None and element.value is not None:
            return None
        parts.append((int(tag), element.VR, element.is_undefined_length, value))
    return tuple(parts)


def encode_sequence(element: object, implicit: bool, encodings: Encodings) -> bytes | None:
    """A sequence element's bytes, encoded by pydicom once per distinct content."""
    if type(element) is not DataElement or element.VR != "SQ":
        return None
    content = _fingerprint(element.value)
    if content is None:
        return None
    key = (int(element.tag), element.is_undefined_length, implicit, str(encodings), content)
    known = _sequences.get(key)
    if known is None:
        stream = DicomBytesIO()
        stream.is_implicit_VR, stream.is_little_endian = implicit, True
        write_data_element(stream, element, encodings)  # type: ignore[arg-type]
        known = stream.getvalue()
        if len(_sequences) >= _SEQUENCE_CACHE_SIZE:
            _sequences.clear()
        _sequences[key] = known
    return known
