"""The fast path against the reference path on every exact-tag attribute of Table E.1-1."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest

from tests.fastpath import synthetic
from tests.fastpath.paths import PROFILES, deidentifier, fast_output, reference_output


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("synthetic")
    files = []
    for index, ds in enumerate(synthetic.datasets()):
        for implicit in (False, True):
            name = f"part{index}-{'implicit' if implicit else 'explicit'}.dcm"
            files.append(synthetic.write(ds, folder / name, implicit))
    return files


def test_inputs_hold_every_kind_of_element(inputs: list[Path]) -> None:
    ds = pydicom.dcmread(inputs[0])
    assert any(element.VR == "SQ" for element in ds)
    assert any(element.tag.is_private for element in ds)
    assert 0x60003000 in ds and 0x50003000 in ds
    assert len(ds) > 150


@pytest.mark.parametrize("uri", PROFILES)
def test_fast_path_output_is_the_reference_output(
    uri: str, inputs: list[Path], tmp_path: Path
) -> None:
    deid = deidentifier(uri)
    for source in inputs:
        reference = reference_output(deid, source, tmp_path)
        fast = fast_output(deid, source)
        if reference is None:
            assert fast is None, f"{source.name}: the reference path rejects it"
            continue
        assert fast is not None, f"{source.name}: declined"
        assert fast == reference, f"{source.name}: output differs"
