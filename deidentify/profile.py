"""Profile URIs as dcm4chee-arc writes them: ``deidentify:`` and comma-separated option names.

``deidentify:`` alone is the Basic Application Level Confidentiality Profile. Option names are
the dcm4chee-arc names, case as written there (``RetainUIDsOption``); an unknown name is an
error suggesting the nearest valid one. The edition of PS3.15 is pinned in the profile.
``CompoundPolicy`` is the run's choice of how the compound codes resolve.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import Enum

import generated
from generated.model import Option

SCHEME = "deidentify:"

MUTUALLY_EXCLUSIVE: frozenset[Option] = frozenset(
    {Option.RETAIN_LONGITUDINAL_FULL_DATES, Option.RETAIN_LONGITUDINAL_MODIFIED_DATES}
)
"""PS3.15 E.3.6: full dates and modified dates cannot both be retained."""

TOOL_OPTIONS: frozenset[Option] = frozenset(
    {Option.RETAIN_PATIENT_ID_HASH, Option.CLEAN_PIXEL_DATA}
)
"""Options valid in every edition that are not columns of Table E.1-1: dcm4che's own, and
Clean Pixel Data (PS3.15 E.3.1), done by ``deidentify.pixels``."""

UNSUPPORTED: dict[Option, str] = {
    Option.CLEAN_RECOGNIZABLE_VISUAL_FEATURES: "recognizable visual features are not removed"
    " from pixel data (PS3.15 E.3.2)",
}
"""Options of PS3.15 that are not columns of Table E.1-1 and ask for changes to the pixel data
this tool does not make (defacing): refused rather than claimed falsely."""

_BY_NAME: dict[str, Option] = {option.value: option for option in Option}


class CompoundPolicy(Enum):
    """How a compound action code (X/Z, X/D, Z/D, X/Z/D, X/Z/U*) is resolved."""

    CONFORMANT = "conformant"
    STRICT = "strict"

    @property
    def description(self) -> str:
        """What the policy does, as De-identification Method reports it."""
        if self is CompoundPolicy.CONFORMANT:
            return "X/Z->Z, X/D Z/D X/Z/D->D, X/Z/U*->UIDs replaced"
        return "X/Z X/D X/Z/D X/Z/U*->X, Z/D->Z"


class ProfileError(ValueError):
    """A profile URI that cannot be applied: the message says why in one line."""


@dataclass(frozen=True)
class Profile:
    """A parsed profile: the edition of PS3.15 and the active options."""

    edition: str
    options: frozenset[Option]

    @property
    def uri(self) -> str:
        """The normalised URI: options in a fixed order, each once."""
        return SCHEME + ",".join(option.value for option in Option if option in self.options)

    @property
    def option_names(self) -> tuple[str, ...]:
        """The active options' URI names in the fixed order."""
        return tuple(option.value for option in Option if option in self.options)


def _suggestion(name: str) -> str:
    folded = {valid.lower(): valid for valid in _BY_NAME}
    if name.lower() in folded:
        return f"; did you mean {folded[name.lower()]}?"
    close = difflib.get_close_matches(name, list(_BY_NAME), n=1, cutoff=0.0)
    return f"; did you mean {close[0]}?" if close else ""


def _option(name: str) -> Option:
    option = _BY_NAME.get(name)
    if option is None:
        raise ProfileError(f"unknown de-identification option {name!r}{_suggestion(name)}")
    return option


def resolve_edition(edition: str | None) -> str:
    """The edition to pin: the given one if generated tables exist for it, else the newest."""
    if edition is None:
        return generated.DEFAULT_EDITION
    if edition not in generated.EDITIONS:
        known = ", ".join(generated.EDITIONS)
        raise ProfileError(f"unknown edition {edition!r} of PS3.15; known: {known}")
    return edition


def parse_profile(uri: str, edition: str | None = None) -> Profile:
    """Parse a ``deidentify:`` URI for an edition (None: the newest the tables hold)."""
    if not uri.startswith(SCHEME):
        raise ProfileError(f"profile URI {uri!r} does not start with {SCHEME!r}")
    pinned = resolve_edition(edition)
    names = [name.strip() for name in uri[len(SCHEME) :].split(",")]
    options = frozenset(_option(name) for name in names if name)
    if options >= MUTUALLY_EXCLUSIVE:
        full, modified = (option.value for option in Option if option in MUTUALLY_EXCLUSIVE)
        raise ProfileError(f"{full} and {modified} are mutually exclusive (PS3.15 E.3.6)")
    available = set(generated.load(pinned).options) | TOOL_OPTIONS
    for option in Option:
        if option in options and option in UNSUPPORTED:
            raise ProfileError(f"{option.value} is not supported: {UNSUPPORTED[option]}")
        if option in options and option not in available:
            raise ProfileError(
                f"{option.value} is not an option of PS3.15 edition {pinned}'s Table E.1-1"
            )
    return Profile(edition=pinned, options=options)
