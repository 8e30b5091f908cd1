"""``deidentify apply --cluster`` on a real Dask cluster: a scheduler and two worker processes
on 127.0.0.1; outputs and log against a ``--jobs 1`` run with the same secret."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import distributed
import pytest

from deidentify.batch import BatchOptions, FileResult, Status, run_batch
from deidentify.cli import main
from deidentify.cluster import open_session
from deidentify.cluster.tasks import WorkerEngineFactory
from tests.batch.helpers import SECRET, engine_factory, output_files, shipped

NAMES = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "rtdose.dcm", "rtstruct.dcm",
         "emri_small_big_endian.dcm"]
COPIES = 8
"""Copies of each file: with the others, 50 tasks in 9 chunks, 4 of them in flight."""


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A scheduler and two worker processes of one thread, all on 127.0.0.1, no dashboard port."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=":0",
                                  silence_logs=50) as cluster:
        yield cluster.scheduler_address


def make_inputs(folder: Path, copies: int) -> Path:
    """Copies of shipped files in subfolders, a text file, a truncated file and a DICOMDIR."""
    for copy in range(copies):
        for name in NAMES:
            target = folder / f"series{copy:03d}" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shipped(name), target)
    (folder / "notes.txt").write_text("not DICOM\n", encoding="utf-8")
    (folder / "cut.dcm").write_bytes(shipped("CT_small.dcm").read_bytes()[:3000])
    shutil.copyfile(shipped("DICOMDIR"), folder / "DICOMDIR")
    return folder


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Inputs, a secret file and the ``--jobs 1`` run of them: output folder and log."""
    base = tmp_path_factory.mktemp("cluster")
    inputs = make_inputs(base / "in", copies=COPIES)
    secret = base / "secret"
    secret.write_text(SECRET.hex(), encoding="ascii")
    status = main(["apply", str(inputs), "--output", str(base / "local"), "--secret-file",
                   str(secret), "--log", str(base / "local.jsonl"), "--quiet"])
    assert status == 1
    return {"in": inputs, "secret": secret, "out": base / "local", "log": base / "local.jsonl"}


def contents(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in output_files(folder)}


def records(log: Path) -> list[str]:
    """The log's records, one per input, in a comparable order."""
    lines = log.read_text(encoding="utf-8").splitlines()
    return sorted(json.dumps(json.loads(line), sort_keys=True) for line in lines)


def apply(baseline: dict[str, Path], out: Path, *extra: str) -> int:
    return main(["apply", str(baseline["in"]), "--output", str(out), "--secret-file",
                 str(baseline["secret"]), "--log", str(out) + ".jsonl", "--quiet", *extra])


