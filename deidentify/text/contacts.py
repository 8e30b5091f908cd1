"""Contact details -> CONTACT spans: e-mail addresses, URLs, telephone numbers (with a
country code, a bracketed area code, groups of digits, an extension), short extensions and
pagers after their word ("ext 4567", "pager 1234", "bleep 2211", "x4567"), street
addresses (a number with a street word of English, French, German, Spanish, Italian, Dutch
or Portuguese, "PO Box 12"), and postal codes next to their state or city (US ZIP, UK and
Canadian postcodes, "75008 Paris", "1012 AB Amsterdam"), with the city before them
("Boston, MA 02115") unless that word is clinical."""

from __future__ import annotations

import re
from collections.abc import Iterator

from deidentify.text.document import Document
from deidentify.text.spans import Category, Span
from deidentify.text.vocabulary import FUNCTION_WORDS, clinical, fold

_EMAIL = r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
_URL = (
    r"(?:https?://|ftp://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]]"
    r"|\b[\w\-]+(?:\.[\w\-]+)*\.(?:com|org|net|edu|gov|nhs\.uk|co\.uk|de|fr|nl|it|es|pt|be|ch)"
    r"(?:/[^\s<>\"]*[^\s<>\".,;:!?)\]])?\b"
)
_PHONE = (
    r"(?<![\w+])(?:\+\d{1,3}[\s.\-]?|00\d{1,3}[\s.\-])(?:\(0\)\s?)?\d{1,4}(?:[\s.\-]?\d{2,4}){2,4}(?!\d)"
    r"|(?<![\w])\(\d{2,5}\)\s?\d{3,4}[\s.\-]?\d{3,4}(?!\d)"
    r"|(?<![\w.\-/])\d{3}[.\-]\d{3}[.\-]\d{4}(?![\d\-])"
    r"|(?<![\w.\-/])0\d{1,4}[\s.\-]\d{3,4}[\s.\-]\d{3,4}(?![\d\-])"
    r"|(?<![\w.\-/])0\d(?:[\s.]\d\d){4}(?![\d])"
)
_EXTENSION = (
    r"(?:\b(?:ext|extension|tel|phone|ph|pager|page|bleep|beeper|call|poste|durchwahl|tél|tel\.?)"
    r"\.?\s*(?:no\.?|number|#)?\s*[:#]?\s*)(?P<extension>\d{3,6})(?!\d)"
    r"|(?<![\w])x(?P<short>\d{3,5})(?!\d)"
)
_STREET_WORDS = (
    r"(?i:street|st|road|rd|avenue|ave|av|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl"
    r"|square|sq|terrace|way|crescent|close|parkway|pkwy|highway|hwy|circle|cir)"
)
_FOREIGN_STREET_WORDS = (
    r"(?i:rue|avenue|boulevard|bd|chemin|allée|place|impasse|quai|route|calle|avenida|avda"
    r"|paseo|plaza|carrer|via|viale|piazza|corso|largo|rua|travessa|praça|alameda|estrada"
    r"|straat|laan|weg|plein|gracht|kade|singel|dijk|steeg)"
)
_GERMAN_STREET = r"[A-ZÄÖÜ][\wäöüß\-]*(?:straße|strasse|str\.|weg|platz|gasse|allee|ring|damm|ufer)"
_CAPITALISED = r"[A-ZÀ-Ý][\w'\u2019\-]*"
_ADDRESS = (
    rf"(?<![\d./\-])\b\d{{1,5}}[A-Za-z]?,?\s+(?:{_CAPITALISED}\s+){{1,3}}{_STREET_WORDS}\b\.?"
    rf"|\b\d{{1,5}}[A-Za-z]?,?\s+{_FOREIGN_STREET_WORDS}\s+(?:(?:de|del|della|di|da|do|dos|das"
    rf"|la|le|les|des|du|van|der)\s+)*{_CAPITALISED}(?:\s+{_CAPITALISED}){{0,3}}"
    rf"|\b{_FOREIGN_STREET_WORDS}\s+(?:(?:de|del|della|di|da|do|dos|das|la|le|les|des|du|van"
    rf"|der)\s+)*{_CAPITALISED}(?:\s+{_CAPITALISED}){{0,3}},?\s+(?:n[º°o.]\s*)?\d{{1,5}}\b"
    rf"|\b{_GERMAN_STREET}\s+\d{{1,4}}[a-z]?\b"
    rf"|\b[A-Z][\w\-]*(?:straat|laan|weg|plein|gracht|kade|singel)\s+\d{{1,4}}[a-z]?\b"
    rf"|\b(?i:P\.?\s?O\.?\s+Box|Postbus|BP|Apartado|Casilla)\s+\d{{1,6}}\b"
    rf"|\b(?i:apt|apartment|suite|ste|unit|flat)\.?\s*#?\s*\d{{1,5}}[A-Za-z]?\b"
)
_US_STATE = (
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV"
    r"|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC)"
)
_CITY = r"(?:[A-Z][a-zà-ÿ]+(?:[\s\-][A-Z][a-zà-ÿ]+)?,?\s+)"
_POSTAL = (
    rf"\b{_CITY}?{_US_STATE}\s+\d{{5}}(?:-\d{{4}})?\b"
    rf"|\b{_CITY}?[A-Z]{{1,2}}\d[A-Z\d]?\s\d[ABD-HJLNP-UW-Z]{{2}}\b"
    rf"|\b{_CITY}?[ABCEGHJ-NPRSTVXY]\d[A-Z]\s\d[A-Z]\d\b"
    r"|\b\d{4,5}\s+[A-Z][a-zà-ÿ]+(?:[\s\-][A-Z][a-zà-ÿ]+)?(?=\s*(?:$|[,.;)]))"
    r"|\b\d{4}\s?[A-Z]{2}\s+[A-Z][a-z]+\b"
    r"|\b\d{2}-\d{3}\s+[A-ZŁŚŻ][a-ząćęłńóśźż]+"
    r"|\b\d{4}-\d{3}\s+[A-Z][a-zà-ÿ]+"
)

