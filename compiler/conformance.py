"""The model -> tests/conformance/: data-driven conformance tests of the runtime.

Every case states, from the model alone, what Table E.1-1 requires of one attribute under one
profile: the tag, the VR pydicom's dictionary gives it, the profile URI and the effective code.
The runtime's plan is never consulted, so the tests fail where the runtime and the table
disagree. The code is mapped to the observable outcome the tests check by the conformant
compound policy: X/Z -> Z; X/D, Z/D, X/Z/D -> D; X/Z/U* -> the sequence kept, the UIDs inside
replaced.

The default edition gets every row under the Basic Profile, under each option alone and under
each pair of options whose columns both give a code on a row; every other edition a
deterministic sample (every tenth row). Rendering is pure and sorted: a rerun is
byte-identical.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import jinja2
from pydicom.datadict import dictionary_VR

from compiler.model import (
    ActionCode,
    AttributeRule,
    ContentItemRule,
    Edition,
    Option,
    PatternKind,
)

SAMPLE_EVERY = 10
"""Rows of editions other than the default one are sampled: index 0, 10, 20, ..."""

OUTCOMES: tuple[str, ...] = (
    "removed", "empty", "dummy", "kept", "new_uid", "cleaned", "items_cleaned",
)
"""Observable outcomes, in the order the test functions are generated."""

EXCLUSIVE_OPTIONS: tuple[frozenset[Option], ...] = (
    frozenset({Option.RETAIN_LONGITUDINAL_FULL_DATES, Option.RETAIN_LONGITUDINAL_MODIFIED_DATES}),
)
"""Options a profile cannot combine (PS3.15 E.3.6): never paired."""

CONTAINER_CANDIDATES: tuple[tuple[int, str], ...] = (
    (0x00283010, "VOI LUT Sequence"),
    (0x00082112, "Source Image Sequence"),
    (0x00400260, "Performed Protocol Code Sequence"),
)
"""Sequences that hold each case's nested copy; the first one Table E.1-1 does not list."""

PROBE_TAGS: tuple[int, ...] = (0x00100010, 0x00081155)
"""Attributes placed inside the items of a kept sequence to show the items were walked:
Patient's Name and Referenced SOP Instance UID."""

UNLISTED_PRIVATE_GROUP = 0x0009
"""A private group whose block no safe-private row names (Private Creator of the tests)."""

_COMPOUND_TO_SIMPLE: dict[ActionCode, ActionCode] = {
    ActionCode.X_Z: ActionCode.Z,
    ActionCode.X_D: ActionCode.D,
    ActionCode.Z_D: ActionCode.D,
    ActionCode.X_Z_D: ActionCode.D,
}


@dataclass(frozen=True, order=True)
class Case:
    """One attribute under one profile, with the code Table E.1-1 gives it."""

    tag_text: str
    tag: int
    vr: str
    profile: str
    code: ActionCode

    @property
    def outcome(self) -> str:
        return outcome_of(self.code, self.vr)

    def line(self) -> str:
        return (f"({self.tag_text!r}, 0x{self.tag:08X}, {self.vr!r}, {self.profile!r},"
                f" {self.code.value!r}),")


@dataclass(frozen=True, order=True)
class PrivateCase:
    """One private attribute (in a block of a Private Creator) under one profile."""

    tag_text: str
    group: int
    element: int
    creator: str
    vr: str
    profile: str
    code: ActionCode
    safe: bool

    @property
    def outcome(self) -> str:
        """Kept where the private rule keeps it: all under K, the safe ones under C."""
        kept = self.code is ActionCode.K or (self.code is ActionCode.C and self.safe)
        return "kept" if kept else "removed"

    def line(self) -> str:
        return (f"({self.tag_text!r}, 0x{self.group:04X}, 0x{self.element:02X},"
                f" {self.creator!r}, {self.vr!r}, {self.profile!r}, {self.code.value!r}),")


@dataclass(frozen=True, order=True)
class ContentCase:
    """One content item concept of Table E.3.4-1 under one profile with Clean Structured
    Content."""

    meaning: str
    code_value: str
    scheme: str
    value_type: str
    profile: str
    code: ActionCode

    @property
    def outcome(self) -> str:
        """X removes the item; otherwise the code acts on the item's value."""
        code = _COMPOUND_TO_SIMPLE.get(self.code, self.code)
        return {ActionCode.X: "removed", ActionCode.Z: "empty", ActionCode.D: "dummy",
                ActionCode.U: "dummy", ActionCode.K: "kept", ActionCode.C: "cleaned"}[code]

    def line(self) -> str:
        return (f"({self.meaning!r}, {self.code_value!r}, {self.scheme!r},"
                f" {self.value_type!r}, {self.profile!r}, {self.code.value!r}),")


def expected_code(rule: AttributeRule | ContentItemRule, options: Iterable[Option]) -> ActionCode:
    """The code of a row under a set of options: an active option's code overrides Basic;
    between active options that disagree, the most protective code wins."""
    active = set(options)
    codes = [code for option, code in rule.options if option in active]
    if not codes:
        return rule.basic
    return max(codes, key=lambda code: code.protection)


