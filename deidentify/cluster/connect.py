"""The ``--cluster`` address -> a connected ``distributed.Client``.

``tcp://HOST:PORT`` (or ``tls://``, any scheme Dask accepts) connects to a running
scheduler; ``local:N`` starts a LocalCluster of N worker processes of one thread, all on
127.0.0.1 (the scheduler's HTTP server on a free port of 127.0.0.1), for this run. Anything
else, an unreachable scheduler or a missing ``distributed`` package is a ClusterError with a
one-line message. Ctrl-C or SIGTERM while ``distributed`` is imported or a local cluster
starts takes effect once that is done, so that the cluster is stopped cleanly.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import re
import signal
import threading
from collections.abc import Iterator
from types import FrameType, ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from distributed import Client

INSTALL_HINT = "pip install 'deidentify[distributed]' (dask's distributed package)"
CONNECT_TIMEOUT = "30s"
_LOCAL = re.compile(r"local:(\d+)")
_ADDRESS = re.compile(r"[a-z][a-z0-9+.-]*://\S+")


class ClusterError(Exception):
    """The cluster cannot be used for this run; one-line message."""


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """KeyboardInterrupt for a Ctrl-C or SIGTERM received inside, raised on leaving."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def defer(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    previous = {number: signal.signal(number, defer)
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if received:
        raise KeyboardInterrupt


def require_distributed() -> ModuleType:
    """The ``distributed`` module, or ClusterError saying what to install."""
    try:
        with _interrupts_deferred():
            return importlib.import_module("distributed")
    except ImportError:
        raise ClusterError(f"--cluster needs dask's distributed package: {INSTALL_HINT}") from None


def local_workers(spec: str) -> int | None:
    """N for ``local:N``; None for a scheduler address; ClusterError otherwise."""
    local = _LOCAL.fullmatch(spec)
    if local is not None:
        count = int(local.group(1))
        if count < 1:
            raise ClusterError(f"--cluster {spec}: at least one worker is needed")
        return count
    if _ADDRESS.fullmatch(spec) is None:
        raise ClusterError(f"--cluster {spec}: expected tcp://HOST:PORT (a Dask scheduler) "
                           "or local:N (N worker processes on this machine)")
    return None


@contextlib.contextmanager
def connect(spec: str) -> Iterator[Client]:
    """A Client of the cluster named by ``spec``, closed (and a local cluster stopped) after."""
    count = local_workers(spec)
    distributed = require_distributed()
    with contextlib.ExitStack() as stack:
        address: object = spec
        if count is not None:
            with _interrupts_deferred():
                address = stack.enter_context(distributed.LocalCluster(
                    n_workers=count, threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address=":0", silence_logs=logging.CRITICAL,
                ))
        try:
            client = stack.enter_context(
                distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
            )
        except (OSError, TimeoutError) as error:
            raise ClusterError(f"--cluster {spec}: cannot reach the scheduler "
                               f"({type(error).__name__})") from None
        yield client
