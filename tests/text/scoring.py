"""Scores of a cleaner on a labelled corpus: recall of planted identity per category,
precision of what was redacted, share of clinical (non-identity) words kept."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tests.text.corpus import Sample

SpanFinder = Callable[[str], Iterable[tuple[int, int, str]]]
"""A cleaner seen through its spans: text -> (start, end, category) redacted."""

_WORD = re.compile(r"[^\W_]+")


@dataclass
class Scores:
    planted: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    typed: Counter[str] = field(default_factory=Counter)
    clinical_words: int = 0
    clinical_kept: int = 0
    redacted_chars: int = 0
    redacted_identity_chars: int = 0
    missed: list[tuple[str, str]] = field(default_factory=list)
    shredded: Counter[str] = field(default_factory=Counter)

    def recall(self, category: str) -> float:
        return self.found[category] / self.planted[category] if self.planted[category] else 1.0

    @property
    def kept(self) -> float:
        return self.clinical_kept / self.clinical_words if self.clinical_words else 1.0

    @property
    def precision(self) -> float:
        if not self.redacted_chars:
            return 1.0
        return self.redacted_identity_chars / self.redacted_chars


def score(samples: Iterable[Sample], finder: SpanFinder) -> Scores:
    """A planted span is found when redacted spans cover every letter and digit of it."""
    scores = Scores()
    for sample in samples:
        text = sample.text
        redacted = [False] * len(text)
        categories: list[str | None] = [None] * len(text)
        for start, end, category in finder(text):
            for position in range(start, end):
                redacted[position] = True
                categories[position] = category
        identity = [False] * len(text)
        for start, end, category in sample.spans:
            scores.planted[category] += 1
            significant = [p for p in range(start, end) if text[p].isalnum()]
            for position in range(start, end):
                identity[position] = True
            if all(redacted[p] for p in significant):
                scores.found[category] += 1
                if any(categories[p] == category for p in significant):
                    scores.typed[category] += 1
            else:
                scores.missed.append((category, text))
        for match in _WORD.finditer(text):
            if any(identity[p] for p in range(match.start(), match.end())):
                continue
            scores.clinical_words += 1
            if not any(redacted[p] for p in range(match.start(), match.end())):
                scores.clinical_kept += 1
            else:
                scores.shredded[match.group().casefold()] += 1
        scores.redacted_chars += sum(redacted)
        scores.redacted_identity_chars += sum(
            r and i for r, i in zip(redacted, identity, strict=True)
        )
    return scores
