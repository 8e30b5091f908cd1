"""``deidentify serve --config node.toml``: run the de-identifying DICOM node until SIGTERM."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deidentify.commands import EXIT_OK, new_secret_notice, usage_error

if TYPE_CHECKING:
    from types import FrameType


def register(subparsers: Any) -> None:
    """Add the ``serve`` parser."""
    parser = subparsers.add_parser(
        "serve",
        help="run a DICOM node that de-identifies C-STORE, worklist C-FIND and MPPS",
        description="Run a DICOM node (Storage SCP, worklist and MPPS relay) that applies the "
        "configuration's coercion rules; stops cleanly on SIGTERM. Needs the 'net' extra.",
    )
    parser.add_argument("--config", required=True, type=Path, help="the node's TOML file")
    parser.add_argument(
        "--log-level", default="info", choices=("debug", "info", "warning", "error"),
        help="log level (default info); no level logs identifiers",
    )
    parser.set_defaults(handler=run)



def run(args: argparse.Namespace) -> int:
    """Load the configuration, start the node, wait for SIGTERM or SIGINT, stop cleanly."""
    import logging
    import signal
    import sqlite3
    import ssl
    import threading

    try:
        from deidentify.net.node import Node
    except ImportError:
        return usage_error("serve", "needs pynetdicom: pip install 'deidentify[net]'")
    from deidentify.linkage.errors import LinkageError
    from deidentify.linkage.settings import LINKAGE_WARNING
    from deidentify.net.coercion import Coercer
    from deidentify.net.config import load_config
    from deidentify.net.engine import engines
    from deidentify.net.issued import IssuedUIDs
    from deidentify.net.rules import RulesError
    from deidentify.secrets import SecretError, load_secret
    from deidentify.writer import write

    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    config_path: Path = args.config
    try:
        config = load_config(config_path)
        config.linkage.check()
        secret = load_secret(config.secret_file, on_create=new_secret_notice("serve"))
        linkage = config.linkage.build(secret)
        coercer = Coercer(
            config.rules, engines(secret, config.edition, unknown=config.unknown, linkage=linkage,
                                  pixels=config.pixels),
            IssuedUIDs(config.issued_uids),
        )
    except (RulesError, SecretError, LinkageError, sqlite3.Error) as error:
        message = str(error)
        if not message.startswith(str(config_path)):
            message = f"{config_path}: {message}"
        return usage_error("serve", message)
    except OSError as error:
        return usage_error("serve", f"{config_path}: {error.strerror or error}")
    if config.linkage_folder is not None:
        print(f"deidentify serve: {LINKAGE_WARNING.format(folder=config.linkage_folder)}",
              file=sys.stderr)
    node = Node(config, coercer, secret, write, linkage)
    try:
        node.start()
    except ssl.SSLError as error:
        reason = error.reason or "PEM certificate and matching private key expected"
        return usage_error(
            "serve", f"{config_path}: [tls]: cannot load the certificate and key ({reason})"
        )
    except OSError as error:
        where = f"{config.host}:{config.port}"
        return usage_error("serve", f"cannot listen on {where}: {error.strerror or error}")
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    while not stopping.wait(timeout=1.0):
        pass
    node.stop()
    return EXIT_OK
