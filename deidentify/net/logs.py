"""Logging for the node without identifiers in clear text.

Peers' AE titles and addresses are logged; patient data and UIDs never are. Where a line must
be correlated with an object, it carries a short keyed hash of the object's original SOP
Instance UID (``correlation``), which nobody without the secret can link to the UID.
pynetdicom's own log lines can quote UIDs and values, so they are reduced to their level and
origin (``RedactPynetdicom``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging

LOGGER = logging.getLogger("deidentify.net")

_CONTEXT = b"deidentify/net/log/v1\x00"


def correlation(secret: bytes, value: str) -> str:
    """A 12-hex-digit keyed hash of a value, for log correlation."""
    digest = hmac.new(secret, _CONTEXT + value.encode("utf-8", "replace"), hashlib.sha256)
    return digest.hexdigest()[:12]


class RedactPynetdicom(logging.Handler):
    """Relays a pynetdicom record of WARNING or above as its level and origin only."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            LOGGER.log(
                record.levelno,
                "pynetdicom %s in %s.%s (details withheld)",
                record.levelname.lower(),
                record.module,
                record.funcName,
            )


def redact_pynetdicom() -> None:
    """Route pynetdicom's records (its children's too) through the redaction only."""
    logger = logging.getLogger("pynetdicom")
    logger.propagate = False
    if not any(isinstance(handler, RedactPynetdicom) for handler in logger.handlers):
        logger.addHandler(RedactPynetdicom())
