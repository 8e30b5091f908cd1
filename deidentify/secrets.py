"""Where a command-line run finds its secret, so that separate runs map alike.

The secret keys the replacement UIDs, the date shift and the pseudonyms: runs with the same
secret give one patient the same replacements, runs with different secrets cannot be linked.
Looked up in this order:

1. an explicit secret file (``--secret-file``);
2. ``DEIDENTIFY_SECRET_FILE``: the path of a secret file;
3. ``DEIDENTIFY_SECRET``: the secret itself, as hex digits or as text;
4. the default file ``$XDG_CONFIG_HOME/deidentify/secret`` (``~/.config/deidentify/secret``
   when XDG_CONFIG_HOME is unset), created on first use with 32 random bytes written as hex,
   readable by its owner only.

A secret file holds hex digits (decoded) or any other text (used as its UTF-8 bytes), with
surrounding whitespace ignored; a secret must have at least 16 bytes and must not be easy to
guess (``secret_strength``: a common word with digits, a repeated or sequential run, few
distinct characters are refused). Errors name the file or variable, never the secret.

A secret is never stored, but an output folder's run record (``deidentify.batch.identity``)
keeps a check of it: ``secret_check`` gives ``scrypt:N:r:p:SALT:HASH``, the secret's scrypt
hash under a random salt, and ``check_matches`` tells whether a check was made from a secret,
under the parameters the check itself names (so checks made under other parameters still
verify). scrypt at N=2**15, r=8 costs about 0.1 s of CPU and 32 MiB per guess: the check,
which travels with the folder, is no shortcut to guessing the secret. That cost is kept, not
lowered: a run hides it instead, by ``check_ahead``, which starts the hash in a background
thread as soon as the secret is loaded (hashlib releases the GIL while it hashes), so that it
runs beside the imports and the plan's building; the check itself is then made exactly as
before, under the output folder's lock, from the hash computed ahead. A check whose
parameters cost more than ``MAX_CHECK_COST`` times the default is treated as damaged.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets as random_source
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from deidentify.secret_strength import MIN_SECRET_BITS, is_weak

MIN_SECRET_BYTES = 16
NEW_SECRET_BYTES = 32
SECRET_FILE_VARIABLE = "DEIDENTIFY_SECRET_FILE"
SECRET_VARIABLE = "DEIDENTIFY_SECRET"

_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")


class SecretError(Exception):
    """The secret cannot be had; the message names where it was looked for."""


def default_secret_file(environ: Mapping[str, str] = os.environ) -> Path:
    """``$XDG_CONFIG_HOME/deidentify/secret``, or ``~/.config/deidentify/secret``."""
    config_home = environ.get("XDG_CONFIG_HOME", "")
    if not config_home or not os.path.isabs(config_home):
        home = environ.get("HOME") or str(Path.home())
        config_home = os.path.join(home, ".config")
    return Path(config_home) / "deidentify" / "secret"


def _secret_of(text: str, where: str) -> bytes:
    """The secret a text gives (hex digits decoded, else UTF-8), checked."""
    stripped = text.strip()
    secret = bytes.fromhex(stripped) if _HEX.fullmatch(stripped) else stripped.encode("utf-8")
    if not secret:
        raise SecretError(f"{where}: the secret is empty")
    if len(secret) < MIN_SECRET_BYTES:
        raise SecretError(f"{where}: the secret is shorter than {MIN_SECRET_BYTES} bytes")
    if is_weak(stripped):
        raise SecretError(
            f"{where}: the secret is too easy to guess (estimated below {MIN_SECRET_BITS} bits:"
            " a common word, a repeated or sequential run, or few distinct characters);"
            " use 32 random bytes, e.g. python3 -c 'import secrets;"
            " print(secrets.token_hex(32))'"
        )
    return secret


def _read_secret_file(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SecretError(f"{path}: no such secret file") from None
    except OSError as error:
        raise SecretError(f"{path}: cannot read the secret file ({error.strerror})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretError(f"{path}: the secret file is not UTF-8 text") from None
    return _secret_of(text, str(path))


def _create_secret_file(path: Path) -> bool:
    """Write a new random secret to ``path`` unless another process got there first (False).

    The secret goes to a temporary file (``mkstemp`` creates it with mode 0600) that is then
    hard-linked to its name: the file appears complete or not at all, and a concurrent first
    run keeps the secret that won.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".secret-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="ascii") as stream:
            stream.write(random_source.token_hex(NEW_SECRET_BYTES) + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(temporary)


def load_secret(
    secret_file: Path | None = None,
    environ: Mapping[str, str] = os.environ,
    on_create: Callable[[Path], None] | None = None,
) -> bytes:
    """The run's secret, from the first of the sources in the module docstring.

    ``on_create`` is called with the default file's path when this call created it, so that
    a command can tell the user where the new secret is kept.
    """
    if secret_file is not None:
        return _read_secret_file(Path(secret_file))
    if SECRET_FILE_VARIABLE in environ:
        if not environ[SECRET_FILE_VARIABLE]:
            raise SecretError(f"{SECRET_FILE_VARIABLE} is set but empty")
        return _read_secret_file(Path(environ[SECRET_FILE_VARIABLE]))
    if SECRET_VARIABLE in environ:
        return _secret_of(environ[SECRET_VARIABLE], SECRET_VARIABLE)
    path = default_secret_file(environ)
    if not path.exists():
        try:
            created = _create_secret_file(path)
        except OSError as error:
            raise SecretError(f"{path}: cannot create the secret file ({error.strerror})") from None
        if created and on_create is not None:
            on_create(path)
    return _read_secret_file(path)


def describe_secret_source(
    secret_file: Path | None = None, environ: Mapping[str, str] = os.environ
) -> str:
    """Where ``load_secret`` takes the secret from, without its value."""
    if secret_file is not None:
        return f"secret file {secret_file}"
    if SECRET_FILE_VARIABLE in environ:
        return f"secret file {environ[SECRET_FILE_VARIABLE]} (from {SECRET_FILE_VARIABLE})"
    if SECRET_VARIABLE in environ:
        return f"environment variable {SECRET_VARIABLE}"
    return f"default secret file {default_secret_file(environ)}"


SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
MAX_CHECK_COST = 8
"""A recorded check may cost at most this many times a check under the defaults (N r p)."""
_SCRYPT_MAXMEM = 256 * 2**20
_HASH_BYTES = 32

_Inputs = tuple[bytes, bytes, int, int, int]
"""What one scrypt hash is computed from: secret, salt, N, r, p."""


class _HashAhead:
    """One scrypt hash computed in a background thread; ``result`` waits for it."""

    def __init__(self, inputs: _Inputs) -> None:
        self._outcome: bytes | ValueError | MemoryError = ValueError("not computed")
        self._thread = threading.Thread(target=self._compute, args=(inputs,), daemon=True,
                                        name="deidentify-secret-check")
        self._thread.start()

    def _compute(self, inputs: _Inputs) -> None:
        try:
            self._outcome = _hash(*inputs)
        except (ValueError, MemoryError) as error:
            self._outcome = error

    def result(self) -> bytes:
        self._thread.join()
        if isinstance(self._outcome, bytes):
            return self._outcome
        raise self._outcome


_ahead: dict[_Inputs, _HashAhead] = {}
_fresh_salts: dict[bytes, bytes] = {}
_ahead_lock = threading.Lock()


def _hash(secret: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    if n * r * p > MAX_CHECK_COST * SCRYPT_N * SCRYPT_R * SCRYPT_P:
        raise ValueError("scrypt parameters beyond the cost a check may have")
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MAXMEM,
                          dklen=_HASH_BYTES)


def _scrypt(secret: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    """The hash, taken from ``check_ahead``'s thread when it computes the same one."""
    with _ahead_lock:
        ahead = _ahead.pop((secret, salt, n, r, p), None)
    return ahead.result() if ahead is not None else _hash(secret, salt, n, r, p)


def _parameters(check: str) -> tuple[bytes, int, int, int, str]:
    """(salt, N, r, p, hash in hex) of a check; ValueError for anything but a scrypt check."""
    kind, n, r, p, salt, digest = check.split(":")
    if kind != "scrypt":
        raise ValueError("not a scrypt check")
    return bytes.fromhex(salt), int(n), int(r), int(p), digest


def secret_check(secret: bytes, salt: bytes | None = None) -> str:
    """A new check of the secret, under a new random salt unless one is given."""
    if salt is None:
        with _ahead_lock:
            salt = _fresh_salts.pop(secret, None)
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    digest = _scrypt(secret, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt:{SCRYPT_N}:{SCRYPT_R}:{SCRYPT_P}:{salt.hex()}:{digest.hex()}"


def check_matches(check: str, secret: bytes) -> bool:
    """Whether a check was made from ``secret``; False for a damaged or too costly check."""
    try:
        salt, n, r, p, digest = _parameters(check)
        actual = _scrypt(secret, salt, n, r, p)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(actual.hex(), digest)


def check_ahead(secret: bytes, check: str | None) -> None:
    """Start hashing, in a background thread, what ``check_matches(check, secret)`` will
    need, or, with no check (None), what the next ``secret_check(secret)`` will need under a
    new salt; nothing for a damaged check. Only time is gained: the result is the same as
    without it, and a hash computed ahead is used once at most."""
    with _ahead_lock:
        if check is None:
            if secret in _fresh_salts:
                return
            _fresh_salts[secret] = salt = os.urandom(SALT_BYTES)
            n, r, p = SCRYPT_N, SCRYPT_R, SCRYPT_P
        else:
            try:
                salt, n, r, p, _ = _parameters(check)
            except ValueError:
                return
        inputs = (secret, salt, n, r, p)
        if inputs not in _ahead:
            _ahead[inputs] = _HashAhead(inputs)
