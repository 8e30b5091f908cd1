"""Every path met under an input is accounted for: de-identified, skipped or failed, with why."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from deidentify.batch import BatchOptions, InputError, Status, run_batch
from deidentify.batch.discovery import ALREADY_WALKED, BROKEN_LINK, NOT_REGULAR
from tests.batch.helpers import SECRET, MarkFactory, cli, engine_factory, output_files, shipped


def _records(log: Path) -> list[dict[str, str | None]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def _without_root_privileges(args: list[str]) -> list[str]:
    """Root reads any folder: drop the capabilities that let it, so modes count."""
    if os.geteuid() != 0:
        return args
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: a folder cannot be made unreadable")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", *args]


def _apply(*args: str | Path) -> subprocess.CompletedProcess[str]:
    secret = Path(str(args[-1]))
    command = _without_root_privileges(cli("apply", *args[:-1], "--secret-file", secret))
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret"
    path.write_text(SECRET.hex(), encoding="ascii")
    return path


def test_an_unreadable_sub_folder_is_a_failure_in_log_and_summary(
    tmp_path: Path, secret_file: Path
) -> None:
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    shutil.copyfile(shipped("CT_small.dcm"), folder / "ct.dcm")
    shutil.copyfile(shipped("MR_small.dcm"), folder / "locked" / "mr.dcm")
    (folder / "locked").chmod(0)
    log = tmp_path / "log.jsonl"
    try:
        result = _apply(folder, "--output", tmp_path / "out", "--log", log, secret_file)
    finally:
        (folder / "locked").chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert f"failed: {folder}: locked: folder cannot be read (Permission denied)" in result.stderr
    assert "folder cannot be read (Permission denied)" in result.stdout
    assert sorted((r["input"], r["status"]) for r in _records(log)) == [
        ("ct.dcm", "ok"), ("locked", "failed")]


def test_an_unreadable_input_folder_is_a_failure(tmp_path: Path, secret_file: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(shipped("CT_small.dcm"), folder / "ct.dcm")
    folder.chmod(0)
    log = tmp_path / "log.jsonl"
    try:
        result = _apply(folder, "--output", tmp_path / "out", "--log", log, secret_file)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert _records(log) == [{"root": str(folder), "input": ".", "output": None,
                              "status": "failed",
                              "reason": "folder cannot be read (Permission denied)"}]


def test_symbolic_links_to_folders_are_followed_once_and_loops_skipped(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copyfile(shipped("CT_small.dcm"), elsewhere / "ct.dcm")
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    shutil.copyfile(shipped("MR_small.dcm"), folder / "sub" / "mr.dcm")
    (folder / "linked").symlink_to(elsewhere, target_is_directory=True)
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "sub" / "again").symlink_to(elsewhere, target_is_directory=True)
    (folder / "dangling").symlink_to(tmp_path / "gone")
    os.mkfifo(folder / "pipe")
    log = tmp_path / "log.jsonl"
    totals = run_batch(BatchOptions(inputs=(folder,), output=tmp_path / "out", log=log),
                       MarkFactory())
    assert {(r["input"], r["status"], r["reason"]) for r in _records(log)} == {
        ("dangling", "skipped", BROKEN_LINK),
        ("linked/ct.dcm", "ok", None),
        ("pipe", "skipped", NOT_REGULAR),
        ("sub/again", "skipped", ALREADY_WALKED),
        ("sub/loop", "skipped", ALREADY_WALKED),
        ("sub/mr.dcm", "ok", None),
    }
    assert (totals.done, totals.skipped, totals.failed) == (2, 4, 0)
    assert [p.relative_to(tmp_path / "out").as_posix() for p in output_files(tmp_path / "out")] \
        == ["linked/ct.dcm", "sub/mr.dcm"]


def test_an_empty_input_folder_is_a_usage_error(tmp_path: Path, secret_file: Path) -> None:
    (tmp_path / "empty" / "only-folders").mkdir(parents=True)
    with pytest.raises(InputError, match="empty: the folder holds no file"):
        run_batch(BatchOptions(inputs=(tmp_path / "empty",), output=tmp_path / "out"),
                  MarkFactory())
    assert not (tmp_path / "out").exists()
    result = subprocess.run(
        cli("apply", tmp_path / "empty", "--output", tmp_path / "out", "--secret-file",
            secret_file), capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert result.stderr == f"deidentify apply: {tmp_path / 'empty'}: the folder holds no file\n"


def test_statuses_cover_every_record(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(shipped("CT_small.dcm"), folder / "ct.dcm")
    (folder / "notes.txt").write_text("not DICOM")
    log = tmp_path / "log.jsonl"
    totals = run_batch(BatchOptions(inputs=(folder,), output=tmp_path / "out", log=log),
                       MarkFactory())
    assert totals.files == len(_records(log)) == 2
    assert {r["status"] for r in _records(log)} <= {s.value for s in Status}


def test_file_names_that_are_not_utf8_are_logged_and_resumed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    odd = os.fsdecode(b"bad\xffname.dcm")
    shutil.copyfile(shipped("CT_small.dcm"), folder / odd)
    (folder / "new\nline.txt").write_text("not DICOM")
    log = tmp_path / "log.jsonl"
    options = BatchOptions(inputs=(folder,), output=tmp_path / "out", log=log)
    first = run_batch(options, engine_factory())
    assert (first.done, first.skipped) == (1, 1)
    assert {r["input"] for r in _records(log)} == {odd, "new\nline.txt"}
    again = run_batch(options, engine_factory())
    assert (again.done, again.skipped, again.reasons["exists"]) == (0, 2, 1)
