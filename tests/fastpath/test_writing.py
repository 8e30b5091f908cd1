"""The fast path's File Meta preparation and encoding do what pydicom's
``validate_file_meta`` and ``write_file_meta_info`` do."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset, validate_file_meta
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_file_meta_info
from pydicom.uid import (
    UID,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEGBaseline8Bit,
)

from deidentify import writer
from deidentify.fastpath.writing import _SYNTAXES, _meta_elements, _syntax, _validate_file_meta


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


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_the_file_meta_is_written_as_pydicom_writes_it(name: str) -> None:
    ours = _writer_meta()
    CHANGES[name](ours)
    _validate_file_meta(ours)
    theirs = copy.deepcopy(ours)
    stream = DicomBytesIO()
    stream.is_implicit_VR, stream.is_little_endian = False, True
    write_file_meta_info(stream, theirs, enforce_standard=True)
    assert _meta_elements(ours) == stream.getvalue()


def test_group_two_holds_what_file_meta_dataset_holds() -> None:
    elements = list(_writer_meta()._dict.values())
    assert _state(writer.group_two(elements)) == _state(FileMetaDataset(
        {element.tag: element for element in elements}))


@pytest.mark.parametrize("uid, expected", [
    (ExplicitVRLittleEndian, (True, False, False)),
    (ImplicitVRLittleEndian, (True, True, False)),
    (JPEGBaseline8Bit, (True, False, True)),
    (ExplicitVRBigEndian, (False, False, False)),
    (DeflatedExplicitVRLittleEndian, (False, False, False)),
])
def test_a_transfer_syntax_is_known_by_pydicom_s_own_properties(
        uid: UID, expected: tuple[bool, bool, bool]) -> None:
    assert tuple(_syntax(uid) or ()) == expected


def test_a_private_or_unknown_syntax_is_not_written_nor_remembered() -> None:
    for uid in (UID("1.2.3.4.5"), UID("1.2.840.10008.1.2.99"), "1.2.840.10008.1.2.1"):
        assert _syntax(uid) is None
    assert "1.2.3.4.5" not in _SYNTAXES and "1.2.840.10008.1.2.99" not in _SYNTAXES
