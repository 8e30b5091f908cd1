"""DICOM PS3.15 de-identification runtime: profile URI -> plan (built once) -> walk a dataset."""

from deidentify.engine import Deidentifier, DeidentifyError
from deidentify.plan import CompoundPolicy, Plan, PlanRow, Treatment
from deidentify.profile import Profile, ProfileError, parse_profile

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
