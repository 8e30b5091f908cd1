"""The mirror layout never writes an object's name into the output tree: an input whose path
below its folder holds its Patient's Name (a component of four characters or more), its
Patient ID or Accession Number, its original Study, Series or SOP Instance UID, or a date the
profile removes or shifts (birth, study, series, acquisition, content) in a usual form fails,
nothing written, on every path (fast, reference); the hierarchy layout writes it. The log
and the messages show such a path with the name masked, whatever the layout."""

from __future__ import annotations

import json
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file

from deidentify.batch import BatchOptions, Layout, Status, run_batch
from deidentify.batch.layout import NAMES_IN_PATH, masked_names, naming_terms
from tests.batch.helpers import engine_factory

FAMILY, GIVEN, PATIENT_ID = "Quibbleton", "Zorana", "QZ-448812"
STUDY_DATE = "20240115"
FULL_DATES = "deidentify:RetainLongitudinalTemporalInformationFullDatesOption"
MODIFIED_DATES = "deidentify:RetainLongitudinalTemporalInformationModifiedDatesOption"


def _input(folder: Path, name: str, source: str = "CT_small.dcm") -> Path:
    """``source`` with the markers as its patient, written at ``name`` below ``folder``
    (``{uid}`` and ``{study}``: its SOP and Study Instance UID)."""
    path = get_testdata_file(source)
    assert isinstance(path, str)
    ds = pydicom.dcmread(path)
    ds.PatientName = f"{FAMILY}^{GIVEN}"
    ds.PatientID = PATIENT_ID
    ds.AccessionNumber = "ACC-77120934"
    ds.StudyDate = STUDY_DATE
    ds.PatientBirthDate = "19710402"
    target = folder / name.format(uid=ds.SOPInstanceUID, study=ds.StudyInstanceUID,
                                  series=ds.SeriesInstanceUID)
    target.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(target)
    return target


def _assert_no_name_in_log(tmp_path: Path, layout: Layout) -> None:
    text = (tmp_path / f"{layout.value}.jsonl").read_text(encoding="utf-8").casefold()
    for marker in (FAMILY, GIVEN, PATIENT_ID):
        assert marker.casefold() not in text, "a name in clear in the log file"


def _run(tmp_path: Path, folder: Path, layout: Layout) -> tuple[list[dict[str, object]], Path]:
    log, out = tmp_path / f"{layout.value}.jsonl", tmp_path / f"out-{layout.value}"
    run_batch(BatchOptions(inputs=(folder,), output=out, log=log, layout=layout),
              engine_factory())
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return [record for record in records if "input" in record], out


NAMED = {
    "the family name as a folder": f"{FAMILY}_{GIVEN}/ct.dcm",
    "the given name in a file name, in capitals": f"study/{GIVEN.upper()}-CT.dcm",
    "the Patient ID as a folder": f"{PATIENT_ID}/ct.dcm",
    "the SOP Instance UID as the file name": "ct/{uid}.dcm",
    "the Study Instance UID as a folder": "{study}/1.dcm",
    "the Series Instance UID as a folder": "{series}/IM0001.dcm",
    "the Accession Number as a folder": "ACC-77120934/IM0001.dcm",
    "the study date in a folder's name": f"CT_{STUDY_DATE}_1430/ct.dcm",
    "the study date in ISO form": "2024-01-15/ct.dcm",
    "the birth date, day first": "pat_02.04.1971/ct.dcm",
}


@pytest.mark.parametrize("name", NAMED.values(), ids=NAMED.keys())
@pytest.mark.parametrize("source", ["CT_small.dcm", "MR_small_bigendian.dcm"],
                         ids=["fast path", "reference path"])
