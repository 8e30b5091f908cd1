"""No planted identity reaches the node's storage over C-STORE, under Basic and Modified
Dates, with the node's ``unknown`` setting at its default and at ``keep``."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest

from tests.beyond import planted

pytest.importorskip("pynetdicom", reason="the node needs pynetdicom (the 'net' extra)")

from pynetdicom import AE

from tests.net.nodes import files_containing, node_toml, running_node


def send_paths(port: int, paths: list[Path]) -> list[int]:
    """C-STORE files as they are on disk (pynetdicom sends a path without re-encoding it)."""
    ae = AE(ae_title="MODALITY")
    for syntax in {str(pydicom.dcmread(path).file_meta.TransferSyntaxUID) for path in paths}:
        ae.add_requested_context(planted.CT_IMAGE_STORAGE, syntax)
    association = ae.associate("127.0.0.1", port, ae_title="DEIDNODE")
    assert association.is_established
    try:
        return [int(association.send_c_store(path).Status) for path in paths]
    finally:
        association.release()


def _rule(uri: str) -> str:
    return f"""
[[rule]]
name = "stores from the modality"
dimse = "C_STORE_RQ"
role = "SCU"
uri = "{uri}"
"""


@pytest.mark.parametrize("uri", planted.PROFILES)
def test_no_marker_reaches_storage(uri: str, tmp_path: Path) -> None:
    _mkdir(tmp_path)
    sources = [path for channel, path in planted.inputs(tmp_path / "in")
               if not (channel.item_after_pixel_data and "explicit" in path.name)]
    # pynetdicom cannot encode an item tag met as an element in explicit VR (it reads the
    # length as a VR): that channel goes over the network in implicit VR only.
    with running_node(node_toml(tmp_path, rules=_rule(uri))) as node:
        statuses = send_paths(node.address[1], sources)
    stored = sorted((tmp_path / "storage").rglob("*.dcm"))
    assert statuses == [0] * len(sources) and len(stored) == len(sources)
    assert files_containing([tmp_path / "storage"], list(planted.MARKERS)) == []


def test_unknown_keep_in_the_node_configuration(tmp_path: Path) -> None:
    _mkdir(tmp_path)
    channel = next(c for c in planted.CHANNELS if c.name == "unknown-top-level")
    source = planted.write(channel, tmp_path / "in", implicit=False)
    config = node_toml(tmp_path, rules=_rule(planted.BASIC), node_extra='unknown = "keep"')
    with running_node(config) as node:
        assert send_paths(node.address[1], [source]) == [0]
    [stored] = (tmp_path / "storage").rglob("*.dcm")
    result = pydicom.dcmread(stored)
    assert all(tag in result for tag in planted.NAMED_UNKNOWN)
    assert "unknown elements keep" in list(result.DeidentificationMethod)


def _mkdir(folder: Path) -> None:
    (folder / "in").mkdir(exist_ok=True)
