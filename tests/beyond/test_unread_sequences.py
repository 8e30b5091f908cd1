"""A kept element read without a VR whose value is a sequence (a newer attribute, a private
one on the safe list) is parsed and walked, never kept as unread bytes."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset
from pydicom.sequence import Sequence
from pydicom.uid import ImplicitVRLittleEndian

from deidentify import Deidentifier, Plan, parse_profile
from tests.fastpath.paths import fast_output, reference_output

SECRET = b"unread sequences: a fixed secret"
NAME, PATIENT_ID = "QUINTERO^ROSALIND", "PQX884213"
SEX_PARAMETERS_SEQUENCE = 0x00100043
"""Sex Parameters for Clinical Use Category Sequence: K under Retain Patient Characteristics,
newer than pydicom 3.0's dictionary."""


def _implicit_item(*, truncated: bool = False) -> bytes:
    """One item of defined length holding the patient's name and ID, implicit VR."""
    item = Dataset()
    item.PatientName, item.PatientID = NAME, PATIENT_ID
    stream = DicomBytesIO()
    stream.is_little_endian, stream.is_implicit_VR = True, True
    write_dataset(stream, item)
    body = stream.getvalue()
    length = len(body) + (40 if truncated else 0)
    return b"\xfe\xff\x00\xe0" + length.to_bytes(4, "little") + body


def _newer_sequence(path: Path, truncated: bool = False) -> Path:
    ds = pydicom.dcmread(str(get_testdata_file("CT_small.dcm")))
    ds.PatientName, ds.PatientID = NAME, PATIENT_ID
    ds.add_new(SEX_PARAMETERS_SEQUENCE, "UN", _implicit_item(truncated=truncated))
    ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    ds.save_as(path, implicit_vr=True)
    return path


def _safe_private_sequence(path: Path) -> Path:
    ds = pydicom.dcmread(str(get_testdata_file("MR_small_implicit.dcm")))
    ds.PatientName, ds.PatientID = NAME, PATIENT_ID
    ds.add_new(0x01190010, "LO", "SIEMENS Ultrasound SC2000")  # (0119,xx02) SQ is safe
    item = Dataset()
    item.PatientName, item.PatientID = NAME, PATIENT_ID
    ds.add_new(0x01191002, "SQ", Sequence([item]))
    ds[0x01191002].is_undefined_length = False
    ds.save_as(path, implicit_vr=True)
    return path


@pytest.mark.parametrize(("build", "uri", "tag"), [
    (_newer_sequence, "deidentify:RetainPatientCharacteristicsOption", SEX_PARAMETERS_SEQUENCE),
    (_safe_private_sequence, "deidentify:RetainSafePrivateOption", 0x01191002),
])
@pytest.mark.parametrize("fast", [False, True])
def test_a_kept_sequence_read_without_a_vr_is_walked(
    tmp_path: Path, build: Callable[[Path], Path], uri: str, tag: int, fast: bool,
) -> None:
    source = build(tmp_path / "in.dcm")
    deidentifier = Deidentifier(Plan.build(parse_profile(uri)), SECRET)
    written = (fast_output(deidentifier, source) if fast
               else reference_output(deidentifier, source, tmp_path))
    assert written is not None
    assert b"QUINTERO" not in written and PATIENT_ID.encode() not in written
    kept = pydicom.dcmread(io.BytesIO(written))
    assert tag in kept
    assert written.count(b"\xfe\xff\x00\xe0") >= 1


def test_a_damaged_item_is_walked_as_far_as_it_reads(tmp_path: Path) -> None:
    source = _newer_sequence(tmp_path / "in.dcm", truncated=True)
    target = tmp_path / "out.dcm"
    deidentifier = Deidentifier(
        Plan.build(parse_profile("deidentify:RetainPatientCharacteristicsOption")), SECRET)
    deidentifier.deidentify_file(source, target)
    written = target.read_bytes()
    assert b"QUINTERO" not in written and PATIENT_ID.encode() not in written
