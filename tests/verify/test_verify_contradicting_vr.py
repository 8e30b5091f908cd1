"""`deidentify verify` expects of an element written with a VR that contradicts the dictionary
what the engine does to it (``PlanRow.safest_for``), not its row's action: a date written as
SH is removed under Full Dates, where the row says K, shifted under Modified Dates, replaced
by the dummy under the Basic Profile; the original left in place is a violation each time."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataelem import DataElement

from deidentify.cli import main
from tests.verify.verify_helpers import deidentify_tree

FULL = "deidentify:RetainLongitudinalTemporalInformationFullDatesOption"
MODIFIED = "deidentify:RetainLongitudinalTemporalInformationModifiedDatesOption"
DATES_AS_SH = {0x00080021: "20200101", 0x00080022: "20200102"}
"""Series Date and Acquisition Date, written with VR SH."""


def _originals(folder: Path) -> Path:
    folder.mkdir()
    source = get_testdata_file("CT_small.dcm")
    assert source is not None
    ds = pydicom.dcmread(source)
    for tag, value in DATES_AS_SH.items():
        ds[tag] = DataElement(tag, "SH", value)
    ds.save_as(folder / "ct.dcm", enforce_file_format=True)
    return folder


def _violations(tmp_path: Path, originals: Path, outputs: Path, profile: str) -> list[str]:
    report = tmp_path / f"{outputs.name}.json"
    status = main(["verify", "--profile", profile, str(originals), str(outputs),
                   "--json", str(report)])
    result = json.loads(report.read_text(encoding="utf-8"))
    assert status == (0 if result["passed"] else 1)
    return [violation["path"] for violation in result["violations"]]


@pytest.mark.parametrize("profile", [FULL, MODIFIED, "deidentify:"])
def test_our_output_passes_and_the_original_does_not(tmp_path: Path, profile: str) -> None:
    originals = _originals(tmp_path / "in")
    deidentify_tree(originals, tmp_path / "out", profile)
    output = pydicom.dcmread(tmp_path / "out" / "ct.dcm")
    for tag, value in DATES_AS_SH.items():
        assert tag not in output or output[tag].value != value
    assert _violations(tmp_path, originals, tmp_path / "out", profile) == []
    unchanged = tmp_path / "unchanged"
    shutil.copytree(originals, unchanged)
    found = _violations(tmp_path, originals, unchanged, profile)
    assert {"(0008,0021)", "(0008,0022)"} <= set(found)
