"""Clean Structured Content: SR content items handled by Table E.3.4-1 concept names."""

from __future__ import annotations

import io

import pydicom
from pydicom import Dataset
from pydicom.data import get_testdata_file
from pydicom.sequence import Sequence

from deidentify.dates import DateShifter
from tests.runtime.helpers import SECRET, deidentifier, text_of

CLEAN_SC = "deidentify:CleanStructuredContentOption"
PATIENT_ID = "PID-4711"
FINDING = "Nodule seen in Jonathan Doe, PID-4711"


def _code(value: str, scheme: str, meaning: str) -> Dataset:
    code = Dataset()
    code.CodeValue = value
    code.CodingSchemeDesignator = scheme
    code.CodeMeaning = meaning
    return code


def _item(value_type: str, concept: Dataset, **values: object) -> Dataset:
    item = Dataset()
    item.RelationshipType = "CONTAINS"
    item.ValueType = value_type
    item.ConceptNameCodeSequence = Sequence([concept])
    for keyword, value in values.items():
        setattr(item, keyword, value)
    return item


def _age(value: str) -> Dataset:
    measured = Dataset()
    measured.NumericValue = value
    measured.MeasurementUnitsCodeSequence = Sequence([_code("a", "UCUM", "year")])
    return _item("NUM", _code("121033", "DCM", "Subject Age"),
                 MeasuredValueSequence=Sequence([measured]))


def _report() -> Dataset:
    ds = Dataset()
    ds.PatientName = "Doe^Jonathan"
    ds.PatientID = PATIENT_ID
    ds.ValueType = "CONTAINER"
    ds.ConceptNameCodeSequence = Sequence([_code("126000", "DCM", "Imaging Measurement Report")])
    nested = _item("CONTAINER", _code("111028", "DCM", "Image Library"))
    nested.ContentSequence = Sequence(
        [_item("TEXT", _code("121022", "DCM", "Accession Number"), TextValue="ACC-99881")]
    )
    ds.ContentSequence = Sequence(
        [
            _age("47"),
            _item("TEXT", _code("121022", "DCM", "Accession Number"), TextValue="ACC-99881"),
            _item("TEXT", _code("F-1", "99LOCAL", "Local finding"), TextValue=FINDING),
            _item("PNAME", _code("121008", "DCM", "Person Observer Name"),
                  PersonName="Smith^Anna"),
            _item("TEXT", _code("363698007", "SRT", "Finding Site"), TextValue="Left lung apex"),
            _item("TEXT", _code("363698007", "XYZ", "Local code"), TextValue="Left lung apex"),
            _item("DATE", _code("11778-8", "LN", "EDD"), Date="20240315"),
            _item("UIDREF", _code("112002", "DCM", "Series Instance UID"),
                  UID="1.2.826.0.1.3680043.10.999.8.1"),
            nested,
        ]
    )
    return ds


def _by_concept(ds: Dataset) -> dict[tuple[str, str], Dataset]:
    return {
        (item.ConceptNameCodeSequence[0].CodeValue,
         item.ConceptNameCodeSequence[0].CodingSchemeDesignator): item
        for item in ds.ContentSequence
    }


def test_clean_structured_content_applies_table_e_3_4_1() -> None:
    ds = _report()
    deid = deidentifier(CLEAN_SC)
    deid.apply(ds)
    items = _by_concept(ds)
    assert ("121033", "DCM") not in items
    assert ("121022", "DCM") not in items
    assert ("11778-8", "LN") not in items
    finding = items[("F-1", "99LOCAL")].TextValue
    assert finding.startswith("Nodule seen in")
    assert "Jonathan" not in finding and PATIENT_ID not in finding
    assert items[("121008", "DCM")].PersonName != "Smith^Anna"
    assert items[("363698007", "SRT")].TextValue != "Left lung apex"
    assert items[("363698007", "XYZ")].TextValue == "Left lung apex"
    assert deid.map_uid("1.2.826.0.1.3680043.10.999.8.1") == items[("112002", "DCM")].UID
    library = items[("111028", "DCM")]
    assert len(library.ContentSequence) == 0


def test_options_change_the_content_item_codes() -> None:
    ds = _report()
    deidentifier(
        "deidentify:CleanStructuredContentOption,RetainPatientCharacteristicsOption,"
        "RetainLongitudinalTemporalInformationModifiedDatesOption"
    ).apply(ds)
    items = _by_concept(ds)
    assert items[("121033", "DCM")].MeasuredValueSequence[0].NumericValue == 47
    shifter = DateShifter(SECRET)
    expected = shifter.shift("DA", "20240315", shifter.offset_for(PATIENT_ID))
    assert items[("11778-8", "LN")].Date == expected != "20240315"


def test_basic_profile_keeps_the_tree_with_dummy_values() -> None:
    ds = _report()
    deidentifier().apply(ds)
    items = _by_concept(ds)
    assert len(ds.ContentSequence) == 9
    text = text_of(ds)
    for original in ("ACC-99881", FINDING, "Smith^Anna", "20240315", "Left lung apex",
                     "1.2.826.0.1.3680043.10.999.8.1"):
        assert original not in text
    assert items[("121033", "DCM")].MeasuredValueSequence[0].NumericValue == 47


def test_real_sr_files_round_trip_under_clean_structured_content() -> None:
    for name in ("test-SR.dcm", "reportsi.dcm"):
        path = get_testdata_file(name)
        assert isinstance(path, str)
        source = pydicom.dcmread(path)
        names = {str(source.PatientName)} | {
            str(element.value)
            for element in source.iterall()
            if element.VR == "PN" and element.value
        }
        deid = deidentifier(CLEAN_SC)
        deid.apply(source)
        buffer = io.BytesIO()
        deid.write(source, buffer)
        result = pydicom.dcmread(io.BytesIO(buffer.getvalue()))
        values = set(text_of(result).split("\n"))
        for name_value in names - {""}:
            assert name_value not in values
        assert result.PatientIdentityRemoved == "YES"


def test_clean_descriptors_cleans_a_listed_text_item_instead_of_a_dummy() -> None:
    def report() -> Dataset:
        ds = Dataset()
        ds.PatientName = "Doe^Jonathan"
        ds.ContentSequence = Sequence(
            [_item("TEXT", _code("121071", "DCM", "Finding"), TextValue="Jonathan has a cyst")]
        )
        return ds

    alone, both = report(), report()
    deidentifier(CLEAN_SC).apply(alone)
    deidentifier(f"{CLEAN_SC},CleanDescriptorsOption").apply(both)
    assert alone.ContentSequence[0].TextValue not in ("", "Jonathan has a cyst")
    assert "cyst" not in alone.ContentSequence[0].TextValue
    cleaned = both.ContentSequence[0].TextValue
    assert cleaned.endswith("has a cyst") and "Jonathan" not in cleaned


def test_acquisition_context_is_emptied_by_basic_and_cleaned_by_the_option() -> None:
    def image() -> Dataset:
        ds = Dataset()
        ds.PatientID = PATIENT_ID
        ds.AcquisitionContextSequence = Sequence(
            [
                _item("TEXT", _code("F-2", "99LOCAL", "Note"), TextValue=f"for {PATIENT_ID}"),
                _age("61"),
            ]
        )
        return ds

    basic, cleaned = image(), image()
    deidentifier().apply(basic)
    deidentifier(CLEAN_SC).apply(cleaned)
    assert len(basic.AcquisitionContextSequence) == 0
    (note,) = cleaned.AcquisitionContextSequence
    assert note.TextValue.startswith("for ") and PATIENT_ID not in note.TextValue
