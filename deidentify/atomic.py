"""Files that appear complete or not at all: written under a temporary name, then renamed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_output(path: Path, prefix: str = ".deidentify-") -> Iterator[BinaryIO]:
    """A binary stream whose content replaces ``path`` only when the block ends normally.

    The temporary file lies beside ``path`` (same file system, so the rename is atomic) and
    is removed if the block raises.
    """
    handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
