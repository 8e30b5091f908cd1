"""Values the engine and the writer read without decoding the element leave the output as
decoding it would: the SOP Class UID that names the File Meta's, the Pixel Representation
that pydicom reads when a sequence is added, and the UIDs U replaces unseen by the engine."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset

from deidentify.elements import written_uid
from deidentify.fastpath import encoding
from tests.fastpath import synthetic
from tests.fastpath.paths import PROFILES, deidentifier, fast_output, reference_output

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
"""25 characters: written with one NUL of padding."""

SOP_CLASS_VALUES = {
    "padded with a NUL": CT_IMAGE_STORAGE.encode() + b"\0",
    "padded with a space": CT_IMAGE_STORAGE.encode() + b" ",
    "even, unpadded": b"1.2.840.10008.5.1.4.1.1.20",
    "even, two NULs": b"1.2.840.10008.5.1.4.1.1.2.1\0\0",
}

PIXEL_REPRESENTATIONS = {
    "one value": b"\x01\x00",
    "two values": b"\x00\x00\x01\x00",
    "empty": b"",
}


def _with_raw_value(path: Path, tag: int, value: bytes) -> Path:
    """A copy of the file at ``path`` whose top-level element ``tag`` (of a short VR, the
    last element of that tag in the file) has the value ``value``, header length included."""
    data = path.read_bytes()
    implicit = pydicom.dcmread(path).file_meta.TransferSyntaxUID.is_implicit_VR
    header = data.rindex((tag >> 16).to_bytes(2, "little") + (tag & 0xFFFF).to_bytes(2, "little"))
    size = 4 if implicit else 2
    start = header + 8 - size
    end = header + 8 + int.from_bytes(data[start : header + 8], "little")
    target = path.with_name(f"patched-{path.name}")
    target.write_bytes(data[:start] + len(value).to_bytes(size, "little") + value + data[end:])
    return target


def _source(tmp_path: Path, implicit: bool) -> tuple[Dataset, Path]:
    ds = next(synthetic.datasets())
    ds.SOPClassUID = CT_IMAGE_STORAGE
    name = "implicit.dcm" if implicit else "explicit.dcm"
    return ds, synthetic.write(ds, tmp_path / name, implicit)


@pytest.mark.parametrize("implicit", [False, True], ids=["explicit", "implicit"])
@pytest.mark.parametrize("written", SOP_CLASS_VALUES.values(), ids=SOP_CLASS_VALUES.keys())
def test_sop_class_uid_as_written_or_decoded(tmp_path: Path, written: bytes,
                                             implicit: bool) -> None:
    _, source = _source(tmp_path, implicit)
    source = _with_raw_value(source, 0x00080016, written)
    for uri in PROFILES:
        deid = deidentifier(uri)
        reference = reference_output(deid, source, tmp_path)
        assert reference is not None, uri
        assert fast_output(deid, source) == reference, uri
        uid = written.rstrip(b"\0 ").decode()
        output = pydicom.dcmread(pydicom.filebase.DicomBytesIO(reference))
        assert output.SOPClassUID == uid
        assert output.file_meta.MediaStorageSOPClassUID == uid
        padded = uid.encode() + (b"\0" if len(uid) % 2 else b"")
        assert reference.count(padded) >= 2, "the UID as pydicom writes it, in both places"


@pytest.mark.parametrize("implicit", [False, True], ids=["explicit", "implicit"])
@pytest.mark.parametrize("value", PIXEL_REPRESENTATIONS.values(),
                         ids=PIXEL_REPRESENTATIONS.keys())
def test_pixel_representation_as_read_or_decoded(tmp_path: Path, value: bytes,
                                                 implicit: bool) -> None:
    ds, source = _source(tmp_path, implicit)
    ds.PixelRepresentation = 1
    source = _with_raw_value(synthetic.write(ds, source, implicit), 0x00280103, value)
    for uri in PROFILES:
        deid = deidentifier(uri)
        assert fast_output(deid, source) == reference_output(deid, source, tmp_path), uri


def test_written_uid_only_where_pydicom_writes_the_same_bytes() -> None:
    ds = Dataset()
    cases = {0x00080016: (b"1.2.3\0", "1.2.3"), 0x00080018: (b"1.2.3 ", None),
             0x00081150: (b"1.2.34", "1.2.34"), 0x00081155: (b"1.2.3\0\0", None),
             0x0020000D: (b"01.2\0\0", None)}
    for tag, (value, _) in cases.items():
        ds[tag] = pydicom.dataelem.RawDataElement(
            pydicom.tag.BaseTag(tag), "UI", len(value), value, 0, False, True)
    for tag, (_, expected) in cases.items():
        assert written_uid(ds, tag) == expected
    ds.SOPClassUID = "1.2.3"
    assert written_uid(ds, 0x00080016) is None, "a decoded element is not read again"


@pytest.mark.parametrize("implicit", [False, True])
def test_encoded_uid_is_the_replaced_element_encoded(implicit: bool) -> None:
    deid = deidentifier("deidentify:")
    for uid in ("1.2.3", "1.2.840.10008.5.1.4.1.1.2.1234", "2.25.1"):
        element = deid.replaced_uid(0x0020000E, uid)
        assert encoding.encode_uid(0x0020000E, deid.map_uid(uid), implicit) == (
            encoding.encode(element, implicit, True))
