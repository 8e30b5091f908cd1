"""Whose object this is: the patient identity that pseudonyms, date shifts and linkage key on.

In: a dataset as read (before anything is changed). Out: a ``PatientIdentity``: the original
Patient ID and Issuer of Patient ID, or, for an object without a Patient ID, its Study
Instance UID (else its SOP Instance UID), so that such objects never share one identity.
``key`` is the text every keyed derivation of the patient uses; for a Patient ID without an
issuer it is the Patient ID itself.
"""

from __future__ import annotations

from collections.abc import MutableSequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydicom import Dataset

PATIENT_ID = 0x00100020
ISSUER_OF_PATIENT_ID = 0x00100021
STUDY_INSTANCE_UID = 0x0020000D
SOP_INSTANCE_UID = 0x00080018

KEY_SEPARATOR = "\x1f"
"""Joins the parts of a key (the unit separator): no LO or UI value can hold it, so distinct
identities never share a key."""


def text_of(ds: Dataset, tag: int) -> str:
    """The first value of a text element, padding removed; ``""`` when absent or empty."""
    element = ds.get(tag)
    if element is None:
        return ""
    value = element.value
    if isinstance(value, MutableSequence):  # pydicom's MultiValue
        value = value[0] if value else None
    if value is None:
        return ""
    return str(value).split("\\")[0].strip(" \x00")


@dataclass(frozen=True)
class PatientIdentity:
    """The original identity of an object's patient (never logged: it identifies)."""

    patient_id: str
    issuer: str = ""
    fallback: str = ""
    """The Study (or SOP) Instance UID standing in for a missing Patient ID."""

    @property
    def key(self) -> str:
        """The text keyed derivations use: distinct for distinct identities."""
        if not self.patient_id:
            return KEY_SEPARATOR + "uid" + KEY_SEPARATOR + self.fallback
        if not self.issuer:
            return self.patient_id
        return self.patient_id + KEY_SEPARATOR + self.issuer


def read_identity(ds: Dataset) -> PatientIdentity:
    """The identity of ``ds``'s patient, read before de-identification."""
    patient_id = text_of(ds, PATIENT_ID)
    if patient_id:
        return PatientIdentity(patient_id, text_of(ds, ISSUER_OF_PATIENT_ID))
    fallback = text_of(ds, STUDY_INSTANCE_UID) or text_of(ds, SOP_INSTANCE_UID)
    return PatientIdentity("", "", fallback)
