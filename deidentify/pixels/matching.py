"""Whether a line of recognised text is to be blanked, and why (never the text itself).

Flows in: the text and confidence of one line, the object's identifying values
(``cleaning.collect_identifiers``: names and their parts, IDs, dates in every common form,
accession number, institution...) and the mode; flows out: a rule name (``identifier``,
``date``, ``time``, ``age``, ``id``, ``phone``, ``name``, ``label``, ``uncertain``,
``not-allowed``) or None to keep the line.

OCR drops spaces and confuses look-alike characters, so values are compared as skeletons:
upper case, letters and digits only, O read as 0, I and L as 1, S as 5, B as 8, Z as 2. In
the ``all`` mode a line is kept only when every token of it is on the allow-list
(laterality, orientation, units, probe and scale labels, numbers of at most four digits).
"""

from __future__ import annotations

import re
from functools import lru_cache

from deidentify.cleaning import IdentifyingValues
from deidentify.pixels.settings import PixelMode

UNCERTAIN_BELOW = 0.6
"""Lines recognised with less confidence than this are blanked in every mode."""
MIN_SKELETON = 3

_CONFUSABLE = str.maketrans({"O": "0", "Q": "0", "I": "1", "L": "1", "|": "1",
                             "S": "5", "B": "8", "Z": "2"})
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")

_MONTHS = r"(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)[A-Z]*"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("date", re.compile(r"\d{1,4}\s*[-/.]\s*\d{1,2}\s*[-/. ]\s*\d{2,4}")),
    ("date", re.compile(r"\d{1,4}\s*[-/. ]\s*\d{1,2}\s*[-/.]\s*\d{2,4}")),
    ("date", re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")),
    ("date", re.compile(rf"\d{{1,2}}\s*[-/ ]?\s*{_MONTHS}\s*[-/ ,]?\s*\d{{2,4}}")),
    ("date", re.compile(rf"{_MONTHS}\s*\d{{1,2}}\s*,?\s*\d{{4}}")),
    ("time", re.compile(r"\d{1,2}\s*:\s*\d{2}")),
    ("age", re.compile(r"\b\d{1,3}\s*(?:Y|YR|YRS|YEARS?|YO|Y/O|MOS?|MONTHS?|WKS?|WEEKS?)\b")),
    ("age", re.compile(r"\bAGE\b")),
    ("phone", re.compile(r"\+?\(?\d{2,4}\)?[\s.-]\d{3,4}[\s.-]\d{3,4}")),
    ("id", re.compile(r"\d{5,}")),
    ("name", re.compile(r"[A-Z]{2,}\s*[,^]\s*[A-Z]{2,}")),
    ("label", re.compile(r"\b(?:NAME|PATIENT|PAT|PT|DOB|D\.O\.B|BIRTH|BORN|MRN|ID|ACC|ACCESSION"
                         r"|SSN|NHS|PHONE|TEL|ADDRESS|SEX|HOSPITAL|CLINIC|INSTITUTION"
                         r"|OPERATOR|PHYSICIAN|REFERRING|SONOGRAPHER|PERFORMED BY)\b\W*")),
)
"""Identity patterns, matched against the text in upper case."""

ALLOWED_WORDS = frozenset(
    {
        "L", "R", "LT", "RT", "LEFT", "RIGHT", "BILAT", "BILATERAL", "AP", "PA", "LAT", "LATERAL",
        "MED", "MEDIAL", "SAG", "SAGITTAL", "TRANS", "TRV", "TRANSVERSE", "LONG", "AX", "AXIAL",
        "COR", "CORONAL", "OBL", "OBLIQUE", "PROX", "DIST", "MID", "ANT", "POST", "SUP", "INF",
        "UP", "DOWN", "CM", "MM", "M", "S", "MS", "SEC", "HZ", "KHZ", "MHZ", "DB", "FPS", "BPM",
        "MPS", "KV", "KVP", "MA", "MAS", "MGY", "GY", "MSV", "DEG", "X", "TIS", "TIB", "TIC", "MI",
        "B", "C", "D", "E", "F", "G", "H", "P", "T", "V", "W", "PW", "CW", "CF", "CD", "PD", "PDI",
        "THI", "HD", "HR", "RES", "GAIN", "DR", "DYN", "DYNR", "FREQ", "DEPTH", "ZOOM", "FR", "PRF",
        "WF", "SV", "ANGLE", "HARM", "GEN", "PEN", "COMP", "MAP", "ST", "PWR", "POWER", "CFM",
        "SPD", "PERS", "SRI", "CHI", "CPA", "ACQ", "FOCUS", "FOC", "AO", "LV", "RV", "LA", "RA",
        "MV", "TV", "AV", "PV", "IVC", "SVC", "HEAD", "NECK"
    }
)
"""Words the ``all`` mode keeps: laterality, orientation, units, probe and scale labels."""
_PROBE = re.compile(r"[A-Z]{0,3}\d{1,2}(?:-\d{1,2})?[A-Z]{0,3}")
_TOKENS = re.compile(r"[A-Z]+|\d+(?:\.\d+)?|\S")
_ALLOWED_SYMBOLS = frozenset("%-/:.+*(),=~'\"<>°#[]")
_MAX_NUMBER = 4


def skeleton(text: str) -> str:
    """The form in which OCR text and values are compared."""
    return _NOT_ALNUM.sub("", text.upper().translate(_CONFUSABLE))


@lru_cache(maxsize=64)
def _skeletons(identifiers: IdentifyingValues) -> tuple[str, ...]:
    forms = {skeleton(term) for term in identifiers.terms}
    return tuple(sorted((form for form in forms if len(form) >= MIN_SKELETON),
                        key=len, reverse=True))


def _allowed(text: str) -> bool:
    for token in _TOKENS.findall(text.upper()):
        if token[0].isdigit():
            if len(token.replace(".", "")) > _MAX_NUMBER:
                return False
        elif token.isalpha():
            if token not in ALLOWED_WORDS:
                return False
        elif token not in _ALLOWED_SYMBOLS:
            return False
    return True


def _probe_label(text: str) -> bool:
    return _PROBE.fullmatch(text.upper().replace(" ", "")) is not None


def verdict(text: str, score: float, identifiers: IdentifyingValues | None,
            mode: PixelMode) -> str | None:
    """The rule that blanks this line, or None to keep it."""
    upper = text.upper()
    if identifiers is not None:
        form = skeleton(text)
        if any(term in form for term in _skeletons(identifiers)):
            return "identifier"
    for rule, pattern in PATTERNS:
        if pattern.search(upper):
            return rule
    if score < UNCERTAIN_BELOW:
        return "uncertain"
    if mode is PixelMode.ALL and not (_allowed(text) or _probe_label(text)):
        return "not-allowed"
    return None
