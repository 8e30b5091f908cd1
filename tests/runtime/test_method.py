"""What every de-identified object gets: Patient Identity Removed, method, codes, equipment."""

from __future__ import annotations

import pytest
from pydicom import Dataset

import generated
from deidentify import CompoundPolicy, Deidentifier, Plan, parse_profile
from deidentify.cleaning import IdentifyingValues
from deidentify.dates import DateShifter
from deidentify.profile import UNSUPPORTED
from deidentify.pseudonyms import patient_id_hash
from generated.model import BASIC_PROFILE_CODE, Option
from tests.runtime.helpers import SECRET, deidentifier

DEVICE_AND_MODIFIED = (
    "deidentify:RetainDeviceIdentityOption,"
    "RetainLongitudinalTemporalInformationModifiedDatesOption"
)


def _patient() -> Dataset:
    ds = Dataset()
    ds.PatientName = "Doe^Jonathan"
    ds.PatientID = "PID-4711"
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.826.0.1.3680043.10.999.9.1"
    ds.StudyDate = "20240315"
    ds.DateOfLastCalibration = "20240101"
    ds.StationName = "CT-ROOM-4"
    return ds


def test_patient_identity_removed_and_method_text() -> None:
    ds = _patient()
    deidentifier("deidentify:RetainUIDsOption,CleanDescriptorsOption").apply(ds)
    assert ds.PatientIdentityRemoved == "YES"
    method = list(ds.DeidentificationMethod)
    assert all(len(value) <= 64 for value in method)
    joined = " ".join(method)
    assert "2026c" in joined and "conformant" in joined
    assert "RetainUIDsOption" in method and "CleanDescriptorsOption" in method
    assert BASIC_PROFILE_CODE.meaning in method


@pytest.mark.parametrize(
    "option", [o for o in Option if o not in UNSUPPORTED], ids=lambda o: o.value
)
def test_method_code_sequence_has_the_profile_and_each_option(option: Option) -> None:
    other = Option.RETAIN_UIDS if option is not Option.RETAIN_UIDS else Option.CLEAN_GRAPHICS
    ds = _patient()
    deid = deidentifier(f"deidentify:{option.value},{other.value}")
    deid.apply(ds)
    deid.apply(ds)
    codes = [(item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning)
             for item in ds.DeidentificationMethodCodeSequence]
    expected = {
        (code.value, code.scheme, code.meaning)
        for code in (BASIC_PROFILE_CODE, option.code, other.code)
    }
    assert set(codes) == expected
    assert len(codes) == 3
    if option is Option.RETAIN_PATIENT_ID_HASH:
        assert ("113113", "99DCM4CHE") in {(value, scheme) for value, scheme, _ in codes}


@pytest.mark.parametrize(
    ("uri", "state"),
    [
        ("deidentify:", "REMOVED"),
        ("deidentify:RetainLongitudinalTemporalInformationFullDatesOption", "UNMODIFIED"),
        ("deidentify:RetainLongitudinalTemporalInformationModifiedDatesOption", "MODIFIED"),
    ],
)
def test_longitudinal_temporal_information_modified(uri: str, state: str) -> None:
    ds = _patient()
    deidentifier(uri).apply(ds)
    assert ds.LongitudinalTemporalInformationModified == state


def test_a_second_pass_never_claims_less_than_the_first() -> None:
    ds = _patient()
    deidentifier("deidentify:RetainLongitudinalTemporalInformationModifiedDatesOption").apply(ds)
    deidentifier("deidentify:RetainLongitudinalTemporalInformationFullDatesOption").apply(ds)
    assert ds.LongitudinalTemporalInformationModified == "MODIFIED"


def test_contributing_equipment_item_for_this_tool() -> None:
    ds = _patient()
    deidentifier().apply(ds)
    (item,) = ds.ContributingEquipmentSequence
    purpose = item.PurposeOfReferenceCodeSequence[0]
    assert (purpose.CodeValue, purpose.CodingSchemeDesignator) == ("109104", "DCM")
    assert purpose.CodeMeaning == "De-identifying Equipment"
    assert item.Manufacturer == "deidentify"
    assert item.SoftwareVersions



