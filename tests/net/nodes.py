"""Helpers for the network tests: a node on 127.0.0.1 in-process, and peers it talks to."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

pytest.importorskip("pynetdicom", reason="the node needs pynetdicom (the 'net' extra)")

from pynetdicom import AE, evt

from deidentify.net.coercion import Coercer
from deidentify.net.config import NodeConfig, load_config
from deidentify.net.engine import engines
from deidentify.net.issued import IssuedUIDs
from deidentify.net.node import MODALITY_WORKLIST_FIND, MPPS, Node
from deidentify.writer import write

SECRET_HEX = "00112233445566778899aabbccddeeff0123456789abcdef"
SECRET = bytes.fromhex(SECRET_HEX)
MODIFIED_DATES = "deidentify:RetainLongitudinalTemporalInformationModifiedDatesOption"
TEST_FILES = ("CT_small.dcm", "MR_small.dcm", "rtplan.dcm")


def data_file(name: str) -> Path:
    """A pydicom test file by name."""
    path = get_testdata_file(name)
    assert path is not None, name
    return Path(str(path))


def read_test_file(name: str) -> Dataset:
    """A pydicom test file read."""
    return pydicom.dcmread(data_file(name))


STORE_RULE = f"""
[[rule]]
name = "stores from the modality"
dimse = "C_STORE_RQ"
role = "SCU"
uri = "{MODIFIED_DATES}"
"""

WORKLIST_RULES = f"""
[[rule]]
name = "worklist keys back to original space"
dimse = "C_FIND_RQ"
role = "SCU"
uri = "{MODIFIED_DATES}"

[[rule]]
name = "worklist items de-identified"
dimse = "C_FIND_RSP"
role = "SCU"
uri = "{MODIFIED_DATES}"
"""

MPPS_RULES = f"""
[[rule]]
name = "mpps create"
dimse = "N_CREATE_RQ"
role = "SCU"
uri = "{MODIFIED_DATES}"

[[rule]]
name = "mpps set"
dimse = "N_SET_RQ"
role = "SCU"
uri = "{MODIFIED_DATES}"
"""


def node_toml(
    folder: Path,
    rules: str = STORE_RULE,
    extra: str = "",
    node_extra: str = "",
) -> Path:
    """Write a secret and a node.toml into ``folder``; returns the TOML's path."""
    (folder / "secret").write_text(SECRET_HEX + "\n")
    path = folder / "node.toml"
    path.write_text(
        f"""
[node]
ae_title = "DEIDNODE"
host = "127.0.0.1"
port = 0
storage = "storage"
secret_file = "secret"
allowed_ae_titles = ["MODALITY", "STORESCU", "FINDSCU"]
shutdown_grace_seconds = 10
{node_extra}
{extra}
{rules}
"""
    )
    return path


@contextmanager
def running_node(config_path: Path) -> Iterator[Node]:
    """A node started from a configuration file, stopped on exit."""
    config = load_config(config_path)
    coercer = Coercer(config.rules, engines(SECRET, config.edition, unknown=config.unknown,
                                            pixels=config.pixels),
                      IssuedUIDs(config.issued_uids))
    node = Node(config, coercer, SECRET, write)
    node.start()
    try:
        yield node
    finally:
        node.stop()


def node_config(node: Node) -> NodeConfig:
    """The node's configuration (typed access for tests)."""
    return node.config


@dataclass
class Peer:
    """A pynetdicom SCP started for a test, with what it received."""

    port: int
    received: list[Dataset] = field(default_factory=list)
    requests: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def peer_scp(
    ae_title: str, contexts: list[str], handlers: Callable[[Peer], list[Any]]
) -> Iterator[Peer]:
    """Start an SCP on a free loopback port; ``handlers`` builds its event handlers."""
    ae = AE(ae_title=ae_title)
    for context in contexts:
        ae.add_supported_context(context)
    peer = Peer(port=0)
    server = ae.start_server(("127.0.0.1", 0), block=False, evt_handlers=handlers(peer))
    assert server is not None
    peer.port = int(server.server_address[1])
    try:
        yield peer
    finally:
        server.shutdown()


WORKLIST_PATIENTS = (("DOE^JANE", "PID-0001", "20240305"), ("ROE^RICHARD", "PID-0002", "20240306"))


def worklist_item(name: str, patient_id: str, date: str, study_uid: str) -> Dataset:
    """A Modality Worklist item as an upstream provider returns it."""
    item = Dataset()
    item.SpecificCharacterSet = "ISO_IR 100"
    item.PatientName = name
    item.PatientID = patient_id
    item.PatientBirthDate = "19700101"
    item.AccessionNumber = f"ACC{patient_id[-4:]}"
    item.StudyInstanceUID = study_uid
    step = Dataset()
    step.Modality = "CT"
    step.ScheduledStationAETitle = "MODALITY"
    step.ScheduledProcedureStepStartDate = date
    step.ScheduledProcedureStepStartTime = "093000"
    step.ScheduledPerformingPhysicianName = "WHO^DR"
    step.ScheduledProcedureStepID = f"SPS{patient_id[-4:]}"
    item.ScheduledProcedureStepSequence = [step]
    return item


