"""Inputs whose element structure is inconsistent, one per class, built from a marker file.

The marker file holds a Patient's Name, IDs and a UID in the top-level dataset and in nested
items (explicit VR little endian, defined and undefined lengths); each corruption changes a
few bytes of it, as damage or a hostile writer would.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.sequence import Sequence
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian, JPEGBaseline8Bit

NAME = "Corruptmarker^Leontyne"
PATIENT_ID = "CMID-55102"
STUDY_UID = "1.2.826.0.1.3680043.10.999.41551.7"


def marker_dataset(syntax: UID = ExplicitVRLittleEndian) -> Dataset:
    """A CT-like instance with identifying markers at the top level and in nested items."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = syntax
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.SOPInstanceUID = "1.2.826.0.1.3680043.10.999.41551.8"
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.StudyDate = "20110412"
    ds.Modality = "CT"
    ds.StudyDescription = "Chest"
    ds.PatientName = NAME
    ds.PatientID = PATIENT_ID
    ds.StudyInstanceUID = STUDY_UID
    ds.SeriesInstanceUID = STUDY_UID + ".1"
    reference = Dataset()
    reference.ReferencedSOPClassUID = ds.SOPClassUID
    reference.ReferencedSOPInstanceUID = STUDY_UID + ".2"
    ds.ReferencedImageSequence = Sequence([reference])
    request = Dataset()
    request.RequestedProcedureID = PATIENT_ID
    request.ScheduledProcedureStepID = "CMSPS-77"
    ds.RequestAttributesSequence = Sequence([request])
    ds.RequestAttributesSequence[0].is_undefined_length_sequence_item = True
    ds["RequestAttributesSequence"].is_undefined_length = True
    ds.Rows, ds.Columns = 8, 8
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PixelData = bytes(64)
    return ds


def encoded(ds: Dataset) -> bytes:
    stream = io.BytesIO()
    pydicom.dcmwrite(stream, ds, enforce_file_format=True)
    return stream.getvalue()


def marker_file() -> bytes:
    return encoded(marker_dataset())


def implicit_marker_file() -> bytes:
    """The marker instance in implicit VR little endian."""
    return encoded(marker_dataset(ImplicitVRLittleEndian))


def encapsulated_file(fragment: int = 64) -> bytes:
    """The marker instance with JPEG Baseline Pixel Data of one fragment of ``fragment`` bytes."""
    ds = marker_dataset(JPEGBaseline8Bit)
    ds.PixelData = encapsulate([b"\xff\xd8" + bytes(fragment - 4) + b"\xff\xd9"])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    return encoded(ds)


def large_native_file() -> bytes:
    """The marker instance with 1.5 MB of native Pixel Data (the streaming path takes it)."""
    ds = marker_dataset()
    ds.Rows, ds.Columns = 1024, 1536
    ds.PixelData = bytes(1024 * 1536)
    return encoded(ds)


def tag_bytes(tag: int) -> bytes:
    return struct.pack("<HH", tag >> 16, tag & 0xFFFF)


def offset_of(data: bytes, tag: int, occurrence: int = 0) -> int:
    """Where the header of ``tag`` starts (the ``occurrence``-th time it appears)."""
    position = -1
    for _ in range(occurrence + 1):
        position = data.index(tag_bytes(tag), position + 1)
    return position


def short_length(data: bytes, tag: int, change: Callable[[int], int]) -> bytes:
    """The explicit VR short length of ``tag`` changed."""
    at = offset_of(data, tag) + 6
    (length,) = struct.unpack_from("<H", data, at)
    return data[:at] + struct.pack("<H", change(length)) + data[at + 2:]


def long_length(data: bytes, at: int, change: Callable[[int], int]) -> bytes:
    """The 4-byte length at ``at`` changed."""
    (length,) = struct.unpack_from("<L", data, at)
    return data[:at] + struct.pack("<L", change(length) & 0xFFFFFFFF) + data[at + 4:]


ITEM = 0xFFFEE000
SEQUENCE_DELIMITER = 0xFFFEE0DD
REFERENCED_IMAGE_SEQUENCE = 0x00081140
REFERENCED_SOP_INSTANCE_UID = 0x00081155
REQUEST_ATTRIBUTES_SEQUENCE = 0x00400275
PATIENT_NAME = 0x00100010
PATIENT_ID_TAG = 0x00100020
STUDY_DESCRIPTION = 0x00081030
PIXEL_DATA = 0x7FE00010
SOP_INSTANCE_UID = 0x00080018


