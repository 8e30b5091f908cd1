"""The Clean Pixel Data Option on images the tests make: identity drawn at known boxes on US
RGB, multi-frame US, 8-bit SC, 16-bit XA, natively and in JPEG baseline, JPEG-LS, RLE and
JPEG 2000; after the option OCR finds no identifier, the labels survive, and no pixel outside
the text boxes has changed."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import pytest
from numpy.typing import NDArray
from pydicom import Dataset
from pydicom.uid import (
    UID,
    ExplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGLSLossless,
    RLELossless,
)

from deidentify.pixels import PixelMode
from deidentify.pixels.decode import decode, view
from deidentify.pixels.matching import skeleton
from deidentify.pixels.ocr import read_text
from deidentify.pixels.outcome import Outcome
from tests.pixels import images
from tests.pixels.conftest import cleaned, deidentifier, round_trip

IDENTITY_TOKENS = ("DOE", "JOHN", "48213", "1961", "2021", "77310", "MARY", "HOSPITAL")
"""Parts of the burned-in identity; none may be read from a cleaned image."""
LABEL_TOKENS = ("LEFT", "35MHZ", "16CM")
SLACK = 8
"""Pixels around a drawn text box that blanking may also cover (OCR box, padding)."""

CASES: dict[str, tuple[Callable[[], tuple[Dataset, images.Drawn]], UID]] = {
    "us-rgb-native": (images.us_rgb, ExplicitVRLittleEndian),
    "us-multiframe-native": (images.us_multiframe, ExplicitVRLittleEndian),
    "sc-8bit-jpeg-baseline": (images.jpeg_baseline, ExplicitVRLittleEndian),
    "xa-16bit-native": (images.xa_16bit, ExplicitVRLittleEndian),
    "us-rgb-rle": (lambda: images.encoded("us_rgb", RLELossless), RLELossless),
    "sc-8bit-jpeg-ls": (lambda: images.encoded("sc_gray", JPEGLSLossless), JPEGLSLossless),
    "xa-16bit-jpeg-2000": (lambda: images.encoded("xa_16bit", JPEG2000Lossless),
                           JPEG2000Lossless),
}


@cache
def run(case: str) -> tuple[Dataset, Dataset, images.Drawn, Outcome | None]:
    """The input (as read), the output (as read) and the outcome of one case, once."""
    make, _ = CASES[case]
    ds, drawn = make()
    original = round_trip(ds)
    output, outcome = cleaned(ds)
    return original, output, drawn, outcome


@cache
def output_text(case: str) -> tuple[str, ...]:
    """Every line OCR reads on the output's first and last frames, as skeletons."""
    _, output, _, _ = run(case)
    frames = decode(output)
    return tuple(skeleton(line.text) for index in {0, frames.count - 1}
                 for line in read_text(view(frames, index, output)))


def _pixels(ds: Dataset) -> NDArray[np.generic]:
    array = np.asarray(decode(ds).array)
    return array if array.ndim == 4 else array[..., np.newaxis]


def _near(boxes: tuple[images.Box, ...], shape: tuple[int, ...]) -> NDArray[np.bool_]:
    mask = np.zeros(shape[1:3], dtype=bool)
    for x0, y0, x1, y1 in boxes:
        mask[max(y0 - SLACK, 0):y1 + SLACK, max(x0 - SLACK, 0):x1 + SLACK] = True
    return mask


@pytest.mark.parametrize("case", list(CASES))
def test_ocr_finds_no_identifier_and_the_labels_survive(case: str) -> None:
    text = output_text(case)
    assert not [token for token in IDENTITY_TOKENS
                if any(skeleton(token) in line for line in text)]
    assert [token for token in LABEL_TOKENS
            if any(skeleton(token) in line for line in text)] == list(LABEL_TOKENS)


@pytest.mark.parametrize("case", list(CASES))
def test_only_the_text_boxes_change_on_every_frame(case: str) -> None:
    original, output, drawn, _ = run(case)
    before, after = _pixels(original), _pixels(output)
    assert before.shape == after.shape
    changed = np.any(before != after, axis=(0, 3))
    assert changed.any()
    assert not (changed & ~_near(drawn.identifying, before.shape)).any()
    for x0, y0, x1, y1 in drawn.identifying:
        box = after[:, y0:y1, x0:x1, :]
        assert np.ptp(box) == 0, "a stroke of burned-in text survived"
    for x0, y0, x1, y1 in drawn.labels:
        assert np.array_equal(before[:, y0:y1, x0:x1], after[:, y0:y1, x0:x1])


@pytest.mark.parametrize("case", list(CASES))
def test_the_object_says_what_was_done(case: str) -> None:
    original, output, _, outcome = run(case)
    _, syntax = CASES[case]
    assert output.file_meta.TransferSyntaxUID == syntax
    assert output.BurnedInAnnotation == "NO"
    codes = [item.CodeValue for item in output.DeidentificationMethodCodeSequence]
    assert "113101" in codes
    assert any(value.startswith("Clean Pixel Data: rapidocr") and value.endswith("identifiers")
               for value in output.DeidentificationMethod)
    assert outcome is not None and outcome.action == "cleaned"
    assert sum(outcome.regions.values()) >= len(images.IDENTIFYING_LINES)
    assert all(rule.startswith("ocr:") for rule in outcome.regions)
    assert outcome.frames == int(original.get("NumberOfFrames", 1))
    assert output.get("NumberOfFrames") == original.get("NumberOfFrames")


def test_a_lossy_input_is_decompressed_not_compressed_again() -> None:
    original, output, drawn, _ = run("sc-8bit-jpeg-baseline")
    assert output.LossyImageCompression == "01"
    assert "PixelData" in output and not output["PixelData"].is_undefined_length
    before, after = _pixels(original), _pixels(output)
    outside = ~_near(drawn.identifying, before.shape)
    assert np.array_equal(before[:, outside], after[:, outside])  # no second generation


def test_the_lossless_re_encoding_reads_back_as_written() -> None:
    _, output, _, _ = run("us-rgb-rle")
    assert output.PhotometricInterpretation == "RGB"
    assert output.pixel_array.shape == (images.ROWS, images.COLUMNS, 3)


def test_the_all_mode_blanks_the_identity_and_keeps_the_allow_list() -> None:
    ds, drawn = images.us_rgb()
    output, outcome = cleaned(ds, deidentifier(mode=PixelMode.ALL))
    assert outcome is not None and sum(outcome.regions.values()) >= len(images.IDENTIFYING_LINES)
    assert any(value.endswith("mode all") for value in output.DeidentificationMethod)
    frames = decode(output)
    text = [skeleton(line.text) for line in read_text(view(frames, 0, output))]
    assert not [token for token in IDENTITY_TOKENS if any(skeleton(token) in t for t in text)]
    assert [token for token in LABEL_TOKENS if any(skeleton(token) in t for t in text)] == list(
        LABEL_TOKENS
    )
    for x0, y0, x1, y1 in drawn.labels:
        assert np.array_equal(output.pixel_array[y0:y1, x0:x1], drawn.pixels[y0:y1, x0:x1])
