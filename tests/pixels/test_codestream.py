"""Text that compressed Pixel Data carries beside the image is blanked, the image is not.

Real codestreams (pydicom's JPEG, JPEG-LS, JPEG 2000 and JP2 files) are given comments,
application segments, a JFIF thumbnail, tile-part comments, JP2 text boxes and a trailer
after their end holding a marker name; every path (fast, reference, streaming) writes no
byte of it, decodes to the same pixels, keeps every fragment's length, and writes the same
bytes; verify reports an output that still holds any of it.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path

import numpy
import pydicom
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydicom.encaps import encapsulate, generate_fragments, generate_frames, itemize_fragment

from deidentify.batch import BatchOptions, run_batch
from deidentify.batch.manifest import digest_of
from deidentify.batch.reading import Kind, read_whole
from deidentify.batch.streaming import STREAM_THRESHOLD, deidentify_streaming
from deidentify.cli import main
from deidentify.pixels import BurnedIn, PixelSettings, codestream
from deidentify.verify import codestreams
from tests.batch.helpers import engine_factory, output_files, shipped

MARK = b"Quixote^Zebedee"
ACCEPT = PixelSettings(burned_in=BurnedIn.ACCEPT)
"""Secondary captures are at risk of burned-in text: their pixels pass through, said so."""
Transform = Callable[[bytes], bytes]


def _segment(marker: int, content: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(content) + 2) + content


def _after_leading_applications(stream: bytes, inserted: bytes) -> bytes:
    """``inserted`` after SOI and the application segments that follow it (SPIFF first)."""
    position = 2
    while stream[position] == 0xFF and 0xE0 <= stream[position + 1] <= 0xEF:
        position += 2 + struct.unpack_from(">H", stream, position + 2)[0]
    return stream[:position] + inserted + stream[position:]


def jpeg_side_text(stream: bytes) -> bytes:
    """A comment, EXIF, XMP and IPTC segments holding the marker."""
    return _after_leading_applications(stream, b"".join((
        _segment(0xFE, b"Patient: " + MARK),
        _segment(0xE1, b"Exif\0\0MM\0*" + MARK * 3),
        _segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>" + MARK + b"</x:xmpmeta>"),
        _segment(0xED, b"Photoshop 3.0\0" + MARK),
        _segment(0xE2, b"ICC_PROFILE\0\x01\x01desc" + MARK),
    )))


def jfif_thumbnail(stream: bytes) -> bytes:
    """The JFIF segment replaced by one with a thumbnail whose pixels spell the marker."""
    assert stream[2:4] == b"\xff\xe0" and stream[6:11] == b"JFIF\0"
    length = struct.unpack_from(">H", stream, 4)[0]
    header = bytearray(stream[6:20])
    header[12], header[13] = len(MARK), 1
    return stream[:2] + _segment(0xE0, bytes(header) + MARK * 3) + stream[4 + length:]


def jpeg_ls_side_text(stream: bytes) -> bytes:
    return _after_leading_applications(stream, _segment(0xFE, MARK)
                                       + _segment(0xE8, b"vendor\0" + MARK))


def _j2k_comment(text: bytes) -> bytes:
    return b"\xff\x64" + struct.pack(">HH", len(text) + 4, 1) + text


def j2k_side_text(stream: bytes) -> bytes:
    """A comment after SIZ, and one in the first tile-part's header (its Psot grown)."""
    assert stream[:4] == b"\xff\x4f\xff\x51"
    siz_end = 4 + struct.unpack_from(">H", stream, 4)[0]
    stream = stream[:siz_end] + _j2k_comment(b"main " + MARK) + stream[siz_end:]
    sot = stream.index(b"\xff\x90\x00\x0a")
    tile_comment = _j2k_comment(b"tile " + MARK)
    (psot,) = struct.unpack_from(">L", stream, sot + 6)
    grown = struct.pack(">L", psot + len(tile_comment) if psot else 0)
    return (stream[:sot + 6] + grown + stream[sot + 10:sot + 12] + tile_comment
            + stream[sot + 12:])


def jp2_side_text(stream: bytes) -> bytes:
    """An XML box and a UUID box before the codestream box of a JP2 file."""
    position = stream.index(b"jp2c") - 4
    xml = b"<name>" + MARK + b"</name>"
    boxes = (struct.pack(">L", 8 + len(xml)) + b"xml " + xml
             + struct.pack(">L", 24 + len(MARK)) + b"uuid" + bytes(16) + MARK)
    return stream[:position] + boxes + stream[position:]


def trailer(stream: bytes) -> bytes:
    """Text after the end of the codestream, as some vendors append it."""
    return stream + b"Patient " + MARK


