"""``deidentify serve`` as a process: SIGTERM finishes in-flight work; logs carry no identifiers;
TLS when certificates are configured."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import ssl
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import pydicom
import pytest
from pynetdicom import AE

from tests.net.nodes import (
    TEST_FILES,
    node_toml,
    read_test_file,
    running_node,
)

ROOT = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"listening on 127\.0\.0\.1:(\d+)")


class StderrLines:
    """The node's stderr, read line by line by a thread (no blocking on a buffered pipe)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        stream = process.stderr
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line)

    def until(self, text: str) -> str:
        """Wait (up to 60 s) for a line containing ``text``; returns it."""
        while True:
            line = self._queue.get(timeout=60)
            self.lines.append(line)
            if text in line:
                return line

    def rest(self) -> str:
        """Everything logged, once the process has exited."""
        self._reader.join(timeout=60)
        while not self._queue.empty():
            self.lines.append(self._queue.get())
        return "".join(self.lines)


def _start(config: Path) -> tuple[subprocess.Popen[str], int, StderrLines]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "deidentify", "serve", "--config", str(config)],
        stderr=subprocess.PIPE, text=True, env=env, cwd=config.parent,
    )
    log = StderrLines(process)
    match = LISTENING.search(log.until("listening on"))
    assert match is not None
    return process, int(match.group(1)), log


def test_sigterm_finishes_the_open_association_then_exits(tmp_path: Path) -> None:
    process, port, log = _start(node_toml(tmp_path))
    try:
        originals = [read_test_file(name) for name in TEST_FILES]
        ae = AE(ae_title="MODALITY")
        for ds in originals:
            ae.add_requested_context(ds.SOPClassUID, ds.file_meta.TransferSyntaxUID)
        association = ae.associate("127.0.0.1", port, ae_title="DEIDNODE")
        assert association.is_established
        first = association.send_c_store(originals[0])
        process.send_signal(signal.SIGTERM)
        log.until("stopping: no new associations; 1 open")
        late = AE(ae_title="MODALITY")
        late.add_requested_context(originals[0].SOPClassUID)
        assert not late.associate("127.0.0.1", port, ae_title="DEIDNODE").is_established
        rest = [association.send_c_store(ds) for ds in originals[1:]]
        association.release()
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert [int(status.Status) for status in [first, *rest]] == [0, 0, 0]
    assert len(list((tmp_path / "storage").rglob("*.dcm"))) == len(TEST_FILES)
    logged = log.rest()
    assert "stopped; 3 objects stored" in logged
    assert logged.count("stored de-identified") == 3
    for ds in originals:
        for value in (str(ds.PatientName), str(ds.SOPInstanceUID), str(ds.StudyInstanceUID),
                      str(ds.get("PatientID", "")) or "no patient id"):
            assert value not in logged


def _certificate(folder: Path) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed; cannot make a test certificate")
    certificate, key = folder / "node.crt", folder / "node.key"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True, timeout=60,
    )
    return certificate, key


def test_tls_when_certificates_are_configured(tmp_path: Path) -> None:
    certificate, key = _certificate(tmp_path)
    tls = f'[tls]\ncertificate = "{certificate}"\nprivate_key = "{key}"\n'
    with running_node(node_toml(tmp_path, extra=tls)) as node:
        client = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(certificate))
        ds = read_test_file("CT_small.dcm")
        ae = AE(ae_title="MODALITY")
        ae.add_requested_context(ds.SOPClassUID, ds.file_meta.TransferSyntaxUID)
        association = ae.associate("127.0.0.1", node.address[1], ae_title="DEIDNODE",
                                   tls_args=(client, "127.0.0.1"))
        assert association.is_established
        status = association.send_c_store(ds)
        association.release()
        plain = AE(ae_title="MODALITY")
        plain.add_requested_context(ds.SOPClassUID)
        plain.acse_timeout = plain.network_timeout = 5
        assert not plain.associate("127.0.0.1", node.address[1],
                                   ae_title="DEIDNODE").is_established
    assert int(status.Status) == 0
    stored = [pydicom.dcmread(path) for path in (tmp_path / "storage").rglob("*.dcm")]
    assert len(stored) == 1 and stored[0].PatientName != ds.PatientName


def test_tls_with_ca_certificates_requires_a_client_certificate(tmp_path: Path) -> None:
    certificate, key = _certificate(tmp_path)
    tls = (f'[tls]\ncertificate = "{certificate}"\nprivate_key = "{key}"\n'
           f'ca_certificates = "{certificate}"\n')
    ds = read_test_file("CT_small.dcm")
    with running_node(node_toml(tmp_path, extra=tls)) as node:
        outcomes = []
        for present_certificate in (False, True):
            client = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(certificate))
            if present_certificate:
                client.load_cert_chain(certificate, key)
            ae = AE(ae_title="MODALITY")
            ae.add_requested_context(ds.SOPClassUID, ds.file_meta.TransferSyntaxUID)
            ae.acse_timeout = ae.network_timeout = 5
            association = ae.associate("127.0.0.1", node.address[1], ae_title="DEIDNODE",
                                       tls_args=(client, "127.0.0.1"))
            outcomes.append(association.is_established)
            if association.is_established:
                association.release()
    assert outcomes == [False, True]
