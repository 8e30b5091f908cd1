"""A plan: every row of Table E.1-1 resolved, once, to what the tool concretely does.

An active option's code overrides the Basic Profile's (PS3.15 E.1.1). Where two active options
give one attribute different codes, the more protective code wins (``ActionCode.protection``)
and the row is listed by ``Plan.conflicts()``. The compound codes (X/Z, X/D, Z/D, X/Z/D,
X/Z/U*) are resolved by the ``CompoundPolicy``: the tool does not know each IOD's Type of each
attribute, so CONFORMANT picks the code that keeps any IOD conformant (Z or D, or for X/Z/U*
the sequence with its UIDs replaced) and STRICT removes where X is one of the alternatives
(Z/D becomes Z).

Where the table is silent the plan adds the rules of :mod:`deidentify.beyond`: unknown public
elements (``UnknownPolicy``), elements whose VR contradicts the dictionary, and unlisted
attributes that identify a person, an organisation or a device. Under Modified Dates it also
pairs each shifted date with its shifted time (``XDate`` with ``XTime``, ``Date of X`` with
``Time of X``; listed in the table or not) so that the two move as one instant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from pydicom.datadict import dictionary_VR

import generated
from deidentify.beyond import BeyondRule, UnknownPolicy, identifying_rule, identifying_rules
from deidentify.beyond.conformity import (
    CHECKED_VRS,
    Conformity,
    vr_agrees,
)
from deidentify.beyond.dictionary import entry, is_item_tag
from deidentify.beyond.values import ValueKind, value_kind
from deidentify.beyond.values import date_time_pairs as dictionary_pairs
from deidentify.dummies import first_alternative
from deidentify.elements import BINARY_VRS
from deidentify.profile import CompoundPolicy, Profile
from generated.model import ActionCode, AttributeRule, Edition, Option, PatternKind


class Treatment(Enum):
    """What the tool does to an element."""

    REMOVE = "remove"
    EMPTY = "empty"
    DUMMY = "dummy"
    KEEP = "keep"
    KEEP_AND_CLEAN_ITEMS = "keep-and-clean-items"
    DUMMY_AND_CLEAN_ITEMS = "dummy-and-clean-items"
    REPLACE_UID = "replace-uid"
    SHIFT_DATE = "shift-date"
    CLEAN_TEXT = "clean-text"
    PSEUDONYMIZE = "pseudonymize"
    CLEAN_STRUCTURED_CONTENT = "clean-structured-content"
    CLEAN_GRAPHICS = "clean-graphics"
    KEEP_SAFE_PRIVATE = "keep-safe-private"

    @property
    def description(self) -> str:
        """Concretely what is done."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS: dict[Treatment, str] = {
    Treatment.REMOVE: "removed; a sequence is removed with all its items",
    Treatment.EMPTY: "kept with a zero-length value; a sequence is kept with no items",
    Treatment.DUMMY: "replaced by a fixed dummy value valid for the VR (a UID by a replacement"
    " UID); removed where the VR is unknown",
    Treatment.KEEP: "kept unchanged",
    Treatment.KEEP_AND_CLEAN_ITEMS: "sequence kept, the profile applied inside every item",
    Treatment.DUMMY_AND_CLEAN_ITEMS: "sequence kept as the dummy, the profile applied inside"
    " every item",
    Treatment.REPLACE_UID: "every value replaced by a UID derived from it with the secret,"
    " the same in every instance",
    Treatment.SHIFT_DATE: "dates and date-times shifted by the patient's offset (derived from"
    " the original Patient ID with the secret); an unparseable value is removed",
    Treatment.CLEAN_TEXT: "free text kept with the identifiers found anywhere in the object"
    " (names, IDs, dates, addresses, ...) redacted; in a sequence, the free text of its items",
    Treatment.PSEUDONYMIZE: "AE title replaced by a pseudonym derived from it with the secret",
    Treatment.CLEAN_STRUCTURED_CONTENT: "items kept; each content item handled by Table"
    " E.3.4-1 by its concept name, else by Table E.1-1 for the attributes inside",
    Treatment.CLEAN_GRAPHICS: "graphic and overlay text redacted of identifiers; items cleaned",
    Treatment.KEEP_SAFE_PRIVATE: "private attributes of Table E.3.10-1 or marked safe by"
    " Private Data Element Characteristics kept with their Private Creator; others removed",
}

COMPOUND: frozenset[ActionCode] = frozenset(
    {ActionCode.X_Z, ActionCode.X_D, ActionCode.Z_D, ActionCode.X_Z_D, ActionCode.X_Z_U}
)

