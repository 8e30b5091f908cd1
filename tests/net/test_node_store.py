"""The Storage SCP: objects sent by real clients arrive de-identified; originals never on disk."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pydicom
import pytest
from pynetdicom import AE

from deidentify import Deidentifier, Plan, parse_profile
from tests.net.nodes import (
    MODIFIED_DATES,
    SECRET,
    STORE_RULE,
    TEST_FILES,
    data_file,
    files_containing,
    identifying_bytes,
    node_toml,
    read_test_file,
    running_node,
    send_files,
    storage_provider,
)


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary-files folder of this test's own, so a scan of it means something."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def _stored(storage: Path) -> list[pydicom.Dataset]:
    return [pydicom.dcmread(path) for path in sorted(storage.rglob("*.dcm"))]


def _text(dataset: pydicom.Dataset, keyword: str) -> str:
    return str(dataset.get(keyword) or "")


def _expected(name: str) -> pydicom.Dataset:
    """The file de-identified by ``deidentify apply``'s engine with the same profile."""
    dataset = read_test_file(name)
    Deidentifier(Plan.build(parse_profile(MODIFIED_DATES)), SECRET).apply(dataset)
    return dataset


def test_objects_arrive_deidentified_and_originals_never_touch_disk(
    tmp_path: Path, private_tmp: Path
) -> None:
    originals = [read_test_file(name) for name in TEST_FILES]
    with running_node(node_toml(tmp_path)) as node:
        statuses = send_files(node.address[1], originals)
    assert statuses == [0, 0, 0]
    stored = _stored(tmp_path / "storage")
    assert len(stored) == len(TEST_FILES)
    by_uid = {str(ds.SOPInstanceUID): ds for ds in stored}
    for name, original in zip(TEST_FILES, originals, strict=True):
        expected = _expected(name)
        arrived = by_uid[str(expected.SOPInstanceUID)]
        assert arrived.SOPInstanceUID != original.SOPInstanceUID
        for keyword in ("PatientName", "PatientID", "StudyDate", "PatientBirthDate"):
            assert _text(arrived, keyword) == _text(expected, keyword), keyword
        assert _text(arrived, "PatientName") != _text(original, "PatientName")
        assert _text(arrived, "StudyDate") != _text(original, "StudyDate")
        assert arrived.PatientIdentityRemoved == "YES"
        assert arrived.get("PixelData") == original.get("PixelData")
    needles = [needle for ds in originals for needle in identifying_bytes(ds)]
    assert files_containing([tmp_path, private_tmp], needles) == []


def test_no_rule_for_the_caller_refuses_the_object(tmp_path: Path) -> None:
    rule = STORE_RULE.replace('role = "SCU"', 'role = "SCU"\ncalling_ae_titles = ["OTHER"]')
    with running_node(node_toml(tmp_path, rules=rule)) as node:
        statuses = send_files(node.address[1], [read_test_file("CT_small.dcm")])
    assert statuses == [0xC000]
    assert list((tmp_path / "storage").rglob("*")) == []


@pytest.mark.parametrize(("calling", "called"), [("INTRUDER", "DEIDNODE"), ("MODALITY", "OTHER")])
def test_unknown_calling_or_called_ae_is_rejected_at_association(
    tmp_path: Path, calling: str, called: str
) -> None:
    with running_node(node_toml(tmp_path)) as node:
        ae = AE(ae_title=calling)
        ae.add_requested_context("1.2.840.10008.5.1.4.1.1.2")
        association = ae.associate("127.0.0.1", node.address[1], ae_title=called)
        assert association.is_rejected
        assert not association.is_established


def test_host_not_allowed_is_rejected(tmp_path: Path) -> None:
    config = node_toml(tmp_path, node_extra='allowed_hosts = ["192.0.2.1"]')
    with running_node(config) as node:
        ae = AE(ae_title="MODALITY")
        ae.add_requested_context("1.2.840.10008.5.1.4.1.1.2")
        association = ae.associate("127.0.0.1", node.address[1], ae_title="DEIDNODE")
        assert association.is_rejected


def test_forwarding_applies_the_outgoing_rules(tmp_path: Path) -> None:
    outgoing = f"""
[[rule]]
name = "to the research PACS"
dimse = "C_STORE_RQ"
role = "SCP"
called_ae_titles = ["RESEARCH"]
uri = "{MODIFIED_DATES},RetainUIDsOption"
"""
    with storage_provider() as pacs:
        forward = f'[forward]\nae_title = "RESEARCH"\nhost = "127.0.0.1"\nport = {pacs.port}\n'
        config = node_toml(tmp_path, rules=STORE_RULE + outgoing, extra=forward)
        originals = [read_test_file(name) for name in TEST_FILES]
        with running_node(config) as node:
            send_files(node.address[1], originals)
        assert node.forwarder is not None
        assert (node.forwarder.sent, node.forwarder.failed) == (3, 0)
    stored = {str(ds.SOPInstanceUID): ds for ds in _stored(tmp_path / "storage")}
    assert len(pacs.received) == 3
    for received in pacs.received:
        kept = stored[str(received.SOPInstanceUID)]
        assert received.PatientName == kept.PatientName
        methods = received.DeidentificationMethodCodeSequence
        assert len(methods) > len(kept.DeidentificationMethodCodeSequence)


def test_an_object_that_cannot_be_forwarded_stays_in_storage(tmp_path: Path) -> None:
    with storage_provider() as pacs:
        port = pacs.port
    forward = f'[forward]\nae_title = "RESEARCH"\nhost = "127.0.0.1"\nport = {port}\n'
    with running_node(node_toml(tmp_path, extra=forward)) as node:
        statuses = send_files(node.address[1], [read_test_file("CT_small.dcm")])
    assert statuses == [0]
    assert node.forwarder is not None
    assert (node.forwarder.sent, node.forwarder.failed) == (0, 1)
    assert len(list((tmp_path / "storage").rglob("*.dcm"))) == 1


def test_dcmtk_storescu_sends_through_the_node(tmp_path: Path, private_tmp: Path) -> None:
    storescu = shutil.which("storescu")
    if storescu is None:
        pytest.skip("DCMTK storescu is not installed (Debian package dcmtk)")
    names = ("CT_small.dcm", "MR_small.dcm")
    with running_node(node_toml(tmp_path)) as node:
        result = subprocess.run(
            [storescu, "-aet", "STORESCU", "-aec", "DEIDNODE", "127.0.0.1",
             str(node.address[1]), *(str(data_file(name)) for name in names)],
            capture_output=True, text=True, timeout=60, check=False,
        )
    assert result.returncode == 0, result.stderr
    stored = _stored(tmp_path / "storage")
    assert sorted(str(ds.SOPInstanceUID) for ds in stored) == sorted(
        str(_expected(name).SOPInstanceUID) for name in names
    )
    needles = [needle for name in names for needle in identifying_bytes(read_test_file(name))]
    assert files_containing([tmp_path / "storage", private_tmp], needles) == []


def test_verification_answers_an_allowed_caller(tmp_path: Path) -> None:
    with running_node(node_toml(tmp_path)) as node:
        ae = AE(ae_title="MODALITY")
        ae.add_requested_context("1.2.840.10008.1.1")
        association = ae.associate("127.0.0.1", node.address[1], ae_title="DEIDNODE")
        status = association.send_c_echo()
        association.release()
    assert int(status.Status) == 0
