"""Real files shipped with pydicom: de-identify, write, re-read; pixel data byte-identical."""

from __future__ import annotations

import hashlib
import io
import shutil
import zlib
from pathlib import Path

import numpy
import pydicom
import pytest
from pydicom import Dataset
from pydicom.data import get_testdata_file

from deidentify import DeidentifyError
from deidentify.pixels import BurnedIn
from deidentify.writer import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, WriteError
from tests.runtime.helpers import deidentifier, elements, text_of

FILES = [
    "CT_small.dcm",
    "MR_small.dcm",
    "rtplan.dcm",
    "rtstruct.dcm",
    "rtdose.dcm",
    "test-SR.dcm",
    "reportsi.dcm",
    "emri_small.dcm",
    "liver.dcm",
    "JPEG2000.dcm",
    "MR_small_RLE.dcm",
    "SC_rgb_jpeg_dcmtk.dcm",
    "SC_rgb_jpeg.dcm",
    "emri_small_jpeg_2k_lossless.dcm",
    "JPEG-LL.dcm",
    "image_dfl.dcm",
    "MR_small_bigendian.dcm",
    "MR_small_implicit.dcm",
    "examples_overlay.dcm",
    "MR-SIEMENS-DICOM-WithOverlays.dcm",
    "waveform_ecg.dcm",
    "explicit_VR-UN.dcm",
    "UN_sequence.dcm",
]
PIXEL_DATA = 0x7FE00010


def _path(name: str) -> str:
    path = get_testdata_file(name)
    assert isinstance(path, str), name
    return path


def _pixel_bytes(ds: Dataset) -> bytes | None:
    element = ds.get_item(PIXEL_DATA)
    if element is None:
        return None
    value = element.value
    assert isinstance(value, bytes)
    return value


def _identifiers(ds: Dataset) -> list[str]:
    """Identifying values of the input that must not survive the Basic Profile."""
    found: list[str] = []
    for keyword in (
        "PatientName", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID",
        "AccessionNumber", "InstitutionName", "ReferringPhysicianName", "OperatorsName",
        "StationName", "StudyID",
    ):
        value = str(ds.get(keyword, "") or "").strip()
        if len(value) >= 3:
            found.append(value)
    return found


def _searchable(ds: Dataset) -> list[str]:
    """Values distinctive enough to search for in the output bytes."""
    found: list[str] = []
    for keyword in ("PatientName", "PatientID", "StudyInstanceUID", "SOPInstanceUID"):
        value = str(ds.get(keyword, "") or "").strip()
        if len(value) >= 4:
            found.append(value)
    return found


def _dates(ds: Dataset) -> set[str]:
    return {
        str(element.value)
        for element in elements(ds)
        if element.VR in ("DA", "DT") and element.value
    }


@pytest.mark.parametrize("name", FILES)
def test_basic_profile_on_a_real_file(name: str) -> None:
    """SC_rgb_jpeg.dcm has an implicit VR body under an explicit Transfer Syntax."""
    source = pydicom.dcmread(_path(name), force=True)
    original = pydicom.dcmread(_path(name), force=True)
    pixels = _pixel_bytes(source)
    identifiers = _identifiers(original)
    dates = _dates(original)
    transfer_syntax = original.file_meta.get("TransferSyntaxUID")

    deid = deidentifier(burned_in=BurnedIn.ACCEPT)  # pixels pass through, said so
    deid.apply(source)
    buffer = io.BytesIO()
    deid.write(source, buffer)
    written = buffer.getvalue()
    result = pydicom.dcmread(io.BytesIO(written))

    assert written[:128] == bytes(128)
    written_pixels = _pixel_bytes(result)
    if written_pixels != pixels:  # a codestream's comments blanked in place
        assert written_pixels is not None and pixels is not None
        assert len(written_pixels) == len(pixels)
        assert numpy.array_equal(result.pixel_array, original.pixel_array)
    meta = result.file_meta
    if transfer_syntax is not None:
        assert meta.TransferSyntaxUID == transfer_syntax
    assert meta.ImplementationClassUID == IMPLEMENTATION_CLASS_UID
    assert meta.ImplementationVersionName == IMPLEMENTATION_VERSION_NAME
    assert "SourceApplicationEntityTitle" not in meta
    if "SOPInstanceUID" in original:
        assert result.SOPInstanceUID == meta.MediaStorageSOPInstanceUID
        assert result.SOPInstanceUID != original.SOPInstanceUID
        assert result.SOPInstanceUID == deid.map_uid(original.SOPInstanceUID)
    assert result.PatientIdentityRemoved == "YES"
    assert result.LongitudinalTemporalInformationModified == "REMOVED"
    assert not any(element.tag.group % 2 for element in result)
    assert not any(element.tag.group % 2 for element in elements(result))
    assert not any(element.tag.group == 0x0004 for element in elements(result))
    values = set(text_of(result).split("\n"))
    for value in identifiers:
        assert value not in values
    surviving_dates = _dates(result) & dates
    assert not surviving_dates
    if meta.TransferSyntaxUID != "1.2.840.10008.1.2.1.99":
        for value in _searchable(original):
            assert value.encode() not in written.replace(pixels or b"", b"")