CASES: dict[str, tuple[str, Transform]] = {
    "jpeg-baseline": ("SC_rgb_jpeg_dcmtk.dcm", jpeg_side_text),
    "jpeg-thumbnail": ("SC_rgb_jpeg_dcmtk.dcm", jfif_thumbnail),
    "jpeg-lossless-adobe": ("SC_rgb_jpeg_gdcm.dcm", jpeg_side_text),
    "jpeg-multiframe": ("examples_ybr_color.dcm", jpeg_side_text),
    "jpeg-ls": ("MR_small_jpeg_ls_lossless.dcm", jpeg_ls_side_text),
    "jpeg-ls-spiff": ("SC_rgb_jls_lossy_line.dcm", jpeg_ls_side_text),
    "j2k": ("MR_small_jp2klossless.dcm", j2k_side_text),
    "jp2": ("GDCMJ2K_TextGBR.dcm", jp2_side_text),
    "jpeg-trailer": ("SC_rgb_jpeg_dcmtk.dcm", trailer),
    "j2k-trailer": ("MR_small_jp2klossless.dcm", trailer),
}


def _frames(ds: pydicom.Dataset) -> list[bytes]:
    return list(generate_frames(ds.PixelData, number_of_frames=int(ds.get("NumberOfFrames", 1))))


def _write(ds: pydicom.Dataset, pixel_data: bytes, path: Path) -> Path:
    ds.PixelData = pixel_data
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


def with_side_text(name: str, transform: Transform, path: Path) -> Path:
    """A shipped file with ``transform`` applied to every frame's codestream."""
    ds = pydicom.dcmread(shipped(name))
    return _write(ds, encapsulate([transform(frame) for frame in _frames(ds)]), path)


def _fragment_lengths(ds: pydicom.Dataset) -> list[int]:
    return [len(fragment) for fragment in generate_fragments(ds.PixelData)]


def _outputs(source: Path, tmp_path: Path) -> list[Path]:
    outputs = []
    for fast in (True, False):
        out = tmp_path / f"out-{fast}"
        totals = run_batch(BatchOptions(inputs=(source.parent,), output=out),
                           engine_factory(fast=fast, pixels=ACCEPT))
        assert (totals.done, totals.failed) == (1, 0)
        (output,) = output_files(out)
        outputs.append(output)
    return outputs


@pytest.mark.parametrize("case", sorted(CASES))
def test_side_text_is_blanked_on_every_path_and_the_image_is_unchanged(
        case: str, tmp_path: Path) -> None:
    name, transform = CASES[case]
    source = with_side_text(name, transform, tmp_path / "in" / "image.dcm")
    original = pydicom.dcmread(source)
    assert MARK in source.read_bytes()
    assert codestreams.check(original, "image.dcm")
    fast, reference = _outputs(source, tmp_path)
    assert fast.read_bytes() == reference.read_bytes()
    assert MARK not in fast.read_bytes()
    written = pydicom.dcmread(fast)
    assert _fragment_lengths(written) == _fragment_lengths(original)
    assert numpy.array_equal(written.pixel_array, original.pixel_array)
    assert codestreams.check(written, "image.dcm") == []


def test_a_comment_split_across_fragments_is_blanked(tmp_path: Path) -> None:
    ds = pydicom.dcmread(shipped("SC_rgb_jpeg_dcmtk.dcm"))
    (frame,) = _frames(ds)
    stream = jpeg_side_text(frame)
    split = stream.index(MARK) + 6
    split -= split % 2
    pieces = [stream[:split], stream[split:] + b"\0" * ((len(stream) - split) % 2)]
    items = b"".join(itemize_fragment(piece) for piece in [b"", *pieces])
    source = _write(ds, items, tmp_path / "in" / "split.dcm")
    original = pydicom.dcmread(source)
    fast, reference = _outputs(source, tmp_path)
    assert fast.read_bytes() == reference.read_bytes()
    assert MARK[:4] not in fast.read_bytes() and MARK[-4:] not in fast.read_bytes()
    written = pydicom.dcmread(fast)
    assert _fragment_lengths(written) == [0, *map(len, pieces)]
    assert numpy.array_equal(written.pixel_array, original.pixel_array)


def test_decoders_segments_are_kept_as_they_were(tmp_path: Path) -> None:
    """JFIF's header, Adobe's transform and JPEG-LS's SPIFF header stay byte for byte."""
    for name, kept in (("SC_rgb_jpeg_dcmtk.dcm", b"JFIF\0"), ("SC_rgb_jpeg_gdcm.dcm", b"Adobe"),
                       ("SC_rgb_jls_lossy_line.dcm", b"SPIFF\0")):
        frame = _frames(pydicom.dcmread(shipped(name)))[0]
        start = frame.index(kept) - 4
        segment = frame[start:start + 2 + struct.unpack_from(">H", frame, start + 2)[0]]
        value = b"".join(itemize_fragment(piece) for piece in (b"", jpeg_side_text(frame)))
        assert segment in codestream.blanked(value), name


