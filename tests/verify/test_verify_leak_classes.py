"""Leaks an older build of the runtime wrote and `deidentify verify` must flag: an original's
date in an unlisted date attribute, a name and an ID in overlay groups past 60xx=1E, and a
name in a sequence's bytes hidden under a text tag in implicit VR. Each output is this
tool's own output of a real file with the leak planted into it."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pydicom
import pytest
from pydicom import Dataset
from pydicom.data import get_testdata_file
from pydicom.dataelem import DataElement
from pydicom.filewriter import write_dataset
from pydicom.uid import ImplicitVRLittleEndian

from deidentify import Plan, parse_profile
from deidentify.verify.findings import Violation
from deidentify.verify.run import verify_trees
from tests.verify.verify_helpers import SECRET, deidentify_tree

NAME = "Quillfeather^Ondine"
PATIENT_ID = "QF-5512093"
BIRTH_DATE = "19610923"
EXPIRY_DATE = 0x00141020
"""Expiry Date (DA): Table E.1-1 does not list it."""
BASIC = "deidentify:"
FULL_DATES = "deidentify:RetainLongitudinalTemporalInformationFullDatesOption"
MODIFIED_DATES = "deidentify:RetainLongitudinalTemporalInformationModifiedDatesOption"

Plant = Callable[[Dataset], None]


def _verify(tmp_path: Path, prepare: Plant, plant: Plant, profile: str = BASIC,
            implicit_output: bool = False, in_both: bool = False) -> list[Violation]:
    """Verify this tool's output of CT_small.dcm (with ``prepare`` applied to the original)
    after ``plant`` has been applied to the output (``in_both``: to the original too, once
    it has been de-identified: what the current runtime would refuse to read)."""
    source = get_testdata_file("CT_small.dcm")
    assert isinstance(source, str)
    original = pydicom.dcmread(source)
    original.PatientName, original.PatientID = NAME, PATIENT_ID
    original.PatientBirthDate = BIRTH_DATE
    prepare(original)
    (tmp_path / "in").mkdir()
    original.save_as(tmp_path / "in" / "ct.dcm", enforce_file_format=True)
    deidentify_tree(tmp_path / "in", tmp_path / "out", profile)
    target = tmp_path / "out" / "ct.dcm"
    output = pydicom.dcmread(target)
    clean = verify_trees(tmp_path / "in", tmp_path / "out",
                         Plan.build(parse_profile(profile)), SECRET, None)
    assert clean.violations == [], "the output before the plant must pass"
    for ds, path in [(output, target)] + ([(original, tmp_path / "in" / "ct.dcm")]
                                          if in_both else []):
        plant(ds)
        if implicit_output:
            ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
        ds.save_as(path, enforce_file_format=True)
    result = verify_trees(tmp_path / "in", tmp_path / "out",
                          Plan.build(parse_profile(profile)), SECRET, None)
    return result.violations


def _leaks_at(violations: list[Violation]) -> set[str]:
    """The paths of the identifying-value findings; none quotes an identifier."""
    for violation in violations:
        text = repr(violation)
        assert not any(secret in text for secret in (NAME.split("^")[0], PATIENT_ID, "Hiddenmark",
                                                       BIRTH_DATE, "1961"))
    return {v.path for v in violations if v.kind == "identifying value"}


def _nothing(ds: Dataset) -> None:
    pass


def _expiry_date(value: str) -> Plant:
    return lambda ds: ds.add(DataElement(EXPIRY_DATE, "DA", value))


def test_a_birth_date_kept_in_an_unlisted_date_attribute_is_a_leak(tmp_path: Path) -> None:
    """The original itself holds its birth date in Expiry Date, and the older build kept it:
    kept at that place with that value, but a date the profile does not keep."""
    violations = _verify(tmp_path, _nothing, _expiry_date(BIRTH_DATE), in_both=True)
    assert "(0014,1020)" in _leaks_at(violations)


def test_an_unlisted_date_of_the_original_is_an_identifying_value(tmp_path: Path) -> None:
    violations = _verify(tmp_path, _nothing, _expiry_date("20210304"), in_both=True)
    assert "(0014,1020)" in _leaks_at(violations)


@pytest.mark.parametrize("written", ["1961-09-23", "23/09/1961", "23.09.1961"])
def test_a_reformatted_birth_date_is_a_leak(tmp_path: Path, written: str) -> None:
    violations = _verify(tmp_path, _nothing,
                         lambda ds: ds.add(DataElement(0x00080070, "LO", f"ACME {written}")))
    assert "(0008,0070)" in _leaks_at(violations)


def test_full_dates_keep_an_unlisted_date(tmp_path: Path) -> None:
    """Under the Full Dates option the unlisted date is legitimately kept where it was."""
    assert _verify(tmp_path, _expiry_date("20210304"), _nothing, FULL_DATES) == []


def test_modified_dates_shift_an_unlisted_date(tmp_path: Path) -> None:
    """A date the Modified Dates option shifts is not the original's: the shifted output
    passes, the original date kept in place does not."""
    assert _verify(tmp_path, _expiry_date("20210304"), _nothing, MODIFIED_DATES) == []


def test_an_original_time_is_a_leak_under_modified_dates(tmp_path: Path) -> None:
    """Modified Dates moves times of day too (docs/values.md): the original Study Time written
    back into the output, as a time or as text, is a leak."""
    study_time = "101112"

    def prepare(ds: Dataset) -> None:
        ds.StudyTime = study_time

    violations = _verify(tmp_path, prepare, lambda ds: ds.add(
        DataElement(0x00081090, "LO", f"ACME {study_time[:2]}:{study_time[2:4]}:{study_time[4:]}")),
        MODIFIED_DATES)
    assert "(0008,1090)" in _leaks_at(violations)


def _overlay_past_1e(ds: Dataset) -> None:
    ds.add(DataElement(0x60200022, "LO", NAME.replace("^", " ")))
    ds.add(DataElement(0x60221500, "LO", PATIENT_ID))


@pytest.mark.parametrize("in_original", [False, True])
def test_a_name_and_an_id_in_overlay_groups_past_1e_are_leaks(tmp_path: Path,
                                                              in_original: bool) -> None:
    """Groups past 60 1E are no overlay (PS3.5 7.6): nothing in them is kept, even where the
    original held the same value there."""
    violations = _verify(tmp_path, _nothing, _overlay_past_1e, in_both=in_original)
    assert {"(6020,0022)", "(6022,1500)"} <= _leaks_at(violations)


def test_an_id_in_an_unknown_element_read_as_un_is_a_leak(tmp_path: Path) -> None:
    unknown = 0x0018FFF0
    assert not pydicom.datadict.dictionary_has_tag(unknown)

    def plant(ds: Dataset) -> None:
        ds.add(DataElement(unknown, "UN", f"ID {PATIENT_ID}".encode()))

    violations = _verify(tmp_path, _nothing, plant, implicit_output=True, in_both=True)
    assert "(0018,FFF0)" in _leaks_at(violations)


def _sequence_bytes(item: Dataset) -> bytes:
    """An implicit VR sequence of one item, as bytes: what a text tag may hide."""
    body = io.BytesIO()
    write_dataset(pydicom.filebase.DicomFileLike(body), item)
    data = body.getvalue()
    return b"\xfe\xff\x00\xe0" + len(data).to_bytes(4, "little") + data


def _hidden_name(name: str) -> Plant:
    inner = Dataset()
    inner.PatientName = name
    inner.is_little_endian, inner.is_implicit_VR = True, True
    text = _sequence_bytes(inner).decode("latin-1")
    return lambda ds: ds.add(DataElement(0x00180015, "CS", text))


@pytest.mark.parametrize("in_original", [False, True])
def test_a_name_in_a_sequence_hidden_under_body_part_examined_is_a_leak(
        tmp_path: Path, in_original: bool) -> None:
    """The patient's name hidden in the output; or, where the original hides it too (and
    the older build kept the value as it was), a name found only in the hidden item."""
    plant = _hidden_name("Hiddenmark^Ysolde" if in_original else NAME)
    violations = _verify(tmp_path, _nothing, plant, implicit_output=True, in_both=in_original)
    assert "(0018,0015)" in _leaks_at(violations)