WORKLIST_STUDY_UIDS = ("1.2.826.0.1.3680043.8.498.1001", "1.2.826.0.1.3680043.8.498.1002")


@contextmanager
def worklist_provider() -> Iterator[Peer]:
    """An upstream worklist SCP holding two items; it matches Patient ID, Study Instance UID
    and the scheduled date range, and records every query it receives."""
    items = [
        worklist_item(name, pid, date, uid)
        for (name, pid, date), uid in zip(WORKLIST_PATIENTS, WORKLIST_STUDY_UIDS, strict=True)
    ]

    def handlers(peer: Peer) -> list[Any]:
        def on_find(event: Any) -> Iterator[tuple[int, Dataset | None]]:
            query = event.identifier
            with peer.lock:
                peer.requests.append(query)
            for item in items:
                if _provider_matches(query, item):
                    yield 0xFF00, item
            yield 0x0000, None

        return [(evt.EVT_C_FIND, on_find)]

    with peer_scp("RIS", [MODALITY_WORKLIST_FIND], handlers) as peer:
        yield peer


def _provider_matches(query: Dataset, item: Dataset) -> bool:
    for keyword in ("PatientID", "StudyInstanceUID"):
        wanted = str(query.get(keyword, "") or "")
        if wanted and wanted != str(item.get(keyword)):
            return False
    steps = query.get("ScheduledProcedureStepSequence")
    if steps:
        wanted_date = str(steps[0].get("ScheduledProcedureStepStartDate", "") or "")
        have = str(item.ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate)
        if wanted_date:
            low, _, high = wanted_date.partition("-") if "-" in wanted_date else (
                wanted_date, "", wanted_date)
            if (low and have < low) or (high and have > high):
                return False
    return True


@contextmanager
def mpps_provider() -> Iterator[Peer]:
    """An upstream MPPS SCP that records N-CREATE and N-SET (attribute lists and UIDs)."""

    def handlers(peer: Peer) -> list[Any]:
        def on_create(event: Any) -> tuple[int, Dataset | None]:
            with peer.lock:
                peer.received.append(event.attribute_list)
                peer.requests.append(("N-CREATE", str(event.request.AffectedSOPInstanceUID)))
            return 0x0000, None

        def on_set(event: Any) -> tuple[int, Dataset | None]:
            with peer.lock:
                peer.received.append(event.modification_list)
                peer.requests.append(("N-SET", str(event.request.RequestedSOPInstanceUID)))
            return 0x0000, None

        return [(evt.EVT_N_CREATE, on_create), (evt.EVT_N_SET, on_set)]

    with peer_scp("MPPSMGR", [MPPS], handlers) as peer:
        yield peer


@contextmanager
def storage_provider() -> Iterator[Peer]:
    """A research PACS: a Storage SCP that keeps every dataset it receives in memory."""
    from pynetdicom.presentation import AllStoragePresentationContexts

    def handlers(peer: Peer) -> list[Any]:
        def on_store(event: Any) -> int:
            with peer.lock:
                peer.received.append(event.dataset)
            return 0x0000

        return [(evt.EVT_C_STORE, on_store)]

    contexts = [str(c.abstract_syntax) for c in AllStoragePresentationContexts][:120]
    with peer_scp("RESEARCH", contexts, handlers) as peer:
        yield peer


def send_files(
    port: int, datasets: list[Dataset], calling: str = "MODALITY", called: str = "DEIDNODE"
) -> list[int]:
    """C-STORE datasets to the node over one association; returns the statuses."""
    ae = AE(ae_title=calling)
    for context in {(str(ds.SOPClassUID), str(ds.file_meta.TransferSyntaxUID)) for ds in datasets}:
        ae.add_requested_context(*context)
    association = ae.associate("127.0.0.1", port, ae_title=called)
    assert association.is_established
    try:
        return [int(association.send_c_store(ds).Status) for ds in datasets]
    finally:
        association.release()


def identifying_bytes(dataset: Dataset) -> list[bytes]:
    """The byte strings whose presence on disk would mean the original leaked."""
    values = [str(dataset.PatientName), str(dataset.SOPInstanceUID)]
    if dataset.get("PatientID"):
        values.append(str(dataset.PatientID))
    return [value.encode() for value in values if len(value) >= 4]


def files_containing(folders: list[Path], needles: list[bytes]) -> list[Path]:
    """Every file under the folders that contains any of the needles."""
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                if any(needle in data for needle in needles):
                    found.append(path)
    return found