def test_a_mirrored_path_holding_a_name_fails(tmp_path: Path, name: str, source: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = _input(tmp_path / "in", name, source)
    relative = str(path.relative_to(tmp_path / "in"))
    records, out = _run(tmp_path, tmp_path / "in", Layout.MIRROR)
    assert [(record["status"], record["reason"]) for record in records] == [
        (Status.FAILED.value, NAMES_IN_PATH)]
    assert not list(out.rglob("*.dcm"))
    shown = str(records[0]["input"])
    assert "*" in shown and len(shown) == len(relative)
    _assert_no_name_in_log(tmp_path, Layout.MIRROR)
    printed = capsys.readouterr()
    for text in (shown, printed.out + printed.err):
        assert FAMILY.casefold() not in text.casefold() and PATIENT_ID not in text
        assert GIVEN.casefold() not in text.casefold()


def test_the_hierarchy_layout_writes_it_and_logs_the_path_masked(tmp_path: Path) -> None:
    _input(tmp_path / "in", NAMED["the family name as a folder"])
    records, out = _run(tmp_path, tmp_path / "in", Layout.HIERARCHY)
    assert [record["status"] for record in records] == [Status.OK.value]
    assert records[0]["input"] == "*" * len(FAMILY) + "_" + "*" * len(GIVEN) + "/ct.dcm"
    assert FAMILY not in str(records[0]["output"]) and len(list(out.rglob("*.dcm"))) == 1
    _assert_no_name_in_log(tmp_path, Layout.HIERARCHY)


@pytest.mark.parametrize("name", ["ct/IM0001.dcm", "Li/ct.dcm", f"{FAMILY}s/ct.dcm",
                                  f"x{PATIENT_ID}/ct.dcm", "2024-01-16/ct.dcm",
                                  f"1{STUDY_DATE}/ct.dcm"],
                         ids=["no name", "a name shorter than four", "within a longer word",
                              "joined to a letter", "another date", "within a longer number"])
def test_a_path_without_a_name_as_a_word_is_mirrored(tmp_path: Path, name: str) -> None:
    _input(tmp_path / "in", name)
    records, out = _run(tmp_path, tmp_path / "in", Layout.MIRROR)
    assert [record["status"] for record in records] == [Status.OK.value]
    assert records[0]["input"] == name and (out / name).is_file()


def test_masked_finds_names_as_read_and_decoded() -> None:
    names = naming_terms((b"Quibbleton^Zorana ", "QZ-448812", None,
                          b"1.2.826.0.1.3680043.9.77\0"))
    assert masked_names("QUIBBLETON zorana/1.2.826.0.1.3680043.9.77.dcm", names) == (
        "********** ******/************************.dcm")
    assert masked_names("qz-4488123", names) == "qz-4488123"
    assert masked_names("Quibbletons", names) == "Quibbletons"
    decoded = naming_terms((pydicom.valuerep.PersonName("Quibbleton^Zorana"),))
    assert masked_names("a/Zorana/b", decoded) == "a/******/b"


def test_a_uid_kept_by_the_profile_names_nothing_new(tmp_path: Path) -> None:
    """Under Retain UIDs the output holds the original SOP Instance UID itself: a file named
    by it is mirrored; a patient's name beside it still fails."""
    _input(tmp_path / "in", NAMED["the SOP Instance UID as the file name"])
    log, out = tmp_path / "log.jsonl", tmp_path / "out"
    run_batch(BatchOptions(inputs=(tmp_path / "in",), output=out, log=log),
              engine_factory(profile_uri="deidentify:RetainUIDsOption"))
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [record.get("status") for record in records if "input" in record] == ["ok"]
    (written,) = out.rglob("*.dcm")
    assert written.stem == pydicom.dcmread(written).SOPInstanceUID
    _input(tmp_path / "named", NAMED["the family name as a folder"])
    named_log = tmp_path / "named.jsonl"
    run_batch(BatchOptions(inputs=(tmp_path / "named",), output=tmp_path / "out2",
                           log=named_log),
              engine_factory(profile_uri="deidentify:RetainUIDsOption"))
    records = [json.loads(line) for line in named_log.read_text(encoding="utf-8").splitlines()]
    assert [record.get("reason") for record in records if "input" in record] == [NAMES_IN_PATH]


def test_a_date_kept_by_the_profile_names_nothing_new(tmp_path: Path) -> None:
    """Under Full Dates the output holds the study date itself: a folder named by it is
    mirrored."""
    name = NAMED["the study date in ISO form"]
    _input(tmp_path / "in", name)
    log, out = tmp_path / "log.jsonl", tmp_path / "out"
    run_batch(BatchOptions(inputs=(tmp_path / "in",), output=out, log=log),
              engine_factory(profile_uri=FULL_DATES))
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [record.get("status") for record in records if "input" in record] == ["ok"]
    assert (out / name).is_file()
    assert pydicom.dcmread(out / name).StudyDate == STUDY_DATE


def test_a_shifted_date_still_names_the_object(tmp_path: Path) -> None:
    """Under Modified Dates the output holds the study date shifted: the original in a folder
    name fails."""
    _input(tmp_path / "in", NAMED["the study date in ISO form"])
    log = tmp_path / "log.jsonl"
    run_batch(BatchOptions(inputs=(tmp_path / "in",), output=tmp_path / "out", log=log),
              engine_factory(profile_uri=MODIFIED_DATES))
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [record.get("reason") for record in records if "input" in record] == [NAMES_IN_PATH]
    assert [record["input"] for record in records if "input" in record] == ["**********/ct.dcm"]
