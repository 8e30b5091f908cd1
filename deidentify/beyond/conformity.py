"""Whether an element agrees with the data dictionary: its VR, and a binary value's length.

In: a tag, the VR the encoding gives (None in implicit VR, or where no encoding says), and for
a value still as read its length in bytes. Out: whether the element is what the dictionary
defines. UN agrees with every tag (it names no VR), and so does a VR still ambiguous as
pydicom's dictionary gives it (``"US or SS"``); an ambiguous entry (``"US or SS"``,
``"OB or OW"``) agrees with each of its alternatives; a tag the dictionary does not know
agrees with anything here (whether it is known at all is ``dictionary.entry``'s question).

A value of a fixed-size binary VR (US, SS, UL, SL, FL, FD, AT, SV, UV) must hold whole values,
as many as the VM allows (a Columns of 20 bytes holds something else). An undefined length
belongs to sequences (and encapsulated Pixel Data): a value of undefined length under a tag
the dictionary does not define as a sequence is something else too.

A value of a VR whose characters are the default repertoire's printable ones (AE, AS, CS, DA,
DS, DT, IS, TM, UI) holds nothing else (PS3.5 6.2): bytes outside 20-7E (a sequence's item
headers under Body Part Examined in implicit VR, a binary blob) but the padding NUL, or more
bytes than any such value holds, are something else; so is a value of a strictly formed VR
(AS, CS, DA, DS, IS, TM, UI) outside what ``structure.REPERTOIRES`` lets it hold: a name in a
Patient's Weight (DS) or in a private DS is not a number. Nor does a value of another character
VR (LO, SH, PN, UC; ST, LT, UT) hold control characters other than ESC (and, in the long
texts, LF, FF, CR and TAB): a NUL inside (a length, a tag) is not text.
"""

from __future__ import annotations

import re

from deidentify.beyond.dictionary import entry
from deidentify.structure import REPERTOIRES

UNDEFINED_LENGTH = 0xFFFFFFFF

FIXED_SIZES: dict[str, int] = {
    "US": 2, "SS": 2, "UL": 4, "SL": 4, "FL": 4, "AT": 4, "FD": 8, "SV": 8, "UV": 8,
}
"""The size of one value of each fixed-size binary VR (PS3.5 Table 6.2-1)."""

ASCII_VRS = frozenset({"AE", "AS", "CS", "DA", "DS", "DT", "IS", "TM", "UI"})
"""VRs of printable default-repertoire characters only."""

_TEXT = {"LO": rb"[^\x00-\x1a\x1c-\x1f]*\x00?", "ST": rb"[^\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]*\x00?"}
TEXT_PATTERNS: dict[str, re.Pattern[bytes]] = {
    **{vr: re.compile(_TEXT["LO"]) for vr in ("LO", "SH", "PN", "UC")},
    **{vr: re.compile(_TEXT["ST"]) for vr in ("ST", "LT", "UT")},
}
"""What the bytes of a value of each character VR other than ``ASCII_VRS`` can be."""

CHECKED_VRS = frozenset(FIXED_SIZES) | ASCII_VRS | frozenset(TEXT_PATTERNS)
"""VRs whose values' bytes say whether they are what the dictionary defines."""

_LONGEST_ASCII = 0xFFFF
"""More bytes than any value of an ``ASCII_VRS`` holds (its VM times its length at most)."""

_PRINTABLE = re.compile(rb"[\x20-\x7e]*\x00?")

_UNDEFINED_ALLOWED = frozenset({"SQ", "OB", "OW", "OF", "OD", "OL", "OV", "UN"})
"""VRs an element of undefined length may have in the dictionary (Pixel Data is OB or OW)."""

_VM = re.compile(r"(\d+)(?:-(\d+|(\d*)n))?")


def vr_agrees(tag: int, vr: str | None) -> bool:
    """Whether a VR read from the encoding agrees with the dictionary's entry for ``tag``."""
    if vr is None or vr == "UN" or " or " in vr:
        return True
    known = entry(tag)
    return known is None or vr in known.vrs


