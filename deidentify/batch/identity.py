"""What an output folder was written under, so that a resumed run cannot mix two runs.

A rerun skips finished outputs; that is only right when it de-identifies as the first run
did. The first run records, in ``OUTPUT/.deidentify-run``, the profile, edition, compound
policy, UID scheme, the ``--unknown`` setting, where patient values come from
(``LinkageSettings.identity``: keyed, or a keyed fingerprint of the lookup table), the
burned-in annotation settings (refuse or accept, pixel mode, a digest of the region rules
file), and a check of the secret: a random salt and the secret's scrypt hash under it
(``secret-check=scrypt:N:r:p:salt:hash``), so slow to compute that the record cannot serve to
guess the secret offline. Never the secret, nor anything of the files. A later run into the
same folder with any of them different is refused.

Folders written before the salted check held a 64-bit unsalted HMAC of the secret
(``secret-fingerprint=``): a run with the matching secret accepts such a folder once and
rewrites its record with the salted check, removing the old fingerprint.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path

from deidentify.atomic import atomic_output
from deidentify.batch.discovery import InputError
from deidentify.pixels import PixelSettings

RECORD = ".deidentify-run"
CHECK_KEY = "secret-check"
OLD_FINGERPRINT_KEY = "secret-fingerprint"
_OLD_FINGERPRINT_MESSAGE = b"deidentify output folder"
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
_SCRYPT_MAXMEM = 256 * 2**20
_HASH_BYTES = 32


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


def _scrypt(secret: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MAXMEM,
                          dklen=_HASH_BYTES)


def secret_check(secret: bytes, salt: bytes | None = None) -> str:
    """The record's check of the secret, under a new random salt unless one is given."""
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    digest = _scrypt(secret, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt:{SCRYPT_N}:{SCRYPT_R}:{SCRYPT_P}:{salt.hex()}:{digest.hex()}"


def _check_matches(check: str, secret: bytes) -> bool:
    """Whether a recorded check was made from ``secret``; False for a damaged check."""
    try:
        kind, n, r, p, salt, digest = check.split(":")
        if kind != "scrypt":
            return False
        actual = _scrypt(secret, bytes.fromhex(salt), int(n), int(r), int(p))
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(actual.hex(), digest)


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
        same_secret = _check_matches(recorded[CHECK_KEY], identity.secret)
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