def outcome_of(code: ActionCode, vr: str) -> str:
    """The observable outcome of an effective code for an element of a VR."""
    if code is ActionCode.X_Z_U:
        if vr == "SQ":
            return "items_cleaned"
        code = ActionCode.U if vr == "UI" else ActionCode.Z
    code = _COMPOUND_TO_SIMPLE.get(code, code)
    if code is ActionCode.X:
        return "removed"
    if code is ActionCode.Z:
        return "empty"
    if vr == "SQ":
        return "items_cleaned"
    if code is ActionCode.U or (code is ActionCode.D and vr == "UI"):
        return "new_uid"
    return {ActionCode.D: "dummy", ActionCode.K: "kept", ActionCode.C: "cleaned"}[code]


def concrete_tag(rule: AttributeRule) -> int:
    """A tag the row selects: its own, or for a repeating group (50xx, 60xx) the group xx=02
    with any masked element digits taken from 0x3000 (Curve Data's element)."""
    pattern = rule.tag
    if pattern.kind is PatternKind.EXACT:
        return pattern.value
    filler = 0x00023000 & ~pattern.mask
    tag = pattern.value | filler
    if not pattern.matches(tag):
        raise ValueError(f"no concrete tag for {pattern.text}")
    return tag


_VR_BY_NAME_SUFFIX: tuple[tuple[str, str], ...] = (
    ("Sequence", "SQ"), ("DateTime", "DT"), ("Date", "DA"), ("Time", "TM"),
)


def vr_of(rule: AttributeRule, tag: int) -> str:
    """pydicom's VR for a tag (the first of alternatives such as "OB or OW"). A tag pydicom
    does not know gets the VR its name implies (SQ, DT, DA, TM), else LO, as an explicit-VR
    file would carry it."""
    try:
        return dictionary_VR(tag).split(" or ")[0].strip()
    except KeyError:
        return next((vr for suffix, vr in _VR_BY_NAME_SUFFIX if rule.name.endswith(suffix)),
                    "LO")


def profile_uri(options: Iterable[Option]) -> str:
    """A dcm4chee-arc profile URI; options in the order given."""
    return "deidentify:" + ",".join(option.value for option in options)


def interacting_pairs(edition: Edition) -> list[tuple[Option, Option]]:
    """Pairs of the edition's options whose columns both give a code on some row."""
    pairs = []
    for first, second in itertools.combinations(edition.options, 2):
        if frozenset({first, second}) in EXCLUSIVE_OPTIONS:
            continue
        if any(rule.code_for(first) and rule.code_for(second) for rule in edition.attributes):
            pairs.append((first, second))
    return pairs


def _listed_rules(edition: Edition) -> list[AttributeRule]:
    return [rule for rule in edition.attributes if rule.tag.kind is not PatternKind.PRIVATE]


def _case(rule: AttributeRule, options: Sequence[Option]) -> Case:
    tag = concrete_tag(rule)
    return Case(rule.tag.text, tag, vr_of(rule, tag), profile_uri(options),
                expected_code(rule, options))


def _container(edition: Edition) -> tuple[int, str]:
    for tag, name in CONTAINER_CANDIDATES:
        if not any(rule.tag.matches(tag) for rule in _listed_rules(edition)):
            return tag, name
    raise ValueError(f"{edition.edition}: every container candidate is listed in Table E.1-1")


def _probes(edition: Edition, profiles: Iterable[tuple[Option, ...]]) -> dict[str, list[str]]:
    rules = [rule for rule in _listed_rules(edition)
             if rule.tag.kind is PatternKind.EXACT and rule.tag.value in PROBE_TAGS]
    probes = {}
    for options in profiles:
        cases = sorted(_case(rule, options) for rule in rules)
        probes[profile_uri(options)] = [
            f"({c.tag_text!r}, 0x{c.tag:08X}, {c.vr!r}, {c.code.value!r}, {c.outcome!r}),"
            for c in cases
        ]
    return probes


def _private_vr(text: str) -> str:
    """The first VR a safe-private row names; UN where the table leaves the cell empty."""
    return text.split(" or ")[0].split("/")[0].strip() or "UN"


def _private_cases(edition: Edition, profiles: Sequence[tuple[Option, ...]],
                   sample: bool) -> list[PrivateCase]:
    private = next((rule for rule in edition.attributes
                    if rule.tag.kind is PatternKind.PRIVATE), None)
    if private is None:
        return []
    cases = []
    for options in profiles:
        code = expected_code(private, options)
        cases.append(PrivateCase(private.tag.text, UNLISTED_PRIVATE_GROUP, 0x01,
                                 "CONFORMANCE UNLISTED", "LO", profile_uri(options), code, False))
    safe_rows = {(row.group, row.element, row.private_creator): row for row in edition.safe_private}
    chosen = sorted(safe_rows.values(), key=lambda row: (row.group, row.element,
                                                           row.private_creator))
    if sample:
        chosen = chosen[::SAMPLE_EVERY]
    safe_profiles = [()] + [(option,) for option in edition.options
                            if option is Option.RETAIN_SAFE_PRIVATE]
    for row in chosen:
        for options in safe_profiles:
            cases.append(PrivateCase(row.text, row.group, row.element, row.private_creator,
                                     _private_vr(row.vr), profile_uri(options),
                                     expected_code(private, options), True))
    return sorted(cases)