_LEADING_WORD = re.compile(r"([^\W\d_]+),?\s+(?=\S)")
_CONTACT = re.compile(f"{_EMAIL}|{_URL}|{_PHONE}", re.IGNORECASE)
_EXTENSIONS = re.compile(_EXTENSION, re.IGNORECASE)
_ADDRESSES = re.compile(_ADDRESS)
_ADDRESSES_ANY_CASE = re.compile(_ADDRESS, re.IGNORECASE)
_POSTALS = re.compile(_POSTAL)


def contacts(document: Document) -> Iterator[Span]:
    text = document.text
    for match in _CONTACT.finditer(text):
        yield Span(match.start(), match.end(), Category.CONTACT, 0.9)
    for match in _EXTENSIONS.finditer(text):
        group = "extension" if match.group("extension") else "short"
        yield Span(match.start(group), match.end(group), Category.CONTACT, 0.8)
    any_case = document.is_upper or document.is_lower
    addresses = _ADDRESSES_ANY_CASE if any_case else _ADDRESSES
    for match in addresses.finditer(text):
        first = re.search(r"[^\W\d_]{2,}", match.group())
        if first and fold(first.group()) in FUNCTION_WORDS:
            continue  # "2008 AT ST.": a number and a sentence, no street
        yield Span(match.start(), match.end(), Category.CONTACT, 0.8)
    for match in _POSTALS.finditer(text):
        start = match.start()
        while (
            (word := _LEADING_WORD.match(text, start))
            and fold(word.group(1)) in clinical()
            and _POSTALS.match(text, word.end())
        ):
            start = word.end()  # "CT Chest MA 02115": Chest is no city
        yield Span(start, match.end(), Category.CONTACT, 0.7)
