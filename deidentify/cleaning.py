"""Cleaning free text: Clean Descriptors, C rows of Retain Patient Characteristics, Clean Graphics.

Cleaning removes from a text every identifying value found elsewhere in the same dataset
(the patient's names, IDs, birth and other dates, institution, device and staff names...),
case-insensitively, and keeps the rest of the text. It is a filter for the identifiers the
dataset itself declares: a name that appears only in the free text cannot be recognised.

Which strings count as identifiers (``collect_identifiers``):

* every Person Name (PN) value, anywhere: the whole value, each component (family, given,
  middle, prefix, suffix) of the alphabetic, ideographic and phonetic groups, each word of
  a component, and the given and family names together in both orders;
* the whole value of the ID-like attributes of ``ID_KEYWORDS`` (patient IDs, accession and
  order numbers, issuers, device serial numbers, AE titles, telephone numbers, the latter
  also as digits only);
* the whole value and each word of the place-like attributes of ``PLACE_KEYWORDS``
  (institution, department, station, addresses, locations);
* every date in a DA value or at the start of a DT value, as ``YYYYMMDD``, ``YYYY-MM-DD``,
  ``YYYY/MM/DD``, ``YYYY.MM.DD``, ``DD/MM/YYYY``, ``MM/DD/YYYY``, ``DD.MM.YYYY`` and
  ``DD-MM-YYYY``.

So that cleaning does not shred ordinary text, a candidate shorter than three characters
(punctuation at its ends not counted; a wide character of the ideographic scripts, in which
a two-character name such as 山田 is a whole family name, counts as two) and the words of
``COMMON_WORDS`` (function words, honorifics, name particles, placeholders) are not
identifiers by themselves; nor are the generic institution and address words of
``PLACE_WORDS`` (hospital, street, north...) as words of a place attribute. A person's name
is never shortened that way: a family name West or Lane is an identifier on its own. All
are still removed as part of a longer identifier.

An identifier matches as a whole word: an identifier that starts (ends) with a letter does
not match right after (before) another letter, one that starts (ends) with a digit not
right after (before) another digit; spaces inside an identifier match any run of
whitespace. ``DOE`` is removed from ``DOE's scan`` and ``DOE2`` but not from ``DOER``;
patient ID ``12345`` from ``ID12345`` but not from ``123456``. Scripts written without
spaces between words (an identifier starting or ending with a wide character) have no such
boundary: ``山田`` is removed from ``山田太郎``.

Each term also records what kind of identifier it is (``KINDS``: a name, an ID, a date, a
contact or an organisation), so that a cleaner can say what it removed. The built-in cleaner
is ``deidentify.text.default_cleaner``; ``clean_text`` is this module's part of it, for a
site's own ``TextCleaner`` to build on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from pydicom import Dataset
from pydicom.dataelem import DataElement
from pydicom.valuerep import PersonName

from deidentify.elements import readable_elements

MIN_IDENTIFIER_LENGTH = 3

KINDS = ("NAME", "ID", "CONTACT", "ORG", "DATE")
"""Kinds of identifying values; where one term is of several kinds, the first listed wins."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


COMMON_WORDS: frozenset[str] = _words(
    """
    the and for with from into onto not but nor are was were has had have her his him she
    they them this that these those who whom our your its all any
    mr mrs ms miss mx dr prof sir madam jr sr ii iii iv md phd rn dds msc bsc
    van von der den del della dei des las los dos
    anonymous anonymized anonymised deidentified removed unknown none null test patient
    name names xxx n/a
    """
)
"""Words never treated as identifiers on their own (compared case-insensitively)."""

PLACE_WORDS: frozenset[str] = _words(
    """
    hospital hospitals clinic clinics center centre medical health healthcare university
    institute department dept radiology imaging services service general group foundation
    street road avenue lane drive suite floor building city county state north south east
    west saint
    """
)
"""Generic institution and address words: not identifiers as words of a place (an
institution's or an address's, kinds ORG and CONTACT), but identifiers as anything else,
a person's name first (a family name West, Lane or Saint)."""

