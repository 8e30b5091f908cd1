"""The free-text cleaner: its layers, its placeholders, and its use by every C action on text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydicom import Dataset
from pydicom.data import get_testdata_file
from pydicom.sequence import Sequence

import deidentify
from deidentify import Deidentifier, Plan, parse_profile
from deidentify.cleaning import IdentifyingValues, collect_identifiers
from deidentify.engine import read
from deidentify.plan import Treatment
from deidentify.report.behaviour import behaviour_of
from deidentify.text import clean, default_cleaner, description
from deidentify.text.cleaner import Cleaner
from deidentify.text.spans import Category
from deidentify.uids import UIDScheme
from tests.text.corpus import corpus
from tests.text.scoring import score

SECRET = b"text cleaner tests: a fixed secret"
E_3_5 = "CT chest abdomen pelvis - 55F Dr. Smith"


def deidentifier(profile: str) -> Deidentifier:
    return Deidentifier(Plan.build(parse_profile(profile)), secret=SECRET)


def test_the_example_of_e_3_5_is_cleaned() -> None:
    assert clean(E_3_5) == "CT chest abdomen pelvis - [AGE] Dr. [NAME]"


@pytest.mark.parametrize(
    ("text", "category", "planted"),
    [
        ("seen 2021-03-04 for follow-up", Category.DATE, "2021-03-04"),
        ("prior 04/03/2021", Category.DATE, "04/03/2021"),
        ("compare 12.11.19 study", Category.DATE, "12.11.19"),
        ("DA 20210304 stored", Category.DATE, "20210304"),
        ("le 4 mars 2021 à Lyon", Category.DATE, "4 mars 2021"),
        ("am 3. Oktober 2019 untersucht", Category.DATE, "3. Oktober 2019"),
        ("el 7 de julio de 2020", Category.DATE, "7 de julio de 2020"),
        ("scan March 4th, 2021 ok", Category.DATE, "March 4th, 2021"),
        ("exam 09-SEP-2018", Category.DATE, "09-SEP-2018"),
        ("pt is 62yo", Category.AGE, "62yo"),
        ("a 55 y/o male with pain", Category.AGE, "55 y/o male"),
        ("infant 3 months old", Category.AGE, "3 months old"),
        ("MRN: 00443312 on file", Category.ID, "00443312"),
        ("accession A7781234", Category.ID, "A7781234"),
        ("call (617) 555-0182 re results", Category.CONTACT, "(617) 555-0182"),
        ("mail j.doe@example.org today", Category.CONTACT, "j.doe@example.org"),
        ("lives at 12 Elm Street", Category.CONTACT, "12 Elm Street"),
        ("ordered by Kowalczyk", Category.NAME, "Kowalczyk"),
        ("dictated by J. Okafor", Category.NAME, "J. Okafor"),
        ("signed: Venkataraman RN", Category.NAME, "Venkataraman"),
        ("DOE^JANE^MARIE compare", Category.NAME, "DOE^JANE^MARIE"),
        ("films from Riverbend General Hospital", Category.ORG, "Riverbend General Hospital"),
        ("Ospedale San Gerardo outside CT", Category.ORG, "Ospedale San Gerardo"),
    ],
)
def test_each_layer_finds_its_category(text: str, category: Category, planted: str) -> None:
    start = text.index(planted)
    spans = Cleaner().spans(text, "LT", IdentifyingValues())
    assert any(
        span.category is category and span.start <= start and start + len(planted) <= span.end
        for span in spans
    )
    assert planted not in clean(text)


@pytest.mark.parametrize(
    "text",
    [
        "Brown adipose tissue, chest mass",
        "Patient will return for grant-funded follow-up",
        "Smith fracture of the distal radius",
        "TOF MRA circle of Willis",
        "MR BRAIN WWO, DWI b1000, 3.0T, 512x512, 120 kVp",
        "per protocol, follow up in 3 months, 5F sheath, 18F FDG",
        "transferred from outside hospital",
        "Mark the lesion; MS plaques; Hx of TIA",
    ],
)
def test_clinical_text_is_kept(text: str) -> None:
    assert clean(text) == text


def test_declared_identifiers_are_typed_by_their_attribute() -> None:
    ds = Dataset()
    ds.PatientName = "Quibble^Zorander"
    ds.PatientID = "Q-77"
    ds.InstitutionName = "Quarry Vale"
    cleaned = clean("Zorander Quibble Q-77 at Quarry Vale", "LT", collect_identifiers(ds))
    assert cleaned == "[NAME] [ID] at [ORG]"


def test_placeholders_fit_the_vr() -> None:
    text = "Dr Li, Dr Wu, Dr Xu, Dr Ng, Dr Ho, Dr Ma, Dr Yu, Dr Oh, 55F"
    full = clean(text, "UT")
    assert len(full) > 64
    fitted = clean(text, "LO")
    assert len(fitted) <= 64 and "55F" not in fitted
    words = set(fitted.replace(",", "").split())
    assert not {"Li", "Wu", "Xu", "Ng", "Ho", "Ma", "Yu", "Oh"} & words
    own = IdentifyingValues.of(["MRN12345"])
    assert clean("MRN12345 OK", "CS", own) == "XXX OK"
    assert clean("121033", "SH") == "121033"  # a Code Value
    assert clean("Smith^John^^Dr", "PN") == "[NAME]^[NAME]^^Dr"


def test_a_site_cleaner_still_replaces_the_default() -> None:
    calls: list[str] = []

    def mine(text: str, vr: str, identifiers: IdentifyingValues) -> str:
        calls.append(vr)
        return "SITE"

    plan = Plan.build(parse_profile("deidentify:CleanDescriptorsOption"))
    ds = Dataset()
    ds.StudyDescription = E_3_5
    Deidentifier(plan, secret=SECRET, cleaner=mine).apply(ds)
    assert ds.StudyDescription == "SITE" and calls == ["LO"]


def test_the_corpus_meets_the_targets() -> None:
    samples = corpus()
    assert len(samples) >= 500
    cleaner = Cleaner()
    scores = score(samples, lambda text: [
        (span.start, span.end, span.category.name)
        for span in cleaner.spans(text, "LT", IdentifyingValues())
    ])
    for category in ("NAME", "DATE", "AGE", "ID", "CONTACT", "ORG"):
        assert scores.planted[category] >= 100, category
        assert scores.recall(category) >= 0.99, category
    assert scores.kept >= 0.95


def cleaned_ct_file(tmp_path: Path, **values: str) -> Dataset:
    """CT_small with ``values`` set, written, de-identified as a file under Clean
    Descriptors, and read back."""
    ds = read(str(get_testdata_file("CT_small.dcm")))
    for keyword, value in values.items():
        setattr(ds, keyword, value)
    source, target = tmp_path / "in.dcm", tmp_path / "out.dcm"
    ds.save_as(source)
    deidentifier("deidentify:CleanDescriptorsOption").deidentify_file(source, target)
    return read(target)


def test_clean_descriptors_cleans_the_e_3_5_example_in_a_file(tmp_path: Path) -> None:
    out = cleaned_ct_file(tmp_path, StudyDescription=E_3_5,
                          SeriesDescription="AX T2 FLAIR per Dr Okonkwo 2019-04-01")
    assert out.StudyDescription == "CT chest abdomen pelvis - [AGE] Dr. [NAME]"
    assert out.SeriesDescription == "AX T2 FLAIR per Dr [NAME] [DATE]"


def test_a_declared_name_that_is_also_a_place_word_is_cleaned_in_a_file(
    tmp_path: Path,
) -> None:
    out = cleaned_ct_file(tmp_path, PatientName="WEST^ANNA", OperatorsName="Lane^Sam",
                          StudyDescription="Knee West follow-up",
                          SeriesDescription="LANE protocol, north wing")
    assert out.StudyDescription == "Knee [NAME] follow-up"
    assert out.SeriesDescription == "[NAME] protocol, north wing"


def test_the_four_patient_characteristics_rows_are_cleaned() -> None:
    ds = Dataset()
    ds.PatientName = "Doe^Jane"
    ds.Allergies = "iodinated contrast per Dr. Whitfield 03/04/2020"
    ds.PatientState = "55F, sedated by Nwosu RN"
    ds.PreMedication = "prednisone 50 mg, call 555-201-7788"
    ds.SpecialNeeds = "wheelchair, interpreter for Mrs. Haddad"
    deidentifier("deidentify:RetainPatientCharacteristicsOption").apply(ds)
    assert ds.Allergies == "iodinated contrast per Dr. [NAME] [DATE]"
    assert ds.PatientState == "[AGE], sedated by [NAME] RN"
    assert ds.PreMedication == "prednisone 50 mg, call [CONTACT]"
    assert ds.SpecialNeeds == "wheelchair, interpreter for Mrs. [NAME]"


def _code(value: str, scheme: str, meaning: str) -> Dataset:
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = value, scheme, meaning
    return code


def test_structured_content_text_and_graphics_use_the_same_cleaner() -> None:
    note = "Nodule, compare 12 March 2019, per Dr. Kulkarni"
    expected = clean(note)
    report = Dataset()
    report.ValueType = "CONTAINER"
    item = Dataset()
    item.RelationshipType = "CONTAINS"
    item.ValueType = "TEXT"
    item.ConceptNameCodeSequence = Sequence([_code("F-1", "99LOCAL", "Local finding")])
    item.TextValue = note
    person = Dataset()
    person.RelationshipType = "CONTAINS"
    person.ValueType = "PNAME"
    person.ConceptNameCodeSequence = Sequence([_code("F-2", "99LOCAL", "Local person")])
    person.PersonName = "Kulkarni^Vikram"
    report.ContentSequence = Sequence([item, person])
    deidentifier("deidentify:CleanStructuredContentOption").apply(report)
    assert report.ContentSequence[0].TextValue == expected == (
        "Nodule, compare [DATE], per Dr. [NAME]"
    )
    assert "Kulkarni" not in str(report.ContentSequence[1].PersonName)

    annotated = Dataset()
    text = Dataset()
    text.UnformattedTextValue = note
    annotation = Dataset()
    annotation.GraphicLayer = "LAYER1"
    annotation.TextObjectSequence = Sequence([text])
    annotated.GraphicAnnotationSequence = Sequence([annotation])
    deidentifier("deidentify:CleanGraphicsOption").apply(annotated)
    assert annotated.GraphicAnnotationSequence[0].TextObjectSequence[0].UnformattedTextValue == (
        expected
    )


def test_default_cleaner_is_the_engines() -> None:
    ds = Dataset()
    ds.ImageComments = E_3_5
    deidentifier("deidentify:CleanDescriptorsOption").apply(ds)
    assert ds.ImageComments == default_cleaner(E_3_5, "LT", IdentifyingValues())


def test_no_word_list_is_loaded_without_c_on_text(tmp_path: Path) -> None:
    """The word lists load lazily: a profile that cleans no text never reads them."""
    source = get_testdata_file("CT_small.dcm")
    program = (
        "import sys\n"
        "from deidentify import Deidentifier, Plan, parse_profile\n"
        "import deidentify.text.vocabulary as vocabulary\n"
        "for profile in sys.argv[2:]:\n"
        "    plan = Plan.build(parse_profile(profile))\n"
        "    deid = Deidentifier(plan, secret=b'0' * 32)\n"
        "    deid.deidentify_file(sys.argv[1], sys.argv[1] + '.out')\n"
        "    print(vocabulary.names.cache_info().currsize,"
        " 'deidentify.text.cleaner' in sys.modules)\n"
    )
    copy = tmp_path / "in.dcm"
    copy.write_bytes(Path(str(source)).read_bytes())
    done = subprocess.run(
        [sys.executable, "-c", program, str(copy), "deidentify:",
         "deidentify:CleanDescriptorsOption"],
        capture_output=True, text=True, check=True,
        cwd=Path(deidentify.__file__).resolve().parent.parent,
    )
    assert done.stdout.split() == ["0", "False", "1", "True"]


def test_the_method_and_the_report_describe_the_cleaner() -> None:
    cleaning, basic = Dataset(), Dataset()
    deidentifier("deidentify:CleanDescriptorsOption").apply(cleaning)
    deidentifier("deidentify:").apply(basic)
    assert description.METHOD in list(cleaning.DeidentificationMethod)
    assert description.METHOD not in list(basic.DeidentificationMethod)
    plan = Plan.build(parse_profile("deidentify:CleanDescriptorsOption"))
    said = {row.vr: behaviour_of(row, plan.policy, UIDScheme.KEYED)
            for row in plan.rows() if row.treatment is Treatment.CLEAN_TEXT}
    assert said["LO"] == description.TEXT and "[NAME]" in said["LT"]
