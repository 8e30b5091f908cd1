"""What an output folder was written under, so that a resumed run cannot mix two runs.

A rerun skips finished outputs; that is only right when it de-identifies as the first run
did. The first run records, in ``OUTPUT/.deidentify-run``, the profile, edition, compound
policy, UID scheme, the ``--unknown`` setting, where patient values come from
(``LinkageSettings.identity``: keyed, or a keyed fingerprint of the lookup table), the
burned-in annotation settings (refuse or accept, pixel mode, a digest of the region rules
file), and a check of the secret: a random salt and the secret's scrypt hash under it
(``secret-check=scrypt:N:r:p:salt:hash``, ``deidentify.secrets.secret_check``), so slow to
compute that the record cannot serve to guess the secret offline. Never the secret, nor
anything of the files. A later run into the same folder with any of them different is
refused. A new folder's check is only computed (to be written); an existing folder's is
verified under the parameters it names. Either hash may have been started ahead of the claim
(``deidentify.secrets.check_ahead``): the claim is the same, only sooner.

Folders written before the salted check held a 64-bit unsalted HMAC of the secret
(``secret-fingerprint=``): a run with the matching secret accepts such a folder once and
rewrites its record with the salted check, removing the old fingerprint.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path

from deidentify.atomic import atomic_output
from deidentify.batch.discovery import InputError
from deidentify.pixels import PixelSettings
from deidentify.secrets import check_matches, secret_check

RECORD = ".deidentify-run"
CHECK_KEY = "secret-check"
OLD_FINGERPRINT_KEY = "secret-fingerprint"
_OLD_FINGERPRINT_MESSAGE = b"deidentify output folder"


@dataclass(frozen=True)
class RunIdentity:
    """A run's settings (one ``key=value`` line each) and the secret they are checked with."""

    settings: str
    secret: bytes = field(repr=False)


def run_identity(profile_uri: str, edition: str, policy: str, uid_scheme: str,
                 secret: bytes, unknown: str = "remove", patients: str = "",
                 pixels: PixelSettings | None = None) -> RunIdentity:
    """The settings a run records and checks; ``patients``: the linkage settings' lines."""
    return RunIdentity(
        f"profile={profile_uri}\nedition={edition}\npolicy={policy}\nuid-scheme={uid_scheme}\n"
        f"unknown={unknown}\n{patients}" + (pixels or PixelSettings()).record_lines(),
        secret,
    )


def _old_fingerprint(secret: bytes) -> str:
    return hmac.new(secret, _OLD_FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


def _fields(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def _write(record: Path, identity: RunIdentity) -> None:
    text = identity.settings + f"{CHECK_KEY}={secret_check(identity.secret)}\n"
    with atomic_output(record) as stream:
        stream.write(text.encode("utf-8"))


def claim_output(output: Path, identity: RunIdentity) -> None:
    """Record ``identity`` in a new output folder, or check it against the recorded one."""
    record = output / RECORD
    if not record.exists():
        _write(record, identity)
        return
    recorded = _fields(record.read_text(encoding="utf-8"))
    wanted = _fields(identity.settings)
    differing = [key for key in (*wanted, *recorded)
                 if key not in (CHECK_KEY, OLD_FINGERPRINT_KEY)
                 and wanted.get(key) != recorded.get(key)]
    if CHECK_KEY in recorded:
        same_secret = check_matches(recorded[CHECK_KEY], identity.secret)
    else:
        same_secret = hmac.compare_digest(recorded.get(OLD_FINGERPRINT_KEY, ""),
                                          _old_fingerprint(identity.secret))
    if not same_secret:
        differing.append("secret")
    if differing:
        raise InputError(
            f"{output}: written by a run with another {', '.join(dict.fromkeys(differing))};"
            " resuming would mix two pseudonym spaces: choose a new output folder"
        )
    if CHECK_KEY not in recorded:
        _write(record, identity)