def test_a_large_streamed_file_is_blanked_as_the_reference_blanks_it(tmp_path: Path) -> None:
    ds = pydicom.dcmread(shipped("SC_rgb_jpeg_dcmtk.dcm"))
    (frame,) = _frames(ds)
    padded = _after_leading_applications(
        jpeg_side_text(frame), _segment(0xE1, b"Exif\0\0" + MARK * 4000))
    count = STREAM_THRESHOLD // len(padded) + 2
    ds.NumberOfFrames = count
    source = _write(ds, encapsulate([padded] * count), tmp_path / "large.dcm")
    streamed = tmp_path / "streamed.dcm"
    written = deidentify_streaming(engine_factory(pixels=ACCEPT).deidentifier(), source, streamed,
                                   Kind.PART10)
    assert written == digest_of(streamed)
    deid = engine_factory(pixels=ACCEPT).deidentifier()
    reference = read_whole(source, Kind.PART10)
    deid.apply(reference)
    with open(tmp_path / "reference.dcm", "wb") as stream:
        deid.write(reference, stream)
    assert streamed.read_bytes() == (tmp_path / "reference.dcm").read_bytes()
    assert MARK not in streamed.read_bytes()
    output = pydicom.dcmread(streamed)
    assert numpy.array_equal(output.pixel_array, pydicom.dcmread(source).pixel_array)


def test_verify_reports_side_text_without_showing_it(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    source = with_side_text("SC_rgb_jpeg_dcmtk.dcm", jpeg_side_text, tmp_path / "in" / "a.dcm")
    secret = tmp_path / "secret"
    secret.write_text("a fixed secret for the codestream tests, not a real one\n")
    out = tmp_path / "out"
    assert main(["apply", str(source.parent), "--output", str(out), "--quiet",
                 "--secret-file", str(secret), "--burned-in", "accept"]) == 0
    checked = []
    for outputs in (out, source.parent):
        report = tmp_path / f"{outputs.name}.json"
        main(["verify", "--profile", "deidentify:", str(source.parent), str(outputs),
              "--json", str(report)])
        text = report.read_text(encoding="utf-8")
        assert MARK.decode() not in text and MARK.decode() not in capsys.readouterr().out
        checked.append([v for v in json.loads(text)["violations"] if v["kind"] == "codestream"])
    assert checked[0] == []
    assert len(checked[1]) == 1 and checked[1][0]["attribute"] == "Pixel Data"


def test_fragments_that_start_no_codestream_are_left_alone() -> None:
    ds = pydicom.dcmread(shipped("MR_small_RLE.dcm"))
    assert codestream.edits(ds.PixelData) == []
    text = b"".join(itemize_fragment(piece) for piece in (b"", _segment(0xFE, MARK)))
    assert codestream.edits(text) == []


def test_a_codestream_cut_short_is_blanked_as_far_as_it_goes() -> None:
    frame = jpeg_side_text(_frames(pydicom.dcmread(shipped("SC_rgb_jpeg_dcmtk.dcm")))[0])
    for cut in (frame[:frame.index(b"Photoshop") + 20], frame[:frame.index(b"Photoshop") - 2]):
        cut += b"\0" * (len(cut) % 2)
        value = b"".join(itemize_fragment(piece) for piece in (b"", cut))
        blanked = codestream.blanked(value)
        assert len(blanked) == len(value)
        assert MARK[:6] not in blanked


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([b"\xff\xd8", b"\xff\x4f\xff\x51",
                                                 b"\x00\x00\x00\x0cjP  \r\n\x87\n"]))
def test_any_bytes_after_a_start_give_edits_within_the_fragment(data: bytes,
                                                                 start: bytes) -> None:
    fragment = start + data + b"\0" * ((len(start) + len(data)) % 2)
    value = b"".join(itemize_fragment(piece) for piece in (b"", fragment))
    for offset, replacement in codestream.edits(value):
        assert offset >= 16 and offset + len(replacement) <= len(value)
    assert len(codestream.blanked(value)) == len(value)


def _box(kind: bytes, content: bytes) -> bytes:
    return struct.pack(">L", 8 + len(content)) + kind + content


def test_a_jpeg_xl_file_s_metadata_boxes_are_freed() -> None:
    """No decoder here reads JPEG XL: the boxes are checked by their bytes."""
    boxes = [_box(b"JXL ", b"\r\n\x87\n"), _box(b"ftyp", b"jxl \0\0\0\0jxl "),
             _box(b"Exif", b"\0\0\0\0MM\0*" + MARK), _box(b"xml ", b"<x>" + MARK + b"</x>"),
             _box(b"brob", b"Exif" + MARK), _box(b"jxlc", b"\xff\x0a" + bytes(30))]
    stream = b"".join(boxes)
    stream += b"\0" * (len(stream) % 2)
    value = b"".join(itemize_fragment(piece) for piece in (b"", stream))
    blanked = codestream.blanked(value)
    assert len(blanked) == len(value) and MARK not in blanked
    assert blanked.count(b"free") == 3 and b"jxlc\xff\x0a" in blanked and b"ftyp" in blanked
