"""One resolver for every recogniser's spans: overlapping spans merge into one.

Spans below ``THRESHOLD`` are dropped. Overlapping spans are merged into one span covering
them all (a redaction never leaves a piece of an identifier between two placeholders); the
merged span takes the category of its longest part (on a tie, the highest-scoring, then the
first in the order of ``Category``): "St. Mary's Hospital" is an organisation, not a name.
"""

from __future__ import annotations

from collections.abc import Iterable

from deidentify.text.spans import Category, Span

THRESHOLD = 0.5
_ORDER = {category: index for index, category in enumerate(Category)}


def _rank(span: Span) -> tuple[int, float, int]:
    return (span.end - span.start, span.score, -_ORDER[span.category])


def resolve(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans in text order."""
    merged: list[tuple[Span, Span]] = []  # (extent, best part)
    for span in sorted(
        (span for span in spans if span.score >= THRESHOLD), key=lambda span: (span.start, span.end)
    ):
        if merged and span.start < merged[-1][0].end:
            extent, best = merged[-1]
            best = max(best, span, key=_rank)
            extent = Span(extent.start, max(extent.end, span.end), best.category, best.score)
            merged[-1] = (extent, best)
        else:
            merged.append((span, span))
    return [extent for extent, _ in merged]
