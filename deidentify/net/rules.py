"""Attribute coercion rules, after dcm4chee-arc's Archive Attribute Coercion.

A rule names the DIMSE message it coerces, the role of the peer on the other side of the
association (SCU: the node received the message from a caller; SCP: the node sends it to a
remote provider, or received the provider's responses), optional AE titles, hosts and SOP
Classes that narrow it, a priority, a ``deidentify:`` profile URI and whether it is
sufficient. Every matching rule applies, highest priority first; a sufficient rule stops the
ones after it. Rules are read from ``[[rule]]`` tables of a TOML file.
"""

from __future__ import annotations

import socket
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydicom.datadict import tag_for_keyword

PROFILE_SCHEME = "deidentify:"

_E = TypeVar("_E", bound=StrEnum)


class Dimse(StrEnum):
    """The DIMSE messages a rule can coerce."""

    C_STORE_RQ = "C_STORE_RQ"
    C_FIND_RQ = "C_FIND_RQ"
    C_FIND_RSP = "C_FIND_RSP"
    N_CREATE_RQ = "N_CREATE_RQ"
    N_SET_RQ = "N_SET_RQ"


class Role(StrEnum):
    """The role of the peer: SCU when it called the node, SCP when the node calls it."""

    SCU = "SCU"
    SCP = "SCP"


@dataclass(frozen=True)
class AssociationInfo:
    """Who is on the association a message crossed: AE titles and the peer's address."""

    calling_ae: str
    called_ae: str
    peer_host: str


class RulesError(ValueError):
    """A rules file that cannot be used; the message is one line naming the rule and field."""


@dataclass(frozen=True)
class CoercionRule:
    """One coercion rule; empty selector sets match anything."""

    name: str
    dimse: Dimse
    role: Role
    uri: str
    priority: int = 0
    sufficient: bool = False
    calling_ae_titles: frozenset[str] = frozenset()
    called_ae_titles: frozenset[str] = frozenset()
    hostnames: frozenset[str] = frozenset()
    sop_classes: frozenset[str] = frozenset()
    keys_as_written: frozenset[int] = frozenset()
    """C_FIND_RQ only: tags of request keys relayed as written and not matched afterwards."""

    def matches(
        self, dimse: Dimse, role: Role, info: AssociationInfo, sop_class_uid: str | None
    ) -> bool:
        """Whether the rule applies to this message on this association."""
        if dimse is not self.dimse or role is not self.role:
            return False
        if self.calling_ae_titles and info.calling_ae not in self.calling_ae_titles:
            return False
        if self.called_ae_titles and info.called_ae not in self.called_ae_titles:
            return False
        if self.hostnames and not any(host_matches(h, info.peer_host) for h in self.hostnames):
            return False
        return not self.sop_classes or sop_class_uid in self.sop_classes


def host_matches(configured: str, peer_address: str) -> bool:
    """Whether a configured host name or address is the peer's address."""
    return configured == peer_address or peer_address in _addresses(configured)


@lru_cache(maxsize=256)
def _addresses(host: str) -> frozenset[str]:
    try:
        return frozenset(str(info[4][0]) for info in socket.getaddrinfo(host, None))
    except OSError:
        return frozenset()


def select_rules(
    rules: Iterable[CoercionRule],
    dimse: Dimse,
    role: Role,
    info: AssociationInfo,
    sop_class_uid: str | None = None,
) -> tuple[CoercionRule, ...]:
    """The rules that apply, in order: by priority (higher first), up to a sufficient one."""
    ordered = sorted(
        (rule for rule in rules if rule.matches(dimse, role, info, sop_class_uid)),
        key=lambda rule: -rule.priority,
    )
    selected: list[CoercionRule] = []
    for rule in ordered:
        selected.append(rule)
        if rule.sufficient:
            break
    return tuple(selected)


_REQUIRED = ("dimse", "role", "uri")
_FIELDS = frozenset(
    {
        "name",
        "dimse",
        "role",
        "uri",
        "priority",
        "sufficient",
        "calling_ae_titles",
        "called_ae_titles",
        "hostnames",
        "sop_classes",
        "keys_as_written",
    }
)


