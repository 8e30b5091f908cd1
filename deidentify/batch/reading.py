"""Reading an input the way the reference path does, with the checks pydicom leaves out.

pydicom reads a truncated file without complaint when the cut falls inside a value or an
element header; a de-identification run must not pass such a file off as done, so the
top-level elements read are checked against the file's size. Files without the ``DICM``
prefix are read only when they start like a dataset (a raw dataset with no File Meta).
"""

from __future__ import annotations

import warnings
from enum import Enum
from pathlib import Path
from typing import BinaryIO

import pydicom
from pydicom.dataelem import DataElement, RawDataElement
from pydicom.dataset import Dataset, FileDataset
from pydicom.errors import InvalidDicomError
from pydicom.filereader import read_file_meta_info
from pydicom.uid import DeflatedExplicitVRLittleEndian

from deidentify.batch.results import (
    DICOMDIR_DROPPED,
    NOT_DICOM,
    TRUNCATED,
    FileFailed,
    FileSkipped,
)
from deidentify.inflation import DEFAULT_LIMIT, InflationLimit, InflationRefused, check_file
from deidentify.structure import CorruptStructure, check_path

MEDIA_STORAGE_DIRECTORY = "1.2.840.10008.1.3.10"
PREFIX_OFFSET = 128
HEAD_BYTES = 1024
"""Read to sniff a file: the preamble, prefix and (nearly always) the File Meta group."""
_RAW_START_GROUPS = frozenset({0x0002, 0x0008})
_DELIMITER_LENGTH = 8
UNDEFINED_LENGTH = 0xFFFFFFFF


class Kind(Enum):
    """How an input file begins."""

    PART10 = "part10"
    RAW = "raw"


def kind_of(head: bytes, path: Path, dicomdir_reason: str = DICOMDIR_DROPPED) -> Kind:
    """The kind of the file at ``path`` that begins with ``head`` (its first ``HEAD_BYTES``,
    or all of a shorter file); FileSkipped for a non-DICOM file or a DICOMDIR."""
    if head[PREFIX_OFFSET : PREFIX_OFFSET + 4] == b"DICM":
        if MEDIA_STORAGE_DIRECTORY.encode("ascii") in head:
            try:
                meta = read_file_meta_info(path)
            except Exception:
                raise FileFailed(TRUNCATED) from None
            if str(meta.get("MediaStorageSOPClassUID", "")) == MEDIA_STORAGE_DIRECTORY:
                raise FileSkipped(dicomdir_reason)
        return Kind.PART10
    if len(head) >= 8:
        little = int.from_bytes(head[:2], "little")
        big = int.from_bytes(head[:2], "big")
        if little in _RAW_START_GROUPS or big in _RAW_START_GROUPS:
            return Kind.RAW
    raise FileSkipped(NOT_DICOM)


def _element_end(raw: RawDataElement) -> int:
    value = raw.value or b""
    if raw.length == UNDEFINED_LENGTH:
        return raw.value_tell + len(value) + _DELIMITER_LENGTH
    return raw.value_tell + raw.length


def _value_position(elem: RawDataElement | DataElement) -> int:
    if isinstance(elem, RawDataElement):
        return elem.value_tell
    return elem.file_tell or 0


def check_values(ds: Dataset) -> None:
    """FileFailed if a value read is shorter than its declared length, or nothing was read."""
    if not ds._dict:
        raise FileFailed(TRUNCATED)
    for elem in ds._dict.values():
        if (
            isinstance(elem, RawDataElement)
            and elem.length != UNDEFINED_LENGTH
            and elem.value is not None
            and len(elem.value) != elem.length
        ):
            raise FileFailed(TRUNCATED)


def check_end(ds: Dataset, size: int) -> None:
    """FileFailed if the last element read does not end where the file ends."""
    last = max(ds._dict.values(), key=_value_position)
    if isinstance(last, RawDataElement) and _element_end(last) != size:
        raise FileFailed(TRUNCATED)


def check_complete(ds: FileDataset, size: int) -> None:
    """FileFailed if the top-level elements read do not account for the file's bytes."""
    check_values(ds)
    syntax = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
    if syntax != DeflatedExplicitVRLittleEndian:
        check_end(ds, size)


def read_dataset(
    stream: BinaryIO,
    kind: Kind,
    size: int,
    limit: InflationLimit = DEFAULT_LIMIT,
    **options: object,
) -> FileDataset:
    """Read a dataset as the reference path does; FileFailed if truncated or unparseable, or
    if it is deflated and inflates past ``limit``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            check_file(stream, limit)
        except InflationRefused as refused:
            raise FileFailed(str(refused)) from None
        try:
            ds = pydicom.dcmread(stream, force=kind is Kind.RAW, **options)  # type: ignore[arg-type]
        except (InvalidDicomError, EOFError, ValueError, KeyError, NotImplementedError,
                OverflowError, TypeError):
            raise FileFailed(TRUNCATED) from None
    if any("end of file" in str(warning.message).lower() for warning in caught):
        raise FileFailed(TRUNCATED)
    return ds


def check_structure(path: Path) -> None:
    """FileFailed naming the problem if the file's element structure is inconsistent
    (:mod:`deidentify.structure`); a file cut short is reported as truncated."""
    try:
        check_path(path)
    except CorruptStructure as error:
        raise FileFailed(TRUNCATED if error.truncated else str(error)) from None


def read_whole(path: Path, kind: Kind, limit: InflationLimit = DEFAULT_LIMIT) -> FileDataset:
    """The whole dataset of an input, checked to be complete and consistent."""
    with open(path, "rb") as stream:
        size = stream.seek(0, 2)
        stream.seek(0)
        ds = read_dataset(stream, kind, size, limit)
    check_structure(path)
    check_complete(ds, size)
    return ds
