"""Every class of inconsistent element structure is refused on every path, never written.

Each corruption of :mod:`tests.structure.corrupt` goes through the fast path (which refuses
it, or declines it to the reference path), the reference path
(``Deidentifier.deidentify_file``), a batch run with and without the fast path, and (in a
file large enough to stream) the streaming path; none writes an output, and each names the
problem without a value of the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.batch import BatchOptions, run_batch
from deidentify.batch.reading import Kind
from deidentify.batch.results import TRUNCATED, FileFailed
from deidentify.batch.streaming import deidentify_streaming
from deidentify.engine import DeidentifyError
from deidentify.fastpath import fast_deidentify_file
from deidentify.structure import CorruptStructure, check_file
from tests.batch.helpers import engine_factory
from tests.structure import corrupt

SECRET = b"structure tests: a secret of more than sixteen bytes"
IDENTIFYING = (corrupt.NAME, corrupt.PATIENT_ID, corrupt.STUDY_UID)
REFUSAL = "corrupt element structure at byte "
BATCH_REFUSAL = f"^({REFUSAL}|{TRUNCATED}$)"
"""A batch reports a structure that runs past the end of the file as truncated."""


@pytest.fixture(scope="module")
def deid() -> Deidentifier:
    return Deidentifier(Plan.build(parse_profile("deidentify:")), SECRET)


def _no_value_in(message: str) -> None:
    assert not any(value in message for value in IDENTIFYING), message


def test_the_intact_marker_files_are_accepted(tmp_path: Path, deid: Deidentifier) -> None:
    for name, data in (("native", corrupt.marker_file()),
                       ("encapsulated", corrupt.encapsulated_file())):
        source = tmp_path / f"{name}.dcm"
        source.write_bytes(data)
        check_file(data)
        assert fast_deidentify_file(deid, source, tmp_path / f"{name}-fast.dcm")
        deid.deidentify_file(source, tmp_path / f"{name}-reference.dcm")


@pytest.mark.parametrize("name", sorted(corrupt.CORRUPTIONS))
def test_the_fast_and_reference_paths_refuse(name: str, tmp_path: Path,
                                             deid: Deidentifier) -> None:
    source = tmp_path / "corrupt.dcm"
    source.write_bytes(corrupt.CORRUPTIONS[name]())
    fast_target = tmp_path / "fast.dcm"
    try:  # refused, or declined to the reference path (which refuses it, below)
        assert not fast_deidentify_file(deid, source, fast_target)
    except CorruptStructure as refused:
        _no_value_in(str(refused))
    assert not fast_target.exists()
    reference_target = tmp_path / "reference.dcm"
    with pytest.raises(DeidentifyError, match=REFUSAL) as reported:
        deid.deidentify_file(source, reference_target)
    assert not reference_target.exists()
    message = str(reported.value)
    assert message.startswith(f"{source}: ") and "\n" not in message
    _no_value_in(message)


@pytest.mark.parametrize("fast", [True, False])
def test_a_batch_run_reports_each_corrupt_file_and_writes_none(tmp_path: Path,
                                                              fast: bool) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    names = sorted(corrupt.CORRUPTIONS)
    for number, name in enumerate(names):
        (folder / f"corrupt-{number:02d}.dcm").write_bytes(corrupt.CORRUPTIONS[name]())
    (folder / "intact.dcm").write_bytes(corrupt.marker_file())
    log = tmp_path / "log.jsonl"
    out = tmp_path / "out"
    totals = run_batch(BatchOptions(inputs=(folder,), output=out, log=log),
                       engine_factory(fast=fast))
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    failed = {record["input"]: record["reason"] for record in records
              if record["status"] == "failed"}
    assert (totals.done, totals.failed) == (1, len(names))
    assert sorted(failed) == [f"corrupt-{number:02d}.dcm" for number in range(len(names))]
    assert all(re.match(BATCH_REFUSAL, reason) for reason in failed.values())
    assert sum(reason.startswith(REFUSAL) for reason in failed.values()) > len(names) // 2
    assert sorted(path.name for path in out.rglob("*.dcm")) == ["intact.dcm"]
    _no_value_in(log.read_text(encoding="utf-8"))


STREAMED = {
    "a value runs past its item": lambda: corrupt.short_length(
        corrupt.large_native_file(), corrupt.REFERENCED_SOP_INSTANCE_UID, lambda n: n + 40),
    "a value swallows the next element": lambda: corrupt._swallow_next(
        corrupt.large_native_file(), corrupt.STUDY_DESCRIPTION),
    "a flipped tag": lambda: corrupt._flip_tag(
        corrupt.large_native_file(), corrupt.PATIENT_ID_TAG, 0x00100002),
    "a bad item tag in large encapsulated Pixel Data": lambda: (
        lambda d: d[:corrupt._fragment(d)] + corrupt.tag_bytes(0xFFFEE0EE)
        + d[corrupt._fragment(d) + 4:])(corrupt.encapsulated_file(1_200_000)),
    "large encapsulated Pixel Data without its delimiter": lambda: (
        corrupt.encapsulated_file(1_200_000)[:-8]),
}


def test_the_intact_large_file_streams(tmp_path: Path, deid: Deidentifier) -> None:
    source = tmp_path / "large.dcm"
    source.write_bytes(corrupt.large_native_file())
    assert deidentify_streaming(deid, source, tmp_path / "out.dcm", Kind.PART10)


@pytest.mark.parametrize("name", sorted(STREAMED))
def test_the_streaming_path_refuses(name: str, tmp_path: Path, deid: Deidentifier) -> None:
    source = tmp_path / "large.dcm"
    source.write_bytes(STREAMED[name]())
    target = tmp_path / "out.dcm"
    with pytest.raises(FileFailed, match=BATCH_REFUSAL) as refused:
        deidentify_streaming(deid, source, target, Kind.PART10)
    assert not target.exists()
    _no_value_in(str(refused.value))
