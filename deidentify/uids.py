"""Replacement UIDs for action code U: deterministic, under the UUID root ``2.25``.

Two schemes:

* ``KEYED`` (the default): HMAC-SHA256 of the original UID under the run's secret. Without
  the secret nobody can link a replacement UID back to the original, not even by hashing
  candidate UIDs.
* ``DCM4CHE``: byte for byte what dcm4che's ``UIDUtils.remapUID`` produces (used by
  ``DeIdentifier`` in dcm4che-deident and so by dcm4chee-arc's ``deidentify:`` coercion), for
  sites that must match UIDs already de-identified by an archive. It is **unkeyed**: anyone who
  holds a candidate original UID can compute its replacement, so the mapping can be reversed
  by a dictionary attack over UIDs seen elsewhere (e.g. in a PACS or a referral letter).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from enum import Enum

UUID_ROOT = "2.25"
"""The root of UIDs derived from a UUID (ITU-T X.667 | ISO/IEC 9834-8, PS3.5 B.2)."""

_KEYED_CONTEXT = b"deidentify/uid/v1\x00"
"""Prefixed to the UID before keyed hashing, so the secret's other uses never collide."""


class UIDScheme(Enum):
    """How replacement UIDs are derived."""

    KEYED = "keyed"
    DCM4CHE = "dcm4che"


def _normalise(uid: str) -> str:
    """A UID as its value means it: trailing NUL padding and spaces removed."""
    return uid.rstrip("\x00 ")


def _uuid_int(digest: bytes, version: int) -> int:
    """The first 16 bytes of ``digest`` as a UUID of ``version`` with the RFC 4122 variant."""
    value = int.from_bytes(digest[:16], "big")
    value &= ~(0xF << 76)
    value |= version << 76
    value &= ~(0x3 << 62)
    value |= 0x2 << 62
    return value


def _uuid_uid(value: int) -> str:
    """``2.25.`` followed by the UUID as one unsigned decimal integer (at most 44 chars)."""
    return f"{UUID_ROOT}.{value}"


def keyed_uid(secret: bytes, uid: str) -> str:
    """The keyed replacement of ``uid``.

    HMAC-SHA256(secret, context + UID) truncated to 16 bytes becomes an RFC 9562 version 8
    ("custom") UUID, with the RFC 4122 variant bits set, written under ``2.25``. The result
    is a valid UID of at most 44 characters with no leading-zero component.
    """
    digest = hmac.digest(
        secret, _KEYED_CONTEXT + _normalise(uid).encode("utf-8", "surrogatepass"), "sha256"
    )
    return _uuid_uid(_uuid_int(digest, 8))


def dcm4che_uid(uid: str) -> str:
    """The replacement dcm4che computes for ``uid`` (unkeyed, see the module docstring).

    dcm4che's ``UIDUtils.remapUID(uid)`` is ``nameBasedUID(uid.getBytes(US_ASCII), "2.25")``:
    Java's ``UUID.nameUUIDFromBytes`` (MD5 of the bytes, version 3, IETF variant, no
    namespace) written as the unsigned decimal of its 128 bits after ``2.25.``
    (``UIDUtils.toUID``). dcm4che reads UI values with trailing NUL/space padding removed;
    a non-ASCII character becomes ``?`` as in Java's US-ASCII encoder.
    """
    digest = hashlib.md5(_normalise(uid).encode("ascii", "replace"), usedforsecurity=False).digest()
    return _uuid_uid(_uuid_int(digest, 3))


class UIDMapper:
    """Maps original UIDs to replacements, consistently for one secret and scheme.

    The mapping is a pure function of (secret, scheme, UID), so separate instances and
    separate processes given the same secret agree. Results are memoised per instance; the
    memo is emptied when it reaches ``MEMO_LIMIT`` entries, which only costs a recomputation.
    An empty UID stays empty: it references nothing, so there is nothing to replace.
    """

    MEMO_LIMIT = 1 << 16

    def __init__(self, secret: bytes, scheme: UIDScheme = UIDScheme.KEYED) -> None:
        if scheme is UIDScheme.KEYED and not secret:
            raise ValueError("the keyed UID scheme needs a non-empty secret")
        self._secret = secret
        self.scheme = scheme
        self._memo: dict[str, str] = {}

    def map(self, uid: str) -> str:
        """The replacement of one UID."""
        key = _normalise(uid)
        if not key:
            return ""
        replacement = self._memo.get(key)
        if replacement is None:
            if len(self._memo) >= self.MEMO_LIMIT:
                self._memo.clear()
            if self.scheme is UIDScheme.KEYED:
                replacement = keyed_uid(self._secret, key)
            else:
                replacement = dcm4che_uid(key)
            self._memo[key] = replacement
        return replacement

    def map_values(self, value: str | Iterable[str] | None) -> str | list[str] | None:
        """Replace a UI element's value: one UID, several (VM > 1), or none."""
        if value is None:
            return None
        if isinstance(value, str):
            if "\\" in value:
                return "\\".join(self.map(part) for part in value.split("\\"))
            return self.map(value)
        return [self.map(part) for part in value]
