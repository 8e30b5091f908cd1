"""What the node holds, and for how long: idle connections cannot hold the slots, associations
have deadlines, every rejection is logged, duplicates are never overwritten, and a deflate
bomb is refused in bounded memory."""

from __future__ import annotations

import logging
import re
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pydicom.uid import DeflatedExplicitVRLittleEndian
from pynetdicom import AE, _config
from pynetdicom.presentation import build_context

from deidentify.inflation import MB, InflationLimit
from deidentify.net.config import Duplicates, Limits, load_config
from deidentify.net.rules import RulesError
from tests.batch.bombs import (
    SECONDARY_CAPTURE,
    command,
    deeply_nested,
    deflate_bomb,
    peak_rss_mib,
)
from tests.net.nodes import node_toml, read_test_file, running_node, send_files
from tests.net.test_serve_cli import StderrLines, _certificate

IDLE_CONNECTIONS = 40
ACSE_TIMEOUT = 2.0
LIMITS = f"acse_timeout = {ACSE_TIMEOUT}\nmax_associations = 32\nmax_associations_per_host = 8"
PEAK_RSS_LIMIT_MIB = 500
"""The bomb inflates to 1 GiB, which pynetdicom and pydicom hold twice."""
CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"


def _idle_connection(port: int) -> socket.socket:
    """A TCP connection that sends the first two bytes of a PDU header, then nothing."""
    idle = socket.create_connection(("127.0.0.1", port), timeout=5)
    idle.sendall(b"\x01\x00")
    return idle


def _closed_by_peer(connection: socket.socket, deadline: float) -> bool:
    connection.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        return connection.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def _store_until_stored(port: int, deadline: float) -> list[int]:
    """C-STORE one object, retrying refused associations until ``deadline``."""
    dataset = read_test_file("CT_small.dcm")
    while True:
        ae = AE(ae_title="MODALITY")
        ae.acse_timeout = ae.network_timeout = 5
        ae.add_requested_context(CT_IMAGE_STORAGE, str(dataset.file_meta.TransferSyntaxUID))
        association = ae.associate("127.0.0.1", port, ae_title="DEIDNODE")
        if association.is_established:
            try:
                return [int(association.send_c_store(dataset).Status)]
            finally:
                association.release()
        if time.monotonic() > deadline:
            return []
        time.sleep(0.2)


@pytest.mark.parametrize(
    ("node_extra", "problem"),
    [
        ('duplicates = "overwrite"', "duplicates: must be one of 'reject', 'keep-both'"),
        ("max_associations_per_host = 40", "max_associations_per_host: must not exceed"),
        ("acse_timeout = 0", "acse_timeout: must be a positive number"),
        ("max_associations = 0", "max_associations: must be a whole number, at least 1"),
    ],
)
def test_limits_are_checked_when_the_configuration_is_read(
    tmp_path: Path, node_extra: str, problem: str
) -> None:
    with pytest.raises(RulesError, match=re.escape(f"[node] {problem}")):
        load_config(node_toml(tmp_path, node_extra=node_extra))


def test_the_limits_have_documented_defaults(tmp_path: Path) -> None:
    config = load_config(node_toml(tmp_path))
    assert config.limits == Limits(32, 8, 10.0, 30.0, 30.0, 3600.0)
    assert config.duplicates is Duplicates.REJECT
    assert config.inflation == InflationLimit(500 * MB, 100.0)


def test_idle_connections_do_not_hold_the_slots(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, "deidentify.net"), running_node(
        node_toml(tmp_path, node_extra=LIMITS)
    ) as node:
        port = node.address[1]
        idle = [_idle_connection(port) for _ in range(IDLE_CONNECTIONS)]
        try:
            statuses = _store_until_stored(port, time.monotonic() + ACSE_TIMEOUT + 5)
            deadline = time.monotonic() + ACSE_TIMEOUT + 5
            closed = [_closed_by_peer(connection, deadline) for connection in idle]
        finally:
            for connection in idle:
                connection.close()
    assert statuses == [0x0000]
    assert all(closed), f"{closed.count(False)} idle connections still open"
    assert len(list((tmp_path / "storage").rglob("*.dcm"))) == 1
    assert "(max_associations_per_host)" in caplog.text
    assert "no association negotiated" in caplog.text


