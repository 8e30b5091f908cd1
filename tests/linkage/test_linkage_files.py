"""Linkage files list exactly the replacements the outputs carry, whatever the run's shape."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pydicom
import pytest

from deidentify.uids import keyed_uid
from tests.linkage.helpers import (
    SECRET,
    dicom_files,
    make_patients,
    read_all,
    read_pairs,
    run,
    shipped,
    uids_in,
    write_secret,
)

SYSTEM_UIDS = frozenset({"1.2.840.10008.1.2", "1.2.840.10008.1.2.1"})


def _expected(inputs: Path, outputs: Path) -> tuple[set[tuple[str, str]], set[str]]:
    """The patient pairs (read from each output and its input) and the replaced UIDs found in
    the outputs (UIDs of an output that no input holds)."""
    originals: set[str] = set()
    for path in dicom_files(inputs):
        originals.update(uids_in(pydicom.dcmread(path)))
    patients: set[tuple[str, str]] = set()
    replaced: set[str] = set()
    for relative, ds in read_all(outputs).items():
        source = pydicom.dcmread(inputs / relative)
        patients.add((str(source.get("PatientID", "")), str(ds.PatientID)))
        replaced.update(uid for uid in uids_in(ds) if uid not in originals)
    return patients, replaced


def _check_exact(inputs: Path, outputs: Path, linkage: Path) -> None:
    patients, replaced = _expected(inputs, outputs)
    assert set(read_pairs(linkage / "patients.csv")) == patients
    uid_pairs = read_pairs(linkage / "uids.csv")
    assert len(uid_pairs) == len(set(uid_pairs)), "deduplicated"
    assert {new for _, new in uid_pairs} == replaced
    assert all(keyed_uid(SECRET.encode(), old) == new for old, new in uid_pairs)
    for name in ("patients.csv", "uids.csv"):
        assert stat.S_IMODE(os.stat(linkage / name).st_mode) == 0o600


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_linkage_files_hold_exactly_the_pairs_in_the_outputs(tmp_path: Path, jobs: str) -> None:
    make_patients(tmp_path / "in")
    status, _, err = run("apply", tmp_path / "in", "--output", tmp_path / "out", "--secret-file",
                         write_secret(tmp_path), "--linkage", tmp_path / "link", "--jobs", jobs,
                         "--quiet")
    assert status == 0
    assert "they identify the patients" in err
    _check_exact(tmp_path / "in", tmp_path / "out", tmp_path / "link")
    assert len(read_pairs(tmp_path / "link" / "patients.csv")) == 2
    assert len(read_pairs(tmp_path / "link" / "uids.csv")) >= 2 + 6 + 6


def test_a_failed_file_leaves_no_pair(tmp_path: Path) -> None:
    make_patients(tmp_path / "in")
    (tmp_path / "map.csv").write_text("PatientID,NewPatientID\nMRN-1001,T-1\n")
    status, _, _ = run("apply", tmp_path / "in", "--output", tmp_path / "out", "--secret-file",
                       write_secret(tmp_path), "--linkage", tmp_path / "link", "--patient-map",
                       tmp_path / "map.csv", "--quiet")
    assert status == 1
    assert read_pairs(tmp_path / "link" / "patients.csv") == [("MRN-1001", "T-1")]
    _check_exact(tmp_path / "in", tmp_path / "out", tmp_path / "link")


def test_a_resumed_run_keeps_the_linkage_exact(tmp_path: Path) -> None:
    make_patients(tmp_path / "in")
    args = ("apply", tmp_path / "in", "--output", tmp_path / "out", "--secret-file",
            write_secret(tmp_path), "--linkage", tmp_path / "link", "--quiet")
    assert run(*args)[0] == 0
    shutil.rmtree(tmp_path / "out" / "patient2")
    (tmp_path / "link" / "uids.csv").unlink()
    assert run(*args)[0] == 0
    _check_exact(tmp_path / "in", tmp_path / "out", tmp_path / "link")
    assert len(read_pairs(tmp_path / "link" / "patients.csv")) == 2


def test_a_killed_run_rerun_lists_exactly_its_outputs(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    make_patients(inputs)
    (inputs / "bulk").mkdir()
    for index in range(30):
        ds = pydicom.dcmread(shipped("CT_small.dcm"))
        ds.PatientID = f"BULK-{index % 7}"
        ds.SOPInstanceUID = f"1.2.826.0.1.3680043.10.1137.78.{index}"
        ds.save_as(inputs / "bulk" / f"{index}.dcm")
    args = [sys.executable, "-m", "deidentify", "apply", str(inputs), "--output",
            str(tmp_path / "out"), "--secret-file", str(write_secret(tmp_path)), "--linkage",
            str(tmp_path / "link"), "--jobs", "2", "--quiet"]
    process = subprocess.Popen(args, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if len(dicom_files(tmp_path / "out")) >= 2:
            break
        time.sleep(0.02)
    assert process.poll() is None, "the run ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert len(dicom_files(tmp_path / "out")) < 36
    assert subprocess.run(args, stderr=subprocess.DEVNULL, check=False).returncode == 0
    assert len(dicom_files(tmp_path / "out")) == 36
    _check_exact(inputs, tmp_path / "out", tmp_path / "link")


def test_the_linkage_folder_cannot_lie_in_the_output(tmp_path: Path) -> None:
    make_patients(tmp_path / "in")
    status, _, err = run("apply", tmp_path / "in", "--output", tmp_path / "out", "--secret-file",
                         write_secret(tmp_path), "--linkage", tmp_path / "out" / "link")
    assert status == 2
    assert "cannot lie inside the output folder" in err
