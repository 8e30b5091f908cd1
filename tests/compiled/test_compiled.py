"""The compiled modules: built where a compiler is, skipped when stale or asked to."""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deidentify import compiled

REQUIRE_VARIABLE = "DEIDENTIFY_REQUIRE_COMPILED"
"""Set in CI (a C compiler is there): every module of ``compiled.MODULES`` must be compiled."""


def _module_files(root: Path, name: str, source_age: float, extension_age: float) -> None:
    source = Path(compiled.source_path(name, str(root)))
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text("VALUE = 1\n")
    extension = Path(compiled.extension_path(name, str(root)))
    extension.write_bytes(b"not really an extension")
    now = 1_800_000_000.0
    os.utime(source, (now - source_age, now - source_age))
    os.utime(extension, (now - extension_age, now - extension_age))


def test_a_source_edited_after_its_extension_was_built_is_stale(tmp_path: Path) -> None:
    edited, rebuilt, installed = compiled.MODULES[:3]
    _module_files(tmp_path, edited, source_age=60, extension_age=600)
    _module_files(tmp_path, rebuilt, source_age=600, extension_age=60)
    _module_files(tmp_path, installed, source_age=60, extension_age=60.5)  # written together
    assert compiled.stale(str(tmp_path)) == [edited]


def test_modules_without_an_extension_are_never_stale(tmp_path: Path) -> None:
    for name in compiled.MODULES:
        source = Path(compiled.source_path(name, str(tmp_path)))
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text("VALUE = 1\n")
    assert compiled.stale(str(tmp_path)) == []


def test_the_source_finder_finds_only_the_compiled_modules_sources(tmp_path: Path) -> None:
    name = compiled.MODULES[0]
    _module_files(tmp_path, name, source_age=1, extension_age=1)
    finder = compiled.SourceFinder(str(tmp_path))
    spec = finder.find_spec(name)
    assert spec is not None and spec.origin == compiled.source_path(name, str(tmp_path))
    assert isinstance(spec.loader, importlib.machinery.SourceFileLoader)
    assert finder.find_spec("deidentify.engine") is None


def _imported_forms(environment: dict[str, str]) -> list[str]:
    """The files the compiled modules are imported from in a fresh process."""
    script = ("import importlib, deidentify.compiled as c\n"
              "for name in c.MODULES: print(importlib.import_module(name).__file__)")
    output = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                            text=True, env=environment, cwd=Path(__file__).parents[2]).stdout
    return output.split()


def test_pure_python_is_imported_when_asked_for() -> None:
    environment = {**os.environ, compiled.PURE_PYTHON: "1"}
    files = _imported_forms(environment)
    assert files == [compiled.source_path(name) for name in compiled.MODULES]


def test_an_install_with_a_compiler_runs_every_module_compiled() -> None:
    if os.environ.get(compiled.PURE_PYTHON) == "1":
        pytest.skip(f"{compiled.PURE_PYTHON}=1: the pure Python modules are under test")
    built = [name for name in compiled.MODULES if os.path.exists(compiled.extension_path(name))]
    if not built and not os.environ.get(REQUIRE_VARIABLE):
        pytest.skip(f"a pure Python install (no C compiler, or {compiled.PURE_PYTHON}=1 at"
                    f" install time); {REQUIRE_VARIABLE} makes this a failure, as in CI")
    edited = compiled.stale()
    if edited and not os.environ.get(REQUIRE_VARIABLE):
        pytest.skip(f"{edited[0]} edited since it was compiled: its source runs (pip install"
                    " -e . rebuilds)")
    assert edited == [], "sources edited since the build: pip install -e ."
    environment = {key: value for key, value in os.environ.items()
                   if key != compiled.PURE_PYTHON}
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    assert all(path.endswith(suffix) for path in _imported_forms(environment))
    for name in compiled.MODULES:
        importlib.import_module(name)
    assert compiled.running_compiled() == list(compiled.MODULES)