def test_a_silent_connection_does_not_stall_a_tls_node(tmp_path: Path) -> None:
    certificate, key = _certificate(tmp_path)
    tls = f'[tls]\ncertificate = "{certificate}"\nprivate_key = "{key}"\n'
    dataset = read_test_file("CT_small.dcm")
    with running_node(node_toml(tmp_path, extra=tls)) as node:
        silent = socket.create_connection(("127.0.0.1", node.address[1]), timeout=5)
        try:
            client = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(certificate))
            ae = AE(ae_title="MODALITY")
            ae.acse_timeout = ae.network_timeout = 5
            ae.add_requested_context(CT_IMAGE_STORAGE, str(dataset.file_meta.TransferSyntaxUID))
            association = ae.associate("127.0.0.1", node.address[1], ae_title="DEIDNODE",
                                       tls_args=(client, "127.0.0.1"))
            assert association.is_established
            try:
                status = association.send_c_store(dataset)
            finally:
                association.release()
        finally:
            silent.close()
    assert int(status.Status) == 0x0000


@pytest.mark.flaky(reruns=1)  # its deadlines are seconds long: a loaded machine can miss one
def test_an_association_open_too_long_is_closed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    limits = "max_association_seconds = 1\nnetwork_timeout = 30"
    with caplog.at_level(logging.INFO, "deidentify.net"), running_node(
        node_toml(tmp_path, node_extra=limits)
    ) as node:
        ae = AE(ae_title="MODALITY")
        ae.add_requested_context(CT_IMAGE_STORAGE)
        association = ae.associate("127.0.0.1", node.address[1], ae_title="DEIDNODE")
        assert association.is_established
        deadline = time.monotonic() + 10
        while association.is_established and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not association.is_established
    assert "association from 'MODALITY' at 127.0.0.1 closed: open longer than 1 s" in (
        caplog.text
    )


@pytest.mark.parametrize(
    ("calling", "called", "node_extra", "reason"),
    [
        ("MODALITY", "WRONGNODE", "", "called AE title 'WRONGNODE' is not this node's"),
        ("INTRUDER", "DEIDNODE", "", "calling AE title not allowed"),
        ("MODALITY", "DEIDNODE", 'allowed_hosts = ["192.0.2.1"]', "host not allowed"),
    ],
)
def test_every_rejected_association_is_logged_with_its_reason(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    calling: str,
    called: str,
    node_extra: str,
    reason: str,
) -> None:
    with caplog.at_level(logging.INFO, "deidentify.net"), running_node(
        node_toml(tmp_path, node_extra=node_extra)
    ) as node:
        ae = AE(ae_title=calling)
        ae.add_requested_context(CT_IMAGE_STORAGE)
        association = ae.associate("127.0.0.1", node.address[1], ae_title=called)
        assert association.is_rejected
    assert f"association from {calling!r} at 127.0.0.1 rejected: {reason}" in caplog.text


def test_a_duplicate_sop_instance_uid_is_rejected_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dataset = read_test_file("CT_small.dcm")
    with caplog.at_level(logging.INFO, "deidentify.net"), running_node(
        node_toml(tmp_path)
    ) as node:
        first = send_files(node.address[1], [dataset])
        stored = {path: path.read_bytes() for path in (tmp_path / "storage").rglob("*.dcm")}
        changed = read_test_file("CT_small.dcm")
        changed.SeriesDescription = "a second object, the same SOP Instance UID"
        second = send_files(node.address[1], [changed])
    assert (first, second) == ([0x0000], [0x0111])
    assert {path: path.read_bytes() for path in (tmp_path / "storage").rglob("*.dcm")} == stored
    assert "already stored" in caplog.text
    assert str(dataset.SOPInstanceUID) not in caplog.text
    assert str(dataset.PatientName) not in caplog.text


