"""Private attributes: removed under the Basic Profile; under Retain Safe Private, filtered.

Under the Retain Safe Private Option (PS3.15 E.3.10) a private data element is kept when
Table E.3.10-1 lists its Private Creator, group and element offset (the low byte, whatever
block the creator reserves) and its value is of the table's VR (an explicit VR that differs,
or a value read without VR whose bytes cannot be of it, is not safe), or when the object's
Private Data Element Characteristics Sequence (0008,0300) marks its block SAFE or lists it
among Nonidentifying Private Elements.
An element that the characteristics give a Deidentification Action (0008,0307) gets that
action (D, Z, U; X removes), ahead of any listing. A private sequence that is not known safe
is kept and parsed item by item, each nested attribute handled on its own merits, but that
an unlisted value that can hold free text is removed there (``Context.unvetted``). Every other
private element is removed, and so is each Private Creator whose block keeps nothing.
Group lengths and elements (gggg,0001-000F) of private groups are always removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydicom import Dataset
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.multival import MultiValue

from deidentify.beyond.conformity import FIXED_SIZES
from deidentify.elements import TEXT_VRS, element_vr, items, read_as_sequence, written_bytes
from deidentify.plan import Plan, Treatment
from deidentify.structure import REPERTOIRES
from generated.model import Option

if TYPE_CHECKING:
    from deidentify.engine import Context, Deidentifier, TextMode

CHARACTERISTICS_SEQUENCE = 0x00080300
PRIVATE_GROUP_REFERENCE = 0x00080301
PRIVATE_CREATOR_REFERENCE = 0x00080302
BLOCK_STATUS = 0x00080303
NONIDENTIFYING_ELEMENTS = 0x00080304
ACTION_SEQUENCE = 0x00080305
IDENTIFYING_ELEMENTS = 0x00080306
DEIDENTIFICATION_ACTION = 0x00080307

_ACTIONS: dict[str, Treatment] = {
    "D": Treatment.DUMMY,
    "Z": Treatment.EMPTY,
    "X": Treatment.REMOVE,
    "U": Treatment.REPLACE_UID,
}


STRICT_CODE = re.compile(rb"[A-Z0-9_ ]{0,16}(?:\\[A-Z0-9_ ]{0,16})*[\x00 ]*")
"""A code string as PS3.5 defines it: capitals, digits, space and underscore, at most 16
characters a value (a name in lower case is no code)."""

_CHARACTERS: dict[str, re.Pattern[bytes]] = {**REPERTOIRES, "CS": STRICT_CODE}
"""What a value of a strictly formed VR can hold (PS3.5 Table 6.2-1): numbers, ages, dates,
times and UIDs as ``structure.REPERTOIRES`` lets them, codes strictly."""

FREE_TEXT_VRS = TEXT_VRS | {"AE", "UR"}
"""VRs whose values are free text, names, addresses or application titles, which an unknown
vendor's items may fill with anything."""


def holds_free_text(ds: Dataset, tag: int) -> bool:
    """Whether an element of ``ds`` can hold free text, as an unlisted one inside a private
    sequence nothing declares safe is judged (``Context.unvetted``): a text VR, an address,
    an application title, a value of no known VR (UN, or none) that is not a sequence, or
    a value of a strictly formed VR holding anything else than its VR's characters (a
    lower-case name in a code string, letters in a number). Binary values, sequences and
    values of their VR's characters cannot."""
    vr = element_vr(ds, tag)
    if vr in ("UN", None):
        return not read_as_sequence(ds, tag)
    characters = _CHARACTERS.get(vr)
    if characters is not None:
        return characters.fullmatch(written_bytes(ds.get_item(tag, keep_deferred=True))) is None
    return vr in FREE_TEXT_VRS


def _fits(raw: DataElement | RawDataElement, vrs: frozenset[str]) -> bool:
    """Whether an element can be the value Table E.3.10-1 describes with ``vrs`` (empty:
    any): its explicit VR is one of them, or, read without a VR (implicit VR, UN), the one
    VR the table gives; and its bytes fit that VR (a name written as an explicit DS is no
    number)."""
    if not vrs:
        return True
    if raw.VR not in (None, "UN"):
        if raw.VR not in vrs:
            return False
        vr = str(raw.VR)
    elif len(vrs) != 1:
        return True
    else:
        vr = next(iter(vrs))
    value = raw.value
    if not isinstance(value, bytes):
        return True
    size = FIXED_SIZES.get(vr)
    if size is not None:
        return len(value) % size == 0
    characters = _CHARACTERS.get(vr)
    return characters is None or characters.fullmatch(value) is not None