def _content_profiles(edition: Edition) -> list[tuple[Option, ...]]:
    """Clean Structured Content alone, and with each option that Table E.3.4-1 gives a code."""
    base = Option.CLEAN_STRUCTURED_CONTENT
    if base not in edition.options:
        return []
    others = {option for rule in edition.content_items for option, _ in rule.options}
    return [(base,)] + [(base, option) for option in edition.options
                        if option in others and option is not base]


def _content_cases(edition: Edition, sample: bool) -> list[ContentCase]:
    rules = sorted(edition.content_items,
                   key=lambda rule: (rule.code_value, rule.scheme, rule.value_type))
    if sample:
        rules = rules[::SAMPLE_EVERY]
    return sorted(
        ContentCase(rule.meaning, rule.code_value, rule.scheme, rule.value_type,
                    profile_uri(options), expected_code(rule, options))
        for options in _content_profiles(edition) for rule in rules
        if len(options) == 1 or rule.code_for(options[1]) is not None
    )


@dataclass(frozen=True)
class _Module:
    name: str
    title: str
    profiles: list[tuple[Option, ...]]
    cases: list[Case]
    private: list[PrivateCase]
    content: list[ContentCase]


def _default_modules(edition: Edition) -> list[_Module]:
    rules = _listed_rules(edition)
    stem = f"test_conformance_{edition.edition}"
    modules = [_Module(f"{stem}_basic.py", "every row under the Basic Profile", [()],
                       [_case(rule, ()) for rule in rules], [], [])]
    for option in edition.options:
        modules.append(_Module(
            f"{stem}_{_slug(option)}.py", f"every row under {option.value} alone", [(option,)],
            [_case(rule, (option,)) for rule in rules], [], []))
    pairs = interacting_pairs(edition)
    pair_cases = [_case(rule, pair) for pair in pairs for rule in rules
                  if rule.code_for(pair[0]) or rule.code_for(pair[1])]
    modules.append(_Module(
        f"{stem}_pairs.py", "the rows either option of an interacting pair gives a code",
        list(pairs), pair_cases, [], []))
    profiles: list[tuple[Option, ...]] = [()] + [(option,) for option in edition.options]
    modules.append(_Module(f"{stem}_private.py",
                           "the private-attributes rule and every safe private attribute",
                           profiles, [], _private_cases(edition, profiles, sample=False), []))
    content = _content_cases(edition, sample=False)
    if content:
        modules.append(_Module(
            f"{stem}_content_items.py", "every content item of Table E.3.4-1 under Clean"
            " Structured Content, alone and with each option its table gives a code",
            [], [], [], content))
    return modules


def _sample_module(edition: Edition) -> _Module:
    rules = _listed_rules(edition)[::SAMPLE_EVERY]
    profiles: list[tuple[Option, ...]] = [()] + [(option,) for option in edition.options]
    cases = [_case(rule, options) for options in profiles for rule in rules]
    return _Module(f"test_conformance_{edition.edition}_sample.py",
                   f"every {SAMPLE_EVERY}th row under the Basic Profile and each option alone,"
                   " the private rule, a sample of safe private attributes and of content items",
                   profiles, cases, _private_cases(edition, profiles, sample=True),
                   _content_cases(edition, sample=True))


def _slug(option: Option) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", option.value.removesuffix("Option")).lower()


def _render(env: jinja2.Environment, edition: Edition, module: _Module) -> str:
    by_outcome = {outcome: sorted(case.line() for case in module.cases if case.outcome == outcome)
                  for outcome in OUTCOMES}
    private = {outcome: sorted(case.line() for case in module.private if case.outcome == outcome)
               for outcome in ("removed", "kept")}
    content = {outcome: sorted(case.line() for case in module.content
                               if case.outcome == outcome)
               for outcome in ("removed", "empty", "dummy", "kept", "cleaned")}
    container, container_name = _container(edition)
    needs_probes = bool(by_outcome["items_cleaned"])
    return env.get_template("conformance_module.py.j2").render(
        edition=edition,
        title=module.title,
        container=f"0x{container:08X}",
        container_name=container_name,
        probes=_probes(edition, module.profiles) if needs_probes else {},
        outcomes=[(outcome, lines) for outcome, lines in by_outcome.items() if lines],
        private=[(outcome, lines) for outcome, lines in private.items() if lines],
        content=[(outcome, lines) for outcome, lines in content.items() if lines],
    )


def render_conformance_tests(
    env: jinja2.Environment, editions: Sequence[Edition], default_edition: str
) -> dict[str, str]:
    """Every file of tests/conformance/ that is generated, keyed by file name."""
    files = {}
    for edition in editions:
        modules = (_default_modules(edition) if edition.edition == default_edition
                   else [_sample_module(edition)])
        for module in modules:
            files[module.name] = _render(env, edition, module)
    return dict(sorted(files.items()))