_CLEANING_BY_OPTION: dict[Option, Treatment] = {
    Option.RETAIN_LONGITUDINAL_MODIFIED_DATES: Treatment.SHIFT_DATE,
    Option.CLEAN_STRUCTURED_CONTENT: Treatment.CLEAN_STRUCTURED_CONTENT,
    Option.CLEAN_GRAPHICS: Treatment.CLEAN_GRAPHICS,
}
"""C in these columns has its own treatment; C in any other column cleans free text. C under
Modified Dates on an attribute that holds no date (Timezone Offset From UTC) cleans its text."""

_DATE_VRS = frozenset({"DA", "DT", "TM"})

def _vr_of(rule: AttributeRule) -> str | None:
    """The VR pydicom's dictionary gives a rule's tag, None if unknown or ambiguous."""
    if rule.tag.kind is PatternKind.PRIVATE:
        return None
    try:
        vr = dictionary_VR(rule.tag.value)
    except KeyError:
        return None
    return vr if len(vr) == 2 else None


def treatment_for(code: ActionCode, source: Option | None, vr: str | None,
                  policy: CompoundPolicy) -> Treatment:
    """The concrete treatment of an effective code for an element of a VR (None: unknown)."""
    if code in COMPOUND:
        if policy is CompoundPolicy.STRICT:
            if code is not ActionCode.Z_D:
                return Treatment.REMOVE
            code = ActionCode.Z
        elif code is ActionCode.X_Z:
            code = ActionCode.Z
        elif code is ActionCode.X_Z_U:
            if vr == "SQ":
                return Treatment.KEEP_AND_CLEAN_ITEMS
            code = ActionCode.U if vr == "UI" else ActionCode.Z
        else:
            code = ActionCode.D
    if code is ActionCode.X:
        return Treatment.REMOVE
    if code is ActionCode.Z:
        return Treatment.EMPTY
    if code is ActionCode.D:
        if vr == "SQ":
            return Treatment.DUMMY_AND_CLEAN_ITEMS
        return Treatment.REPLACE_UID if vr == "UI" else Treatment.DUMMY
    if code is ActionCode.U:
        return Treatment.KEEP_AND_CLEAN_ITEMS if vr == "SQ" else Treatment.REPLACE_UID
    if code is ActionCode.K:
        return Treatment.KEEP_AND_CLEAN_ITEMS if vr == "SQ" else Treatment.KEEP
    return _cleaning(source, vr)


def _cleaning(source: Option | None, vr: str | None) -> Treatment:
    if source is Option.RETAIN_SAFE_PRIVATE:
        return Treatment.KEEP_SAFE_PRIVATE
    special = _CLEANING_BY_OPTION.get(source) if source is not None else None
    if special is Treatment.SHIFT_DATE and vr in _DATE_VRS:
        return special
    if special is Treatment.SHIFT_DATE and vr == "SQ":
        return Treatment.KEEP_AND_CLEAN_ITEMS
    if vr in BINARY_VRS:
        return Treatment.REMOVE  # Maker Note, Overlay Data, ...: binary cannot be cleaned of text
    if special is not None and special is not Treatment.SHIFT_DATE:
        return special
    if source is Option.RETAIN_DEVICE_IDENTITY and vr == "AE":
        return Treatment.PSEUDONYMIZE
    return Treatment.CLEAN_TEXT


@dataclass(frozen=True)
class PlanRow:
    """One row of Table E.1-1 resolved for a profile."""

    rule: AttributeRule
    effective: ActionCode
    source: str
    treatment: Treatment
    conflict: tuple[tuple[Option, ActionCode], ...]
    source_option: Option | None = field(default=None, compare=False)
    vr: str | None = field(default=None, compare=False)

    def treatment_for_vr(self, vr: str | None, policy: CompoundPolicy) -> Treatment:
        """The treatment for an element whose actual VR may differ from the dictionary's."""
        if vr == self.vr or self.treatment is Treatment.SHIFT_DATE:
            return self.treatment
        return treatment_for(self.effective, self.source_option, vr, policy)

    def safest(self) -> tuple[Treatment, str | None]:
        """The treatment, and the VR to write, of an element of this row whose VR or length
        contradicts the dictionary: the row's action on a value of the dictionary's VR, in
        the form that writes nothing of the value. Removal stays removal; Z and D write the
        empty value or the dummy of the dictionary's VR; U replaces a UID written as text; a
        date is parsed as the dictionary's VR and shifted, or removed; whatever would keep,
        clean or pseudonymize the value removes it instead."""
        vr = self.vr
        if vr is None:
            known = entry(self.rule.tag.value)
            vr = first_alternative(sorted(known.vrs)[0]) if known is not None else None
        if self.treatment is Treatment.EMPTY:
            return Treatment.EMPTY, vr
        if self.treatment is Treatment.DUMMY and vr is not None and vr != "UN":
            return Treatment.DUMMY, vr
        if self.treatment is Treatment.REPLACE_UID and vr == "UI":
            return Treatment.REPLACE_UID, vr
        if self.treatment is Treatment.SHIFT_DATE:
            return Treatment.SHIFT_DATE, vr
        return Treatment.REMOVE, vr

    def safest_for(self, written_vr: str | None) -> tuple[Treatment, str | None]:
        """``safest`` of an element written with ``written_vr``: a sequence is removed."""
        return (Treatment.REMOVE, None) if written_vr == "SQ" else self.safest()


