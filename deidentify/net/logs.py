"""Logging for the node without identifiers in clear text.

Peers' AE titles and addresses are logged; patient data and UIDs never are. Where a line must
be correlated with an object, it carries a short keyed hash of the object's original SOP
Instance UID (``correlation``), which nobody without the secret can link to the UID.
pynetdicom's and pydicom's own log lines, and Python's warnings (pydicom warns of an invalid
value by quoting it: a UID with a leading zero, a date), can quote UIDs and values, so they
are reduced to their level and origin (``Redacted``, ``redact_libraries``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from pathlib import Path

LOGGER = logging.getLogger("deidentify.net")

_CONTEXT = b"deidentify/net/log/v1\x00"


def correlation(secret: bytes, value: str) -> str:
    """A 12-hex-digit keyed hash of a value, for log correlation."""
    digest = hmac.new(secret, _CONTEXT + value.encode("utf-8", "replace"), hashlib.sha256)
    return digest.hexdigest()[:12]


REDACTED_LOGGERS = ("pynetdicom", "pydicom", "py.warnings")
"""The loggers whose records may quote values: the libraries', and the one Python's warnings
reach once ``logging.captureWarnings`` routes them there."""

_WARNING_ORIGIN = re.compile(r"(?P<file>[^\n]*?):(?P<line>\d+): (?P<category>\w+):")
"""The start of a formatted warning: where it was raised and its category, never its text."""


class Redacted(logging.Handler):
    """Relays a library's record of WARNING or above as its level and origin only."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno < logging.WARNING:
            return
        if record.name == "py.warnings":
            origin = _WARNING_ORIGIN.match(str(record.msg))
            where = (f"{origin['category']} at {Path(origin['file']).name}:{origin['line']}"
                     if origin else "a warning")
            LOGGER.log(record.levelno, "python %s (details withheld)", where)
            return
        LOGGER.log(
            record.levelno,
            "%s %s in %s.%s (details withheld)",
            record.name.split(".")[0],
            record.levelname.lower(),
            record.module,
            record.funcName,
        )


def redact_libraries() -> None:
    """Route pynetdicom's and pydicom's records (their children's too) and Python's warnings
    through the redaction only."""
    logging.captureWarnings(True)
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        logger.propagate = False
        if not any(isinstance(handler, Redacted) for handler in logger.handlers):
            logger.addHandler(Redacted())
