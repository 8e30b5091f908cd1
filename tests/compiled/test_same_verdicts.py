"""The compiled fast path takes, declines and refuses exactly the inputs its pure Python
sources do. mypyc checks declared types at run time: a value pydicom gives of another type
than an annotation says (a multi-valued Specific Character Set is a MultiValue, not a list)
raises in the compiled form only, which then declines where the pure form does not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pydicom.data
import pytest

from deidentify import compiled

ROOT = Path(__file__).parents[2]
FILES = sorted(name for name in pydicom.data.get_testdata_files() if Path(name).is_file())

VERDICTS = """
import sys, warnings
warnings.simplefilter("ignore")
from pathlib import Path
from deidentify.fastpath.apply import encode_file
from deidentify.fastpath.layout import Declined
from deidentify.fastpath.source import SourceFile
from deidentify.structure import CorruptStructure
from tests.fastpath.paths import PROFILES, deidentifier
for uri in PROFILES:
    deid = deidentifier(uri)
    for name in sys.argv[1:]:
        try:
            with SourceFile(Path(name)) as source:
                encode_file(deid, source)
            verdict = "taken"
        except Declined as error:
            verdict = f"declined: {error}"
        except CorruptStructure as error:
            verdict = f"refused: {error}"
        except Exception as error:
            verdict = f"error: {type(error).__name__}"
        print(uri, Path(name).name, verdict)
"""


def _verdicts(pure: bool) -> list[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key != compiled.PURE_PYTHON}
    if pure:
        environment[compiled.PURE_PYTHON] = "1"
    environment["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-c", VERDICTS, *FILES], capture_output=True,
                          text=True, env=environment, cwd=ROOT, check=True, timeout=300)
    return done.stdout.splitlines()


def test_compiled_and_pure_modules_take_the_same_inputs() -> None:
    for name in compiled.MODULES:
        __import__(name)
    if compiled.running_compiled() != list(compiled.MODULES):
        pytest.skip("the modules run from their sources here: nothing compiled to compare")
    compiled_verdicts = _verdicts(pure=False)
    assert len(compiled_verdicts) > 100
    assert any(line.endswith(" taken") for line in compiled_verdicts)
    assert compiled_verdicts == _verdicts(pure=True)
