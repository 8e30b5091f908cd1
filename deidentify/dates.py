"""Retain Longitudinal Temporal Information with Modified Dates: a keyed shift per patient.

Every date and time of one patient moves by the same offset, so intervals between them (age
at the study, days between studies, minutes between injection and acquisition) are preserved
while the calendar dates and clock times are not. The offset is derived from the run's secret
and a patient key (normally the original Patient ID): a whole number of days into the past
(``offset_for``) and a number of seconds within a day (``seconds_for``), one instant offset
``patient_offset`` = days + seconds. Separate runs with the same secret shift one patient's
studies alike.

Values are shifted as text, keeping what the standard allows:

* DT ``YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]``: the instant it denotes (a missing month or
  day counts as the first, a missing hour, minute or second as zero) moves by the whole
  offset and is written back at its own precision, so ``2020`` may become ``2019``; the UTC
  offset suffix is kept. A date-time without its time moves by the days alone (the seconds
  never pass the day's end from midnight).
* DA ``YYYYMMDD`` (and the ACR-NEMA form ``YYYY.MM.DD``, written back as ``YYYYMMDD``) moves
  by the days, plus one where its paired time passes midnight when shifted (``carry``; see
  ``time_carry``): a date and its time move together as one instant.
* TM ``HH[MM[SS[.F]]]`` (and ``HH:MM[:SS[.F]]``, written back without colons) moves by the
  seconds, modulo a day, at its own precision; the fraction is kept.
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
_SECONDS_CONTEXT = b"deidentify/time-shift/v1\x00"
_DAY_SECONDS = 86400

_DA = re.compile(r"(\d{4})(\d{2})(\d{2})|(\d{4})\.(\d{2})\.(\d{2})")
_DT = re.compile(
    r"(\d{4})(?:(\d{2})(?:(\d{2})(\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,6})?)?)?)?)?)?([+-]\d{4})?"
)
_TM = re.compile(r"(\d{2})(?:(\d{2})(?:(\d{2})(\.\d{1,6})?)?)?")
_TM_LEGACY = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?")


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

        Datasets without a Patient ID share the offset of the empty key.
        """
        key = patient_key.strip(" \x00").encode("utf-8", "surrogatepass")
        digest = hmac.new(self._secret, _SHIFT_CONTEXT + key, hashlib.sha256).digest()
        days = int.from_bytes(digest[:8], "big") % self.max_shift_days + 1
        return -timedelta(days=days)

    def seconds_for(self, patient_key: str) -> int:
        """The shift of one patient's times of day: keyed seconds in ``[0, 86400)``."""
        key = patient_key.strip(" \x00").encode("utf-8", "surrogatepass")
        digest = hmac.new(self._secret, _SECONDS_CONTEXT + key, hashlib.sha256).digest()
        return int.from_bytes(digest[:8], "big") % _DAY_SECONDS

    def patient_offset(self, patient_key: str) -> timedelta:
        """The whole offset of one patient's instants: ``offset_for`` days and
        ``seconds_for`` seconds."""
        return self.offset_for(patient_key) + timedelta(seconds=self.seconds_for(patient_key))

    def shift(self, vr: str, value: str, offset: timedelta, carry: int = 0) -> str:
        """``value`` (a DA, DT or TM element's text) moved by ``offset``; ``carry`` days more
        for a date whose paired time passes midnight."""
        return shift_text(vr, value, offset, carry)

    def shift_values(
        self, vr: str, value: str | Iterable[str] | None, offset: timedelta
    ) -> str | list[str] | None:
        """Shift an element's value as pydicom holds it: text, several values, or none."""
        if value is None:
            return None
        if isinstance(value, str):
            return shift_text(vr, value, offset)
        return [shift_text(vr, str(part), offset) for part in value]


def shift_text(vr: str, value: str, offset: timedelta, carry: int = 0) -> str:
    """Shift every value and range end in ``value``; see the module docstring.

    ``offset`` is normally ``patient_offset``: its days (``offset.days``) move dates, its
    seconds (``offset.seconds``, in ``[0, 86400)``) times; DT moves by both.
    """
    if vr not in ("DA", "DT", "TM"):
        raise ValueError(f"not a date or time VR: {vr}")
    days, seconds = offset.days, offset.seconds
    if vr == "DA":
        days += carry
    return "\\".join(
        _shift_value(vr, part.strip(" \x00"), days, seconds) for part in value.split("\\")
    )


