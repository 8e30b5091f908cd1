"""A keyed pseudonym per patient: distinct, stable across runs and processes, keyed."""

from __future__ import annotations

import re
from pathlib import Path

import pydicom
import pytest
from pydicom import Dataset

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.dates import DateShifter
from deidentify.linkage import KeyedPatients, Linkage, NameMode, PatientIdentity, read_identity
from deidentify.pseudonyms import patient_id_hash_of
from tests.linkage.helpers import (
    OTHER_SECRET,
    PATIENTS,
    SECRET,
    make_patients,
    read_all,
    run,
    shipped,
    write_secret,
)

PSEUDONYM = re.compile(r"PID[A-Z2-7]{20}")
MODIFIED_DATES = "deidentify:RetainLongitudinalTemporalInformationModifiedDatesOption"


def _pseudonyms(folder: Path) -> dict[str, set[str]]:
    """The Patient IDs of the outputs, by the patient folder they came from."""
    found: dict[str, set[str]] = {}
    for relative, ds in read_all(folder).items():
        found.setdefault(relative.split("/")[0], set()).add(str(ds.PatientID))
    return found


@pytest.fixture
def patients(tmp_path: Path) -> Path:
    make_patients(tmp_path / "in")
    return tmp_path / "in"


def test_two_patients_get_two_distinct_pseudonyms_stable_across_runs_and_jobs(
    tmp_path: Path, patients: Path
) -> None:
    secret = write_secret(tmp_path)
    results = []
    for name, jobs in (("one", "1"), ("again", "1"), ("two", "2")):
        status, _, _ = run("apply", patients, "--output", tmp_path / name, "--secret-file",
                           secret, "--jobs", jobs, "--quiet")
        assert status == 0
        results.append(_pseudonyms(tmp_path / name))
    first = results[0]
    assert set(first) == {"patient1", "patient2"}
    assert all(len(ids) == 1 for ids in first.values()), "one pseudonym per patient"
    (one,), (two,) = first["patient1"], first["patient2"]
    assert one != two
    assert PSEUDONYM.fullmatch(one) and PSEUDONYM.fullmatch(two)
    assert results[1] == first == results[2]
    for ds in read_all(tmp_path / "one").values():
        assert str(ds.PatientName) == str(ds.PatientID)
        assert str(ds.PatientName) not in {name for _, name, _ in PATIENTS}


def test_another_secret_gives_other_pseudonyms(tmp_path: Path, patients: Path) -> None:
    for name, secret in (("a", write_secret(tmp_path)), ("b", write_secret(tmp_path,
                                                                            OTHER_SECRET))):
        assert run("apply", patients, "--output", tmp_path / name, "--secret-file", secret,
                   "--quiet")[0] == 0
    first, second = _pseudonyms(tmp_path / "a"), _pseudonyms(tmp_path / "b")
    for patient in ("patient1", "patient2"):
        assert first[patient].isdisjoint(second[patient])


def test_patient_name_can_be_emptied(tmp_path: Path, patients: Path) -> None:
    secret = write_secret(tmp_path)
    assert run("apply", patients, "--output", tmp_path / "out", "--secret-file", secret,
               "--patient-name", "empty", "--quiet")[0] == 0
    outputs = read_all(tmp_path / "out").values()
    assert all(PSEUDONYM.fullmatch(str(ds.PatientID)) for ds in outputs)
    assert all(ds["PatientName"].is_empty for ds in outputs)


def _without_patient_id(study_uid: str) -> Dataset:
    ds = pydicom.dcmread(shipped("CT_small.dcm"))
    del ds.PatientID
    ds.StudyInstanceUID = study_uid
    del ds.StudyTime  # a paired time may carry its date a day: not what these tests look at
    return ds


def test_objects_without_patient_id_get_a_pseudonym_of_their_study() -> None:
    deid = Deidentifier(Plan.build(parse_profile("deidentify:")), SECRET.encode())
    results = []
    for study in ("1.2.3.1", "1.2.3.1", "1.2.3.2"):
        ds = _without_patient_id(study)
        deid.apply(ds)
        results.append(str(ds.PatientID))
    assert results[0] == results[1] != results[2]
    assert all(PSEUDONYM.fullmatch(value) for value in results)
    empty = pydicom.dcmread(shipped("CT_small.dcm"))
    empty.PatientID = ""
    empty.StudyInstanceUID = "1.2.3.2"
    deid.apply(empty)
    assert str(empty.PatientID) == results[2]


def test_issuer_separates_patients_with_one_id() -> None:
    keyed = KeyedPatients(SECRET.encode())
    plain = keyed.values_for(PatientIdentity("4711"))
    north = keyed.values_for(PatientIdentity("4711", "NORTH"))
    south = keyed.values_for(PatientIdentity("4711", "SOUTH"))
    assert len({plain.patient_id, north.patient_id, south.patient_id}) == 3
    assert read_identity(_without_patient_id("1.2.3")).key != PatientIdentity("1.2.3").key


def test_dates_shift_by_the_same_identity() -> None:
    plan = Plan.build(parse_profile(MODIFIED_DATES))
    deid = Deidentifier(plan, SECRET.encode())
    shifter = DateShifter(SECRET.encode())
    for study in ("1.2.3.1", "1.2.3.2"):
        ds = _without_patient_id(study)
        ds.StudyDate = "20200105"
        identity = read_identity(ds)
        deid.apply(ds)
        assert ds.StudyDate == shifter.shift("DA", "20200105", shifter.offset_for(identity.key))
    with_issuer = pydicom.dcmread(shipped("CT_small.dcm"))
    with_issuer.IssuerOfPatientID = "NORTH"
    with_issuer.StudyDate = "20200105"
    del with_issuer.StudyTime  # a paired time may carry the date a day: not what is tested here
    key = read_identity(with_issuer).key
    deid.apply(with_issuer)
    assert with_issuer.StudyDate == shifter.shift("DA", "20200105", shifter.offset_for(key))


def test_hierarchy_layout_has_one_folder_per_patient(tmp_path: Path, patients: Path) -> None:
    secret = write_secret(tmp_path)
    assert run("apply", patients, "--output", tmp_path / "out", "--secret-file", secret,
               "--layout", "hierarchy", "--quiet")[0] == 0
    folders = {path.name for path in (tmp_path / "out").iterdir() if not path.name.startswith(".")}
    assert folders == {str(ds.PatientID) for ds in read_all(tmp_path / "out").values()}
    assert len(folders) == 2


def test_retain_patient_id_hash_stays_dcm4che_exact() -> None:
    ds = pydicom.dcmread(shipped("CT_small.dcm"))
    ds.IssuerOfPatientID = "NORTH"
    expected = patient_id_hash_of(ds)
    plan = Plan.build(parse_profile("deidentify:RetainPatientIDHashOption"))
    Deidentifier(plan, SECRET.encode()).apply(ds)
    assert ds.PatientID == expected
    assert ds["PatientName"].is_empty


def test_the_linkage_hook_can_empty_the_name_through_the_api() -> None:
    ds = pydicom.dcmread(shipped("CT_small.dcm"))
    linkage = Linkage(KeyedPatients(SECRET.encode(), NameMode.EMPTY))
    Deidentifier(Plan.build(parse_profile("deidentify:")), SECRET.encode(),
                 linkage=linkage).apply(ds)
    assert PSEUDONYM.fullmatch(str(ds.PatientID))
    assert ds["PatientName"].is_empty
