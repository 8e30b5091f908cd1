"""What a run decides about burned-in annotation: refuse or accept at-risk objects, and how
the Clean Pixel Data Option detects text (mode, region rules file).

Flows out: a frozen ``PixelSettings``, and the ``key=value`` lines an output folder records
for it (``record_lines``), so a resumed run cannot mix two settings.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class BurnedIn(Enum):
    """What happens to an object at risk of burned-in identity when the profile does not
    clean pixel data."""

    REFUSE = "refuse"
    """Not written; reported as failed with the reason ``burned-in annotation risk``."""
    ACCEPT = "accept"
    """Written with its pixels as they are; De-identification Method says so."""


class PixelMode(Enum):
    """Which recognised text the Clean Pixel Data Option blanks."""

    IDENTIFIERS = "identifiers"
    """Text that matches the object's identifying values or an identity pattern (dates,
    times, ages, IDs, phone numbers, name-shaped text, identity labels), and text too
    uncertain to judge."""
    ALL = "all"
    """All text except the allow-list (laterality, units, probe and scale labels, numbers
    of a few digits)."""


@dataclass(frozen=True)
class PixelSettings:
    """The run's burned-in annotation settings."""

    burned_in: BurnedIn = BurnedIn.REFUSE
    mode: PixelMode = PixelMode.IDENTIFIERS
    rules: Path | None = None
    """A region rules TOML file (``regions``); None: no region rules."""

    def record_lines(self) -> str:
        """The settings as an output folder records them (the rules file by digest)."""
        rules = "none"
        if self.rules is not None:
            rules = hashlib.sha256(self.rules.read_bytes()).hexdigest()[:16]
        return (f"burned-in={self.burned_in.value}\npixel-mode={self.mode.value}\n"
                f"pixel-rules={rules}\n")
