"""The batch machinery with a trivial per-file function: resume, read-only input, log, layout."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pydicom
import pytest

from deidentify.batch import BatchOptions, Layout, Status, WorkerLost, run_batch
from deidentify.batch.atomic import TEMP_FOLDER
from tests.batch.helpers import (
    MARK,
    DyingFactory,
    Interrupted,
    InterruptingFactory,
    MarkFactory,
    copy_corpus,
    output_files,
)

NAMES = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "rtdose.dcm", "MR_small_bigendian.dcm",
         "JPEG-lossy.dcm", "image_dfl.dcm", "MR_small_RLE.dcm"]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    copy_corpus(NAMES, folder)
    return folder


def _read_only(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


@pytest.fixture
def read_only_corpus(corpus: Path) -> Iterator[Path]:
    _read_only(corpus)
    yield corpus
    for path in [corpus, *corpus.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _snapshot(folder: Path) -> dict[str, tuple[bytes, float]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime)
            for p in folder.rglob("*") if p.is_file()}


def _log(path: Path) -> list[dict[str, str | None]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_mirror_layout_and_read_only_input_untouched(
    read_only_corpus: Path, tmp_path: Path
) -> None:
    before = _snapshot(read_only_corpus)
    out = tmp_path / "out"
    totals = run_batch(BatchOptions(inputs=(read_only_corpus,), output=out), MarkFactory())
    assert totals.done == len(NAMES) and totals.failed == 0
    assert _snapshot(read_only_corpus) == before
    written = {str(p.relative_to(out)) for p in output_files(out)}
    inputs = {str(p.relative_to(read_only_corpus)) for p in read_only_corpus.rglob("*")
              if p.is_file()}
    assert written == inputs
    for path in output_files(out):
        assert pydicom.dcmread(path).PatientName == MARK
    assert not (out / TEMP_FOLDER).exists()


def test_interrupted_run_leaves_no_partial_file_and_rerun_resumes(
    corpus: Path, tmp_path: Path
) -> None:
    out, log = tmp_path / "out", tmp_path / "run.jsonl"
    options = BatchOptions(inputs=(corpus,), output=out, log=log)
    with pytest.raises(Interrupted):
        run_batch(options, InterruptingFactory(after=3))
    first = output_files(out)
    assert len(first) == 3
    for path in first:
        assert pydicom.dcmread(path).PatientName == MARK
    assert not (out / TEMP_FOLDER).exists()
    assert [record["status"] for record in _log(log)] == ["ok"] * 3

    totals = run_batch(options, MarkFactory())
    records = _log(log)
    skipped = [r for r in records if r["status"] == "skipped"]
    assert {r["output"] for r in skipped} == {str(p.relative_to(out)) for p in first}
    assert all(r["reason"] == "exists" for r in skipped)
    assert totals.skipped == 3 and totals.done == len(NAMES) - 3 and totals.failed == 0
    assert len(output_files(out)) == len(NAMES)


def test_leftover_temporary_of_a_dead_process_is_removed(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    leftover = out / TEMP_FOLDER / f"{2**22 + 12345}-0.part"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half a file")
    run_batch(BatchOptions(inputs=(corpus,), output=out), MarkFactory())
    assert not leftover.exists()
    assert len(output_files(out)) == len(NAMES)


def test_log_records_every_file_without_values(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    copy_corpus(["CT_small.dcm", "MR_small.dcm"], folder)
    (folder / "notes.txt").write_text("not DICOM", encoding="utf-8")
    log = tmp_path / "log.jsonl"
    totals = run_batch(BatchOptions(inputs=(folder,), output=tmp_path / "out", log=log),
                       MarkFactory())
    records = {str(r["input"]): r for r in _log(log)}
    assert set(records) == {"CT_small.dcm", "sub/MR_small.dcm", "notes.txt"}
    assert records["CT_small.dcm"] == {"root": str(folder), "input": "CT_small.dcm",
                                       "output": "CT_small.dcm", "status": "ok", "reason": None}
    assert records["notes.txt"]["status"] == "failed"
    assert records["notes.txt"]["output"] is None
    assert records["notes.txt"]["reason"] == "not a valid DICOM file"
    assert (totals.done, totals.failed) == (2, 1)
    text = log.read_text(encoding="utf-8")
    original = pydicom.dcmread(folder / "CT_small.dcm")
    for value in (str(original.PatientName), original.PatientID, original.SOPInstanceUID,
                  original.StudyInstanceUID):
        assert value not in text


def test_hierarchy_layout_uses_the_written_identifiers(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    totals = run_batch(BatchOptions(inputs=(corpus,), output=out, layout=Layout.HIERARCHY),
                       MarkFactory())
    instances = {pydicom.dcmread(p, stop_before_pixels=True).SOPInstanceUID
                 for p in corpus.rglob("*.dcm")}
    files = output_files(out)
    assert len(instances) < len(NAMES)
    assert len(files) == totals.done == len(instances)
    assert totals.skipped == len(NAMES) - len(instances)
    for path in files:
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        parts = path.relative_to(out).parts
        assert parts[1:] == (ds.StudyInstanceUID, ds.SeriesInstanceUID,
                             f"{ds.SOPInstanceUID}.dcm")
    rerun = run_batch(BatchOptions(inputs=(corpus,), output=out, layout=Layout.HIERARCHY),
                      MarkFactory())
    assert (rerun.skipped, rerun.done) == (len(NAMES), 0)


def test_two_roots_get_distinct_prefixes(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "study", tmp_path / "b" / "study"
    copy_corpus(["CT_small.dcm"], first)
    copy_corpus(["CT_small.dcm"], second)
    single = tmp_path / "MR_small.dcm"
    single.write_bytes(copy_corpus(["MR_small.dcm"], tmp_path / "c")[0].read_bytes())
    out = tmp_path / "out"
    totals = run_batch(BatchOptions(inputs=(first, second, single), output=out), MarkFactory())
    assert totals.done == 3
    assert {str(p.relative_to(out)) for p in output_files(out)} == {
        "study/CT_small.dcm", "study-2/CT_small.dcm", "MR_small.dcm"}


def test_two_file_inputs_of_one_name_collide(tmp_path: Path) -> None:
    first = copy_corpus(["CT_small.dcm"], tmp_path / "a")[0]
    second = copy_corpus(["CT_small.dcm"], tmp_path / "b")[0]
    totals = run_batch(BatchOptions(inputs=(first, second), output=tmp_path / "out"),
                       MarkFactory())
    assert (totals.done, totals.failed) == (1, 1)


def test_worker_processes_build_the_function_once_each(corpus: Path, tmp_path: Path) -> None:
    counts = tmp_path / "builds.txt"
    totals = run_batch(BatchOptions(inputs=(corpus,), output=tmp_path / "out", jobs=2),
                       MarkFactory(count_file=counts))
    assert totals.done == len(NAMES)
    pids = counts.read_text(encoding="ascii").split()
    assert 1 <= len(pids) <= 2 and len(set(pids)) == len(pids)
    assert str(os.getpid()) not in pids


def test_a_single_task_runs_in_this_process_whatever_the_jobs(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    copy_corpus(["CT_small.dcm"], folder)
    counts = tmp_path / "builds.txt"
    totals = run_batch(BatchOptions(inputs=(folder,), output=tmp_path / "out", jobs=2),
                       MarkFactory(count_file=counts))
    assert totals.done == 1
    assert counts.read_text(encoding="ascii").split() == [str(os.getpid())]
    assert pydicom.dcmread(tmp_path / "out" / "CT_small.dcm").PatientName == MARK


def test_results_statuses_are_the_enum(corpus: Path, tmp_path: Path) -> None:
    (corpus / "README").write_text("text", encoding="utf-8")
    log = tmp_path / "log.jsonl"
    run_batch(BatchOptions(inputs=(corpus,), output=tmp_path / "out", log=log), MarkFactory())
    assert {r["status"] for r in _log(log)} <= {s.value for s in Status}


def test_a_killed_worker_stops_the_run_and_a_rerun_resumes(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    options = BatchOptions(inputs=(corpus,), output=out, jobs=2)
    with pytest.raises(WorkerLost, match="rerun to resume"):
        run_batch(options, DyingFactory(fatal="rtdose.dcm"))
    for path in output_files(out):
        assert pydicom.dcmread(path).PatientName == MARK
    totals = run_batch(options, MarkFactory())
    assert totals.done + totals.skipped == len(NAMES) and totals.failed == 0
    assert not (out / TEMP_FOLDER).exists()
