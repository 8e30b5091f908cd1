"""DICOM PS3.15 de-identification runtime: profile URI -> plan (built once) -> walk a dataset.

The names below are imported on first use, so that importing a submodule (the command line,
say) does not import the engine and pydicom with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deidentify import compiled
from deidentify.lazy import importer

compiled.choose()  # before any compiled module is imported

if TYPE_CHECKING:
    from deidentify.engine import Deidentifier, DeidentifyError
    from deidentify.plan import Plan, PlanRow, Treatment
    from deidentify.profile import CompoundPolicy, Profile, ProfileError, parse_profile

_HOMES = {
    "CompoundPolicy": "deidentify.profile",
    "Deidentifier": "deidentify.engine",
    "DeidentifyError": "deidentify.engine",
    "Plan": "deidentify.plan",
    "PlanRow": "deidentify.plan",
    "Profile": "deidentify.profile",
    "ProfileError": "deidentify.profile",
    "Treatment": "deidentify.plan",
    "parse_profile": "deidentify.profile",
}

__all__ = [
    "CompoundPolicy",
    "Deidentifier",
    "DeidentifyError",
    "Plan",
    "PlanRow",
    "Profile",
    "ProfileError",
    "Treatment",
    "parse_profile",
]


__getattr__ = importer(__name__, _HOMES, globals())
