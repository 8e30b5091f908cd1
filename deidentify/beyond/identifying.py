"""Standard attributes that identify a person, an organisation or a device and that the
edition's Table E.1-1 does not list: removed, as additions beyond the table.

In: the tags the edition lists, pydicom's data dictionary. Out: one ``BeyondRule`` per
unlisted dictionary attribute that meets a criterion, with the criterion that selected it.
The criteria, in order (the first that matches decides the category):

- person: VR PN (a person's name, whatever the attribute); a keyword naming a person's
  identification or code sequence (``...Physician|Author|Reviewer|Observer|Asserter|Performer``
  then ``[Identification][Code]Sequence``, ``EvaluatorSequence``, ``OOIOwnerSequence``); a
  contact (``Contact...Name``, ``ContactURI``); an owner's ID (``...OwnerID``); a date of
  birth or death written in another calendar (``...DateInAlternativeCalendar``, VR LO).
- identifier: the identifiers of a patient's orders and groups (``...OrderNumber...``,
  ``Order(Placer|Filler)IdentifierSequence``, ``...Patient...IdentificationSequence``); an
  HL7 document's instance identifier (``HL7InstanceIdentifier``); an address of VR UR (a
  URI, a URL, a file's name in a container: Retrieve URL, Pixel Data Provider URL, File
  Access URI...), which may carry the patient's ID and the study's original UIDs; not a
  coding scheme's (``CodingSchemeURL``, ``URNCodeValue``).
- organisation: the issuer of an identifier (``IssuerOf...``, ``...AssigningAuthority``,
  the HL7 hierarchic designator: ``LocalNamespaceEntityID``, ``UniversalEntityID``,
  ``UniversalEntityIDType``, ``Assigning...Sequence``); an institution's name, address,
  department or code.
- device: a device's ID (``DeviceID``, ``...AdministrationDeviceID``), a keyword ending in
  ``SerialNumber``, ``StationName``, ``MachineName``, ``PrinterName``, ``SourceAddress`` or
  ``EquipmentCertificationNumber``; a transducer's manufacturer-defined data
  (``TransducerData``, which holds a probe's serial number beside its model where vendors
  write one, as the table's own Transducer Identification Sequence would).
- free text: a retired attribute of a free-text VR (LO, SH, ST, LT, UT, UC), which no
  current IOD holds and which may hold any identity (Reference, Compression Description,
  Reference to Recorded Sound, ...).
- comment: a current attribute of a free-text VR that people write into: a comment
  (``...Comment``, ``...Comments``, ``CommentsOn...``: Comments on the Scheduled Procedure
  Step, Dose Comment, Treatment Status Comment, ...), a reason (``...Reason``,
  ``ReasonFor...``), a document's title, a performed or scheduled procedure's description.
  The table's own comments are removed under the Basic Profile; these are removed under
  every profile, Clean Descriptors included.

Persons, identifiers, retired free text and comments are removed under every profile;
organisations are kept under Retain Institution Identity, devices under Retain Device
Identity, as the table's own rows of those kinds are.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum

from pydicom._dicom_dict import DicomDictionary

from generated.model import Option

_FREE_TEXT_VRS = frozenset({"LO", "SH", "ST", "LT", "UT", "UC"})


class Category(Enum):
    """What an attribute beyond the table identifies."""

    PERSON = "person"
    IDENTIFIER = "identifier"
    ORGANISATION = "organisation"
    DEVICE = "device"
    RETIRED_TEXT = "retired free text"
    COMMENT = "comment"

    @property
    def retained_by(self) -> Option | None:
        """The option that keeps attributes of this category (None: none does)."""
        return _RETAINED_BY.get(self)


_RETAINED_BY = {
    Category.ORGANISATION: Option.RETAIN_INSTITUTION_IDENTITY,
    Category.DEVICE: Option.RETAIN_DEVICE_IDENTITY,
}


@dataclass(frozen=True)
class BeyondRule:
    """One unlisted attribute removed beyond the table, and why."""

    tag: int
    keyword: str
    name: str
    vr: str
    retired: bool
    category: Category
    criterion: str


_CRITERIA: tuple[tuple[Category, str, re.Pattern[str]], ...] = (
    (Category.PERSON, "a person's identification or code sequence", re.compile(
        r"(Physician|Author|Reviewer|Observer|Asserter|Performer)(Identification)?(Code)?"
        r"Sequence$|^(Evaluator|OOIOwner)Sequence$")),
    (Category.PERSON, "a contact or an owner", re.compile(
        r"^Contact\w*(Name|URI)$|OwnerID$")),
    (Category.PERSON, "a date of birth or death in another calendar", re.compile(
        r"DateInAlternativeCalendar$")),
    (Category.IDENTIFIER, "an identifier of a patient's order or group", re.compile(
        r"OrderNumber|^Order(Placer|Filler)IdentifierSequence$"
        r"|Patient\w*IdentificationSequence$")),
    (Category.IDENTIFIER, "an HL7 document's instance identifier", re.compile(
        r"^HL7InstanceIdentifier$")),
    (Category.ORGANISATION, "the issuer of an identifier", re.compile(
        r"^IssuerOf|AssigningAuthority$|^(LocalNamespaceEntityID|UniversalEntityID"
        r"|UniversalEntityIDType)$|^Assigning\w*Sequence$")),
    (Category.ORGANISATION, "an institution", re.compile(
        r"^Institution(al)?\w*(Name|Address|Department\w*|CodeSequence)$")),
    (Category.DEVICE, "a device", re.compile(
        r"^(Device|\w*AdministrationDevice)ID$|(SerialNumber|StationName|MachineName"
        r"|PrinterName|SourceAddress|EquipmentCertificationNumber)$")),
    (Category.DEVICE, "a transducer's manufacturer-defined data: a probe's serial number",
     re.compile(r"^TransducerData$")),
)


_COMMENT = re.compile(r"Comments?$|^CommentsOn|Reason$|^ReasonFor|^DocumentTitle$"
                      r"|^(Performed|Scheduled)\w*Description$")
"""Keywords of free text that people write: comments, reasons, titles, a procedure's
description."""


def _criterion(keyword: str, vr: str, retired: bool) -> tuple[Category, str] | None:
    if vr == "PN":
        return Category.PERSON, "VR PN: a person's name"
    for category, criterion, pattern in _CRITERIA:
        if pattern.search(keyword):
            return category, criterion
    if vr == "UR" and not keyword.startswith(("CodingScheme", "URNCode")):
        return Category.IDENTIFIER, ("an address (URI, URL, a file's name): it may carry the "
                                     "patient's ID and the study's UIDs")
    if retired and vr in _FREE_TEXT_VRS:
        return Category.RETIRED_TEXT, "retired free text: in no current IOD, may hold anything"
    if vr in _FREE_TEXT_VRS and _COMMENT.search(keyword):
        return Category.COMMENT, "a comment, reason, title or procedure description: free text"
    return None


def identifying_rules(listed: Collection[int]) -> dict[int, BeyondRule]:
    """The rules beyond the table for an edition that lists the tags ``listed``, by tag in
    tag order: the dictionary scanned once per set of listed tags in a process."""
    return dict(_rules_beyond(frozenset(listed)))


@functools.cache
def _rules_beyond(listed: frozenset[int]) -> dict[int, BeyondRule]:
    rules: dict[int, BeyondRule] = {}
    for tag in sorted(DicomDictionary):
        rule = identifying_rule(tag, listed)
        if rule is not None:
            rules[tag] = rule
    return rules


def identifying_rule(tag: int, listed: Collection[int]) -> BeyondRule | None:
    """The rule beyond the table for one tag of the dictionary, for an edition that lists
    ``listed``; None when the tag is listed, unknown or meets no criterion. What a run
    looks up tag by tag, rather than scanning the whole dictionary first."""
    known = DicomDictionary.get(tag)
    if known is None or tag in listed or tag >> 16 in (0x0000, 0x0002, 0x0004, 0xFFFE):
        return None
    vr, _, name, retired, keyword = known
    if not keyword:
        return None
    found = _criterion(keyword, vr, bool(retired))
    if found is None:
        return None
    category, criterion = found
    return BeyondRule(tag, keyword, name, vr, bool(retired), category, criterion)