def resolve_code(
    basic: ActionCode, columns: tuple[tuple[Option, ActionCode], ...], options: frozenset[Option]
) -> tuple[ActionCode, Option | None, tuple[tuple[Option, ActionCode], ...]]:
    """The effective code of a row, the option that set it (None: Basic) and any conflict.

    An active option's code overrides Basic; of two active options that disagree, the more
    protective code wins and both are returned as the conflict.
    """
    active = tuple((option, code) for option, code in columns if option in options)
    if not active:
        return basic, None, ()
    source_option, effective = max(active, key=lambda pair: pair[1].protection)
    conflict = active if len({code for _, code in active}) > 1 else ()
    return effective, source_option, conflict


def _resolve(rule: AttributeRule, options: frozenset[Option],
             policy: CompoundPolicy) -> PlanRow:
    effective, source_option, conflict = resolve_code(rule.basic, rule.options, options)
    vr = _vr_of(rule)
    return PlanRow(
        rule=rule,
        effective=effective,
        source=source_option.value if source_option else "Basic",
        treatment=treatment_for(effective, source_option, vr, policy),
        conflict=conflict,
        source_option=source_option,
        vr=vr,
    )


def date_time_pairs(shifts: Callable[[int], bool]) -> dict[int, int]:
    """The dictionary's date and time pairs (``beyond.values.date_time_pairs``, listed in
    Table E.1-1 or not) whose date and time the plan both shifts: date tag -> time tag."""
    return {date_tag: time_tag for date_tag, time_tag in dictionary_pairs().items()
            if shifts(date_tag) and shifts(time_tag)}


@dataclass(frozen=True)
class UnlistedVerdict:
    """What the plan says of an element Table E.1-1 does not list, by tag and encoded VR:
    a treatment (None: the engine's usual handling of unlisted elements), and whether the
    value's length and characters must still be checked against the dictionary."""

    treatment: Treatment | None
    checks_length: bool