def time_carry(time_value: str, offset: timedelta) -> int:
    """The days a time of day passes midnight when moved by ``offset``'s seconds: 1 or 0
    (0 too for several values, a range or a value that does not parse)."""
    match = _tm_match(time_value.strip(" \x00"))
    if match is None:
        return 0
    return (_tm_seconds(match) + offset.seconds) // _DAY_SECONDS


def _shift_value(vr: str, text: str, days: int, seconds: int) -> str:
    if not text:
        return text
    single = _shift_single(vr, text, days, seconds)
    if single is not None:
        return single
    for index, char in enumerate(text):
        if char != "-":
            continue
        start, end = text[:index], text[index + 1 :]
        if not (start or end):
            break
        shifted_start = _shift_single(vr, start, days, seconds) if start else ""
        shifted_end = _shift_single(vr, end, days, seconds) if end else ""
        if shifted_start is not None and shifted_end is not None:
            return f"{shifted_start}-{shifted_end}"
    raise UnparseableDate(f"not a valid {vr} value")


def _shift_single(vr: str, text: str, days: int, seconds: int) -> str | None:
    """One shifted value, or None when ``text`` is not a single value of the VR."""
    if vr == "DA":
        return _shift_da(text, days)
    if vr == "DT":
        return _shift_dt(text, days, seconds)
    return _shift_tm(text, seconds)


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


def _shift_dt(text: str, days: int, seconds: int) -> str | None:
    match = _DT.fullmatch(text)
    if match is None:
        return None
    year_text, month_text, day_text, time_text, zone = match.groups()
    if time_text is not None and not _valid_dt_time(time_text):
        return None
    if zone is not None and not (int(zone[1:3]) <= 14 and int(zone[3:5]) < 60):
        return None
    if time_text is None:
        moved_time = ""
    else:
        fields = [int(time_text[i : i + 2]) for i in range(0, min(len(time_text), 6), 2)]
        fields += [0] * (3 - len(fields))
        total = fields[0] * 3600 + fields[1] * 60 + fields[2] + seconds
        carried, total = divmod(total, _DAY_SECONDS)
        days += carried
        moved_time = _clock(total, min(len(time_text), 6)) + time_text[6:]
    moved = _moved(int(year_text), int(month_text or 1), int(day_text or 1), days)
    if moved is None:
        return None
    shifted = f"{moved.year:04d}"
    if month_text is not None:
        shifted += f"{moved.month:02d}"
    if day_text is not None:
        shifted += f"{moved.day:02d}"
    return shifted + moved_time + (zone or "")


def _clock(total: int, digits: int) -> str:
    """Seconds since midnight as ``HHMMSS``, cut to ``digits`` (2, 4 or 6) digits."""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}{minutes:02d}{secs:02d}"[:digits]


def _valid_dt_time(time_text: str) -> bool:
    """HH[MM[SS[.F]]] inside a DT; seconds may be 60 (a leap second)."""
    fields = [int(time_text[i : i + 2]) for i in range(0, min(len(time_text), 6), 2)]
    limits = (23, 59, 60)
    return all(value <= limit for value, limit in zip(fields, limits, strict=False))


def _tm_match(text: str) -> re.Match[str] | None:
    """A valid TM (either form), or None."""
    match = _TM.fullmatch(text) or _TM_LEGACY.fullmatch(text)
    if match is None:
        return None
    fields = [int(group) for group in match.groups()[:3] if group is not None]
    if not all(value <= limit for value, limit in zip(fields, (23, 59, 60), strict=False)):
        return None
    return match


def _tm_seconds(match: re.Match[str]) -> int:
    hours, minutes, secs = (int(group or 0) for group in match.groups()[:3])
    return hours * 3600 + minutes * 60 + secs


def _shift_tm(text: str, seconds: int) -> str | None:
    match = _tm_match(text)
    if match is None:
        return None
    digits = 2 * sum(group is not None for group in match.groups()[:3])
    total = (_tm_seconds(match) + seconds) % _DAY_SECONDS
    return _clock(total, digits) + (match.group(4) or "")
