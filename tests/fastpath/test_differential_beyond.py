"""The fast path against the reference path on the channels beyond Table E.1-1: unknown
tags at every depth, wrong VRs, over-long binary values, identifying unlisted attributes,
dates written as text, times and item tags met as elements, under every profile of the
differential tests and with ``--unknown keep``."""

from __future__ import annotations

import io
from pathlib import Path

import pydicom
import pytest

from deidentify import Deidentifier, Plan, parse_profile
from deidentify.beyond import UnknownPolicy
from tests.beyond import midnight, planted
from tests.fastpath.paths import PROFILES, SECRET, deidentifier, fast_output, reference_output


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("beyond")
    return [path for _, path in planted.inputs(folder)]


def _agree(deid: Deidentifier, inputs: list[Path], workdir: Path) -> int:
    """Assert byte identity wherever the fast path takes a file; the number it took."""
    taken = 0
    for source in inputs:
        reference = reference_output(deid, source, workdir)
        fast = fast_output(deid, source)
        if fast is None:
            continue
        taken += 1
        assert reference is not None, f"{source.name}: only the fast path writes it"
        assert fast == reference, f"{source.name}: output differs"
    return taken


@pytest.mark.parametrize("uri", (*PROFILES, planted.MODIFIED_DATES))
def test_fast_path_output_is_the_reference_output(
    uri: str, inputs: list[Path], tmp_path: Path
) -> None:
    assert _agree(deidentifier(uri), inputs, tmp_path) >= len(inputs) - 2


def test_with_unknown_elements_kept(inputs: list[Path], tmp_path: Path) -> None:
    plan = Plan.build(parse_profile("deidentify:"), unknown=UnknownPolicy.KEEP)
    assert _agree(Deidentifier(plan, SECRET), inputs, tmp_path) >= len(inputs) - 2


def test_dates_carried_past_midnight_are_the_reference_output(tmp_path: Path) -> None:
    deid = deidentifier(planted.MODIFIED_DATES)
    ds, expected = midnight.instants_past_midnight(deid)
    source = tmp_path / "carried.dcm"
    ds.save_as(source, enforce_file_format=True)
    reference = reference_output(deid, source, tmp_path)
    fast = fast_output(deid, source)
    assert fast is not None and fast == reference
    written = midnight.carried_instants(pydicom.dcmread(io.BytesIO(fast)))
    assert written == dict.fromkeys(midnight.CARRIED_PAIRS, expected)
