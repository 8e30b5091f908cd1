"""One run per output folder, and every output on disk recorded whatever stops a run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from deidentify.batch import BatchOptions, InputError, run_batch
from deidentify.batch.lock import LOCK, OutputLock
from deidentify.batch.manifest import digest_of, load_manifest
from tests.batch.helpers import SECRET, MarkFactory, cli, output_files, shipped

COPIES = 400


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for index in range(COPIES):
        shutil.copyfile(shipped("CT_small.dcm"), folder / f"{index:04d}.dcm")
    return folder


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret"
    path.write_text(SECRET.hex(), encoding="ascii")
    return path


def _start(corpus: Path, out: Path, log: Path, secret: Path, jobs: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli("apply", corpus, "--output", out, "--secret-file", secret, "--log", log,
            "--jobs", jobs, "--quiet"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_records(log: Path, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if log.exists() and len(log.read_text().splitlines()) >= count:
            return
        time.sleep(0.02)
    pytest.fail("the run did not get going")


def test_a_second_run_into_a_locked_folder_is_refused_naming_the_first(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(shipped("CT_small.dcm"), folder / "ct.dcm")
    out = tmp_path / "out"
    out.mkdir()
    with OutputLock(out), pytest.raises(InputError) as raised:
        run_batch(BatchOptions(inputs=(folder,), output=out), MarkFactory())
    message = str(raised.value)
    assert f"PID {os.getpid()} on {socket.gethostname()}" in message
    assert "another deidentify run" in message and "choose another output folder" in message
    assert output_files(out) == [] and not (out / LOCK).exists()
    run_batch(BatchOptions(inputs=(folder,), output=out), MarkFactory())
    assert len(output_files(out)) == 1


def test_two_runs_at_once_the_second_is_refused_and_the_first_loses_no_file(
    corpus: Path, tmp_path: Path, secret_file: Path
) -> None:
    out = tmp_path / "out"
    first = _start(corpus, out, tmp_path / "first.jsonl", secret_file, "2")
    _wait_for_records(tmp_path / "first.jsonl", 5, first)
    first.send_signal(signal.SIGSTOP)
    try:
        second = subprocess.run(
            cli("apply", corpus, "--output", out, "--secret-file", secret_file, "--quiet"),
            capture_output=True, text=True, timeout=120, check=False)
    finally:
        first.send_signal(signal.SIGCONT)
    _, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    assert second.returncode == 2
    assert f"another deidentify run (PID {first.pid} on {socket.gethostname()}" \
        in second.stderr
    records = [json.loads(line) for line in (tmp_path / "first.jsonl").read_text().splitlines()]
    assert [r["status"] for r in records] == ["ok"] * COPIES
    assert len(output_files(out)) == COPIES


def test_a_killed_run_releases_its_lock(corpus: Path, tmp_path: Path, secret_file: Path) -> None:
    out = tmp_path / "out"
    first = _start(corpus, out, tmp_path / "first.jsonl", secret_file, "1")
    _wait_for_records(tmp_path / "first.jsonl", 5, first)
    first.kill()
    first.wait(timeout=60)
    again = subprocess.run(
        cli("apply", corpus, "--output", out, "--secret-file", secret_file, "--quiet"),
        capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize(("sig", "jobs"), [(signal.SIGTERM, "1"), (signal.SIGTERM, "2"),
                                           (signal.SIGINT, "2")], ids=["term-1", "term-2", "int-2"])
def test_after_a_stop_signal_every_output_on_disk_has_its_log_record(
    sig: signal.Signals, jobs: str, corpus: Path, tmp_path: Path, secret_file: Path
) -> None:
    out, log = tmp_path / "out", tmp_path / "log.jsonl"
    process = _start(corpus, out, log, secret_file, jobs)
    _wait_for_records(log, 10, process)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "interrupted after the files in progress" in stderr
    on_disk = {p.relative_to(out).as_posix() for p in output_files(out)}
    logged = {json.loads(line)["output"] for line in log.read_text().splitlines()
              if json.loads(line)["status"] == "ok"}
    assert 0 < len(on_disk) < COPIES
    assert on_disk == logged


def test_after_kill_9_every_output_on_disk_is_in_the_manifest_and_the_log(
    corpus: Path, tmp_path: Path, secret_file: Path
) -> None:
    out, log = tmp_path / "out", tmp_path / "log.jsonl"
    process = _start(corpus, out, log, secret_file, "2")
    _wait_for_records(log, 10, process)
    process.kill()
    process.wait(timeout=60)
    time.sleep(1.5)
    records = load_manifest(out)
    on_disk = output_files(out)
    assert 0 < len(on_disk) < COPIES
    for path in on_disk:
        assert records[path.relative_to(out).as_posix()] == digest_of(path)
    logged = {json.loads(line)["output"] for line in log.read_text().splitlines()
              if json.loads(line)["status"] == "ok"}
    assert {p.relative_to(out).as_posix() for p in on_disk} == logged
