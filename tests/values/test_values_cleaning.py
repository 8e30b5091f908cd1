"""Cleaning free text of the identifiers a dataset declares."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydicom import Dataset
from pydicom.datadict import keyword_dict
from pydicom.sequence import Sequence

from deidentify.cleaning import (
    COMMON_WORDS,
    ID_KEYWORDS,
    PLACE_KEYWORDS,
    PLACE_WORDS,
    IdentifyingValues,
    TextCleaner,
    clean_text,
    collect_identifiers,
)
from deidentify.text import default_cleaner

Reader = Callable[[str], Dataset]


def planted(ds: Dataset, name: str, patient_id: str, birth_date: str) -> Dataset:
    ds.PatientName = name
    ds.PatientID = patient_id
    ds.PatientBirthDate = birth_date
    return ds


@pytest.mark.parametrize("file_name", ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm"])
def test_planted_identifiers_are_removed_and_words_kept(
    read_testdata: Reader, file_name: str
) -> None:
    ds = planted(read_testdata(file_name), "Kowalczyk^Jadwiga^Maria", "MRN884213", "19580317")
    text = (
        "CT thorax of Jadwiga Kowalczyk (MRN884213), born 17/03/1958; "
        "compare KOWALCZYK, JADWIGA 1958-03-17 prior. Maria consented."
    )
    ds.ImageComments = text
    cleaned = clean_text(str(ds.ImageComments), collect_identifiers(ds))
    for leaked in ("Jadwiga", "Kowalczyk", "KOWALCZYK", "MRN884213", "17/03/1958", "1958-03-17"):
        assert leaked.casefold() not in cleaned.casefold()
    assert "Maria" not in cleaned
    for kept in ("CT thorax of", "born", "compare", "prior.", "consented."):
        assert kept in cleaned
    assert len(cleaned) <= len(text)


def test_identifiers_of_real_files(read_testdata: Reader) -> None:
    ct = collect_identifiers(read_testdata("CT_small.dcm"))
    text = "Patient 1CT1 alias ABCD1234 at JFK IMAGING CENTER station CT01_OC0, 2004-01-19"
    assert clean_text(text, ct) == "Patient *** alias *** at *** station ***, ***"
    rt = read_testdata("rtplan.dcm")
    cleaned = clean_text(
        "Plan for First Last (id00001) by operator, Radiation Therap", (collect_identifiers(rt))
    )
    assert cleaned == "Plan for *** (***) by ***, ***"


def test_every_sequence_item_is_searched(read_testdata: Reader) -> None:
    ds = read_testdata("rtplan.dcm")
    inner = Dataset()
    inner.PerformingPhysicianName = "Oyelaran^Adebayo"
    inner.AdmissionID = "ADM-5531"
    deeper = Dataset()
    deeper.InstitutionAddress = "12 Ferncliff Crescent, Dunwoody"
    inner.ReferencedPatientSequence = Sequence([deeper])
    ds.ReferencedStudySequence = Sequence([Dataset(), inner])
    cleaned = clean_text(
        "Dr Adebayo Oyelaran, admission ADM-5531, lives in Dunwoody near Ferncliff Crescent",
        collect_identifiers(ds),
    )
    assert cleaned == "Dr ***, admission ***, lives in *** near *** ***"


def test_ideographic_and_phonetic_names() -> None:
    ds = Dataset()
    ds.PatientName = "Yamada^Tarou=山田^太郎=やまだ^たろう"
    cleaned = clean_text("山田 太郎 (やまだ) Yamada checked", collect_identifiers(ds))
    assert "山田" not in cleaned and "太郎" not in cleaned and "やまだ" not in cleaned
    assert "Yamada" not in cleaned
    assert cleaned.endswith("checked")


def test_date_formats_and_telephone_digits() -> None:
    ds = Dataset()
    ds.StudyDate = "20210704"
    ds.PatientTelephoneNumbers = "(555) 201-8842"
    text = "seen 07/04/2021 and 04.07.2021 and 2021/07/04; call 5552018842 or (555) 201-8842"
    cleaned = clean_text(text, collect_identifiers(ds))
    assert cleaned == "seen *** and *** and ***; call *** or ***"


def test_whole_word_matching() -> None:
    ds = Dataset()
    ds.PatientName = "Doe^Jon"
    ds.PatientID = "12345"
    identifiers = collect_identifiers(ds)
    assert clean_text("DOE's scan, doe2, DOER", identifiers) == "***'s scan, ***2, DOER"
    assert clean_text("ID12345 vs 123456", identifiers) == "ID*** vs 123456"
    assert clean_text("Jonathan met Jon", identifiers) == "Jonathan met ***"


def test_short_and_common_words_are_not_identifiers_alone() -> None:
    ds = Dataset()
    ds.PatientName = "Li^Wu^^Dr"
    ds.InstitutionName = "Saint Anne General Hospital"
    identifiers = collect_identifiers(ds)
    assert all(len(term) >= 3 for term in identifiers.terms)
    assert not {term.casefold() for term in identifiers.terms} & COMMON_WORDS
    text = "Dr Li saw Wu Li at the General Hospital of Saint Anne General Hospital"
    assert clean_text(text, identifiers) == "Dr Li saw *** at the General Hospital of ***"
    assert "Anne" not in clean_text("ask Anne", identifiers)


@pytest.mark.parametrize("surname", sorted(PLACE_WORDS))
def test_a_name_that_is_a_place_word_is_an_identifier_alone(surname: str) -> None:
    ds = Dataset()
    ds.PatientName = f"{surname.upper()}^Anna"
    ds.InstitutionName = f"{surname.title()} Valley Clinic"
    identifiers = collect_identifiers(ds)
    cleaned = clean_text(f"knee {surname.title()} follow-up", identifiers)
    assert cleaned == "knee *** follow-up"
    assert identifiers.kind_of(surname) == "NAME"


def test_place_words_of_a_place_alone_are_kept() -> None:
    ds = Dataset()
    ds.InstitutionName = "North Valley Clinic"
    ds.InstitutionAddress = "12 West Lane"
    identifiers = collect_identifiers(ds)
    assert clean_text("north wing, west entrance, lane 3", identifiers) == (
        "north wing, west entrance, lane 3")
    assert clean_text("seen at North Valley Clinic", identifiers) == "seen at ***"


@given(st.text(max_size=200), st.lists(st.text(min_size=1, max_size=20), max_size=10), st.text())
def test_result_is_never_longer(text: str, values: list[str], placeholder: str) -> None:
    identifiers = IdentifyingValues.of(values)
    cleaned = clean_text(text, identifiers, placeholder)
    assert len(cleaned) <= len(text)


names = st.from_regex(r"[A-Z][a-z]{3,12}", fullmatch=True).filter(
    lambda name: name.casefold() not in COMMON_WORDS
)


@given(names, st.sampled_from(["", " ", ". ", "("]))
def test_identifier_is_gone_in_any_case(name: str, around: str) -> None:
    identifiers = IdentifyingValues.of([name])
    text = f"{around}{name.upper()} and {name.lower()}{around}"
    cleaned = clean_text(text, identifiers)
    assert name.casefold() not in cleaned.casefold()
    assert cleaned == f"{around}*** and ***{around}"


def test_default_cleaner_keeps_the_vr_character_set() -> None:
    identifiers = IdentifyingValues.of(["SMITHSON"], "NAME")
    cleaner: TextCleaner = default_cleaner
    assert cleaner("SMITHSON SMOKER", "CS", identifiers) == "XXX SMOKER"
    assert cleaner("Smithson smoker", "LT", identifiers) == "[NAME] smoker"
    assert clean_text("nothing here", IdentifyingValues()) == "nothing here"


def test_repr_does_not_show_identifiers() -> None:
    identifiers = IdentifyingValues.of(["Kowalczyk"])
    assert "Kowalczyk" not in repr(identifiers)
    assert len(identifiers) == 1


def test_keyword_lists_are_dictionary_keywords() -> None:
    assert not (ID_KEYWORDS | PLACE_KEYWORDS) - set(keyword_dict)
