"""Each input is opened once, and the fast path's output is digested from the bytes written."""

from __future__ import annotations

import builtins
import io
import os
from pathlib import Path
from typing import Any

import pydicom
import pytest
from blake3 import blake3

from deidentify.batch.files import FileOutcome
from deidentify.batch.manifest import Written, digest_of
from deidentify.batch.output import DigestingOutput
from deidentify.fastpath.apply import encode_file
from deidentify.fastpath.sink import Extent
from deidentify.fastpath.source import SourceFile
from tests.batch.helpers import engine_factory, shipped

LUT_BYTES = 1536 * 1024
"""A value larger than the fast path holds in memory: copied from the input as a range."""


def _run(source: Path, target: Path) -> FileOutcome:
    outcome = engine_factory()()(source, target)
    assert outcome is not None
    return outcome


def _with_large_lut(path: Path) -> Path:
    ds = pydicom.dcmread(shipped("CT_small.dcm"))
    ds.RedPaletteColorLookupTableData = os.urandom(LUT_BYTES)
    ds.save_as(path, enforce_file_format=True)
    return path


def test_the_fast_path_reports_the_size_and_digest_of_the_bytes_on_disk(tmp_path: Path) -> None:
    source, target = shipped("CT_small.dcm"), tmp_path / "out.dcm"
    outcome = _run(source, target)
    assert outcome.input_bytes == source.stat().st_size
    assert outcome.written == digest_of(target)


def test_a_range_copied_from_the_input_is_digested_as_written(tmp_path: Path) -> None:
    source, target = _with_large_lut(tmp_path / "lut.dcm"), tmp_path / "out.dcm"
    with SourceFile(source) as opened:
        pieces = encode_file(engine_factory().deidentifier(), opened)
    assert any(isinstance(piece, Extent) and piece.stop - piece.start >= LUT_BYTES
               for piece in pieces)
    outcome = _run(source, target)
    assert outcome.written == digest_of(target)
    reference = tmp_path / "reference.dcm"
    engine_factory().deidentifier().deidentify_file(source, reference)
    assert target.read_bytes() == reference.read_bytes()


def test_a_path_that_does_not_digest_leaves_the_worker_to_read_the_output(
    tmp_path: Path,
) -> None:
    source, target = shipped("rtplan.dcm"), tmp_path / "out.dcm"
    raw = tmp_path / "raw.dcm"
    ds = pydicom.dcmread(source)
    del ds.file_meta
    ds.save_as(raw, implicit_vr=True, little_endian=True, enforce_file_format=False)
    outcome = _run(raw, target)
    assert target.is_file() and outcome.written is None
    assert outcome.input_bytes == raw.stat().st_size


def test_the_input_is_opened_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "ct.dcm"
    source.write_bytes(shipped("CT_small.dcm").read_bytes())
    opened: list[str] = []

    def counting(real: Any) -> Any:
        def counted(path: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(path, str | os.PathLike):
                opened.append(os.fspath(path))
            return real(path, *args, **kwargs)
        return counted

    function = engine_factory()()
    monkeypatch.setattr(os, "open", counting(os.open))
    monkeypatch.setattr(io, "open", counting(io.open))
    monkeypatch.setattr(builtins, "open", counting(builtins.open))
    function(source, tmp_path / "out.dcm")
    assert opened.count(os.fspath(source)) == 1


def test_an_output_is_created_by_its_first_write_and_digests_what_was_written(
    tmp_path: Path,
) -> None:
    unused = tmp_path / "unused.part"
    with DigestingOutput(unused) as output:
        pass
    assert not unused.exists() and output.written is None
    path, parts = tmp_path / "out.part", [b"DICM", bytes(range(256)) * 4000, b""]
    with DigestingOutput(path) as output:
        for part in parts:
            assert output.write(part) == len(part)
    whole = b"".join(parts)
    assert path.read_bytes() == whole
    assert output.written == Written(len(whole), "blake3", blake3(whole).hexdigest())
