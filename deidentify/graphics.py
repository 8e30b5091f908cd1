"""Curves (groups 50xx), overlays (even groups 6000-601E) and graphic annotation text.

Table E.1-1 lists Curve Data (50xx,xxxx) (every element of a curve group), Overlay Data
(60xx,3000) and Overlay Comments (60xx,4000). Where Overlay Data is removed, the overlay
elements the table does not list (rows, columns, origin, description, label, ...) go with
it: an overlay without its data is not valid, and its description and label are free text.
Under the Clean Graphics Option curve and overlay data are C, but text drawn into an overlay
bitmap or encoded in curve data cannot be read by this tool, so C on binary data removes it;
the text elements (Overlay Comments, curve description and labels) are cleaned of the
identifiers found in the object and the curves' numbers kept. Clean Graphics keeps Graphic
Annotation Sequence with Unformatted Text Value and other free text cleaned rather than
replaced.
"""

from __future__ import annotations

from deidentify.plan import Plan, Treatment

UNFORMATTED_TEXT_VALUE = 0x00700006
GRAPHIC_TEXT = frozenset({UNFORMATTED_TEXT_VALUE})
"""Text of a graphic annotation, cleaned inside a sequence that Clean Graphics cleans."""

DATA_ELEMENT = 0x3000
"""Curve Data (50xx,3000) and Overlay Data (60xx,3000)."""


def is_repeating_group(group: int) -> bool:
    """Whether a group is a curve (50xx) or overlay (60xx) repeating group: even, 00-1E."""
    return group & 0xFF01 in (0x5000, 0x6000) and group & 0xFF <= 0x1E


def repeating_treatment(plan: Plan, tag: int, vr: str | None) -> Treatment | None:
    """The treatment of an element of a curve or overlay group; None: not covered."""
    row = plan.masked_row(tag)
    if row is not None:
        return row.treatment_for_vr(vr, plan.policy)
    data_row = plan.masked_row(tag & 0xFFFF0000 | DATA_ELEMENT)
    if data_row is not None and data_row.treatment_for_vr(
        "OW", plan.policy
    ) is Treatment.REMOVE:
        return Treatment.REMOVE
    return None
