"""The Patient ID and Patient's Name each patient gets: keyed pseudonyms or a lookup table.

In: a ``PatientIdentity``. Out: ``PatientValues``. ``KeyedPatients`` derives them with the
secret (``pseudonyms``); ``MappedPatients`` takes them from a lookup table and, for a patient
the table does not list, raises ``UnmappedPatient`` (the object is then reported as failed
and not written) or, when given a fallback, uses the keyed pseudonyms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from deidentify.linkage.identity import PatientIdentity
from deidentify.linkage.lookup import PatientMap
from deidentify.linkage.pseudonyms import NameMode, patient_pseudonym

UNMAPPED = "its patient is not in the lookup table (--patient-map)"


class UnmappedPatient(ValueError):
    """A patient the lookup table does not list; the message is fixed, never an identifier."""

    def __init__(self) -> None:
        super().__init__(UNMAPPED)


@dataclass(frozen=True)
class PatientValues:
    """The new Patient ID and Patient's Name (``""``: Patient's Name emptied)."""

    patient_id: str
    patient_name: str


class PatientSource(Protocol):
    """Where the new values of a patient come from."""

    def values_for(self, identity: PatientIdentity) -> PatientValues:
        """The values of one patient; UnmappedPatient if there are none."""
        ...


class KeyedPatients:
    """Keyed pseudonyms: the same patient gets the same values wherever the secret is."""

    MEMO_LIMIT = 1 << 16

    def __init__(self, secret: bytes, name_mode: NameMode = NameMode.PSEUDONYM) -> None:
        self._secret = secret
        self.name_mode = name_mode
        self._memo: dict[str, PatientValues] = {}
        """Values by identity key; emptied at ``MEMO_LIMIT`` entries (a recomputation)."""

    def values_for(self, identity: PatientIdentity) -> PatientValues:
        values = self._memo.get(identity.key)
        if values is None:
            if len(self._memo) >= self.MEMO_LIMIT:
                self._memo.clear()
            pseudonym = patient_pseudonym(self._secret, identity)
            name = pseudonym if self.name_mode is NameMode.PSEUDONYM else ""
            values = self._memo[identity.key] = PatientValues(pseudonym, name)
        return values


class MappedPatients:
    """Values from a lookup table; a table without names gives the name as ``name_mode`` says
    (the new Patient ID, or empty)."""

    def __init__(self, table: PatientMap, name_mode: NameMode = NameMode.PSEUDONYM,
                 fallback: KeyedPatients | None = None) -> None:
        self.table = table
        self.name_mode = name_mode
        self.fallback = fallback

    def values_for(self, identity: PatientIdentity) -> PatientValues:
        entry = self.table.find(identity)
        if entry is None:
            if self.fallback is None:
                raise UnmappedPatient
            return self.fallback.values_for(identity)
        if entry.patient_name is not None:
            return PatientValues(entry.patient_id, entry.patient_name)
        name = entry.patient_id if self.name_mode is NameMode.PSEUDONYM else ""
        return PatientValues(entry.patient_id, name)
