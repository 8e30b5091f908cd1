"""The runtime's Deidentifier seen through the interface coercion needs (``ProfileEngine``).

Request keys are handled by the plan's treatment of their tag. Dates under the Modified
Dates option move by a keyed per-patient offset in ``[-max_shift_days, -1]`` days (a date
one day more where its paired time passes midnight), times by keyed seconds within a day; a
date key in shifted time cannot say whose offset applies, so it is widened to every original
date that any offset could have moved into it, a time key is relayed universal, and the
coerced responses are matched against the key as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from pydicom.dataset import Dataset

from deidentify.beyond import UnknownPolicy
from deidentify.dates import DateShifter, UnparseableDate, shift_text
from deidentify.engine import Deidentifier
from deidentify.linkage.hook import Linkage
from deidentify.net.profiles import KeyHandling, ProfileEngine
from deidentify.pixels import PixelSettings
from deidentify.plan import Plan, Treatment
from deidentify.profile import CompoundPolicy, parse_profile
from generated.model import Option

_HANDLING: dict[Treatment, KeyHandling] = {
    Treatment.KEEP: KeyHandling.KEEP,
    Treatment.KEEP_SAFE_PRIVATE: KeyHandling.KEEP,
    Treatment.KEEP_AND_CLEAN_ITEMS: KeyHandling.ITEMS,
    Treatment.REPLACE_UID: KeyHandling.UID,
    Treatment.SHIFT_DATE: KeyHandling.DATE,
}


_ITEMS_KEPT = frozenset(
    {Treatment.KEEP, Treatment.KEEP_AND_CLEAN_ITEMS, Treatment.REPLACE_UID}
)
"""Sequence treatments that keep the items, each item's attributes treated one by one."""


class PlanEngine:
    """One profile: a plan, its Deidentifier, and the key handling derived from the plan."""

    def __init__(self, plan: Plan, secret: bytes, linkage: Linkage | None = None,
                 pixels: PixelSettings | None = None) -> None:
        self.plan = plan
        self.deidentifier = Deidentifier(plan, secret, linkage=linkage, pixel_settings=pixels)
        self._retains_uids = plan.has(Option.RETAIN_UIDS)
        self._max_shift_days = DateShifter(secret).max_shift_days

    def apply(self, dataset: Dataset) -> None:
        """De-identify in place."""
        self.deidentifier.apply(dataset)

    def map_uid(self, uid: str) -> str:
        """The UID the profile writes in place of ``uid``."""
        return uid if self._retains_uids else self.deidentifier.map_uid(uid)

    def key_handling(self, tag: int, vr: str) -> KeyHandling:
        """The plan's treatment of the tag, as request-key handling."""
        row = self.plan.action_for(tag)
        if row is None:
            return KeyHandling.WIDEN if (tag >> 16) % 2 == 1 else KeyHandling.KEEP
        treatment = row.treatment_for_vr(vr, self.plan.policy)
        if vr == "SQ":
            return KeyHandling.ITEMS if treatment in _ITEMS_KEPT else KeyHandling.WIDEN
        if treatment is Treatment.REPLACE_UID and vr != "UI":
            return KeyHandling.WIDEN
        if treatment is Treatment.DUMMY and vr == "UI":
            return KeyHandling.UID
        return _HANDLING.get(treatment, KeyHandling.WIDEN)

    def unshift(self, vr: str, value: str) -> str | None:
        """The range of original DA/DT values any patient's offset could shift into ``value``
        (``offset`` days back, a day less for a date carried by its time, seconds forward:
        from the value itself to ``max_shift_days`` later); None for a TM key (any time of
        day may shift into any other) and for a list."""
        if vr not in ("DA", "DT") or "\\" in value:
            return None
        bounds = _bounds(vr, value.strip())
        if bounds is None:
            return None
        low, high = bounds
        try:
            start = shift_text(vr, low, timedelta(0)) if low else ""
            end = shift_text(vr, high, timedelta(days=self._max_shift_days)) if high else ""
        except UnparseableDate:
            return None
        return f"{start}-{end}"


_SINGLE = {
    "DA": re.compile(r"\d{8}"),
    "DT": re.compile(r"\d{4}(?:\d{2}(?:\d{2}(?:\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,6})?)?)?)?)?)?"
                     r"(?:[+-]\d{4})?"),
}


def _bounds(vr: str, value: str) -> tuple[str, str] | None:
    """A key's (low, high) ends, '' for an open end; a single value is both ends."""
    single = _SINGLE[vr]
    if single.fullmatch(value):
        return value, value
    for index, char in enumerate(value):
        if char != "-":
            continue
        low, high = value[:index], value[index + 1 :]
        if (low or high) and all(not end or single.fullmatch(end) for end in (low, high)):
            return low, high
    return None


def engines(
    secret: bytes,
    edition: str | None = None,
    policy: CompoundPolicy = CompoundPolicy.CONFORMANT,
    unknown: UnknownPolicy = UnknownPolicy.REMOVE,
    linkage: Linkage | None = None,
    pixels: PixelSettings | None = None,
) -> Callable[[str], ProfileEngine]:
    """A factory of engines by profile URI, for ``Coercer``; every engine shares ``linkage``."""
    return lambda uri: build_engine(uri, secret, edition, policy, unknown, linkage, pixels)


def build_engine(
    uri: str,
    secret: bytes,
    edition: str | None = None,
    policy: CompoundPolicy = CompoundPolicy.CONFORMANT,
    unknown: UnknownPolicy = UnknownPolicy.REMOVE,
    linkage: Linkage | None = None,
    pixels: PixelSettings | None = None,
) -> PlanEngine:
    """The engine of one profile URI (raises ProfileError, a ValueError, for a bad URI, or
    for CleanPixelDataOption without the pixels extra)."""
    return PlanEngine(Plan.build(parse_profile(uri, edition), policy, unknown), secret, linkage,
                      pixels)
