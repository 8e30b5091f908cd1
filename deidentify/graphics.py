"""Curves (groups 50xx), overlays (even groups 6000-601E) and graphic annotation text.

Table E.1-1 lists Curve Data (50xx,xxxx) (every element of a curve group), Overlay Data
(60xx,3000) and Overlay Comments (60xx,4000). A curve or overlay group never outlives its
data: where the group's Curve Data or Overlay Data (xx,3000) is present and removed, every
other element of that group goes with it (an overlay without its data is not valid, and its
description, label and comments are free text). Where the group holds no data element, the
overlay elements the table does not list (rows, columns, origin, description, label, ...) are
removed when the profile would remove Overlay Data; under Clean Graphics their text is
cleaned instead.

Under the Clean Graphics Option curve and overlay data are C, but text drawn into an overlay
bitmap or encoded in curve data cannot be read by this tool, so C on binary data removes it
(and with it its group); the text of a group without data (Overlay Comments, descriptions and
labels of curves and overlays) is cleaned of the identifiers found in the object. Clean
Graphics keeps Graphic Annotation Sequence with Unformatted Text Value and other free text
cleaned rather than replaced.
"""

from __future__ import annotations

from pydicom import Dataset

from deidentify.elements import TEXT_VRS, element_vr
from deidentify.plan import Plan, Treatment
from generated.model import Option

UNFORMATTED_TEXT_VALUE = 0x00700006
GRAPHIC_TEXT = frozenset({UNFORMATTED_TEXT_VALUE})
"""Text of a graphic annotation, cleaned inside a sequence that Clean Graphics cleans."""

DATA_ELEMENT = 0x3000
"""Curve Data (50xx,3000) and Overlay Data (60xx,3000)."""


def is_repeating_group(group: int) -> bool:
    """Whether a group is a curve (50xx) or overlay (60xx) repeating group: even, 00-1E."""
    return group & 0xFF01 in (0x5000, 0x6000) and group & 0xFF <= 0x1E


def data_removed(plan: Plan, ds: Dataset, group: int) -> bool:
    """Whether ``ds`` holds the group's data element and the plan removes it (the whole
    group then goes); asked before any element of the group is treated."""
    tag = group << 16 | DATA_ELEMENT
    if tag not in ds:
        return False
    row = plan.masked_row(tag)
    if row is None:
        return False
    vr = element_vr(ds, tag)
    if not plan.conforms(tag, ds.get_item(tag, keep_deferred=True).VR, None):
        return True
    return row.treatment_for_vr(vr, plan.policy) is Treatment.REMOVE


def unlisted_treatment(plan: Plan, tag: int, vr: str | None) -> Treatment | None:
    """The treatment of an element of a curve or overlay group that no row lists (the group
    holding no data element that is removed); None: as any unlisted element."""
    if plan.has(Option.CLEAN_GRAPHICS) and vr in TEXT_VRS:
        return Treatment.CLEAN_TEXT
    data_row = plan.masked_row(tag & 0xFFFF0000 | DATA_ELEMENT)
    if data_row is not None and data_row.treatment_for_vr(
        "OW", plan.policy
    ) is Treatment.REMOVE:
        return Treatment.REMOVE
    return None
