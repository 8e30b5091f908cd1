"""What the pixel step did to one object, for the log and De-identification Method.

Flows out of the engine's ``apply``: None for an object not at risk; else an ``Outcome``
with the action (accepted uncleaned, or cleaned), the frames decoded and the regions blanked
by rule. Rule names and counts only: recognised text is never kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ACCEPTED_METHOD = "burned-in annotation risk accepted: pixels not cleaned"
"""De-identification Method's value for an at-risk object written under --burned-in accept."""


@dataclass(frozen=True)
class Outcome:
    """The pixel step's result for one object."""

    action: str
    """``accepted`` (written uncleaned) or ``cleaned``."""
    method: str
    """The value De-identification Method gets for it (at most 64 characters)."""
    frames: int = 0
    regions: dict[str, int] = field(default_factory=dict)
    """Regions blanked, by rule: ``region:<name>``, ``ocr:<why>``."""

    def record(self) -> dict[str, object]:
        """The log record's ``pixels`` entry."""
        if self.action != "cleaned":
            return {"action": self.action}
        return {"action": self.action, "frames": self.frames,
                "regions": sum(self.regions.values()), "rules": dict(sorted(self.regions.items()))}


ACCEPTED = Outcome("accepted", ACCEPTED_METHOD)
