"""Decoding, blanking and re-encoding on pydicom's own files of every transfer syntax and
photometric interpretation the option meets: a region rule (no OCR) blanks a known box, and
every other pixel reads back as the input decoded."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import UID, ExplicitVRLittleEndian

from deidentify.cleaning import collect_identifiers
from deidentify.pixels import PixelSettings, assess
from deidentify.pixels.cleaner import PixelCleaner
from deidentify.pixels.encode import LOSSY, target_syntax
from tests.pixels.conftest import round_trip

FILES = (
    "SC_ybr_full_422_uncompressed.dcm",  # native YBR_FULL_422
    "SC_rgb_dcmtk_+eb+cy+np.dcm",  # JPEG baseline YBR_FULL_422
    "SC_rgb_jls_lossy_line.dcm",  # JPEG-LS near-lossless
    "SC_rgb_rle_16bit_2frame.dcm",  # RLE, 16 bits, two frames
    "image_dfl.dcm",  # deflated
    "JPEG-LL.dcm",  # JPEG lossless: no encoder, Explicit VR Little Endian
    "JPGExtended.dcm",  # JPEG extended, 12 bits
    "US1_J2KI.dcm",  # JPEG 2000 lossy
    "US1_J2KR.dcm",  # JPEG 2000 lossless
    "OBXXXX1A_rle.dcm",  # PALETTE COLOR in RLE
    "OBXXXX1A_expb.dcm",  # big endian
    "MR_small_jpeg_ls_lossless.dcm",  # JPEG-LS lossless (made at risk below)
)
BOX = (2, 3, 20, 10)
"""x, y, width, height."""


@pytest.fixture(scope="module")
def cleaner(tmp_path_factory: pytest.TempPathFactory) -> PixelCleaner:
    rules = tmp_path_factory.mktemp("rules") / "rules.toml"
    rules.write_text("[[rule]]\nname = 'corner'\nmatch = { SOPClassUID = '1.2.840.10008.*' }\n"
                     f"boxes = [{list(BOX)}]\nocr = false\n")
    return PixelCleaner(PixelSettings(rules=rules))


def _read(name: str) -> pydicom.Dataset:
    path = get_testdata_file(name)
    if path is None:
        pytest.skip(f"{name} is not installed (pydicom-data)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydicom.dcmread(Path(str(path)))


def _frames(array: np.ndarray, frames: int, samples: int) -> np.ndarray:
    """(frames, rows, columns, samples) whatever the object."""
    if frames == 1:
        array = array[np.newaxis]
    return array if samples > 1 else array[..., np.newaxis]


@pytest.mark.parametrize("name", FILES)
def test_a_box_is_blanked_and_the_rest_reads_back(name: str, cleaner: PixelCleaner) -> None:
    ds = _read(name)
    ds.BurnedInAnnotation = "YES"
    syntax = UID(str(ds.file_meta.TransferSyntaxUID))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = np.asarray(ds.pixel_array).copy()
        risk = assess(ds)
        assert risk is not None
        outcome = cleaner.clean(ds, risk, collect_identifiers(ds))
        output = round_trip(ds)
        after = np.asarray(output.pixel_array)
    assert outcome.regions == {"region:corner": 1}
    expected = target_syntax(syntax)
    assert output.file_meta.TransferSyntaxUID == expected
    if syntax in LOSSY:
        assert expected == ExplicitVRLittleEndian and output.LossyImageCompression == "01"
    frames, samples = int(ds.get("NumberOfFrames", 1) or 1), int(ds.SamplesPerPixel)
    shaped_before, shaped_after = (_frames(array, frames, samples) for array in (before, after))
    x, y, width, height = BOX
    blanked = shaped_after[:, y:y + height, x:x + width]
    assert np.ptp(blanked) == 0
    mask = np.ones(shaped_before.shape[1:3], dtype=bool)
    mask[y:y + height, x:x + width] = False
    assert np.array_equal(shaped_before[:, mask], shaped_after[:, mask])
    assert output.BurnedInAnnotation == "NO"
