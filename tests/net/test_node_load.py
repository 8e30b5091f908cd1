"""A bounded load on loopback: 300 objects over 4 concurrent associations, none lost."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest

from deidentify import Deidentifier, Plan, parse_profile
from tests.net.load import distinct_copies, send_concurrently
from tests.net.nodes import MODIFIED_DATES, SECRET, node_toml, read_test_file, running_node

OBJECTS = 300
ASSOCIATIONS = 4
HARD_TIMEOUT_SECONDS = 240.0


@pytest.mark.flaky(reruns=1)  # under a loaded xdist run, one association of the four has
# been seen to stall past its 60 s network timeout (about 1 run in 3 with other work on the
# machine, never alone): an open defect, see docs/network.md; a second failure fails the test
def test_no_object_is_lost(tmp_path: Path) -> None:
    sent = distinct_copies([read_test_file("CT_small.dcm"), read_test_file("MR_small.dcm")],
                           OBJECTS)
    with running_node(node_toml(tmp_path)) as node:
        result = send_concurrently(node.address[1], sent, ASSOCIATIONS, HARD_TIMEOUT_SECONDS)
        stored_count = node.stored
    assert result.failures == []
    assert result.finished == ASSOCIATIONS
    assert result.statuses == [0] * OBJECTS
    assert stored_count == OBJECTS
    mapping = Deidentifier(Plan.build(parse_profile(MODIFIED_DATES)), SECRET)
    expected = {mapping.map_uid(str(ds.SOPInstanceUID)) for ds in sent}
    paths = list((tmp_path / "storage").rglob("*.dcm"))
    stored = {str(pydicom.dcmread(path, stop_before_pixels=True).SOPInstanceUID)
              for path in paths}
    assert len(paths) == OBJECTS
    assert stored == expected
    assert list((tmp_path / "storage").rglob("*.tmp")) == []
