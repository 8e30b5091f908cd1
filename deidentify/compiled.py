"""Which modules run compiled, and the switch back to their pure Python sources.

The modules of ``MODULES`` are built into one C extension by mypyc at install time where a C
compiler is found (``setup.py`` reads the list from here); their ``.py`` files stay beside
the extension modules and behave the same. Python imports an extension module in preference
to the source beside it, so an edited source would silently run its old compiled form: when
one of the sources is newer than its extension module (an editable install not rebuilt), or
``DEIDENTIFY_PURE_PYTHON=1`` is set, every one of them is imported from its source instead,
with one line of warning in the first case.

In: the environment and the files' modification times, once, when ``deidentify`` is first
imported. Out: nothing, or a finder first on ``sys.meta_path`` that loads the sources.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

MODULES = (
    "deidentify.structure",
    "deidentify.fastpath.layout",
    "deidentify.fastpath.encoding",
    "deidentify.fastpath.sequences",
    "deidentify.fastpath.writing",
    "deidentify.fastpath.reading",
    "deidentify.fastpath.view",
    "deidentify.beyond.conformity",
)
"""The modules compiled: where the fast path spends its own time rather than pydicom's."""

GROUP = "deidentify._compiled"
"""The name mypyc gives the shared library of the compiled modules (with ``__mypyc``)."""

PURE_PYTHON = "DEIDENTIFY_PURE_PYTHON"
"""Set to 1: no extension is built at install time, and none is imported at run time."""

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SLACK_NS = 2_000_000_000
"""How much newer a source must be than its extension module to count as edited since (an
install writes both within this time, in either order)."""


def source_path(name: str, root: str = _ROOT) -> str:
    """The ``.py`` file of module ``name`` under ``root``."""
    return os.path.join(root, *name.split(".")) + ".py"


def extension_path(name: str, root: str = _ROOT) -> str:
    """Where the extension module of ``name`` is when it was compiled."""
    return source_path(name, root)[:-3] + importlib.machinery.EXTENSION_SUFFIXES[0]


def stale(root: str = _ROOT) -> list[str]:
    """The compiled modules whose source was changed after their extension was built."""
    names = []
    for name in MODULES:
        try:
            built = os.stat(extension_path(name, root)).st_mtime_ns
            edited = os.stat(source_path(name, root)).st_mtime_ns
        except OSError:
            continue
        if edited > built + _SLACK_NS:
            names.append(name)
    return names


def running_compiled() -> list[str]:
    """The modules of ``MODULES`` imported so far from their extension modules."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    return [name for name in MODULES
            if str(getattr(sys.modules.get(name), "__file__", "")).endswith(suffixes)]


class SourceFinder:
    """A meta path finder that imports the modules of ``MODULES`` from their sources."""

    def __init__(self, root: str = _ROOT) -> None:
        self.root = root

    def find_spec(self, name: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        """The spec of the source of a compiled module; None for any other module."""
        if name not in MODULES:
            return None
        return importlib.util.spec_from_file_location(name, source_path(name, self.root))


def use_sources() -> None:
    """Import the modules of ``MODULES`` from their sources from now on."""
    if not any(isinstance(finder, SourceFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, SourceFinder())


def choose() -> None:
    """Use the sources when asked to by the environment, or when a compiled one is stale."""
    if os.environ.get(PURE_PYTHON) == "1":
        use_sources()
        return
    edited = stale()
    if edited:
        use_sources()
        print(f"deidentify: {source_path(edited[0], '')} changed after it was compiled;"
              " running the pure Python modules (rebuild: pip install -e .)", file=sys.stderr)
