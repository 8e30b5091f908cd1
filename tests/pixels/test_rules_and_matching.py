"""Region rules by device signature, and the verdict on a line of recognised text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from deidentify.cleaning import collect_identifiers
from deidentify.pixels import PixelMode, PixelSettings
from deidentify.pixels.cleaner import PixelCleaner, sampled_frames
from deidentify.pixels.matching import verdict
from deidentify.pixels.regions import RegionRulesError, load_rules
from deidentify.pixels.risk import assess
from tests.pixels import images
from tests.pixels.conftest import round_trip

RULES = """
[[rule]]
name = "acme-header"
match = { Manufacturer = "AC*", ManufacturerModelName = ["SCANNER 1", "SCANNER 2"], Rows = 240 }
boxes = [[0, 0, 150, 140]]
ocr = false

[[rule]]
name = "other-device"
match = { Manufacturer = "OTHER" }
boxes = [[0, 0, 10, 10]]
"""


def test_a_rule_blanks_its_rectangles_on_the_device_it_matches(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(RULES)
    cleaner = PixelCleaner(PixelSettings(rules=path))
    ds, _ = images.us_multiframe(frames=2)
    ds = round_trip(ds)
    before = ds.pixel_array.copy()
    risk = assess(ds)
    assert risk is not None
    outcome = cleaner.clean(ds, risk, collect_identifiers(ds))
    assert outcome.regions == {"region:acme-header": 1}  # OCR skipped: ocr = false
    after = ds.pixel_array
    assert (after[:, :140, :150] == 0).all()
    assert np.array_equal(after[:, 140:, :], before[:, 140:, :])
    assert np.array_equal(after[:, :, 150:], before[:, :, 150:])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[rule]]\nmatch = { Modality = 'US' }\n", "name must be a non-empty string"),
        ("[[rule]]\nname = 'a'\nmatch = { Modalty = 'US' }\n", "'Modalty' is not a DICOM keyword"),
        ("[[rule]]\nname = 'a'\nmatch = { Modality = 'US' }\nboxes = [[1, 2, 3]]\n",
         r"a box is \[x, y, width, height\]"),
        ("[[rule]]\nname = 'a'\nmatch = { Modality = 'US' }\ncolour = 1\n", "unknown key"),
        ("rule = [", "not valid TOML"),
    ],
)
def test_a_bad_rules_file_is_one_line_naming_it(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text)
    with pytest.raises(RegionRulesError, match=problem) as caught:
        load_rules(path)
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)


IDENTIFIERS = collect_identifiers(images.header("US", images.US))


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("DOEAJOHN", "identifier"),  # OCR read ^ as A and dropped the space
        ("Pat: J0HN", "identifier"),  # O read as 0
        ("ACC773IO", "identifier"),
        ("STMARYHOSPITAL", "identifier"),
        ("12/31/1999", "date"),
        ("1975-11 03", "date"),  # OCR lost a separator
        ("3 MAR 2021", "date"),
        ("05:24:57PM", "time"),
        ("45 YRS", "age"),
        ("+1 555-123-4567", "phone"),
        ("MRN 0012345678", "id"),
        ("SMITH, ANNA", "name"),
        ("DOB", "label"),
    ],
)
def test_identifying_text_is_blanked_by_its_rule(text: str, rule: str) -> None:
    assert verdict(text, 0.99, IDENTIFIERS, PixelMode.IDENTIFIERS) == rule


@pytest.mark.parametrize("text", ["LEFT", "3.5MHz", "16cm", "TIS 0.4 MI 1.1", "L12-5", "2D",
                                  "60%", "Sag Liver"])
def test_ordinary_labels_are_kept_in_the_identifiers_mode(text: str) -> None:
    assert verdict(text, 0.99, IDENTIFIERS, PixelMode.IDENTIFIERS) is None


def test_the_all_mode_keeps_only_the_allow_list() -> None:
    for text in ("LEFT", "3.5MHz", "16cm", "TIS 0.4 MI 1.1", "L12-5", "C5-1", "20dB/DR60"):
        assert verdict(text, 0.99, IDENTIFIERS, PixelMode.ALL) is None, text
    for text in ("Sag Liver", "Dr Who", "ROOM B"):
        assert verdict(text, 0.99, IDENTIFIERS, PixelMode.ALL) == "not-allowed"


def test_uncertain_text_is_blanked() -> None:
    assert verdict("LEFT", 0.3, IDENTIFIERS, PixelMode.IDENTIFIERS) == "uncertain"


def test_ocr_reads_the_first_middle_and_last_frames() -> None:
    assert sampled_frames(1) == [0]
    assert sampled_frames(2) == [0, 1]
    assert sampled_frames(30) == [0, 14, 29]


@pytest.mark.parametrize("text", ["Operator: JS", "Ref. Physician", "Sonographer KL",
                                  "Institution"])
def test_staff_and_place_labels_are_blanked(text: str) -> None:
    assert verdict(text, 0.99, IDENTIFIERS, PixelMode.IDENTIFIERS) == "label"
