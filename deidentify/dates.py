"""Retain Longitudinal Temporal Information with Modified Dates: a keyed shift per patient.

Every date of one patient moves by the same whole number of days, so intervals between
them (age at the study, days between studies) are preserved while the calendar dates are
not. The offset is derived from the run's secret and a patient key (the engine gives the
patient identity's key, ``deidentify.linkage.identity``: the original Patient ID with its
issuer, or the Study Instance UID of an object without Patient ID), so separate runs with the
same secret shift one patient's studies alike.

Values are shifted as text, keeping what the standard allows:

* DA ``YYYYMMDD`` (and the ACR-NEMA form ``YYYY.MM.DD``, written back as ``YYYYMMDD``);
* DT ``YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]`` at its own precision: a missing month or
  day counts as the first when shifting and is left out again, so ``2020`` may become
  ``2019``; the time of day and the UTC offset suffix are kept;
* TM is returned unchanged (after checking that it parses): a whole-day shift does not move
  a time of day;
* query ranges ``A-B``, ``-B`` and ``A-`` and several values separated by backslashes.

A value that does not parse raises ``UnparseableDate`` (so the caller can remove it); its
message names the VR, never the value.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import date, timedelta

_SHIFT_CONTEXT = b"deidentify/date-shift/v1\x00"
_ONE_DAY = timedelta(days=1)

_DA = re.compile(r"(\d{4})(\d{2})(\d{2})|(\d{4})\.(\d{2})\.(\d{2})")
_DT = re.compile(
    r"(\d{4})(?:(\d{2})(?:(\d{2})(\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,6})?)?)?)?)?)?([+-]\d{4})?"
)
_TM = re.compile(r"(\d{2})(?:(\d{2})(?:(\d{2})(?:\.\d{1,6})?)?)?")
_TM_LEGACY = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?")


class UnparseableDate(ValueError):
    """A DA, DT or TM value that is not valid for its VR (the message never quotes it)."""


class DateShifter:
    """Shifts the dates of each patient by a keyed, per-patient number of days.

    ``offset_for`` is HMAC-SHA256(secret, patient key) reduced to a whole number of days in
    ``[-max_shift_days, -1]``: always into the past, never zero. Patients get different
    offsets except by chance (two patients share one with probability 1/max_shift_days).
    """

    def __init__(self, secret: bytes, max_shift_days: int = 3650) -> None:
        if not secret:
            raise ValueError("the date shift needs a non-empty secret")
        if max_shift_days < 1:
            raise ValueError("max_shift_days must be at least 1")
        self._secret = secret
        self.max_shift_days = max_shift_days

    def offset_for(self, patient_key: str) -> timedelta:
        """The shift of one patient's dates; the key's padding spaces and NULs are ignored.

        Datasets with the same key share the offset.
        """
        key = patient_key.strip(" \x00").encode("utf-8", "surrogatepass")
        digest = hmac.new(self._secret, _SHIFT_CONTEXT + key, hashlib.sha256).digest()
        days = int.from_bytes(digest[:8], "big") % self.max_shift_days + 1
        return -timedelta(days=days)

    def shift(self, vr: str, value: str, offset: timedelta) -> str:
        """``value`` (a DA, DT or TM element's text) with its dates moved by ``offset``."""
        return shift_text(vr, value, offset)

    def shift_values(
        self, vr: str, value: str | Iterable[str] | None, offset: timedelta
    ) -> str | list[str] | None:
        """Shift an element's value as pydicom holds it: text, several values, or none."""
        if value is None:
            return None
        if isinstance(value, str):
            return shift_text(vr, value, offset)
        return [shift_text(vr, str(part), offset) for part in value]


def shift_text(vr: str, value: str, offset: timedelta) -> str:
    """Shift every value and range end in ``value``; see the module docstring."""
    if offset % _ONE_DAY:
        raise ValueError("date shifts must be a whole number of days")
    if vr not in ("DA", "DT", "TM"):
        raise ValueError(f"not a date or time VR: {vr}")
    days = offset // _ONE_DAY
    return "\\".join(_shift_value(vr, part.strip(" \x00"), days) for part in value.split("\\"))


def _shift_value(vr: str, text: str, days: int) -> str:
    if not text:
        return text
    single = _shift_single(vr, text, days)
    if single is not None:
        return single
    for index, char in enumerate(text):
        if char != "-":
            continue
        start, end = text[:index], text[index + 1 :]
        if not (start or end):
            break
        shifted_start = _shift_single(vr, start, days) if start else ""
        shifted_end = _shift_single(vr, end, days) if end else ""
        if shifted_start is not None and shifted_end is not None:
            return f"{shifted_start}-{shifted_end}"
    raise UnparseableDate(f"not a valid {vr} value")


def _shift_single(vr: str, text: str, days: int) -> str | None:
    """One shifted value, or None when ``text`` is not a single value of the VR."""
    if vr == "DA":
        return _shift_da(text, days)
    if vr == "DT":
        return _shift_dt(text, days)
    return text if _valid_tm(text) else None


def _moved(year: int, month: int, day: int, days: int) -> date | None:
    try:
        original = date(year, month, day)
    except ValueError:
        return None
    try:
        return original + timedelta(days=days)
    except OverflowError:
        raise UnparseableDate("date outside the years 1-9999 after shifting") from None


def _shift_da(text: str, days: int) -> str | None:
    match = _DA.fullmatch(text)
    if match is None:
        return None
    year, month, day = (int(group) for group in match.groups() if group is not None)
    moved = _moved(year, month, day, days)
    if moved is None:
        return None
    return f"{moved.year:04d}{moved.month:02d}{moved.day:02d}"


def _shift_dt(text: str, days: int) -> str | None:
    match = _DT.fullmatch(text)
    if match is None:
        return None
    year_text, month_text, day_text, time_text, zone = match.groups()
    if time_text is not None and not _valid_dt_time(time_text):
        return None
    if zone is not None and not (int(zone[1:3]) <= 14 and int(zone[3:5]) < 60):
        return None
    moved = _moved(int(year_text), int(month_text or 1), int(day_text or 1), days)
    if moved is None:
        return None
    shifted = f"{moved.year:04d}"
    if month_text is not None:
        shifted += f"{moved.month:02d}"
    if day_text is not None:
        shifted += f"{moved.day:02d}"
    return shifted + (time_text or "") + (zone or "")


def _valid_dt_time(time_text: str) -> bool:
    """HH[MM[SS[.F]]] inside a DT; seconds may be 60 (a leap second)."""
    fields = [int(time_text[i : i + 2]) for i in range(0, min(len(time_text), 6), 2)]
    limits = (23, 59, 60)
    return all(value <= limit for value, limit in zip(fields, limits, strict=False))


def _valid_tm(text: str) -> bool:
    match = _TM.fullmatch(text) or _TM_LEGACY.fullmatch(text)
    if match is None:
        return False
    fields = [int(group) for group in match.groups() if group is not None]
    return all(value <= limit for value, limit in zip(fields, (23, 59, 60), strict=False))
