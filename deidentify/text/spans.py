"""What a recogniser returns: a typed, scored span of a text (positions only, never logged)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Category(Enum):
    """What a span identifies; its value is the placeholder that replaces it."""

    NAME = "[NAME]"
    DATE = "[DATE]"
    AGE = "[AGE]"
    ID = "[ID]"
    CONTACT = "[CONTACT]"
    ORG = "[ORG]"

    @property
    def placeholder(self) -> str:
        return self.value

    @property
    def short(self) -> str:
        """The three-character form used where the full placeholder would not fit."""
        return f"[{self.name[0]}]"


@dataclass(frozen=True, order=True)
class Span:
    """``text[start:end]`` is identifying, of ``category``, with a confidence ``score``."""

    start: int
    end: int
    category: Category
    score: float = 1.0

    def __repr__(self) -> str:
        return f"Span({self.start}, {self.end}, {self.category.name}, {self.score:.2f})"
