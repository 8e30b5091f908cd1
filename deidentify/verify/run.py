"""Verify a tree (or a file) of de-identified DICOM files against the originals it came from.

The trees are read twice: once for the keys that pair files (attributes up to Pixel Data,
kept as a few strings per file), then pair by pair, one original and its output in memory
at a time, with a progress callback after each pair. An output that cannot be paired, or
whose pairing is ambiguous, is not checked and fails the run; so does an output whose element
structure readers may see differently (:mod:`deidentify.structure`).
"""

from __future__ import annotations

import logging
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pydicom
from pydicom.errors import InvalidDicomError

from deidentify.inflation import DEFAULT_LIMIT, InflationRefused, check_file
from deidentify.plan import Plan
from deidentify.structure import CorruptStructure, check_path
from deidentify.verify import codestreams
from deidentify.verify.attributes import AttributeChecker
from deidentify.verify.findings import Fingerprinter, VerifyResult, Violation
from deidentify.verify.leaks import Identifiers, LeakScanner
from deidentify.verify.pairing import Loaded, pair_files

Progress = Callable[[int, int], None]
"""Called with (pairs checked, pairs in all) after each pair."""

FORMAT_ERRORS: tuple[type[Exception], ...] = (
    InvalidDicomError, ValueError, EOFError, KeyError, TypeError, AttributeError,
)
"""What pydicom raises on a damaged file."""
READ_ERRORS: tuple[type[Exception], ...] = (OSError, InflationRefused, *FORMAT_ERRORS)


class VerifyUsageError(ValueError):
    """Inputs that cannot be verified at all: the message names the path and the problem."""


def _files(root: Path) -> list[tuple[Path, str]]:
    if root.is_file():
        return [(root, root.name)]
    if not root.is_dir():
        raise VerifyUsageError(f"{root}: no such file or directory")
    return [(path, path.relative_to(root).as_posix())
            for path in sorted(root.rglob("*")) if path.is_file()]


@contextmanager
def _quiet_pydicom() -> Iterator[None]:
    """pydicom's warnings about damaged values may quote the values: none are shown."""
    logger = logging.getLogger("pydicom")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _read(path: Path, header: bool) -> pydicom.Dataset | None:
    """A DICOM file's dataset (``header``: up to Pixel Data); None if the file is not DICOM.
    Raises OSError (and pydicom's errors) if it cannot be read, InflationRefused if it is
    deflated and inflates past the default bound."""
    with open(path, "rb") as stream:
        check_file(stream, DEFAULT_LIMIT)
    try:
        return pydicom.dcmread(path, stop_before_pixels=header)
    except InvalidDicomError:
        pass
    try:
        ds = pydicom.dcmread(path, stop_before_pixels=header, force=True)
    except FORMAT_ERRORS:
        return None
    return ds if "SOPClassUID" in ds else None


def load_tree(root: Path) -> tuple[list[Loaded], list[str]]:
    """The DICOM files under ``root`` and the relative paths of those that failed to read."""
    loaded, failed = [], []
    for path, relative in _files(root):
        try:
            ds = _read(path, header=True)
        except READ_ERRORS:
            failed.append(relative)
            continue
        if ds is not None:
            loaded.append(Loaded.of(path, relative, ds))
    return loaded, failed


def _full(loaded: Loaded) -> pydicom.Dataset | None:
    try:
        return _read(loaded.path, header=False)
    except READ_ERRORS:
        return None


def _unreadable(relative: str) -> Violation:
    return Violation(relative, "", "file", "unreadable", "a DICOM file",
                     "a file that cannot be read")


def _unchecked(relative: str, why: str) -> Violation:
    return Violation(relative, "", "file", "pairing", "paired with its original and checked",
                     why)


def _structure(loaded: Loaded) -> list[Violation]:
    """A violation if the output's element structure is one readers may see differently
    (:mod:`deidentify.structure`): what pydicom shows of it cannot be trusted."""
    try:
        check_path(loaded.path)
    except CorruptStructure as error:
        return [Violation(loaded.relative, f"byte {error.offset}", "file", "structure",
                          "a consistent element structure", error.problem)]
    except RecursionError:
        return [Violation(loaded.relative, "", "file", "structure",
                          "a consistent element structure", "sequences nested too deeply")]
    except OSError:
        pass
    return []


