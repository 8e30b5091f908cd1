"""What verification found: violations (never holding an identifying value) and the summary."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass, field


class Fingerprinter:
    """Short keyed fingerprints of values, so a report can relate findings without the value.

    Keyed with the run's secret when there is one (stable across runs), else with a random
    key of this run only: a fingerprint of a low-entropy value (a date, a short ID) must not
    be reversible by hashing candidates.
    """

    def __init__(self, secret: bytes | None) -> None:
        self.keyed_by = "secret" if secret else "run"
        self._key = secret or secrets.token_bytes(32)

    def describe(self, value: str | bytes) -> str:
        """``length N, fingerprint XXXXXXXXXXXX`` of a value."""
        data = value if isinstance(value, bytes) else value.encode("utf-8", "replace")
        digest = hmac.new(self._key, b"deidentify/verify/v1\x00" + data, hashlib.sha256)
        return f"length {len(data)}, fingerprint {digest.hexdigest()[:12]}"


@dataclass(frozen=True, order=True)
class Violation:
    """One attribute or value of a de-identified file that the profile does not allow."""

    file: str
    path: str
    attribute: str
    kind: str
    expected: str
    observed: str

    def line(self) -> str:
        return (f"{self.file}: {self.attribute} {self.path}: {self.kind}: expected"
                f" {self.expected}; observed {self.observed}")


@dataclass
class VerifyResult:
    """The outcome of verifying a tree of de-identified files against its originals."""

    profile: str
    edition: str
    originals: int = 0
    outputs: int = 0
    pairs: int = 0
    paired_by: dict[str, int] = field(default_factory=dict)
    unpaired_originals: int = 0
    unpaired_outputs: list[str] = field(default_factory=list)
    """Outputs not checked: no original found, or an ambiguous one."""
    ambiguous_outputs: int = 0
    fingerprints_keyed_by: str = "run"
    violations: list[Violation] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.violations

    def summary(self) -> str:
        how = ", ".join(f"{count} by {way}" for way, count in sorted(self.paired_by.items()))
        verdict = "PASS" if self.passed else f"FAIL: {len(self.violations)} violations"
        return (f"{verdict} ({self.profile}, PS3.15 {self.edition}): {self.pairs} pairs"
                f"{f' ({how})' if how else ''} of {self.originals} originals and"
                f" {self.outputs} de-identified files; {self.unpaired_originals} originals"
                f" and {len(self.unpaired_outputs)} de-identified files unpaired"
                f"{f' ({self.ambiguous_outputs} ambiguous)' if self.ambiguous_outputs else ''}")

    def as_json(self) -> str:
        document = {
            "passed": self.passed,
            "profile": self.profile,
            "edition": self.edition,
            "originals": self.originals,
            "outputs": self.outputs,
            "pairs": self.pairs,
            "paired_by": dict(sorted(self.paired_by.items())),
            "unpaired_originals": self.unpaired_originals,
            "unpaired_outputs": sorted(self.unpaired_outputs),
            "ambiguous_outputs": self.ambiguous_outputs,
            "fingerprints_keyed_by": self.fingerprints_keyed_by,
            "violations": [asdict(violation) for violation in sorted(self.violations)],
        }
        return json.dumps(document, indent=2) + "\n"
