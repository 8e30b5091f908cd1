"""``deidentify report --profile URI``: the conformance report of a profile under an edition."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from deidentify.beyond import UnknownPolicy
from deidentify.commands import EXIT_OK, usage_error
from deidentify.commands.names import POLICIES
from deidentify.uids import UIDScheme

FORMAT_NAMES = ("csv", "html", "json", "md")
"""The formats of ``deidentify.report.FORMATS``, named here so that the parser is built
without importing the report's renderers."""


def register(subparsers: Any) -> None:
    """Add the ``report`` parser."""
    parser = subparsers.add_parser(
        "report",
        help="the conformance report of a profile: every attribute and what is done to it",
        description="State, for one profile under one edition of PS3.15, every attribute of "
        "Table E.1-1 with its Basic code, its effective code under the options and what this "
        "tool concretely does; the conflicts between options and what is not implemented.",
    )
    parser.add_argument("--profile", required=True, help="a deidentify: URI")
    parser.add_argument("--edition", help="edition of PS3.15 (default: the newest)")
    parser.add_argument("--format", choices=FORMAT_NAMES, default="md",
                        help="output format (default md)")
    parser.add_argument("--output", type=Path, help="write here instead of standard output")
    parser.add_argument("--diff", metavar="OTHER_EDITION",
                        help="also show what changes for this profile from OTHER_EDITION")
    parser.add_argument("--policy", choices=POLICIES, default="conformant",
                        help="compound action codes: conformant or strict (default conformant)")
    parser.add_argument("--compound", dest="policy", choices=POLICIES,
                        help=argparse.SUPPRESS)
    parser.add_argument("--unknown", choices=[p.value for p in UnknownPolicy],
                        default=UnknownPolicy.REMOVE.value,
                        help="the run's setting for unknown elements (default remove)")
    parser.add_argument("--uid-scheme", choices=[s.value for s in UIDScheme],
                        default=UIDScheme.KEYED.value,
                        help="replacement UID scheme the run uses (default keyed)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Build the report (and the diff) and write it."""
    from deidentify.plan import Plan
    from deidentify.profile import CompoundPolicy, ProfileError, parse_profile
    from deidentify.report import FORMATS, build_report, diff_reports
    from deidentify.report.output import write_text_atomically

    policy = CompoundPolicy(args.policy)
    unknown = UnknownPolicy(args.unknown)
    scheme = UIDScheme(args.uid_scheme)
    try:
        profile = parse_profile(args.profile, edition=args.edition)
        report = build_report(Plan.build(profile, policy, unknown), scheme)
        diff = None
        if args.diff is not None:
            other = parse_profile(profile.uri, edition=args.diff)
            diff = diff_reports(build_report(Plan.build(other, policy, unknown), scheme), report)
    except ProfileError as error:
        return usage_error("report", str(error))
    text = FORMATS[args.format](report, diff)
    if args.output is None:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    output: Path = args.output
    try:
        write_text_atomically(output, text)
    except OSError as error:
        return usage_error("report", f"{output}: {error.strerror or error}")
    return EXIT_OK
