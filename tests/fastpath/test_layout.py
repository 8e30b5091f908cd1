"""The byte-level parse against pydicom's own reader, and its refusals."""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable
from pathlib import Path

import pydicom
import pydicom.data
import pytest
from pydicom.dataset import Dataset
from pydicom.encaps import encapsulate
from pydicom.sequence import Sequence
from pydicom.uid import JPEG2000Lossless

from deidentify.fastpath.layout import Declined, Element, FileLayout, read_layout
from deidentify.structure import SWALLOWED, CorruptStructure, check_file
from tests.fastpath import synthetic
from tests.fastpath.paths import shipped


def _layout(path: Path) -> FileLayout:
    return read_layout(path.read_bytes())


def _assert_matches_pydicom(path: Path) -> None:
    """Every top-level element: same tag, and same value bytes as pydicom's raw element.

    pydicom parses undefined-length sequences at once and decodes Specific Character Set.
    """
    buffer = path.read_bytes()
    layout = read_layout(buffer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(path)
    assert [element.tag for element in layout.elements] == list(ds.keys())
    for element in layout.elements:
        raw = ds.get_item(element.tag, keep_deferred=True)
        value = buffer[element.value_start : element.content_end]
        if raw.is_raw:
            assert value == (raw.value or b""), hex(element.tag)
        elif element.tag != 0x00080005:
            assert raw.VR == "SQ" and element.undefined_length, hex(element.tag)


@pytest.mark.parametrize("implicit", [False, True], ids=["explicit", "implicit"])
def test_synthetic_files_parse_like_pydicom(implicit: bool, tmp_path: Path) -> None:
    ds = next(synthetic.datasets())
    path = synthetic.write(ds, tmp_path / "input.dcm", implicit)
    assert _layout(path).implicit_vr is implicit
    _assert_matches_pydicom(path)


@pytest.mark.parametrize(
    "name", ["CT_small.dcm", "MR_small_implicit.dcm", "JPEG2000.dcm", "MR_small_RLE.dcm"]
)
def test_shipped_files_parse_like_pydicom(name: str) -> None:
    _assert_matches_pydicom(shipped(name))


@pytest.mark.parametrize("name", ["rtstruct.dcm", "ExplVR_LitEndNoMeta.dcm"])
def test_raw_datasets_parse_like_pydicom(name: str) -> None:
    path = shipped(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read = pydicom.dcmread(path, force=True)
    layout = _layout(path)
    assert layout.raw and layout.meta == ()
    assert (layout.implicit_vr, True) == read.original_encoding
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert [element.tag for element in layout.elements] == list(read.keys())
    buffer = path.read_bytes()
    for element in layout.elements:
        raw = read.get_item(element.tag, keep_deferred=True)
        if raw.is_raw:
            assert buffer[element.value_start:element.content_end] == (raw.value or b"")


def test_raw_datasets_pydicom_would_read_otherwise_are_declined() -> None:
    explicit = shipped("ExplVR_LitEndNoMeta.dcm").read_bytes()
    implicit = shipped("rtstruct.dcm").read_bytes()
    assert "raw dataset" in _refused(explicit[:4] + b"ZZ" + explicit[6:])  # no standard VR
    assert "raw dataset" in _refused(shipped("ExplVR_BigEndNoMeta.dcm").read_bytes())
    assert "raw dataset" in _refused(b"\x02\x00" + implicit[2:])  # File Meta first


def _with_undefined_lengths(tmp_path: Path, implicit: bool) -> Path:
    ds = next(synthetic.datasets())
    inner = Dataset()
    inner.CodeValue = "X1"
    inner.is_undefined_length_sequence_item = True
    nested = Sequence([inner])
    nested.is_undefined_length = True
    outer = Dataset()
    outer.ConceptNameCodeSequence = nested
    outer.is_undefined_length_sequence_item = True
    ds.ContentSequence = Sequence([outer, Dataset()])
    ds["ContentSequence"].is_undefined_length = True
    return synthetic.write(ds, tmp_path / "undefined.dcm", implicit)


@pytest.mark.parametrize("implicit", [False, True], ids=["explicit", "implicit"])
def test_undefined_length_sequences_are_skipped_whole(implicit: bool, tmp_path: Path) -> None:
    path = _with_undefined_lengths(tmp_path, implicit)
    layout = _layout(path)
    content = next(e for e in layout.elements if e.tag == 0x0040A730)
    assert content.undefined_length
    buffer = path.read_bytes()
    assert buffer[content.content_end : content.end] == b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"
    _assert_matches_pydicom(path)


def test_encapsulated_pixel_data_spans_its_fragments(tmp_path: Path) -> None:
    ds = next(synthetic.datasets())
    frames = [b"\x01\x02" * 50, b"\x03\x04" * 70]
    ds.PixelData = encapsulate(frames)
    ds["PixelData"].is_undefined_length = True
    ds.NumberOfFrames = 2
    path = tmp_path / "encapsulated.dcm"
    synthetic.write(ds, path, implicit=False)
    ds = pydicom.dcmread(path)
    ds.file_meta.TransferSyntaxUID = JPEG2000Lossless
    ds.save_as(path, enforce_file_format=True)
    layout = _layout(path)
    pixels = layout.elements[-1]
    assert pixels.tag == 0x7FE00010 and pixels.undefined_length
    assert path.read_bytes()[pixels.value_start : pixels.content_end] == encapsulate(frames)


def _refused(buffer: bytes) -> str:
    with pytest.raises(Declined) as refusal:
        read_layout(buffer)
    return str(refusal.value)


def test_unhandled_encodings_are_declined() -> None:
    for name in ("MR_small_bigendian.dcm", "image_dfl.dcm", "no_meta.dcm"):
        _refused(shipped(name).read_bytes())


def test_truncation_anywhere_is_declined_or_parses_a_shorter_file() -> None:
    """A cut header or value is one the fast path meets: declined, never refused."""
    buffer = shipped("MR_small_RLE.dcm").read_bytes()
    parsed = 0
    for cut in range(0, len(buffer), 7):
        try:
            layout = read_layout(buffer[:cut])
        except Declined:
            continue
        parsed += 1
        last = layout.elements[-1] if layout.elements else layout.meta[-1]
        assert last.end == cut
    assert 0 < parsed < len(buffer) // 7 // 10


def test_tags_out_of_order_are_declined() -> None:
    buffer = bytearray(shipped("CT_small.dcm").read_bytes())
    layout = read_layout(bytes(buffer))
    first, second = layout.elements[3], layout.elements[4]
    buffer[second.start : second.start + 4] = buffer[first.start : first.start + 4]
    assert "order" in _refused(bytes(buffer))


def test_undefined_length_on_a_plain_element_is_declined() -> None:
    buffer = bytearray(shipped("MR_small_implicit.dcm").read_bytes())
    layout = read_layout(bytes(buffer))
    element = next(e for e in layout.elements if e.tag == 0x00100010)
    buffer[element.start + 4 : element.start + 8] = b"\xff\xff\xff\xff"
    assert "undefined length" in _refused(bytes(buffer))


def _verdict(check: Callable[[bytes], object], buffer: bytes) -> str:
    try:
        check(buffer)
    except CorruptStructure as refused:
        return f"refused at {refused.offset}: {refused.problem} ({refused.truncated})"
    except RecursionError:
        return "nested too deeply"
    return "consistent"


@pytest.mark.parametrize("name", ["CT_small.dcm", "MR_small_implicit.dcm", "rtplan.dcm",
                                  "JPEG2000.dcm", "test-SR.dcm"])
def test_the_layout_walk_checks_as_the_structure_check_does(name: str) -> None:
    """Where the layout is not declined, the walk that records it refuses exactly what
    check_file refuses (the same offset and problem), at every depth."""
    original = shipped(name).read_bytes()
    headers_end = next((e.value_start for e in read_layout(original).elements
                        if e.tag == 0x7FE00010), len(original))
    generator = random.Random(name)
    compared = refused = 0
    for _ in range(200):
        buffer = bytearray(original)
        for _ in range(generator.randint(1, 3)):
            buffer[generator.randrange(132, headers_end)] = generator.randrange(256)
        damaged = bytes(buffer)
        try:
            layout_verdict = _verdict(read_layout, damaged)
        except Declined:
            continue
        compared += 1
        refused += layout_verdict != "consistent"
        assert layout_verdict == _verdict(check_file, damaged)
    assert compared > 40 and refused >= 5, (compared, refused)


def _with_value(buffer: bytes, element: Element, value: bytes) -> bytes:
    assert len(value) == element.content_end - element.value_start
    return buffer[: element.value_start] + value + buffer[element.content_end :]


def test_a_decline_anywhere_comes_before_a_refusal() -> None:
    """A control character in a text value is refused by every path; a later element of a
    VR the fast path does not read makes it decline (the reference path refuses then)."""
    buffer = shipped("CT_small.dcm").read_bytes()
    elements = read_layout(buffer).elements
    name = next(e for e in elements if e.tag == 0x00100010)
    swallowed = _with_value(buffer, name, b"\x01" * (name.content_end - name.value_start))
    with pytest.raises(CorruptStructure) as refused:
        read_layout(swallowed)
    with pytest.raises(CorruptStructure) as checked:
        check_file(swallowed)
    assert (refused.value.offset, refused.value.problem) == (name.start, SWALLOWED)
    assert (checked.value.offset, checked.value.problem) == (name.start, SWALLOWED)
    later = next(e for e in elements if e.start > name.start and e.vr == "US")
    unknown_vr = bytearray(swallowed)
    unknown_vr[later.start + 4 : later.start + 6] = b"XX"
    assert "VR" in _refused(bytes(unknown_vr))
    with pytest.raises(CorruptStructure):
        check_file(bytes(unknown_vr))
