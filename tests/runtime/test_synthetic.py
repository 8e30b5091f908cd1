"""Every exact-tag attribute of Table E.1-1 (2026c), marked, under Basic and each option alone."""

from __future__ import annotations

import functools
import io
import re

import pydicom
import pytest
from pydicom import Dataset
from pydicom.datadict import dictionary_has_tag
from pydicom.dataelem import DataElement
from pydicom.uid import ImplicitVRLittleEndian

import generated
from deidentify import Deidentifier, Plan, Treatment, parse_profile
from deidentify.dates import DateShifter
from deidentify.elements import is_declared_unknown
from deidentify.linkage import KeyedPatients, PatientIdentity, read_identity
from deidentify.pseudonyms import ae_title_pseudonym
from generated.model import ActionCode, Option
from tests.runtime.helpers import EDITION, SECRET, deidentifier
from tests.runtime.synthetic import (
    CLEANED_VRS,
    NESTING_SEQUENCE,
    PATIENT_ID,
    PATIENT_ID_TAG,
    Marked,
    build,
    marked_rules,
)

MARKER_PREFIXES = (b"MK", b"MN", b"MR0", b"MS0", PATIENT_ID.encode(), b"1.2.826.0.1.3680043.10.999")
OVERRIDDEN_AT_TOP = frozenset({0x00080018, 0x0020000D})
"""Set by ``build`` itself at the top level (SOP and Study Instance UID)."""
SEQUENCE_TREATMENTS = frozenset(
    {
        Treatment.KEEP_AND_CLEAN_ITEMS,
        Treatment.DUMMY_AND_CLEAN_ITEMS,
        Treatment.CLEAN_STRUCTURED_CONTENT,
        Treatment.CLEAN_GRAPHICS,
        Treatment.CLEAN_TEXT,
        Treatment.KEEP,
        Treatment.REPLACE_UID,
    }
)


def _roundtrip(deid: Deidentifier, ds: Dataset) -> tuple[bytes, Dataset]:
    deid.apply(ds)
    buffer = io.BytesIO()
    deid.write(ds, buffer)
    written = buffer.getvalue()
    return written, pydicom.dcmread(io.BytesIO(written))


def _levels(result: Dataset) -> list[tuple[Dataset, bool]]:
    nested = result[NESTING_SEQUENCE].value
    assert len(nested) == 1
    return [(result, False), (nested[0], True)]


def _comparable(value: object) -> object:
    if isinstance(value, bytes):
        return value.rstrip(b"\0 ")
    if isinstance(value, str | int | float):
        return value
    return str(value)


def _same(element: DataElement, expected: object) -> bool:
    value = element.value
    if isinstance(expected, str):
        return str(value).rstrip(" \0") == expected
    return _comparable(value) == _comparable(expected)


def _checked(markeds: list[Marked]) -> list[tuple[Marked, bool]]:
    return [
        (marked, nested)
        for marked in markeds
        for nested in (False, True)
        if marked.rule.tag.value != PATIENT_ID_TAG
        and (nested or marked.rule.tag.value not in OVERRIDDEN_AT_TOP)
    ]


@pytest.mark.parametrize("edition", generated.EDITIONS)
def test_basic_profile_leaves_no_marker_anywhere_in_the_output(edition: str) -> None:
    written, result = _roundtrip(deidentifier("deidentify:", edition), build(edition))
    for prefix in (*MARKER_PREFIXES, b"MKPREAMBLE", b"MKSOURCEAE", b"MKIMPLNAME"):
        assert prefix not in written, prefix
    assert written[:128] == bytes(128)
    markeds = marked_rules(edition)
    for marked, nested in _checked(markeds):
        level = _levels(result)[1 if nested else 0][0]
        tag = marked.rule.tag.value
        if tag in level and marked.vr != "SQ":
            assert not _same(level[tag], marked.nested if nested else marked.top), (
                marked.rule.tag.text
            )
    assert result[0x7FE00010].value == b"\x01\x02"


def test_basic_profile_on_implicit_vr_where_new_attributes_lose_their_vr() -> None:
    source = build()
    source.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
    buffer = io.BytesIO()
    source.save_as(buffer, enforce_file_format=True)
    implicit = pydicom.dcmread(io.BytesIO(buffer.getvalue()))
    unknown = [m for m in marked_rules(EDITION) if not dictionary_has_tag(m.rule.tag.value)]
    assert unknown
    for marked in unknown:
        assert implicit.get_item(marked.rule.tag.value).VR is None
    written, _ = _roundtrip(deidentifier(), implicit)
    for prefix in MARKER_PREFIXES:
        assert prefix not in written, prefix


@functools.cache
def _identity() -> PatientIdentity:
    """The identity of ``build``'s patient: Patient ID and Issuer of Patient ID."""
    return read_identity(build())


LINKED_AT_TOP = frozenset({0x00100010, PATIENT_ID_TAG})
"""Patient's Name and Patient ID: at the top level, the patient's keyed pseudonym."""


