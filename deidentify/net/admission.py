"""Which connections the node holds, and for how long: connection limits and deadlines.

Every accepted TCP connection is admitted or refused by ``Admission`` on the accepting
thread, before a byte of it is read: at most ``max_associations_per_host`` from one host and
``max_associations`` in all; over a limit the new connection is closed at once, before it
costs the node an association. A sweeping thread closes connections that have not negotiated
an association within ``acse_timeout`` (a connection that sends nothing, or two bytes, holds
its place no longer) and associations open longer than ``max_association_seconds``. Accepted
sockets carry the ``network_timeout``, so that a read stalled mid-PDU ends too; TLS handshakes
happen on the connection's own thread, never on the accepting one.

Every refusal and every closing is logged with the peer's address (and AE title once known),
as the node logs peers; no UID or patient data is known here.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any

from pynetdicom import evt
from pynetdicom.association import Association
from pynetdicom.transport import RequestHandler, ThreadedAssociationServer

from deidentify.net.config import Limits
from deidentify.net.logs import LOGGER

_SWEEP_SECONDS = 0.25


def apply_timeouts(ae: Any, limits: Limits) -> None:
    """Give a pynetdicom AE (the node's, or one it calls out with) the configured timeouts."""
    ae.acse_timeout = limits.acse_timeout
    ae.dimse_timeout = limits.dimse_timeout
    ae.network_timeout = limits.network_timeout


@dataclass(eq=False)
class Connection:
    """One admitted TCP connection and, once created, its association."""

    host: str
    socket: socket.socket
    opened: float
    association: Association | None = None
    closed: bool = False

    @property
    def negotiating(self) -> bool:
        """No association established on it yet."""
        return self.association is None or not self.association.is_established

    @property
    def alive(self) -> bool:
        """Still open: not closed here, and its association's thread not yet started or still
        running."""
        association = self.association
        if self.closed:
            return False
        return association is None or association.ident is None or association.is_alive()

    def close(self) -> None:
        """Shut the socket down; the association's threads see the connection closed."""
        self.closed = True
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)

    def calling_ae(self) -> str:
        """The calling AE title, once the association was requested ('' before)."""
        if self.association is None:
            return ""
        return str(self.association.requestor.ae_title or "").strip()


class Admission:
    """The open connections, their limits and deadlines."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._open: list[Connection] = []
        self._stopping = threading.Event()
        self._sweeper = threading.Thread(target=self._sweep_until_stopped,
                                         name="deidentify-admission", daemon=True)

    def start(self) -> None:
        """Start closing connections past their deadlines."""
        self._sweeper.start()

    def stop(self) -> None:
        """Stop the sweeping thread."""
        self._stopping.set()
        if self._sweeper.is_alive():
            self._sweeper.join()

    def admit(self, host: str, sock: socket.socket) -> Connection | None:
        """The admitted connection, or None if it is refused (and logged)."""
        limits = self.limits
        with self._lock:
            self._open = [connection for connection in self._open if connection.alive]
            from_host = sum(1 for connection in self._open if connection.host == host)
            if from_host >= limits.max_associations_per_host:
                LOGGER.warning("connection from %s refused: %d connections open from this "
                               "host (max_associations_per_host)", host, from_host)
                return None
            if len(self._open) >= limits.max_associations:
                LOGGER.warning("connection from %s refused: %d connections open "
                               "(max_associations)", host, len(self._open))
                return None
            connection = Connection(host, sock, time.monotonic())
            self._open.append(connection)
            return connection

    def attach(self, sock: socket.socket, association: Association) -> None:
        """Record the association created for an admitted connection's socket."""
        with self._lock:
            for connection in self._open:
                if connection.socket is sock:
                    connection.association = association

    def release_unattached(self, sock: socket.socket) -> None:
        """Count an admitted connection no more if no association was created for it."""
        with self._lock:
            for connection in self._open:
                if connection.socket is sock and connection.association is None:
                    connection.closed = True

    def sweep(self, now: float) -> None:
        """Close connections past their deadlines (logged)."""
        limits = self.limits
        late: list[Connection] = []
        too_long: list[Connection] = []
        with self._lock:
            for connection in self._open:
                if not connection.alive:
                    continue
                age = now - connection.opened
                if connection.negotiating and age > limits.acse_timeout:
                    late.append(connection)
                elif age > limits.max_association_seconds:
                    too_long.append(connection)
            for connection in late + too_long:
                connection.close()
        for connection in late:
            LOGGER.warning("connection from %s closed: no association negotiated within %g s "
                           "(acse_timeout)", connection.host, limits.acse_timeout)
        for connection in too_long:
            LOGGER.warning("association from %r at %s closed: open longer than %g s "
                           "(max_association_seconds)", connection.calling_ae(),
                           connection.host, limits.max_association_seconds)

    def _sweep_until_stopped(self) -> None:
        while not self._stopping.wait(_SWEEP_SECONDS):
            self.sweep(time.monotonic())


class _AdmittedHandler(RequestHandler):
    """pynetdicom's handler, recording the association it creates with its connection."""

    server: GuardedServer

    def handle(self) -> None:
        association = self._create_association()
        self.server.admission.attach(self.request, association)
        evt.trigger(association, evt.EVT_CONN_OPEN, {"address": self.client_address})
        association.start()


class GuardedServer(ThreadedAssociationServer):
    """pynetdicom's threaded association server with admission: connections are admitted or
    refused on the accepting thread; an admitted one gets its association on a new thread."""

    def __init__(
        self,
        ae: Any,
        address: tuple[str, int],
        ae_title: str,
        contexts: list[Any],
        ssl_context: ssl.SSLContext | None = None,
        evt_handlers: list[Any] | None = None,
        *,
        admission: Admission,
    ) -> None:
        self.admission = admission
        super().__init__(ae, address, ae_title, contexts, ssl_context, evt_handlers,
                         request_handler=_AdmittedHandler)

    def get_request(self) -> tuple[socket.socket, tuple[str, int]]:
        assert self.socket is not None
        client, address = self.socket.accept()
        client.settimeout(self.admission.limits.network_timeout)
        if self.ssl_context is not None:
            client = self.ssl_context.wrap_socket(client, server_side=True,
                                                  do_handshake_on_connect=False)
        return client, address

    def process_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        assert isinstance(request, socket.socket)
        if self.admission.admit(str(client_address[0]), request) is None:
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            assert isinstance(request, socket.socket)
            self.admission.release_unattached(request)


def start_guarded_server(
    ae: Any,
    address: tuple[str, int],
    handlers: list[Any],
    tls: ssl.SSLContext | None,
    admission: Admission,
) -> GuardedServer:
    """Start ``ae``'s server with admission, serving in a background thread (as pynetdicom's
    ``start_server(block=False)`` does)."""
    server: GuardedServer = ae.make_server(address, ssl_context=tls, evt_handlers=handlers,
                                           server_class=GuardedServer, admission=admission)
    ae._servers.append(server)
    threading.Thread(target=server.serve_forever, name="deidentify-accept", daemon=True).start()
    admission.start()
    return server
