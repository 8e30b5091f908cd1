"""A deliberately broken runtime (one row of the plan changed) fails both the generated
conformance check and `deidentify verify`: neither takes its expectation from the plan."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pydicom
import pytest

from deidentify import Plan, Treatment, parse_profile
from deidentify.cli import main
from deidentify.engine import Deidentifier
from tests.conformance import conformance_checks, test_conformance_2026c_basic
from tests.verify.verify_helpers import SECRET, copy_testdata

STUDY_ID = 0x00200010
"""A Z attribute that CT_small.dcm holds (Patient's Name gets the patient's pseudonym from
the linkage whatever its plan row says, so a broken row would not show at the top level)."""


def broken_runtime() -> Deidentifier:
    """The Basic Profile with Study ID kept instead of emptied."""
    plan = Plan.build(parse_profile("deidentify:"))
    row = plan.exact[STUDY_ID]
    plan.exact[STUDY_ID] = dataclasses.replace(row, treatment=Treatment.KEEP)
    return Deidentifier(plan, secret=SECRET)


def study_id_case() -> conformance_checks.Case:
    """The generated case of Study ID under the Basic Profile."""
    cases = [case for case in test_conformance_2026c_basic.EMPTY if case[1] == STUDY_ID]
    assert len(cases) == 1
    return cases[0]


def test_the_generated_case_passes_on_the_real_runtime() -> None:
    conformance_checks.check_empty("2026c", test_conformance_2026c_basic.CONTAINER,
                                   study_id_case())


def test_the_generated_case_fails_on_a_broken_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = broken_runtime()
    monkeypatch.setattr(conformance_checks, "deidentifier", lambda edition, profile: runtime)
    with pytest.raises(AssertionError, match=r"\(0020,0010\) kept its original value"):
        conformance_checks.check_empty("2026c", test_conformance_2026c_basic.CONTAINER,
                                       study_id_case())


def test_verify_fails_on_the_output_of_a_broken_runtime(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (source,) = copy_testdata(["CT_small.dcm"], tmp_path / "in")
    (tmp_path / "out").mkdir()
    broken_runtime().deidentify_file(source, tmp_path / "out" / "CT_small.dcm")
    assert pydicom.dcmread(tmp_path / "out" / "CT_small.dcm").StudyID != ""
    report = tmp_path / "result.json"
    status = main(["verify", str(tmp_path / "in"), str(tmp_path / "out"),
                   "--profile", "deidentify:", "--json", str(report)])
    capsys.readouterr()
    assert status == 1
    violations = json.loads(report.read_text(encoding="utf-8"))["violations"]
    assert {(v["attribute"], v["path"], v["kind"]) for v in violations} >= {
        ("Study ID", "(0020,0010)", "action Z")}
