"""Subcommands of the ``deidentify`` command line, one module each.

Each module named in ``COMMANDS`` defines ``register(subparsers)``, which adds its parser and
sets ``handler``: a function of the parsed arguments that returns the exit status.
"""

COMMANDS: tuple[str, ...] = ("serve", "report", "verify", "apply", "sample")
