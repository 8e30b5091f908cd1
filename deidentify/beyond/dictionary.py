"""What pydicom's data dictionary says of a public tag.

In: a tag (``group << 16 | element``). Out: whether the dictionary defines it, the VRs it
allows (an ambiguous entry such as ``"US or SS"`` allows each alternative) and its VM. Item
and delimiter tags (FFFE,xxxx) are structure, not attributes: the dictionary lists them with
VR ``NONE`` and they count as undefined here. A group length (gggg,0000) counts as defined
(UL, one value). Repeating groups are matched as the dictionary matches them, except that the
curve, overlay and variable pixel data groups (50xx, 60xx, 7Fxx) exist only for an even xx up
to 1E (PS3.5 7.6): pydicom's mask matches any xx, so an "Overlay Description" in group 6020 or
a "Curve Data" in 50FE counts as undefined here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from pydicom._dicom_dict import DicomDictionary
from pydicom.datadict import get_entry

ITEM_GROUP = 0xFFFE
_REPEATING_BASES = frozenset({0x5000, 0x6000, 0x7F00})
_LAST_REPEATING = 0x1E


class Entry(NamedTuple):
    """A dictionary entry: its VRs, VM and keyword."""

    vrs: frozenset[str]
    vm: str
    keyword: str


_GROUP_LENGTH = Entry(frozenset({"UL"}), "1", "GroupLength")


@lru_cache(maxsize=65536)
def entry(tag: int) -> Entry | None:
    """The dictionary's entry for a public tag; None where it defines none."""
    group = tag >> 16
    if group == ITEM_GROUP or (
        group & 0xFF00 in _REPEATING_BASES and group & 0xFF > _LAST_REPEATING
        and tag not in DicomDictionary  # Pixel Data (7FE0,0010) is no repeating group
    ):
        return None
    if tag & 0xFFFF == 0:
        return _GROUP_LENGTH
    try:
        vr, vm, _, _, keyword = get_entry(tag)
    except KeyError:
        return None
    if vr == "NONE":
        return None
    return Entry(frozenset(part.strip() for part in vr.split(" or ")), vm, keyword)


def is_item_tag(tag: int) -> bool:
    """Whether a tag is an item or delimiter tag (group FFFE)."""
    return tag >> 16 == ITEM_GROUP
