"""What an output folder was written under, so that a resumed run cannot mix two runs.

A rerun skips finished outputs; that is only right when it de-identifies as the first run
did. The first run records, in ``OUTPUT/.deidentify-run``, the profile, edition, compound
policy, UID scheme, a keyed fingerprint of the secret (never the secret, nor anything of
the files) and the burned-in annotation settings (refuse or accept, pixel mode, a digest of
the region rules file); a later run into the same folder with any of them different is
refused.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from deidentify.atomic import atomic_output
from deidentify.batch.discovery import InputError
from deidentify.pixels import PixelSettings

RECORD = ".deidentify-run"
_FINGERPRINT_MESSAGE = b"deidentify output folder"


def run_identity(profile_uri: str, edition: str, policy: str, uid_scheme: str,
                 secret: bytes, pixels: PixelSettings | None = None) -> str:
    """The record of a run's settings: one ``key=value`` line each."""
    fingerprint = hmac.new(secret, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]
    return (f"profile={profile_uri}\nedition={edition}\npolicy={policy}\n"
            f"uid-scheme={uid_scheme}\nsecret-fingerprint={fingerprint}\n"
            + (pixels or PixelSettings()).record_lines())


def claim_output(output: Path, identity: str) -> None:
    """Record ``identity`` in a new output folder, or check it against the recorded one."""
    record = output / RECORD
    if not record.exists():
        with atomic_output(record) as stream:
            stream.write(identity.encode("utf-8"))
        return
    recorded = record.read_text(encoding="utf-8")
    if recorded == identity:
        return
    differing = sorted(
        line.split("=", 1)[0]
        for line in set(identity.splitlines()) ^ set(recorded.splitlines())
    )
    raise InputError(
        f"{output}: written by a run with another {', '.join(dict.fromkeys(differing))};"
        " resuming would mix two pseudonym spaces: choose a new output folder"
    )
