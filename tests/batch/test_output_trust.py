"""The output folder records what this tool wrote; a file it did not write is never done."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pydicom
from blake3 import blake3
from pydicom.uid import ExplicitVRLittleEndian

from deidentify.batch import BatchOptions, Layout, Status, run_batch
from deidentify.batch.manifest import MANIFEST, digest_of, load_manifest
from deidentify.batch.results import EXISTS, REPLACED
from deidentify.batch.streaming import STREAM_THRESHOLD
from tests.batch.helpers import engine_factory, output_files, shipped
from tests.batch.large import write_multiframe

ORIGINAL_NAME = "CompressedSamples^CT1"


def _records(log: Path) -> dict[str, dict[str, str | None]]:
    return {r["input"]: r for r in map(json.loads, log.read_text().splitlines())}


def _corpus(folder: Path) -> None:
    folder.mkdir()
    shutil.copyfile(shipped("CT_small.dcm"), folder / "ct.dcm")
    shutil.copyfile(shipped("MR_small.dcm"), folder / "mr.dcm")


def test_the_manifest_records_every_output_with_its_digest(tmp_path: Path) -> None:
    _corpus(tmp_path / "in")
    out = tmp_path / "out"
    run_batch(BatchOptions(inputs=(tmp_path / "in",), output=out), engine_factory())
    records = load_manifest(out)
    assert set(records) == {"ct.dcm", "mr.dcm"}
    for path in output_files(out):
        assert records[path.name] == digest_of(path)
    lines = [json.loads(line) for line in (out / MANIFEST).read_text().splitlines()]
    assert {tuple(sorted(line)) for line in lines} == {("blake3", "bytes", "output")}


def test_a_planted_original_at_an_output_path_is_replaced_on_a_first_run(tmp_path: Path) -> None:
    _corpus(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    shutil.copyfile(shipped("CT_small.dcm"), out / "ct.dcm")
    log = tmp_path / "log.jsonl"
    totals = run_batch(BatchOptions(inputs=(tmp_path / "in",), output=out, log=log),
                       engine_factory())
    assert (totals.done, totals.skipped, totals.failed) == (2, 0, 0)
    assert _records(log)["ct.dcm"]["reason"] == REPLACED
    assert totals.reasons == {REPLACED: 1}
    assert str(pydicom.dcmread(out / "ct.dcm").PatientName) != ORIGINAL_NAME
    assert load_manifest(out)["ct.dcm"] == digest_of(out / "ct.dcm")


def test_a_rerun_skips_only_outputs_whose_bytes_it_recorded(tmp_path: Path) -> None:
    _corpus(tmp_path / "in")
    out, log = tmp_path / "out", tmp_path / "log.jsonl"
    options = BatchOptions(inputs=(tmp_path / "in",), output=out, log=log)
    run_batch(options, engine_factory())
    shutil.copyfile(shipped("CT_small.dcm"), out / "ct.dcm")
    totals = run_batch(options, engine_factory())
    records = _records(log)
    assert (records["ct.dcm"]["status"], records["ct.dcm"]["reason"]) == ("ok", REPLACED)
    assert (records["mr.dcm"]["status"], records["mr.dcm"]["reason"]) == ("skipped", EXISTS)
    assert (totals.done, totals.skipped) == (1, 1)
    assert str(pydicom.dcmread(out / "ct.dcm").PatientName) != ORIGINAL_NAME


def test_without_a_manifest_nothing_at_an_output_path_counts_as_done(tmp_path: Path) -> None:
    _corpus(tmp_path / "in")
    out = tmp_path / "out"
    options = BatchOptions(inputs=(tmp_path / "in",), output=out)
    run_batch(options, engine_factory())
    (out / MANIFEST).unlink()
    totals = run_batch(options, engine_factory())
    assert (totals.done, totals.skipped, totals.reasons) == (2, 0, {REPLACED: 2})


def test_the_hierarchy_layout_replaces_a_planted_file_at_its_path(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(shipped("CT_small.dcm"), folder / "ct.dcm")
    scratch = tmp_path / "scratch"
    run_batch(BatchOptions(inputs=(folder,), output=scratch, layout=Layout.HIERARCHY),
              engine_factory())
    [written] = output_files(scratch)
    relative = written.relative_to(scratch)
    out = tmp_path / "out"
    (out / relative).parent.mkdir(parents=True)
    shutil.copyfile(shipped("CT_small.dcm"), out / relative)
    log = tmp_path / "log.jsonl"
    options = BatchOptions(inputs=(folder,), output=out, layout=Layout.HIERARCHY, log=log)
    totals = run_batch(options, engine_factory())
    assert (totals.done, totals.reasons) == (1, {REPLACED: 1})
    assert (out / relative).read_bytes() == written.read_bytes()
    again = run_batch(options, engine_factory())
    assert (again.done, again.skipped, again.reasons) == (0, 1, {EXISTS: 1})
    assert _records(log)["ct.dcm"]["status"] == Status.SKIPPED.value


def _every_path_corpus(folder: Path) -> None:
    """An input for each path: the fast path (CT), the streaming path (a multi-frame CT over
    the streaming threshold) and the reference path (a raw dataset, without File Meta)."""
    _corpus(folder)
    write_multiframe(folder / "large.dcm", ExplicitVRLittleEndian, 5)
    assert (folder / "large.dcm").stat().st_size > STREAM_THRESHOLD
    ds = pydicom.dcmread(shipped("rtplan.dcm"))
    del ds.file_meta
    ds.save_as(folder / "raw.dcm", implicit_vr=True, little_endian=True,
               enforce_file_format=False)


def _lines(out: Path) -> list[dict[str, str | int]]:
    return [json.loads(line) for line in (out / MANIFEST).read_text().splitlines()]


def test_every_path_records_the_blake3_of_the_bytes_on_disk(tmp_path: Path) -> None:
    _every_path_corpus(tmp_path / "in")
    out = tmp_path / "out"
    totals = run_batch(BatchOptions(inputs=(tmp_path / "in",), output=out), engine_factory())
    assert (totals.done, totals.failed) == (4, 0)
    lines = {line["output"]: line for line in _lines(out)}
    assert set(lines) == {"ct.dcm", "mr.dcm", "large.dcm", "raw.dcm"}
    for name, line in lines.items():
        data = (out / str(name)).read_bytes()
        assert line == {"output": name, "bytes": len(data),
                        "blake3": blake3(data).hexdigest()}


def _as_an_earlier_version_recorded(out: Path) -> None:
    """Rewrite the manifest as earlier versions wrote it: the SHA-256 of each output."""
    lines = [{"output": line["output"], "bytes": line["bytes"],
              "sha256": hashlib.sha256((out / str(line["output"])).read_bytes()).hexdigest()}
             for line in _lines(out)]
    (out / MANIFEST).write_text("".join(json.dumps(line) + "\n" for line in lines))


def test_outputs_recorded_by_sha256_are_checked_by_it_and_skipped(tmp_path: Path) -> None:
    _every_path_corpus(tmp_path / "in")
    out, log = tmp_path / "out", tmp_path / "log.jsonl"
    options = BatchOptions(inputs=(tmp_path / "in",), output=out, log=log)
    run_batch(options, engine_factory())
    _as_an_earlier_version_recorded(out)
    before = {path.name: path.read_bytes() for path in output_files(out)}
    totals = run_batch(options, engine_factory())
    assert (totals.done, totals.skipped, totals.reasons) == (0, 4, {EXISTS: 4})
    assert {path.name: path.read_bytes() for path in output_files(out)} == before
    assert all(record["reason"] == EXISTS for record in _records(log).values())


def test_a_file_changed_under_a_sha256_record_or_with_a_damaged_one_is_replaced(
    tmp_path: Path,
) -> None:
    _every_path_corpus(tmp_path / "in")
    out, log = tmp_path / "out", tmp_path / "log.jsonl"
    options = BatchOptions(inputs=(tmp_path / "in",), output=out, log=log)
    run_batch(options, engine_factory())
    _as_an_earlier_version_recorded(out)
    shutil.copyfile(shipped("CT_small.dcm"), out / "ct.dcm")
    kept = [line for line in _lines(out) if line["output"] != "mr.dcm"]
    size = (out / "mr.dcm").stat().st_size
    damaged = [f'{{"output": "mr.dcm", "bytes": {size}, "sha2',
               json.dumps({"output": "mr.dcm", "bytes": size}),
               json.dumps(["mr.dcm", size]),
               json.dumps({"output": "large.dcm", "bytes": "many", "blake3": "00"})]
    (out / MANIFEST).write_text("".join(json.dumps(line) + "\n" for line in kept)
                                + "\n".join(damaged) + "\n")
    totals = run_batch(options, engine_factory())
    records = _records(log)
    assert {name: (record["status"], record["reason"]) for name, record in records.items()} == {
        "ct.dcm": ("ok", REPLACED), "mr.dcm": ("ok", REPLACED),
        "large.dcm": ("skipped", EXISTS), "raw.dcm": ("skipped", EXISTS)}
    assert (totals.done, totals.skipped) == (2, 2)
    assert str(pydicom.dcmread(out / "ct.dcm").PatientName) != ORIGINAL_NAME
    manifest = load_manifest(out)
    for name in ("ct.dcm", "mr.dcm"):
        assert manifest[name] == digest_of(out / name)
        assert manifest[name].algorithm == "blake3"
    again = run_batch(options, engine_factory())
    assert (again.done, again.skipped) == (0, 4)
