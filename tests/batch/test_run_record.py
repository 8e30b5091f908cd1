"""``.deidentify-run``: the run's settings and a salted, slow check of the secret, never a
fingerprint from which the secret could be confirmed quickly offline."""

from __future__ import annotations

import hashlib
import hmac
import threading
from pathlib import Path

import pytest

from deidentify.batch.discovery import InputError
from deidentify.batch.identity import (
    CHECK_KEY,
    RECORD,
    claim_output,
    run_identity,
)
from deidentify.secrets import SCRYPT_N, check_ahead

SECRET = b"a secret for the run record tests, long enough"

def _fields(folder: Path) -> dict[str, str]:
    text = (folder / RECORD).read_text(encoding="utf-8")
    return dict(line.split("=", 1) for line in text.splitlines())

def test_the_record_holds_a_salted_scrypt_check_and_no_fast_fingerprint(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        folder.mkdir()
        claim_output(folder, run_identity("deidentify:", "2026c", "conformant", "keyed", SECRET))
    one, other = _fields(first), _fields(second)
    assert set(one) == {"profile", "edition", "policy", "uid-scheme", "unknown", "burned-in",
                        "pixel-mode", "pixel-rules", "secret-check"}
    kind, n, r, p, salt, digest = one["secret-check"].split(":")
    assert (kind, int(n), int(r), int(p)) == ("scrypt", SCRYPT_N, 8, 1)
    assert int(n) >= 2**15 and len(bytes.fromhex(salt)) == 16
    assert one["secret-check"] != other["secret-check"]
    fast = {hmac.new(SECRET, b"deidentify output folder", hashlib.sha256).hexdigest()[:16],
            hashlib.sha256(SECRET).hexdigest()}
    assert not any(value in (first / RECORD).read_text() for value in fast)
    assert digest == hashlib.scrypt(SECRET, salt=bytes.fromhex(salt), n=int(n), r=8, p=1,
                                    maxmem=2**28, dklen=32).hex()

def test_the_same_settings_resume_and_another_secret_is_refused(tmp_path: Path) -> None:
    claim_output(tmp_path, run_identity("deidentify:", "2026c", "conformant", "keyed", SECRET))
    recorded = (tmp_path / RECORD).read_bytes()
    claim_output(tmp_path, run_identity("deidentify:", "2026c", "conformant", "keyed", SECRET))
    assert (tmp_path / RECORD).read_bytes() == recorded
    with pytest.raises(InputError, match="another secret; resuming"):
        claim_output(tmp_path, run_identity("deidentify:", "2026c", "conformant", "keyed",
                                            b"another secret of the same length, or so"))
    with pytest.raises(InputError, match="another policy, secret"):
        claim_output(tmp_path, run_identity("deidentify:", "2026c", "strict", "keyed",
                                            b"another secret of the same length, or so"))

def _old_record(folder: Path, secret: bytes) -> None:
    """A record of today's settings whose secret is checked by the old unsalted fingerprint."""
    fingerprint = hmac.new(secret, b"deidentify output folder", hashlib.sha256).hexdigest()[:16]
    settings = run_identity("deidentify:", "2026c", "conformant", "keyed", secret).settings
    (folder / RECORD).write_text(settings + f"secret-fingerprint={fingerprint}\n",
                                 encoding="utf-8")

def test_an_old_record_is_accepted_once_with_its_secret_and_rewritten(tmp_path: Path) -> None:
    _old_record(tmp_path, SECRET)
    claim_output(tmp_path, run_identity("deidentify:", "2026c", "conformant", "keyed", SECRET))
    fields = _fields(tmp_path)
    assert "secret-fingerprint" not in fields and fields["secret-check"].startswith("scrypt:")
    claim_output(tmp_path, run_identity("deidentify:", "2026c", "conformant", "keyed", SECRET))

def test_an_old_record_with_another_secret_is_refused_and_kept(tmp_path: Path) -> None:
    _old_record(tmp_path, SECRET)
    before = (tmp_path / RECORD).read_bytes()
    with pytest.raises(InputError, match="another secret"):
        claim_output(tmp_path, run_identity("deidentify:", "2026c", "conformant", "keyed",
                                            b"not the secret that wrote this folder"))
    assert (tmp_path / RECORD).read_bytes() == before


def _hashes_by_thread(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the threads that compute each scrypt hash from now on."""
    names: list[str] = []
    real = hashlib.scrypt

    def counted(*args: object, **kwargs: object) -> bytes:
        names.append(threading.current_thread().name)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(hashlib, "scrypt", counted)
    return names


def test_a_new_folders_check_computed_ahead_is_written_once_and_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = b"the secret of a new folder's check computed ahead"
    names = _hashes_by_thread(monkeypatch)
    identity = run_identity("deidentify:", "2026c", "conformant", "keyed", secret)
    check_ahead(secret, None)
    for folder in (tmp_path / "first", tmp_path / "second"):
        folder.mkdir()
        claim_output(folder, identity)
    assert names == ["deidentify-secret-check", "MainThread"]
    first, second = _fields(tmp_path / "first"), _fields(tmp_path / "second")
    assert first[CHECK_KEY] != second[CHECK_KEY]
    for fields in (first, second):
        _, n, r, p, salt, digest = fields[CHECK_KEY].split(":")
        assert digest == hashlib.scrypt(secret, salt=bytes.fromhex(salt), n=int(n), r=int(r),
                                        p=int(p), maxmem=2**28, dklen=32).hex()


def test_an_existing_folders_check_computed_ahead_accepts_its_secret_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = b"the secret of an existing folder's check computed ahead"
    identity = run_identity("deidentify:", "2026c", "conformant", "keyed", secret)
    claim_output(tmp_path, identity)
    recorded = _fields(tmp_path)[CHECK_KEY]
    names = _hashes_by_thread(monkeypatch)
    check_ahead(secret, recorded)
    claim_output(tmp_path, identity)
    assert names == ["deidentify-secret-check"]
    other = b"another secret, of an existing folder's check computed ahead"
    check_ahead(other, recorded)
    with pytest.raises(InputError, match="another secret"):
        claim_output(tmp_path, run_identity("deidentify:", "2026c", "conformant", "keyed",
                                            other))
    assert names == ["deidentify-secret-check"] * 2


def test_a_check_computed_ahead_for_another_record_is_not_taken(tmp_path: Path) -> None:
    secret = b"the secret of a check computed ahead for another record"
    identity = run_identity("deidentify:", "2026c", "conformant", "keyed", secret)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    claim_output(tmp_path / "a", identity)
    other = b"another secret, of a check computed ahead for another record"
    claim_output(tmp_path / "b", run_identity("deidentify:", "2026c", "conformant", "keyed",
                                              other))
    check_ahead(secret, _fields(tmp_path / "a")[CHECK_KEY])
    with pytest.raises(InputError, match="another secret"):
        claim_output(tmp_path / "b", identity)
    claim_output(tmp_path / "a", identity)


@pytest.mark.parametrize("parameters", ["1048576:8:1", "32768:8:1000000", "32768:8:x"])
def test_a_damaged_check_or_one_beyond_the_cost_a_check_may_have_is_refused_at_once(
    tmp_path: Path, parameters: str
) -> None:
    settings = run_identity("deidentify:", "2026c", "conformant", "keyed", SECRET).settings
    (tmp_path / RECORD).write_text(settings + f"secret-check=scrypt:{parameters}:{'00' * 16}:"
                                   f"{'00' * 32}\n", encoding="utf-8")
    check_ahead(SECRET, _fields(tmp_path)[CHECK_KEY])
    with pytest.raises(InputError, match="another secret"):
        claim_output(tmp_path, run_identity("deidentify:", "2026c", "conformant", "keyed",
                                            SECRET))
