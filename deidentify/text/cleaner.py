"""The registry of recognisers and the cleaner that runs them: text -> cleaned text.

Layers, each a recogniser of its own module: the object's declared identifiers
(``declared``), patterns (``dates``, ``ages``, ``numbers``, ``contacts``), person names
(``names``) and organisations (``organisations``). Coded strings (CS, AE) get the first two
layers only: they hold codes, not prose. A PN value is a name by its VR: its family, given
and middle name components become ``[NAME]``, its prefix and suffix are cleaned as text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from deidentify.cleaning import IdentifyingValues
from deidentify.text.ages import ages
from deidentify.text.contacts import contacts
from deidentify.text.dates import dates
from deidentify.text.declared import declared
from deidentify.text.document import Document
from deidentify.text.names import names
from deidentify.text.numbers import numbers
from deidentify.text.organisations import organisations
from deidentify.text.placeholders import replace
from deidentify.text.resolver import resolve
from deidentify.text.spans import Category, Span

Recogniser = Callable[[Document], Iterator[Span]]

RECOGNISERS: tuple[Recogniser, ...] = (
    declared, dates, ages, contacts, numbers, names, organisations,
)
"""Every recogniser of free text, in no particular order: the resolver merges their spans."""

CODED_RECOGNISERS: tuple[Recogniser, ...] = (declared, dates, contacts, numbers)
"""The recognisers of coded strings (CS, AE)."""

CODED_VRS = frozenset({"CS", "AE"})
_NAME_COMPONENTS = 3


@dataclass(frozen=True)
class Cleaner:
    """Runs a set of recognisers over a text and replaces what they find."""

    recognisers: Sequence[Recogniser] = RECOGNISERS
    coded_recognisers: Sequence[Recogniser] = CODED_RECOGNISERS

    def spans(self, text: str, vr: str, identifiers: IdentifyingValues) -> list[Span]:
        """The resolved identifying spans of ``text`` (positions and categories only)."""
        document = Document(text, identifiers)
        recognisers = self.coded_recognisers if vr in CODED_VRS else self.recognisers
        return resolve(span for recogniser in recognisers for span in recogniser(document))

    def clean(self, text: str, vr: str, identifiers: IdentifyingValues) -> str:
        """``text`` (a value of VR ``vr``) with every identifying span replaced."""
        if not text or text.isspace():
            return text
        if vr == "PN":
            return "=".join(self._clean_name_group(group, identifiers) for group in text.split("="))
        return replace(text, self.spans(text, vr, identifiers), vr)

    def _clean_name_group(self, group: str, identifiers: IdentifyingValues) -> str:
        components = group.split("^")
        cleaned = [
            Category.NAME.placeholder if index < _NAME_COMPONENTS and part.strip()
            else replace(part, self.spans(part, "PN", identifiers), "PN")
            for index, part in enumerate(components)
        ]
        return "^".join(cleaned)


@cache
def _default() -> Cleaner:
    return Cleaner()


def clean(text: str, vr: str = "UT", identifiers: IdentifyingValues | None = None) -> str:
    """Clean one text value with the built-in recognisers."""
    return _default().clean(text, vr, identifiers or IdentifyingValues())


def default_cleaner(text: str, vr: str, identifiers: IdentifyingValues) -> str:
    """The built-in ``TextCleaner`` (``deidentify.cleaning.TextCleaner``): every layer."""
    return _default().clean(text, vr, identifiers)
