"""Dummy values: valid for their VR, non-empty, and they survive a write and read."""

from __future__ import annotations

from io import BytesIO

import pytest
from pydicom import Dataset, config, dcmread
from pydicom.config import RAISE
from pydicom.valuerep import validate_value

from deidentify.dummies import DUMMY_VALUES, describe_dummy, dummy_value

ALL_VRS = [
    "AE",
    "AS",
    "CS",
    "DA",
    "DS",
    "DT",
    "FL",
    "FD",
    "IS",
    "LO",
    "LT",
    "OB",
    "OD",
    "OF",
    "OL",
    "OV",
    "OW",
    "PN",
    "SH",
    "SL",
    "SS",
    "ST",
    "SV",
    "TM",
    "UC",
    "UL",
    "UN",
    "UR",
    "US",
    "UT",
    "UV",
    "AT",
]
STRING_VRS = set(
    ["AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UR", "UT"]
)


def round_trip(vr: str, value: object) -> object:
    ds = Dataset()
    block = ds.private_block(0x0009, "DEIDENTIFY VALUES TEST", create=True)
    block.add_new(0x10, vr, value)
    buffer = BytesIO()
    ds.save_as(buffer, implicit_vr=False, little_endian=True)
    buffer.seek(0)
    back = dcmread(buffer, force=True)
    element = back[0x00091010]
    assert vr == element.VR
    return element.value


def test_every_required_vr_has_a_dummy() -> None:
    assert set(ALL_VRS) == set(DUMMY_VALUES)


@pytest.mark.parametrize("vr", ALL_VRS)
def test_dummy_round_trips_explicit_vr_little_endian(
    vr: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config.settings, "writing_validation_mode", RAISE)
    monkeypatch.setattr(config.settings, "reading_validation_mode", RAISE)
    value = dummy_value(vr)
    back = round_trip(vr, value)
    if vr in STRING_VRS:
        assert str(back) == value
        assert value
    elif isinstance(value, bytes):
        assert back == value
        assert len(value) > 0 and len(value) % 2 == 0
    else:
        assert back == value


@pytest.mark.parametrize("vr", sorted(STRING_VRS))
def test_dummy_passes_pydicom_validation(vr: str) -> None:
    value = dummy_value(vr)
    validate_value(vr, value, RAISE)
    assert isinstance(value, str)
    assert "\\" not in value
    assert value == value.strip()


@pytest.mark.parametrize("vr", ["US or SS", "OB or OW", "US or SS or OW"])
def test_ambiguous_vr_takes_first_alternative(vr: str) -> None:
    assert dummy_value(vr) == DUMMY_VALUES[vr.split(" or ")[0]]


@pytest.mark.parametrize("vr", ["UI", "SQ", "XX", ""])
def test_no_dummy_for_ui_sq_and_unknown(vr: str) -> None:
    with pytest.raises(ValueError):
        dummy_value(vr)


def test_descriptions_are_printable() -> None:
    assert describe_dummy("PN") == repr(DUMMY_VALUES["PN"])
    assert describe_dummy("OB") == "2 zero bytes"
    assert describe_dummy("AT") == "(0000,0000)"
    assert describe_dummy("US") == "0"
