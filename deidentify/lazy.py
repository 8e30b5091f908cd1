"""A package's public names imported from their modules on first use (PEP 562).

In: the package's name, where each public name lives, the package's namespace. Out: the
package's ``__getattr__``; a name found is kept in the namespace, so it is looked up once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def importer(package: str, homes: Mapping[str, str],
             namespace: dict[str, Any]) -> Callable[[str], Any]:
    """The ``__getattr__`` of ``package``, whose names ``homes`` maps to their modules."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        namespace[name] = value
        return value

    return __getattr__
