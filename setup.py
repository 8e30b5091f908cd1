"""Build the fast path's hot modules into C extensions with mypyc, where it can.

Every other setting is in pyproject.toml. The modules of ``COMPILED`` are strictly typed;
mypyc (part of mypy, a build requirement) turns them into one C extension built with the
machine's C compiler. Their ``.py`` files are installed beside it, and the package works from
them alone: with ``DEIDENTIFY_PURE_PYTHON=1``, without a C compiler, or when mypyc fails, the
install is pure Python, with one line of warning (pip shows it with ``-v``). See
docs/apply.md, "Compiled modules".
"""

from __future__ import annotations

import contextlib
import importlib.machinery
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


def _fall_back(reason: str) -> None:
    """Say why the install is pure Python, and remove the extension modules of an earlier
    build from beside the sources (an editable install's), which would be imported first."""
    print(f"deidentify: installing pure Python modules only ({reason})", file=sys.stderr)
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    stems = [path[:-3] for path in COMPILED] + [_LIST.source_path(_LIST.GROUP, "")[:-3]
                                                + "__mypyc"]
    for stem in stems:
        for suffix in suffixes:
            with contextlib.suppress(FileNotFoundError):
                os.remove(stem + suffix)


def _short(error: BaseException) -> str:
    """The error's kind and the start of its message (a compiler's is its command line)."""
    text = str(error)
    return f"{type(error).__name__}: {text[:100]}{'...' if len(text) > 100 else ''}"


class _BuildOrFallBack(build_ext):
    """``build_ext`` that leaves the pure Python modules alone when compiling fails: no
    extension module is kept, since one without the others cannot be imported."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as error:  # a missing compiler raises several kinds of error
            for output in self.get_outputs():
                with contextlib.suppress(FileNotFoundError):
                    os.remove(output)
            _fall_back(f"the C extension did not build: {_short(error)}")


def _extensions() -> list[Any]:
    if os.environ.get("DEIDENTIFY_PURE_PYTHON") == "1":
        _fall_back("DEIDENTIFY_PURE_PYTHON=1")
        return []
    try:
        from mypyc.build import mypycify

        # The build environment lacks the optional extras (numpy, cryptography) that modules
        # the compiled ones import may import: their types are not needed, only followed.
        options = ["--follow-imports=silent", "--ignore-missing-imports"]
        return list(mypycify([*options, *COMPILED], group_name=_LIST.GROUP, opt_level="3",
                             debug_level="0"))
    except (Exception, SystemExit) as error:  # mypyc exits on a type error
        _fall_back(f"mypyc could not compile the modules: {_short(error)}")
        return []


setup(ext_modules=_extensions(), cmdclass={"build_ext": _BuildOrFallBack})