@dataclass(frozen=True)
class BlockMarks:
    """What Private Data Element Characteristics say about one private block."""

    safe_block: bool
    safe_offsets: frozenset[int]
    actions: dict[int, Treatment]


Marks = dict[tuple[int, str], BlockMarks]
"""Block marks by (group, Private Creator)."""


def _first(item: Dataset, tag: int) -> object:
    if tag not in item:
        return None
    value = item[tag].value
    if isinstance(value, MultiValue | list):
        return value[0] if value else None
    return value


def _offsets(item: Dataset, tag: int) -> frozenset[int]:
    if tag not in item:
        return frozenset()
    value = item[tag].value
    values = [value] if isinstance(value, int) else list(value or ())
    return frozenset(int(element) & 0xFF for element in values)


def collect_marks(ds: Dataset) -> Marks:
    """Read the Private Data Element Characteristics Sequence of a dataset."""
    marks: Marks = {}
    if CHARACTERISTICS_SEQUENCE not in ds:
        return marks
    for item in items(ds, CHARACTERISTICS_SEQUENCE):
        group = _first(item, PRIVATE_GROUP_REFERENCE)
        creator = _first(item, PRIVATE_CREATOR_REFERENCE)
        if not isinstance(group, int) or creator is None:
            continue
        actions: dict[int, Treatment] = {}
        if ACTION_SEQUENCE in item:
            for action_item in items(item, ACTION_SEQUENCE):
                treatment = _ACTIONS.get(str(_first(action_item, DEIDENTIFICATION_ACTION)).strip())
                for offset in _offsets(action_item, IDENTIFYING_ELEMENTS):
                    actions[offset] = treatment or Treatment.REMOVE
        marks[(group, str(creator).strip())] = BlockMarks(
            safe_block=str(_first(item, BLOCK_STATUS) or "").strip() == "SAFE",
            safe_offsets=_offsets(item, NONIDENTIFYING_ELEMENTS),
            actions=actions,
        )
    return marks


class PrivateFilter:
    """The private-attribute treatment of a plan."""

    def __init__(self, plan: Plan) -> None:
        row = plan.private
        self.retains = (
            plan.has(Option.RETAIN_SAFE_PRIVATE)
            and row is not None
            and row.treatment is Treatment.KEEP_SAFE_PRIVATE
        )
        self._safe = {
            (attribute.group, attribute.private_creator.strip(), attribute.element):
            frozenset(part.strip() for part in attribute.vr.split("/") if part.strip())
            for attribute in plan.edition.safe_private
        }

    def verdict(self, group: int, creator: str, offset: int, marks: Marks,
                raw: DataElement | RawDataElement | None = None) -> Treatment | None:
        """KEEP, another treatment the object asks for, or None (not known safe).

        An element of Table E.3.10-1 is safe only as the value the table describes: one
        written with another explicit VR (a name under a spoofed creator's numeric offset),
        or read without one whose value cannot be of the table's VR, is not."""
        block = marks.get((group, creator))
        if block is not None and offset in block.actions:
            return block.actions[offset]
        vrs = self._safe.get((group, creator, offset))
        if vrs is not None and (raw is None or _fits(raw, vrs)):
            return Treatment.KEEP
        if block is not None and (block.safe_block or offset in block.safe_offsets):
            return Treatment.KEEP
        return None

    def process(
        self,
        engine: Deidentifier,
        ds: Dataset,
        tags: list[int],
        context: Context,
        mode: TextMode,
    ) -> None:
        """Treat the private elements ``tags`` of ``ds``."""
        if not self.retains:
            for tag in tags:
                del ds[tag]
            return
        creators: dict[tuple[int, int], str] = {}
        for tag in tags:
            element = tag & 0xFFFF
            if 0x10 <= element <= 0xFF:
                creators[(tag >> 16, element)] = str(ds[tag].value or "").strip()
        for tag in tags:
            group, element = tag >> 16, tag & 0xFFFF
            if element <= 0xFF:
                if element < 0x10:
                    del ds[tag]
                continue
            creator = creators.get((group, element >> 8))
            if creator is None:
                del ds[tag]
                continue
            verdict = self.verdict(group, creator, element & 0xFF, context.private_marks,
                                   ds.get_item(tag, keep_deferred=True))
            vr = element_vr(ds, tag)
            if verdict is not None:
                engine.treat(ds, tag, vr, verdict, context, mode)
            elif vr == "SQ":
                unvetted, context.unvetted = context.unvetted, True
                engine.walk_items(ds, tag, context, mode)
                context.unvetted = unvetted
            else:
                del ds[tag]
        used = {(tag >> 16, (tag & 0xFFFF) >> 8) for tag in tags if tag in ds}
        for (group, element) in creators:
            if (group, element) not in used:
                del ds[group << 16 | element]
