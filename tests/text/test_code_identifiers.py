"""The attributes that identify a coded concept (Code Value, Long Code Value, Coding Scheme
Designator, ...) are codes: a dummy sequence's items keep them (the Basic Profile's Content
Sequence) as they keep a Code Value, the cleaner cleans them as codes (the object's own
identifiers go, a six-digit code stays), while the free text beside them is still replaced
or cleaned."""

from __future__ import annotations

import copy

import pydicom
import pytest
from pydicom import Dataset
from pydicom.data import get_testdata_file
from pydicom.sequence import Sequence

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.cleaning import IdentifyingValues
from deidentify.text import clean

SECRET = b"code identifier tests: a fixed secret"
DECLARED_NAME = "Quibbleton"
PROFILES = ("deidentify:", "deidentify:CleanStructuredContentOption",
            "deidentify:CleanDescriptorsOption")


def _report() -> Dataset:
    path = get_testdata_file("test-SR.dcm")
    assert isinstance(path, str)
    ds = pydicom.dcmread(path)
    ds.PatientName = f"{DECLARED_NAME}^Zorana"
    item = ds.ContentSequence[0]
    code = item.ConceptNameCodeSequence[0]
    code.LongCodeValue = "121008"
    own = Dataset()
    own.LongCodeValue = f"99_{DECLARED_NAME}_CODE_1234567"
    own.CodingSchemeDesignator = "99LOCAL"
    own.CodeMeaning = "Local code"
    item.ConceptCodeSequence = Sequence([own])
    item.add_new(0x0040A160, "UT", f"Reported to {DECLARED_NAME} on 555 0199")  # Text Value
    return ds


def _apply(uri: str) -> Dataset:
    ds = copy.deepcopy(_report())
    Deidentifier(Plan.build(parse_profile(uri)), secret=SECRET).apply(ds)
    return ds


@pytest.mark.parametrize("uri", PROFILES)
def test_a_long_code_value_is_a_code(uri: str) -> None:
    item = _apply(uri).ContentSequence[0]
    code = item.ConceptNameCodeSequence[0]
    assert code.LongCodeValue == "121008"
    assert code.CodeValue == "1234.0"
    assert DECLARED_NAME not in str(item.get(0x0040A160, ""))


def test_the_object_s_own_identifiers_leave_a_cleaned_code() -> None:
    code = _apply(PROFILES[1]).ContentSequence[0].ConceptNameCodeSequence[0]
    assert code.CodingSchemeDesignator == "99_[ORG]_DCMTK", "OFFIS: the report's organisation"
    own = _apply(PROFILES[1]).ContentSequence[0].ConceptCodeSequence[0].LongCodeValue
    assert DECLARED_NAME not in own
    assert own.startswith("99_") and own.endswith("_CODE_1234567")


def test_one_word_uc_values_are_codes_and_sentences_are_text() -> None:
    assert clean("121008", "UC") == "121008"
    assert clean("MK0416-77", "UC") == "MK0416-77"
    own = IdentifyingValues.of(["MRN12345"])
    assert "MRN12345" not in clean("X_MRN12345_Y", "UC", own)
    sentence = clean("Seen by Dr Smith, MRN 448812", "UC")
    assert "Smith" not in sentence and "448812" not in sentence
