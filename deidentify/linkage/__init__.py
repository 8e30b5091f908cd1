"""Linkage: one consistent pseudonym per patient, lookup tables, linkage files, and
re-identification by an authorised party through the Encrypted Attributes Sequence.

Modules, one job each:

- ``errors``: what a bad table, certificate or key raises.
- ``settings``: a run's linkage options, built into a ``Linkage`` in each process.
- ``identity``: whose object a dataset is (Patient ID and issuer, else Study Instance UID).
- ``pseudonyms``: the keyed Patient ID / Patient's Name pseudonym of an identity.
- ``lookup``: a CSV lookup table read and checked (``--patient-map``).
- ``patients``: the new values of a patient, keyed or from a table (``PatientSource``).
- ``hook``: the interface the engine calls per dataset (``Linkage``, ``Session``) and the
  replacements it notes.
- ``journal``: linkage files (``patients.csv``, ``uids.csv``) from the replacements of the
  outputs, exact under several processes and resumed runs (``--linkage``).
- ``originals``: the original values of what a de-identification changed or removed.
- ``encrypted``: those originals sealed for a certificate in CMS, and opened with its key
  (``--encrypt-to``; needs the extra ``linkage``: cryptography).
- ``reidentify``: the originals put back into de-identified files (``deidentify
  reidentify``).

The runtime core imports ``cryptography`` only when originals are sealed or opened.
"""

from deidentify.linkage.errors import CredentialError, LinkageError, LookupTableError
from deidentify.linkage.hook import Linkage, Replacements
from deidentify.linkage.identity import PatientIdentity, read_identity
from deidentify.linkage.lookup import PatientMap, read_patient_map
from deidentify.linkage.patients import (
    KeyedPatients,
    MappedPatients,
    PatientValues,
    UnmappedPatient,
)
from deidentify.linkage.pseudonyms import NameMode, patient_pseudonym

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
