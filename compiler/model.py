"""The typed intermediate model of PS3.15 Annex E.

Standard library only: the renderer copies this module verbatim into ``generated/model.py``,
so the compiler's model and the vendored tables share one definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ActionCode(Enum):
    """An action code of PS3.15 Table E.1-1a."""

    D = "D"
    Z = "Z"
    X = "X"
    K = "K"
    C = "C"
    U = "U"
    Z_D = "Z/D"
    X_Z = "X/Z"
    X_D = "X/D"
    X_Z_D = "X/Z/D"
    X_Z_U = "X/Z/U*"

    @property
    def protection(self) -> int:
        """Rank used to resolve conflicting codes: the higher protects more."""
        return len(PROTECTION_ORDER) - PROTECTION_ORDER.index(self)

    @property
    def meaning(self) -> str:
        """What the standard says the code means (Table E.1-1a)."""
        return ACTION_MEANINGS[self]


PROTECTION_ORDER: tuple[ActionCode, ...] = (
    ActionCode.X,
    ActionCode.X_Z,
    ActionCode.X_D,
    ActionCode.X_Z_D,
    ActionCode.X_Z_U,
    ActionCode.Z,
    ActionCode.Z_D,
    ActionCode.D,
    ActionCode.U,
    ActionCode.C,
    ActionCode.K,
)
"""Most protective first. Removing beats emptying, emptying beats a dummy, a dummy beats a
replacement UID, a replacement beats cleaning, and cleaning beats keeping."""

ACTION_MEANINGS: dict[ActionCode, str] = {
    ActionCode.D: "replace with a non-zero length value that may be a dummy value and"
    " consistent with the VR",
    ActionCode.Z: "replace with a zero length value, or a non-zero length value that may be a"
    " dummy value and consistent with the VR",
    ActionCode.X: "remove Attribute, and if the Attribute is a Sequence, remove all Sequence"
    " Items and their contained Attributes",
    ActionCode.K: "keep (unchanged for non-Sequence Attributes, cleaned for Sequences)",
    ActionCode.C: "clean, that is replace with values of similar meaning known not to contain"
    " identifying information and consistent with the VR",
    ActionCode.U: "replace with a non-zero length UID that is internally consistent within a"
    " set of Instances",
    ActionCode.Z_D: "Z unless D is required to maintain IOD conformance (Type 2 versus Type 1)",
    ActionCode.X_Z: "X unless Z is required to maintain IOD conformance (Type 3 versus Type 2)",
    ActionCode.X_D: "X unless D is required to maintain IOD conformance (Type 3 versus Type 1)",
    ActionCode.X_Z_D: "X unless Z or D is required to maintain IOD conformance (Type 3 versus"
    " Type 2 versus Type 1)",
    ActionCode.X_Z_U: "X unless Z or replacement of contained instance UIDs (U) is required to"
    " maintain IOD conformance (Type 3 versus Type 2 versus Type 1 sequences containing UID"
    " references)",
}


@dataclass(frozen=True)
class CodedConcept:
    """A coded concept: CID 7050 for the profile and options, 99DCM4CHE for dcm4che's own."""

    value: str
    scheme: str
    meaning: str


class Option(Enum):
    """A de-identification option, valued by its name in dcm4chee-arc ``deidentify:`` URIs."""

    CLEAN_PIXEL_DATA = "CleanPixelDataOption"
    CLEAN_RECOGNIZABLE_VISUAL_FEATURES = "CleanRecognizableVisualFeaturesOption"
    CLEAN_GRAPHICS = "CleanGraphicsOption"
    CLEAN_STRUCTURED_CONTENT = "CleanStructuredContentOption"
    CLEAN_DESCRIPTORS = "CleanDescriptorsOption"
    RETAIN_LONGITUDINAL_FULL_DATES = "RetainLongitudinalTemporalInformationFullDatesOption"
    RETAIN_LONGITUDINAL_MODIFIED_DATES = "RetainLongitudinalTemporalInformationModifiedDatesOption"
    RETAIN_PATIENT_CHARACTERISTICS = "RetainPatientCharacteristicsOption"
    RETAIN_DEVICE_IDENTITY = "RetainDeviceIdentityOption"
    RETAIN_UIDS = "RetainUIDsOption"
    RETAIN_SAFE_PRIVATE = "RetainSafePrivateOption"
    RETAIN_INSTITUTION_IDENTITY = "RetainInstitutionIdentityOption"
    RETAIN_PATIENT_ID_HASH = "RetainPatientIDHashOption"

    @property
    def code(self) -> CodedConcept:
        """The option's code: CID 7050 (DCM), or 99DCM4CHE for RetainPatientIDHashOption."""
        return OPTION_CODES[self]


def _dcm(value: str, meaning: str) -> CodedConcept:
    return CodedConcept(value, "DCM", meaning)


BASIC_PROFILE_CODE = _dcm("113100", "Basic Application Confidentiality Profile")

