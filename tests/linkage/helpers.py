"""Shared pieces of the linkage tests: two patients of three files each, certificates, runs."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pydicom
from pydicom import Dataset
from pydicom.data import get_testdata_file

from deidentify.cli import main

SECRET = "linkage tests: a secret of more than sixteen bytes"
OTHER_SECRET = "linkage tests: another secret, also long enough"
SOURCES = ("CT_small.dcm", "MR_small.dcm", "rtdose.dcm")
PATIENTS = (("MRN-1001", "Smith^Ann", "20200105"), ("MRN-2002", "Jones^Bob", "20210917"))
UID_ROOT = "1.2.826.0.1.3680043.10.1137.77"


def shipped(name: str) -> Path:
    path = get_testdata_file(name)
    assert path is not None, name
    return Path(str(path))


def make_patients(folder: Path, patients: tuple[tuple[str, str, str], ...] = PATIENTS) -> None:
    """Each patient: three files (CT, MR, RT dose) in one study, with its ID, name and date."""
    for number, (patient_id, name, study_date) in enumerate(patients, 1):
        for index, source in enumerate(SOURCES, 1):
            ds = pydicom.dcmread(shipped(source))
            ds.PatientID = patient_id
            ds.PatientName = name
            ds.StudyDate = study_date
            ds.StudyInstanceUID = f"{UID_ROOT}.{number}"
            ds.SeriesInstanceUID = f"{UID_ROOT}.{number}.{index}"
            ds.SOPInstanceUID = f"{UID_ROOT}.{number}.{index}.1"
            ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            target = folder / f"patient{number}" / f"{index}.dcm"
            target.parent.mkdir(parents=True, exist_ok=True)
            ds.save_as(target)


def write_secret(folder: Path, secret: str = SECRET) -> Path:
    path = folder / ("secret" if secret == SECRET else "other-secret")
    path.write_text(secret)
    return path


def run(*args: str | Path) -> tuple[int, str, str]:
    """Run the command line in this process; exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main([str(arg) for arg in args])
    return status, out.getvalue(), err.getvalue()


def dicom_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*.dcm") if path.is_file())


def read_all(folder: Path) -> dict[str, Dataset]:
    """Every DICOM output by its path relative to ``folder``."""
    return {str(path.relative_to(folder)): pydicom.dcmread(path) for path in dicom_files(folder)}


def uids_in(ds: Dataset) -> Iterator[str]:
    """Every UID value at every depth, and the File Meta's Media Storage SOP Instance UID."""
    meta = getattr(ds, "file_meta", None)
    if meta is not None and "MediaStorageSOPInstanceUID" in meta:
        yield str(meta.MediaStorageSOPInstanceUID)
    yield from _uids(ds)


def _uids(ds: Dataset) -> Iterator[str]:
    for element in ds:
        if element.VR == "UI" and element.value:
            values = element.value if isinstance(element.value, list) else [element.value]
            yield from (str(value) for value in values)
        elif element.VR == "SQ":
            for item in element.value:
                yield from _uids(item)


def read_pairs(path: Path) -> list[tuple[str, str]]:
    with open(path, newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["id_old", "id_new"], path
    return [(old, new) for old, new in rows[1:]]


def make_recipient(folder: Path, passphrase: bytes | None = None,
                   serial: int | None = None) -> tuple[Path, Path]:
    """A self-signed certificate and its RSA key (PEM): the re-identifying party; a random
    serial number unless one is given."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "coordinating centre")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number() if serial is None else serial)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase
        else serialization.NoEncryption())
    key_path, certificate_path = folder / "recipient-key.pem", folder / "recipient.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL
                                           if passphrase is None
                                           else serialization.PrivateFormat.PKCS8,
                                           encryption))
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, certificate_path
