"""Curves (groups 50xx), overlays (even groups 6000-601E) and graphic annotation text.

Table E.1-1 lists Curve Data (50xx,xxxx), Overlay Data (60xx,3000) and Overlay Comments
(60xx,4000). Where Overlay Data is removed (the Basic Profile), the whole overlay group goes
with it: an overlay without its data is not a valid overlay, and its description and label
are free text. Under the Clean Graphics Option curves and overlays are kept: their text
(curve description and label, overlay description, label and comments) is cleaned of the
identifiers found in the object and their binary data is kept as is, since text drawn into an
overlay bitmap cannot be read by this tool. Inside a sequence that Clean Graphics cleans
(Graphic Annotation Sequence), Unformatted Text Value is cleaned rather than replaced.
"""

from __future__ import annotations

from deidentify.plan import Plan, Treatment

UNFORMATTED_TEXT_VALUE = 0x00700006
GRAPHIC_TEXT = frozenset({UNFORMATTED_TEXT_VALUE})
"""Text of a graphic annotation, cleaned inside a sequence that Clean Graphics cleans."""

OVERLAY_DATA = 0x3000


def is_repeating_group(group: int) -> bool:
    """Whether a group is a curve (50xx) or overlay (60xx) repeating group: even, 00-1E."""
    return group & 0xFF01 in (0x5000, 0x6000) and group & 0xFF <= 0x1E


def repeating_treatment(plan: Plan, tag: int) -> Treatment | None:
    """The treatment of an element of a curve or overlay group; None: not covered."""
    group = tag >> 16
    row = plan.masked_row(tag)
    if group & 0xFF00 == 0x6000:
        data_row = plan.masked_row(group << 16 | OVERLAY_DATA)
        if data_row is not None and data_row.treatment is Treatment.REMOVE:
            return Treatment.REMOVE
        if row is None and data_row is not None:
            if data_row.treatment is Treatment.CLEAN_GRAPHICS:
                return Treatment.CLEAN_GRAPHICS
            return None
    return row.treatment if row is not None else None
