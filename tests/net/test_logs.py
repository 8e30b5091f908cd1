"""Log hygiene: pynetdicom's and pydicom's records, and Python's warnings, reach the log only
as their level and origin."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from deidentify.net.logs import correlation, redact_libraries
from tests.net.nodes import SECRET

ROOT = Path(__file__).resolve().parents[2]

UID = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322"


class _Collect(logging.Handler):
    """The records that reach the root logger's handlers."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_pynetdicom_and_pydicom_records_are_redacted() -> None:
    redact_libraries()
    root = logging.getLogger()
    collect, level = _Collect(), root.level
    root.addHandler(collect)
    root.setLevel(logging.INFO)
    try:
        logging.getLogger("pynetdicom.assoc").warning("bad Affected SOP Instance UID %s", UID)
        logging.getLogger("pynetdicom.dsutils").info("decoded %s", UID)
        logging.getLogger("pydicom").warning("Invalid value for VR UI: %r", UID)
    finally:
        root.removeHandler(collect)
        root.setLevel(level)
    text = "\n".join(record.getMessage() for record in collect.records)
    assert UID not in text
    assert [record.name for record in collect.records] == ["deidentify.net"] * 2
    assert "pynetdicom warning in" in text
    assert "pydicom warning in" in text


def test_a_stored_object_with_an_invalid_uid_leaves_the_uid_out_of_the_nodes_log(
    tmp_path: Path,
) -> None:
    """pydicom warns of a UID with a leading-zero component (common in older data) by
    quoting it, as a log record and as a Python warning: the node's log, at any level,
    holds neither the UID nor the patient's name, only that a warning was withheld."""
    invalid = "1.2.840.113619.2.55.3.604688119.0969.1268071029.321"
    script = f"""
import logging, sys
from pathlib import Path
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
from pydicom import config
from tests.net.nodes import node_toml, read_test_file, running_node, send_files
dataset = read_test_file("CT_small.dcm")
with config.disable_value_validation():  # the sender's own pydicom warns of nothing
    dataset.SOPInstanceUID = {invalid!r}
    dataset.StudyInstanceUID = {invalid!r} + ".1"
with running_node(node_toml(Path({str(tmp_path)!r}))) as node:
    print(send_files(node.address[1], [dataset]))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=True)
    assert done.stdout.split() == ["[0]"]
    assert invalid not in done.stderr
    assert "CompressedSamples" not in done.stderr
    assert "(details withheld)" in done.stderr
    assert list((tmp_path / "storage").rglob("*.dcm"))


def test_correlation_is_keyed_and_short() -> None:
    tag = correlation(SECRET, UID)
    assert len(tag) == 12 and tag not in UID
    assert tag == correlation(SECRET, UID)
    assert tag != correlation(SECRET[::-1], UID)
