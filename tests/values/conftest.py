"""Shared fixtures for the value-level building blocks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydicom import Dataset, dcmread
from pydicom.data import get_testdata_file


@pytest.fixture
def secret() -> bytes:
    return bytes(range(32))


@pytest.fixture
def other_secret() -> bytes:
    return bytes(range(1, 33))


def _read_testdata(name: str) -> Dataset:
    path = get_testdata_file(name)
    assert path is not None, name
    return dcmread(path)


@pytest.fixture
def read_testdata() -> Callable[[str], Dataset]:
    """Reads one of pydicom's shipped test files, fresh on every call."""
    return _read_testdata