def test_datasets_of_one_run_share_no_recorded_method_objects() -> None:
    deid = deidentifier("deidentify:RetainUIDsOption")
    first, second = _patient(), _patient()
    deid.apply(first)
    deid.apply(second)
    for keyword in ("DeidentificationMethodCodeSequence", "ContributingEquipmentSequence"):
        assert first[keyword].value is not second[keyword].value
        for one, other in zip(first[keyword].value, second[keyword].value, strict=True):
            assert one is not other
            assert all(element is not other[element.tag] for element in one)
    first.ContributingEquipmentSequence[0].PurposeOfReferenceCodeSequence[0].CodeValue = "1"
    first.DeidentificationMethodCodeSequence[0].CodeMeaning = "changed"
    third = _patient()
    deid.apply(third)
    for ds in (second, third):
        purpose = ds.ContributingEquipmentSequence[0].PurposeOfReferenceCodeSequence[0]
        assert purpose.CodeValue == "109104"
        assert ds.DeidentificationMethodCodeSequence[0].CodeMeaning == BASIC_PROFILE_CODE.meaning

def test_strict_policy_is_named_and_removes_only_where_x_is_an_alternative() -> None:
    ds = _patient()
    ds.AcquisitionDate = "20240315"  # X/Z
    ds.AcquisitionDeviceProcessingDescription = "Doe"  # X/D
    ds.ContentDate = "20240315"  # Z/D
    plan = Plan.build(parse_profile("deidentify:"), CompoundPolicy.STRICT)
    Deidentifier(plan, SECRET).apply(ds)
    assert "compound codes strict" in list(ds.DeidentificationMethod)
    assert "AcquisitionDate" not in ds and "AcquisitionDeviceProcessingDescription" not in ds
    assert "ContentDate" in ds and ds["ContentDate"].is_empty  # Z/D -> Z
    assert str(ds.PatientID).startswith("PID")  # Z, whose value may be a dummy (E.1.1)
    assert "PatientName" in ds  # Z


def test_retain_patient_id_hash_writes_dcm4ches_hash() -> None:
    ds = _patient()
    deidentifier("deidentify:RetainPatientIDHashOption").apply(ds)
    assert ds.PatientID == patient_id_hash("PID-4711")


def test_conflicting_options_apply_the_more_protective_code() -> None:
    ds = _patient()
    deidentifier(DEVICE_AND_MODIFIED).apply(ds)
    shifter = DateShifter(SECRET)
    offset = shifter.offset_for("PID-4711")
    assert ds.DateOfLastCalibration == shifter.shift("DA", "20240101", offset) != "20240101"
    assert ds.StudyDate == shifter.shift("DA", "20240315", offset)
    assert ds.StationName == "CT-ROOM-4"


def test_modified_dates_shift_ranges_and_remove_unparseable_values() -> None:
    ds = _patient()
    ds.StudyDate = "20240315-20240320"
    ds.SeriesDate = "not a date"
    deidentifier("deidentify:RetainLongitudinalTemporalInformationModifiedDatesOption").apply(ds)
    start, end = ds.StudyDate.split("-")
    assert start != "20240315" and end != "20240320"
    assert "SeriesDate" not in ds


def test_every_edition_applies() -> None:
    for edition in generated.EDITIONS:
        ds = _patient()
        deidentifier("deidentify:", edition).apply(ds)
        assert ds.PatientIdentityRemoved == "YES"
        assert edition in " ".join(ds.DeidentificationMethod)
        assert "PID-4711" not in str(ds.get("PatientID", ""))


def test_every_value_of_a_multi_valued_uid_is_replaced() -> None:
    ds = _patient()
    uids = ["1.2.826.0.1.3680043.10.999.10.1", "1.2.826.0.1.3680043.10.999.10.2"]
    ds.add_new(0x00081155, "UI", uids)
    deid = deidentifier()
    deid.apply(ds)
    assert list(ds[0x00081155].value) == [deid.map_uid(uid) for uid in uids]


def test_a_site_cleaner_is_used_for_c_rows() -> None:
    seen: list[tuple[str, str]] = []

    def cleaner(text: str, vr: str, identifiers: IdentifyingValues) -> str:
        seen.append((text, vr))
        return "CLEANED"

    ds = _patient()
    ds.ImageComments = "Doe^Jonathan was here"
    plan = Plan.build(parse_profile("deidentify:CleanDescriptorsOption"))
    Deidentifier(plan, SECRET, cleaner=cleaner).apply(ds)
    assert ds.ImageComments == "CLEANED"
    assert ("Doe^Jonathan was here", "LT") in seen
