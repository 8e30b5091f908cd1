"""Real ultrasound images with burned-in identity (the ``deid-data`` package): after the
Clean Pixel Data Option, OCR reads none of the identifying lines it read before, the
scanner's labels survive, and only a small part of the image has changed."""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path

import numpy as np
import pydicom
import pytest

from deidentify.batch import BatchOptions, EngineFactory, run_batch
from deidentify.batch.streaming import STREAM_THRESHOLD
from deidentify.cleaning import collect_identifiers
from deidentify.pixels import PixelMode
from deidentify.pixels.decode import decode, view
from deidentify.pixels.matching import verdict
from deidentify.pixels.ocr import read_text
from deidentify.profile import CompoundPolicy
from deidentify.uids import UIDScheme
from tests.pixels.conftest import CLEAN, SECRET, cleaned

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


def test_a_run_cleans_the_large_file_whole_and_logs_counts_never_text(tmp_path: Path) -> None:
    """RGB_IMAGE.dcm is above the streaming threshold: the run reads it whole to clean it."""
    source = ULTRASOUNDS / "RGB_IMAGE.dcm"
    assert source.stat().st_size > STREAM_THRESHOLD
    (tmp_path / "in").mkdir()
    shutil.copyfile(source, tmp_path / "in" / source.name)
    log = tmp_path / "log.jsonl"
    factory = EngineFactory(CLEAN, None, CompoundPolicy.CONFORMANT, UIDScheme.KEYED, SECRET)
    totals = run_batch(BatchOptions(inputs=(tmp_path / "in",), output=tmp_path / "out", log=log),
                       factory)
    assert totals.pixels == {"cleaned": 1} and totals.failed == 0
    record = json.loads(log.read_text())
    pixels = record["pixels"]
    assert pixels["action"] == "cleaned" and pixels["frames"] == 1
    assert pixels["regions"] == sum(pixels["rules"].values()) >= 5
    original = pydicom.dcmread(source)
    logged = log.read_text().upper()
    for value in (original.PatientID, original.AccessionNumber, "DOWNTIME", "CLEVELAND"):
        assert str(value).upper() not in logged
    output = pydicom.dcmread(tmp_path / "out" / source.name)
    assert output.BurnedInAnnotation == "NO"
