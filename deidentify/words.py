"""Whole words and numbers: the rule by which an identifying value is found in a text or a
path (``verify``'s search, the mirror layout's check). A value that starts or ends with a
letter does not match next to another letter, one that starts or ends with a digit not next
to another digit: ``Doe`` is found in ``Doe_John`` and ``IM1234``'s ``1234`` too, not in
``Doeberg`` nor ``12345``. Also: a value as read as text, the usual forms of a date, and a
text with what was found in it masked."""

from __future__ import annotations

import re
from collections.abc import Iterable, MutableSequence

_DATE = re.compile(r"(\d{4})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])")
_DATE_FORMS = ("{y}{m}{d}", "{y}-{m}-{d}", "{y}.{m}.{d}", "{y}_{m}_{d}", "{d}.{m}.{y}",
               "{d}-{m}-{y}", "{d}_{m}_{y}", "{m}-{d}-{y}", "{m}_{d}_{y}")
"""How a date is written in a folder or file name or a text: DICOM's form, ISO 8601's, day
first, month first."""


def joined(inside: str, outside: str) -> bool:
    """Whether two neighbouring characters belong to one word (letters) or number (digits)."""
    return (inside.isalpha() and outside.isalpha()) or (inside.isdigit() and outside.isdigit())


def bounded(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` stands as a whole word or number."""
    if start and joined(text[start], text[start - 1]):
        return False
    return not (end < len(text) and joined(text[end - 1], text[end]))


def masked(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with each span ``(start, length)`` masked, ``*`` a character."""
    shown = list(text)
    for start, length in spans:
        shown[start:start + length] = "*" * length
    return "".join(shown)


def value_text(value: object) -> str:
    """A DICOM value as text without its padding: bytes as read as UTF-8 (Latin-1 where they
    are not), a decoded value (a name, a UID) as pydicom shows it, several values joined by
    backslashes."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8").strip("\0 ")
        except UnicodeDecodeError:
            return value.decode("latin-1").strip("\0 ")
    if isinstance(value, str):
        return value.rstrip("\0 ")
    if isinstance(value, MutableSequence | tuple):  # several values (pydicom's MultiValue)
        return "\\".join(value_text(part) for part in value)
    return str(value).rstrip("\0 ")


def date_forms(text: str) -> frozenset[str]:
    """The usual written forms of a DICOM date (``YYYYMMDD``): none for other text."""
    date = _DATE.fullmatch(text)
    if date is None:
        return frozenset()
    y, m, d = date.groups()
    return frozenset(form.format(y=y, m=m, d=d) for form in _DATE_FORMS)
