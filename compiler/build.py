"""Compile editions from their XML and render or check the generated tree."""

from __future__ import annotations

from pathlib import Path

from compiler.model import Edition
from compiler.reader import EditionReader
from compiler.render import differences, environment, render_edition, render_package, write_tree
from compiler.sources import (
    PROJECT_ROOT,
    PinnedEdition,
    load_manifest,
    obtain,
    sha256_of,
)

GENERATED = PROJECT_ROOT / "generated"
OFFICIAL_URL = "https://dicom.nema.org/medical/dicom/{edition}/source/docbook/part15/part15.xml"


def compile_file(path: Path, pinned: PinnedEdition | None = None) -> Edition:
    """The model of one XML file; its URL is the pinned one or the official pattern's."""
    reader = EditionReader(path, source_url="", sha256=sha256_of(path))
    url = pinned.url if pinned else OFFICIAL_URL.format(edition=reader.edition)
    reader.source_url = url
    return reader.read()


def compile_pinned(mirror: Path | None = None) -> list[Edition]:
    """Every edition of the manifest, oldest first, from verified files."""
    return [compile_file(obtain(pinned, mirror), pinned) for pinned in load_manifest()]


def render_all(editions: list[Edition]) -> dict[Path, dict[str, str]]:
    """Every generated tree, keyed by its root."""
    return {GENERATED: render_package(environment(), editions)}


def build_all(mirror: Path | None = None) -> list[Edition]:
    """Regenerate every tree the manifest ships; nothing is written unless all compile."""
    editions = compile_pinned(mirror)
    for root, files in render_all(editions).items():
        write_tree(files, root)
    return editions


def check_all(mirror: Path | None = None) -> list[str]:
    """Paths whose committed content differs from a fresh build."""
    found = []
    for root, files in render_all(compile_pinned(mirror)).items():
        found += [str((root / name).relative_to(PROJECT_ROOT))
                  for name in differences(files, root)]
    return found


def build_one(path: Path, out: Path) -> Edition:
    """Render the package of one XML file's edition into ``out/edition_<name>/``."""
    pinned = {p.name: p for p in load_manifest()}
    edition = compile_file(path)
    if edition.edition in pinned:
        edition = compile_file(path, pinned[edition.edition])
    files = render_edition(environment(), edition)
    package = f"edition_{edition.edition}"
    write_tree({name.removeprefix(package + "/"): text for name, text in files.items()},
               out / package)
    return edition
