"""Log hygiene: pynetdicom's records reach the log only as their level and origin."""

from __future__ import annotations

import logging

from deidentify.net.logs import correlation, redact_pynetdicom
from tests.net.nodes import SECRET

UID = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322"


class _Collect(logging.Handler):
    """The records that reach the root logger's handlers."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_pynetdicom_records_are_redacted() -> None:
    redact_pynetdicom()
    root = logging.getLogger()
    collect, level = _Collect(), root.level
    root.addHandler(collect)
    root.setLevel(logging.INFO)
    try:
        logging.getLogger("pynetdicom.assoc").warning("bad Affected SOP Instance UID %s", UID)
        logging.getLogger("pynetdicom.dsutils").info("decoded %s", UID)
    finally:
        root.removeHandler(collect)
        root.setLevel(level)
    text = "\n".join(record.getMessage() for record in collect.records)
    assert UID not in text
    assert [record.name for record in collect.records] == ["deidentify.net"]
    assert "pynetdicom warning in" in text


def test_correlation_is_keyed_and_short() -> None:
    tag = correlation(SECRET, UID)
    assert len(tag) == 12 and tag not in UID
    assert tag == correlation(SECRET, UID)
    assert tag != correlation(SECRET[::-1], UID)
