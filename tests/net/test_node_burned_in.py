"""The node applies the burned-in risk gate: an at-risk object is refused and never stored,
unless ``[node] burned_in = "accept"``."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest

from deidentify.net.config import load_config
from deidentify.net.rules import RulesError
from deidentify.pixels import BurnedIn, assess
from deidentify.pixels.outcome import ACCEPTED_METHOD
from tests.net.nodes import node_toml, read_test_file, running_node, send_files

SUCCESS = 0x0000
CANNOT_UNDERSTAND = 0xC000
AT_RISK = "SC_rgb_small_odd.dcm"
"""A secondary capture without Burned In Annotation: at risk."""


def _stored(storage: Path) -> list[pydicom.Dataset]:
    return [pydicom.dcmread(path) for path in sorted(storage.rglob("*.dcm"))]


def test_an_at_risk_object_gets_a_failure_status_and_is_never_stored(tmp_path: Path) -> None:
    at_risk, ct = read_test_file(AT_RISK), read_test_file("CT_small.dcm")
    assert assess(at_risk) is not None and assess(ct) is None
    with running_node(node_toml(tmp_path)) as node:
        statuses = send_files(node.address[1], [at_risk, ct])
    assert statuses == [CANNOT_UNDERSTAND, SUCCESS]
    stored = _stored(tmp_path / "storage")
    assert [str(ds.Modality) for ds in stored] == ["CT"]


def test_accept_stores_it_and_says_so(tmp_path: Path) -> None:
    config = node_toml(tmp_path, node_extra='burned_in = "accept"')
    with running_node(config) as node:
        statuses = send_files(node.address[1], [read_test_file(AT_RISK)])
    assert statuses == [SUCCESS]
    (stored,) = _stored(tmp_path / "storage")
    assert ACCEPTED_METHOD in list(stored.DeidentificationMethod)


def test_the_setting_is_checked(tmp_path: Path) -> None:
    assert load_config(node_toml(tmp_path)).pixels.burned_in is BurnedIn.REFUSE
    with pytest.raises(RulesError, match=r"\[node\] burned_in: must be one of refuse, accept"):
        load_config(node_toml(tmp_path, node_extra='burned_in = "maybe"'))
