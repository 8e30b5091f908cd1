"""generated/ is what the compiler makes of the pinned editions, and stands on its own."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import generated
from compiler.build import CONFORMANCE_TESTS, GENERATED, render_all
from compiler.render import differences
from compiler.sources import PROJECT_ROOT, load_manifest
from generated.edition_2026c import actions
from tests.compiler.test_editions import compiled


def test_committed_tree_is_byte_identical_to_a_fresh_build() -> None:
    editions = [compiled(p.name) for p in load_manifest()]
    trees = render_all(editions)
    assert [tree for tree, _ in trees] == [GENERATED, CONFORMANCE_TESTS]
    for tree, files in trees:
        assert differences(files, tree) == [], tree.root
    assert render_all(editions) == trees


def test_registry_lists_every_edition_newest_as_default() -> None:
    assert tuple(p.name for p in load_manifest()) == generated.EDITIONS
    assert generated.DEFAULT_EDITION == "2026c"
    assert repr(generated.load().attributes) == repr(compiled("2026c").attributes)


def test_unknown_edition_is_a_clear_error() -> None:
    try:
        generated.load("1999z")
    except generated.UnknownEditionError as error:
        assert "1999z" in str(error) and "2026c" in str(error)
    else:
        raise AssertionError("no error")


def test_action_maps_agree_with_the_rows() -> None:
    edition = generated.load("2026c")
    exact = [r for r in edition.attributes if r.tag.kind is generated.PatternKind.EXACT]
    assert {r.tag.value: r.basic for r in exact} == actions.BASIC
    for option, column in actions.BY_OPTION.items():
        assert column == {r.tag.value: c for r in exact if (c := r.code_for(option))}
    assert {r.tag.text for r in actions.MASKED} == {"(50xx,xxxx)", "(60xx,3000)", "(60xx,4000)"}
    assert actions.PRIVATE.tag.text == "(gggg,eeee) where gggg is odd"


def imports_of(package: Path) -> set[str]:
    found = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_generated_code_imports_the_standard_library_only() -> None:
    assert imports_of(PROJECT_ROOT / "generated") <= set(sys.stdlib_module_names)


def test_runtime_never_imports_the_compiler() -> None:
    assert not imports_of(PROJECT_ROOT / "deidentify") & {"compiler", "lxml", "jinja2"}
