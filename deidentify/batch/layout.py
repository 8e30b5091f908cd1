"""Where each output goes: mirroring the input tree, or by the new identifiers.

``hierarchy`` arranges outputs as ``<Patient ID>/<Study Instance UID>/<Series Instance
UID>/<SOP Instance UID>.dcm`` using the values of the de-identified output, read back from
the written file: no original identifier reaches a path.
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path, PurePosixPath

from deidentify.batch.results import FileFailed

PATIENT_ID = 0x00100020
STUDY_INSTANCE_UID = 0x0020000D
SERIES_INSTANCE_UID = 0x0020000E
SOP_INSTANCE_UID = 0x00080018
_HIERARCHY_TAGS = [PATIENT_ID, STUDY_INSTANCE_UID, SERIES_INSTANCE_UID, SOP_INSTANCE_UID]
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
NO_VALUE = "_"


class Layout(Enum):
    """The output tree."""

    MIRROR = "mirror"
    HIERARCHY = "hierarchy"


def path_component(value: str) -> str:
    """A value as one safe path component: other characters become ``_``; never empty."""
    text = _UNSAFE.sub("_", value.strip().rstrip("\x00"))
    if text in ("", ".", ".."):
        return NO_VALUE
    return text[:128]


def hierarchy_path(output_file: Path) -> PurePosixPath:
    """The hierarchy-layout path of a written de-identified file (read by a worker: pydicom is
    imported here, so that the run's main process names the layouts without it)."""
    import pydicom

    try:
        ds = pydicom.dcmread(output_file, stop_before_pixels=True, specific_tags=_HIERARCHY_TAGS)
    except Exception:
        raise FileFailed("the de-identified output cannot be read back") from None
    parts = [path_component(str(ds[tag].value or "")) if tag in ds else NO_VALUE
             for tag in _HIERARCHY_TAGS]
    parts[-1] += ".dcm"
    return PurePosixPath(*parts)
