"""Real ultrasound images with burned-in identity (the ``deid-data`` package): after the
Clean Pixel Data Option, OCR reads none of the identifying lines it read before, the
scanner's labels survive, and only a small part of the image has changed."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pydicom
import pytest

from deidentify.cleaning import collect_identifiers
from deidentify.pixels import PixelMode
from deidentify.pixels.decode import decode, view
from deidentify.pixels.matching import verdict
from deidentify.pixels.ocr import read_text
from tests.pixels.conftest import cleaned

deid_data = pytest.importorskip("deid_data", reason="deid-data is in the dev extra")
ULTRASOUNDS = Path(deid_data.__file__).parent / "data" / "ultrasounds"
NAMES = ("GREYSCALE_IMAGE.dcm", "RGB_IMAGE.dcm")
SURVIVING = {"GREYSCALE_IMAGE.dcm": ("L12-5", "4.0cm"), "RGB_IMAGE.dcm": ("Sag Liver", "16cm")}
"""Scanner labels on each image that the option must keep."""
MAX_CHANGED = 0.05


@cache
def _lines(name: str, cleaned_output: bool) -> tuple[tuple[str, str | None], ...]:
    """Each line OCR reads on the image (before or after cleaning), with the verdict the
    original header's identifiers and the identity patterns give it."""
    original = pydicom.dcmread(ULTRASOUNDS / name)
    identifiers = collect_identifiers(original)
    ds = _run(name)[0] if cleaned_output else original
    frames = decode(ds)
    return tuple((line.text, verdict(line.text, 1.0, identifiers, PixelMode.IDENTIFIERS))
                 for line in read_text(view(frames, 0, ds)))


@cache
def _run(name: str) -> tuple[pydicom.Dataset, object]:
    return cleaned(pydicom.dcmread(ULTRASOUNDS / name))


@pytest.mark.parametrize("name", NAMES)
def test_no_identifying_line_survives(name: str) -> None:
    before = [text for text, why in _lines(name, False) if why is not None]
    after = [text for text, why in _lines(name, True) if why is not None]
    assert len(before) >= 3
    assert after == []


@pytest.mark.parametrize("name", NAMES)
def test_the_labels_survive_and_little_else_changes(name: str) -> None:
    texts = [text for text, _ in _lines(name, True)]
    for label in SURVIVING[name]:
        assert any(label in text for text in texts), label
    original = pydicom.dcmread(ULTRASOUNDS / name).pixel_array
    output = _run(name)[0]
    changed = original != output.pixel_array
    if changed.ndim == 3:
        changed = changed.any(axis=2)
    assert 0 < changed.mean() < MAX_CHANGED
    assert output.BurnedInAnnotation == "NO"
    assert output.file_meta.TransferSyntaxUID == pydicom.dcmread(
        ULTRASOUNDS / name, stop_before_pixels=True).file_meta.TransferSyntaxUID
    assert "113101" in [item.CodeValue for item in output.DeidentificationMethodCodeSequence]
    assert np.asarray(output.pixel_array).shape == original.shape
