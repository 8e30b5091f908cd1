"""One run on a cluster: connected, the secret delivered, a pool and the factory to use.

``open_session(spec, factory, worker_secret_file)`` yields a ``ClusterSession`` whose
``pool`` and ``factory`` go to ``run_batch`` in place of the local ones; on leaving, the
secret's plugin is removed from the workers and the client closed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from deidentify.batch.files import EngineFactory, FileFunctionFactory
from deidentify.batch.pool import TaskPool
from deidentify.cluster.connect import connect, require_distributed


@dataclass(frozen=True)
class ClusterSession:
    """What ``run_batch`` takes for a cluster run."""

    pool: TaskPool
    factory: FileFunctionFactory


@contextlib.contextmanager
def open_session(
    spec: str, factory: EngineFactory, worker_secret_file: str | None = None
) -> Iterator[ClusterSession]:
    """Connect to ``spec`` and deliver ``factory``'s secret; ClusterError if that fails."""
    require_distributed()  # the modules below import it: only once it is known to be there
    from deidentify.cluster.secret import SecretPlugin
    from deidentify.cluster.submit import ClusterPool
    from deidentify.cluster.tasks import WorkerEngineFactory

    remote = WorkerEngineFactory.without_secret(factory, worker_secret_file)
    with connect(spec) as client:
        plugin = SecretPlugin(factory.secret) if worker_secret_file is None else None
        if plugin is not None:
            client.register_plugin(plugin, name=plugin.name)
        try:
            yield ClusterSession(ClusterPool(client), remote)
        finally:
            if plugin is not None:  # a scheduler that is gone took the plugin with it
                with contextlib.suppress(Exception):
                    client.unregister_worker_plugin(plugin.name)
