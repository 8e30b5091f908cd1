"""How hard a secret is to guess: a conservative estimate of its entropy, in bits.

Text in, bits out. The estimate charges each part of the secret what an attacker's guesser
pays for it, not what its length suggests: a common password word (also with digits or
symbols for letters) costs about the size of the word list, a run of one repeated character
or of a sequence (``1234``, ``abcd``, ``qwerty``, in either direction) costs its first
character and its length, a repeated block costs the block once; every other character costs
the size of the character classes the secret uses, or twice its number of distinct
characters when that is smaller. Random secrets (32 random bytes written
as hex, or 16 random letters and digits) score far above ``MIN_SECRET_BITS``;
``password12345678`` scores about twenty.
"""

from __future__ import annotations

import math

MIN_SECRET_BITS = 64
"""A secret estimated below this is refused: a guesser would find it offline."""

COMMON_WORDS: tuple[str, ...] = (
    "password", "passwd", "pass", "secret", "admin", "administrator", "root", "login",
    "letmein", "welcome", "qwerty", "dragon", "monkey", "master", "shadow", "sunshine",
    "princess", "football", "baseball", "superman", "batman", "trustno", "iloveyou", "hello",
    "changeme", "default", "guest", "test", "testing", "dicom", "deidentify", "hospital",
    "patient", "radiology", "pacs", "orthanc", "key", "token", "access", "private", "user",
    "abc", "qazwsx", "zaq", "love", "god", "money", "summer", "winter", "spring", "autumn",
    "january", "december", "monday", "friday", "london", "paris", "berlin", "freedom",
    "whatever", "nothing", "computer", "internet", "example", "sample", "demo", "temp",
)
"""Words a guesser tries first; matched case-insensitively, also in leet spelling."""

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "!": "i", "|": "l", "+": "t"})
_KEYBOARD_ROWS = ("`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./")
_MIN_RUN = 3
_WORD_BITS = math.log2(len(COMMON_WORDS)) + 1.0
"""A word from the list, in one of two cases."""


def _pool(text: str) -> int:
    """The number of characters a guesser must try per position: the size of the classes
    used, and no more than twice the number of distinct characters (low variety is cheap)."""
    size = 0
    if any(char.islower() for char in text):
        size += 26
    if any(char.isupper() for char in text):
        size += 26
    if any(char.isdigit() for char in text):
        size += 10
    if any(not char.isalnum() and char.isascii() for char in text):
        size += 33
    if any(not char.isascii() for char in text):
        size += 100
    return max(min(size, 2 * len(set(text))), 2)


def _adjacent(first: str, second: str) -> bool:
    """Next to each other in the alphabet, the digits or a keyboard row, either direction."""
    if abs(ord(first.lower()) - ord(second.lower())) == 1:
        return True
    pair = (first.lower() + second.lower(), second.lower() + first.lower())
    return any(p in row for row in _KEYBOARD_ROWS for p in pair)


def _run_length(text: str, start: int) -> int:
    """Length of the repeat or sequence run starting at ``start`` (1 when there is none)."""
    end = start + 1
    while end < len(text) and text[end] == text[start]:
        end += 1
    repeat = end - start
    end = start + 1
    while end < len(text) and _adjacent(text[end - 1], text[end]):
        end += 1
    return max(repeat, end - start)


def _word_length(text: str, start: int) -> int:
    """Length of the longest common word starting at ``start`` (0 when there is none)."""
    plain = text[start:].lower().translate(_LEET)
    return max((len(word) for word in COMMON_WORDS if plain.startswith(word)), default=0)


def _smallest_block(text: str) -> str:
    """The shortest block of which ``text`` is a repetition (``text`` itself when none)."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def estimate_bits(text: str) -> float:
    """A conservative estimate of the entropy of ``text``, in bits."""
    block = _smallest_block(text)
    repeats = len(text) // len(block) if block else 0
    bits = math.log2(repeats) if repeats > 1 else 0.0
    per_char = math.log2(_pool(block))
    position = 0
    while position < len(block):
        word = _word_length(block, position)
        run = _run_length(block, position)
        if word >= _MIN_RUN and word >= run:
            bits += _WORD_BITS
            position += word
        elif run >= _MIN_RUN:
            bits += per_char + math.log2(run) + 1.0
            position += run
        else:
            bits += per_char
            position += 1
    return bits


def is_weak(text: str) -> bool:
    """True when ``text`` is estimated below ``MIN_SECRET_BITS``."""
    return estimate_bits(text) < MIN_SECRET_BITS
