"""Inputs above the memory-map threshold: values copied file to file, output unchanged."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.encaps import encapsulate
from pydicom.uid import RLELossless

from deidentify.fastpath import fast_deidentify_file
from deidentify.fastpath.apply import encode_file
from deidentify.fastpath.layout import read_layout
from deidentify.fastpath.sink import Extent, Piece, write_pieces
from deidentify.fastpath.source import MAP_THRESHOLD, SourceFile
from tests.fastpath import synthetic
from tests.fastpath.paths import deidentifier, reference_output

FRAME = 256 * 256 * 2

def _multi_frame(folder: Path, frames: int, encapsulated: bool) -> Path:
    ds: Dataset = next(synthetic.datasets())
    ds.Rows = ds.Columns = 256
    ds.NumberOfFrames = frames
    pattern = os.urandom(FRAME)
    if encapsulated:
        ds.PixelData = encapsulate([pattern] * frames)
        ds["PixelData"].is_undefined_length = True
    else:
        ds.PixelData = pattern * frames
    path = synthetic.write(ds, folder / "large.dcm", implicit=False)
    if encapsulated:
        stored = pydicom.dcmread(path)
        stored.file_meta.TransferSyntaxUID = RLELossless
        stored.save_as(path, enforce_file_format=True)
    return path

@pytest.mark.parametrize("encapsulated", [False, True], ids=["native", "encapsulated"])
def test_large_input_is_mapped_and_matches_the_reference(
    encapsulated: bool, tmp_path: Path
) -> None:
    frames = MAP_THRESHOLD // FRAME + 8
    source = _multi_frame(tmp_path, frames, encapsulated)
    assert source.stat().st_size > MAP_THRESHOLD
    deid = deidentifier("deidentify:")
    reference = reference_output(deid, source, tmp_path)
    assert reference is not None
    to_file = tmp_path / "fast.dcm"
    assert fast_deidentify_file(deid, source, to_file)
    assert to_file.read_bytes() == reference
    stream = io.BytesIO()
    assert fast_deidentify_file(deid, source, stream)
    assert stream.getvalue() == reference
    with SourceFile(source) as opened:
        pieces = encode_file(deid, opened)
    copied = [piece for piece in pieces if isinstance(piece, Extent)]
    assert sum(piece.stop - piece.start for piece in copied) >= frames * FRAME

def test_extents_are_copied_by_the_kernel_or_streamed_alike(tmp_path: Path) -> None:
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    pieces: list[Piece] = [b"head", Extent(5, 3 * 1024 * 1024), b"middle", Extent(0, 9), b"tail"]
    data = source.read_bytes()
    expected = b"head" + data[5 : 3 * 1024 * 1024] + b"middle" + data[:9] + b"tail"
    with SourceFile(source) as opened:
        with (tmp_path / "kernel.bin").open("wb") as target:
            target.write(b"offset")
            write_pieces(pieces, opened.fd, target)
        streamed = io.BytesIO()
        write_pieces(pieces, opened.fd, streamed)
    assert (tmp_path / "kernel.bin").read_bytes() == b"offset" + expected
    assert streamed.getvalue() == expected

def test_large_pixel_data_the_engine_would_decode_is_declined(tmp_path: Path) -> None:
    frames = MAP_THRESHOLD // FRAME + 8
    ds: Dataset = next(synthetic.datasets())
    ds.Rows = ds.Columns = 256
    ds.NumberOfFrames = frames
    ds.PixelData = b"\x01\x02" * (FRAME // 2) * frames
    source = synthetic.write(ds, tmp_path / "implicit.dcm", implicit=True)
    assert not fast_deidentify_file(deidentifier("deidentify:"), source, io.BytesIO())
    cleaning = deidentifier("deidentify:CleanDescriptorsOption")
    explicit = _multi_frame(tmp_path, frames, encapsulated=False)
    assert not fast_deidentify_file(cleaning, explicit, io.BytesIO())

def test_missing_input_is_declined(tmp_path: Path) -> None:
    assert not fast_deidentify_file(deidentifier("deidentify:"), tmp_path / "absent.dcm",
                                    io.BytesIO())

def _mapped_file_pages_kb() -> int:
    status = Path("/proc/self/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("RssFile:"))
    return int(line.split()[1])

@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_walking_fragments_of_a_mapped_file_leaves_no_pages_mapped(tmp_path: Path) -> None:
    fragment = 64 * 1024
    count = 2 * MAP_THRESHOLD // fragment
    path = tmp_path / "fragments.bin"
    with path.open("wb") as stream:
        stream.write(bytes(128) + b"DICM")
        meta = b"1.2.840.10008.1.2.4.90\0"
        stream.write(b"\x02\x00\x10\x00UI" + len(meta).to_bytes(2, "little") + meta)
        stream.write(b"\xe0\x7f\x10\x00OB\0\0\xff\xff\xff\xff")
        item = b"\xfe\xff\x00\xe0" + fragment.to_bytes(4, "little") + os.urandom(fragment)
        for _ in range(count):
            stream.write(item)
        stream.write(b"\xfe\xff\xdd\xe0\0\0\0\0")
    with SourceFile(path) as opened:
        assert opened.mapped
        before = _mapped_file_pages_kb()
        layout = read_layout(opened.buffer)
        grown = _mapped_file_pages_kb() - before
    assert layout.elements[0].undefined_length
    assert grown < 4 * 1024, f"{grown} kB of the mapped file still resident"