class _RuleReader:
    """Reads one ``[[rule]]`` table; errors name the rule by index and name, and the field."""

    def __init__(self, index: int, table: Mapping[str, Any], source: str) -> None:
        self.table = table
        name = table.get("name")
        self.label = f"rule {index}" + (f" ({name!r})" if isinstance(name, str) else "")
        self.source = source

    def error(self, field: str, problem: str) -> RulesError:
        return RulesError(f"{self.source}: {self.label}: {field}: {problem}")

    def text(self, field: str, default: str | None = None) -> str:
        value = self.table.get(field, default)
        if value is None:
            raise self.error(field, "missing")
        if not isinstance(value, str) or not value.strip():
            raise self.error(field, "must be a non-empty string")
        return value.strip()

    def choice(self, field: str, enum: type[_E]) -> _E:
        value = self.text(field)
        try:
            return enum(value.upper())
        except ValueError:
            valid = ", ".join(member.value for member in enum)
            raise self.error(field, f"{value!r} is not one of {valid}") from None

    def strings(self, field: str) -> frozenset[str]:
        value = self.table.get(field, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(
            isinstance(item, str) and item.strip() for item in value
        ):
            raise self.error(field, "must be a string or a list of non-empty strings")
        return frozenset(item.strip() for item in value)

    def keywords(self, field: str) -> frozenset[int]:
        names = self.strings(field)
        if names and self.table.get("dimse", "").upper() != Dimse.C_FIND_RQ.value:
            raise self.error(field, "only for dimse = C_FIND_RQ")
        tags = set()
        for name in sorted(names):
            tag = tag_for_keyword(name)
            if tag is None:
                raise self.error(field, f"{name!r} is not a DICOM attribute keyword")
            tags.add(tag)
        return frozenset(tags)

    def rule(self) -> CoercionRule:
        unknown = sorted(set(self.table) - _FIELDS)
        if unknown:
            raise self.error(unknown[0], f"unknown key; valid keys: {', '.join(sorted(_FIELDS))}")
        for field in _REQUIRED:
            if field not in self.table:
                raise self.error(field, "missing")
        uri = self.text("uri")
        if not uri.startswith(PROFILE_SCHEME):
            raise self.error("uri", f"must start with {PROFILE_SCHEME!r}")
        priority = self.table.get("priority", 0)
        if not isinstance(priority, int) or isinstance(priority, bool):
            raise self.error("priority", "must be an integer")
        sufficient = self.table.get("sufficient", False)
        if not isinstance(sufficient, bool):
            raise self.error("sufficient", "must be true or false")
        return CoercionRule(
            name=self.text("name", self.label),
            dimse=self.choice("dimse", Dimse),
            role=self.choice("role", Role),
            uri=uri,
            priority=priority,
            sufficient=sufficient,
            calling_ae_titles=self.strings("calling_ae_titles"),
            called_ae_titles=self.strings("called_ae_titles"),
            hostnames=self.strings("hostnames"),
            sop_classes=self.strings("sop_classes"),
            keys_as_written=self.keywords("keys_as_written"),
        )


def parse_rules(tables: object, source: str) -> tuple[CoercionRule, ...]:
    """Rules from the value of a TOML ``rule`` array of tables, in file order."""
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise RulesError(f"{source}: rule: must be an array of tables ([[rule]])")
    rules = tuple(_RuleReader(index, table, source).rule() for index, table in enumerate(tables))
    _check_unique_names(rules, source)
    return rules


def _check_unique_names(rules: Sequence[CoercionRule], source: str) -> None:
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        if rule.name in seen:
            raise RulesError(f"{source}: rule {index} ({rule.name!r}): name: used twice")
        seen.add(rule.name)


def load_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a table; a missing or malformed file is a one-line RulesError."""
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except OSError as error:
        raise RulesError(f"{path}: cannot read: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise RulesError(f"{path}: not valid TOML: {error}") from None


def load_rules(path: str | Path) -> tuple[CoercionRule, ...]:
    """The ``[[rule]]`` tables of a TOML file; other top-level keys are errors."""
    path = Path(path)
    document = load_toml(path)
    unknown = sorted(set(document) - {"rule"})
    if unknown:
        raise RulesError(f"{path}: {unknown[0]}: unknown key; a rules file holds [[rule]] tables")
    return parse_rules(document.get("rule", []), str(path))
