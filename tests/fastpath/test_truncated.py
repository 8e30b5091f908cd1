"""Truncated and corrupted inputs: the fast path declines or matches the reference."""

from __future__ import annotations

from pathlib import Path

from deidentify.fastpath.layout import read_layout
from tests.fastpath.paths import deidentifier, fast_output, reference_output, shipped


def test_every_cut_declines_or_matches(tmp_path: Path) -> None:
    buffer = shipped("CT_small.dcm").read_bytes()
    ends = [element.end for element in read_layout(buffer).elements]
    cuts = sorted({*range(0, len(buffer), 251), *ends[::10], *(end + 3 for end in ends[::10])})
    deid = deidentifier("deidentify:")
    matched = 0
    for cut in cuts:
        source = tmp_path / "cut.dcm"
        source.write_bytes(buffer[:cut])
        fast = fast_output(deid, source)
        if fast is None:
            continue
        assert fast == reference_output(deid, source, tmp_path), cut
        matched += 1
    assert matched >= len(ends[::10]) - 1


def test_corrupted_lengths_never_crash(tmp_path: Path) -> None:
    buffer = bytearray(shipped("MR_small.dcm").read_bytes())
    deid = deidentifier("deidentify:")
    for element in read_layout(bytes(buffer)).elements[::5]:
        corrupted = bytearray(buffer)
        corrupted[element.value_start - 2 : element.value_start] = b"\xff\x7f"
        source = tmp_path / "corrupted.dcm"
        source.write_bytes(bytes(corrupted))
        fast = fast_output(deid, source)
        if fast is not None:
            assert fast == reference_output(deid, source, tmp_path), hex(element.tag)
