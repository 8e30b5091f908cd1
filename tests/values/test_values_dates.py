"""The per-patient date shift of Retain Longitudinal Temporal Information Modified Dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydicom.config import RAISE
from pydicom.valuerep import DA, DT, validate_value

from deidentify.dates import DateShifter, UnparseableDate, shift_text, time_carry

SECRET = b"date-shift-test-secret-32-bytes!"
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
keys = st.text(min_size=1, max_size=64).filter(lambda key: key.strip(" \x00"))


def da(value: date) -> str:
    return value.strftime("%Y%m%d")


def parse_da(text: str) -> date:
    validate_value("DA", text, RAISE)
    return datetime.strptime(text, "%Y%m%d").date()


@given(keys, dates, dates)
def test_intervals_of_one_patient_are_preserved(key: str, first: date, second: date) -> None:
    shifter = DateShifter(SECRET)
    offset = shifter.offset_for(key)
    shifted_first = parse_da(shifter.shift("DA", da(first), offset))
    shifted_second = parse_da(shifter.shift("DA", da(second), offset))
    assert shifted_second - shifted_first == second - first
    assert shifted_first != first


@given(keys, st.integers(min_value=1, max_value=20000))
def test_offset_is_whole_days_into_the_past(key: str, max_days: int) -> None:
    offset = DateShifter(SECRET, max_days).offset_for(key)
    assert offset % timedelta(days=1) == timedelta(0)
    assert -timedelta(days=max_days) <= offset <= -timedelta(days=1)


def test_offset_is_deterministic_and_keyed() -> None:
    key = "PAT-0001"
    assert DateShifter(SECRET).offset_for(key) == DateShifter(SECRET).offset_for(key)
    other = [DateShifter(bytes([n]) * 32).offset_for(key) for n in range(20)]
    assert len(set(other)) > 15


def test_different_patients_usually_get_different_offsets() -> None:
    shifter = DateShifter(SECRET)
    offsets = {shifter.offset_for(f"PATIENT{n:05d}") for n in range(500)}
    # 500 draws from 3650 days: about 33 collisions expected, far fewer than 100
    assert len(offsets) > 400


@given(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)),
    st.integers(min_value=1, max_value=8),
    st.one_of(st.none(), st.sampled_from(["+0000", "-0500", "+0130", "+1400", "-1200"])),
)
def test_dt_keeps_precision_time_and_zone(
    moment: datetime, precision: int, zone: str | None
) -> None:
    full = moment.strftime("%Y%m%d%H%M%S") + f".{moment.microsecond:06d}"
    lengths = (4, 6, 8, 10, 12, 14, 17, 21)
    text = full[: lengths[precision - 1]] + (zone or "")
    shifter = DateShifter(SECRET)
    offset = shifter.offset_for("dt patient")
    shifted = shifter.shift("DT", text, offset)
    validate_value("DT", shifted, RAISE)
    assert len(shifted) == len(text)
    assert shifted[8:] == text[8:] or precision < 3
    if zone:
        assert shifted.endswith(zone)
    if precision >= 3:
        assert DT(shifted).date() == moment.date() + offset
    parsed = DT(shifted)
    assert isinstance(parsed, datetime)


def test_dt_single_value_with_negative_zone_is_not_a_range() -> None:
    offset = -timedelta(days=1)
    shifter = DateShifter(SECRET)
    assert shifter.shift("DT", "20200101120000-0500", offset) == "20191231120000-0500"
    assert shifter.shift("DT", "20200101-0500-20200103-0500", offset) == (
        "20191231-0500-20200102-0500"
    )


def test_reduced_precision_dates_count_from_the_first() -> None:
    shifter = DateShifter(SECRET)
    assert shifter.shift("DT", "2020", -timedelta(days=1)) == "2019"
    assert shifter.shift("DT", "202003", -timedelta(days=1)) == "202002"
    assert shifter.shift("DT", "2020", -timedelta(days=365)) == "2019"


def test_ranges_multiple_values_and_legacy_form() -> None:
    shifter = DateShifter(SECRET)
    offset = -timedelta(days=10)
    assert shifter.shift("DA", "20200111-20200121", offset) == "20200101-20200111"
    assert shifter.shift("DA", "-20200111", offset) == "-20200101"
    assert shifter.shift("DA", "20200111-", offset) == "20200101-"
    assert shifter.shift("DA", "20200111\\20200301", offset) == "20200101\\20200220"
    assert shifter.shift("DA", "2020.01.11", offset) == "20200101"
    assert shifter.shift("DA", "20200111 ", offset) == "20200101"
    assert shifter.shift("DA", "", offset) == ""
    assert shifter.shift("DT", "2020-2021", offset) == "2019-2020"
    assert shifter.shift_values("DA", ["20200111", "20200112"], offset) == [
        "20200101",
        "20200102",
    ]
    assert shifter.shift_values("DA", None, offset) is None
    assert DA(shifter.shift("DA", "20000301", offset)) == date(2000, 2, 20)


@given(st.times())
def test_time_is_unchanged_by_whole_day_shift(moment: time) -> None:
    text = moment.strftime("%H%M%S.%f")
    shifter = DateShifter(SECRET)
    offset = shifter.offset_for("tm patient")
    assert shifter.shift("TM", text, offset) == text
    assert shifter.shift("TM", text[:4], offset) == text[:4]
    assert shifter.shift("TM", f"{text[:6]}-{text[:2]}", offset) == f"{text[:6]}-{text[:2]}"


def test_patient_offset_has_keyed_seconds_within_a_day() -> None:
    shifter = DateShifter(SECRET)
    seconds = {shifter.seconds_for(f"PATIENT{n:04d}") for n in range(200)}
    assert all(0 <= value < 86400 for value in seconds) and len(seconds) > 190
    offset = shifter.patient_offset("tm patient")
    assert offset.days == shifter.offset_for("tm patient").days
    assert offset.seconds == shifter.seconds_for("tm patient")


@given(st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(9000, 1, 1)),
       st.integers(min_value=-3650, max_value=-1), st.integers(min_value=0, max_value=86399))
def test_date_time_and_date_time_pairs_move_as_one_instant(
    moment: datetime, days: int, seconds: int
) -> None:
    offset = timedelta(days=days, seconds=seconds)
    moved = moment.replace(microsecond=0) + offset
    dt = moment.strftime("%Y%m%d%H%M%S")
    assert shift_text("DT", dt, offset) == moved.strftime("%Y%m%d%H%M%S")
    assert shift_text("DT", dt + ".123+0100", offset) == moved.strftime("%Y%m%d%H%M%S.123+0100")
    tm = moment.strftime("%H%M%S")
    carry = time_carry(tm, offset)
    assert shift_text("TM", tm, offset) == moved.strftime("%H%M%S")
    assert shift_text("DA", moment.strftime("%Y%m%d"), offset, carry) == moved.strftime("%Y%m%d")
    assert shift_text("DA", moment.strftime("%Y%m%d"), offset) == (
        moment + timedelta(days=days)).strftime("%Y%m%d")


def test_times_keep_their_precision_and_fraction() -> None:
    offset = timedelta(days=-1, seconds=3661)
    assert shift_text("TM", "2330", offset) == "0031"
    assert shift_text("TM", "23", offset) == "00"
    assert shift_text("TM", "120000.5", offset) == "130101.5"
    assert shift_text("TM", "12:30:00", offset) == "133101"
    assert shift_text("DT", "2020010223", offset) == "2020010200"
    assert shift_text("DT", "20200102", offset) == "20200101"
    assert time_carry("2330", offset) == 1 and time_carry("1200", offset) == 0
    assert time_carry("12-13", offset) == 0 and time_carry("bad", offset) == 0


@pytest.mark.parametrize(
    ("vr", "text"),
    [
        ("DA", "20201301"),
        ("DA", "20200230"),
        ("DA", "2020-01-01"),
        ("DA", "SMITH1970"),
        ("DA", "-"),
        ("DA", "202001011"),
        ("DT", "2020013"),
        ("DT", "20200101250000"),
        ("DT", "20200101+2500"),
        ("DT", "20200101120000.1234567"),
        ("TM", "2400"),
        ("TM", "126"),
        ("TM", "12:61"),
    ],
)
def test_unparseable_values_raise_without_quoting_them(vr: str, text: str) -> None:
    with pytest.raises(UnparseableDate) as raised:
        DateShifter(SECRET).shift(vr, text, -timedelta(days=5))
    assert text not in str(raised.value)
    assert vr in str(raised.value)


def test_shift_before_year_one_is_unparseable() -> None:
    with pytest.raises(UnparseableDate):
        DateShifter(SECRET).shift("DA", "00010105", -timedelta(days=30))


def test_constructor_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        DateShifter(b"")
    with pytest.raises(ValueError):
        DateShifter(SECRET, 0)
