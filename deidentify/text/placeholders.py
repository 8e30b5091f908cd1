"""Resolved spans -> the text with each span replaced by its category's placeholder.

Within the VR's maximum length (PS3.5 Table 6.2-1, in characters): where the full
placeholders (``[NAME]``) would make the value too long, the short ones (``[N]``) are used,
and where even those would, each span gets its short placeholder's first characters (at
most the span's length), so the value is never longer than the original. A CS value, whose
character set has no brackets, gets ``XXX`` (as many characters as fit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from deidentify.text.spans import Span

MAX_LENGTH: dict[str, int] = {"AE": 16, "CS": 16, "SH": 16, "LO": 64, "ST": 1024, "LT": 10240}
"""Maximum characters of a value, by VR; VRs not listed have no limit that matters here."""


def _substitute(text: str, spans: Sequence[Span], replacement: Callable[[Span], str]) -> str:
    pieces: list[str] = []
    position = 0
    for span in spans:
        pieces.append(text[position:span.start])
        pieces.append(replacement(span))
        position = span.end
    pieces.append(text[position:])
    return "".join(pieces)


def replace(text: str, spans: Sequence[Span], vr: str) -> str:
    """``text`` with every span replaced, the result valid in length for ``vr``."""
    if not spans:
        return text
    if vr == "CS":
        return _substitute(text, spans, lambda span: "XXX"[: span.end - span.start])
    limit = MAX_LENGTH.get(vr)
    full = _substitute(text, spans, lambda span: span.category.placeholder)
    if limit is None or len(full) <= limit:
        return full
    short = _substitute(text, spans, lambda span: span.category.short)
    if len(short) <= limit:
        return short
    return _substitute(text, spans, lambda span: span.category.short[: span.end - span.start])
