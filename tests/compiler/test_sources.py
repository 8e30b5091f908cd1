"""Obtaining an edition: mirror or URL, always checked against the pinned SHA-256."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.errors import CompileError
from compiler.sources import PinnedEdition, obtain, sha256_of

FIXTURE = Path(__file__).parent / "fixtures" / "mini_part15.xml"


def pinned(sha256: str, url: str = "file:///nonexistent/part15.xml") -> PinnedEdition:
    return PinnedEdition("2099a", url, sha256)


def test_copies_from_a_mirror_into_the_cache(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    shutil.copy(FIXTURE, mirror / "part15-2099a.xml")
    cached = obtain(pinned(sha256_of(FIXTURE)), mirror, cache=tmp_path / "cache")
    assert cached == tmp_path / "cache" / "part15-2099a.xml"
    assert cached.read_bytes() == FIXTURE.read_bytes()


def test_downloads_from_the_url_when_no_mirror_has_it(tmp_path: Path) -> None:
    entry = pinned(sha256_of(FIXTURE), FIXTURE.resolve().as_uri())
    cached = obtain(entry, tmp_path / "empty-mirror", cache=tmp_path / "cache")
    assert cached.read_bytes() == FIXTURE.read_bytes()


def test_a_digest_mismatch_is_an_error_and_keeps_nothing(tmp_path: Path) -> None:
    entry = pinned("0" * 64, FIXTURE.resolve().as_uri())
    with pytest.raises(CompileError, match="does not match the pinned 0000"):
        obtain(entry, cache=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_an_unreachable_url_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(CompileError, match=r"nonexistent/part15\.xml: download failed"):
        obtain(pinned("0" * 64), cache=tmp_path / "cache")


def test_without_download_a_missing_edition_fails_at_once_naming_where(tmp_path: Path) -> None:
    entry = pinned(sha256_of(FIXTURE), "http://192.0.2.1/part15.xml")
    with pytest.raises(CompileError, match=r"neither the cache .* nor the mirror .*empty"):
        obtain(entry, tmp_path / "empty", cache=tmp_path / "cache", download=False)


def test_the_suite_skips_at_once_with_an_empty_mirror_and_no_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import urllib.request

    from tests import conftest

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the test suite tried to reach the network")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setenv("DEIDENTIFY_STANDARD_MIRROR", str(tmp_path / "empty"))
    monkeypatch.delenv(conftest.REQUIRE_VARIABLE, raising=False)
    (tmp_path / "empty").mkdir()
    with pytest.raises(pytest.skip.Exception, match=r"2026c XML not available.*not downloaded"):
        conftest.standard_xml("2026c", cache=tmp_path / "cache")


def test_the_suite_refuses_connections_beyond_loopback() -> None:
    import socket
    import urllib.request

    from tests.conftest import NetworkUsedError

    with pytest.raises(NetworkUsedError, match="may not reach the network"):
        socket.create_connection(("192.0.2.1", 80), timeout=5)
    with pytest.raises(NetworkUsedError):
        urllib.request.urlopen("http://192.0.2.1/part15.xml", timeout=5)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        socket.create_connection(server.getsockname(), timeout=5).close()
