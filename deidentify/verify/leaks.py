"""Identifying values of an original that turn up anywhere in its de-identified file.

The values are those ``deidentify.cleaning.collect_identifiers`` finds (names and their
components, IDs, dates, institution, device, staff, addresses) and the original's UIDs, taken
from every element the profile does not keep (a Person Name and an element no dictionary
knows are never kept as unlisted attributes: they are identifying wherever they are; nor are
an unlisted date or time outside Full Dates, an element past the repeating groups' xx=1E or
read as UN, and a text value that hides items, whose items' values count too). Every
one of them is searched for in every element of the output, at every depth, unknown,
unlisted and private elements and File Meta included, in the raw bytes of the file
(preamble and binary values too; only Pixel, Overlay, Curve and Waveform Data are left out),
and in the output's path below the output folder (a name the mirror layout kept: a
patient's name as a folder, an original UID as a file name).
A match is no violation only where the effective action keeps that very attribute and the
output holds it as the original did.

Matching works on whole values and on parts long enough to identify: a whole value is
searched from ``cleaning.MIN_IDENTIFIER_LENGTH`` (3) characters, a UID from
``MIN_UID_LENGTH`` (8), a part of a value (a name component, a word of an address, a
date written another way) from ``MIN_PART_LENGTH`` (4); the raw bytes only for values of
``MIN_RAW_LENGTH`` (5) or more. This tool's own constants (dummies such as ``ANONYMOUS``, the
De-identification Method text, the codes and the Contributing Equipment item it adds) are
not identifiers, nor is a word that occurs in them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pydicom import Dataset
from pydicom.datadict import dictionary_has_tag
from pydicom.dataelem import DataElement
from pydicom.multival import MultiValue
from pydicom.valuerep import STANDARD_VR, PersonName

from deidentify import method
from deidentify.cleaning import collect_identifiers
from deidentify.dummies import dummy_value
from deidentify.plan import Plan, Treatment
from deidentify.verify.attributes import normalised, tag_text
from deidentify.verify.findings import Fingerprinter, Violation
from deidentify.verify.hidden import hidden_items, hides_structure
from deidentify.words import bounded, date_forms, masked
from generated.model import Option

_WORD = re.compile(r"[^\W_]+")
KEPT = frozenset({Treatment.KEEP, Treatment.KEEP_AND_CLEAN_ITEMS})
MIN_UID_LENGTH = 8
MIN_PART_LENGTH = 4
"""A part of a value (a word, a name component) is searched only from this length."""
MIN_RAW_LENGTH = 5
"""Raw bytes are only searched for values this long: shorter ones occur in binary by chance."""
BULK_TAGS = frozenset({0x7FE00008, 0x7FE00009, 0x7FE00010, 0x54001010})
"""Float, Double Float and Pixel Data, Waveform Data: left out of the raw search."""
BULK_REPEATING = frozenset({0x5000, 0x6000})
"""Curve Data and Overlay Data groups ((50xx,3000), (60xx,3000))."""
REPEATING_GROUPS = frozenset({0x5000, 0x6000, 0x7F00})
"""Curve, overlay and variable pixel data groups: they repeat for xx = 00 to 1E only."""
LAST_REPEATING = 0x1E
PIXEL_GROUP = 0x7FE0
TEMPORAL_VRS = frozenset({"DA", "DT", "TM"})
"""An unlisted attribute of these VRs holds a date or time: kept only under Full Dates."""
_TIME = re.compile(r"(\d{2})(\d{2})(\d{2})")


def _key(term: str) -> str:
    return " ".join(term.split()).lower()


@dataclass(frozen=True)
class Identifiers:
    """The identifying values of one original, each with the attribute it came from."""

    sources: dict[str, tuple[str, str]]
    """Normalised term -> (term as found, name of the attribute it came from)."""

    def matcher(self, min_length: int = 0) -> Matcher:
        return Matcher([key for key, (term, _) in self.sources.items()
                        if len(term) >= min_length])

    def __or__(self, other: Identifiers) -> Identifiers:
        return Identifiers({**self.sources, **other.sources})


class Matcher:
    """Finds normalised terms in a text as whole words, case-insensitively (``words.bounded``,
    the rule of ``deidentify.cleaning``: a term that starts or ends with a letter does not
    match next to another letter, one with a digit not next to another digit).

    Terms are indexed by their first three characters, so a text is compared only with the
    terms that can start in it: one pass per text, whatever the number of terms."""

    def __init__(self, keys: list[str]) -> None:
        self._index: dict[str, list[str]] = {}
        for key in keys:
            self._index.setdefault(key[:3], []).append(key)

    def __bool__(self) -> bool:
        return bool(self._index)

    def find(self, text: str) -> Iterator[tuple[int, str]]:
        """(offset, term) of every match in ``text`` (already normalised if it must be)."""
        folded = text.lower()
        index = self._index
        grams = {folded[i:i + 3] for i in range(len(folded) - 2)} & index.keys()
        for gram in grams:
            for key in index[gram]:
                start = folded.find(key)
                while start >= 0:
                    if bounded(folded, start, start + len(key)):
                        yield start, key
                    start = folded.find(key, start + 1)


def _elements(ds: Dataset) -> Iterator[DataElement]:
    """Every element, top level and inside every item, File Meta first."""
    meta = getattr(ds, "file_meta", None)
    if meta is not None:
        yield from meta
    yield from ds.iterall()


def tool_constants(plan: Plan) -> str:
    """Every text this tool writes of its own under ``plan``, one per line: the dummies and
    the attributes that record the de-identification (method, codes, equipment item)."""
    record = Dataset()
    method.MethodAttributes(plan).add(record)
    texts = {str(dummy_value(vr)) for vr in STANDARD_VR - {"SQ", "UI"}
             if isinstance(dummy_value(vr), str)}
    for element in record.iterall():
        if element.VR != "SQ" and element.value is not None:
            texts.update(_texts(element) or [str(element.value)])
    return "\n".join(sorted(texts))


def _whole_values(element: DataElement) -> set[str]:
    return {" ".join(text.split()) for text in _texts(element)}


class LeakScanner:
    """Collects an original's identifying values and searches an output for them."""

    def __init__(self, plan: Plan, fingerprints: Fingerprinter) -> None:
        self.plan = plan
        self.fingerprints = fingerprints
        self._constant_words = "".join(f" {' '.join(_WORD.findall(text.lower()))} \n"
                                       for text in tool_constants(plan).splitlines())

    def _kept(self, element: DataElement) -> bool:
        """Whether the effective action keeps this attribute. Never kept: an element of a
        repeating group past xx=1E, one read as UN, and a text value that hides element
        structure (``hidden``). An unlisted one is kept unless it is private, a Person
        Name or unknown to the dictionary, and a date or time only under Full Dates."""
        tag = int(element.tag)
        if beyond_repeating_groups(tag) or element.VR == "UN" or hides_structure(element):
            return False
        row = self.plan.action_for(tag)
        if row is None:
            if element.tag.is_private or element.VR == "PN" or not dictionary_has_tag(tag):
                return False
            if element.VR in TEMPORAL_VRS:
                return self.plan.has(Option.RETAIN_LONGITUDINAL_FULL_DATES)
            return True
        return row.treatment_for_vr(element.VR, self.plan.policy) in KEPT

    def _is_constant(self, term: str) -> bool:
        """Whether ``term`` is, or is a word sequence of, one of this tool's own texts."""
        words = " ".join(_WORD.findall(term.lower()))
        return bool(words) and f" {words} " in self._constant_words

    def _searched(self, term: str, whole: set[str]) -> bool:
        if self._is_constant(term):
            return False
        return term in whole or len(term) >= MIN_PART_LENGTH

    def identifiers(self, original: Dataset) -> Identifiers:
        """The values that must not reach the output, with where each came from: those of
        the items a text value hides too."""
        leaking: dict[str, tuple[str, str]] = {}
        for element in _elements(original):
            if element.VR == "SQ" or self._kept(element):
                continue
            for item in hidden_items(element):
                for key, source in self.identifiers(item).sources.items():
                    leaking.setdefault(key, source)
            single = Dataset()
            single.add(element)
            whole = _whole_values(element)
            terms = {term for term in collect_identifiers(single).terms
                     if self._searched(term, whole)}
            if element.VR == "UI":
                terms |= {uid for uid in whole if len(uid) >= MIN_UID_LENGTH}
            if element.VR == "TM":  # Modified Dates moves times too: the original is gone
                terms |= {form for form in _time_forms(whole) if not self._is_constant(form)}
            if element.VR == "DA":
                terms |= {form for value in whole for form in date_forms(value)}
            name = element.name if not element.tag.is_private else "a private attribute"
            for term in terms:
                leaking.setdefault(_key(term), (term, name))
        return Identifiers(leaking)

    def _retained(self, element: DataElement, path: str,
                  original: dict[str, object] | None) -> bool:
        """Kept by the profile, and (where the original is known) as the original held it."""
        if not self._kept(element):
            return False
        return original is None or original.get(path) == normalised(element.value)

    def scan(self, output: Dataset, raw: bytes, identifiers: Identifiers, file: str,
             original: Dataset | None) -> list[Violation]:
        """Violations for every identifying value found in the output. A value that an
        attribute the profile keeps holds as the original did is no violation."""
        found: list[Violation] = []
        seen: set[str] = set()
        matcher = identifiers.matcher()
        if not matcher:
            return found
        before = ({path: normalised(element.value) for element, path in _paths(original)}
                  if original is not None else None)
        for element, path in _paths(output):
            retained = self._retained(element, path, before)
            for text in _texts(element):
                for _, key in matcher.find(" ".join(text.split())):
                    seen.add(key)
                    if not retained:
                        found.append(self._violation(file, path, element.name,
                                                     identifiers.sources[key]))
        raw_matcher = identifiers.matcher(MIN_RAW_LENGTH)
        searched = _without_bulk(raw, output).decode("latin-1")
        for start, key in sorted(raw_matcher.find(searched)):
            if key in seen:
                continue
            seen.add(key)
            found.append(self._violation(file, f"byte {start}", "raw file bytes",
                                         identifiers.sources[key]))
        return found

    def scan_path(self, relative: str, identifiers: Identifiers) -> tuple[str, list[Violation]]:
        """An output's path below the output folder as a report may show it, and a violation
        for every identifying value found in it (a folder or file name kept from the
        original tree): values of ``MIN_PART_LENGTH`` or more, as a path is made of parts.
        Each value found is masked in the path shown, a ``*`` a character."""
        matcher = identifiers.matcher(MIN_PART_LENGTH)
        found = list(matcher.find(relative)) if matcher else []
        shown = masked(relative, ((start, len(key)) for start, key in found))
        violations = [self._violation(shown, "(file path)", "the output's path",
                                      identifiers.sources[key])
                      for key in sorted({key for _, key in found})]
        return shown, violations

    def _violation(self, file: str, path: str, attribute: str,
                   source: tuple[str, str]) -> Violation:
        term, origin = source
        return Violation(file, path, attribute, "identifying value",
                         "no identifying value of the original",
                         f"a value of the original's {origin} ({self.fingerprints.describe(term)})")


