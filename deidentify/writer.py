"""Writing a de-identified dataset: this tool's File Meta and a zero preamble.

The File Meta Information of the input (Source Application Entity Title, private
information, the original Media Storage SOP Instance UID) is replaced: only the Transfer
Syntax is kept, so the encoded pixel data is written as it was read. Media Storage SOP
Instance UID follows the (replaced) SOP Instance UID.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import BinaryIO

import pydicom
from pydicom import Dataset
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import FileMetaDataset
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from deidentify.elements import raw_uid, written_uid

IMPLEMENTATION_CLASS_UID = UID("2.25.93631583075915243771660266888643323995")
IMPLEMENTATION_VERSION_NAME = "DEIDENTIFY_01"

SOP_CLASS_UID = 0x00080016
SOP_INSTANCE_UID = 0x00080018
MEDIA_STORAGE_SOP_CLASS_UID = 0x00020002
MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003
TRANSFER_SYNTAX_UID = 0x00020010
IMPLEMENTATION_CLASS_UID_TAG = 0x00020012
IMPLEMENTATION_VERSION_NAME_TAG = 0x00020013
PREAMBLE = bytes(128)


def _uid(value: object) -> UID:
    """``UID(str(value))``: a UID value (validated and stripped when it was made) as it is."""
    if type(value) is UID and not hasattr(value, "_PRIVATE_TS_ENCODING"):
        return value
    return UID(str(value))


def _element(tag: int, vr: str, value: str) -> DataElement:
    """``DataElement(tag, vr, value)`` for a value that is already of the type pydicom converts
    it to (a UID, a str of a text VR): not converted or validated again, unless a backslash
    would make it multi-valued."""
    return DataElement(tag, vr, value, already_converted="\\" not in value)


def _transfer_syntax(ds: Dataset, original: FileMetaDataset | None) -> UID:
    if original is not None and TRANSFER_SYNTAX_UID in original:
        read = raw_uid(original, TRANSFER_SYNTAX_UID)
        if read is not None:
            return UID(read)
        syntax = original[TRANSFER_SYNTAX_UID].value
        return syntax if type(syntax) is UID else UID(syntax)
    implicit, _ = ds.original_encoding
    return ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian


def group_two(elements: Iterable[DataElement | RawDataElement]) -> FileMetaDataset:
    """``FileMetaDataset`` of elements whose tags are all of group 0002, as the caller
    knows them to be (pydicom's own check of each tag is not repeated)."""
    meta = FileMetaDataset()
    meta._dict.update((element.tag, element) for element in elements)
    return meta


def file_meta(
    ds: Dataset,
    original: FileMetaDataset | None,
    map_uid: Callable[[str], str],
    retain_uids: bool,
) -> FileMetaDataset:
    """New File Meta for a de-identified dataset (called after its body is de-identified)."""
    elements: list[DataElement] = []
    if SOP_CLASS_UID in ds:
        sop_class: object = written_uid(ds, SOP_CLASS_UID) or ds[SOP_CLASS_UID].value
    elif original is not None and MEDIA_STORAGE_SOP_CLASS_UID in original:
        sop_class = original[MEDIA_STORAGE_SOP_CLASS_UID].value
    else:
        sop_class = ""
    if str(sop_class):
        elements.append(_element(MEDIA_STORAGE_SOP_CLASS_UID, "UI", _uid(sop_class)))
    if SOP_INSTANCE_UID in ds:
        instance = _uid(ds[SOP_INSTANCE_UID].value)
        elements.append(_element(MEDIA_STORAGE_SOP_INSTANCE_UID, "UI", instance))
    elif original is not None and MEDIA_STORAGE_SOP_INSTANCE_UID in original:
        uid = str(original[MEDIA_STORAGE_SOP_INSTANCE_UID].value)
        instance = UID(uid if retain_uids else map_uid(uid))
        elements.append(_element(MEDIA_STORAGE_SOP_INSTANCE_UID, "UI", instance))
    elements += [
        _element(TRANSFER_SYNTAX_UID, "UI", _transfer_syntax(ds, original)),
        _element(IMPLEMENTATION_CLASS_UID_TAG, "UI", IMPLEMENTATION_CLASS_UID),
        _element(IMPLEMENTATION_VERSION_NAME_TAG, "SH", IMPLEMENTATION_VERSION_NAME),
    ]
    return group_two(elements)


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
