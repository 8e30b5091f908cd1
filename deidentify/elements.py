"""Small helpers on pydicom elements shared by the runtime's modules.

They read and set values without converting elements the tool does not change: a raw
element's VR is used where the encoding gives one, pydicom's dictionary where it does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from pydicom import Dataset, config
from pydicom.datadict import dictionary_VR
from pydicom.dataelem import DataElement, RawDataElement, convert_raw_data_element
from pydicom.errors import BytesLengthException
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag
from pydicom.uid import UID

from deidentify.beyond.conformity import FIXED_SIZES
from deidentify.dummies import first_alternative

if TYPE_CHECKING:
    from deidentify.plan import Plan

TEXT_VRS = frozenset({"LO", "SH", "ST", "LT", "UT", "UC", "PN"})
"""VRs of free text: what cleaning looks at."""

LONG_TEXT_VRS = frozenset({"ST", "LT", "UT", "UC"})
"""VRs of long free text: what a dummy sequence's items never keep."""

BINARY_VRS = frozenset({"OB", "OW", "OD", "OF", "OL", "OV", "UN"})

_REUSABLE_TYPES = (str, int, float, bytes, type(None))
"""Immutable built-in types: a converted value of one of these may be shared by elements."""

_NOT_REUSABLE = object()
_converted: dict[tuple[str, type, object, bool], object] = {}
"""Constant values as pydicom converted them, by VR, type, value and date conversion."""

_VALID_UID = re.compile(rb"(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*")
"""pydicom's pattern of a valid UID (``pydicom.uid.RE_VALID_UID``), on the encoded bytes."""


def element_vr(ds: Dataset, tag: int) -> str | None:
    """The VR of an element present in ``ds``; None where neither encoding nor dictionary say.

    An ambiguous VR ("US or SS", "OB or OW") that converting the element does not resolve
    gives its first alternative: the tool only writes zero or empty values into such an
    element, which encode alike under every alternative.
    """
    vr = ds.get_item(tag).VR
    if type(vr) is str and len(vr) == 2 and vr != "UN":
        return vr
    if vr and vr != "UN":
        return first_alternative(str(vr))
    try:
        known = dictionary_VR(tag)
    except KeyError:
        known = None
    if known is not None and len(known) == 2:
        return known
    converted = ds[tag].VR
    if converted and converted != "UN":
        return first_alternative(str(converted))
    return "UN" if vr == "UN" else None


def is_declared_unknown(tag: int) -> bool:
    """Whether the dictionary itself gives the tag VR UN (such as Selector UN Value), as
    opposed to an element whose VR is merely not known here."""
    try:
        return bool(dictionary_VR(tag) == "UN")
    except KeyError:
        return False



def text_values(ds: Dataset, tag: int) -> list[str]:
    """The string values of an element (a multi-valued element gives several)."""
    value = ds[tag].value
    if value is None or value == "":
        return []
    if isinstance(value, str | bytes):
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        return [text]
    return [str(part) for part in value]


ITEM_START = b"\xfe\xff\x00\xe0"
"""An Item tag (FFFE,E000) in little endian: how a sequence's value begins."""


def read_as_sequence(ds: Dataset, tag: int) -> bool:
    """Whether a kept element read without a VR (implicit VR, or UN) has a value that
    begins with an item, and so was parsed in place as a sequence: one that neither the
    dictionary nor the encoding named (a newer attribute, a private one), whose items are
    then walked rather than kept unread. Parsed as implicit VR little endian (PS3.5 6.2.2),
    by pydicom's reader, which takes in what it can of a damaged item."""
    element = ds.get_item(tag, keep_deferred=True)
    value = element.value
    if element.VR not in (None, "UN") or not isinstance(value, bytes):
        return False
    if not value.startswith(ITEM_START):
        return False
    offset = element.value_tell if isinstance(element, RawDataElement) else 0
    raw = RawDataElement(BaseTag(tag), "SQ", len(value), value, offset, True, True)
    ds[tag] = convert_raw_data_element(raw, ds=ds)
    return True


def raw_uid(ds: Dataset, tag: int) -> str | None:
    """The UID of a UI element still as read, when its value is one valid UID (with any
    trailing NUL or space padding): the string pydicom would decode it to, found without
    decoding the element. None for anything else (the caller then lets pydicom decode it)."""
    return uid_as_read(ds.get_item(tag, keep_deferred=True))


def written_uid(ds: Dataset, tag: int) -> str | None:
    """``raw_uid`` of an element whose bytes as read are those pydicom writes of that UID
    (padded with one NUL to an even length, nothing else): reading its value this way
    instead of decoding the element leaves the output as it was. None for anything else."""
    raw = ds.get_item(tag, keep_deferred=True)
    uid = uid_as_read(raw)
    if uid is None or cast(RawDataElement, raw).value != _padded_uid(uid):
        return None
    return uid


def _padded_uid(uid: str) -> bytes:
    return uid.encode("ascii") + (b"\0" if len(uid) % 2 else b"")


def uid_as_read(raw: object) -> str | None:
    """``raw_uid`` of an element: a raw UI (or implicit VR) element's one valid UID."""
    if not isinstance(raw, RawDataElement):
        return None
    return uid_of_value(raw.VR, raw.value)


