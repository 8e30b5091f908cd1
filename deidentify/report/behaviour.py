"""What the tool concretely does to a row's elements: dummy, UID scheme, date shift, cleaning."""

from __future__ import annotations

from pydicom.datadict import dictionary_VR

from deidentify.dummies import describe_dummy, first_alternative
from deidentify.elements import TEXT_VRS
from deidentify.plan import PlanRow, Treatment
from deidentify.profile import CompoundPolicy
from deidentify.text import description
from deidentify.uids import UIDScheme
from generated.model import PatternKind

UID_SCHEMES: dict[UIDScheme, str] = {
    UIDScheme.KEYED: "2.25.<HMAC-SHA256 of the original UID under the secret>, the same in"
    " every instance",
    UIDScheme.DCM4CHE: "2.25.<dcm4che UIDUtils.remapUID of the original UID> (unkeyed), the"
    " same in every instance",
}


def _dummy(vr: str | None) -> str:
    if vr is None:
        return "removed (no dummy for an unknown VR); with a VR, replaced by its dummy"
    if vr == "SQ":
        return "sequence kept, the profile applied inside every item"
    try:
        return f"replaced by the dummy {describe_dummy(vr)}"
    except ValueError:
        return Treatment.DUMMY.description


def _clean(vr: str | None) -> str:
    if vr == "SQ":
        return "sequence kept, free text inside every item cleaned of identifiers"
    if vr == "PN":
        return description.PERSON_NAME
    if vr in TEXT_VRS:
        return description.TEXT
    if vr in ("AE", "CS"):
        return description.CODED
    if vr is None:
        return "removed (an unknown VR cannot be cleaned)"
    return f"removed: a value of VR {vr} cannot be cleaned of text"


def _dictionary_vr(row: PlanRow) -> str | None:
    """The first VR pydicom's dictionary gives the row's tag ("OB or OW" -> OB); for a
    repeating group, the tag of its data element (xx=00, element 3000 where masked)."""
    pattern = row.rule.tag
    if pattern.kind is PatternKind.PRIVATE:
        return None
    tag = pattern.value | (0x3000 & ~pattern.mask)
    try:
        return first_alternative(dictionary_VR(tag))
    except KeyError:
        return None


def resolved(row: PlanRow, policy: CompoundPolicy) -> tuple[Treatment, str | None]:
    """The treatment and VR of the row's elements: where the plan leaves the VR open (the
    dictionary gives alternatives), as for the first alternative."""
    if row.vr is not None:
        return row.treatment, row.vr
    vr = _dictionary_vr(row)
    return (row.treatment_for_vr(vr, policy), vr) if vr is not None else (row.treatment, None)


LINKED = {0x00100010: "emptied", 0x00100020: "dcm4che's hash"}
"""Patient's Name and Patient ID: at the top level, the linkage's values (docs/linkage.md),
and what RetainPatientIDHashOption writes instead."""


def behaviour_of(row: PlanRow, policy: CompoundPolicy, scheme: UIDScheme) -> str:
    """One sentence: what happens to an element of this row under the plan."""
    text = _behaviour(row, policy, scheme)
    pattern = row.rule.tag
    if pattern.kind is PatternKind.EXACT and pattern.value in LINKED and text != "removed":
        return ("at the top level, the patient's keyed pseudonym or lookup-table value"
                f" (docs/linkage.md; {LINKED[pattern.value]} under RetainPatientIDHashOption);"
                f" inside sequences, {text}")
    return text


def _behaviour(row: PlanRow, policy: CompoundPolicy, scheme: UIDScheme) -> str:
    treatment, vr = resolved(row, policy)
    if treatment is Treatment.REMOVE:
        return "removed with all its items" if vr == "SQ" else "removed"
    if treatment is Treatment.EMPTY:
        return "kept with no items" if vr == "SQ" else "kept with a zero-length value"
    if treatment in (Treatment.DUMMY, Treatment.DUMMY_AND_CLEAN_ITEMS):
        return _dummy(vr)
    if treatment is Treatment.REPLACE_UID:
        return f"replaced by {UID_SCHEMES[scheme]}"
    if treatment is Treatment.SHIFT_DATE:
        if vr == "TM":
            return ("shifted by the seconds of the patient's offset, modulo a day (with its"
                    " paired date, as one instant); an unparseable value is removed")
        return ("shifted by the patient's offset (whole days, and with its paired time as one"
                " instant; keyed on the patient's identity); an unparseable value is removed")
    if treatment is Treatment.CLEAN_TEXT or (treatment is Treatment.CLEAN_GRAPHICS
                                              and vr != "SQ"):
        return _clean(vr)
    return treatment.description
