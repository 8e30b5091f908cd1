"""Worker processes: forked from a fork server where processes have descriptors, and ending
when the run's main process ends, however it ends."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from deidentify.batch import processes
from deidentify.batch.processes import FORK_SERVER, wait_for_exit, worker_context
from tests.batch.helpers import SECRET, copy_corpus, output_files

LINUX = sys.platform.startswith("linux")


def _waiter(pid: int) -> threading.Thread:
    thread = threading.Thread(target=wait_for_exit, args=(pid,), daemon=True)
    thread.start()
    return thread


@pytest.mark.skipif(not LINUX, reason="process descriptors are Linux's")
def test_workers_are_forked_from_the_fork_server_on_linux() -> None:
    assert worker_context().get_start_method() == FORK_SERVER


def test_a_process_already_gone_ends_the_wait_at_once() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    waiter = _waiter(child.pid)
    waiter.join(timeout=5)
    assert not waiter.is_alive()


def test_the_wait_lasts_as_long_as_the_process_and_ends_when_it_is_killed() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        waiter = _waiter(child.pid)
        waiter.join(timeout=0.5)
        assert waiter.is_alive()
        child.kill()
        waiter.join(timeout=5)  # the killed process is not reaped yet: a zombie has ended
        assert not waiter.is_alive()
    finally:
        child.kill()
        child.wait()


def test_without_process_descriptors_workers_are_spawned_and_watch_their_parent(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(processes, "_has_process_descriptors", lambda: False)
    assert worker_context().get_start_method() == "spawn"
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        waiter = _waiter(child.pid)  # not this process's parent: as a worker orphaned
        waiter.join(timeout=5)
        assert not waiter.is_alive()
    finally:
        child.kill()
        child.wait()


SPAWNED_RUN = """
import sys
from deidentify.batch import processes
processes._has_process_descriptors = lambda: False
from deidentify.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("descriptors", [True, False], ids=["forked", "spawned"])
def test_a_run_with_workers_writes_every_output_forked_or_spawned(
        descriptors: bool, tmp_path: Path) -> None:
    folder, out, secret = tmp_path / "in", tmp_path / "out", tmp_path / "secret"
    secret.write_bytes(SECRET)
    names = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "rtdose.dcm", "rtstruct.dcm"]
    copy_corpus(names, folder)
    args = ["apply", str(folder), "--output", str(out), "--secret-file", str(secret),
            "--jobs", "2", "--quiet"]
    command = [sys.executable, "-m", "deidentify", *args] if descriptors else [
        sys.executable, "-c", SPAWNED_RUN, *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(output_files(out)) == len(names)
