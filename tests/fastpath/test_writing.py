"""The fast path's File Meta preparation does what pydicom's ``validate_file_meta`` does."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset, validate_file_meta
from pydicom.uid import ExplicitVRLittleEndian

from deidentify import writer
from deidentify.fastpath.writing import _validate_file_meta


def _writer_meta() -> FileMetaDataset:
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.SOPInstanceUID = "2.25.1234"
    original = FileMetaDataset()
    original.TransferSyntaxUID = ExplicitVRLittleEndian
    return writer.file_meta(ds, original, lambda uid: uid, True)


def _without(tag: int) -> Callable[[FileMetaDataset], None]:
    def change(meta: FileMetaDataset) -> None:
        del meta[tag]

    return change


def _emptied(tag: int) -> Callable[[FileMetaDataset], None]:
    def change(meta: FileMetaDataset) -> None:
        meta[tag] = DataElement(tag, meta[tag].VR, None)

    return change


def _with_version(meta: FileMetaDataset) -> None:
    meta.FileMetaInformationVersion = b"\x00\x02"


def _with_source_title(meta: FileMetaDataset) -> None:
    meta.SourceApplicationEntityTitle = "SCANNER"


CHANGES: dict[str, Callable[[FileMetaDataset], None]] = {
    "as written": lambda meta: None,
    "no version name": _without(0x00020013),
    "no implementation class": _without(0x00020012),
    "empty implementation class": _emptied(0x00020012),
    "empty version name": _emptied(0x00020013),
    "a version already": _with_version,
    "another element": _with_source_title,
}


def _state(meta: FileMetaDataset) -> list[tuple[int, str, object]]:
    return [(int(tag), meta[tag].VR, meta[tag].value) for tag in meta._dict]


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_validate_file_meta_as_pydicom(name: str) -> None:
    ours = _writer_meta()
    CHANGES[name](ours)
    theirs = copy.deepcopy(ours)
    _validate_file_meta(ours)
    validate_file_meta(theirs, enforce_standard=True)
    assert _state(ours) == _state(theirs)


@pytest.mark.parametrize("tag", [0x00020002, 0x00020003, 0x00020010])
def test_a_missing_or_empty_required_element_fails_as_in_pydicom(tag: int) -> None:
    for change in (_without(tag), _emptied(tag)):
        ours = _writer_meta()
        change(ours)
        theirs = copy.deepcopy(ours)
        with pytest.raises(AttributeError) as expected:
            validate_file_meta(theirs, enforce_standard=True)
        with pytest.raises(AttributeError) as found:
            _validate_file_meta(ours)
        assert str(found.value) == str(expected.value)
