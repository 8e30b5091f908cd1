"""Synthetic inputs: every exact-tag attribute of Table E.1-1 with a value of its VR.

The attributes of PS3.15 2026c are spread over several files, each with private blocks (one
safe under Table E.3.10-1, one not), curves and overlays, and nested sequences, written in
explicit and implicit VR little endian.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pydicom.datadict import dictionary_VR
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian

import generated
from generated.model import PatternKind

CT_IMAGE_STORAGE = UID("1.2.840.10008.5.1.4.1.1.2")

_VALUES: dict[str, object] = {
    "AE": "STATION_AE",
    "AS": "045Y",
    "AT": 0x00100010,
    "CS": "VALUE",
    "DA": "20200131",
    "DS": "1.5",
    "DT": "20200131101112.5",
    "FD": 2.5,
    "FL": 1.25,
    "IS": "7",
    "LO": "Doe Hospital, 12 Main Street",
    "LT": "Patient John Doe seen on 20200131",
    "OB": b"\x01\x02\x03\x04",
    "OD": b"\x00" * 8,
    "OF": b"\x00" * 4,
    "OL": b"\x00" * 4,
    "OV": b"\x00" * 8,
    "OW": b"\x01\x00\x02\x00",
    "PN": "Doe^John",
    "SH": "ID12345",
    "SL": -3,
    "SS": -2,
    "ST": "Referred by Dr Smith",
    "SV": -4,
    "TM": "101112",
    "UC": "unlimited characters",
    "UL": 9,
    "UN": b"\x05\x06",
    "UR": "http://example.org/patient/12345",
    "US": 3,
    "UT": "unlimited text about Doe",
    "UV": 8,
}


def _exact_tags() -> list[int]:
    edition = generated.load("2026c")
    return [rule.tag.value for rule in edition.attributes if rule.tag.kind is PatternKind.EXACT]


def _vr(tag: int) -> str | None:
    try:
        vr = dictionary_VR(tag)
    except KeyError:
        return None
    return vr if len(vr) == 2 else None


def _item(index: int) -> Dataset:
    """A sequence item with listed and unlisted attributes, one nested sequence deep."""
    item = Dataset()
    item.PatientName = f"Inner^Name{index}"
    item.ReferencedSOPClassUID = CT_IMAGE_STORAGE
    item.ReferencedSOPInstanceUID = f"1.2.826.0.1.3680043.9.{index}.1"
    item.CodeMeaning = "unlisted text inside an item"
    inner = Dataset()
    inner.StudyDate = "20190101"
    inner.InstitutionName = "Inner Hospital"
    item.ReferencedStudySequence = Sequence([inner])
    return item


def _add(ds: Dataset, tag: int, vr: str, index: int) -> None:
    if vr == "SQ":
        ds.add_new(tag, vr, Sequence([_item(index), _item(index + 1)]))
    elif vr == "UI":
        ds.add_new(tag, vr, f"1.2.826.0.1.3680043.9.{tag & 0xFFFF}.{index}")
    else:
        ds.add_new(tag, vr, _VALUES[vr])


def _private_blocks(ds: Dataset) -> None:
    """A safe private block (Table E.3.10-1) and an unknown one with a sequence."""
    safe = generated.load("2026c").safe_private[0]
    creator = ds.private_block(safe.group, safe.private_creator, create=True)
    creator.add_new(safe.element, safe.vr, "2.5")
    creator.add_new(0xFE, "LO", "not in the safe table")
    other = ds.private_block(0x0009, "ACME Private", create=True)
    other.add_new(0x01, "LO", "Doe^John")
    other.add_new(0x02, "SQ", Sequence([_item(90)]))


def _curves_and_overlays(ds: Dataset) -> None:
    ds.add_new(0x60000010, "US", 2)
    ds.add_new(0x60000011, "US", 2)
    ds.add_new(0x60003000, "OW", b"\x01\x00")
    ds.add_new(0x60004000, "LT", "overlay comment with Doe")
    ds.add_new(0x50000005, "US", 1)
    ds.add_new(0x50003000, "OW", b"\x00\x00")


def datasets(parts: int = 4) -> Iterator[Dataset]:
    """The exact-tag attributes of Table E.1-1, split over ``parts`` datasets."""
    tags = [tag for tag in _exact_tags() if tag >> 16 not in (0x0000, 0x0002, 0x0004) and _vr(tag)]
    for part in range(parts):
        ds = Dataset()
        for index, tag in enumerate(tags[part::parts]):
            vr = _vr(tag)
            assert vr is not None
            _add(ds, tag, vr, index)
        ds.SpecificCharacterSet = "ISO_IR 100"
        ds.SOPClassUID = CT_IMAGE_STORAGE
        ds.SOPInstanceUID = f"1.2.826.0.1.3680043.9.7.{part}"
        ds.PatientID = f"PID{part}"
        ds.Rows = ds.Columns = 2
        ds.BitsAllocated = ds.BitsStored = 16
        ds.HighBit = 15
        ds.PixelRepresentation = 0
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.PixelData = b"\x00\x01" * 4
        _private_blocks(ds)
        _curves_and_overlays(ds)
        yield ds


def write(ds: Dataset, path: Path, implicit: bool) -> Path:
    """Save ``ds`` as a DICOM file in implicit or explicit VR little endian."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.save_as(path, enforce_file_format=True)
    return path
