"""The input files of a run: files and folders given on the command line, walked recursively.

Each input root keeps the form the user gave it (``label``) for the log; paths below it are
relative, with ``/`` separators. Several roots share one output folder: each folder root
after the first of its name is given a numbered prefix so that mirrored paths never collide.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from deidentify.batch.atomic import TEMP_FOLDER


class InputError(Exception):
    """Inputs or output that a run refuses before touching anything; one-line message."""


@dataclass(frozen=True)
class InputRoot:
    """One input given on the command line."""

    label: str
    path: Path
    is_dir: bool
    prefix: PurePosixPath


@dataclass(frozen=True)
class InputFile:
    """One file to de-identify."""

    root: InputRoot
    relative: PurePosixPath
    path: Path

    @property
    def mirror_path(self) -> PurePosixPath:
        """Where the mirror layout puts its output, relative to the output folder."""
        return self.root.prefix / self.relative


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def resolve_inputs(
    inputs: Sequence[Path], output: Path, extra_outputs: Sequence[Path] = ()
) -> tuple[InputRoot, ...]:
    """Check the inputs and the output folder; the roots in command-line order.

    Refused: a missing input, an output folder inside (or equal to) an input folder or
    holding an input, and any ``extra_outputs`` (the log) inside an input folder.
    """
    if not inputs:
        raise InputError("no input given")
    out = output.resolve()
    if out.exists() and not out.is_dir():
        raise InputError(f"{output}: the output exists and is not a folder")
    roots: list[InputRoot] = []
    used: set[str] = set()
    for given in inputs:
        if not given.exists():
            raise InputError(f"{given}: no such file or folder")
        path = given.resolve()
        is_dir = path.is_dir()
        if not is_dir and not path.is_file():
            raise InputError(f"{given}: not a regular file or folder")
        if is_dir and _inside(out, path):
            raise InputError(f"{output}: the output folder is inside the input folder {given}")
        if _inside(path, out):
            raise InputError(f"{given}: the input is inside the output folder {output}")
        for extra in extra_outputs:
            if is_dir and _inside(extra.resolve(), path):
                raise InputError(f"{extra}: would be written inside the input folder {given}")
        prefix = PurePosixPath()
        if is_dir and len(inputs) > 1:
            name = path.name or "input"
            candidate, number = name, 1
            while candidate in used:
                number += 1
                candidate = f"{name}-{number}"
            used.add(candidate)
            prefix = PurePosixPath(candidate)
        roots.append(InputRoot(label=str(given), path=path, is_dir=is_dir, prefix=prefix))
    return tuple(roots)


def _walk(root: InputRoot) -> Iterator[InputFile]:
    for folder, subfolders, names in os.walk(root.path):
        subfolders[:] = sorted(name for name in subfolders if name != TEMP_FOLDER)
        base = Path(folder)
        relative_folder = PurePosixPath(base.relative_to(root.path).as_posix())
        for name in sorted(names):
            path = base / name
            if path.is_file():
                yield InputFile(root=root, relative=relative_folder / name, path=path)


def discover(roots: Sequence[InputRoot]) -> Iterator[InputFile]:
    """Every regular file under the roots, folders in sorted order, roots in given order.

    Temporary folders of an earlier run's output are not inputs.
    """
    for root in roots:
        if root.is_dir:
            yield from _walk(root)
        else:
            yield InputFile(root=root, relative=PurePosixPath(root.path.name), path=root.path)
