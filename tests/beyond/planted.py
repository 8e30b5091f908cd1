"""Marker identities planted where Table E.1-1 is silent, one input file per channel.

Each channel puts a patient's name, ID, UID, date or time where an attacker would: public tags
no dictionary defines (drawn with a seeded RNG from the dictionary's gaps), the same inside a
kept sequence item, an item tag met as an element after Pixel Data, wrong VRs on known tags,
a sequence under a non-sequence tag, unlisted identifying attributes, a listed date written
with VR SH. ``MARKERS`` are the byte strings that must never be in an output.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydicom import Dataset
from pydicom.dataelem import DataElement
from pydicom.dataset import FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from deidentify import Plan, parse_profile
from deidentify.beyond.dictionary import entry

NAME = "Zyxtrowicz^Quellbaumer"
PATIENT_ID = "QX77319428"
UID = "1.2.826.0.1.3680043.10.543.77319428"
DATE = "20110412"
TIME = "071523.417"
DATE_TIME = DATE + "071523"
MARKERS = (b"Zyxtrowicz", b"Quellbaumer", PATIENT_ID.encode(), UID.encode(), DATE.encode(),
           b"071523")
"""What no output may contain: name parts, ID, UID, date and time of day."""

BASIC = "deidentify:"
MODIFIED_DATES = "deidentify:RetainLongitudinalTemporalInformationModifiedDatesOption"
PROFILES = (BASIC, MODIFIED_DATES)

ITEM = 0xFFFEE000
CT_IMAGE_STORAGE = str(CTImageStorage)
VOI_LUT_SEQUENCE = 0x00283010
"""An unlisted standard sequence: kept, its items walked."""
REFERENCED_IMAGE_SEQUENCE = 0x00081140
"""A listed sequence kept with its UIDs replaced (X/Z/U*)."""
REGION_SPATIAL_FORMAT = 0x00186012
NAMED_UNKNOWN = (0x00102020, 0x00E20010, 0x00060010)
"""Public tags no dictionary defines, named in the issue (the rest are drawn at random)."""


def unknown_tags(count: int, seed: int) -> list[int]:
    """``count`` public tags in gaps of the dictionary and the table, drawn with a seed."""
    plan = Plan.build(parse_profile(BASIC))
    rng = random.Random(seed)
    tags: list[int] = []
    while len(tags) < count:
        group = rng.randrange(0x0008, 0x7FE0) & ~1
        tag = group << 16 | rng.randrange(0x0001, 0x10000)
        if entry(tag) is None and plan.action_for(tag) is None and tag not in tags:
            tags.append(tag)
    return tags


_MARKER_VALUES: tuple[tuple[str, object], ...] = (
    ("LO", NAME), ("PN", NAME), ("SH", PATIENT_ID), ("UI", UID), ("DA", DATE),
    ("DT", DATE_TIME), ("UT", f"{NAME} {PATIENT_ID}"), ("OB", PATIENT_ID.encode()),
    ("UN", NAME.encode()),
)


def _marker_element(tag: int, index: int) -> DataElement:
    vr, value = _MARKER_VALUES[index % len(_MARKER_VALUES)]
    return DataElement(tag, vr, value)


def base() -> Dataset:
    """A small CT instance whose own identity is the marker identity."""
    ds = Dataset()
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = UID + ".1"
    ds.StudyInstanceUID = UID
    ds.SeriesInstanceUID = UID + ".2"
    ds.PatientName = NAME
    ds.PatientID = PATIENT_ID
    ds.PatientBirthDate = "19650101"
    ds.StudyDate = DATE
    ds.StudyTime = TIME
    ds.Modality = "CT"
    ds.Rows, ds.Columns = 4, 4
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
    ds.PixelRepresentation, ds.SamplesPerPixel = 0, 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.PixelData = bytes(range(32))
    return ds


def _unknown_at_top(ds: Dataset) -> None:
    for index, tag in enumerate(NAMED_UNKNOWN + tuple(unknown_tags(18, seed=9))):
        ds.add(_marker_element(tag, index))


def _unknown_in_kept_items(ds: Dataset) -> None:
    voi, referenced = Dataset(), Dataset()
    voi.WindowCenter, voi.WindowWidth = "40", "400"
    referenced.ReferencedSOPClassUID = CTImageStorage
    referenced.ReferencedSOPInstanceUID = UID + ".9"
    for index, tag in enumerate(unknown_tags(12, seed=10)):
        (voi if index % 2 else referenced).add(_marker_element(tag, index))
    ds.add(DataElement(VOI_LUT_SEQUENCE, "SQ", Sequence([voi])))
    ds.add(DataElement(REFERENCED_IMAGE_SEQUENCE, "SQ", Sequence([referenced])))


def _identifying_unlisted(ds: Dataset) -> None:
    """Unlisted standard attributes that identify a person, an organisation or a device, at
    the top level and inside a kept item."""
    issuer = Dataset()
    issuer.UniversalEntityID = f"urn:oid:{UID}"
    issuer.UniversalEntityIDType = "ISO"
    ds.IssuerOfPatientIDQualifiersSequence = Sequence([issuer])
    ds.EvaluatorName = NAME
    ds.ContactDisplayName = NAME
    ds.DeviceID = PATIENT_ID
    voi = Dataset()
    voi.SecondaryReviewerName = NAME
    voi.OwnerID = PATIENT_ID
    ds.add(DataElement(VOI_LUT_SEQUENCE, "SQ", Sequence([voi])))


def _wrong_vrs(ds: Dataset) -> None:
    ds[0x00280011] = DataElement(0x00280011, "PN", NAME)  # Columns
    ds[0x00080060] = DataElement(0x00080060, "DA", DATE)  # Modality
    inner = Dataset()
    inner.PatientName = NAME
    inner.StudyInstanceUID = UID
    ds[0x00280010] = DataElement(0x00280010, "SQ", Sequence([inner]))  # Rows


def _long_binary_value(ds: Dataset) -> None:
    """A name hidden in a fixed-size binary value too long for its VM (Region Spatial
    Format, US, one value)."""
    ds[REGION_SPATIAL_FORMAT] = DataElement(
        REGION_SPATIAL_FORMAT, "US", list(struct.unpack("<11H", NAME.encode())))


def _date_as_sh(ds: Dataset) -> None:
    ds[0x00080020] = DataElement(0x00080020, "SH", DATE)  # Study Date
    ds[0x00080021] = DataElement(0x00080021, "LO", DATE)  # Series Date
    ds[0x00080031] = DataElement(0x00080031, "SH", TIME)  # Series Time
    ds[0x0008002A] = DataElement(0x0008002A, "LO", DATE_TIME)  # Acquisition DateTime


def _dates_and_times(ds: Dataset) -> None:
    ds.SeriesDate, ds.SeriesTime = DATE, "235959"
    ds.ContentDate, ds.ContentTime = DATE, TIME
    ds.AcquisitionDateTime = DATE_TIME + ".25+0200"
    ds.PatientBirthTime = "071523"
    ds.TimezoneOffsetFromUTC = "+0200"


@dataclass(frozen=True)
class Channel:
    """One way identity is planted; ``explicit_only`` where only the VR on the wire tells."""

    name: str
    plant: Callable[[Dataset], None]
    explicit_only: bool = False
    item_after_pixel_data: bool = False


CHANNELS = (
    Channel("unknown-top-level", _unknown_at_top),
    Channel("unknown-in-kept-items", _unknown_in_kept_items),
    Channel("identifying-unlisted", _identifying_unlisted),
    Channel("wrong-vrs", _wrong_vrs, explicit_only=True),
    Channel("long-binary-value", _long_binary_value),
    Channel("dates-as-text", _date_as_sh, explicit_only=True),
    Channel("dates-and-times", _dates_and_times),
    Channel("item-after-pixel-data", lambda ds: None, item_after_pixel_data=True),
)


def item_element(value: bytes) -> bytes:
    """An (FFFE,E000) item tag met as a top-level element: tag, 4-byte length, value."""
    return struct.pack("<HHL", ITEM >> 16, ITEM & 0xFFFF, len(value)) + value


def write(channel: Channel, folder: Path, implicit: bool) -> Path:
    """The channel's input file."""
    ds = base()
    ds.SOPInstanceUID = f"{UID}.{CHANNELS.index(channel) + 1}.{int(implicit)}"
    channel.plant(ds)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    path = folder / f"{channel.name}-{'implicit' if implicit else 'explicit'}.dcm"
    ds.save_as(path, enforce_file_format=True)
    if channel.item_after_pixel_data:
        with open(path, "ab") as stream:
            stream.write(item_element(f"{NAME} {PATIENT_ID} {UID}".encode()))
    return path


def inputs(folder: Path) -> Iterator[tuple[Channel, Path]]:
    """Every channel's input file, explicit and (where it means anything) implicit VR."""
    for channel in CHANNELS:
        for implicit in (False, True):
            if implicit and channel.explicit_only:
                continue
            yield channel, write(channel, folder, implicit)


def leaked(data: bytes) -> list[bytes]:
    """The markers present in an output."""
    return [marker for marker in MARKERS if marker in data]
