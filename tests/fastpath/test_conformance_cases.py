"""The generated conformance cases (tests/conformance/) through the fast path.

Every case table of every generated module is turned into files the way the conformance
checks build their datasets (the case's attribute at the top level and inside an item of the
module's unlisted container sequence, beside the marker Patient's Name and ID), chunked per
edition and profile; the fast path's output must be byte-identical to the reference path's,
or both must refuse the file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

import tests.conformance
from tests.conformance import conformance_checks as checks
from tests.fastpath import synthetic
from tests.fastpath.paths import fast_output, reference_output

CHUNK = 40


def _modules() -> list[ModuleType]:
    names = [
        info.name for info in pkgutil.iter_modules(tests.conformance.__path__)
        if info.name.startswith("test_conformance_")
    ]
    return [importlib.import_module(f"tests.conformance.{name}") for name in sorted(names)]


def _tables(module: ModuleType) -> Iterator[tuple[str, tuple[tuple[object, ...], ...]]]:
    """The module's tuples of cases (5-tuples) and private cases (7-tuples)."""
    for name, value in vars(module).items():
        if name.isupper() and isinstance(value, tuple) and value and all(
            isinstance(case, tuple) and len(case) in (5, 7) for case in value
        ):
            yield name, value


def _add_case(top: Dataset, item: Dataset, case: tuple[object, ...]) -> None:
    if len(case) == 5:
        tag, vr = case[1], case[2]
        assert isinstance(tag, int) and isinstance(vr, str)
        top.add(checks._element(tag, vr))
        item.add(checks._element(tag, vr))
        return
    _, group, offset, creator, vr = case[:5]
    assert isinstance(group, int) and isinstance(offset, int)
    assert isinstance(creator, str) and isinstance(vr, str)
    for target in (top, item):
        block = target.private_block(group, creator, create=True)
        value = Sequence([Dataset()]) if vr == "SQ" else checks.ORIGINALS[vr]
        block.add_new(offset, vr, value)


def _dataset(container: int, cases: tuple[tuple[object, ...], ...]) -> Dataset:
    top = checks._base()
    item = Dataset()
    for case in cases:
        _add_case(top, item, case)
    top.add(DataElement(container, "SQ", Sequence([item])))
    top.SOPClassUID = synthetic.CT_IMAGE_STORAGE
    top.SOPInstanceUID = "1.2.826.0.1.3680043.9.7.99"
    return top


def _profile(case: tuple[object, ...]) -> str:
    return str(case[3] if len(case) == 5 else case[5])


def _chunks() -> Iterator[tuple[str, str, int, tuple[tuple[object, ...], ...]]]:
    for module in _modules():
        edition, container = module.EDITION, module.CONTAINER
        short = module.__name__.rsplit(".", 1)[1].removeprefix("test_conformance_")
        for name, table in _tables(module):
            body = [
                case for case in table
                if not (len(case) == 5 and isinstance(case[1], int) and case[1] >> 16 <= 0x0004)
            ]
            for profile in dict.fromkeys(_profile(case) for case in body):
                cases = tuple(case for case in body if _profile(case) == profile)
                for start in range(0, len(cases), CHUNK):
                    label = f"{short}-{name}-{profile.removeprefix('deidentify:')}-{start}"
                    yield label, edition, container, cases[start : start + CHUNK]


CHUNKS = list(_chunks())


@pytest.mark.parametrize(("edition", "container", "cases"), [c[1:] for c in CHUNKS],
                         ids=[c[0] for c in CHUNKS])
def test_conformance_cases_through_the_fast_path(
    edition: str, container: int, cases: tuple[tuple[object, ...], ...], tmp_path: Path
) -> None:
    profile = _profile(cases[0])
    deid = checks.deidentifier(edition, profile)
    for implicit in (False, True):
        source = synthetic.write(_dataset(container, cases), tmp_path / "case.dcm", implicit)
        reference = reference_output(deid, source, tmp_path)
        fast = fast_output(deid, source)
        if reference is None:
            assert fast is None, "the reference path refuses what the fast path wrote"
            continue
        assert fast is not None, "declined"
        assert fast == reference, "output differs"
