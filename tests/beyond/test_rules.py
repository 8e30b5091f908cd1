"""The rules beyond Table E.1-1 as the plan computes them and the report states them."""

from __future__ import annotations

import json

import pydicom
import pytest
from pydicom._dicom_dict import DicomDictionary
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.beyond import Category, UnknownPolicy
from deidentify.beyond.dictionary import entry
from deidentify.cli import main
from deidentify.method import method_text
from generated import EDITIONS

DEVICE = "deidentify:RetainDeviceIdentityOption"
INSTITUTION = "deidentify:RetainInstitutionIdentityOption"


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_unlisted_person_name_is_removed(edition: str) -> None:
    plan = Plan.build(parse_profile("deidentify:", edition=edition))
    unlisted_pn = {tag for tag, (vr, *_) in DicomDictionary.items()
                   if vr == "PN" and tag not in plan.exact}
    rules = {rule.tag: rule for rule in plan.beyond_rules()}
    assert unlisted_pn and unlisted_pn <= set(rules)
    assert all(rules[tag].category is Category.PERSON for tag in unlisted_pn)
    assert not set(rules) & set(plan.exact)
    for tag in rules:
        assert plan.unlisted(tag, None).treatment is not None


def test_the_issuer_qualifiers_and_their_items_are_beyond_the_table() -> None:
    plan = Plan.build(parse_profile("deidentify:"))
    keywords = {rule.keyword for rule in plan.beyond_rules()}
    assert {"IssuerOfPatientIDQualifiersSequence", "UniversalEntityID",
            "AssigningFacilitySequence", "EvaluatorName", "DeviceID"} <= keywords
    assert not keywords & {"Manufacturer", "ManufacturerModelName", "RTPhysicianIntentSequence"}


def test_options_retain_organisations_and_devices_beyond_the_table() -> None:
    device, institution = (Plan.build(parse_profile(uri)) for uri in (DEVICE, INSTITUTION))
    for plan, kept in ((device, Category.DEVICE), (institution, Category.ORGANISATION)):
        for rule in plan.beyond_rules():
            assert plan.applies(rule) is (rule.category is not kept), rule.keyword


def test_a_probes_transducer_data_goes_unless_device_identity_is_retained() -> None:
    source = str(get_testdata_file("JPGLosslessP14SV1_1s_1f_8b.dcm"))
    assert pydicom.dcmread(source).TransducerData == ["S5_1", "55360", ""]
    for uri, kept in (("deidentify:", False), (DEVICE, True)):
        ds = pydicom.dcmread(source)
        Deidentifier(Plan.build(parse_profile(uri)), b"beyond the table: a fixed secret").apply(
            ds)
        assert ("TransducerData" in ds) is kept, uri
        if kept:
            assert ds.TransducerData == ["S5_1", "55360", ""]


PLANTED_BEYOND = {
    "PatientBirthDateInAlternativeCalendar": "1350-11-17 (Hijri) of Mary Major",
    "PatientDeathDateInAlternativeCalendar": "1420-02-10 (Hijri) of Mary Major",
    "CommentsOnTheScheduledProcedureStep": "Mary Major, call her daughter on arrival",
    "PerformedProcedureTypeDescription": "CT knee for Mary Major",
    "DocumentTitle": "Report of Mary Major",
    "DoseComment": "reduced for Mary Major",
    "ReasonForCancellation": "Mary Major did not come",
    "HL7InstanceIdentifier": "1.2.3.4.5^MRN12345",
}
"""Unlisted attributes a person's identity is written into, each with a value that names her."""


@pytest.mark.parametrize("uri", ["deidentify:", "deidentify:CleanDescriptorsOption",
                                 "deidentify:RetainPatientCharacteristicsOption",
                                 "deidentify:RetainLongitudinalTemporalInformationFullDatesOption"])
def test_comments_and_other_calendars_beyond_the_table_go_at_every_depth(uri: str) -> None:
    ds = pydicom.dcmread(str(get_testdata_file("CT_small.dcm")))
    item = Dataset()
    for keyword, value in PLANTED_BEYOND.items():
        setattr(ds, keyword, value)
        setattr(item, keyword, value)
    ds.ReferencedStudySequence = [item]
    Deidentifier(Plan.build(parse_profile(uri)), b"beyond the table: a fixed secret").apply(ds)
    assert not set(PLANTED_BEYOND) & set(ds.dir()), uri
    for kept in ds.get("ReferencedStudySequence") or ():
        assert not set(PLANTED_BEYOND) & set(kept.dir()), uri
    plan = Plan.build(parse_profile(uri))
    assert {rule.keyword for rule in plan.beyond_rules()} >= set(PLANTED_BEYOND)


@pytest.mark.parametrize("uri", ["deidentify:", "deidentify:RetainInstitutionIdentityOption",
                                 "deidentify:RetainDeviceIdentityOption"])
def test_addresses_that_carry_the_patient_and_the_study_go(uri: str) -> None:
    ds = pydicom.dcmread(str(get_testdata_file("CT_small.dcm")))
    study = str(ds.StudyInstanceUID)
    ds.RetrieveURL = f"https://pacs.example/wado-rs/studies/{study}"
    ds.RetrieveURI = f"https://pacs.example/wado?studyUID={study}&patientID=PQX884213"
    ds.FileAccessURI = f"file:///archive/PQX884213/{study}.dcm"
    ds.PixelDataProviderURL = f"jpip://pacs.example/{study}"
    ds.CodingSchemeURL = "http://snomed.info/sct"
    Deidentifier(Plan.build(parse_profile(uri)), b"beyond the table: a fixed secret").apply(ds)
    assert not {"RetrieveURL", "RetrieveURI", "FileAccessURI",
                "PixelDataProviderURL"} & set(ds.dir()), uri
    assert ds.CodingSchemeURL == "http://snomed.info/sct"


def test_unknown_tags_follow_the_setting_and_item_tags_always_go() -> None:
    remove = Plan.build(parse_profile("deidentify:"))
    keep = Plan.build(parse_profile("deidentify:"), unknown=UnknownPolicy.KEEP)
    for tag in (0x00102020, 0x00E20010, 0x00060010):
        assert entry(tag) is None
        assert remove.unlisted(tag, "LO").treatment is not None
        assert keep.unlisted(tag, "LO").treatment is None
    for plan in (remove, keep):
        assert plan.unlisted(0xFFFEE000, None).treatment is not None
    assert remove.unlisted(0x00280011, "PN").treatment is not None  # Columns as PN
    assert remove.unlisted(0x00280011, "US").treatment is None
    assert remove.unlisted(0x00280106, "SS").treatment is None  # "US or SS"
    assert method_text(keep)[-1] == "unknown elements keep"


def test_report_lists_the_rules_beyond_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--profile", DEVICE, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    beyond = document["beyond_table"]
    assert document["unknown_elements"] == "remove"
    attributes = {row["keyword"]: row for row in beyond["attributes"]}
    assert attributes["EvaluatorName"]["behaviour"].startswith("removed")
    assert attributes["DeviceID"]["behaviour"].startswith("kept under")
    assert any("Unknown elements (remove)" in rule for rule in beyond["rules"])
    assert main(["report", "--profile", "deidentify:", "--unknown", "keep"]) == 0
    markdown = capsys.readouterr().out
    assert "## Beyond Table E.1-1 (additions:" in markdown
    assert "- Unknown elements: keep" in markdown and "(0014,2006)" in markdown
