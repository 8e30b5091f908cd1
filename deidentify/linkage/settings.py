"""A run's linkage settings, as the command line and the node's TOML give them.

In: the options (lookup table, what a patient missing from it gets, Patient's Name mode,
whether replacements are noted for linkage files, a recipient certificate). Out: the
``Linkage`` an engine uses, built in each process (``build``); ``check`` reads the table and
the certificate once up front so that a bad one stops the run before any file is touched.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from deidentify.linkage.errors import MISSING_EXTRA, LinkageError
from deidentify.linkage.lookup import read_patient_map
from deidentify.linkage.patients import KeyedPatients, MappedPatients, PatientSource
from deidentify.linkage.pseudonyms import NameMode

if TYPE_CHECKING:
    from cryptography import x509

    from deidentify.linkage.hook import Linkage

LINKAGE_WARNING = (
    "the linkage files in {folder} pair every pseudonym with its original Patient ID or UID:"
    " they identify the patients; keep them as safe as the originals, apart from the outputs"
)


@dataclass(frozen=True)
class LinkageSettings:
    """Picklable: every worker process builds its own ``Linkage`` from it."""

    patient_map: Path | None = None
    missing_keyed: bool = False
    """A patient the table does not list gets its keyed pseudonym (else: the file fails)."""
    name_mode: NameMode = NameMode.PSEUDONYM
    record: bool = False
    """Note each output's replacements (for linkage files)."""
    encrypt_to: Path | None = None
    """The recipient certificate of the Encrypted Attributes Sequence."""

    def check(self) -> None:
        """LinkageError for a table or certificate that cannot be used."""
        if self.patient_map is not None:
            read_patient_map(self.patient_map)
        if self.encrypt_to is not None:
            load_certificate(self.encrypt_to)

    def identity(self, secret: bytes) -> str:
        """What an output folder records of these settings (``batch.identity``): the patient
        values' source, never the table's content (a keyed fingerprint of it)."""
        source = "keyed"
        if self.patient_map is not None:
            digest = hmac.new(secret, self.patient_map.read_bytes(), hashlib.sha256)
            missing = "keyed" if self.missing_keyed else "fail"
            source = f"map-{digest.hexdigest()[:16]}-missing-{missing}"
        return f"patients={source}\npatient-name={self.name_mode.value}\n"

    def build(self, secret: bytes) -> Linkage:
        """The engine's linkage for this run (imported here: a run's main process checks the
        settings without the engine, whose workers build it)."""
        from deidentify.linkage.hook import Linkage

        keyed = KeyedPatients(secret, self.name_mode)
        patients: PatientSource = keyed
        if self.patient_map is not None:
            table = read_patient_map(self.patient_map)
            patients = MappedPatients(table, self.name_mode, keyed if self.missing_keyed else None)
        recipient = None
        if self.encrypt_to is not None:
            recipient = load_certificate(self.encrypt_to)
        return Linkage(patients, record=self.record, recipient=recipient)


def load_certificate(path: Path) -> x509.Certificate:
    """The recipient certificate; LinkageError without the extra ``linkage``."""
    try:
        from deidentify.linkage import encrypted
    except ImportError:
        raise LinkageError(f"{path}: {MISSING_EXTRA}") from None
    return encrypted.load_certificate(path)