def text_agrees(tag: int, vr: str | None, value: bytes) -> bool:
    """Whether ``value`` can be the tag's value under the VR used (None, UN: the
    dictionary's), as far as its characters tell: printable, for an ``ASCII_VRS`` VR; no
    control character but ESC (and the long texts' format effectors) for another text."""
    if vr is None or vr == "UN" or " or " in vr:
        known = entry(tag)
        if known is None or len(known.vrs) != 1:
            return True
        vr = next(iter(known.vrs))
    if vr in ASCII_VRS:
        repertoire = REPERTOIRES.get(vr, _PRINTABLE)
        return repertoire.fullmatch(value) is not None
    pattern = TEXT_PATTERNS.get(vr)
    return pattern is None or pattern.fullmatch(value) is not None


def _counts(vm: str) -> tuple[int, int | None, int]:
    """(least, most or None, step) values a VM allows: ``1`` -> (1, 1, 1), ``2-2n`` ->
    (2, None, 2), ``1-3`` -> (1, 3, 1); an unreadable VM allows any count."""
    match = _VM.fullmatch(vm.strip())
    if match is None:
        return 1, None, 1
    least = int(match.group(1))
    if match.group(2) is None:
        return least, least, 1
    if match.group(2).endswith("n"):
        return least, None, int(match.group(3) or 1)
    return least, int(match.group(2)), 1


def length_agrees(tag: int, vr: str | None, length: int) -> bool:
    """Whether a value of ``length`` bytes can be the tag's value under the VR used.

    ``vr`` is the encoding's VR (None in implicit VR, UN both mean: the dictionary's).
    """
    if length == 0:
        return True
    known = entry(tag)
    if known is None:
        return True
    if length == UNDEFINED_LENGTH:
        return not known.vrs.isdisjoint(_UNDEFINED_ALLOWED)
    if length > _LONGEST_ASCII and (vr in ASCII_VRS or (
            vr in (None, "UN") and known.vrs <= ASCII_VRS)):
        return False
    if vr is None or vr == "UN" or " or " in vr:
        sizes = {FIXED_SIZES.get(alternative) for alternative in known.vrs}
        if len(sizes) != 1:
            return True
        size = sizes.pop()
    else:
        size = FIXED_SIZES.get(vr)
    if size is None:
        return True
    if length % size:
        return False
    count = length // size
    least, most, step = _counts(known.vm)
    if count < least or (most is not None and count > most):
        return False
    return step == 1 or count % step == 0


REMEMBERED_VALUE = 64
"""Values up to this many bytes have their verdicts remembered (``Conformity.conforms``)."""
REMEMBERED_VALUES = 65536
"""At most this many verdicts are remembered; then they are forgotten all at once."""


class Conformity:
    """Whether elements of listed tags are what the dictionary defines, the verdicts
    remembered: per tag and VR, and per short value (a series repeats most of its values).
    One per plan (``Plan.conforms``); the fast path calls it directly."""

    def __init__(self) -> None:
        self._kinds: dict[tuple[int, str | None], tuple[bool, bool]] = {}
        """Per tag and VR: whether the VR agrees, and whether values are checked (sized)."""
        self._values: dict[tuple[int, str | None, int | None, bytes], bool] = {}

    def conforms(self, tag: int, vr: str | None, length: int | None,
                 value: bytes | None = None) -> bool:
        """Whether an element is what the dictionary defines: its encoded VR (None:
        implicit) and, for a value still as read, its length and characters."""
        key = (tag, vr)
        known = self._kinds.get(key)
        if known is None:
            found = entry(tag)
            sized = found is not None and (vr in CHECKED_VRS or (
                vr in (None, "UN") and not found.vrs.isdisjoint(CHECKED_VRS)))
            known = self._kinds[key] = (vr_agrees(tag, vr), sized)
        agrees, sized = known
        if not agrees:
            return False
        if not sized:
            return length != UNDEFINED_LENGTH or length_agrees(tag, vr, UNDEFINED_LENGTH)
        if value is not None and len(value) <= REMEMBERED_VALUE:
            remembered = (tag, vr, length, value)
            verdict = self._values.get(remembered)
            if verdict is None:
                if len(self._values) >= REMEMBERED_VALUES:
                    self._values.clear()
                verdict = self._values[remembered] = value_conforms(tag, vr, length, value)
            return verdict
        return value_conforms(tag, vr, length, value)


def value_conforms(tag: int, vr: str | None, length: int | None, value: bytes | None) -> bool:
    """The length and characters of a value of a VR the dictionary's entry checks."""
    if length is not None and not length_agrees(tag, vr, length):
        return False
    return value is None or text_agrees(tag, vr, value)