def _expect(
    deid: Deidentifier, marked: Marked, treatment: Treatment, level: Dataset, nested: bool
) -> None:
    tag = marked.rule.tag.value
    identity = _identity()
    if tag in LINKED_AT_TOP and not nested:
        pseudonym = KeyedPatients(SECRET).values_for(identity).patient_id
        assert str(level[tag].value) == pseudonym != PATIENT_ID, tag
        return
    original = marked.nested if nested else marked.top
    where = f"{marked.rule.tag.text} {treatment.name} nested={nested}"
    unknown_vr = marked.vr == "UN" and not is_declared_unknown(tag)
    if treatment is Treatment.REMOVE or (treatment is Treatment.DUMMY and unknown_vr):
        assert tag not in level, where
        return
    assert tag in level, where
    element = level[tag]
    if marked.vr == "SQ":
        if treatment is Treatment.EMPTY:
            assert len(element.value) == 0, where
            return
        assert treatment in SEQUENCE_TREATMENTS, where
        assert len(element.value) == 1, where
        inner = element.value[0]
        assert str(inner.get("PatientName", "")).startswith(("MR", "MS")) is False, where
        return
    if treatment is Treatment.KEEP:
        assert _same(element, original), where
    elif treatment is Treatment.EMPTY:
        assert element.is_empty, where
    elif treatment is Treatment.DUMMY:
        assert not element.is_empty and not _same(element, original), where
    elif treatment is Treatment.REPLACE_UID:
        assert isinstance(original, str)
        assert element.value == deid.map_uid(original) != original, where
    elif treatment is Treatment.SHIFT_DATE:
        assert isinstance(original, str)
        shifter = DateShifter(SECRET)
        offset = shifter.patient_offset(identity.key)
        carries = (0, 1) if tag in deid.plan.date_time_pairs else (0,)
        shifted = {shifter.shift(marked.vr, original, offset, carry) for carry in carries}
        assert element.value in shifted, where
        assert original not in shifted, where
    elif treatment is Treatment.CLEAN_TEXT:
        assert isinstance(original, str)
        if marked.vr in CLEANED_VRS:
            # the marker "MK0020" is itself shaped like an identifier, so it goes too
            assert str(element.value) == "[ID] [ID]", where
            assert PATIENT_ID not in str(element.value), where
        else:
            assert _same(element, original), where
    elif treatment is Treatment.PSEUDONYMIZE:
        assert isinstance(original, str)
        assert element.value == ae_title_pseudonym(SECRET, original) != original, where
    else:
        pytest.fail(f"unexpected treatment {where}")


@pytest.mark.parametrize("option", generated.load(EDITION).options, ids=lambda o: o.value)
def test_each_option_alone(option: Option) -> None:
    plan = Plan.build(parse_profile(f"deidentify:{option.value}", EDITION))
    deid = Deidentifier(plan, SECRET)
    _, result = _roundtrip(deid, build())
    levels = _levels(result)
    survivors: set[int] = set()
    for marked, nested in _checked(marked_rules(EDITION)):
        row = plan.action_for(marked.rule.tag.value)
        assert row is not None and row.rule is marked.rule
        treatment = row.treatment_for_vr(marked.vr, plan.policy)
        level = levels[1 if nested else 0][0]
        _expect(deid, marked, treatment, level, nested)
        tag = marked.rule.tag.value
        if not nested and marked.vr != "SQ" and tag in level and _same(
            level[tag], marked.top
        ):
            survivors.add(tag)
    kept_by_option = {
        m.rule.tag.value
        for m in marked_rules(EDITION)
        if m.rule.code_for(option) is ActionCode.K
        and m.vr != "SQ"
        and m.rule.tag.value not in OVERRIDDEN_AT_TOP | {PATIENT_ID_TAG}
    }
    cleaned_unchanged = {
        m.rule.tag.value
        for m in marked_rules(EDITION)
        if m.rule.code_for(option) is ActionCode.C
        and (m.vr == "TM" or m.vr not in CLEANED_VRS | {"DA", "DT", "AE"})
        and m.vr != "SQ"
    }
    assert kept_by_option <= survivors
    assert survivors - kept_by_option <= cleaned_unchanged


def test_uids_map_consistently_across_two_instances_of_one_study() -> None:
    deid = deidentifier()
    study = "1.2.826.0.1.3680043.10.999.5.1"
    first, second = build(study_uid=study, index=1), build(study_uid=study, index=2)
    first_sop, second_sop = first.SOPInstanceUID, second.SOPInstanceUID
    deid.apply(first)
    deid.apply(second)
    assert first.StudyInstanceUID == second.StudyInstanceUID == deid.map_uid(study) != study
    assert first.SOPInstanceUID == deid.map_uid(first_sop)
    assert second.SOPInstanceUID == deid.map_uid(second_sop)
    assert first.SOPInstanceUID != second.SOPInstanceUID
    assert first.file_meta.MediaStorageSOPInstanceUID == first.SOPInstanceUID
    nested_first = first[NESTING_SEQUENCE].value[0]
    nested_second = second[NESTING_SEQUENCE].value[0]
    assert nested_first.StudyInstanceUID == nested_second.StudyInstanceUID
    assert re.fullmatch(r"2\.25\.[1-9]\d*", first.StudyInstanceUID)


def test_a_separate_deidentifier_with_the_same_secret_maps_alike() -> None:
    study = "1.2.826.0.1.3680043.10.999.5.2"
    a, b = build(study_uid=study), build(study_uid=study)
    deidentifier().apply(a)
    deidentifier().apply(b)
    assert a.StudyInstanceUID == b.StudyInstanceUID
    other = Deidentifier(Plan.build(parse_profile("deidentify:")), b"another secret")
    c = build(study_uid=study)
    other.apply(c)
    assert c.StudyInstanceUID != a.StudyInstanceUID


def test_retain_uids_keeps_every_uid_and_the_file_meta_follows() -> None:
    study = "1.2.826.0.1.3680043.10.999.5.3"
    ds = build(study_uid=study)
    sop = ds.SOPInstanceUID
    deidentifier("deidentify:RetainUIDsOption").apply(ds)
    assert ds.StudyInstanceUID == study
    assert ds.SOPInstanceUID == sop == ds.file_meta.MediaStorageSOPInstanceUID
