"""``python -m compiler``: fetch editions, build generated/, diff editions."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from compiler.build import build_all, build_one, check_all, compile_file
from compiler.diff import as_json, as_markdown, diff_editions
from compiler.errors import CompileError
from compiler.model import Edition
from compiler.sources import find_pinned, load_manifest, obtain


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m compiler", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    fetch = commands.add_parser("fetch", help="obtain and verify an edition's XML")
    fetch.add_argument("edition", help="an edition of standard/manifest.toml, e.g. 2026c")
    fetch.add_argument("--mirror", type=Path, help="a folder of part15-<edition>.xml files")

    build = commands.add_parser("build", help="render generated/ (all pinned editions)")
    build.add_argument("--xml", type=Path, help="one XML file to compile instead")
    build.add_argument("--out", type=Path, help="where --xml's edition package goes")
    build.add_argument("--check", action="store_true",
                       help="compare with what is committed; write nothing")
    build.add_argument("--mirror", type=Path, help="a folder of part15-<edition>.xml files")

    diff = commands.add_parser("diff", help="compare Table E.1-1 of two editions")
    diff.add_argument("old", help="an XML file or a pinned edition name")
    diff.add_argument("new", help="an XML file or a pinned edition name")
    diff.add_argument("--format", choices=("md", "json"), default="md")
    diff.add_argument("--mirror", type=Path, help="a folder of part15-<edition>.xml files")
    return parser


def _edition(source: str, mirror: Path | None) -> Edition:
    path = Path(source)
    if path.suffix == ".xml" or path.exists():
        return compile_file(path)
    pinned = find_pinned(source, load_manifest())
    return compile_file(obtain(pinned, mirror), pinned)


def _run(args: argparse.Namespace) -> int:
    if args.command == "fetch":
        print(obtain(find_pinned(args.edition, load_manifest()), args.mirror))
        return 0
    if args.command == "diff":
        diff = diff_editions(_edition(args.old, args.mirror), _edition(args.new, args.mirror))
        sys.stdout.write(as_json(diff) if args.format == "json" else as_markdown(diff))
        return 0
    if args.xml is not None:
        if args.out is None or args.check:
            raise CompileError("build --xml needs --out DIR (and does not take --check)")
        edition = build_one(args.xml, args.out)
        print(f"{args.xml}: PS3.15 {edition.edition}, {len(edition.attributes)} attributes"
              f" -> {args.out / ('edition_' + edition.edition)}")
        return 0
    if args.check:
        stale = check_all(args.mirror)
        for path in stale:
            print(f"differs from a fresh build: {path}", file=sys.stderr)
        if stale:
            print("run `python -m compiler build` and commit the result", file=sys.stderr)
        return 1 if stale else 0
    for edition in build_all(args.mirror):
        merged = len(edition.merged_duplicates)
        print(f"PS3.15 {edition.edition}: {edition.source_rows} rows of Table E.1-1"
              f" ({merged} duplicate tags merged), {len(edition.safe_private)} safe private,"
              f" {len(edition.content_items)} content items")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run one compiler command; a CompileError is one line on stderr and exit status 1."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except CompileError as error:
        print(f"compiler: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
