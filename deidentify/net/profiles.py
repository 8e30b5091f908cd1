"""What coercion needs from a de-identification profile, and how request keys are handled.

``ProfileEngine`` is the narrow interface the rules layer codes against: de-identify a dataset
in place, map a UID as the profile does, say how a request key for a tag is to be translated,
and turn a date key in shifted time into one in original time.
"""

from __future__ import annotations

from enum import Enum
from typing import Protocol

from pydicom.dataset import Dataset


class KeyHandling(Enum):
    """How a C-FIND request key in pseudonymous space reaches a provider in original space."""

    KEEP = "keep"
    """The profile keeps the attribute: the key is relayed as written."""
    ITEMS = "items"
    """A sequence the profile keeps: each item's keys are handled one by one."""
    UID = "uid"
    """The profile replaces the UID: a UID the node issued is translated back to its original;
    any other is relayed universal and matched on the coerced responses."""
    DATE = "date"
    """The profile shifts the date: the key is relayed as the range of original values that
    could have been shifted into it (``ProfileEngine.unshift``), or universal when there is
    none, and matched as written on the coerced responses."""
    WIDEN = "widen"
    """The profile removes or replaces the value: the key is relayed universal and matched on
    the coerced responses."""


class ProfileEngine(Protocol):
    """One ``deidentify:`` profile, ready to apply."""

    def apply(self, dataset: Dataset) -> None:
        """De-identify the dataset in place."""

    def map_uid(self, uid: str) -> str:
        """The UID the profile puts in place of this one (itself if UIDs are retained)."""

    def key_handling(self, tag: int, vr: str) -> KeyHandling:
        """How a request key of this tag is translated."""

    def unshift(self, vr: str, value: str) -> str | None:
        """For a DA/DT/TM key in shifted time, a key in original time that matches every
        original value the profile could have shifted into it; None when there is none."""
