"""The node refuses a C-STORE whose dataset has an inconsistent element structure, as the
file paths do: status C000, nothing stored, the problem logged without a value."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pynetdicom import AE, _config

from tests.net.nodes import node_toml, running_node
from tests.structure import corrupt

SENT = ("a value runs past its item", "a value swallows the next element", "a flipped tag",
        "encapsulated Pixel Data with a bad item tag")


def _send(port: int, paths: list[Path]) -> list[int]:
    """C-STORE the files' dataset bytes as they are (pynetdicom's chunked sending)."""
    ae = AE(ae_title="MODALITY")
    for syntax in ("1.2.840.10008.1.2.1", "1.2.840.10008.1.2.4.50"):
        ae.add_requested_context("1.2.840.10008.5.1.4.1.1.2", syntax)
    association = ae.associate("127.0.0.1", port, ae_title="DEIDNODE")
    assert association.is_established
    try:
        return [int(association.send_c_store(path).Status) for path in paths]
    finally:
        association.release()


def test_corrupt_objects_are_refused_and_never_stored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_config, "STORE_SEND_CHUNKED_DATASET", True)
    paths = []
    for number, name in enumerate(SENT):
        path = tmp_path / f"corrupt-{number}.dcm"
        path.write_bytes(corrupt.CORRUPTIONS[name]())
        paths.append(path)
    intact = tmp_path / "intact.dcm"
    intact.write_bytes(corrupt.marker_file())
    with caplog.at_level(logging.INFO), running_node(node_toml(tmp_path)) as node:
        statuses = _send(node.address[1], [*paths, intact])
    assert statuses == [0xC000] * len(SENT) + [0]
    assert len(list((tmp_path / "storage").rglob("*.dcm"))) == 1
    refusals = [record.getMessage() for record in caplog.records
                if "corrupt element structure" in record.getMessage()]
    assert len(refusals) == len(SENT)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert corrupt.NAME not in logged and corrupt.PATIENT_ID not in logged
