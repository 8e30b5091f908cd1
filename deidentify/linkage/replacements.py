"""What one object's de-identification replaced, as the linkage files record it.

The engine's linkage (``hook``) notes the pairs per object; the journal writes them. Plain
data: a run's main process, which writes the linkage files, reads them without pydicom.
"""

from __future__ import annotations

from dataclasses import dataclass

Pair = tuple[str, str]
"""An original value and its replacement."""


@dataclass(frozen=True)
class Replacements:
    """What one object's de-identification replaced: (original, new) pairs."""

    patients: tuple[Pair, ...] = ()
    uids: tuple[Pair, ...] = ()
