"""``deidentify apply``: de-identify files and folders into an output folder.

Exit status: 0 every file de-identified or skipped, 1 some files failed (or a worker process
was killed), 2 usage or configuration error (bad profile, unreadable secret, missing input,
output inside an input).
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
from deidentify.linkage.errors import LinkageError
from deidentify.linkage.pseudonyms import NameMode
from deidentify.linkage.settings import LINKAGE_WARNING, LinkageSettings
from deidentify.plan import CompoundPolicy, Plan
from deidentify.profile import ProfileError, parse_profile
from deidentify.secrets import SecretError, load_secret
from deidentify.uids import UIDScheme


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The options ``apply`` shares with ``sample``."""
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
    add_linkage_options(parser)


def add_linkage_options(parser: argparse.ArgumentParser) -> None:
    """Patient pseudonyms, lookup tables, linkage files, sealed originals (docs/linkage.md)."""
    group = parser.add_argument_group("linkage (docs/linkage.md)")
    group.add_argument("--patient-name", choices=[mode.value for mode in NameMode],
                       default=NameMode.PSEUDONYM.value,
                       help="Patient's Name: the patient's pseudonym (default) or empty")
    group.add_argument("--patient-map", type=Path, metavar="FILE.csv",
                       help="lookup table: PatientID,NewPatientID[,NewPatientName]"
                       "[,IssuerOfPatientID]; listed patients get exactly these values")
    group.add_argument("--patient-map-missing", choices=["fail", "keyed"], default="fail",
                       help="a patient missing from the table: its files fail (default) or "
                       "get the keyed pseudonym")
    group.add_argument("--linkage", type=Path, metavar="DIR",
                       help="write patients.csv and uids.csv (id_old,id_new) of every "
                       "replacement the outputs carry: they identify, keep them safe")
    group.add_argument("--encrypt-to", type=Path, metavar="CERT.pem",
                       help="seal the original values in an Encrypted Attributes Sequence "
                       "for this certificate's RSA key (re-identification, extra 'linkage')")


def linkage_settings(args: argparse.Namespace) -> LinkageSettings:
    """The run's linkage settings, checked (LinkageError for a bad table or certificate)."""
    settings = LinkageSettings(
        patient_map=args.patient_map,
        missing_keyed=args.patient_map_missing == "keyed",
        name_mode=NameMode(args.patient_name),
        record=args.linkage is not None,
        encrypt_to=args.encrypt_to,
    )
    settings.check()
    return settings


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
    parser.set_defaults(handler=run)


def engine_factory(command: str, args: argparse.Namespace) -> EngineFactory:
    """The per-file engine of the run; ProfileError or SecretError when misconfigured."""
    if args.jobs < 1:
        raise ProfileError(f"--jobs must be at least 1, not {args.jobs}")
    policy = CompoundPolicy(args.policy)
    profile = parse_profile(args.profile, edition=args.edition)
    Plan.build(profile, policy)
    linkage = linkage_settings(args)
    secret = load_secret(args.secret_file, on_create=new_secret_notice(command))
    return EngineFactory(profile.uri, profile.edition, policy, UIDScheme(args.uid_scheme), secret,
                         linkage=linkage)


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
    except (ProfileError, SecretError, LinkageError) as error:
        return usage_error(command, str(error)), None
    options = BatchOptions(inputs=inputs, output=output, layout=Layout(args.layout),
                           jobs=args.jobs, log=args.log, identity=factory.identity,
                           linkage=args.linkage)
    if args.linkage is not None:
        print(f"deidentify {command}: {LINKAGE_WARNING.format(folder=args.linkage)}",
              file=sys.stderr)
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