def test_deflated_output_is_deflated_and_still_carries_no_identifier() -> None:
    source = pydicom.dcmread(_path("image_dfl.dcm"))
    identifiers = _searchable(source)
    deid = deidentifier(burned_in=BurnedIn.ACCEPT)  # pixels pass through, said so
    deid.apply(source)
    buffer = io.BytesIO()
    deid.write(source, buffer)
    written = buffer.getvalue()
    result = pydicom.dcmread(io.BytesIO(written))
    meta_end = 132 + 12 + int(result.file_meta.FileMetaInformationGroupLength)
    body = zlib.decompress(written[meta_end:], -zlib.MAX_WBITS)
    assert identifiers
    for value in identifiers:
        assert value.encode() not in body


def test_deidentify_file_writes_atomically_and_leaves_the_input_alone(tmp_path: Path) -> None:
    source = tmp_path / "in.dcm"
    shutil.copyfile(_path("CT_small.dcm"), source)
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    target = tmp_path / "out" / "ct.dcm"
    target.parent.mkdir()
    deidentifier().deidentify_file(source, target)
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    assert sorted(path.name for path in target.parent.iterdir()) == ["ct.dcm"]
    result = pydicom.dcmread(target)
    assert result.PatientIdentityRemoved == "YES"


@pytest.mark.parametrize("name", ["priv_SQ.dcm", "nested_priv_SQ.dcm"])
def test_private_sequences_are_removed(name: str) -> None:
    ds = pydicom.dcmread(_path(name), force=True)
    assert any(element.tag.group % 2 for element in elements(ds))
    deidentifier().apply(ds)
    assert not any(element.tag.group % 2 for element in elements(ds))
    assert ds.PatientIdentityRemoved == "YES"


def test_without_sop_instance_the_file_meta_uid_is_mapped() -> None:
    ds = pydicom.dcmread(_path("priv_SQ.dcm"))
    original = ds.file_meta.MediaStorageSOPInstanceUID
    assert "SOPInstanceUID" not in ds
    deid = deidentifier()
    deid.apply(ds)
    assert ds.file_meta.MediaStorageSOPInstanceUID == deid.map_uid(original) != original
    buffer = io.BytesIO()
    deid.write(ds, buffer)
    assert original.encode() not in buffer.getvalue()


def test_a_dataset_without_any_sop_instance_uid_is_not_written(tmp_path: Path) -> None:
    ds = pydicom.dcmread(_path("nested_priv_SQ.dcm"), force=True)
    deid = deidentifier()
    deid.apply(ds)
    with pytest.raises(WriteError, match="SOP Instance UID"):
        deid.write(ds, io.BytesIO())
    with pytest.raises(DeidentifyError, match=r"nested_priv_SQ\.dcm"):
        deid.deidentify_file(_path("nested_priv_SQ.dcm"), tmp_path / "out.dcm")
    assert list(tmp_path.iterdir()) == []


def test_a_file_without_preamble_is_read(tmp_path: Path) -> None:
    target = tmp_path / "rtstruct.dcm"
    deidentifier().deidentify_file(_path("rtstruct.dcm"), target)
    assert pydicom.dcmread(target).PatientIdentityRemoved == "YES"


def test_a_file_that_is_not_dicom_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("not a DICOM file at all\n")
    target = tmp_path / "out.dcm"
    with pytest.raises(DeidentifyError, match=r"notes\.txt"):
        deidentifier().deidentify_file(source, target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [source]


def test_an_already_deidentified_object_is_processed_again() -> None:
    deid = deidentifier()
    ds = pydicom.dcmread(_path("CT_small.dcm"))
    original_uid = ds.SOPInstanceUID
    deid.apply(ds)
    once = ds.SOPInstanceUID
    codes_once = [item.CodeValue for item in ds.DeidentificationMethodCodeSequence]
    deid.apply(ds)
    assert ds.PatientIdentityRemoved == "YES"
    assert ds.SOPInstanceUID == deid.map_uid(once) != once != original_uid
    assert [item.CodeValue for item in ds.DeidentificationMethodCodeSequence] == codes_once
    purposes = [
        item.PurposeOfReferenceCodeSequence[0].CodeValue
        for item in ds.ContributingEquipmentSequence
    ]
    assert purposes.count("109104") == 1
