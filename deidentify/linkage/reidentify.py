"""Re-identification by the holder of the recipient's private key (PS3.15 E.1.2).

In: a de-identified file carrying an Encrypted Attributes Sequence (ours or another tool's,
such as GDCM's ``gdcmanon -e``), the recipient's certificate and RSA private key. Out: the
file with every attribute of the last Modified Attributes item the key opens (the latest
de-identification's) put back, replacing the de-identified values; the attributes every
de-identification sets (Patient Identity Removed, De-identification Method and its Code
Sequence, Longitudinal Temporal Information Modified, Contributing Equipment Sequence)
removed where the item does not hold an original of them; that Encrypted Attributes item
removed (the sequence too when it was the only one: items of earlier de-identifications
stay, for another re-identification); and File Meta following the restored SOP Instance
UID. What the de-identification added and did not list
(a pseudonymous Patient ID of an object that had none) stays.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pydicom
from cryptography import x509
from pydicom import Dataset
from pydicom.errors import InvalidDicomError

from deidentify.atomic import atomic_output
from deidentify.beyond.sealed import ENCRYPTED_ATTRIBUTES_SEQUENCE
from deidentify.linkage.encrypted import PrivateKey, opened_items
from deidentify.linkage.originals import METHOD_TAGS, SOP_INSTANCE_UID

MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003


class NotSealed(ValueError):
    """A file without an Encrypted Attributes item that the key opens (fixed message)."""


def restore(ds: Dataset, certificate: x509.Certificate, key: PrivateKey) -> None:
    """Put the sealed originals back into ``ds`` in place; NotSealed if the key opens none."""
    opened = opened_items(ds, certificate, key)
    if not opened:
        raise NotSealed("no Encrypted Attributes item that this key opens")
    sealed, originals = opened[-1]
    items = ds[ENCRYPTED_ATTRIBUTES_SEQUENCE].value
    del items[next(index for index, item in enumerate(items) if item is sealed)]
    if not items:
        del ds[ENCRYPTED_ATTRIBUTES_SEQUENCE]
    for tag in METHOD_TAGS:
        if tag not in originals and tag in ds:
            del ds[tag]
    for tag in list(originals.keys()):
        ds[tag] = originals[tag]
    meta = getattr(ds, "file_meta", None)
    if meta is not None and SOP_INSTANCE_UID in ds:
        meta.MediaStorageSOPInstanceUID = ds[SOP_INSTANCE_UID].value


def reidentify_file(source: Path, target: Path, certificate: x509.Certificate,
                    key: PrivateKey) -> None:
    """Re-identify one file into ``target`` (atomically); NotSealed, or InvalidDicomError for
    a file that is not DICOM. pydicom's warnings are silenced: they quote values (UIDs)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(source)
        restore(ds, certificate, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(target) as stream:
            ds.save_as(stream, enforce_file_format=True)


__all__ = ["InvalidDicomError", "NotSealed", "reidentify_file", "restore"]
