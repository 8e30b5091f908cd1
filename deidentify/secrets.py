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
"""

from __future__ import annotations

import os
import re
import secrets as random_source
import tempfile
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
