"""What the engine asks of linkage for each dataset: the interface ``Deidentifier`` calls.

In: the dataset before de-identification (``Linkage.begin``) and after (``Session.finish``).
Out: the patient's identity (the key of its date shift), its new Patient ID and Patient's
Name written into the dataset, the replacements made (``Replacements``: Patient ID and UID
pairs, kept per thread for the caller that writes linkage files) and, with a recipient
certificate, the Encrypted Attributes Sequence holding what was changed or removed.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from pydicom import Dataset
from pydicom.dataelem import DataElement

from deidentify.linkage.identity import PATIENT_ID, PatientIdentity, read_identity
from deidentify.linkage.originals import Snapshot
from deidentify.linkage.patients import PatientSource, PatientValues
from deidentify.linkage.replacements import Pair, Replacements
from deidentify.plan import Plan, Treatment
from deidentify.uids import UIDMapper, UIDScheme

if TYPE_CHECKING:
    from cryptography import x509

PATIENT_NAME = 0x00100010

class RecordingUIDMapper(UIDMapper):
    """A UID mapper that also notes, per thread, every UID it replaced since ``start``."""

    def __init__(self, secret: bytes, scheme: UIDScheme) -> None:
        super().__init__(secret, scheme)
        self._local = threading.local()

    def start(self) -> None:
        """Forget the pairs noted so far in this thread."""
        self._local.pairs = {}

    def taken(self) -> tuple[Pair, ...]:
        """The pairs noted in this thread since ``start``."""
        pairs: dict[str, str] = getattr(self._local, "pairs", {})
        return tuple(pairs.items())

    def map(self, uid: str) -> str:
        replacement = super().map(uid)
        original = uid.rstrip("\x00 ")
        pairs: dict[str, str] | None = getattr(self._local, "pairs", None)
        if pairs is not None and original and replacement != original:
            pairs[original] = replacement
        return replacement


def removes_patient_id(plan: Plan) -> bool:
    """Whether the plan removes a top-level Patient ID (then no pseudonym is written)."""
    row = plan.exact.get(PATIENT_ID)
    return row is not None and row.treatment_for_vr("LO", plan.policy) is Treatment.REMOVE


class Session:
    """One dataset's linkage: begun before the engine's walk, finished after it."""

    def __init__(self, linkage: Linkage, ds: Dataset) -> None:
        self._linkage = linkage
        self.identity: PatientIdentity = read_identity(ds)
        self.values: PatientValues = linkage.patients.values_for(self.identity)
        self._snapshot = Snapshot(ds) if linkage.recipient is not None else None
        self._patient: Pair | None = None
        if linkage.uids is not None:
            linkage.uids.start()

    def set_patient(self, ds: Dataset, id_hash: str | None, plan: Plan) -> None:
        """Write the new Patient ID (dcm4che's hash when given, else this linkage's value)
        and, unless the hash is used, the new Patient's Name (zero length when empty).

        Without the hash, nothing is written where the plan removes Patient ID (the strict
        compound policy).
        """
        if id_hash is None and removes_patient_id(plan):
            return
        new_id = id_hash if id_hash is not None else self.values.patient_id
        ds[PATIENT_ID] = DataElement(PATIENT_ID, "LO", new_id)
        if id_hash is None:
            name = self.values.patient_name
            ds[PATIENT_NAME] = DataElement(PATIENT_NAME, "PN", name or None)
        self._patient = (self.identity.patient_id, new_id)

    def finish(self, ds: Dataset) -> None:
        """Seal the originals (with a recipient) and note the replacements of this thread."""
        linkage = self._linkage
        if self._snapshot is not None and linkage.recipient is not None:
            from deidentify.linkage.encrypted import add_encrypted_item, encrypted_item

            add_encrypted_item(ds, encrypted_item(self._snapshot.modified(ds), linkage.recipient))
        if linkage.uids is not None:
            patients = (self._patient,) if self._patient is not None else ()
            linkage.local.replacements = Replacements(patients, linkage.uids.taken())


class Linkage:
    """The patient values of a run, and whether replacements are noted and originals sealed.

    ``record`` makes ``uid_mapper`` a recording one and ``taken`` return each dataset's
    replacements; ``recipient`` seals the originals of every dataset for that certificate.
    """

    def __init__(self, patients: PatientSource, *, record: bool = False,
                 recipient: x509.Certificate | None = None) -> None:
        self.patients = patients
        self.record = record
        self.recipient = recipient
        self.uids: RecordingUIDMapper | None = None
        self.local = threading.local()

    @property
    def sees_every_element(self) -> bool:
        """Whether the engine must be shown every element (to seal the originals of all)."""
        return self.recipient is not None

    def uid_mapper(self, secret: bytes, scheme: UIDScheme) -> UIDMapper:
        """The engine's UID mapper: recording when this linkage records (one mapper, shared by
        every engine of this linkage: the node's rules, which share one secret)."""
        if not self.record:
            return UIDMapper(secret, scheme)
        if self.uids is None or self.uids.scheme is not scheme:
            self.uids = RecordingUIDMapper(secret, scheme)
        return self.uids

    def begin(self, ds: Dataset) -> Session:
        """Start one dataset (before anything changes); UnmappedPatient if its patient has no
        values."""
        self.local.replacements = None
        return Session(self, ds)

    def taken(self) -> Replacements | None:
        """The replacements of the last dataset finished in this thread (when recording)."""
        replacements: Replacements | None = getattr(self.local, "replacements", None)
        return replacements