ID_KEYWORDS: frozenset[str] = frozenset(
    {
        "PatientID",
        "OtherPatientIDs",
        "IssuerOfPatientID",
        "AccessionNumber",
        "MedicalRecordLocator",
        "StudyID",
        "AdmissionID",
        "IssuerOfAdmissionID",
        "ServiceEpisodeID",
        "IssuerOfServiceEpisodeID",
        "RequestedProcedureID",
        "PerformedProcedureStepID",
        "ScheduledProcedureStepID",
        "PlacerOrderNumberImagingServiceRequest",
        "FillerOrderNumberImagingServiceRequest",
        "PlacerOrderNumberImagingServiceRequestRetired",
        "FillerOrderNumberImagingServiceRequestRetired",
        "PlacerOrderNumberProcedure",
        "FillerOrderNumberProcedure",
        "LocalNamespaceEntityID",
        "UniversalEntityID",
        "InsurancePlanIdentification",
        "DeviceSerialNumber",
        "DeviceID",
        "DetectorID",
        "GantryID",
        "GeneratorID",
        "PlateID",
        "CassetteID",
        "SourceSerialNumber",
        "ModifyingDeviceID",
        "StationAETitle",
        "ScheduledStationAETitle",
        "PerformedStationAETitle",
        "PatientTelephoneNumbers",
        "PersonTelephoneNumbers",
        "ReferringPhysicianTelephoneNumbers",
        "OrderCallbackPhoneNumber",
        "PatientTelecomInformation",
        "PersonTelecomInformation",
        "OrderCallbackTelecomInformation",
    }
)
"""Attributes whose whole value is an identifier."""

PLACE_KEYWORDS: frozenset[str] = frozenset(
    {
        "InstitutionName",
        "InstitutionAddress",
        "InstitutionalDepartmentName",
        "StationName",
        "PatientAddress",
        "ReferringPhysicianAddress",
        "PersonAddress",
        "RegionOfResidence",
        "PatientInstitutionResidence",
        "CurrentPatientLocation",
        "ResponsibleOrganization",
        "HumanPerformerOrganization",
        "VerifyingOrganization",
        "PerformedLocation",
        "ScheduledStudyLocation",
        "RequestedProcedureLocation",
        "ScheduledProcedureStepLocation",
        "PerformedStationName",
        "ScheduledStationName",
    }
)
"""Attributes whose whole value and each of its words are identifiers."""

_TELEPHONE_KEYWORDS = frozenset(keyword for keyword in ID_KEYWORDS if "Tele" in keyword)
_ADDRESS_KEYWORDS = frozenset(
    keyword for keyword in PLACE_KEYWORDS if "Address" in keyword or "Residence" in keyword
)
_MIN_PHONE_DIGITS = 7
_EDGE_PUNCTUATION = " \t\r\n.,;:!?-_/^'\"()[]{}<>*"
_WORD_SPLIT = re.compile(r"[\s,;^=/()\[\]]+")
_DATE = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_LETTER = "[^\\W\\d_]"


def _wide(character: str) -> bool:
    """Whether a character is wide (ideographs, kana, hangul: scripts without spaces)."""
    return unicodedata.east_asian_width(character) in ("W", "F")


_NOT_ALONE = {kind: COMMON_WORDS | PLACE_WORDS if kind in ("ORG", "CONTACT") else COMMON_WORDS
              for kind in KINDS}
"""The words that are not identifiers by themselves, by the kind of the candidate."""


def _significant(candidate: str, kind: str) -> bool:
    core = candidate.strip(_EDGE_PUNCTUATION)
    width = sum(2 if _wide(character) else 1 for character in core)
    return width >= MIN_IDENTIFIER_LENGTH and core.casefold() not in _NOT_ALONE[kind]


def _boundary(character: str, letter: str) -> str:
    if character.isalpha() and not _wide(character):
        return letter
    return r"\d" if character.isdigit() else ""


def _term_pattern(term: str) -> str:
    body = r"\s+".join(re.escape(word) for word in term.split())
    start, end = _boundary(term[0], _LETTER), _boundary(term[-1], _LETTER)
    return (f"(?<!{start})" if start else "") + body + (f"(?!{end})" if end else "")


