"""Layer 1: the identifying values the object itself declares (``collect_identifiers``),
wherever they occur in the text, typed by the kind of attribute they came from."""

from __future__ import annotations

from collections.abc import Iterator

from deidentify.text.document import Document
from deidentify.text.spans import Category, Span


def declared(document: Document) -> Iterator[Span]:
    identifiers = document.identifiers
    pattern = identifiers.pattern
    if pattern is None:
        return
    for match in pattern.finditer(document.text):
        kind = identifiers.kind_of(match.group())
        yield Span(match.start(), match.end(), Category[kind], 1.0)
