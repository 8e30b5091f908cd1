"""A text as the recognisers see it: the string, its words with their shapes, and the
identifying values the object itself declares.

A word is a run of letters with inner apostrophes or hyphens ("O'Brien", "Jean-Pierre");
digits and other characters separate words. ``gap(i)`` is the text between word ``i`` and
the word after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from deidentify.cleaning import IdentifyingValues
from deidentify.text.vocabulary import fold

_MARKS = (
    "\u0300-\u036f\u0591-\u05c7\u064b-\u065f\u0670\u06d6-\u06ed\u0900-\u0903"
    "\u093a-\u094f\u0951-\u0957\u0962\u0963\u0981-\u0983\u09bc-\u09d7\u0b82-\u0bd7"
    "\u0e31-\u0e3a\u0e47-\u0e4e"
)
"""Combining marks of the scripts a name may be written in (accents, Arabic harakat,
Devanagari, Bengali, Tamil and Thai vowel signs): part of a word, not a separator."""
_LETTER = f"(?:[^\\W\\d_]|[{_MARKS}])"
_WORD = re.compile(f"{_LETTER}+(?:['\u2019\\-]{_LETTER}+)*")


@dataclass(frozen=True)
class Word:
    """One word of a text, by position."""

    text: str
    start: int
    end: int

    @cached_property
    def key(self) -> str:
        """The word as the vocabularies hold it (casefolded, no accents, no possessive)."""
        folded = fold(self.text)
        return folded[:-2] if folded.endswith(("'s", "\u2019s")) else folded

    @property
    def is_capitalised(self) -> bool:
        """Starts with a capital (Title case, all capitals, McDonald), or is in a script
        without case (Arabic, Devanagari, Hangul...), where a name has no other mark."""
        first = self.text[0]
        return first.isupper() or not first.islower()

    @property
    def is_upper(self) -> bool:
        return self.text.isupper()


@dataclass
class Document:
    """The text being cleaned and what every recogniser needs to read it."""

    text: str
    identifiers: IdentifyingValues = field(default_factory=IdentifyingValues)

    @cached_property
    def words(self) -> list[Word]:
        return [
            Word(match.group(), match.start(), match.end()) for match in _WORD.finditer(self.text)
        ]

    def gap(self, index: int) -> str:
        """The characters between word ``index`` and the next word (to the end of the text)."""
        words = self.words
        end = words[index + 1].start if index + 1 < len(words) else len(self.text)
        return self.text[words[index].end:end]

    def gap_before(self, index: int) -> str:
        """The characters between the previous word (or the start) and word ``index``."""
        words = self.words
        start = words[index - 1].end if index > 0 else 0
        return self.text[start:words[index].start]

    @cached_property
    def is_upper(self) -> bool:
        """Most words are in capitals (a DICOM description typed in upper case)."""
        words = [word for word in self.words if len(word.text) > 1]
        return bool(words) and sum(word.is_upper for word in words) * 4 >= len(words) * 3

    @cached_property
    def is_lower(self) -> bool:
        """No word has a capital (a description typed in lower case)."""
        return bool(self.words) and not any(word.text != word.text.lower() for word in self.words)

    @cached_property
    def is_title(self) -> bool:
        """Most words start with a capital (a title-case description)."""
        words = [word for word in self.words if len(word.text) > 3]
        return bool(words) and sum(word.is_capitalised for word in words) * 2 > len(words)
