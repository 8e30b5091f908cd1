"""Forwarding stored (already de-identified) objects by C-STORE, with the outgoing rules.

One worker thread keeps one association open to the destination and reopens it when an
object needs a presentation context the open one lacks or the destination dropped it. An
object that cannot be sent stays in storage and is logged by its correlation hash.
"""

from __future__ import annotations

import queue
import ssl
import threading
from pathlib import Path
from typing import Any

import pydicom
from pynetdicom import AE

from deidentify.net.admission import apply_timeouts
from deidentify.net.coercion import Coercer, CoercionError
from deidentify.net.config import Limits, Remote
from deidentify.net.logs import LOGGER
from deidentify.net.rules import AssociationInfo, Dimse, Role

_MAX_CONTEXTS = 128
_STOP = None


class Forwarder:
    """A queue of stored files sent in order to one destination."""

    def __init__(
        self,
        remote: Remote,
        ae_title: str,
        coercer: Coercer,
        tls: ssl.SSLContext | None,
        limits: Limits,
    ) -> None:
        self.remote = remote
        self.ae_title = ae_title
        self.coercer = coercer
        self.tls = tls
        self.limits = limits
        self.info = AssociationInfo(ae_title, remote.ae_title, remote.host)
        self.sent = 0
        self.failed = 0
        self._queue: queue.Queue[tuple[Path, str] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="deidentify-forward", daemon=True)
        self._contexts: set[tuple[str, str]] = set()
        self._accepted: set[tuple[str, str]] = set()
        self._association: Any = None

    def start(self) -> None:
        """Start the worker."""
        self._thread.start()

    def submit(self, path: Path, tag: str) -> None:
        """Queue a stored file; ``tag`` is its correlation hash for the log."""
        self._queue.put((path, tag))

    def stop(self, timeout: float) -> None:
        """Send what is queued (up to ``timeout`` seconds), then release the association."""
        self._queue.put(_STOP)
        self._thread.join(timeout=timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                break
            path, tag = item
            if self._send(path):
                self.sent += 1
            else:
                self.failed += 1
                LOGGER.error("object %s not forwarded to %r; it stays in storage", tag,
                             self.remote.ae_title)
        if self._association is not None:
            self._association.release()
        LOGGER.info("forwarded %d objects to %r, %d failed", self.sent, self.remote.ae_title,
                    self.failed)

    def _send(self, path: Path) -> bool:
        try:
            stored = pydicom.dcmread(path)
            sop_class = str(stored.SOPClassUID)
            dataset = self.coercer.coerce(stored, Dimse.C_STORE_RQ, Role.SCP, self.info, sop_class)
        except (OSError, ValueError, AttributeError, CoercionError):
            return False
        syntax = str(dataset.file_meta.TransferSyntaxUID)
        for _attempt in range(2):
            association = self._association_for(sop_class, syntax)
            if association is None:
                return False
            status = association.send_c_store(dataset)
            if status is not None and int(getattr(status, "Status", -1)) in (0x0000, 0xB000,
                                                                            0xB007, 0xB006):
                return True
            if association.is_established:
                return False
            self._association = None
        return False

    def _association_for(self, sop_class: str, syntax: str) -> Any:
        needed = (sop_class, syntax)
        current = self._association
        if current is not None and current.is_established:
            if needed in self._accepted:
                return current
            if needed in self._contexts:
                return None
            current.release()
        if len(self._contexts) >= _MAX_CONTEXTS:
            self._contexts.clear()
        self._contexts.add(needed)
        ae = AE(ae_title=self.ae_title)
        apply_timeouts(ae, self.limits)
        for abstract, transfer in sorted(self._contexts):
            ae.add_requested_context(abstract, transfer)
        association = ae.associate(
            self.remote.host,
            self.remote.port,
            ae_title=self.remote.ae_title,
            tls_args=(self.tls, self.remote.host) if self.tls is not None else None,
        )
        if not association.is_established:
            LOGGER.error("could not associate with %r at %s:%d", self.remote.ae_title,
                         self.remote.host, self.remote.port)
            self._association = None
            return None
        self._accepted = {
            (str(context.abstract_syntax), str(context.transfer_syntax[0]))
            for context in association.accepted_contexts
        }
        self._association = association
        if needed not in self._accepted:
            LOGGER.error("%r accepted no context for a stored object", self.remote.ae_title)
            return None
        return association
