"""Writing a de-identified dataset: this tool's File Meta and a zero preamble.

The File Meta Information of the input (Source Application Entity Title, private
information, the original Media Storage SOP Instance UID) is replaced: only the Transfer
Syntax is kept, so the encoded pixel data is written as it was read. Media Storage SOP
Instance UID follows the (replaced) SOP Instance UID.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import BinaryIO

import pydicom
from pydicom import Dataset
from pydicom.dataset import FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian

IMPLEMENTATION_CLASS_UID = UID("2.25.93631583075915243771660266888643323995")
IMPLEMENTATION_VERSION_NAME = "DEIDENTIFY_01"

SOP_CLASS_UID = 0x00080016
SOP_INSTANCE_UID = 0x00080018
PREAMBLE = bytes(128)


def _transfer_syntax(ds: Dataset, original: FileMetaDataset | None) -> UID:
    if original is not None and "TransferSyntaxUID" in original:
        return UID(original.TransferSyntaxUID)
    implicit, _ = ds.original_encoding
    return ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian


def file_meta(
    ds: Dataset,
    original: FileMetaDataset | None,
    map_uid: Callable[[str], str],
    retain_uids: bool,
) -> FileMetaDataset:
    """New File Meta for a de-identified dataset (called after its body is de-identified)."""
    meta = FileMetaDataset()
    sop_class = _value(ds, original, SOP_CLASS_UID, "MediaStorageSOPClassUID")
    if sop_class:
        meta.MediaStorageSOPClassUID = UID(sop_class)
    if SOP_INSTANCE_UID in ds:
        meta.MediaStorageSOPInstanceUID = UID(str(ds[SOP_INSTANCE_UID].value))
    elif original is not None and "MediaStorageSOPInstanceUID" in original:
        uid = str(original.MediaStorageSOPInstanceUID)
        meta.MediaStorageSOPInstanceUID = UID(uid if retain_uids else map_uid(uid))
    meta.TransferSyntaxUID = _transfer_syntax(ds, original)
    meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    return meta


def _value(ds: Dataset, original: FileMetaDataset | None, tag: int, keyword: str) -> str:
    if tag in ds:
        return str(ds[tag].value)
    if original is not None and keyword in original:
        return str(original[keyword].value)
    return ""


NOT_WRITABLE = "no SOP Class UID or SOP Instance UID: not a composite instance, not written"


class WriteError(ValueError):
    """A dataset that cannot be written as a DICOM file."""


def writable(ds: Dataset) -> bool:
    """Whether the File Meta names the SOP Class and Instance, as a DICOM file needs."""
    meta = getattr(ds, "file_meta", None)
    return meta is not None and all(
        meta.get(keyword) for keyword in ("MediaStorageSOPClassUID", "MediaStorageSOPInstanceUID")
    )


def _resolve_missing_vrs(ds: Dataset) -> None:
    """Give elements read without a VR (an implicit body under an explicit Transfer Syntax)
    their dictionary VR, so they can be written explicitly."""
    for tag in list(ds.keys()):
        if ds.get_item(tag).VR is not None:
            continue
        element = ds[tag]
        if element.VR == "SQ":
            for item in element.value or ():
                _resolve_missing_vrs(item)


def write(ds: Dataset, target: str | os.PathLike[str] | BinaryIO) -> None:
    """Write ``ds`` as a DICOM file with a zero preamble and its (this tool's) File Meta.

    Raises WriteError when the dataset has no SOP Class or SOP Instance UID.
    """
    if not writable(ds):
        raise WriteError(NOT_WRITABLE)
    if not UID(ds.file_meta.TransferSyntaxUID).is_implicit_VR:
        _resolve_missing_vrs(ds)
    ds.preamble = PREAMBLE
    pydicom.dcmwrite(target, ds, enforce_file_format=True)
