"""Small helpers on pydicom elements shared by the runtime's modules.

They read and set values without converting elements the tool does not change: a raw
element's VR is used where the encoding gives one, pydicom's dictionary where it does not.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydicom import Dataset
from pydicom.datadict import dictionary_VR
from pydicom.dataelem import DataElement
from pydicom.sequence import Sequence

TEXT_VRS = frozenset({"LO", "SH", "ST", "LT", "UT", "UC", "PN"})
"""VRs of free text: what cleaning looks at."""

LONG_TEXT_VRS = frozenset({"ST", "LT", "UT", "UC"})
"""VRs of long free text: what a dummy sequence's items never keep."""

BINARY_VRS = frozenset({"OB", "OW", "OD", "OF", "OL", "OV", "UN"})


def element_vr(ds: Dataset, tag: int) -> str | None:
    """The VR of an element present in ``ds``; None where neither encoding nor dictionary say.

    An ambiguous VR ("US or SS", "OB or OW") that converting the element does not resolve
    gives its first alternative: the tool only writes zero or empty values into such an
    element, which encode alike under every alternative.
    """
    vr = ds.get_item(tag).VR
    if vr and vr != "UN":
        return _first_alternative(str(vr))
    try:
        known = dictionary_VR(tag)
    except KeyError:
        known = None
    if known is not None and len(known) == 2:
        return known
    converted = ds[tag].VR
    if converted and converted != "UN":
        return _first_alternative(str(converted))
    return "UN" if vr == "UN" else None


def is_declared_unknown(tag: int) -> bool:
    """Whether the dictionary itself gives the tag VR UN (such as Selector UN Value), as
    opposed to an element whose VR is merely not known here."""
    try:
        return bool(dictionary_VR(tag) == "UN")
    except KeyError:
        return False


def _first_alternative(vr: str) -> str:
    return vr.split(" or ")[0].strip()


def text_values(ds: Dataset, tag: int) -> list[str]:
    """The string values of an element (a multi-valued element gives several)."""
    value = ds[tag].value
    if value is None or value == "":
        return []
    if isinstance(value, str | bytes):
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        return [text]
    return [str(part) for part in value]


def set_values(ds: Dataset, tag: int, vr: str, values: list[str]) -> None:
    """Replace an element's value by one or several string values."""
    ds[tag] = DataElement(tag, vr, values[0] if len(values) == 1 else values)


def set_empty(ds: Dataset, tag: int, vr: str | None) -> None:
    """Give an element a zero-length value (a sequence: no items)."""
    if vr == "SQ":
        ds[tag] = DataElement(tag, "SQ", Sequence())
    elif vr is None or vr in BINARY_VRS:
        ds[tag] = DataElement(tag, vr or "UN", b"")
    else:
        ds[tag] = DataElement(tag, vr, None)


def items(ds: Dataset, tag: int) -> Iterator[Dataset]:
    """The items of a sequence element (none if the element is empty or not a sequence)."""
    value = ds[tag].value
    if isinstance(value, Sequence):
        yield from value
