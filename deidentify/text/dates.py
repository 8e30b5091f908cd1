"""Dates in every common written form -> DATE spans.

Numeric: ISO (``2021-03-04``, ``2021/3/4``, ``2021.03.04``, with a time), day-month-year and
month-day-year with ``/ - .`` and two- or four-digit years, DICOM DA (``20210304``, a valid
date from 1900 to 2099) and DT (``20210304101500``), month and year (``03/2021``), and day
and month alone (``04/03``) after a word that introduces a date ("on", "dated", "seen",
"since", "prior", "DOB"...). Written: a month name or abbreviation of English, French,
German, Spanish, Italian, Dutch or Portuguese with a day, a year or both, in any order
(``4 March 2021``, ``March 4th, 2021``, ``04-MAR-2021``, ``4MAR21``, ``le 4 mars 2021``,
``4. März 2021``, ``4 de marzo de 2021``, ``Mar 2021``), with a weekday in front. A year
alone is kept (it does not identify by itself).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from deidentify.text.document import Document
from deidentify.text.spans import Category, Span
from deidentify.text.vocabulary import fold

MONTHS = (
    "january february march april may june july august september october november december"
    " jan feb mar apr jun jul aug sep sept oct nov dec"
    " janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre"
    " décembre decembre janv févr fevr avr juil déc"
    " januar jänner jaenner februar märz maerz juni juli oktober dezember mär mrz okt dez"
    " enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre"
    " diciembre ene abr ago dic"
    " gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre gen mag giu lug"
    " ott"
    " januari februari maart mei augustus mrt"
    " janeiro fevereiro março marco maio junho julho setembro outubro novembro dezembro fev out"
    " set"
).split()
WEEKDAYS = (
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs"
    " fri sat sun lundi mardi mercredi jeudi vendredi samedi dimanche montag dienstag mittwoch"
    " donnerstag freitag samstag sonntag lunes martes miércoles miercoles jueves viernes sábado"
    " sabado domingo lunedì lunedi martedì martedi mercoledì mercoledi giovedì giovedi venerdì"
    " venerdi sabato domenica maandag dinsdag woensdag donderdag vrijdag zaterdag zondag"
    " segunda terça terca quarta quinta sexta"
).split()

_MONTH = (
    r"(?<![^\W\d_])(?:"
    + "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
    + r")\.?"
)
_WEEKDAY = (
    "(?:" + "|".join(sorted((re.escape(d) for d in WEEKDAYS), key=len, reverse=True))
    + r")\.?,?\s*"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th|er|º|°|\.)?"
_NUMERIC_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_SHORT_YEAR = r"(?:'?\d\d)"
_OF = r"(?:\s*(?:de|of|del)\s+|[\s\-/.,]{0,2})"
_TIME = r"(?:[T\s]+[0-2]?\d:[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:\s*[ap]\.?m\.?)?)?"
_SEP = r"[/\-.]"

_NUMERIC_PATTERNS = [
    # ISO and year-first
    rf"(?<![\d.]){_YEAR}(?P<s1>{_SEP})(?:0?[1-9]|1[0-2])(?P=s1)(?:0?[1-9]|[12]\d|3[01])(?!\d){_TIME}",
    # day-month-year and month-day-year
    rf"(?<![\d.]){_NUMERIC_DAY}(?P<s2>{_SEP}){_NUMERIC_DAY}(?P=s2)(?:{_YEAR}|\d\d)(?!\d)(?!\.\d)"
    rf"{_TIME}",
    # DICOM DA and DT
    r"(?<![\d.])(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"(?:[0-2]\d(?:[0-5]\d(?:[0-5]\d(?:\.\d{1,6})?)?)?)?(?:[+\-]\d{4})?(?!\d)",
    # month and year, numeric
    rf"(?<![\d./\-])(?:0?[1-9]|1[0-2])[/\-.]{_YEAR}(?![\d/\-])",
]
_WRITTEN_PATTERNS = [
    # written: day month year, month day year, month year, day month
    rf"(?:{_WEEKDAY})?(?<![^\W_]){_DAY}{_OF}{_MONTH}"
    rf"(?:{_OF}(?:{_YEAR}|{_SHORT_YEAR}))?(?![^\W\d_]){_TIME}",
    rf"{_MONTH}[\s\-/.,]*(?:de\s+)?{_YEAR}(?!\d)",
    rf"(?:{_WEEKDAY})?{_MONTH}[\s\-.]*{_DAY}(?!\d)(?:,?[\s\-/]*(?:{_YEAR}|'\d\d))?(?![^\W\d_])"
    rf"{_TIME}",
]
_CJK = r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"
_NUMERIC = re.compile("|".join(f"(?:{pattern})" for pattern in [*_NUMERIC_PATTERNS, _CJK]))
_WRITTEN = re.compile(
    "|".join(f"(?:{pattern})" for pattern in [*_WRITTEN_PATTERNS, *_NUMERIC_PATTERNS]),
    re.IGNORECASE,
)
_MONTH_WORDS = frozenset(fold(month) for month in MONTHS)

_CUE = re.compile(
    r"(?:\b(?:on|dated?|seen|since|prior|from|until|till|last|previous|scan|exam|study|dob"
    r"|d\.o\.b|born|le|du|am|vom|el|del|il|op|em|desde|depuis|seit|since|of)\b[\s:.]*"
    r"|\b(?:dob|date)\s*[:#]\s*)$",
    re.IGNORECASE,
)
_DAY_MONTH = re.compile(rf"(?<![\d./\-]){_NUMERIC_DAY}[/.\-]{_NUMERIC_DAY}(?![\d./\-])")


def dates(document: Document) -> Iterator[Span]:
    text = document.text
    written = any(word.key in _MONTH_WORDS for word in document.words)
    for match in (_WRITTEN if written else _NUMERIC).finditer(text):
        value = match.group()
        if not re.search(r"\d", value):
            continue
        start = match.start()
        while start < match.end() and text[start] in " ,-/.":
            start += 1
        end = match.end()
        while end > start and text[end - 1] in " ,-/":
            end -= 1
        yield Span(start, end, Category.DATE, 0.95)
    for match in _DAY_MONTH.finditer(text):
        if _CUE.search(text[max(0, match.start() - 16):match.start()]):
            yield Span(match.start(), match.end(), Category.DATE, 0.8)
