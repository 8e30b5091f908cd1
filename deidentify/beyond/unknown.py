"""The ``--unknown`` setting: what becomes of a public element that neither the edition's
Table E.1-1 nor the data dictionary defines.

In: the setting's name (command line, node configuration). Out: ``UnknownPolicy``, which the
plan carries and De-identification Method, the report and the run record name.
"""

from __future__ import annotations

from enum import Enum


class UnknownPolicy(Enum):
    """Remove (the default) or keep unknown public elements."""

    REMOVE = "remove"
    KEEP = "keep"

    @property
    def description(self) -> str:
        """What the setting does, as the report states it."""
        if self is UnknownPolicy.REMOVE:
            return ("public elements no dictionary defines, elements whose VR contradicts the"
                    " dictionary and item or delimiter tags met as elements are removed, at"
                    " every depth")
        return ("public elements no dictionary defines and elements whose VR contradicts the"
                " dictionary are kept (a sequence walked with the profile applied inside);"
                " item and delimiter tags met as elements are still removed")