@dataclass(frozen=True, eq=False)
class Plan:
    """Table E.1-1 resolved for a profile: built once, then a dict lookup per element."""

    profile: Profile
    policy: CompoundPolicy
    edition: Edition
    _rows: tuple[PlanRow, ...]
    _exact: dict[int, PlanRow]
    _masked: tuple[PlanRow, ...]
    _private: PlanRow | None
    unknown: UnknownPolicy = UnknownPolicy.REMOVE
    _beyond: dict[int, BeyondRule | None] = field(default_factory=dict)
    """The rules beyond the table of the tags looked up so far (None: no rule)."""
    _pairs: dict[int, int] = field(default_factory=dict)
    _verdicts: dict[tuple[int, str | None], UnlistedVerdict] = field(default_factory=dict)
    conformity: Conformity = field(default_factory=Conformity)
    """The verdicts of ``conforms``, remembered (the fast path asks it directly)."""

    @classmethod
    def build(cls, profile: Profile,
              policy: CompoundPolicy = CompoundPolicy.CONFORMANT,
              unknown: UnknownPolicy = UnknownPolicy.REMOVE) -> Plan:
        """Resolve every row of the profile's edition, and the rules beyond it."""
        edition = generated.load(profile.edition)
        rows = tuple(_resolve(rule, profile.options, policy) for rule in edition.attributes)
        exact = {row.rule.tag.value: row for row in rows if row.rule.tag.kind is PatternKind.EXACT}
        masked = tuple(row for row in rows if row.rule.tag.kind is PatternKind.MASKED)
        private = next((row for row in rows if row.rule.tag.kind is PatternKind.PRIVATE), None)
        plan = cls(profile, policy, edition, rows, exact, masked, private, unknown)
        plan._pairs.update(date_time_pairs(plan.shifts))
        return plan

    def beyond_rules(self) -> tuple[BeyondRule, ...]:
        """Every rule beyond the table for this edition, in tag order (in force or not)."""
        return tuple(identifying_rules(self._exact.keys()).values())

    def beyond_rule(self, tag: int) -> BeyondRule | None:
        """The rule beyond the table for one tag (in force or not), found on first use."""
        if tag not in self._beyond:
            self._beyond[tag] = identifying_rule(tag, self._exact)
        return self._beyond[tag]

    def applies(self, rule: BeyondRule) -> bool:
        """Whether a rule beyond the table is in force (no active option retains its kind)."""
        option = rule.category.retained_by
        return option is None or not self.has(option)

    @property
    def date_time_pairs(self) -> dict[int, int]:
        """Each shifted date's shifted time (date tag -> time tag), listed in the table or
        not; empty unless dates shift."""
        return self._pairs

    def shifts(self, tag: int) -> bool:
        """Whether the plan shifts an attribute written with its dictionary's VR: a row of
        the table, or an unlisted date or time (``unlisted``)."""
        row = self._exact.get(tag)
        if row is not None:
            return row.treatment is Treatment.SHIFT_DATE
        return self.unlisted(tag, dictionary_VR(tag)).treatment is Treatment.SHIFT_DATE

    def unlisted(self, tag: int, vr: str | None) -> UnlistedVerdict:
        """What becomes of a public element Table E.1-1 does not list, with the VR its
        encoding gives (None in implicit VR): decided once per tag and VR.

        Item and delimiter tags met as elements and the attributes beyond the table in force
        are removed; so, under ``UnknownPolicy.REMOVE``, are tags no dictionary defines and
        elements whose VR contradicts the dictionary. An unlisted UID of an object or date
        or time (``beyond.values``) gets the treatment the table gives its kind.
        """
        key = (int(tag), vr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = self._decide_unlisted(tag, vr)
        return verdict

    def _decide_unlisted(self, tag: int, vr: str | None) -> UnlistedVerdict:
        rule = self.beyond_rule(tag)
        if is_item_tag(tag) or (rule is not None and self.applies(rule)):
            return UnlistedVerdict(Treatment.REMOVE, False)
        removes = self.unknown is UnknownPolicy.REMOVE
        known = entry(tag)
        if known is None and self.masked_row(tag) is None:
            return UnlistedVerdict(Treatment.REMOVE if removes else None, False)
        if not vr_agrees(tag, vr):
            return UnlistedVerdict(Treatment.REMOVE if removes else None, False)
        kind = value_kind(known) if known is not None else None
        treatment = self._value_treatment(kind) if kind is not None else None
        if treatment is not None:
            return UnlistedVerdict(treatment, False)
        sized = known is not None and not known.vrs.isdisjoint(CHECKED_VRS)
        return UnlistedVerdict(None, removes and sized)

    def _value_treatment(self, kind: ValueKind) -> Treatment | None:
        """What the table's own rows of a kind of value do, for an unlisted attribute of
        that kind: a UID replaced unless UIDs are retained; a date or time shifted under
        Modified Dates, kept under Full Dates, emptied otherwise."""
        if kind is ValueKind.UID:
            return None if self.has(Option.RETAIN_UIDS) else Treatment.REPLACE_UID
        if self.has(Option.RETAIN_LONGITUDINAL_MODIFIED_DATES):
            return Treatment.SHIFT_DATE
        if self.has(Option.RETAIN_LONGITUDINAL_FULL_DATES):
            return None
        return Treatment.EMPTY

    def conforms(self, tag: int, vr: str | None, length: int | None,
                 value: bytes | None = None) -> bool:
        """Whether an element of a listed tag is what the dictionary defines: its encoded VR
        (None: implicit) and, for a value still as read, its length and characters."""
        return self.conformity.conforms(int(tag), vr, length, value)  # an int compares in C

    def rows(self) -> tuple[PlanRow, ...]:
        """One row per row of Table E.1-1, in table order."""
        return self._rows

    def conflicts(self) -> tuple[PlanRow, ...]:
        """The rows where two active options gave different codes."""
        return tuple(row for row in self._rows if row.conflict)

    def has(self, option: Option) -> bool:
        """Whether an option is active."""
        return option in self.profile.options

    @property
    def exact(self) -> dict[int, PlanRow]:
        """The rows of exact tags, by tag (the engine's lookup)."""
        return self._exact

    def masked_row(self, tag: int) -> PlanRow | None:
        """The row of a repeating-group mask (curves 50xx, overlays 60xx) matching a tag."""
        group = tag >> 16
        if group & 0xFF01 not in (0x5000, 0x6000):
            return None
        return next((row for row in self._masked if row.rule.tag.matches(tag)), None)

    @property
    def private(self) -> PlanRow | None:
        """The row of the private-attributes rule."""
        return self._private

    def action_for(self, tag: int) -> PlanRow | None:
        """The row for an exact, masked or private tag; None if Table E.1-1 does not list it."""
        row = self._exact.get(tag)
        if row is not None:
            return row
        group = tag >> 16
        if group % 2 == 1 and group > 0x0008:
            return self._private
        return self.masked_row(tag)