def uid_of_value(vr: str | None, value: object) -> str | None:
    """The one valid UID of a value as read of a UI (or implicit VR, None) element."""
    if vr not in ("UI", None) or not isinstance(value, bytes):
        return None
    text = value.rstrip(b"\0 ")
    if len(text) > 64 or _VALID_UID.fullmatch(text) is None:
        return None
    return text.decode("ascii")


def issued_uid(tag: int, uid: str) -> DataElement:
    """A UI element of one UID this tool issued (``2.25.`` and a decimal number, valid by
    construction, so not validated again)."""
    return DataElement(tag, "UI", UID(uid, validation_mode=config.IGNORE), already_converted=True)


def set_issued_uids(ds: Dataset, tag: int, uids: list[str]) -> None:
    """``set_values(ds, tag, "UI", uids)`` for UIDs this tool issued: a single one is not
    validated again (``issued_uid``)."""
    if len(uids) == 1 and uids[0] and "\\" not in uids[0]:
        ds[tag] = issued_uid(tag, uids[0])
    else:
        set_values(ds, tag, "UI", uids)


def constant_element(tag: int, vr: str, value: object) -> DataElement:
    """``DataElement(tag, vr, value)`` for one of the constant values the engine writes (a
    dummy, an empty value).

    pydicom converts and validates each VR and value once; when that gives a value of an
    immutable built-in type, later elements take it as already converted. UN is always
    converted (pydicom may give the element the tag's dictionary VR).
    """
    if vr == "UN":
        return DataElement(tag, vr, value)
    key = (vr, type(value), value, config.datetime_conversion)
    known = _converted.get(key, _NOT_REUSABLE)
    if known is _NOT_REUSABLE:
        element = DataElement(tag, vr, value)
        converted = element.value
        if type(converted) in _REUSABLE_TYPES and vr == element.VR:
            _converted[key] = converted
        return element
    return DataElement(tag, vr, known, already_converted=True)


def set_values(ds: Dataset, tag: int, vr: str, values: list[str]) -> None:
    """Replace an element's value by one or several string values."""
    ds[tag] = DataElement(tag, vr, values[0] if len(values) == 1 else values)


def set_empty(ds: Dataset, tag: int, vr: str | None) -> None:
    """Give an element a zero-length value (a sequence: no items)."""
    if vr == "SQ":
        ds[tag] = DataElement(tag, "SQ", Sequence())
    elif vr is None or vr in BINARY_VRS:
        ds[tag] = constant_element(tag, vr or "UN", b"")
    else:
        ds[tag] = constant_element(tag, vr, None)


def items(ds: Dataset, tag: int) -> Iterator[Dataset]:
    """The items of a sequence element (none if the element is empty or not a sequence)."""
    value = ds[tag].value
    if isinstance(value, Sequence):
        yield from value


def readable_elements(ds: Dataset) -> Iterator[DataElement]:
    """Every element but sequences, at every depth (File Meta excluded); item and delimiter
    tags met as elements and elements whose value pydicom cannot decode are skipped (the engine
    removes them)."""
    for tag in sorted(ds.keys()):
        if tag >> 16 == 0xFFFE:
            continue
        try:
            element = ds[tag]
        except (NotImplementedError, ValueError, TypeError, KeyError, BytesLengthException):
            continue
        if element.VR != "SQ":
            yield element
        elif isinstance(element.value, Sequence):
            for item in element.value:
                yield from readable_elements(item)


def element_conforms(plan: Plan, element: DataElement | RawDataElement) -> bool:
    """Whether an element of a listed tag is what the dictionary defines (``Plan.conforms``
    of its VR as written, its length and its value): what the engine checks before it
    trusts a row's action, and ``verify`` before it expects that action."""
    return plan.conforms(element.tag, element.VR, _raw_length(element), _raw_bytes(element))


def _raw_length(element: DataElement | RawDataElement) -> int | None:
    """The length of a value still as read, or of a decoded value of a fixed-size binary VR
    (its values times their size); None for any other decoded element."""
    if isinstance(element, RawDataElement):
        return int(element.length)
    size = FIXED_SIZES.get(str(element.VR))
    if size is None or isinstance(element.value, bytes):
        return None
    return int(element.VM) * size


def written_bytes(element: DataElement | RawDataElement) -> bytes:
    """The bytes of a value still as read, or of a decoded value as its text (a number as
    written, values joined by backslashes, each character past FF as FF)."""
    found = _raw_bytes(element)
    if found is not None:
        return found
    value = element.value
    if value is None or isinstance(element, RawDataElement):
        return b""
    parts = list(value) if isinstance(value, list | MultiValue) else [value]
    text = "\\".join(str(part) for part in parts)
    return bytes(min(ord(character), 0xFF) for character in text)


def _raw_bytes(element: DataElement | RawDataElement) -> bytes | None:
    """The bytes of a value still as read, or of a decoded text value (each character past
    FF as FF, values joined by backslashes); None for any other value."""
    value = element.value
    if isinstance(element, RawDataElement):
        return value if isinstance(value, bytes) else None
    if isinstance(value, str):
        text = value
    elif isinstance(value, list | MultiValue) and all(isinstance(part, str) for part in value):
        text = "\\".join(value)
    else:
        return None
    return bytes(min(ord(character), 0xFF) for character in text)