def _first_item(data: bytes, sequence: int) -> int:
    return data.index(tag_bytes(ITEM), offset_of(data, sequence))


def _swallow_next(data: bytes, tag: int) -> bytes:
    """The value of ``tag`` lengthened to take in the whole element after it."""
    at = offset_of(data, tag)
    (length,) = struct.unpack_from("<H", data, at + 6)
    following = at + 8 + length
    (next_length,) = struct.unpack_from("<H", data, following + 6)
    return short_length(data, tag, lambda n: n + 8 + next_length)


def _flip_tag(data: bytes, tag: int, flipped: int) -> bytes:
    at = offset_of(data, tag)
    return data[:at] + tag_bytes(flipped) + data[at + 4:]


def _pixel_items(data: bytes) -> int:
    """Where the Basic Offset Table item of encapsulated Pixel Data starts."""
    return offset_of(data, PIXEL_DATA) + 12


def _fragment(data: bytes) -> int:
    """Where the first fragment item starts (after the Basic Offset Table item)."""
    table = _pixel_items(data)
    return table + 8 + int(struct.unpack_from("<L", data, table + 4)[0])


CORRUPTIONS: dict[str, Callable[[], bytes]] = {
    "a value runs past its item": lambda: short_length(
        marker_file(), REFERENCED_SOP_INSTANCE_UID, lambda n: n + 40),
    "an item runs past its sequence": lambda: long_length(
        marker_file(), _first_item(marker_file(), REFERENCED_IMAGE_SEQUENCE) + 4,
        lambda n: n + 2),
    "a sequence length shorter than its items": lambda: long_length(
        marker_file(), offset_of(marker_file(), REFERENCED_IMAGE_SEQUENCE) + 8,
        lambda n: n - 2),
    "a value swallows the next element": lambda: _swallow_next(
        marker_file(), STUDY_DESCRIPTION),
    "a value length one byte longer": lambda: short_length(
        marker_file(), STUDY_DESCRIPTION, lambda n: n + 1),
    "a value length two bytes shorter": lambda: short_length(
        marker_file(), PATIENT_NAME, lambda n: n - 2),
    "a value length past the end of the file": lambda: short_length(
        marker_file(), PATIENT_ID_TAG, lambda n: 0xFFF0),
    "a flipped tag": lambda: _flip_tag(marker_file(), PATIENT_ID_TAG, 0x00100002),
    "a UID under a flipped tag in implicit VR": lambda: _flip_tag(
        implicit_marker_file(), SOP_INSTANCE_UID, 0x0008001C),
    "a repeated element": lambda: _flip_tag(marker_file(), PATIENT_ID_TAG, PATIENT_NAME),
    "an item tag where an element belongs": lambda: _flip_tag(
        marker_file(), STUDY_DESCRIPTION, ITEM),
    "a sequence without its delimiter": lambda: _flip_tag(
        marker_file(), SEQUENCE_DELIMITER, 0xFFFEE00D),
    "VR bytes that are no VR": lambda: marker_file().replace(
        tag_bytes(PATIENT_NAME) + b"PN", tag_bytes(PATIENT_NAME) + b"\x10\x00", 1),
    "encapsulated Pixel Data with a bad item tag": lambda: (lambda d: d[:_fragment(d)]
        + tag_bytes(0xFFFEE0EE) + d[_fragment(d) + 4:])(encapsulated_file()),
    "a Pixel Data fragment past the end": lambda: (lambda d: long_length(
        d, _fragment(d) + 4, lambda n: n + 1000))(encapsulated_file()),
    "a Pixel Data fragment of undefined length": lambda: (lambda d: long_length(
        d, _fragment(d) + 4, lambda n: 0xFFFFFFFF))(encapsulated_file()),
    "encapsulated Pixel Data without its delimiter": lambda: encapsulated_file()[:-8],
    "encapsulated Pixel Data without any item": lambda: (lambda d: d[
        :_pixel_items(d)] + tag_bytes(SEQUENCE_DELIMITER) + bytes(4))(encapsulated_file()),
}
"""Each class of corruption, as the bytes of a whole file."""
