"""``deidentify apply``: de-identify files and folders into an output folder.

Exit status: 0 every file de-identified or skipped, 1 some files failed (or a worker process
was killed; an object refused for burned-in annotation risk is such a failure, never a silent
success), 2 usage or configuration error (bad profile, unreadable secret, missing input,
output inside an input, CleanPixelDataOption without the pixels extra, a bad region rules
file).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from deidentify.batch import (
    BatchOptions,
    EngineFactory,
    InputError,
    Layout,
    Totals,
    WorkerLost,
    make_progress,
    print_summary,
    run_batch,
)
from deidentify.commands import EXIT_FAILURES, EXIT_OK, new_secret_notice, usage_error
from deidentify.pixels import BurnedIn, PixelMode, PixelSettings, load_cleaner
from deidentify.plan import CompoundPolicy, Plan
from deidentify.profile import ProfileError, parse_profile
from deidentify.secrets import SecretError, load_secret
from deidentify.uids import UIDScheme
from generated.model import Option


def add_pixel_options(parser: argparse.ArgumentParser, burned_in: BurnedIn) -> None:
    """The burned-in annotation options (``apply``, ``sample``)."""
    parser.add_argument("--burned-in", choices=[choice.value for choice in BurnedIn],
                        default=burned_in.value,
                        help="objects at risk of burned-in identity, when the profile does not"
                        " name CleanPixelDataOption: refuse (not written, reported failed) or"
                        f" accept (written uncleaned, and said so) (default {burned_in.value})")
    parser.add_argument("--pixel-mode", choices=[mode.value for mode in PixelMode],
                        default=PixelMode.IDENTIFIERS.value,
                        help="CleanPixelDataOption: blank text matching identifiers and identity"
                        " patterns, or all text but the allow-list (default identifiers)")
    parser.add_argument("--pixel-rules", type=Path,
                        help="CleanPixelDataOption: region rules TOML (rectangles by device)")


def pixel_settings(args: argparse.Namespace) -> PixelSettings:
    """The burned-in annotation settings of parsed options."""
    return PixelSettings(BurnedIn(args.burned_in), PixelMode(args.pixel_mode), args.pixel_rules)


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The options ``apply`` shares with ``sample`` (``sample`` adds the pixel options)."""
    parser.add_argument("--profile", default="deidentify:",
                        help="a deidentify: profile URI (default: the Basic Profile)")
    parser.add_argument("--edition", help="edition of PS3.15 (default: the newest)")
    parser.add_argument("--secret-file", type=Path,
                        help="file holding the secret that keys UIDs, dates and pseudonyms")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--layout", choices=[layout.value for layout in Layout],
                        default=Layout.MIRROR.value,
                        help="mirror the input tree, or Patient ID/Study/Series/SOP Instance "
                        "UID of the de-identified output (default mirror)")
    parser.add_argument("--log", type=Path, help="JSON-lines log, one record per input file")
    parser.add_argument("--policy", choices=[policy.value for policy in CompoundPolicy],
                        default=CompoundPolicy.CONFORMANT.value,
                        help="compound action codes: conformant or strict (default conformant)")
    parser.add_argument("--uid-scheme", choices=[scheme.value for scheme in UIDScheme],
                        default=UIDScheme.KEYED.value,
                        help="replacement UID scheme (default keyed)")
    parser.add_argument("--dicomdir", choices=["drop"], default="drop",
                        help="an input DICOMDIR is never copied (PS3.15 E.1.1): dropped")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress and no summary; failures are still reported")


def register(subparsers: Any) -> None:
    """Add the ``apply`` parser."""
    parser = subparsers.add_parser(
        "apply",
        help="de-identify DICOM files and folders into an output folder",
        description="De-identify every DICOM file of the inputs (folders recursively) into "
        "the output folder. Inputs are never modified; each output appears complete or not "
        "at all; a rerun skips finished outputs.",
    )
    parser.add_argument("inputs", nargs="+", type=Path, metavar="INPUT",
                        help="DICOM files or folders")
    parser.add_argument("--output", type=Path, required=True, help="output folder")
    add_run_options(parser)
    add_pixel_options(parser, BurnedIn.REFUSE)
    parser.set_defaults(handler=run)


def engine_factory(command: str, args: argparse.Namespace) -> EngineFactory:
    """The per-file engine of the run; ProfileError or SecretError when misconfigured."""
    if args.jobs < 1:
        raise ProfileError(f"--jobs must be at least 1, not {args.jobs}")
    policy = CompoundPolicy(args.policy)
    profile = parse_profile(args.profile, edition=args.edition)
    Plan.build(profile, policy)
    pixels = pixel_settings(args)
    if Option.CLEAN_PIXEL_DATA in profile.options:
        load_cleaner(pixels)
    secret = load_secret(args.secret_file, on_create=new_secret_notice(command))
    return EngineFactory(profile.uri, profile.edition, policy, UIDScheme(args.uid_scheme), secret,
                         pixels=pixels)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM stops the run as Ctrl-C does: running files finish, nothing half-written."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_apply(command: str, args: argparse.Namespace, inputs: tuple[Path, ...],
              output: Path) -> tuple[int, Totals | None]:
    """Run a batch from parsed options; the exit status and the totals (None on error)."""
    try:
        factory = engine_factory(command, args)
    except (ProfileError, SecretError) as error:
        return usage_error(command, str(error)), None
    options = BatchOptions(inputs=inputs, output=output, layout=Layout(args.layout),
                           jobs=args.jobs, log=args.log, identity=factory.identity)
    progress = make_progress(sys.stderr, args.quiet)
    try:
        with terminate_as_interrupt():
            totals = run_batch(options, factory, progress)
    except InputError as error:
        return usage_error(command, str(error)), None
    except WorkerLost as error:
        print(f"deidentify {command}: {error}", file=sys.stderr)
        return EXIT_FAILURES, None
    except OSError as error:
        where = error.filename or output
        return usage_error(command, f"{where}: {error.strerror or 'cannot be written'}"), None
    if not args.quiet:
        print_summary(totals, sys.stdout)
    return (EXIT_FAILURES if totals.failed else EXIT_OK), totals


def run(args: argparse.Namespace) -> int:
    """De-identify the inputs; the exit status."""
    status, _ = run_apply("apply", args, tuple(args.inputs), args.output)
    return status
