"""Compile editions from their XML and render or check the generated tree."""

from __future__ import annotations

from pathlib import Path

from compiler.conformance import render_conformance_tests
from compiler.model import Edition
from compiler.reader import EditionReader
from compiler.render import (
    Tree,
    differences,
    environment,
    render_edition,
    render_package,
    write_tree,
)
from compiler.sources import (
    PROJECT_ROOT,
    PinnedEdition,
    load_manifest,
    obtain,
    sha256_of,
)

GENERATED = Tree(PROJECT_ROOT / "generated")
CONFORMANCE_TESTS = Tree(PROJECT_ROOT / "tests" / "conformance", "test_conformance_*.py")
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


def render_all(editions: list[Edition]) -> list[tuple[Tree, dict[str, str]]]:
    """Every generated tree with its files: generated/ and the conformance tests."""
    env = environment()
    default = editions[-1].edition
    return [
        (GENERATED, render_package(env, editions)),
        (CONFORMANCE_TESTS, render_conformance_tests(env, editions, default)),
    ]


def build_all(mirror: Path | None = None) -> list[Edition]:
    """Regenerate every tree the manifest ships; nothing is written unless all compile."""
    editions = compile_pinned(mirror)
    for tree, files in render_all(editions):
        write_tree(files, tree)
    return editions


def check_all(mirror: Path | None = None) -> list[str]:
    """Paths whose committed content differs from a fresh build."""
    found = []
    for tree, files in render_all(compile_pinned(mirror)):
        found += [str((tree.root / name).relative_to(PROJECT_ROOT))
                  for name in differences(files, tree)]
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
               Tree(out / package))
    return edition
