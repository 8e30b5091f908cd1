"""The fast path against the reference path on every exact-tag attribute of Table E.1-1."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_file_meta_info
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, JPEG2000Lossless

from deidentify.fastpath.layout import read_layout
from tests.fastpath import synthetic
from tests.fastpath.paths import PROFILES, deidentifier, fast_output, reference_output


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("synthetic")
    files = []
    for index, ds in enumerate(synthetic.datasets()):
        for implicit in (False, True):
            name = f"part{index}-{'implicit' if implicit else 'explicit'}.dcm"
            files.append(synthetic.write(ds, folder / name, implicit))
    return files


def test_inputs_hold_every_kind_of_element(inputs: list[Path]) -> None:
    ds = pydicom.dcmread(inputs[0])
    assert any(element.VR == "SQ" for element in ds)
    assert any(element.tag.is_private for element in ds)
    assert 0x60003000 in ds and 0x50003000 in ds
    assert len(ds) > 150


@pytest.mark.parametrize("uri", PROFILES)
def test_fast_path_output_is_the_reference_output(
    uri: str, inputs: list[Path], tmp_path: Path
) -> None:
    deid = deidentifier(uri)
    for source in inputs:
        reference = reference_output(deid, source, tmp_path)
        fast = fast_output(deid, source)
        if reference is None:
            assert fast is None, f"{source.name}: the reference path rejects it"
            continue
        assert fast is not None, f"{source.name}: declined"
        assert fast == reference, f"{source.name}: output differs"


def _with_trailing_elements(encapsulated: bool) -> Dataset:
    ds = next(synthetic.datasets())
    if encapsulated:
        ds.PixelData = encapsulate([b"\x01\x02" * 8])
    ds.add_new(0x7FE00020, "OW", b"\x00\x01")
    ds.add_new(0xFFFAFFFA, "SQ", Sequence([Dataset()]))
    ds.add_new(0xFFFCFFFC, "OB", b"\x00\x00")
    return ds


def test_pixel_data_followed_by_other_elements(tmp_path: Path) -> None:
    source = synthetic.write(_with_trailing_elements(False), tmp_path / "trailing.dcm", False)
    deid = deidentifier("deidentify:")
    reference = reference_output(deid, source, tmp_path)
    assert reference is not None
    assert fast_output(deid, source) == reference


def test_fragments_under_a_native_transfer_syntax_are_declined(tmp_path: Path) -> None:
    """The reference writer gives such Pixel Data a defined length: not a copy."""
    ds = _with_trailing_elements(True)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = JPEG2000Lossless
    encapsulated = tmp_path / "encapsulated.dcm"
    ds.save_as(encapsulated, enforce_file_format=True)
    buffer = encapsulated.read_bytes()
    body = buffer[read_layout(buffer).meta[-1].end :]
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    head = DicomBytesIO()
    head.is_implicit_VR, head.is_little_endian = False, True
    head.write(bytes(128) + b"DICM")
    write_file_meta_info(head, ds.file_meta, enforce_standard=True)
    source = tmp_path / "native.dcm"
    source.write_bytes(head.getvalue() + body)
    assert read_layout(source.read_bytes()).elements[-4].undefined_length
    deid = deidentifier("deidentify:")
    assert reference_output(deid, source, tmp_path) is not None
    assert fast_output(deid, source) is None
