"""Build the fast path's hot modules into C extensions with mypyc, where it can.

Every other setting is in pyproject.toml. The modules of ``COMPILED`` are strictly typed;
mypyc (part of mypy, a build requirement) turns them into one C extension built with the
machine's C compiler. Their ``.py`` files are installed beside it, and the package works from
them alone: with ``DEIDENTIFY_PURE_PYTHON=1``, without a C compiler, or when mypyc fails, the
install is pure Python, with one line of warning. See docs/apply.md, "Compiled modules".
"""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext


def _compiled_modules() -> Any:
    """``deidentify/compiled.py``, loaded by path (the package is not importable here)."""
    spec = importlib.util.spec_from_file_location("_compiled", "deidentify/compiled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_LIST = _compiled_modules()
COMPILED = [_LIST.source_path(name, "") for name in _LIST.MODULES]


def _warn(reason: str) -> None:
    print(f"deidentify: installing pure Python modules only ({reason})", file=sys.stderr)


class _BuildOrFallBack(build_ext):
    """``build_ext`` that leaves the pure Python modules in place when compiling fails."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # a missing compiler raises several kinds of error
            _warn(f"the C extension did not build: {type(error).__name__}: {error}")

    def build_extension(self, ext: Any) -> None:
        try:
            super().build_extension(ext)
        except Exception as error:
            _warn(f"{ext.name} did not build: {type(error).__name__}: {error}")


def _extensions() -> list[Any]:
    if os.environ.get("DEIDENTIFY_PURE_PYTHON") == "1":
        _warn("DEIDENTIFY_PURE_PYTHON=1")
        return []
    try:
        from mypyc.build import mypycify

        # The build environment lacks the optional extras (numpy, cryptography) that modules
        # the compiled ones import may import: their types are not needed, only followed.
        options = ["--follow-imports=silent", "--ignore-missing-imports"]
        return list(mypycify([*options, *COMPILED], group_name=_LIST.GROUP, opt_level="3",
                             debug_level="0"))
    except BaseException as error:  # mypyc exits with SystemExit on a type error
        _warn(f"mypyc could not compile the modules: {type(error).__name__}: {error}")
        return []


setup(ext_modules=_extensions(), cmdclass={"build_ext": _BuildOrFallBack})
