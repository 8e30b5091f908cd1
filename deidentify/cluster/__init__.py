"""``deidentify apply --cluster``: the batch run on a Dask distributed cluster.

The client (the ``deidentify`` command) discovers the inputs, checks and records the output
folder, and keeps the log, progress and summary as in a local run; the cluster's workers run
the same per-file ``Worker`` on a file system they share with it. Modules, one job each:

connect.py   ``--cluster`` address -> a Client (``local:N`` starts a LocalCluster first)
secret.py    the run's secret on the workers: a worker plugin or a file they read; never in
             the task graph (tasks carry a keyed fingerprint of it only)
tasks.py     what runs on a worker: the engine built once per worker thread, a chunk of tasks
submit.py    the pool: tasks in chunks, a bounded number in flight, results as they complete
session.py   the above put together for one run

Dask's ``distributed`` package is an optional extra (``deidentify[distributed]``); without
it ``open_session`` raises ClusterError saying what to install.
"""

from deidentify.cluster.connect import ClusterError
from deidentify.cluster.session import ClusterSession, open_session

__all__ = ["ClusterError", "ClusterSession", "open_session"]
