"""Log hygiene: pynetdicom's records reach the log only as their level and origin."""

from __future__ import annotations

import logging

import pytest

from deidentify.net.logs import correlation, redact_pynetdicom
from tests.net.nodes import SECRET

UID = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322"


def test_pynetdicom_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    redact_pynetdicom()
    with caplog.at_level(logging.INFO):
        logging.getLogger("pynetdicom.assoc").warning("bad Affected SOP Instance UID %s", UID)
        logging.getLogger("pynetdicom.dsutils").info("decoded %s", UID)
    assert UID not in caplog.text
    assert [record.name for record in caplog.records] == ["deidentify.net"]
    assert "pynetdicom warning in" in caplog.text


def test_correlation_is_keyed_and_short() -> None:
    tag = correlation(SECRET, UID)
    assert len(tag) == 12 and tag not in UID
    assert tag == correlation(SECRET, UID)
    assert tag != correlation(SECRET[::-1], UID)
