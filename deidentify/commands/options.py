"""``deidentify options [--edition E]``: the option names a profile URI may use, per edition.

One line per option the edition's Table E.1-1 has (and this tool's own), with its code
(CID 7050, or 99DCM4CHE for RetainPatientIDHashOption) and whether this tool supports it.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from deidentify.commands import EXIT_OK, usage_error


def register(subparsers: Any) -> None:
    """Add the ``options`` parser."""
    parser = subparsers.add_parser(
        "options",
        help="list the option names a deidentify: profile URI may use",
        description="List the de-identification options of one edition of PS3.15 (their "
        "names in deidentify: URIs) with their CID 7050 codes.",
    )
    parser.add_argument("--edition", help="edition of PS3.15 (default: the newest)")
    parser.set_defaults(handler=run)


def option_lines(edition: str) -> list[str]:
    """The listing of an edition: name, code, scheme, meaning, and support."""
    import generated
    from deidentify.profile import TOOL_OPTIONS, UNSUPPORTED
    from generated import Option

    available = set(generated.load(edition).options) | TOOL_OPTIONS
    options = [option for option in Option if option in available]
    width = max(len(option.value) for option in options)
    lines = []
    for option in options:
        code = option.code
        note = f"  (not supported: {UNSUPPORTED[option]})" if option in UNSUPPORTED else ""
        lines.append(f"{option.value:<{width}}  {code.scheme} {code.value}  {code.meaning}{note}")
    return lines


def run(args: argparse.Namespace) -> int:
    """Print the options of the edition."""
    from deidentify.profile import ProfileError, resolve_edition

    try:
        edition = resolve_edition(args.edition)
    except ProfileError as error:
        return usage_error("options", str(error))
    sys.stdout.write(f"PS3.15 {edition}: options of deidentify: URIs, e.g. "
                     "deidentify:RetainUIDsOption,CleanDescriptorsOption\n")
    sys.stdout.write("".join(line + "\n" for line in option_lines(edition)))
    return EXIT_OK
