"""``deidentify apply`` and ``sample`` as a user runs them: exit codes, messages, kill and rerun."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pydicom
import pytest

from deidentify.batch.atomic import TEMP_FOLDER
from deidentify.batch.reading import Kind, read_whole
from tests.batch.helpers import SECRET, cli, copy_corpus, output_files, shipped

COPIES = 600


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret"
    path.write_text(SECRET.hex(), encoding="ascii")
    return path


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli(*args), capture_output=True, text=True, timeout=300, check=False)


def test_exit_zero_with_summary_and_one_with_a_failed_file(
    tmp_path: Path, secret_file: Path
) -> None:
    folder = tmp_path / "in"
    copy_corpus(["CT_small.dcm", "MR_small.dcm"], folder)
    done = _run("apply", folder, "--output", tmp_path / "out", "--secret-file", secret_file)
    assert done.returncode == 0, done.stderr
    assert "de-identified" in done.stdout and "files/s" in done.stdout
    original = pydicom.dcmread(folder / "CT_small.dcm")
    (folder / "cut.dcm").write_bytes((folder / "CT_small.dcm").read_bytes()[:3000])
    log = tmp_path / "log.jsonl"
    failed = _run("apply", folder, "--output", tmp_path / "out", "--secret-file", secret_file,
                  "--log", log, "--quiet")
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert "cut.dcm: truncated or corrupt DICOM file" in failed.stderr
    statuses = sorted(json.loads(line)["status"] for line in log.read_text().splitlines())
    assert statuses == ["failed", "skipped", "skipped"]
    for value in (str(original.PatientName), original.PatientID, original.SOPInstanceUID):
        assert value not in failed.stderr + log.read_text()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--profile", "deidentify:RetainUIDOption"], "did you mean RetainUIDsOption"),
        (["--profile", "basic"], "does not start with"),
        (["--secret-file", "{tmp}/no-secret"], "no such secret file"),
        (["--jobs", "0"], "--jobs must be at least 1"),
        (["--output", "{tmp}/in/out"], "inside the input folder"),
        (["--output", "{tmp}/out", "{tmp}/absent"], "no such file or folder"),
        (["--output", "{tmp}/secret/out"], "Not a directory"),
    ],
)
def test_usage_and_configuration_errors_exit_two(
    arguments: list[str], message: str, tmp_path: Path, secret_file: Path
) -> None:
    folder = tmp_path / "in"
    copy_corpus(["CT_small.dcm"], folder)
    base = ["apply", "--output", str(tmp_path / "out"), "--secret-file", str(secret_file)]
    result = _run(*base, *(argument.format(tmp=tmp_path) for argument in arguments), folder)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "in" / "out").exists()
    assert SECRET.hex() not in result.stderr


def _wait_for_outputs(log: Path, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if log.exists() and len(log.read_text().splitlines()) >= count:
            return
        time.sleep(0.02)
    pytest.fail("the run did not get going")


def _run_under_way(tmp_path: Path, secret_file: Path, jobs: str,
                   own_session: bool = False) -> tuple[subprocess.Popen[str], Path, Path, Path]:
    """An apply of COPIES CT files started and past its first outputs: the process, the
    input folder, the output folder and the log."""
    folder = tmp_path / "in"
    folder.mkdir()
    source = shipped("CT_small.dcm")
    for index in range(COPIES):
        shutil.copyfile(source, folder / f"{index:04d}.dcm")
    out, log = tmp_path / "out", tmp_path / "log.jsonl"
    args = cli("apply", folder, "--output", out, "--secret-file", secret_file, "--log", log,
               "--jobs", jobs)
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=own_session)
    _wait_for_outputs(log, 20, process)
    return process, folder, out, log


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_killed_run_leaves_complete_outputs_and_rerun_resumes(
    sig: signal.Signals, jobs: str, tmp_path: Path, secret_file: Path
) -> None:
    process, folder, out, log = _run_under_way(tmp_path, secret_file, jobs)
    process.send_signal(sig)
    process.communicate(timeout=120)
    if sig == signal.SIGKILL:
        time.sleep(1.0)
    first = output_files(out)
    assert 0 < len(first) < COPIES
    for path in first:
        assert path.suffix == ".dcm"
        read_whole(path, Kind.PART10)
    if sig == signal.SIGTERM:
        assert process.returncode == 130

    rerun = _run("apply", folder, "--output", out, "--secret-file", secret_file, "--log", log,
                 "--quiet")
    assert rerun.returncode == 0, rerun.stderr
    records = [json.loads(line) for line in log.read_text().splitlines()]
    skipped = {r["output"] for r in records if r["status"] == "skipped"}
    assert skipped >= {str(p.relative_to(out)) for p in first}
    assert all(r["reason"] == "exists" for r in records if r["status"] == "skipped")
    assert len(output_files(out)) == COPIES
    assert not (out / TEMP_FOLDER).exists()


def test_a_stop_sent_to_the_whole_process_group_lets_the_files_in_progress_finish(
    tmp_path: Path, secret_file: Path
) -> None:
    """SIGTERM to every process of the run (a service manager's stop): the main process
    alone acts on it; the workers and their fork server ignore it, so nothing is taken for
    a lost worker."""
    process, _, out, log = _run_under_way(tmp_path, secret_file, "2", own_session=True)
    os.killpg(process.pid, signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "unexpectedly" not in stderr
    written = output_files(out)
    assert 0 < len(written) < COPIES
    for path in written:
        read_whole(path, Kind.PART10)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert {r["output"] for r in records if r["status"] == "ok"} == {
        str(p.relative_to(out)) for p in written}


def test_sample_builds_and_deidentifies(tmp_path: Path, secret_file: Path) -> None:
    result = _run("sample", "--output", tmp_path / "sample", "--secret-file", secret_file)
    assert result.returncode in (0, 1), result.stderr
    records = [json.loads(line) for line in (tmp_path / "sample" / "log.jsonl").read_text()
               .splitlines()]
    assert len(records) >= 12
    assert {"input": "NOTES.txt", "status": "skipped"}.items() <= next(
        r for r in records if r["input"] == "NOTES.txt").items()
    assert sum(1 for r in records if r["status"] == "ok") >= 11
    assert "de-identified" in result.stdout


def test_a_new_default_secret_is_announced_without_its_value(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(shipped("CT_small.dcm"), folder / "ct.dcm")
    environment = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    environment.pop("DEIDENTIFY_SECRET_FILE", None)
    environment.pop("DEIDENTIFY_SECRET", None)
    runs = [
        subprocess.run(cli("apply", folder, "--output", tmp_path / name, "--quiet"),
                       capture_output=True, text=True, env=environment, check=False)
        for name in ("first", "second")
    ]
    secret_file = tmp_path / "config" / "deidentify" / "secret"
    assert [run.returncode for run in runs] == [0, 0]
    assert f"created a new secret in {secret_file}" in runs[0].stderr
    assert secret_file.read_text().strip() not in runs[0].stderr
    assert runs[1].stderr == ""


@pytest.mark.parametrize(
    ("changed", "named"),
    [(("--profile", "deidentify:RetainUIDsOption"), "profile"),
     (("--policy", "strict"), "policy"),
     (("--unknown", "keep"), "unknown"),
     (("--secret-file", None), "secret")],
)
def test_a_rerun_with_other_settings_is_refused(
    tmp_path: Path, secret_file: Path, changed: tuple[str, str | None], named: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(shipped("CT_small.dcm"), folder / "ct.dcm")
    out = tmp_path / "out"
    first = _run("apply", folder, "--output", out, "--secret-file", secret_file, "--quiet")
    assert first.returncode == 0, first.stderr
    before = sorted(p.read_bytes() for p in output_files(out))
    other_secret = tmp_path / "other-secret"
    other_secret.write_text("another secret of enough length\n")
    option, value = changed
    settings = {"--secret-file": str(secret_file), option: value or str(other_secret)}
    rerun = _run("apply", folder, "--output", out, "--quiet",
                 *[part for pair in settings.items() for part in pair])
    assert rerun.returncode == 2
    assert rerun.stderr.count("\n") == 1
    assert f"written by a run with another {named}" in rerun.stderr
    assert "choose a new output folder" in rerun.stderr
    assert sorted(p.read_bytes() for p in output_files(out)) == before
    same = _run("apply", folder, "--output", out, "--secret-file", secret_file, "--quiet")
    assert same.returncode == 0, same.stderr
