"""Text output written atomically: a temporary file beside the target, then a rename."""

from __future__ import annotations

from pathlib import Path

from deidentify.atomic import atomic_output


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``; a reader never sees a partial file."""
    with atomic_output(path, prefix=f".{path.name}.") as stream:
        stream.write(text.encode("utf-8"))
