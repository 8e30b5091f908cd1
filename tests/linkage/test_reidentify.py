"""Re-identification: the Encrypted Attributes Sequence restores what the run changed."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import pydicom
import pytest
from pydicom import Dataset
from pydicom.dataelem import DataElement
from pydicom.sequence import Sequence

pytest.importorskip("cryptography", reason="the extra 'linkage' (cryptography) is not installed")

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.fastpath import fast_deidentify_file
from deidentify.linkage import KeyedPatients, Linkage
from deidentify.linkage.encrypted import load_certificate, load_private_key
from deidentify.linkage.reidentify import restore
from tests.linkage.helpers import (
    SECRET,
    make_patients,
    make_recipient,
    read_all,
    run,
    shipped,
    write_secret,
)

MODIFIED_DATES = "deidentify:RetainLongitudinalTemporalInformationModifiedDatesOption"
ENCRYPTED_ATTRIBUTES = 0x04000500


def _same(original: Dataset, restored: Dataset) -> None:
    differing = [element.tag for element in original
                 if element.tag not in restored or restored[element.tag] != element]
    added = [element.tag for element in restored if element.tag not in original]
    assert differing == [] and added == []


def test_reidentify_restores_names_ids_dates_and_uids(tmp_path: Path) -> None:
    make_patients(tmp_path / "in")
    key, certificate = make_recipient(tmp_path, b"a passphrase")
    (tmp_path / "passphrase").write_text("a passphrase\n")
    status, _, _ = run("apply", tmp_path / "in", "--output", tmp_path / "out", "--secret-file",
                       write_secret(tmp_path), "--profile", MODIFIED_DATES, "--encrypt-to",
                       certificate, "--quiet")
    assert status == 0
    for relative, ds in read_all(tmp_path / "out").items():
        original = pydicom.dcmread(tmp_path / "in" / relative)
        assert ds.PatientID != original.PatientID and ds.StudyDate != original.StudyDate
        assert ds.SOPInstanceUID != original.SOPInstanceUID
        assert ENCRYPTED_ATTRIBUTES in ds
    status, out, err = run("reidentify", tmp_path / "out", "--key", key, "--certificate",
                           certificate, "--key-passphrase-file", tmp_path / "passphrase",
                           "--output", tmp_path / "back")
    assert status == 0, err
    assert "re-identified 6" in out and "a passphrase" not in out + err
    for relative, ds in read_all(tmp_path / "back").items():
        original = pydicom.dcmread(tmp_path / "in" / relative)
        _same(original, ds)
        assert ds.file_meta.MediaStorageSOPInstanceUID == original.SOPInstanceUID
    assert len(read_all(tmp_path / "back")) == 6


def test_the_passphrase_comes_from_the_environment(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    make_patients(tmp_path / "in")
    key, certificate = make_recipient(tmp_path, b"from the environment")
    assert run("apply", tmp_path / "in", "--output", tmp_path / "out", "--secret-file",
               write_secret(tmp_path), "--encrypt-to", certificate, "--quiet")[0] == 0
    status, _, err = run("reidentify", tmp_path / "out", "--key", key, "--certificate",
                         certificate, "--output", tmp_path / "none")
    assert status == 2 and "needs a passphrase" in err
    monkeypatch.setenv("DEIDENTIFY_KEY_PASSPHRASE", "from the environment")
    assert run("reidentify", tmp_path / "out", "--key", key, "--certificate", certificate,
               "--output", tmp_path / "back")[0] == 0
    assert len(read_all(tmp_path / "back")) == 6


def test_another_key_opens_nothing(tmp_path: Path) -> None:
    make_patients(tmp_path / "in")
    _, certificate = make_recipient(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    other_key, other_certificate = make_recipient(other)
    assert run("apply", tmp_path / "in", "--output", tmp_path / "out", "--secret-file",
               write_secret(tmp_path), "--encrypt-to", certificate, "--quiet")[0] == 0
    status, _, err = run("reidentify", tmp_path / "out", "--key", other_key, "--certificate",
                         other_certificate, "--output", tmp_path / "back")
    assert status == 1
    assert err.count("no Encrypted Attributes item that this key opens") == 6


def _nested_dataset() -> Dataset:
    ds = pydicom.dcmread(shipped("CT_small.dcm"))
    reference = Dataset()
    reference.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    reference.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.10.1137.79.1"
    ds.ReferencedImageSequence = Sequence([reference])
    ds.add(DataElement(0x00091010, "LO", "a private value"))
    ds.add(DataElement(0x00090010, "LO", "PRIVATE CREATOR"))
    return ds


def test_nested_values_and_removed_private_elements_come_back(tmp_path: Path) -> None:
    key, certificate = make_recipient(tmp_path)
    recipient = load_certificate(certificate)
    linkage = Linkage(KeyedPatients(SECRET.encode()), recipient=recipient)
    deid = Deidentifier(Plan.build(parse_profile("deidentify:")), SECRET.encode(),
                        linkage=linkage)
    ds = _nested_dataset()
    deid.apply(ds)
    reference = ds.ReferencedImageSequence[0].ReferencedSOPInstanceUID
    assert reference != "1.2.826.0.1.3680043.10.1137.79.1" and 0x00091010 not in ds
    buffer = io.BytesIO()
    deid.write(ds, buffer)
    written = pydicom.dcmread(io.BytesIO(buffer.getvalue()))
    restore(written, recipient, load_private_key(key, None))
    _same(_nested_dataset(), written)


@pytest.mark.parametrize("serial", [1 << 150, 1 << 151])
def test_an_envelope_of_either_length_parity_opens(tmp_path: Path, serial: int) -> None:
    """The certificate's serial number is in the envelope; these two differ in length by
    one byte (DER adds a 00 before a leading byte of 80 or more), so one of the envelopes
    is of odd length and stored with the NUL that pads an OB value to even."""
    key, certificate = make_recipient(tmp_path, serial=serial)
    recipient = load_certificate(certificate)
    deid = Deidentifier(Plan.build(parse_profile("deidentify:")), SECRET.encode(),
                        linkage=Linkage(KeyedPatients(SECRET.encode()), recipient=recipient))
    ds = _nested_dataset()
    deid.apply(ds)
    buffer = io.BytesIO()
    deid.write(ds, buffer)
    written = pydicom.dcmread(io.BytesIO(buffer.getvalue()))
    restore(written, recipient, load_private_key(key, None))
    _same(_nested_dataset(), written)


def test_the_fast_path_seals_what_the_reference_path_seals(tmp_path: Path) -> None:
    key, certificate = make_recipient(tmp_path)
    recipient, private = load_certificate(certificate), load_private_key(key, None)
    deid = Deidentifier(Plan.build(parse_profile("deidentify:")), SECRET.encode(),
                        linkage=Linkage(KeyedPatients(SECRET.encode()), recipient=recipient))
    source = tmp_path / "nested.dcm"
    _nested_dataset().save_as(source, enforce_file_format=True)
    assert fast_deidentify_file(deid, source, tmp_path / "fast.dcm")
    deid.deidentify_file(source, tmp_path / "reference.dcm")
    fast, reference = (pydicom.dcmread(tmp_path / name) for name in ("fast.dcm", "reference.dcm"))
    unsealed = [[element for element in ds if element.tag != ENCRYPTED_ATTRIBUTES]
                for ds in (fast, reference)]
    assert unsealed[0] == unsealed[1], "only the sealed content (a fresh key each time) differs"
    for ds in (fast, reference):
        restore(ds, recipient, private)
        _same(_nested_dataset(), ds)


def test_two_passes_are_undone_one_at_a_time(tmp_path: Path) -> None:
    key, certificate = make_recipient(tmp_path)
    recipient, private = load_certificate(certificate), load_private_key(key, None)
    original = _nested_dataset()
    ds = _nested_dataset()
    for secret in (SECRET, SECRET[::-1]):
        linkage = Linkage(KeyedPatients(secret.encode()), recipient=recipient)
        Deidentifier(Plan.build(parse_profile("deidentify:")), secret.encode(),
                     linkage=linkage).apply(ds)
    assert len(ds[ENCRYPTED_ATTRIBUTES].value) == 2
    once = copy.deepcopy(ds)
    restore(once, recipient, private)
    assert len(once[ENCRYPTED_ATTRIBUTES].value) == 1
    assert once.PatientID != original.PatientID
    restore(once, recipient, private)
    _same(original, once)
