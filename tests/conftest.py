"""Shared fixtures: the standard's XML, from the cache or the mirror, or a clear skip.

Tests never download: an edition in neither the cache nor the mirror folder
(``DEIDENTIFY_STANDARD_MIRROR``, default ``../shared/standard`` beside the project) skips at
once, saying why (fails when ``DEIDENTIFY_REQUIRE_STANDARD`` is set, as in CI). And no test
process connects anywhere but the loopback interface: a connection elsewhere is an error.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path
from typing import Any

import pytest

from compiler.errors import CompileError
from compiler.sources import (
    CACHE,
    MIRROR_VARIABLE,
    PROJECT_ROOT,
    find_pinned,
    load_manifest,
    obtain,
)

REQUIRE_VARIABLE = "DEIDENTIFY_REQUIRE_STANDARD"
DEFAULT_MIRROR = PROJECT_ROOT.parent / "shared" / "standard"


def mirror_folder() -> Path:
    """The mirror folder tests read: ``DEIDENTIFY_STANDARD_MIRROR``, else the default."""
    value = os.environ.get(MIRROR_VARIABLE)
    return Path(value) if value else DEFAULT_MIRROR


def standard_xml(edition: str, cache: Path = CACHE) -> Path:
    """The verified XML of a pinned edition; skips (fails in CI) when it cannot be had."""
    try:
        return obtain(find_pinned(edition, load_manifest()), mirror_folder(), cache,
                      download=False)
    except CompileError as error:
        if os.environ.get(REQUIRE_VARIABLE):
            raise
        pytest.skip(f"PS3.15 {edition} XML not available: set {MIRROR_VARIABLE} ({error})")


class NetworkUsedError(AssertionError):
    """A test tried to reach a host that is not this machine."""


def _loopback(address: Any) -> bool:
    if not isinstance(address, tuple):
        return True
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _guarded(original: Any) -> Any:
    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            raise NetworkUsedError(f"tests may not reach the network (connect to {address!r})")
        return original(self, address)

    return connect


def pytest_configure() -> None:
    """Allow loopback connections only, for the whole session."""
    socket.socket.connect = _guarded(socket.socket.connect)  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded(socket.socket.connect_ex)  # type: ignore[method-assign]
