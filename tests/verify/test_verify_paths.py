"""`deidentify verify` searches each output's path below the output folder for the identifying
values of its original: the mirror layout keeps folder and file names, so a patient's name as
a folder, or an original SOP Instance UID as a file name, reaches the output tree; the
hierarchy layout's paths hold none of them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pydicom
import pytest

from deidentify.cli import main
from tests.verify.verify_helpers import MARKERS, marker_instance

PATIENT_FOLDER = "Verifymarker_Quentina"


def _secret(tmp_path: Path) -> Path:
    secret = tmp_path / "secret"
    secret.write_text("a fixed secret for the verify path tests, not a real one\n")
    return secret


def _originals(folder: Path, name: str) -> Path:
    ds = marker_instance()
    target = folder / PATIENT_FOLDER / name.format(uid=ds.SOPInstanceUID)
    target.parent.mkdir(parents=True)
    pydicom.dcmwrite(target, ds, enforce_file_format=True)
    return folder


def _outputs(tmp_path: Path, originals: Path, layout: str) -> Path:
    """apply's output in the hierarchy layout, or that output placed at its original's path,
    as a tool writing the mirror layout without looking at the names writes it (apply
    itself refuses such a path: tests/batch/test_names_in_paths.py)."""
    hierarchy = tmp_path / "out-hierarchy"
    assert main(["apply", str(originals), "--output", str(hierarchy), "--quiet",
                 "--secret-file", str(_secret(tmp_path)), "--layout", "hierarchy"]) == 0
    if layout == "hierarchy":
        return hierarchy
    (output,) = hierarchy.rglob("*.dcm")
    mirror = tmp_path / "out-mirror"
    for original in originals.rglob("*.dcm"):
        target = mirror / original.relative_to(originals)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(output, target)
    return mirror


def _path_findings(tmp_path: Path, originals: Path, layout: str,
                   capsys: pytest.CaptureFixture[str]) -> list[dict[str, str]]:
    """The violations verify finds in the output paths; no report it writes or prints
    holds the patient's name or the original UID in clear."""
    outputs = _outputs(tmp_path, originals, layout)
    capsys.readouterr()
    report = tmp_path / f"{layout}.json"
    main(["verify", "--profile", "deidentify:", str(originals), str(outputs),
          "--json", str(report)])
    text = report.read_text(encoding="utf-8")
    for shown in (text, capsys.readouterr().out):
        assert MARKERS["PatientName"].split("^")[0] not in shown
        assert marker_instance().SOPInstanceUID not in shown
    violations = json.loads(text)["violations"]
    return [violation for violation in violations if violation["path"] == "(file path)"]


def test_a_patient_s_name_as_a_folder_is_found_in_the_mirror_layout(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = _path_findings(tmp_path, _originals(tmp_path / "in", "ct.dcm"), "mirror", capsys)
    assert len(found) == 2, "the family and the given name"
    assert all("Patient's Name" in violation["observed"] for violation in found)
    masked = "*" * len("Verifymarker") + "_" + "*" * len("Quentina") + "/ct.dcm"
    assert {violation["file"] for violation in found} == {masked}


def test_an_original_uid_as_a_file_name_is_found(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    found = _path_findings(tmp_path, _originals(tmp_path / "in", "{uid}.dcm"), "mirror",
                           capsys)
    assert {"SOP Instance UID" in violation["observed"] for violation in found} == {True, False}


@pytest.mark.parametrize("name", ["ct.dcm", "{uid}.dcm"])
def test_the_hierarchy_layout_holds_none(tmp_path: Path, name: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    originals = _originals(tmp_path / "in", name)
    assert _path_findings(tmp_path, originals, "hierarchy", capsys) == []


@pytest.mark.parametrize("name", ["1987-04-12_CT/ct.dcm", "12.04.1987/ct.dcm"])
def test_a_study_date_in_a_usual_form_is_found(tmp_path: Path, name: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    ds = marker_instance()
    assert ds.StudyDate == "19870412"
    found = _path_findings(tmp_path, _originals(tmp_path / "in", name), "mirror", capsys)
    dated = [violation for violation in found if "Study Date" in violation["observed"]]
    assert len(dated) == 1 and "1987" not in dated[0]["file"]
