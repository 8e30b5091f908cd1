"""What the tool concretely does to a row's elements: dummy, UID scheme, date shift, cleaning."""

from __future__ import annotations

from deidentify.dummies import describe_dummy
from deidentify.elements import TEXT_VRS
from deidentify.plan import PlanRow, Treatment
from deidentify.uids import UIDScheme

UID_SCHEMES: dict[UIDScheme, str] = {
    UIDScheme.KEYED: "2.25.<HMAC-SHA256 of the original UID under the secret>, the same in"
    " every instance",
    UIDScheme.DCM4CHE: "2.25.<dcm4che UIDUtils.remapUID of the original UID> (unkeyed), the"
    " same in every instance",
}


def _dummy(vr: str | None) -> str:
    if vr is None or vr == "UN":
        return "removed (no dummy for an unknown VR); other VRs get their dummy"
    if vr == "SQ":
        return "sequence kept, the profile applied inside every item"
    try:
        return f"replaced by the dummy {describe_dummy(vr)}"
    except ValueError:
        return Treatment.DUMMY.description


def _clean(vr: str | None) -> str:
    if vr == "SQ":
        return "sequence kept, free text inside every item cleaned of identifiers"
    if vr in TEXT_VRS or vr == "AE":
        return "identifiers found anywhere in the object redacted to *** (kept otherwise)"
    if vr is None or vr == "UN":
        return "removed (an unknown VR cannot be cleaned)"
    return f"kept unchanged: only text is cleaned, not values of VR {vr}"


def behaviour_of(row: PlanRow, scheme: UIDScheme) -> str:
    """One sentence: what happens to an element of this row under the plan."""
    treatment, vr = row.treatment, row.vr
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
            return "kept: a whole-day shift leaves the time of day unchanged"
        return ("shifted by the patient's offset in whole days (keyed on the original"
                " Patient ID); an unparseable value is removed")
    if treatment is Treatment.CLEAN_TEXT:
        return _clean(vr)
    return treatment.description
