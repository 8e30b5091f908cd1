"""Sending many objects to a node over several concurrent associations (tests and the bench)."""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydicom.dataset import Dataset
from pydicom.uid import generate_uid
from pynetdicom import AE


def distinct_copies(templates: list[Dataset], count: int) -> list[Dataset]:
    """``count`` datasets cycling through the templates, each with its own SOP Instance UID
    (and File Meta to match)."""
    copies = []
    for index in range(count):
        dataset = copy.deepcopy(templates[index % len(templates)])
        dataset.SOPInstanceUID = generate_uid()
        dataset.file_meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
        copies.append(dataset)
    return copies


_STEP_TIMEOUT = 60.0


@dataclass
class LoadResult:
    """What each association reported."""

    statuses: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    finished: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def send_concurrently(
    port: int,
    datasets: Sequence[Dataset],
    associations: int,
    timeout: float,
    calling: str = "MODALITY",
    called: str = "DEIDNODE",
) -> LoadResult:
    """Split the datasets over concurrent associations; all of them get ``timeout`` seconds
    in all (and any one step, such as a response, at most a minute), after which what has not
    finished is missing from the result."""
    result = LoadResult()
    contexts = sorted({(str(ds.SOPClassUID), str(ds.file_meta.TransferSyntaxUID))
                       for ds in datasets})

    def sender(share: Sequence[Dataset]) -> None:
        ae = AE(ae_title=calling)
        ae.network_timeout = ae.dimse_timeout = ae.acse_timeout = min(timeout, _STEP_TIMEOUT)
        for context in contexts:
            ae.add_requested_context(*context)
        association = ae.associate("127.0.0.1", port, ae_title=called)
        if not association.is_established:
            with result.lock:
                result.failures.append("association not established")
            return
        try:
            for dataset in share:
                status = association.send_c_store(dataset)
                with result.lock:
                    result.statuses.append(int(getattr(status, "Status", -1)))
        finally:
            association.release()
            with result.lock:
                result.finished += 1

    threads = [
        threading.Thread(target=sender, args=(datasets[index::associations],), daemon=True)
        for index in range(associations)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    return result
