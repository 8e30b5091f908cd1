"""``deidentify reidentify``: put the sealed originals back, with the recipient's private key.

Every DICOM file under the inputs that carries an Encrypted Attributes Sequence the key opens
is written, re-identified, to the same relative path in the output folder (PS3.15 E.1.2;
docs/linkage.md). The key's passphrase is read as the secret is: ``--key-passphrase-file``,
else the file named by ``DEIDENTIFY_KEY_PASSPHRASE_FILE``, else ``DEIDENTIFY_KEY_PASSPHRASE``;
it is never printed. Exit status: 0 every DICOM file re-identified, 1 some could not be, 2
usage or configuration error (a key or certificate that cannot be used).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from deidentify.commands import EXIT_FAILURES, EXIT_OK, usage_error

PASSPHRASE_FILE_VARIABLE = "DEIDENTIFY_KEY_PASSPHRASE_FILE"
PASSPHRASE_VARIABLE = "DEIDENTIFY_KEY_PASSPHRASE"
RUN_FILES = ".deidentify-"
"""The names of what ``apply`` keeps in an output folder (its run record, temporary files)."""


def register(subparsers: Any) -> None:
    """Add the ``reidentify`` parser."""
    parser = subparsers.add_parser(
        "reidentify",
        help="restore the originals sealed by --encrypt-to, with the recipient's private key",
        description="Restore the original values sealed in the Encrypted Attributes Sequence "
        "of de-identified files (by this tool's --encrypt-to or gdcmanon -e).",
    )
    parser.add_argument("inputs", nargs="+", type=Path, metavar="INPUT",
                        help="de-identified DICOM files or folders")
    parser.add_argument("--key", type=Path, required=True,
                        help="the recipient's RSA private key (PEM or DER)")
    parser.add_argument("--certificate", type=Path,
                        help="the recipient's certificate (default: the one in the key file)")
    parser.add_argument("--key-passphrase-file", type=Path,
                        help="file holding the private key's passphrase")
    parser.add_argument("--output", type=Path, required=True, help="output folder")
    parser.set_defaults(handler=run)


def read_passphrase(path: Path | None, environ: os._Environ[str] = os.environ) -> bytes | None:
    """The key's passphrase from a file or the environment (None: the key is not encrypted)."""
    from deidentify.linkage.errors import CredentialError

    if path is None and environ.get(PASSPHRASE_FILE_VARIABLE):
        path = Path(environ[PASSPHRASE_FILE_VARIABLE])
    if path is not None:
        try:
            return path.read_bytes().rstrip(b"\r\n")
        except OSError as error:
            raise CredentialError(f"{path}: cannot read the passphrase file "
                                  f"({error.strerror})") from None
    value = environ.get(PASSPHRASE_VARIABLE)
    return value.encode("utf-8") if value else None


def _files(inputs: list[Path]) -> Iterator[tuple[Path, Path]]:
    """(file, path relative to the output folder) of every input file."""
    for given in inputs:
        if given.is_dir():
            for path in sorted(given.rglob("*")):
                if path.is_file() and not path.name.startswith(RUN_FILES):
                    relative = path.relative_to(given)
                    yield path, (Path(given.name) / relative if len(inputs) > 1 else relative)
        else:
            yield given, Path(given.name)


def run(args: argparse.Namespace) -> int:
    """Re-identify the inputs; the exit status."""
    from deidentify.linkage.errors import MISSING_EXTRA, CredentialError

    try:
        from deidentify.linkage import encrypted
        from deidentify.linkage.reidentify import InvalidDicomError, NotSealed, reidentify_file
    except ImportError:
        return usage_error("reidentify", MISSING_EXTRA)
    for given in args.inputs:
        if not given.exists():
            return usage_error("reidentify", f"{given}: no such file or folder")
        if given.is_dir() and args.output.resolve().is_relative_to(given.resolve()):
            return usage_error("reidentify", f"{args.output}: the output folder is inside "
                               f"the input folder {given}")
    try:
        key = encrypted.load_private_key(args.key, read_passphrase(args.key_passphrase_file))
        certificate = encrypted.load_certificate(args.certificate or args.key)
    except CredentialError as error:
        return usage_error("reidentify", str(error))
    done = skipped = failed = 0
    for path, relative in _files(args.inputs):
        try:
            reidentify_file(path, args.output / relative, certificate, key)
            done += 1
        except InvalidDicomError:
            skipped += 1
        except NotSealed as error:
            failed += 1
            print(f"deidentify reidentify: {path}: {error}", file=sys.stderr)
        except (OSError, ValueError, EOFError) as error:
            failed += 1
            print(f"deidentify reidentify: {path}: cannot be re-identified "
                  f"({type(error).__name__})", file=sys.stderr)
    print(f"re-identified {done}, skipped {skipped} (not DICOM), failed {failed}")
    return EXIT_FAILURES if failed else EXIT_OK
