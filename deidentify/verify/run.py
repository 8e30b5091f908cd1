"""Verify a tree (or a file) of de-identified DICOM files against the originals it came from."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pydicom
from pydicom.errors import InvalidDicomError

from deidentify.plan import Plan
from deidentify.verify.attributes import AttributeChecker
from deidentify.verify.findings import Fingerprinter, VerifyResult, Violation
from deidentify.verify.leaks import Identifiers, LeakScanner
from deidentify.verify.pairing import Loaded, pair_files


class VerifyUsageError(ValueError):
    """Inputs that cannot be verified at all: the message names the path and the problem."""


def _files(root: Path) -> list[tuple[Path, str]]:
    if root.is_file():
        return [(root, root.name)]
    if not root.is_dir():
        raise VerifyUsageError(f"{root}: no such file or directory")
    return [(path, path.relative_to(root).as_posix())
            for path in sorted(root.rglob("*")) if path.is_file()]


def _read(path: Path) -> pydicom.Dataset | None:
    """A DICOM file's dataset; None if the file is not DICOM. Raises OSError if unreadable."""
    try:
        return pydicom.dcmread(path)
    except InvalidDicomError:
        pass
    try:
        ds = pydicom.dcmread(path, force=True)
    except (InvalidDicomError, ValueError, EOFError, KeyError, TypeError, AttributeError):
        return None
    return ds if "SOPClassUID" in ds else None


def load_tree(root: Path) -> tuple[list[Loaded], list[str]]:
    """The DICOM files under ``root`` and the relative paths of those that failed to read."""
    loaded, failed = [], []
    for path, relative in _files(root):
        try:
            ds = _read(path)
        except (OSError, ValueError, EOFError, KeyError, TypeError, AttributeError):
            failed.append(relative)
            continue
        if ds is not None:
            loaded.append(Loaded(path, relative, ds))
    return loaded, failed


def verify_trees(originals_root: Path, outputs_root: Path, plan: Plan, secret: bytes | None,
                 map_uid: Callable[[str], str] | None) -> VerifyResult:
    """Pair, check every attribute, scan for identifying values; the result of it all."""
    originals, _ = load_tree(originals_root)
    outputs, unreadable = load_tree(outputs_root)
    if not originals:
        raise VerifyUsageError(f"{originals_root}: no DICOM file found")
    if not outputs and not unreadable:
        raise VerifyUsageError(f"{outputs_root}: no DICOM file found")
    fingerprints = Fingerprinter(secret)
    result = VerifyResult(profile=plan.profile.uri, edition=plan.profile.edition,
                          originals=len(originals), outputs=len(outputs) + len(unreadable),
                          fingerprints_keyed_by=fingerprints.keyed_by)
    result.violations += [Violation(relative, "", "file", "unreadable", "a DICOM file",
                                    "a file that cannot be read") for relative in unreadable]
    pairs, unpaired_originals, unpaired_outputs = pair_files(originals, outputs, map_uid)
    result.pairs = len(pairs)
    result.paired_by = dict(Counter(pair.how for pair in pairs))
    result.unpaired_originals = len(unpaired_originals)
    result.unpaired_outputs = [output.relative for output in unpaired_outputs]
    checker = AttributeChecker(plan, fingerprints)
    scanner = LeakScanner(plan, fingerprints)
    every = Identifiers({})
    for pair in pairs:
        file = pair.output.relative
        result.violations += checker.check(pair.original.dataset, pair.output.dataset, file)
        identifiers = scanner.identifiers(pair.original.dataset)
        every = every | identifiers
        result.violations += scanner.scan(pair.output.dataset, pair.output.path.read_bytes(),
                                          identifiers, file, pair.original.dataset)
    for original in unpaired_originals:
        every = every | scanner.identifiers(original.dataset)
    for output in unpaired_outputs:
        result.violations += scanner.scan(output.dataset, output.path.read_bytes(), every,
                                          output.relative, None)
    result.violations += checker.uid_consistency()
    return result
