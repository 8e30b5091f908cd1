"""Worker processes never outlive the run that started them."""

from __future__ import annotations

import subprocess
import sys
import textwrap

STARTS_AFTER_ITS_PARENT_DIED = textwrap.dedent(
    """
    import time
    from pathlib import Path
    from deidentify.batch import worker

    gone = 2 ** 22 + 12345  # no such process: the main process this worker was started for
    worker.init(lambda: (lambda source, target: None), Path("."), gone)
    time.sleep(60)
    """
)


def test_a_worker_started_after_its_main_process_died_exits() -> None:
    done = subprocess.run(
        [sys.executable, "-c", STARTS_AFTER_ITS_PARENT_DIED],
        capture_output=True, timeout=30, check=False,
    )
    assert (done.returncode, done.stderr) == (1, b"")
