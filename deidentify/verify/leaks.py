"""Identifying values of an original that turn up anywhere in its de-identified file.

The values are those ``deidentify.cleaning.collect_identifiers`` finds (names and their
components, IDs, dates, institution, device, staff, addresses), plus the original UIDs that
the profile replaces, taken only from attributes the profile does not keep: a value that a
kept attribute also holds (say the institution under Retain Institution Identity) is
expected in the output. Every text value of the output is searched, private elements and
File Meta included, and so are the raw bytes of the file (preamble and binary values too,
bulk pixel, overlay and waveform data excepted).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pydicom import Dataset
from pydicom.dataelem import DataElement
from pydicom.multival import MultiValue
from pydicom.valuerep import PersonName

from deidentify.cleaning import IdentifyingValues, collect_identifiers
from deidentify.plan import Plan, Treatment
from deidentify.verify.attributes import normalised, tag_text
from deidentify.verify.findings import Fingerprinter, Violation

KEPT = frozenset({Treatment.KEEP, Treatment.KEEP_AND_CLEAN_ITEMS})
MIN_UID_LENGTH = 8
MIN_RAW_LENGTH = 5
"""Raw bytes are only searched for values this long: shorter ones occur in binary by chance."""
BULK_VRS = frozenset({"OB", "OW", "OF", "OD", "OL", "OV", "UN"})
BULK_MIN_BYTES = 256


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


class LeakScanner:
    """Collects an original's identifying values and searches an output for them."""

    def __init__(self, plan: Plan, fingerprints: Fingerprinter) -> None:
        self.plan = plan
        self.fingerprints = fingerprints

    def _kept(self, element: DataElement) -> bool:
        row = self.plan.action_for(int(element.tag))
        if row is None:
            return not element.tag.is_private
        return row.treatment_for_vr(element.VR, self.plan.policy) in KEPT

    def identifiers(self, original: Dataset) -> Identifiers:
        """The values that must not reach the output, with where each came from."""
        leaking: dict[str, tuple[str, str]] = {}
        kept: set[str] = set()
        for element in _elements(original):
            if element.VR == "SQ":
                continue
            single = Dataset()
            single.add(element)
            terms = set(collect_identifiers(single).terms)
            if element.VR == "UI":
                terms |= {uid for uid in _texts(element) if len(uid) >= MIN_UID_LENGTH}
            name = element.name if not element.tag.is_private else "a private attribute"
            if self._kept(element):
                kept |= {_key(term) for term in terms}
            else:
                for term in terms:
                    leaking.setdefault(_key(term), (term, name))
        return Identifiers({key: found for key, found in leaking.items() if key not in kept})

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
        if element.tag.is_private or element.VR == "UN":
            return [bytes(value).decode("latin-1")]
        return []
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


def _without_bulk(raw: bytes, ds: Dataset) -> bytes:
    """The file's bytes without the values of large standard binary elements (pixel data)."""
    for element in ds:
        if (element.VR in BULK_VRS and not element.tag.is_private
                and isinstance(element.value, bytes) and len(element.value) >= BULK_MIN_BYTES):
            raw = raw.replace(element.value, b"", 1)
    return raw
