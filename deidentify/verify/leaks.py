"""Identifying values of an original that turn up anywhere in its de-identified file.

The values are those ``deidentify.cleaning.collect_identifiers`` finds (names and their
components, IDs, dates, institution, device, staff, addresses) and the original's UIDs, taken
from every element the profile does not keep (a Person Name and an element no dictionary
knows are never kept as unlisted attributes: they are identifying wherever they are). Every
one of them is searched for in every element of the output, at every depth, unknown,
unlisted and private elements and File Meta included, and in the raw bytes of the file
(preamble and binary values too; only Pixel, Overlay, Curve and Waveform Data are left out).
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

from collections.abc import Iterator
from dataclasses import dataclass

from pydicom import Dataset
from pydicom.datadict import dictionary_has_tag
from pydicom.dataelem import DataElement
from pydicom.multival import MultiValue
from pydicom.valuerep import STANDARD_VR, PersonName

from deidentify import method
from deidentify.cleaning import IdentifyingValues, collect_identifiers
from deidentify.dummies import dummy_value
from deidentify.plan import Plan, Treatment
from deidentify.verify.attributes import normalised, tag_text
from deidentify.verify.findings import Fingerprinter, Violation

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


def _key(term: str) -> str:
    return " ".join(term.split()).lower()


@dataclass(frozen=True)
class Identifiers:
    """The identifying values of one original, each with the attribute it came from."""

    sources: dict[str, tuple[str, str]]
    """Normalised term -> (term as found, name of the attribute it came from)."""

    def values(self, min_length: int = 0) -> IdentifyingValues:
        return IdentifyingValues(frozenset(
            term for term, _ in self.sources.values() if len(term) >= min_length))

    def source_of(self, matched: str) -> tuple[str, str] | None:
        return self.sources.get(_key(matched))

    def __or__(self, other: Identifiers) -> Identifiers:
        return Identifiers({**self.sources, **other.sources})


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
        self._constants = tool_constants(plan)
        self._not_identifiers: dict[str, bool] = {}

    def _kept(self, element: DataElement) -> bool:
        """Whether the effective action keeps this attribute (an unlisted one: unless it is
        private, a Person Name, or unknown to the dictionary)."""
        row = self.plan.action_for(int(element.tag))
        if row is None:
            tag = element.tag
            return not (tag.is_private or element.VR == "PN" or not dictionary_has_tag(tag))
        return row.treatment_for_vr(element.VR, self.plan.policy) in KEPT

    def _is_constant(self, term: str) -> bool:
        """Whether ``term`` is, or is a word of, one of this tool's own texts."""
        known = self._not_identifiers.get(term)
        if known is None:
            pattern = IdentifyingValues(frozenset({term})).pattern
            known = pattern is not None and pattern.search(self._constants) is not None
            self._not_identifiers[term] = known
        return known

    def _searched(self, term: str, whole: set[str]) -> bool:
        if self._is_constant(term):
            return False
        return term in whole or len(term) >= MIN_PART_LENGTH

    def identifiers(self, original: Dataset) -> Identifiers:
        """The values that must not reach the output, with where each came from."""
        leaking: dict[str, tuple[str, str]] = {}
        for element in _elements(original):
            if element.VR == "SQ" or self._kept(element):
                continue
            single = Dataset()
            single.add(element)
            whole = _whole_values(element)
            terms = {term for term in collect_identifiers(single).terms
                     if self._searched(term, whole)}
            if element.VR == "UI":
                terms |= {uid for uid in whole if len(uid) >= MIN_UID_LENGTH}
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
        pattern = identifiers.values().pattern
        if pattern is None:
            return found
        before = ({path: normalised(element.value) for element, path in _paths(original)}
                  if original is not None else None)
        for element, path in _paths(output):
            retained = self._retained(element, path, before)
            for text in _texts(element):
                for match in pattern.finditer(text):
                    source = identifiers.source_of(match.group())
                    if source is None:
                        continue
                    seen.add(_key(source[0]))
                    if not retained:
                        found.append(self._violation(file, path, element.name, source))
        raw_pattern = identifiers.values(MIN_RAW_LENGTH).pattern
        if raw_pattern is None:
            return found
        searched = _without_bulk(raw, output).decode("latin-1")
        for match in raw_pattern.finditer(searched):
            source = identifiers.source_of(match.group())
            if source is None or _key(source[0]) in seen:
                continue
            seen.add(_key(source[0]))
            found.append(self._violation(file, f"byte {match.start()}", "raw file bytes",
                                         source))
        return found

    def _violation(self, file: str, path: str, attribute: str,
                   source: tuple[str, str]) -> Violation:
        term, origin = source
        return Violation(file, path, attribute, "identifying value",
                         "no identifying value of the original",
                         f"a value of the original's {origin} ({self.fingerprints.describe(term)})")


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
