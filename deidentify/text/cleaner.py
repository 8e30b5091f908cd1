"""The registry of recognisers and the cleaner that runs them: text -> cleaned text.

Layers, each a recogniser of its own module: the object's declared identifiers
(``declared``), patterns (``dates``, ``ages``, ``numbers``, ``contacts``), person names
(``names``) and organisations (``organisations``). A code (a CS or AE value, or a one-word
SH or UC value: a Code Value or Long Code Value, a Coding Scheme Designator, a label such as
"PTV_70") gets the declared identifiers and contacts only, so that codes such as ``121033``
or ``MK0416`` survive. A PN value is a name by its VR: its family, given and middle name
components become ``[NAME]``, its prefix and suffix are cleaned as text.
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

CODE_RECOGNISERS: tuple[Recogniser, ...] = (declared, contacts)
"""The recognisers of a code (CS, AE, a one-word SH or UC value)."""

CODED_VRS = frozenset({"CS", "AE"})
ONE_WORD_CODE_VRS = frozenset({"SH", "UC"})
"""VRs whose one-word values are codes: Code Value (SH) and Long Code Value (UC)."""
_NAME_COMPONENTS = 3


@dataclass(frozen=True)
class Cleaner:
    """Runs a set of recognisers over a text and replaces what they find."""

    recognisers: Sequence[Recogniser] = RECOGNISERS
    code_recognisers: Sequence[Recogniser] = CODE_RECOGNISERS

    def spans(self, text: str, vr: str, identifiers: IdentifyingValues) -> list[Span]:
        """The resolved identifying spans of ``text`` (positions and categories only)."""
        document = Document(text, identifiers)
        if vr in CODED_VRS or (vr in ONE_WORD_CODE_VRS and len(text.split()) == 1):
            recognisers = self.code_recognisers
        else:
            recognisers = self.recognisers
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
def default() -> Cleaner:
    """The built-in cleaner, made once per process."""
    return Cleaner()
