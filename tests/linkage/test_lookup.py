"""Lookup tables: listed patients get exactly the table's values, others are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from deidentify import Deidentifier, DeidentifyError, Plan, parse_profile
from deidentify.linkage import (
    Linkage,
    LookupTableError,
    MappedPatients,
    PatientIdentity,
    read_patient_map,
)
from tests.linkage.helpers import PATIENTS, make_patients, read_all, run, shipped, write_secret

TABLE = "PatientID,NewPatientID,NewPatientName\nMRN-1001,TRIAL-001,Subject^001\n"


def _apply(tmp_path: Path, table: str, *extra: str) -> tuple[int, str, str]:
    make_patients(tmp_path / "in")
    (tmp_path / "map.csv").write_text(table, encoding="utf-8")
    return run("apply", tmp_path / "in", "--output", tmp_path / "out", "--secret-file",
               write_secret(tmp_path), "--patient-map", tmp_path / "map.csv", "--quiet", *extra)


def test_listed_patients_get_exactly_the_table_values(tmp_path: Path) -> None:
    table = TABLE + "MRN-2002,TRIAL-002,Subject^002\n"
    status, _, _ = _apply(tmp_path, table)
    assert status == 0
    by_patient = {(relative.split("/")[0], str(ds.PatientID), str(ds.PatientName))
                  for relative, ds in read_all(tmp_path / "out").items()}
    assert by_patient == {("patient1", "TRIAL-001", "Subject^001"),
                          ("patient2", "TRIAL-002", "Subject^002")}


def test_an_unlisted_patient_fails_and_is_not_written(tmp_path: Path) -> None:
    status, _, err = _apply(tmp_path, TABLE, "--log", str(tmp_path / "log.jsonl"))
    assert status == 1
    outputs = read_all(tmp_path / "out")
    assert sorted(outputs) == ["patient1/1.dcm", "patient1/2.dcm", "patient1/3.dcm"]
    log = (tmp_path / "log.jsonl").read_text()
    assert log.count("not in the lookup table") == 3
    assert "MRN-2002" not in log + err


def test_an_unlisted_patient_gets_its_keyed_pseudonym_when_asked(tmp_path: Path) -> None:
    status, _, _ = _apply(tmp_path, TABLE, "--patient-map-missing", "keyed")
    assert status == 0
    ids = {relative.split("/")[0]: str(ds.PatientID)
           for relative, ds in read_all(tmp_path / "out").items()}
    assert ids["patient1"] == "TRIAL-001"
    assert ids["patient2"].startswith("PID") and len(ids["patient2"]) == 23


def test_a_table_without_names_gives_the_new_id_or_an_empty_name(tmp_path: Path) -> None:
    table = "NewPatientID,PatientID\nTRIAL-001,MRN-1001\nTRIAL-002,MRN-2002\n"
    assert _apply(tmp_path, table, "--patient-name", "empty")[0] == 0
    outputs = read_all(tmp_path / "out").values()
    assert {str(ds.PatientID) for ds in outputs} == {"TRIAL-001", "TRIAL-002"}
    assert all(ds["PatientName"].is_empty for ds in outputs)


def test_the_issuer_column_matches_id_and_issuer(tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    path.write_text("PatientID,IssuerOfPatientID,NewPatientID\n4711,NORTH,T-1\n4711,,T-2\n")
    table = read_patient_map(path)
    found = [table.find(PatientIdentity("4711", issuer)) for issuer in ("NORTH", "", "SOUTH")]
    assert [entry.patient_id if entry else None for entry in found] == ["T-1", "T-2", None]


BAD_TABLES = {
    "duplicate patient": ("PatientID,NewPatientID\nMRN-1001,T-1\nMRN-1001,T-2\n",
                          "line 3: the patient is listed again (first on line 2)"),
    "one new id twice": ("PatientID,NewPatientID\nMRN-1001,T-1\nMRN-2002,T-1\n",
                         "line 3: the NewPatientID is given to another patient on line 2"),
    "empty cell": ("PatientID,NewPatientID\nMRN-1001,\n", "line 2: empty NewPatientID"),
    "missing header": ("MRN-1001,T-1\n", "line 1: column 1 of the header is not one of"),
    "header without new id": ("PatientID,NewPatientName\nMRN-1001,X\n",
                              "line 1: the header does not name NewPatientID"),
    "too many cells": ("PatientID,NewPatientID\nMRN-1001,T-1,extra\n",
                       "line 2: 3 cells where the header has 2"),
    "new id too long": (f"PatientID,NewPatientID\nMRN-1001,{'T' * 65}\n",
                        "line 2: NewPatientID longer than 64 characters"),
    "backslash": ("PatientID,NewPatientID\nMRN-1001,T\\1\n",
                  "line 2: NewPatientID holds a backslash or a control character"),
    "empty file": ("", "line 1: empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_TABLES))
def test_a_bad_table_is_one_line_naming_file_and_line(tmp_path: Path, case: str) -> None:
    table, expected = BAD_TABLES[case]
    status, _, err = _apply(tmp_path, table)
    assert status == 2
    assert err.count("\n") == 1
    assert f"map.csv: {expected}" in err
    assert "MRN-1001" not in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_table_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    path.write_bytes(b"PatientID,NewPatientID\nMRN-1001,T-1\nM\xfcller,T-2\n")
    with pytest.raises(LookupTableError, match=r"map\.csv: line 3: not UTF-8 text$"):
        read_patient_map(path)


def test_a_missing_table_is_a_usage_error(tmp_path: Path) -> None:
    make_patients(tmp_path / "in")
    status, _, err = run("apply", tmp_path / "in", "--output", tmp_path / "out",
                         "--secret-file", write_secret(tmp_path), "--patient-map",
                         tmp_path / "absent.csv")
    assert status == 2
    assert "absent.csv: cannot read the lookup table" in err
    assert PATIENTS[0][0] not in err


def test_a_rerun_with_another_table_into_the_same_output_is_refused(tmp_path: Path) -> None:
    assert _apply(tmp_path, TABLE, "--patient-map-missing", "keyed")[0] == 0
    (tmp_path / "map.csv").write_text("PatientID,NewPatientID\nMRN-1001,OTHER-001\n")
    status, _, err = run("apply", tmp_path / "in", "--output", tmp_path / "out", "--secret-file",
                         write_secret(tmp_path), "--patient-map", tmp_path / "map.csv",
                         "--patient-map-missing", "keyed", "--quiet")
    assert status == 2
    assert "written by a run with another patients" in err


def test_the_api_names_an_unlisted_patient(tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    path.write_text(TABLE)
    linkage = Linkage(MappedPatients(read_patient_map(path)))
    deid = Deidentifier(Plan.build(parse_profile("deidentify:")), b"s" * 16, linkage=linkage)
    with pytest.raises(DeidentifyError, match=r"CT_small\.dcm: its patient is not in the lookup"):
        deid.deidentify_file(shipped("CT_small.dcm"), tmp_path / "out.dcm")
    assert not (tmp_path / "out.dcm").exists()
