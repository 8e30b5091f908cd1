"""Shared fixtures: the standard's XML, from the cache or the mirror, or a clear skip.

Tests never download: an edition in neither the cache nor the mirror folder
(``DEIDENTIFY_STANDARD_MIRROR``, default ``../shared/standard`` beside the project) skips at
once, saying why (fails when ``DEIDENTIFY_REQUIRE_STANDARD`` is set, as in CI).
"""

from __future__ import annotations

import os
from pathlib import Path

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