def test_outputs_and_log_are_those_of_a_local_run(
    scheduler: str, baseline: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert apply(baseline, out, "--cluster", scheduler) == 1
    assert contents(out) == contents(baseline["out"])
    assert len(contents(out)) == COPIES * len(NAMES)
    assert records(Path(f"{out}.jsonl")) == records(baseline["log"])
    statuses = [json.loads(line)["status"] for line in records(baseline["log"])]
    assert statuses.count("ok") == COPIES * len(NAMES) and statuses.count("failed") == 1
    assert "cut.dcm: truncated or corrupt DICOM file" in capsys.readouterr().err
    record = ".deidentify-run"
    assert _settings(out / record) == _settings(baseline["out"] / record)
    assert not (out / ".deidentify-tmp").exists()


def _settings(record: Path) -> list[str]:
    """A run record's settings; its secret check is salted anew by every run."""
    return [line for line in record.read_text("utf-8").splitlines()
            if not line.startswith("secret-check=")]


def test_hierarchy_layout_as_a_local_run(
    scheduler: str, baseline: dict[str, Path], tmp_path: Path
) -> None:
    layout = ("--layout", "hierarchy")
    assert apply(baseline, tmp_path / "local", *layout) == 1
    assert apply(baseline, tmp_path / "cluster", *layout, "--cluster", scheduler) == 1
    assert contents(tmp_path / "cluster") == contents(tmp_path / "local")
    assert len(contents(tmp_path / "local")) == len(NAMES)
    # Copies of one file share a place: which copy is written first differs, not the counts.
    local, cluster = (
        [json.loads(line) for line in records(tmp_path / f"{run}.jsonl")]
        for run in ("local", "cluster"))
    assert sorted((r["input"], r["output"]) for r in cluster) == sorted(
        (r["input"], r["output"]) for r in local)
    assert sorted((r["status"], r["reason"] or "") for r in cluster) == sorted(
        (r["status"], r["reason"] or "") for r in local)


def _secrets_held() -> int:
    from deidentify.cluster import secret

    return len(secret._SECRETS)


def _plugin_names(dask_scheduler: Any) -> list[str]:
    return list(dask_scheduler.worker_plugins)


def test_the_secret_is_never_in_a_task_and_leaves_the_workers_after_the_run(
    scheduler: str, baseline: dict[str, Path], tmp_path: Path
) -> None:
    sent = WorkerEngineFactory.without_secret(engine_factory(), None)
    assert SECRET not in pickle.dumps(sent) and SECRET.hex().encode() not in pickle.dumps(sent)
    assert sent.settings == replace(engine_factory(), secret=b"")
    assert apply(baseline, tmp_path / "out", "--cluster", scheduler) == 1
    with distributed.Client(scheduler, set_as_default=False) as client:
        held: dict[str, int] = client.run(_secrets_held)
        plugins = client.run_on_scheduler(_plugin_names)
    assert len(held) == 2 and set(held.values()) == {0}
    assert not [name for name in plugins if name.startswith("deidentify-secret")]


def test_a_rerun_resumes_and_other_settings_are_refused(
    scheduler: str, baseline: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    shutil.copytree(baseline["out"], out)
    assert apply(baseline, out, "--cluster", scheduler) == 1
    lines = Path(f"{out}.jsonl").read_text(encoding="utf-8").splitlines()
    statuses = {json.loads(line)["status"] for line in lines}
    assert statuses == {"skipped", "failed"}
    assert contents(out) == contents(baseline["out"])
    capsys.readouterr()
    assert apply(baseline, out, "--cluster", scheduler, "--uid-scheme", "dcm4che") == 2
    assert "written by a run with another uid-scheme" in capsys.readouterr().err


def test_workers_read_a_shared_secret_file_and_refuse_another(
    scheduler: str, baseline: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert apply(baseline, out, "--cluster", scheduler,
                 "--worker-secret-file", str(baseline["secret"])) == 1
    assert contents(out) == contents(baseline["out"])
    other = tmp_path / "other-secret"
    other.write_text("another secret of more than sixteen bytes", encoding="utf-8")
    capsys.readouterr()
    assert apply(baseline, tmp_path / "refused", "--cluster", scheduler,
                 "--worker-secret-file", str(other)) == 2
    error = capsys.readouterr().err
    assert "holds another secret than the one the client read" in error
    assert output_files(tmp_path / "refused") == []
    assert SECRET.hex() not in error and "another secret of" not in error


def test_files_from_streams_a_list_to_the_workers(
    scheduler: str, baseline: dict[str, Path], tmp_path: Path
) -> None:
    listed = [f"series{copy:03d}/{name}" for copy in (1, 4) for name in NAMES]
    (tmp_path / "list.txt").write_text("\n".join(listed) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert apply(baseline, out, "--cluster", scheduler, "--files-from",
                 str(tmp_path / "list.txt")) == 0
    expected = {path: data for path, data in contents(baseline["out"]).items() if path in listed}
    assert contents(out) == expected and len(expected) == len(listed)


class KillOneWorker:
    """A progress display that SIGKILLs a worker holding tasks when the first result comes."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.killed: list[str] = []
        self.held = 0

    def start(self, total: int) -> None:
        self.total = total

    def advance(self, result: FileResult) -> None:
        if self.killed or result.status is not Status.OK:
            return
        processing: dict[str, list[str]] = self.client.processing()
        held: dict[str, list[str]] = self.client.has_what()
        busy = {address: [*processing.get(address, ()), *held.get(address, ())]
                for address in set(processing) | set(held)}
        address, keys = max(busy.items(), key=lambda item: len(item[1]))
        pid = self.client.run(os.getpid, workers=[address])[address]
        os.kill(pid, signal.SIGKILL)
        self.killed.append(address)
        self.held = len(keys)
        deadline = time.monotonic() + 20
        while address in self.client.nthreads() and time.monotonic() < deadline:
            time.sleep(0.05)

    def finish(self) -> None:
        """Nothing to show."""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_worker_killed_mid_run_and_the_run_still_complete_and_identical(
    scheduler: str, baseline: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    log = tmp_path / "run.jsonl"
    factory = engine_factory()
    with distributed.Client(scheduler, set_as_default=False) as watcher:
        display = KillOneWorker(watcher)
        with open_session(scheduler, factory) as session:
            options = BatchOptions(inputs=(baseline["in"],), output=out, log=log,
                                   identity=factory.identity)
            totals = run_batch(options, session.factory, display, pool=session.pool)
    assert display.killed and display.held > 0
    assert display.killed[0] not in watcher_addresses(scheduler)
    assert totals.failed == 1 and totals.done == COPIES * len(NAMES)
    assert contents(out) == contents(baseline["out"])
    assert records(log) == records(baseline["log"])
    assert not (out / ".deidentify-tmp").exists()


def watcher_addresses(scheduler: str) -> set[str]:
    with distributed.Client(scheduler, set_as_default=False) as client:
        return set(client.nthreads())


def test_local_workers_started_by_the_command(
    baseline: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert apply(baseline, out, "--cluster", "local:1") == 1
    assert contents(out) == contents(baseline["out"])
    assert records(Path(f"{out}.jsonl")) == records(baseline["log"])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--cluster", "scheduler:8786"], "expected tcp://HOST:PORT"),
        (["--cluster", "local:0"], "at least one worker"),
        (["--cluster", "local:2", "--jobs", "2"], "--jobs is for this machine"),
        (["--worker-secret-file", "secret"], "--worker-secret-file needs --cluster"),
    ],
)
def test_usage_errors(
    baseline: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    arguments: list[str], message: str,
) -> None:
    assert apply(baseline, tmp_path / "out", *arguments) == 2
    assert message in capsys.readouterr().err
    assert output_files(tmp_path / "out") == [] if (tmp_path / "out").exists() else True


def test_without_distributed_the_flag_says_what_to_install(
    baseline: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    assert apply(baseline, tmp_path / "out", "--cluster", "local:2") == 2
    error = capsys.readouterr().err
    assert error.strip() == ("deidentify apply: --cluster needs dask's distributed package: "
                             "pip install 'deidentify[distributed]' (dask's distributed package)")
    assert not (tmp_path / "out").exists()


def test_an_unreachable_scheduler_is_one_line(
    baseline: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("deidentify.cluster.connect.CONNECT_TIMEOUT", "1s")
    assert apply(baseline, tmp_path / "out", "--cluster", "tcp://127.0.0.1:9") == 2
    assert capsys.readouterr().err == ("deidentify apply: --cluster tcp://127.0.0.1:9: cannot "
                                       "reach the scheduler (OSError)\n")
    assert not (tmp_path / "out").exists()