OPTION_CODES: dict[Option, CodedConcept] = {
    Option.CLEAN_PIXEL_DATA: _dcm("113101", "Clean Pixel Data Option"),
    Option.CLEAN_RECOGNIZABLE_VISUAL_FEATURES: _dcm(
        "113102", "Clean Recognizable Visual Features Option"
    ),
    Option.CLEAN_GRAPHICS: _dcm("113103", "Clean Graphics Option"),
    Option.CLEAN_STRUCTURED_CONTENT: _dcm("113104", "Clean Structured Content Option"),
    Option.CLEAN_DESCRIPTORS: _dcm("113105", "Clean Descriptors Option"),
    Option.RETAIN_LONGITUDINAL_FULL_DATES: _dcm(
        "113106", "Retain Longitudinal Temporal Information Full Dates Option"
    ),
    Option.RETAIN_LONGITUDINAL_MODIFIED_DATES: _dcm(
        "113107", "Retain Longitudinal Temporal Information Modified Dates Option"
    ),
    Option.RETAIN_PATIENT_CHARACTERISTICS: _dcm(
        "113108", "Retain Patient Characteristics Option"
    ),
    Option.RETAIN_DEVICE_IDENTITY: _dcm("113109", "Retain Device Identity Option"),
    Option.RETAIN_UIDS: _dcm("113110", "Retain UIDs Option"),
    Option.RETAIN_SAFE_PRIVATE: _dcm("113111", "Retain Safe Private Option"),
    Option.RETAIN_INSTITUTION_IDENTITY: _dcm("113112", "Retain Institution Identity Option"),
    Option.RETAIN_PATIENT_ID_HASH: CodedConcept(
        "113113", "99DCM4CHE", "Retain Patient ID Hash Option"
    ),
}


class PatternKind(Enum):
    """How a tag cell of Table E.1-1 selects attributes."""

    EXACT = "exact"
    MASKED = "masked"
    PRIVATE = "private"


@dataclass(frozen=True)
class TagPattern:
    """A tag cell: ``(gggg,eeee)``, a repeating-group mask, or the private-attributes rule.

    ``text`` is the cell as the standard writes it (stray spaces removed). ``value`` holds
    the tag with every ``x`` digit as 0 and ``mask`` the bits that must match. A mask on the
    group's low byte (``50xx``, ``60xx``) is a repeating group: it selects the even groups
    ``xx00``-``xx1E`` only.
    """

    text: str
    kind: PatternKind
    value: int
    mask: int

    def matches(self, tag: int) -> bool:
        """Whether a tag (``group << 16 | element``) falls under this pattern."""
        group = tag >> 16
        if self.kind is PatternKind.PRIVATE:
            return group % 2 == 1 and group > 0x0008
        if tag & self.mask != self.value:
            return False
        if self.kind is PatternKind.MASKED and not self.mask & 0x00FF0000:
            low = group & 0xFF
            return low % 2 == 0 and low <= 0x1E
        return True


@dataclass(frozen=True)
class AttributeRule:
    """One row of Table E.1-1: an attribute and its action code per column."""

    name: str
    tag: TagPattern
    retired: bool | None
    in_std_iod: bool | None
    basic: ActionCode
    options: tuple[tuple[Option, ActionCode], ...]

    def code_for(self, option: Option) -> ActionCode | None:
        """The code in an option's column, None where the cell is empty."""
        return dict(self.options).get(option)


@dataclass(frozen=True)
class SafePrivateAttribute:
    """One row of Table E.3.10-1: a private attribute that Retain Safe Private keeps.

    ``element`` is the low byte of the element number, its offset inside the block that
    ``private_creator`` reserves in ``group``, whatever block that is.
    """

    text: str
    group: int
    element: int
    private_creator: str
    vr: str
    vm: str
    meaning: str


@dataclass(frozen=True)
class ContentItemRule:
    """One row of Table E.3.4-1: a content item concept name under Clean Structured Content."""

    meaning: str
    code_value: str
    scheme: str
    value_type: str
    retired: bool | None
    in_std_template: bool | None
    basic: ActionCode
    options: tuple[tuple[Option, ActionCode], ...]

    def code_for(self, option: Option) -> ActionCode | None:
        """The code in an option's column, None where the cell is empty."""
        return dict(self.options).get(option)


@dataclass(frozen=True)
class MergedDuplicate:
    """A tag listed more than once in Table E.1-1 and how its rows were merged.

    ``conflicts`` names each column whose codes differed, with the codes and the winner.
    """

    tag: str
    names: tuple[str, ...]
    conflicts: tuple[str, ...]


@dataclass(frozen=True)
class Edition:
    """Everything compiled from one edition of PS3.15."""

    edition: str
    source_url: str
    sha256: str
    options: tuple[Option, ...]
    attributes: tuple[AttributeRule, ...]
    safe_private: tuple[SafePrivateAttribute, ...]
    content_items: tuple[ContentItemRule, ...]
    merged_duplicates: tuple[MergedDuplicate, ...]
    source_rows: int