def beyond_repeating_groups(tag: int) -> bool:
    """Whether a tag lies in a curve, overlay or variable pixel data group past xx=1E: no
    such group exists (PS3.5 7.6), whatever pydicom's dictionary masks match."""
    group = tag >> 16
    return (group & 0xFF00 in REPEATING_GROUPS and group != PIXEL_GROUP
            and group & 0xFF > LAST_REPEATING)


def _time_forms(values: set[str]) -> set[str]:
    """A time's hours, minutes and seconds as written in TM and with colons (a time without
    seconds is too common to identify)."""
    forms = set()
    for value in values:
        match = _TIME.match(value)
        if match:
            forms |= {"".join(match.groups()), ":".join(match.groups())}
    return forms


def _texts(element: DataElement) -> list[str]:
    value = element.value
    if value is None or element.VR == "SQ":
        return []
    if isinstance(value, bytes | bytearray):
        return [] if _is_bulk(int(element.tag)) else [bytes(value).decode("latin-1")]
    if isinstance(value, MultiValue | list | tuple):
        return [str(part) for part in value]
    if isinstance(value, str | PersonName):
        return [str(value)]
    return []


def _paths(ds: Dataset, prefix: str = "") -> Iterator[tuple[DataElement, str]]:
    if not prefix:
        meta = getattr(ds, "file_meta", None)
        if meta is not None:
            for element in meta:
                yield element, tag_text(int(element.tag))
    for element in ds:
        path = prefix + tag_text(int(element.tag))
        yield element, path
        if element.VR == "SQ":
            for index, item in enumerate(element.value or ()):
                yield from _paths(item, f"{path}[{index}]>")


def _is_bulk(tag: int) -> bool:
    return tag in BULK_TAGS or (tag & 0xFFFF == 0x3000 and tag >> 16 & 0xFF00 in BULK_REPEATING)


def _without_bulk(raw: bytes, ds: Dataset) -> bytes:
    """The file's bytes without the values of Pixel, Overlay, Curve and Waveform Data."""
    for element in ds:
        if _is_bulk(int(element.tag)) and isinstance(element.value, bytes) and element.value:
            raw = raw.replace(element.value, b"", 1)
    return raw
