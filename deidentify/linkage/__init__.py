"""Linkage: one consistent pseudonym per patient, lookup tables, linkage files, and
re-identification by an authorised party through the Encrypted Attributes Sequence.

Modules, one job each:

- ``errors``: what a bad table, certificate or key raises.
- ``settings``: a run's linkage options, built into a ``Linkage`` in each process.
- ``identity``: whose object a dataset is (Patient ID and issuer, else Study Instance UID).
- ``pseudonyms``: the keyed Patient ID / Patient's Name pseudonym of an identity.
- ``lookup``: a CSV lookup table read and checked (``--patient-map``).
- ``patients``: the new values of a patient, keyed or from a table (``PatientSource``).
- ``hook``: the interface the engine calls per dataset (``Linkage``, ``Session``).
- ``replacements``: the replacements it notes of each object (``Replacements``).
- ``journal``: linkage files (``patients.csv``, ``uids.csv``) from the replacements of the
  outputs, exact under several processes and resumed runs (``--linkage``).
- ``originals``: the original values of what a de-identification changed or removed.
- ``encrypted``: those originals sealed for a certificate in CMS, and opened with its key
  (``--encrypt-to``; needs the extra ``linkage``: cryptography).
- ``reidentify``: the originals put back into de-identified files (``deidentify
  reidentify``).

The runtime core imports ``cryptography`` only when originals are sealed or opened. The names
below are imported on first use: a run's main process, which hands the files to worker
processes, names the errors and settings without importing pydicom.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deidentify.lazy import importer

if TYPE_CHECKING:
    from deidentify.linkage.errors import CredentialError, LinkageError, LookupTableError
    from deidentify.linkage.hook import Linkage
    from deidentify.linkage.identity import PatientIdentity, read_identity
    from deidentify.linkage.lookup import PatientMap, read_patient_map
    from deidentify.linkage.patients import (
        KeyedPatients,
        MappedPatients,
        PatientValues,
        UnmappedPatient,
    )
    from deidentify.linkage.pseudonyms import NameMode, patient_pseudonym
    from deidentify.linkage.replacements import Replacements

_HOMES = {
    "CredentialError": "deidentify.linkage.errors",
    "KeyedPatients": "deidentify.linkage.patients",
    "Linkage": "deidentify.linkage.hook",
    "LinkageError": "deidentify.linkage.errors",
    "LookupTableError": "deidentify.linkage.errors",
    "MappedPatients": "deidentify.linkage.patients",
    "NameMode": "deidentify.linkage.pseudonyms",
    "PatientIdentity": "deidentify.linkage.identity",
    "PatientMap": "deidentify.linkage.lookup",
    "PatientValues": "deidentify.linkage.patients",
    "Replacements": "deidentify.linkage.replacements",
    "UnmappedPatient": "deidentify.linkage.patients",
    "patient_pseudonym": "deidentify.linkage.pseudonyms",
    "read_identity": "deidentify.linkage.identity",
    "read_patient_map": "deidentify.linkage.lookup",
}

__all__ = [
    "CredentialError",
    "KeyedPatients",
    "Linkage",
    "LinkageError",
    "LookupTableError",
    "MappedPatients",
    "NameMode",
    "PatientIdentity",
    "PatientMap",
    "PatientValues",
    "Replacements",
    "UnmappedPatient",
    "patient_pseudonym",
    "read_identity",
    "read_patient_map",
]

__getattr__ = importer(__name__, _HOMES, globals())
