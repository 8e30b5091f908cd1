"""``deidentify apply``: de-identify files and folders into an output folder.

Exit status: 0 every file de-identified or skipped, 1 some files failed (or a worker process
was killed, or the log could not be written), 2 usage or configuration error (bad profile,
unreadable secret, missing or empty input, output inside an input, another run writing to the
output folder, a log file that cannot be created), 130 stopped by SIGINT or SIGTERM after the
files in progress, which are recorded; an object refused for burned-in annotation risk
is such a failure, never a silent success). CleanPixelDataOption without the pixels extra and
a bad region rules file are usage errors (2).
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
from typing import TYPE_CHECKING, Any

from deidentify.beyond import UnknownPolicy
from deidentify.commands import (
    EXIT_FAILURES,
    EXIT_INTERRUPTED,
    EXIT_OK,
    new_secret_notice,
    usage_error,
)
from deidentify.commands.names import (
    BURNED_IN,
    CHECK_KEY,
    INFLATION_FLOOR,
    LAYOUTS,
    MAX_INFLATE_RATIO,
    MAX_INFLATED_BYTES,
    MB,
    NAME_MODES,
    PIXEL_MODES,
    POLICIES,
    RUN_RECORD,
)
from deidentify.uids import UIDScheme

if TYPE_CHECKING:
    from deidentify.batch import EngineFactory, Totals
    from deidentify.batch.files import FileFunctionFactory
    from deidentify.batch.pool import TaskPool
    from deidentify.linkage.settings import LinkageSettings
    from deidentify.pixels import PixelSettings
    from deidentify.profile import Profile

def add_pixel_options(parser: argparse.ArgumentParser, burned_in: str) -> None:
    """The burned-in annotation options (``apply``, ``sample``); ``burned_in``: the default
    of ``--burned-in``, a ``BurnedIn`` value."""
    parser.add_argument("--burned-in", choices=BURNED_IN, default=burned_in,
                        help="objects at risk of burned-in identity, when the profile does not"
                        " name CleanPixelDataOption: refuse (not written, reported failed) or"
                        f" accept (written uncleaned, and said so) (default {burned_in})")
    parser.add_argument("--pixel-mode", choices=PIXEL_MODES, default="identifiers",
                        help="CleanPixelDataOption: blank text matching identifiers and identity"
                        " patterns, or all text but the allow-list (default identifiers)")
    parser.add_argument("--pixel-rules", type=Path,
                        help="CleanPixelDataOption: region rules TOML (rectangles by device)")


def pixel_settings(args: argparse.Namespace) -> PixelSettings:
    """The burned-in annotation settings of parsed options."""
    from deidentify.pixels import BurnedIn, PixelMode, PixelSettings

    return PixelSettings(BurnedIn(args.burned_in), PixelMode(args.pixel_mode), args.pixel_rules)


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The options ``apply`` shares with ``sample`` (``sample`` adds the pixel options)."""
    parser.add_argument("--profile", default="deidentify:",
                        help="a deidentify: profile URI (default: the Basic Profile)")
    parser.add_argument("--edition", help="edition of PS3.15 (default: the newest)")
    parser.add_argument("--secret-file", type=Path,
                        help="file holding the secret that keys UIDs, dates and pseudonyms")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--layout", choices=LAYOUTS, default="mirror",
                        help="mirror the input tree, or Patient ID/Study/Series/SOP Instance "
                        "UID of the de-identified output (default mirror)")
    parser.add_argument("--log", type=Path, help="JSON-lines log, one record per input file")
    parser.add_argument("--policy", choices=POLICIES, default="conformant",
                        help="compound action codes: conformant or strict (default conformant)")
    parser.add_argument("--unknown", choices=[policy.value for policy in UnknownPolicy],
                        default=UnknownPolicy.REMOVE.value,
                        help="public elements no dictionary defines and elements whose VR "
                        "contradicts the dictionary: remove or keep (default remove)")
    parser.add_argument("--uid-scheme", choices=[scheme.value for scheme in UIDScheme],
                        default=UIDScheme.KEYED.value,
                        help="replacement UID scheme (default keyed)")
    parser.add_argument("--dicomdir", choices=["drop"], default="drop",
                        help="an input DICOMDIR is never copied (PS3.15 E.1.1): dropped")
    parser.add_argument("--max-inflated-mb", type=float, default=MAX_INFLATED_BYTES / MB,
                        help="a deflated dataset inflating past this many MB is refused "
                        f"(default {MAX_INFLATED_BYTES / MB:g})")
    parser.add_argument("--max-inflate-ratio", type=float, default=MAX_INFLATE_RATIO,
                        help="... or past this many times its deflated size, once beyond "
                        f"{INFLATION_FLOOR / MB:g} MB (default {MAX_INFLATE_RATIO:g})")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress and no summary; failures are still reported")
    parser.add_argument("--summary-json", type=Path, metavar="FILE",
                        help="also write the summary here, as JSON (written atomically)")
    add_linkage_options(parser)


