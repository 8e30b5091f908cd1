"""Element helpers that skip pydicom's decoding or validation must agree with pydicom."""

from __future__ import annotations

import io

import pydicom
import pytest
from pydicom import Dataset
from pydicom.dataelem import DataElement
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from deidentify.dummies import DUMMY_VALUES
from deidentify.elements import BINARY_VRS, constant_element, raw_uid, set_issued_uids, set_values
from deidentify.uids import UIDMapper, UIDScheme
from tests.runtime.helpers import SECRET

STUDY_UID = 0x0020000D

WELL_FORMED = [
    b"1.2.840.10008.5.1.4.1.1.2",
    b"1.2.840.10008.5.1.4.1.1.2\0",
    b"1.2.3 ",
    b"1.2.3\0\0  ",
    b"0.0",
    b"1." + b"1" * 62,
]
"""One valid UID, padded or not: read without pydicom."""

OTHERS = [
    b"1.02.3",
    b"1.2.",
    b".1.2",
    b" 1.2.3",
    b"1.2\\3.4",
    b"1.2.3x",
    b"",
    b"\0\0",
    b"1." + b"1" * 63,
    "1.2.\u00e93".encode("latin-1"),
]
"""Anything else: left to pydicom."""


def _read_back(value: bytes, syntax: UID) -> Dataset:
    """A dataset read by pydicom from a file whose Study Instance UID holds ``value``."""
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.3.4"
    ds.ensure_file_meta()
    ds.file_meta.TransferSyntaxUID = syntax
    stream = io.BytesIO()
    ds.save_as(stream, enforce_file_format=True)
    tag = STUDY_UID.to_bytes(4, "little")
    tag = tag[2:] + tag[:2]
    if syntax.is_implicit_VR:
        header = tag + len(value).to_bytes(4, "little")
    else:
        header = tag + b"UI" + len(value).to_bytes(2, "little")
    return pydicom.dcmread(io.BytesIO(stream.getvalue() + header + value))


@pytest.mark.parametrize("syntax", [ExplicitVRLittleEndian, ImplicitVRLittleEndian])
@pytest.mark.parametrize("value", WELL_FORMED, ids=repr)
def test_raw_uid_is_what_pydicom_decodes(value: bytes, syntax: UID) -> None:
    ds = _read_back(value, syntax)
    found = raw_uid(ds, STUDY_UID)
    decoded = ds[STUDY_UID].value
    assert isinstance(decoded, UID) and decoded.is_valid
    assert found == str(decoded)


@pytest.mark.parametrize("syntax", [ExplicitVRLittleEndian, ImplicitVRLittleEndian])
@pytest.mark.parametrize("value", OTHERS, ids=repr)
def test_raw_uid_leaves_anything_else_to_pydicom(value: bytes, syntax: UID) -> None:
    assert raw_uid(_read_back(value, syntax), STUDY_UID) is None


def test_raw_uid_leaves_a_decoded_element_to_pydicom() -> None:
    ds = Dataset()
    ds.StudyInstanceUID = "1.2.3"
    assert raw_uid(ds, STUDY_UID) is None


@pytest.mark.parametrize("scheme", list(UIDScheme))
@pytest.mark.parametrize("uids", [["1.2.3"], ["1.2.3", "1.2.4"], [""]])
def test_issued_uids_make_the_element_pydicom_makes(scheme: UIDScheme, uids: list[str]) -> None:
    mapper = UIDMapper(SECRET, scheme)
    issued = [mapper.map(uid) for uid in uids]
    ours, reference = Dataset(), Dataset()
    set_issued_uids(ours, STUDY_UID, issued)
    set_values(reference, STUDY_UID, "UI", issued)
    mine, theirs = ours[STUDY_UID], reference[STUDY_UID]
    assert type(mine.value) is type(theirs.value)
    assert mine.value == theirs.value
    assert (mine.VR, mine.validation_mode, mine.is_undefined_length) == (
        theirs.VR, theirs.validation_mode, theirs.is_undefined_length
    )
    assert all(UID(uid).is_valid for uid in issued if uid)


@pytest.mark.parametrize("vr", sorted(DUMMY_VALUES))
def test_constant_elements_equal_what_pydicom_makes(vr: str) -> None:
    for tag in (0x00100010, 0x00080020, 0x00091010):
        for value in (DUMMY_VALUES[vr], None, b"" if vr in BINARY_VRS else ""):
            for _ in range(2):
                mine, theirs = constant_element(tag, vr, value), DataElement(tag, vr, value)
                assert type(mine.value) is type(theirs.value)
                assert mine.value == theirs.value
                assert (mine.tag, mine.VR, mine.validation_mode) == (
                    theirs.tag, theirs.VR, theirs.validation_mode
                )
