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
"""

from __future__ import annotations

import re
from enum import Enum

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


def value_kind(entry: Entry) -> ValueKind | None:
    """The kind of value of an unlisted attribute, by its dictionary entry."""
    if entry.vrs == {"UI"} and not _CLASS_UID.search(entry.keyword):
        return ValueKind.UID
    if entry.vrs and entry.vrs <= _DATE_VRS:
        return ValueKind.DATE
    return None
