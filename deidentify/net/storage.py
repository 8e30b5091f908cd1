"""The node's storage folder: one folder per de-identified Study Instance UID, one file per
de-identified SOP Instance UID, never replaced.

An object is written to a temporary name beside its target, then hard-linked to the target,
which fails if the target exists: of two associations storing the same UID at once, exactly
one creates the file. The other's object is a duplicate: rejected (``Duplicate``), or kept
beside the first as ``UID.2.dcm``, ``UID.3.dcm``, ... (the same atomic creation).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from deidentify.net.config import Duplicates

Writer = Callable[[Dataset, BinaryIO], None]
"""Writes a de-identified dataset as a DICOM file (File Meta and preamble) to a stream."""

_MAX_COPIES = 1000


class Duplicate(Exception):
    """An object whose de-identified SOP Instance UID is already stored (and is not kept)."""


def file_name(uid: object, fallback: str) -> str:
    """A UID as a file name; a random name with ``fallback`` if it is not a plain UID."""
    text = str(uid or "").strip("\x00 ")
    if not text or not all(char.isdigit() or char == "." for char in text):
        return f"{fallback}-{generate_uid(prefix=None)[5:]}"
    return text


def _create(temporary: Path, target: Path) -> bool:
    """Give ``temporary`` the name ``target`` unless it exists; False if it does."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        return False
    except OSError:
        try:  # no hard links on this file system: claim the name, then rename over the claim
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            return False
        os.replace(temporary, target)
    return True


def store(
    storage: Path, dataset: Dataset, write: Writer, duplicates: Duplicates
) -> tuple[Path, int]:
    """Write ``dataset`` under ``storage``; its path and copy number (1: the first with its
    SOP Instance UID). Duplicate if the UID is stored and duplicates are rejected."""
    folder = storage / file_name(dataset.get("StudyInstanceUID"), "study")
    folder.mkdir(parents=True, exist_ok=True)
    name = file_name(dataset.get("SOPInstanceUID"), "object")
    handle, temporary_name = tempfile.mkstemp(prefix=".incoming-", suffix=".tmp", dir=folder)
    temporary = Path(temporary_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            write(dataset, stream)
        target = folder / f"{name}.dcm"
        if _create(temporary, target):
            return target, 1
        if duplicates is Duplicates.REJECT:
            raise Duplicate
        for copy in range(2, _MAX_COPIES + 1):
            target = folder / f"{name}.{copy}.dcm"
            if _create(temporary, target):
                return target, copy
        raise Duplicate
    finally:
        temporary.unlink(missing_ok=True)
