"""Messages name the real problem: truncation as truncation, the log as the log, parser
failures by their kind, never a bare exception type."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pydicom
import pytest
from pydicom.errors import InvalidDicomError

from deidentify.batch import BatchOptions, run_batch
from deidentify.batch.failures import BAD_LENGTH, BAD_TEXT, INVALID, reason_for
from deidentify.batch.manifest import load_manifest
from deidentify.batch.results import TRUNCATED, Status
from tests.batch.helpers import SECRET, cli, engine_factory, output_files, shipped


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret"
    path.write_text(SECRET.hex(), encoding="ascii")
    return path


def _reasons(folder: Path, out: Path) -> dict[str, str | None]:
    log = out.parent / f"{out.name}.jsonl"
    run_batch(BatchOptions(inputs=(folder,), output=out, log=log), engine_factory())
    return {r["input"]: r["reason"] for r in map(json.loads, log.read_text().splitlines())}


def test_truncated_files_of_every_kind_are_reported_as_truncated(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    cuts = {}
    for name in ("JPEG-lossy.dcm", "image_dfl.dcm", "rtstruct.dcm", "MR_small_RLE.dcm"):
        data = shipped(name).read_bytes()
        for fraction in (0.3, 0.6, 0.9):
            cut = f"{name}-{fraction}"
            (folder / cut).write_bytes(data[: int(len(data) * fraction)])
            cuts[cut] = int(len(data) * fraction)
    reasons = _reasons(folder, tmp_path / "out")
    expected = {cut: "deflated data is truncated" if cut.startswith("image_dfl") else TRUNCATED
                for cut in cuts}
    wrong = {cut: reason for cut, reason in reasons.items() if reason != expected[cut]}
    assert len(reasons) == len(cuts)
    assert wrong == {}


def test_a_listed_element_of_an_unknown_vr_gets_its_safest_action(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    data = shipped("CT_small.dcm").read_bytes()
    at = data.index(b"\x08\x00\x20\x00DA")
    date = data[at + 8 : at + 16]
    (folder / "bad-vr.dcm").write_bytes(data[: at + 4] + b"ZZ" + data[at + 6 :])
    assert _reasons(folder, tmp_path / "out") == {"bad-vr.dcm": None}
    written = tmp_path / "out" / "bad-vr.dcm"
    study_date = pydicom.dcmread(written)[0x00080020]
    assert (study_date.VR, study_date.value) == ("DA", "")  # Z under Basic, in the dictionary's VR
    assert date not in written.read_bytes()


@pytest.mark.parametrize(("error", "reason"), [
    (struct.error("unpack requires a buffer of 2 bytes"), BAD_LENGTH),
    (zlib.error("Error -3 while decompressing data"), TRUNCATED),
    (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), BAD_TEXT),
    (OSError("No tag to read at file position 3B6"), TRUNCATED),
    (InvalidDicomError("File is missing DICOM File Meta Information header"), INVALID),
])
def test_parser_exceptions_are_reported_by_their_kind_without_their_message(
    error: Exception, reason: str
) -> None:
    assert reason_for(error) == (Status.FAILED, reason)
    assert str(error) not in reason


def test_a_full_disk_under_the_log_is_reported_against_the_log(
    tmp_path: Path, secret_file: Path
) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    folder = tmp_path / "in"
    folder.mkdir()
    for index in range(3):
        shutil.copyfile(shipped("CT_small.dcm"), folder / f"{index}.dcm")
    out = tmp_path / "out"
    result = subprocess.run(
        cli("apply", folder, "--output", out, "--secret-file", secret_file, "--log",
            "/dev/full", "--summary-json", tmp_path / "summary.json"),
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    assert "/dev/full: cannot write the log (No space left on device)" in result.stderr
    assert str(out) not in result.stderr.replace(f"{out}/", "")
    written = {p.name for p in output_files(out)}
    assert written and written == set(load_manifest(out))
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["de_identified"] == len(written)
    assert summary["exit_status"] == 1
    assert summary["log_error"].startswith("/dev/full: cannot write the log")


def _apply_one_ct_with_log(tmp_path: Path, secret_file: Path,
                           log: Path) -> subprocess.CompletedProcess[str]:
    """``deidentify apply --log LOG`` of a folder of one CT file, into ``tmp_path/out``."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(shipped("CT_small.dcm"), folder / "ct.dcm")
    return subprocess.run(
        cli("apply", folder, "--output", tmp_path / "out", "--secret-file", secret_file,
            "--log", log, "--quiet"), capture_output=True, text=True, timeout=120,
        check=False)


def test_the_logs_missing_folders_are_created_as_the_output_folders_are(
    tmp_path: Path, secret_file: Path
) -> None:
    log = tmp_path / "logs" / "today" / "run.jsonl"
    result = _apply_one_ct_with_log(tmp_path, secret_file, log)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["input"], r["status"]) for r in records] == [("ct.dcm", "ok")]


def test_a_log_that_cannot_be_created_is_a_usage_error_naming_it(
    tmp_path: Path, secret_file: Path
) -> None:
    log = tmp_path / "a-folder"
    log.mkdir()
    result = _apply_one_ct_with_log(tmp_path, secret_file, log)
    assert result.returncode == 2
    assert result.stderr == f"deidentify apply: {log}: cannot write the log (Is a directory)\n"
    assert not (tmp_path / "out").exists()
