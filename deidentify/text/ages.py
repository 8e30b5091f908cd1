"""Ages, with or without sex -> AGE spans.

``55F``, ``55 M``, ``55yo``, ``55 y/o male``, ``55-year-old woman``, ``55 years old``,
``62yoF``, ``3 months old``, ``10-day-old``, ``55 yrs, female``, ``aged 55``, ``age: 55``,
``F/55``, ``55/F``, a DICOM Age String (``055Y``), and the year words of French, German, Spanish,
Italian, Dutch and Portuguese (``55 ans``, ``55 Jahre``, ``55 años``, ``55 anni``, ``55 jaar``,
``55 anos``) unless a word of duration precedes them ("depuis", "seit", "desde"...). A
duration ("in 3 months", "10 years ago") is no age. A number with a bare ``F`` is a
catheter's French size where a device follows ("5F sheath"), and fluorine-18 before a tracer
("18F FDG").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from deidentify.text.document import Document
from deidentify.text.spans import Category, Span

_N = r"(?:1[01]\d|\d{1,2})(?:[.,]5)?"
_NUMBER = rf"(?<![\d.,/:]){_N}"
_AGE_UNIT = r"(?:y\.?\s?o\.?|y/o|yo[mf]?|y(?=[\s/,\-]*[mf]\b)|y(?![^\W\d_]))"
_TIME_UNIT = r"(?:years?|yrs?\.?|yr|months?|mos?\.?|mths?|weeks?|wks?|days?)"
_FOREIGN_YEARS = r"(?:ans|jahre|jahren|años|anos|anni|jaar)"
_OLD = r"(?:[\s\-]*(?:old|of\s+age))"
_SEX_WORD = (
    r"(?:male|female|man|woman|boy|girl|gentleman|lady|masc|fem|femme|homme|mann|frau|hombre"
    r"|mujer|uomo|donna|vrouw|homem|mulher|m|f)"
)
_SEX = rf"(?:[\s\-/,]*{_SEX_WORD}\b\.?)"

_AGE = re.compile(
    "|".join(
        f"(?:{pattern})"
        for pattern in (
            rf"{_NUMBER}[\s\-]*{_AGE_UNIT}(?![^\W\d_]){_OLD}?{_SEX}?",
            rf"{_NUMBER}[\s\-]*{_TIME_UNIT}{_OLD}{_SEX}?",
            rf"{_NUMBER}[\s\-]*(?:years?|yrs?\.?|yr){_SEX}",
            rf"(?<!depuis\s)(?<!seit\s)(?<!desde\s)(?<!hace\s)(?<!sinds\s)(?<!da\s)"
            rf"{_NUMBER}\s*{_FOREIGN_YEARS}(?![^\W\d_]){_SEX}?",
            rf"(?<![\w.]){_N}\s?[MF](?![\w])",
            rf"(?<![\w])(?:aged?|âgée?|alter|edad|età|leeftijd|idade)\s*[:=]?\s*{_N}(?![\d])"
            rf"(?:\s*(?:{_AGE_UNIT}|{_TIME_UNIT}|{_FOREIGN_YEARS})(?![^\W\d_]))?{_OLD}?{_SEX}?",
            rf"(?<![\w])[MF]\s*/\s*{_N}(?:\s*{_AGE_UNIT}(?![^\W\d_]))?(?![\d])",
            rf"{_NUMBER}\s*/\s*[MF](?![\w/])",
            r"(?<![\w])0\d\d[DWMY](?![\w])",
        )
    ),
    re.IGNORECASE,
)
_SEX_LETTER_AGE = re.compile(rf"{_N}\s?([mfMF])")
_DEVICE = re.compile(
    r"[\s\-]*(?:fr\b|french|catheter|cath|sheath|introducer|guide|guiding|pigtail|drain|tube"
    r"|foley|dilator|stent|needle|cannula|port|picc|line|fdg|psma|naf|fluoride|dopa|flt|fes"
    r"|choline|fluciclovine|florbetapir|pet)",
    re.IGNORECASE,
)


def ages(document: Document) -> Iterator[Span]:
    text = document.text
    for match in _AGE.finditer(text):
        value = match.group().rstrip(" ,-/")
        bare = _SEX_LETTER_AGE.fullmatch(value)
        lower = bare is not None and bare.group(1).islower() and not document.is_lower
        if bare and (lower or _DEVICE.match(text, match.end())):
            continue
        yield Span(match.start(), match.start() + len(value), Category.AGE, 0.9)
