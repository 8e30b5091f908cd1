"""The input files of a run: files and folders given on the command line, walked recursively.

Each input root keeps the form the user gave it (``label``) for the log; paths below it are
relative, with ``/`` separators. Several roots share one output folder: each folder root
after the first of its name is given a numbered prefix so that mirrored paths never collide.
A list of files (``--files-from``, one path a line, relative to the one input folder) is read
line by line instead of walking the folder, for trees too large to list.
"""

from __future__ import annotations

import itertools
import os
import stat
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


@dataclass(frozen=True)
class InputProblem:
    """A path met below an input that is not de-identified: skipped or failed, with why."""

    root: InputRoot
    relative: PurePosixPath
    failed: bool
    reason: str


UNREADABLE_FOLDER = "folder cannot be read"
ALREADY_WALKED = "folder already walked (a symbolic link to it, or a loop): not walked again"
BROKEN_LINK = "broken symbolic link"
NOT_REGULAR = "not a regular file or folder"
TEMPORARY_FOLDER = "temporary folder of an earlier run"


def _unreadable(error: OSError) -> str:
    return f"{UNREADABLE_FOLDER} ({error.strerror or 'I/O error'})"


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as listing:
        return sorted(listing, key=lambda entry: entry.name)


def _walk(root: InputRoot) -> Iterator[InputFile | InputProblem]:
    """Every path below a folder root, depth first in sorted order; symbolic links to folders
    are followed, each folder (by device and inode) walked once. A regular file is told by
    its directory entry's type, without a ``stat`` where the file system gives that type."""
    visited: set[tuple[int, int]] = set()
    top = root.path.stat()
    visited.add((top.st_dev, top.st_ino))
    stack: list[tuple[Path, PurePosixPath]] = [(root.path, PurePosixPath())]
    while stack:
        folder, relative = stack.pop()
        try:
            entries = _entries(folder)
        except OSError as error:
            yield InputProblem(root, relative, True, _unreadable(error))
            continue
        subfolders: list[tuple[Path, PurePosixPath]] = []
        for entry in entries:
            path, below = Path(entry.path), relative / entry.name
            if not entry.is_symlink() and entry.is_file(follow_symlinks=False):
                yield InputFile(root=root, relative=below, path=path)
                continue
            try:
                status = entry.stat(follow_symlinks=True)
            except FileNotFoundError:
                yield InputProblem(root, below, False, BROKEN_LINK)
                continue
            except OSError as error:
                yield InputProblem(root, below, True,
                                   f"cannot be read ({error.strerror or 'I/O error'})")
                continue
            if stat.S_ISDIR(status.st_mode):
                key = (status.st_dev, status.st_ino)
                if entry.name == TEMP_FOLDER:
                    yield InputProblem(root, below, False, TEMPORARY_FOLDER)
                elif key in visited:
                    yield InputProblem(root, below, False, ALREADY_WALKED)
                else:
                    visited.add(key)
                    subfolders.append((path, below))
            elif stat.S_ISREG(status.st_mode):
                yield InputFile(root=root, relative=below, path=path)
            else:
                yield InputProblem(root, below, False, NOT_REGULAR)
        stack.extend(reversed(subfolders))


def listed(root: InputRoot, files_from: Path) -> Iterator[InputFile]:
    """The files named in ``files_from``, one path a line, in the list's order, streamed.

    A path is relative to the input folder, or absolute inside it; blank lines are ignored.
    Listed paths are not checked here: a missing one is reported by the run like any file
    that cannot be read. InputError for a list that cannot be read or a path outside the
    folder (its output would be outside the output folder).
    """
    if not root.is_dir:
        raise InputError(f"{root.label}: --files-from needs an input folder")
    try:
        with open(files_from, encoding="utf-8", newline="\n") as lines:
            for number, line in enumerate(lines, 1):
                text = line.rstrip("\r\n")
                if not text.strip():
                    continue
                path = Path(os.path.normpath(root.path / text))
                if path == root.path or not path.is_relative_to(root.path):
                    raise InputError(f"{files_from}: line {number}: not a file inside "
                                     f"the input folder {root.label}")
                relative = PurePosixPath(path.relative_to(root.path).as_posix())
                yield InputFile(root=root, relative=relative, path=path)
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not a UTF-8 text file"
        raise InputError(f"{files_from}: {reason}") from None


def discover(roots: Sequence[InputRoot], files_from: Path | None = None
             ) -> Iterator[InputFile | InputProblem]:
    """Every path under the roots: the files to de-identify, and what is skipped or failed
    (an unreadable folder, a broken link, a folder met twice, a device); folders in sorted
    order, roots in given order; with ``files_from``, the files it lists under the one root.
    A root folder with nothing in it is an InputError.

    Temporary folders of an earlier run's output are not inputs.
    """
    if files_from is not None:
        if len(roots) != 1:
            raise InputError("--files-from takes exactly one input folder")
        yield from listed(roots[0], files_from)
        return
    for root in roots:
        if not root.is_dir:
            yield InputFile(root=root, relative=PurePosixPath(root.path.name), path=root.path)
            continue
        found = False
        for entry in _walk(root):
            found = True
            yield entry
        if not found:
            raise InputError(f"{root.label}: the folder holds no file")


def several_files(inputs: Sequence[Path], files_from: Path | None = None) -> bool:
    """Whether the inputs hold more than one file to de-identify, as ``discover`` lists them:
    a quick look that stops at the second (inputs the run will refuse count as none), so that
    a run of one file starts no worker processes ahead."""
    roots = [InputRoot(str(path), path, path.is_dir(), PurePosixPath())
             for path in inputs if path.exists()]
    files = (item for item in discover(roots, files_from) if isinstance(item, InputFile))
    try:
        return len(list(itertools.islice(files, 2))) > 1
    except (InputError, OSError):
        return False
