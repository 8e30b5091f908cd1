"""Identifiers -> ID spans: medical record, accession, order, insurance and other numbers.

- a token (letters, digits and inner ``- / .``) with five or more digits in all, that is no
  measurement (``12345.6``), no matrix (``512x512``) and no date (the date recogniser's);
  a dotted string of three or more numbers (a UID) too;
- a token mixing letters and digits with at least four digits (``AB1234``, ``X7Y3Z9K2``),
  unless it is a technical term (``b1000``, ``TR2000``, ``120kVp``, ``3.0T``);
- after a word that announces an identifier ("MRN", "ID", "No.", "#", "accession", "record",
  "chart", "policy", "member", "NHS", "SSN", "Patientennummer", "dossier"...), the next
  token with a digit, whatever its length, or groups of digits ("943 476 5919"); groups of
  nine digits or more anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from deidentify.text.document import Document
from deidentify.text.spans import Category, Span

_TOKEN = re.compile(r"(?<![^\W_])[^\W_]+(?:[\-.:#][^\W_]+|(?<=\d)/\d+)*(?![^\W_])")
_GROUPED = re.compile(r"(?<![\w.\-])\d{2,4}(?:[ \-]\d{2,4}){2,4}(?![\w.\-])")
_GROUPED_DIGITS = 9
_MEASUREMENT = re.compile(r"\d+[.,:]\d+|\d+(?:x\d+)+(?:[a-z]*)|\d+[.,]?\d*[a-zµ]{1,4}", re.I)
_TECHNICAL = re.compile(
    r"(?:b|tr|te|ti|fov|kv|kvp|ma|mas|mgy|dlp|ctdi|slice|thk|mm|ms|hz|bw|etl|nex|ti|fa|sl|ir"
    r"|se|ep|gre|tse|fse|ax|cor|sag|t1|t2|phase|series|ser|img|image|frame|frames|acq|recon"
    r"|kernel|br|bf|hr|fc|b|d|i|q|h|j|s|u|ub|fl|iso|dose)[_\-]?\d+(?:[.,]\d+)?[a-z]{0,3}"
    r"|\d+(?:[.,]\d+)?(?:kvp|kv|mas|ma|mgy|msv|mm|cm|ml|mg|mcg|mbq|mci|ms|hz|khz|mhz|t|s|sec"
    r"|min|cc|kg|g|px|dpi|bit|bits|fps|x)",
    re.IGNORECASE,
)
_CUE = re.compile(
    r"(?:\b(?:mrn|mr#|mrno|urn|nhs|ssn|sin|nir|nss|bsn|pesel|dni|nie|cpf|rut|cf|svnr|ahv|id|ids"
    r"|no|nr|num|number|numero|número|nummer|acc|accession|accn|record|chart|case|file"
    r"|policy|member|insurance|insured|subscriber|account|acct|visit|encounter|fin|csn|har"
    r"|order|req|requisition|episode|admission|dossier|ipp|nip|expediente|historia"
    r"|cartella|patientennummer|fallnummer|versichertennummer|kenmerk|registration|reg)\b\.?"
    r"\s*(?:no\.?|nr\.?|number|#|num\.?)?\s*[:#=]?\s*|#\s*)",
    re.IGNORECASE,
)
"""Words that announce an identifier; one may start where one ends."""


def _digits(token: str) -> int:
    return sum(character.isdigit() for character in token)


def _is_identifier(token: str) -> bool:
    digits = _digits(token)
    if digits == 0:
        return False
    if re.fullmatch(r"\d+(?:\.\d+){2,}", token):
        return digits >= 5  # a UID or another dotted identifier
    if _MEASUREMENT.fullmatch(token) or _TECHNICAL.fullmatch(token):
        return False
    letters = sum(character.isalpha() for character in token)
    if "/" in token:
        return any(_is_identifier(part) for part in token.split("/"))
    if digits >= 5:
        return True
    return letters > 0 and digits >= 4


def numbers(document: Document) -> Iterator[Span]:
    text = document.text
    cued = {match.end() for match in _CUE.finditer(text)}
    for match in _GROUPED.finditer(text):
        if _digits(match.group()) >= _GROUPED_DIGITS or match.start() in cued:
            yield Span(match.start(), match.end(), Category.ID, 0.8)
    for match in _TOKEN.finditer(text):
        token = match.group().rstrip(".:#/-")
        end = match.start() + len(token)
        if _is_identifier(token):
            yield Span(match.start(), end, Category.ID, 0.85)
        elif _digits(token) and match.start() in cued:
            yield Span(match.start(), end, Category.ID, 0.75)