def test_two_associations_storing_one_uid_at_once_store_it_once(tmp_path: Path) -> None:
    with running_node(node_toml(tmp_path)) as node:
        barrier = threading.Barrier(4)
        statuses: list[int] = []

        def send() -> None:
            dataset = read_test_file("CT_small.dcm")
            barrier.wait()
            statuses.extend(send_files(node.address[1], [dataset]))

        senders = [threading.Thread(target=send) for _ in range(4)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(timeout=60)
    assert sorted(statuses) == [0x0000, 0x0111, 0x0111, 0x0111]
    assert len(list((tmp_path / "storage").rglob("*.dcm"))) == 1
    assert list((tmp_path / "storage").rglob(".incoming-*")) == []


def test_duplicates_can_be_kept_beside_the_first(tmp_path: Path) -> None:
    with running_node(node_toml(tmp_path, node_extra='duplicates = "keep-both"')) as node:
        statuses = send_files(node.address[1], [read_test_file("CT_small.dcm")] * 3)
    assert statuses == [0x0000] * 3
    names = sorted(path.name for path in (tmp_path / "storage").rglob("*.dcm"))
    assert len(names) == 3
    base = min(names, key=len).removesuffix(".dcm")
    assert set(names) == {f"{base}.dcm", f"{base}.2.dcm", f"{base}.3.dcm"}


LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)")


@contextmanager
def send_file_as_it_is() -> Iterator[None]:
    """pynetdicom sends a file's encoded dataset as it is (else it reads and re-encodes it,
    inflating the bomb in this process)."""
    previous = _config.STORE_SEND_CHUNKED_DATASET
    _config.STORE_SEND_CHUNKED_DATASET = True
    try:
        yield
    finally:
        _config.STORE_SEND_CHUNKED_DATASET = previous


def test_a_deflate_bomb_over_c_store_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    bomb = deflate_bomb(tmp_path / "bomb.dcm")
    config = node_toml(tmp_path)
    process = subprocess.Popen(command("serve", "--config", config), stderr=subprocess.PIPE,
                               text=True)
    lines = StderrLines(process)
    try:
        match = LISTENING.search(lines.until("listening on"))
        assert match is not None
        ae = AE(ae_title="MODALITY")
        ae.requested_contexts = [build_context(SECONDARY_CAPTURE,
                                               [DeflatedExplicitVRLittleEndian])]
        association = ae.associate("127.0.0.1", int(match.group(1)), ae_title="DEIDNODE")
        assert association.is_established
        try:
            with send_file_as_it_is():
                status = association.send_c_store(bomb)
        finally:
            association.release()
        assert int(status.Status) == 0xA700
        refused = lines.until("refused")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    rest = lines.rest()
    assert "deflated dataset inflates more than 100 times its size (the bound)" in refused
    assert list((tmp_path / "storage").rglob("*.dcm")) == []
    assert peak_rss_mib(rest) < PEAK_RSS_LIMIT_MIB


def test_sequences_nested_thousands_deep_are_refused_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    deep = deeply_nested(tmp_path / "deep.dcm")
    with caplog.at_level(logging.INFO, "deidentify.net"), running_node(
        node_toml(tmp_path)
    ) as node:
        ae = AE(ae_title="MODALITY")
        ae.add_requested_context(SECONDARY_CAPTURE, "1.2.840.10008.1.2.1")
        association = ae.associate("127.0.0.1", node.address[1], ae_title="DEIDNODE")
        assert association.is_established
        try:
            with send_file_as_it_is():
                status = association.send_c_store(deep)
        finally:
            association.release()
    assert int(status.Status) == 0xC000
    assert "refused: sequences nested too deeply" in caplog.text