@dataclass(frozen=True)
class IdentifyingValues:
    """The identifying strings of one dataset. Its repr shows only how many there are."""

    terms: frozenset[str] = field(default_factory=frozenset, repr=False)
    kinds: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False, hash=False)
    """The kind (of ``KINDS``) of each casefolded term; a term not listed is an ID."""

    @classmethod
    def of(cls, candidates: Iterable[str], kind: str = "ID") -> IdentifyingValues:
        """Keep the significant candidates (see the module docstring), whitespace-normalised."""
        terms = {" ".join(candidate.split()) for candidate in candidates}
        kept = frozenset(term for term in terms if _significant(term, kind))
        return cls(kept, {term.casefold(): kind for term in kept})

    def __or__(self, other: IdentifyingValues) -> IdentifyingValues:
        kinds = dict(other.kinds)
        for term, kind in self.kinds.items():
            if KINDS.index(kind) <= KINDS.index(kinds.get(term, kind)):
                kinds[term] = kind
        return IdentifyingValues(self.terms | other.terms, kinds)

    def kind_of(self, occurrence: str) -> str:
        """The kind of a matched occurrence (any case, any whitespace)."""
        return self.kinds.get(" ".join(occurrence.split()).casefold(), "ID")

    def __len__(self) -> int:
        return len(self.terms)

    def __repr__(self) -> str:
        return f"IdentifyingValues(<{len(self.terms)} terms>)"

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """One case-insensitive pattern for every term, longest first; None when empty."""
        if not self.terms:
            return None
        ordered = sorted(self.terms, key=lambda term: (-len(term), term))
        return re.compile("|".join(_term_pattern(term) for term in ordered), re.IGNORECASE)


def _values(element: DataElement) -> Iterator[object]:
    value = element.value
    if value is None or isinstance(value, bytes | bytearray):
        return
    if isinstance(value, str | PersonName):
        yield value
    elif isinstance(value, Iterable):
        yield from value
    else:
        yield value


def _name_forms(name: PersonName) -> Iterator[str]:
    yield str(name)
    for group in name.components:
        parts = [part.strip() for part in group.split("^")]
        yield from (part for part in parts if part)
        for part in parts:
            yield from part.split()
        family = parts[0] if parts else ""
        given = parts[1] if len(parts) > 1 else ""
        if family and given:
            yield from (f"{given} {family}", f"{family} {given}", f"{family}, {given}")


def _date_forms(year: str, month: str, day: str) -> Iterator[str]:
    yield f"{year}{month}{day}"
    yield from (f"{year}{sep}{month}{sep}{day}" for sep in "-/.")
    yield from (f"{day}/{month}/{year}", f"{month}/{day}/{year}")
    yield from (f"{day}.{month}.{year}", f"{day}-{month}-{year}")


def _dates_in(vr: str, text: str) -> Iterator[str]:
    """The dates of a DA value (each end of a range too) or at the start of a DT value."""
    if vr == "DA":
        for match in _DATE.finditer(text.replace(".", "")):
            yield from _date_forms(*match.groups())
    elif vr == "DT" and (start := re.match(r"(\d{4})(\d{2})(\d{2})", text)):
        yield from _date_forms(*start.groups())


def _element_candidates(element: DataElement) -> Iterator[tuple[str, str]]:
    """(kind, candidate) pairs of one element."""
    keyword = element.keyword
    for value in _values(element):
        if element.VR == "PN":
            name = value if isinstance(value, PersonName) else PersonName(str(value))
            yield from (("NAME", form) for form in _name_forms(name))
            continue
        text = str(value).strip()
        if not text:
            continue
        yield from (("DATE", form) for form in _dates_in(element.VR, text))
        if keyword in _TELEPHONE_KEYWORDS:
            yield "CONTACT", text
            digits = re.sub(r"\D", "", text)
            if len(digits) >= _MIN_PHONE_DIGITS:
                yield "CONTACT", digits
        elif keyword in ID_KEYWORDS:
            yield "ID", text
        elif keyword in PLACE_KEYWORDS:
            kind = "CONTACT" if keyword in _ADDRESS_KEYWORDS else "ORG"
            yield kind, text
            yield from ((kind, word) for word in _WORD_SPLIT.split(text))


def collect_identifiers(ds: Dataset) -> IdentifyingValues:
    """The identifying values of a dataset: top level and every sequence item."""
    candidates: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for element in readable_elements(ds):
        for kind, candidate in _element_candidates(element):
            candidates[kind].append(candidate)
    found = IdentifyingValues()
    for kind in reversed(KINDS):
        found = IdentifyingValues.of(candidates[kind], kind) | found
    return found


def clean_text(text: str, identifiers: IdentifyingValues, placeholder: str = "***") -> str:
    """``text`` with every identifier occurrence replaced by ``placeholder``.

    An occurrence shorter than the placeholder gets the placeholder's first characters,
    so the result is never longer than ``text`` and the VR's length limit still holds.
    """
    pattern = identifiers.pattern
    if pattern is None or not text:
        return text
    return pattern.sub(lambda match: placeholder[: len(match.group())], text)


class TextCleaner(Protocol):
    """A site's own cleaner: returns ``text`` (a value of VR ``vr``) without identifiers."""

    def __call__(self, text: str, vr: str, identifiers: IdentifyingValues) -> str: ...
