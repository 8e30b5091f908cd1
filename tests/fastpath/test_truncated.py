"""Truncated and corrupted inputs: the fast path declines or matches the reference."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    mutations=st.lists(
        st.tuples(st.integers(min_value=0, max_value=4095), st.integers(0, 255)),
        min_size=1, max_size=6,
    )
)
def test_random_byte_damage_declines_or_matches(
    mutations: list[tuple[int, int]], tmp_path: Path
) -> None:
    buffer = bytearray(shipped("MR_small.dcm").read_bytes())
    for position, value in mutations:
        buffer[132 + position] = value
    source = tmp_path / "damaged.dcm"
    source.write_bytes(bytes(buffer))
    deid = deidentifier("deidentify:")
    fast = fast_output(deid, source)
    if fast is not None:
        assert fast == reference_output(deid, source, tmp_path)