UNPAIRED = "no original found: not checked against one"
AMBIGUOUS = "several originals share its SOP Instance UID and none its path: not checked"


def verify_trees(originals_root: Path, outputs_root: Path, plan: Plan, secret: bytes | None,
                 map_uid: Callable[[str], str] | None,
                 progress: Progress | None = None) -> VerifyResult:
    """Pair, check every attribute, scan for identifying values; the result of it all."""
    with _quiet_pydicom():
        return _verify(originals_root, outputs_root, plan, secret, map_uid, progress)


def _verify(originals_root: Path, outputs_root: Path, plan: Plan, secret: bytes | None,
            map_uid: Callable[[str], str] | None, progress: Progress | None) -> VerifyResult:
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
    result.violations += [_unreadable(relative) for relative in unreadable]
    pairing = pair_files(originals, outputs, map_uid)
    pairs, unpaired_originals = pairing.pairs, pairing.unpaired_originals
    unpaired_outputs = pairing.unpaired_outputs + pairing.ambiguous_outputs
    result.pairs = len(pairs)
    result.paired_by = dict(Counter(pair.how for pair in pairs))
    result.unpaired_originals = len(unpaired_originals)
    result.unpaired_outputs = [output.relative for output in unpaired_outputs]
    result.ambiguous_outputs = len(pairing.ambiguous_outputs)
    result.violations += [_unchecked(output.relative, UNPAIRED)
                          for output in pairing.unpaired_outputs]
    result.violations += [_unchecked(output.relative, AMBIGUOUS)
                          for output in pairing.ambiguous_outputs]
    checker = AttributeChecker(plan, fingerprints)
    scanner = LeakScanner(plan, fingerprints)
    every: dict[str, tuple[str, str]] = {}
    masks: dict[str, str] = {}
    """Each output's path as the report shows it (``LeakScanner.scan_path``)."""
    for done, pair in enumerate(pairs):
        if progress is not None:
            progress(done, len(pairs))
        file = pair.output.relative
        original, output = _full(pair.original), _full(pair.output)
        if original is None or output is None:
            result.violations.append(_unreadable(file))
            continue
        result.violations += _structure(pair.output)
        result.violations += checker.check(original, output, file)
        result.violations += codestreams.check(output, file)
        identifiers = scanner.identifiers(original)
        if unpaired_outputs:
            every.update(identifiers.sources)
        result.violations += scanner.scan(output, pair.output.path.read_bytes(), identifiers,
                                          file, original)
        masks[file], in_path = scanner.scan_path(file, identifiers)
        result.violations += in_path
    if progress is not None:
        progress(len(pairs), len(pairs))
    for lone in unpaired_originals if unpaired_outputs else ():
        full = _full(lone)
        if full is not None:
            every.update(scanner.identifiers(full).sources)
    for unpaired in unpaired_outputs:
        full = _full(unpaired)
        if full is None:
            result.violations.append(_unreadable(unpaired.relative))
            continue
        result.violations += _structure(unpaired)
        result.violations += codestreams.check(full, unpaired.relative)
        result.violations += scanner.scan(full, unpaired.path.read_bytes(),
                                          Identifiers(every), unpaired.relative, None)
        masks[unpaired.relative], in_path = scanner.scan_path(unpaired.relative,
                                                              Identifiers(every))
        result.violations += in_path
    result.violations += checker.uid_consistency()
    return _masked(result, masks)


def _masked(result: VerifyResult, masks: dict[str, str]) -> VerifyResult:
    """``result`` with every output's path shown as ``LeakScanner.scan_path`` masks it: a
    path holding an identifying value never reaches the report in clear."""
    result.violations = [replace(violation, file=masks.get(violation.file, violation.file))
                         for violation in result.violations]
    result.unpaired_outputs = [masks.get(path, path) for path in result.unpaired_outputs]
    return result
