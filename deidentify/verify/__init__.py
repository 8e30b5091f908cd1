"""Verification of de-identified files against their originals, for any tool's output."""

from __future__ import annotations

from deidentify.verify.findings import VerifyResult, Violation
from deidentify.verify.run import VerifyUsageError, verify_trees

__all__ = ["VerifyResult", "VerifyUsageError", "Violation", "verify_trees"]
