"""How worker processes start, and how they learn that the run's main process is gone.

A worker is never forked from the run's main process (it may run a progress thread). Where
the kernel gives process descriptors (Linux: ``os.pidfd_open``), workers are forked from
multiprocessing's fork server: a fresh, single-threaded process that imports
``SERVER_PRELOAD`` (pydicom, the engine, the fast path) once, so that each worker starts at
once instead of importing them anew, and that ignores the signals the workers ignore. The
server is started ahead (``start_workers_ahead``, once the options ask for workers and the
inputs hold more than one file), so that its imports run on another core while the main
process imports the same and lists the inputs. Elsewhere workers are spawned.

A worker ends when the main process does (``wait_for_exit``): it watches the main process's
descriptor, or, when spawned, whether its parent is still the main process. (A worker of
the fork server cannot watch the server instead: the server lives as long as any of its
workers.)

This module imports nothing of the project: starting the server costs the main process no
import.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import time
from multiprocessing import forkserver
from multiprocessing.context import BaseContext

SERVER_PRELOAD = "deidentify.batch.preload"
"""What the fork server imports: what a worker runs, and its signal settings."""

FORK_SERVER = "forkserver"
PARENT_POLL_SECONDS = 0.5


def _has_process_descriptors() -> bool:
    """Whether this kernel gives descriptors of processes (Linux 5.3 and later)."""
    try:
        descriptor = os.pidfd_open(os.getpid())
    except (AttributeError, OSError):
        return False
    os.close(descriptor)
    return True


def worker_context() -> BaseContext:
    """How worker processes start: forked from the fork server that imports
    ``SERVER_PRELOAD`` where a worker can watch the main process's descriptor, else spawned
    as children of the main process."""
    if (FORK_SERVER not in multiprocessing.get_all_start_methods()
            or not _has_process_descriptors()):
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context(FORK_SERVER)
    context.set_forkserver_preload([SERVER_PRELOAD])
    return context


def start_workers_ahead() -> None:
    """Start the fork server now (where workers are forked from one), so that its imports
    run beside this process's own."""
    if worker_context().get_start_method() == FORK_SERVER:
        forkserver.ensure_running()


def wait_for_exit(main: int) -> None:
    """Return once the run's main process ``main`` has ended (at once if it already has,
    even before this worker started): by its process descriptor, or else (a spawned
    worker) when this process's parent is no longer ``main``."""
    if not _has_process_descriptors():
        while os.getppid() == main:
            time.sleep(PARENT_POLL_SECONDS)
        return
    try:
        descriptor = os.pidfd_open(main)
    except ProcessLookupError:
        return
    try:
        watch = select.poll()
        watch.register(descriptor, select.POLLIN)
        watch.poll()
    finally:
        os.close(descriptor)