def add_linkage_options(parser: argparse.ArgumentParser) -> None:
    """Patient pseudonyms, lookup tables, linkage files, sealed originals (docs/linkage.md)."""
    group = parser.add_argument_group("linkage (docs/linkage.md)")
    group.add_argument("--patient-name", choices=NAME_MODES, default="pseudonym",
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
    from deidentify.linkage.pseudonyms import NameMode
    from deidentify.linkage.settings import LinkageSettings

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
    parser.add_argument("--files-from", type=Path, metavar="LIST",
                        help="de-identify the files LIST names, one path a line relative to "
                        "the one INPUT folder, instead of every file under it")
    parser.add_argument("--cluster", metavar="ADDRESS",
                        help="run on a Dask cluster: tcp://SCHEDULER:8786, or local:N for N "
                        "worker processes on this machine (extra 'distributed')")
    parser.add_argument("--worker-secret-file", metavar="PATH",
                        help="with --cluster: the workers read the secret from PATH on their "
                        "shared storage instead of receiving it from this command")
    add_run_options(parser)
    add_pixel_options(parser, "refuse")
    parser.set_defaults(handler=run)


def run_start(command: str, args: argparse.Namespace,
              output: Path | None = None) -> tuple[Profile, bytes]:
    """The run's profile and secret, checked (ProfileError, SecretError) before the engine
    and pydicom are imported, so that the hash checking the secret against ``output``'s run
    record (when given) runs in a background thread beside that import
    (``deidentify.secrets.check_ahead``)."""
    from deidentify.profile import ProfileError, parse_profile
    from deidentify.secrets import check_ahead, load_secret

    if args.jobs < 1:
        raise ProfileError(f"--jobs must be at least 1, not {args.jobs}")
    if args.max_inflated_mb <= 0 or args.max_inflate_ratio <= 0:
        raise ProfileError("--max-inflated-mb and --max-inflate-ratio must be positive")
    cluster = getattr(args, "cluster", None)
    if cluster is None and getattr(args, "worker_secret_file", None) is not None:
        raise ProfileError("--worker-secret-file needs --cluster")
    if cluster is not None and args.jobs != 1:
        raise ProfileError("--jobs is for this machine; with --cluster the cluster's workers "
                           "run the files")
    profile = parse_profile(args.profile, edition=args.edition)
    secret = load_secret(args.secret_file, on_create=new_secret_notice(command))
    if output is not None:
        check_ahead(secret, recorded_check(output))
    return profile, secret


def engine_factory(args: argparse.Namespace, profile: Profile, secret: bytes) -> EngineFactory:
    """The per-file engine of the run; ProfileError or LinkageError when misconfigured."""
    from deidentify.batch import EngineFactory
    from deidentify.inflation import InflationLimit
    from deidentify.pixels import load_cleaner
    from deidentify.profile import CompoundPolicy, ProfileError
    from generated.model import Option

    policy = CompoundPolicy(args.policy)
    unknown = UnknownPolicy(args.unknown)
    inflation = InflationLimit(int(args.max_inflated_mb * MB), args.max_inflate_ratio)
    pixels = pixel_settings(args)
    if Option.CLEAN_PIXEL_DATA in profile.options:
        load_cleaner(pixels)
    elif pixels.rules is not None:
        raise ProfileError(f"--pixel-rules is for {Option.CLEAN_PIXEL_DATA.value}: name it in"
                           " --profile, or leave the rules out")
    linkage = linkage_settings(args)
    return EngineFactory(profile.uri, profile.edition, policy, UIDScheme(args.uid_scheme), secret,
                         unknown=unknown, inflation=inflation, linkage=linkage,
                         pixels=pixels)


def recorded_check(output: Path) -> str | None:
    """The check of the secret that ``output``'s run record holds, if it can be read."""
    try:
        text = (output / RUN_RECORD).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key == CHECK_KEY:
            return value
    return None


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM ask the run to stop: files in progress finish and are recorded,
    nothing new starts. A second signal interrupts at once (KeyboardInterrupt)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def request_stop(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {number: signal.signal(number, request_stop)
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def run_apply(command: str, args: argparse.Namespace, inputs: tuple[Path, ...],
              output: Path) -> tuple[int, Totals | None]:
    """Run a batch from parsed options; the exit status and the totals (None on error)."""
    from deidentify.batch.discovery import several_files
    from deidentify.batch.files import import_engine
    from deidentify.batch.processes import start_workers_ahead
    from deidentify.profile import ProfileError
    from deidentify.secrets import SecretError

    try:
        profile, secret = run_start(command, args, output)
    except (ProfileError, SecretError) as error:
        return usage_error(command, str(error)), None
    if args.jobs > 1 and several_files(inputs, getattr(args, "files_from", None)):
        start_workers_ahead()
    elif getattr(args, "cluster", None) is None:
        import_engine()
    from deidentify.linkage.errors import LinkageError

    try:
        factory = engine_factory(args, profile, secret)
    except (ProfileError, LinkageError) as error:
        return usage_error(command, str(error)), None
    from deidentify.batch import (
        BatchOptions,
        InputError,
        Layout,
        WorkerLost,
        make_progress,
        print_summary,
        run_batch,
    )
    from deidentify.batch.log import LogError
    from deidentify.batch.summary import write_summary_json
    from deidentify.linkage.settings import LINKAGE_WARNING

    cluster: str | None = getattr(args, "cluster", None)
    worker_secret_file: str | None = getattr(args, "worker_secret_file", None)
    options = BatchOptions(inputs=inputs, output=output, layout=Layout(args.layout),
                           jobs=args.jobs, log=args.log, identity=factory.identity,
                           other_outputs=tuple(p for p in (args.summary_json,) if p),
                           files_from=getattr(args, "files_from", None),
                           linkage=args.linkage)
    if args.linkage is not None:
        print(f"deidentify {command}: {LINKAGE_WARNING.format(folder=args.linkage)}",
              file=sys.stderr)
    refusals: tuple[type[Exception], ...] = (InputError, LogError)
    if cluster is not None:
        from deidentify.cluster import ClusterError, open_session

        refusals += (ClusterError,)
    progress = make_progress(sys.stderr, args.quiet)
    stop = threading.Event()
    try:
        with stop_on_signals(stop), contextlib.ExitStack() as stack:
            pool: TaskPool | None = None
            run_factory: FileFunctionFactory = factory
            if cluster is not None:
                session = stack.enter_context(open_session(cluster, factory, worker_secret_file))
                pool, run_factory = session.pool, session.factory
            totals = run_batch(options, run_factory, progress, stop, pool)
    except refusals as error:
        return usage_error(command, str(error)), None
    except WorkerLost as error:
        print(f"deidentify {command}: {error}", file=sys.stderr)
        return EXIT_FAILURES, None
    except OSError as error:
        where = error.filename or output
        return usage_error(command, f"{where}: {error.strerror or 'cannot be written'}"), None
    status = _status(command, totals)
    if not args.quiet:
        print_summary(totals, sys.stdout)
    if args.summary_json is not None:
        try:
            write_summary_json(args.summary_json, totals, status)
        except OSError as error:
            print(f"deidentify {command}: {args.summary_json}: cannot write the summary"
                  f" ({error.strerror or 'I/O error'})", file=sys.stderr)
            status = max(status, EXIT_FAILURES)
    return status, totals


def _status(command: str, totals: Totals) -> int:
    """The exit status of a finished or stopped run, saying why it stopped."""
    if totals.log_error is not None:
        print(f"deidentify {command}: {totals.log_error}; the run stopped after the files in"
              " progress: outputs written are kept and recorded in the output folder's"
              " .deidentify-manifest; rerun to resume", file=sys.stderr)
        return EXIT_FAILURES
    if totals.interrupted:
        print(f"deidentify {command}: interrupted after the files in progress, every output"
              " written is recorded; rerun to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_FAILURES if totals.failed else EXIT_OK


def run(args: argparse.Namespace) -> int:
    """De-identify the inputs; the exit status."""
    status, _ = run_apply("apply", args, tuple(args.inputs), args.output)
    return status
