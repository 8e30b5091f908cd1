"""What the workers' fork server imports before it forks any worker
(``deidentify.batch.processes``): the modules a worker runs (the engine's paths, pydicom with
them, and the worker), once for every worker; the run's main process imports neither.

Importing this module also makes the process ignore SIGINT and SIGTERM, as each worker
does: a signal sent to the whole process group (a terminal's Ctrl-C, a service manager's
stop) then reaches, of the run's processes, the main process alone, which lets the files in
progress finish and records them. The server would otherwise end, and the main process would
take its workers for lost. It ends with the main process anyway. Only the fork server imports
this module.
"""

from __future__ import annotations

import signal

from deidentify.batch import failures, one_file, worker

__all__ = ["failures", "one_file", "worker"]

signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
