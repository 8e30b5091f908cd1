"""Subcommands of the ``deidentify`` command line, one module each.

Each module named in ``COMMANDS`` defines ``register(subparsers)``, which adds its parser and
sets ``handler``: a function of the parsed arguments that returns the exit status.
"""

import sys
from collections.abc import Callable
from pathlib import Path

EXIT_OK = 0
"""Everything was done."""
EXIT_FAILURES = 1
"""The command ran, and some of its work failed (files, violations)."""
EXIT_USAGE = 2
"""Usage or configuration error: nothing was done."""
EXIT_INTERRUPTED = 130
"""Stopped by a signal (SIGINT, SIGTERM) after the work in progress."""


def usage_error(command: str, message: str) -> int:
    """Print a one-line usage or configuration error; returns ``EXIT_USAGE``."""
    print(f"deidentify {command}: {message}", file=sys.stderr)
    return EXIT_USAGE


def new_secret_notice(command: str) -> Callable[[Path], None]:
    """What a command says when it has created the default secret file (never its value)."""

    def notice(path: Path) -> None:
        print(
            f"deidentify {command}: created a new secret in {path} (mode 0600); keep it, and"
            " give it to every run whose pseudonyms must match",
            file=sys.stderr,
        )

    return notice


COMMANDS: tuple[str, ...] = ("serve", "report", "verify", "apply", "sample", "options")
