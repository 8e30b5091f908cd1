"""``deidentify verify ORIGINALS DEIDENTIFIED --profile URI``: check de-identified files."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from deidentify.commands import EXIT_FAILURES, EXIT_OK, usage_error
from deidentify.commands.names import POLICIES
from deidentify.uids import UIDScheme

if TYPE_CHECKING:
    from deidentify.verify import VerifyResult

SHOWN = 200
"""Violations printed at most; --json holds them all."""


def register(subparsers: Any) -> None:
    """Add the ``verify`` parser."""
    parser = subparsers.add_parser(
        "verify",
        help="check de-identified files against their originals and a profile",
        description="Pair each de-identified file with its original, check every attribute "
        "against its effective action (recursively through sequences) and search every value "
        "and the raw bytes for identifying values of the original. Works on any tool's "
        "output. Exit status 0: no violation; 1: violations; 2: usage error.",
    )
    parser.add_argument("originals", type=Path, help="the original file or folder")
    parser.add_argument("deidentified", type=Path, help="the de-identified file or folder")
    parser.add_argument("--profile", required=True, help="the deidentify: URI applied")
    parser.add_argument("--edition", help="edition of PS3.15 (default: the newest)")
    parser.add_argument("--secret-file", type=Path,
                        help="the run's secret: pairs files through the keyed UID mapping "
                        "and keys the fingerprints")
    parser.add_argument("--uid-scheme", choices=[s.value for s in UIDScheme],
                        default=UIDScheme.KEYED.value,
                        help="UID scheme of the run, with --secret-file (default keyed)")
    parser.add_argument("--policy", choices=POLICIES, default="conformant",
                        help="compound action codes the run used (default conformant)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the result here")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress line on standard error")
    parser.set_defaults(handler=run)


class PairProgress:
    """Pairs checked so far, on standard error: one line rewritten in place on a terminal,
    else a line every few seconds."""

    INTERVAL = 2.0

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.terminal = stream.isatty()
        self.last = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        finished = done == total
        interval = 0.2 if self.terminal else self.INTERVAL
        if total == 0 or (not (finished and self.shown) and now - self.last < interval):
            return
        self.last = now
        line = f"deidentify verify: {done}/{total} pairs checked"
        if self.terminal:
            self.stream.write("\r" + line + ("\n" if finished else ""))
        else:
            self.stream.write(line + "\n")
        self.shown = True
        self.stream.flush()


def run(args: argparse.Namespace) -> int:
    """Verify, print the summary and the violations, write the JSON."""
    from deidentify.engine import Deidentifier
    from deidentify.plan import Plan
    from deidentify.profile import CompoundPolicy, ProfileError, parse_profile
    from deidentify.report.output import write_text_atomically
    from deidentify.secrets import SecretError, load_secret
    from deidentify.verify import VerifyUsageError, verify_trees

    try:
        plan = Plan.build(parse_profile(args.profile, edition=args.edition),
                          CompoundPolicy(args.policy))
        secret = load_secret(args.secret_file) if args.secret_file is not None else None
    except (ProfileError, SecretError) as error:
        return usage_error("verify", str(error))
    map_uid = None
    if secret is not None:
        map_uid = Deidentifier(plan, secret, UIDScheme(args.uid_scheme)).map_uid
    try:
        progress = None if args.quiet else PairProgress(sys.stderr)
        result = verify_trees(args.originals, args.deidentified, plan, secret, map_uid,
                              progress)
    except VerifyUsageError as error:
        return usage_error("verify", str(error))
    if result.pairs == 0 and result.passed:
        return usage_error(
            "verify",
            f"{args.deidentified}: no de-identified file could be paired with an original"
            f" under {args.originals}",
        )
    if args.json is not None:
        target: Path = args.json
        try:
            write_text_atomically(target, result.as_json())
        except OSError as error:
            return usage_error("verify", f"{target}: {error.strerror or error}")
    status = EXIT_OK if result.passed else EXIT_FAILURES
    try:
        _print(result)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return status


def _print(result: VerifyResult) -> None:
    print(result.summary())
    violations = sorted(result.violations)
    for violation in violations[:SHOWN]:
        print(violation.line())
    if len(violations) > SHOWN:
        print(f"... and {len(violations) - SHOWN} more violations")
    sys.stdout.flush()
