"""Keyed patient pseudonyms: the Patient ID and Patient's Name an identity gets by default.

In: the run's secret and a ``PatientIdentity``. Out: ``PID`` followed by 20 upper-case base32
characters (A-Z, 2-7): 100 bits of HMAC-SHA256 of the identity's key, so that two distinct
patients share a pseudonym with probability about n^2 / 2^101 (for a million patients, below
one in 10^18). The same identity gets the same pseudonym in every run, process and node that
shares the secret; without the secret a pseudonym cannot be linked to its patient. Patient's
Name gets the same text as its family name component (``NameMode.PSEUDONYM``), or is emptied
(``NameMode.EMPTY``).
"""

from __future__ import annotations

import base64
import hmac
from enum import Enum

from deidentify.linkage.identity import PatientIdentity

PREFIX = "PID"
_CONTEXT = b"deidentify/patient/v1\x00"
_CHARACTERS = 20
"""Base32 characters: 5 bits each, 100 bits of the digest."""


class NameMode(Enum):
    """What Patient's Name becomes beside a pseudonymous Patient ID."""

    PSEUDONYM = "pseudonym"
    EMPTY = "empty"


def patient_pseudonym(secret: bytes, identity: PatientIdentity) -> str:
    """The keyed pseudonym of one patient identity (see the module docstring)."""
    digest = hmac.digest(secret, _CONTEXT + identity.key.encode("utf-8", "surrogatepass"),
                         "sha256")
    return PREFIX + base64.b32encode(digest[:15]).decode("ascii")[:_CHARACTERS]
