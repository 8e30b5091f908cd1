"""Unlisted standard attributes whose value is a UID of an instance or a date or time: the
kinds of value Table E.1-1 changes wherever it lists them, so the table's own treatment of
that kind applies where it is silent.

In: a tag's dictionary entry. Out: ``ValueKind.UID`` for an attribute of VR UI that names an
instance, a series, a frame of reference, a location or anything else made for one object
(Multi-frame Source SOP Instance UID, SOP Instance UID of Concatenation Source, Target Frame
of Reference UID, Assertion UID, Repository Unique ID, ...), not a class or a resource that
the standard or a vendor defines for everyone (SOP Class, Transfer Syntax, Coding Scheme,
Context Group, Mapping Resource); ``ValueKind.DATE`` for an attribute of VR DA, DT or TM
(Expiry Date, Date of Gain Calibration, Study Update DateTime, ...); None for any other.
The plan replaces such a UID as U does (kept under Retain UIDs) and such a date as the
listed dates go: shifted under Modified Dates, kept under Full Dates, emptied otherwise.

Also the dictionary's date and time pairs (``date_time_pairs``), listed or not: a DA
attribute and the TM attribute whose keyword is the date's with the word ``Date`` as ``Time``
(Study Date and Study Time, Secondary Review Date and Secondary Review Time, Date of
Secondary Capture and Time of Secondary Capture, ...), which together denote one instant.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import cache

from pydicom.datadict import dictionary_VR, keyword_dict

from deidentify.beyond.dictionary import Entry


class ValueKind(Enum):
    """What an unlisted attribute's value is, where the table treats that kind everywhere."""

    UID = "uid"
    DATE = "date"


_CLASS_UID = re.compile(
    r"SOPClass|TransferSyntax|CodingScheme|ContextGroupExtensionCreator|^ContextUID$"
    r"|MappingResource")
"""Keywords of UI attributes that name a class or a resource, not an object."""

_DATE_VRS = frozenset({"DA", "DT", "TM"})

_DATE_WORD = re.compile(r"Date(?![a-z])")
"""The word Date in a keyword (not the letters of Update)."""


def value_kind(entry: Entry) -> ValueKind | None:
    """The kind of value of an unlisted attribute, by its dictionary entry."""
    if entry.vrs == {"UI"} and not _CLASS_UID.search(entry.keyword):
        return ValueKind.UID
    if entry.vrs and entry.vrs <= _DATE_VRS:
        return ValueKind.DATE
    return None


@cache
def date_time_pairs() -> dict[int, int]:
    """Every date of the dictionary with its time, date tag -> time tag: a DA attribute and
    the TM attribute whose keyword has the one word ``Date`` of the date's as ``Time``."""
    pairs: dict[int, int] = {}
    for keyword, tag in keyword_dict.items():
        time_keyword, words = _DATE_WORD.subn("Time", keyword)
        time_tag = keyword_dict.get(time_keyword) if words == 1 else None
        if time_tag is not None and (dictionary_VR(tag), dictionary_VR(time_tag)) == ("DA", "TM"):
            pairs[tag] = time_tag
    return pairs
