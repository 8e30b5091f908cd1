"""Inside a private sequence that nothing declares safe, which Retain Safe Private keeps and
walks item by item, an unlisted value that can hold free text (text VRs, addresses,
application titles, UN, a code string its VR cannot hold) is removed, at every depth;
numbers, binary values, conforming codes and the table's own attributes keep their
treatment; a sequence marked safe keeps its items whole; the fast path writes the same
bytes as the reference path."""

from __future__ import annotations

import io
from pathlib import Path

import pydicom
from pydicom import Dataset
from pydicom.data import get_testdata_file
from pydicom.dataelem import RawDataElement
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.beyond import UnknownPolicy
from deidentify.elements import written_bytes
from deidentify.fastpath import fast_deidentify_file
from tests.runtime.helpers import SECRET, deidentifier

SAFE_PRIVATE = "deidentify:RetainSafePrivateOption"
CREATOR = 0x00290010
SEQUENCE = 0x00291001
TEXT = "Seen by Dr Quentina Verifymarker, tel 555 0199"
FREE_TEXT = {
    0x0040A160: ("UT", TEXT),  # Text Value
    0x00080104: ("LO", TEXT[:60]),  # Code Meaning
    0x00080100: ("SH", "QV-7731"),  # Code Value
    0x00081080: ("LO", TEXT[:60]),  # Admitting Diagnoses Description
    0x00400241: ("AE", "QVSTATION"),  # Performed Station AE Title
    0x00081190: ("UR", "https://pacs.example/patient/QV-7731"),  # Retrieve URL
}
KEPT = {
    0x00280010: ("US", 512),  # Rows
    0x0040A30A: ("DS", "12.5"),  # Numeric Value
    0x0040A040: ("CS", "TEXT"),  # Value Type
}


def _item() -> Dataset:
    item = Dataset()
    for tag, (vr, value) in {**FREE_TEXT, **KEPT}.items():
        item.add_new(tag, vr, value)
    item.add_new(0x0040A050, "CS", "lowercase name")  # Continuity Of Content, not a code
    nested = Dataset()
    nested.add_new(0x00080104, "LO", TEXT[:60])
    nested.add_new(0x00280011, "US", 256)
    item.add_new(0x0040A043, "SQ", Sequence([nested]))  # Concept Name Code Sequence
    return item


def _dataset(creator: str = "UNKNOWN VENDOR 1.0") -> Dataset:
    path = get_testdata_file("CT_small.dcm")
    assert isinstance(path, str)
    ds = pydicom.dcmread(path)
    ds.add_new(CREATOR, "LO", creator)
    ds.add_new(SEQUENCE, "SQ", Sequence([_item()]))
    return ds


def test_free_text_in_an_unvetted_private_sequence_is_removed() -> None:
    ds = _dataset()
    deidentifier(SAFE_PRIVATE).apply(ds)
    item = ds[SEQUENCE].value[0]
    for tag in FREE_TEXT:
        assert tag not in item, hex(tag)
    for tag, (_, value) in KEPT.items():
        assert item[tag].value == value, hex(tag)
    assert 0x0040A050 not in item
    nested = item[0x0040A043].value[0]
    assert 0x00080104 not in nested and nested[0x00280011].value == 256


def test_the_basic_profile_removes_the_sequence_whole() -> None:
    ds = _dataset()
    deidentifier().apply(ds)
    assert SEQUENCE not in ds and CREATOR not in ds


def test_a_block_marked_safe_keeps_its_items_whole() -> None:
    ds = _dataset("ACME 1.0")
    mark = Dataset()
    mark.PrivateGroupReference = 0x0029
    mark.PrivateCreatorReference = "ACME 1.0"
    mark.BlockIdentifyingInformationStatus = "SAFE"
    ds.PrivateDataElementCharacteristicsSequence = Sequence([mark])
    deidentifier(SAFE_PRIVATE).apply(ds)
    item = ds[SEQUENCE].value[0]
    assert item[0x0040A160].value == TEXT
    assert item[0x0040A043].value[0][0x00080104].value == TEXT[:60]


def test_the_fast_path_writes_what_the_reference_path_writes(tmp_path: Path) -> None:
    source = tmp_path / "in.dcm"
    _dataset().save_as(source, enforce_file_format=True)
    engine = deidentifier(SAFE_PRIVATE)
    engine.deidentify_file(source, tmp_path / "reference.dcm")
    fast = io.BytesIO()
    assert fast_deidentify_file(engine, source, fast)
    assert fast.getvalue() == (tmp_path / "reference.dcm").read_bytes()
    assert b"Verifymarker" not in fast.getvalue() and b"QV-7731" not in fast.getvalue()


def test_a_value_of_no_known_vr_is_removed_under_unknown_keep() -> None:
    ds = _dataset()
    item = ds[SEQUENCE].value[0]
    unknown = 0x0040000C  # an even tag no dictionary defines
    item[unknown] = RawDataElement(BaseTag(unknown), None, len(b"VERIFYMARKER"),
                                   b"VERIFYMARKER", 0, True, True)
    engine = Deidentifier(Plan.build(parse_profile(SAFE_PRIVATE),
                                     unknown=UnknownPolicy.KEEP), SECRET)
    engine.apply(ds)
    assert unknown not in ds[SEQUENCE].value[0]
    assert ds[SEQUENCE].value[0][0x00280010].value == 512


NUMBERS = {
    0x00180050: ("DS", b"QV SMITH", b"2.5 "),  # Slice Thickness
    0x00200013: ("IS", b"12A ", b"-12 "),  # Instance Number
}


def _raw(tag: int, vr: str, value: bytes) -> RawDataElement:
    return RawDataElement(BaseTag(tag), vr, len(value), value, 0, False, True)


def test_a_number_holding_letters_is_removed_under_either_unknown_policy() -> None:
    for policy in UnknownPolicy:
        ds = _dataset()
        item = ds[SEQUENCE].value[0]
        inner = item[0x0040A043].value[0]
        for tag, (vr, letters, number) in NUMBERS.items():
            item[tag] = _raw(tag, vr, letters)
            inner[tag] = _raw(tag, vr, number)
        engine = Deidentifier(Plan.build(parse_profile(SAFE_PRIVATE), unknown=policy), SECRET)
        engine.apply(ds)
        item = ds[SEQUENCE].value[0]
        inner = item[0x0040A043].value[0]
        for tag, (_, _, number) in NUMBERS.items():
            assert tag not in item, (policy, hex(tag))
            assert str(inner[tag].value) == number.decode().strip(), (policy, hex(tag))
        written = io.BytesIO()
        engine.write(ds, written)
        for _, letters, _ in NUMBERS.values():
            assert letters.strip() not in written.getvalue(), policy


def test_written_bytes_of_decoded_numbers_are_their_text() -> None:
    ds = Dataset()
    ds.SliceThickness = "1.50"
    ds.add_new(0x00200013, "IS", "0012")
    ds.ImagePositionPatient = ["1", "-2.5", "3e2"]
    assert written_bytes(ds[0x00180050]) == b"1.50"
    assert written_bytes(ds[0x00200013]) == b"0012"
    assert written_bytes(ds[0x00200032]) == b"1\\-2.5\\3e2"
    ds.add_new(0x00180015, "CS", None)
    assert written_bytes(ds[0x00180015]) == b""
