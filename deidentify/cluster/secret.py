"""The run's secret on the workers, never inside a task graph or a log.

Tasks carry only a keyed fingerprint of the secret; each worker finds the secret itself, by
one of two deliveries:

- ``SecretPlugin`` (the default): a worker plugin registered for the run. Dask sends it once
  to the scheduler, which hands it to every worker, including workers that join later; the
  worker keeps the secret in memory until the plugin is removed at the end of the run. It
  travels over the cluster's connections (use ``tls://`` between machines).
- a secret file on storage the workers share (``--worker-secret-file``): each worker reads
  it; the secret never leaves the storage.

Either way a worker checks the secret it found against the fingerprint, so that a worker
with another secret file refuses the run instead of writing another pseudonym space.
"""

from __future__ import annotations

import hashlib
import hmac
import socket
import uuid
from pathlib import Path

from distributed import Worker, WorkerPlugin

from deidentify.cluster.connect import ClusterError
from deidentify.secrets import SecretError, load_secret

_FINGERPRINT_MESSAGE = b"deidentify cluster secret"
_SECRETS: dict[str, bytes] = {}
"""On a worker: the secrets its plugins delivered, by fingerprint."""
_HOLDERS: dict[str, set[str]] = {}
"""On a worker: the names of the plugins (one per run) that hold each secret."""


class WorkerSecretError(ClusterError):
    """A worker cannot find the run's secret; the message names the worker's host."""


def fingerprint(secret: bytes) -> str:
    """A keyed fingerprint of the secret (16 hex digits): what tasks carry."""
    return hmac.new(secret, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:16]


class SecretPlugin(WorkerPlugin):
    """Gives every worker the run's secret, under a name of its own (runs with the same
    secret may share a cluster: the secret is forgotten when the last of them ends)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self.fingerprint = fingerprint(secret)
        self.name = f"deidentify-secret-{self.fingerprint}-{uuid.uuid4().hex[:12]}"

    def __repr__(self) -> str:
        return f"SecretPlugin(fingerprint={self.fingerprint})"

    def setup(self, worker: Worker) -> None:
        """Keep the secret in this worker's memory."""
        _SECRETS[self.fingerprint] = self._secret
        _HOLDERS.setdefault(self.fingerprint, set()).add(self.name)

    def teardown(self, worker: Worker) -> None:
        """Forget it, unless another run's plugin holds it too."""
        holders = _HOLDERS.get(self.fingerprint, set())
        holders.discard(self.name)
        if not holders:
            _HOLDERS.pop(self.fingerprint, None)
            _SECRETS.pop(self.fingerprint, None)


def secret_on_worker(secret_fingerprint: str, secret_file: str | None) -> bytes:
    """The secret whose fingerprint is ``secret_fingerprint``, from the plugin or the file."""
    host = socket.gethostname()
    if secret_file is None:
        secret = _SECRETS.get(secret_fingerprint)
        if secret is None:
            raise WorkerSecretError(f"the worker on {host} has not received the run's secret")
        return secret
    try:
        secret = load_secret(Path(secret_file))
    except SecretError as error:
        raise WorkerSecretError(f"on the worker on {host}: {error}") from None
    if fingerprint(secret) != secret_fingerprint:
        raise WorkerSecretError(f"{secret_file} on the worker on {host} holds another secret "
                                "than the one the client read")
    return secret
