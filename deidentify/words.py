"""Whole words and numbers: the rule by which an identifying value is found in a text or a
path (``verify``'s search, the mirror layout's check). A value that starts or ends with a
letter does not match next to another letter, one that starts or ends with a digit not next
to another digit: ``Doe`` is found in ``Doe_John`` and ``IM1234``'s ``1234`` too, not in
``Doeberg`` nor ``12345``."""

from __future__ import annotations


def joined(inside: str, outside: str) -> bool:
    """Whether two neighbouring characters belong to one word (letters) or number (digits)."""
    return (inside.isalpha() and outside.isalpha()) or (inside.isdigit() and outside.isdigit())


def bounded(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` stands as a whole word or number."""
    if start and joined(text[start], text[start - 1]):
        return False
    return not (end < len(text) and joined(text[end - 1], text[end]))
