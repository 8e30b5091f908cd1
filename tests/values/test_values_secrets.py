"""Where a run's secret comes from, and how a bad secret is reported."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from deidentify.secrets import (
    SecretError,
    default_secret_file,
    describe_secret_source,
    load_secret,
)

HEX_SECRET = "00112233445566778899aabbccddeeff0011223344556677"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_explicit_file_wins(tmp_path: Path) -> None:
    explicit = write(tmp_path / "explicit", HEX_SECRET + "\n")
    env_file = write(tmp_path / "env", "another secret of enough length")
    environ = {"DEIDENTIFY_SECRET_FILE": str(env_file), "DEIDENTIFY_SECRET": "x" * 40}
    assert load_secret(explicit, environ) == bytes.fromhex(HEX_SECRET)
    assert str(explicit) in describe_secret_source(explicit, environ)


def test_secret_file_variable_before_secret_variable(tmp_path: Path) -> None:
    env_file = write(tmp_path / "env", "  a text secret, not hex digits  \n")
    environ = {"DEIDENTIFY_SECRET_FILE": str(env_file), "DEIDENTIFY_SECRET": "x" * 40}
    assert load_secret(None, environ) == b"a text secret, not hex digits"
    assert "DEIDENTIFY_SECRET_FILE" in describe_secret_source(None, environ)


def test_secret_variable_hex_or_text(tmp_path: Path) -> None:
    home = {"HOME": str(tmp_path)}
    assert load_secret(None, {**home, "DEIDENTIFY_SECRET": HEX_SECRET}) == bytes.fromhex(HEX_SECRET)
    text = "correct horse battery staple"
    environ = {**home, "DEIDENTIFY_SECRET": text}
    assert load_secret(None, environ) == text.encode()
    description = describe_secret_source(None, environ)
    assert "DEIDENTIFY_SECRET" in description
    assert text not in description
    assert not (tmp_path / ".config").exists()


def test_default_file_is_created_once_with_owner_only_mode(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path / "home")}
    path = tmp_path / "config" / "deidentify" / "secret"
    assert default_secret_file(environ) == path
    first = load_secret(None, environ)
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == first.hex()
    assert load_secret(None, environ) == first
    assert [p.name for p in path.parent.iterdir()] == ["secret"]
    assert str(path) in describe_secret_source(None, environ)


def test_default_file_under_home_without_xdg(tmp_path: Path) -> None:
    environ = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": "relative/ignored"}
    assert default_secret_file(environ) == tmp_path / ".config" / "deidentify" / "secret"
    secret = load_secret(None, environ)
    assert (tmp_path / ".config" / "deidentify" / "secret").read_text().strip() == secret.hex()


def test_two_homes_get_different_secrets(tmp_path: Path) -> None:
    first = load_secret(None, {"HOME": str(tmp_path / "a")})
    second = load_secret(None, {"HOME": str(tmp_path / "b")})
    assert first != second


@pytest.mark.parametrize(
    ("content", "problem"),
    [("", "empty"), ("   \n", "empty"), ("0011223344", "shorter"), ("short text", "shorter")],
)
def test_bad_secret_file_names_the_file(tmp_path: Path, content: str, problem: str) -> None:
    path = write(tmp_path / "bad", content)
    with pytest.raises(SecretError) as raised:
        load_secret(path, {})
    message = str(raised.value)
    assert str(path) in message
    assert problem in message
    if content.strip():
        assert content.strip() not in message


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="no such secret file"):
        load_secret(tmp_path / "missing", {})
    with pytest.raises(SecretError, match=str(tmp_path)):
        load_secret(tmp_path, {})
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe" * 20)
    with pytest.raises(SecretError, match="not UTF-8"):
        load_secret(binary, {})


def test_short_secret_variable_is_refused() -> None:
    with pytest.raises(SecretError, match="DEIDENTIFY_SECRET"):
        load_secret(None, {"DEIDENTIFY_SECRET": "tooshort"})
    with pytest.raises(SecretError, match="empty"):
        load_secret(None, {"DEIDENTIFY_SECRET": ""})


def test_empty_secret_file_variable_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="DEIDENTIFY_SECRET_FILE"):
        load_secret(None, {"DEIDENTIFY_SECRET_FILE": "", "HOME": str(tmp_path)})
    assert not (tmp_path / ".config").exists()


def test_creating_the_default_file_is_announced_once(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_HOME": str(tmp_path)}
    created: list[Path] = []
    first = load_secret(None, environ, on_create=created.append)
    assert load_secret(None, environ, on_create=created.append) == first
    assert created == [tmp_path / "deidentify" / "secret"]


@pytest.mark.parametrize("weak", [
    "password12345678",
    "P@ssw0rd12345678",
    "x" * 40,
    "xyzxyzxyzxyzxyzxyz",
    "qwertyuiopasdfghjkl",
    "xyxyxyyxyxyxyyxxxy",
    "0123456789abcdef0123456789abcdef",
    "Summer2024!Summer2024!",
    "00000000000000000000000000000000",
])
def test_a_secret_easy_to_guess_is_refused_without_quoting_it(weak: str, tmp_path: Path) -> None:
    path = write(tmp_path / "weak", weak + "\n")
    with pytest.raises(SecretError, match="too easy to guess") as raised:
        load_secret(path, {})
    assert weak not in str(raised.value)
    with pytest.raises(SecretError, match="DEIDENTIFY_SECRET: the secret is too easy to guess"):
        load_secret(None, {"DEIDENTIFY_SECRET": weak})


def test_random_secrets_and_passphrases_are_accepted(tmp_path: Path) -> None:
    import secrets

    for strong in (secrets.token_hex(32), secrets.token_hex(16), secrets.token_urlsafe(16),
                   "correct horse battery staple", HEX_SECRET):
        assert load_secret(None, {"DEIDENTIFY_SECRET": strong})
