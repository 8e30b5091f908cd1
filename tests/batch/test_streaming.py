"""Large Pixel Data is copied from input to output, not read: same bytes as the reference."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.uid import UID

from deidentify.batch import BatchOptions, run_batch
from deidentify.batch.manifest import digest_of
from deidentify.batch.reading import Kind, read_whole
from deidentify.batch.streaming import STREAM_THRESHOLD, deidentify_streaming
from tests.batch.helpers import SECRET, engine_factory, output_files, shipped
from tests.batch.large import PADDING, SYNTAXES, write_multiframe

FRAMES = 100


def _reference(source: Path, target: Path) -> None:
    deid = engine_factory().deidentifier()
    ds = read_whole(source, Kind.PART10)
    deid.apply(ds)
    with open(target, "wb") as stream:
        deid.write(ds, stream)


@pytest.mark.parametrize("syntax", SYNTAXES, ids=lambda uid: UID(uid).name)
@pytest.mark.parametrize("padding", [False, True], ids=["plain", "trailing-padding"])
def test_streamed_output_equals_the_reference_output(
    syntax: UID, padding: bool, tmp_path: Path
) -> None:
    source = tmp_path / "large.dcm"
    pixels = write_multiframe(source, syntax, FRAMES, padding)
    assert len(pixels) > STREAM_THRESHOLD * 10
    streamed, reference = tmp_path / "streamed.dcm", tmp_path / "reference.dcm"
    written = deidentify_streaming(engine_factory().deidentifier(), source, streamed,
                                   Kind.PART10)
    assert written == digest_of(streamed)  # digested as copied, never read back
    _reference(source, reference)
    assert streamed.read_bytes() == reference.read_bytes()
    ds = pydicom.dcmread(streamed)
    assert ds.file_meta.TransferSyntaxUID == syntax
    assert bytes(ds.PixelData) == pixels
    assert ds.PatientIdentityRemoved == "YES"
    original = pydicom.dcmread(source, stop_before_pixels=True)
    assert ds.SOPInstanceUID != original.SOPInstanceUID
    assert (PADDING in ds) == (PADDING in original and PADDING in pydicom.dcmread(reference))


def test_small_files_are_not_streamed(tmp_path: Path) -> None:
    deid = engine_factory().deidentifier()
    assert not deidentify_streaming(deid, shipped("CT_small.dcm"), tmp_path / "o.dcm",
                                    Kind.PART10)
    assert not (tmp_path / "o.dcm").exists()


def test_truncated_large_file_fails_and_batch_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    whole = folder / "whole.dcm"
    write_multiframe(whole, SYNTAXES[0], 20)
    (folder / "cut.dcm").write_bytes(whole.read_bytes()[: whole.stat().st_size - 1000])
    for fast in (True, False):
        out = tmp_path / f"out-{fast}"
        totals = run_batch(BatchOptions(inputs=(folder,), output=out),
                           engine_factory(fast=fast))
        assert (totals.done, totals.failed) == (1, 1)
        assert [p.name for p in output_files(out)] == ["whole.dcm"]


def test_secret_is_not_in_the_factory_repr() -> None:
    assert SECRET.decode() not in repr(engine_factory())
    assert repr(SECRET) not in repr(engine_factory())
