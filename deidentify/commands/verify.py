"""``deidentify verify ORIGINALS DEIDENTIFIED --profile URI``: check de-identified files."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deidentify.commands import EXIT_FAILURES, EXIT_OK, usage_error
from deidentify.plan import CompoundPolicy, Plan
from deidentify.profile import ProfileError, parse_profile
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
    parser.add_argument("--policy", choices=[p.value for p in CompoundPolicy],
                        default=CompoundPolicy.CONFORMANT.value,
                        help="compound action codes the run used (default conformant)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the result here")
    parser.set_defaults(handler=run)



def run(args: argparse.Namespace) -> int:
    """Verify, print the summary and the violations, write the JSON."""
    from deidentify.engine import Deidentifier
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
        result = verify_trees(args.originals, args.deidentified, plan, secret, map_uid)
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
