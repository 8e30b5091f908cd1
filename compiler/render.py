"""The model -> generated/ (typed, stdlib-only modules), rendered with jinja2.

Rendering is pure: it returns file texts keyed by relative path, so a build can be checked
against what is committed, and nothing is written until every edition has compiled.
"""

from __future__ import annotations

import inspect
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from compiler import model
from compiler.model import Edition, PatternKind

TEMPLATES = Path(__file__).parent / "templates"


def environment() -> jinja2.Environment:
    """The jinja2 environment of the compiler's templates."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["pyrepr"] = repr
    env.filters["hex8"] = lambda value: f"0x{value:08X}"
    env.filters["hex4"] = lambda value: f"0x{value:04X}"
    env.filters["hex2"] = lambda value: f"0x{value:02X}"
    return env


def render_edition(env: jinja2.Environment, edition: Edition) -> dict[str, str]:
    """The files of one edition's package, keyed by path relative to generated/."""
    package = f"edition_{edition.edition}"
    exact = [rule for rule in edition.attributes if rule.tag.kind is PatternKind.EXACT]
    by_option = [
        (option, [(rule, code) for rule in exact if (code := rule.code_for(option)) is not None])
        for option in edition.options
    ]
    context = {"edition": edition, "exact": exact, "by_option": by_option}
    modules = ("attributes", "actions", "safe_private", "structured_content")
    files = {f"{package}/{name}.py": env.get_template(f"{name}.py.j2").render(context)
             for name in modules}
    files[f"{package}/__init__.py"] = env.get_template("edition.py.j2").render(context)
    return files


def render_package(
    env: jinja2.Environment, editions: Sequence[Edition]
) -> dict[str, str]:
    """Every file of generated/: the registry, the model and one package per edition."""
    names = [edition.edition for edition in editions]
    header = env.get_template("header.j2").render(edition=None)
    files = {
        "__init__.py": env.get_template("registry.py.j2").render(
            editions=names, default=names[-1], edition=None
        ),
        "model.py": header + "\n" + inspect.getsource(model),
        "py.typed": "",
    }
    for edition in editions:
        files.update(render_edition(env, edition))
    return files


@dataclass(frozen=True)
class Tree:
    """A folder the compiler writes: the files under ``root`` whose names match ``pattern``.

    Files that do not match (hand-written helpers beside generated tests) are left alone.
    """

    root: Path
    pattern: str = "*"

    def managed(self) -> set[str]:
        """Relative paths of the files this tree holds now."""
        return {
            str(path.relative_to(self.root)) for path in self.root.rglob(self.pattern)
            if path.is_file() and "__pycache__" not in path.parts
        }


def differences(files: Mapping[str, str], tree: Tree) -> list[str]:
    """Paths of ``tree`` that differ from ``files``: changed, missing or no longer generated."""
    found = tree.managed() if tree.root.is_dir() else set()
    changed = [
        name for name, text in files.items()
        if name not in found or (tree.root / name).read_text(encoding="utf-8") != text
    ]
    return sorted(changed + [name for name in found if name not in files])


def write_tree(files: Mapping[str, str], tree: Tree) -> None:
    """Make ``tree`` hold exactly ``files``: each changed file replaced atomically, stale ones
    removed, unchanged ones not touched."""
    for name in differences(files, tree):
        target = tree.root / name
        if name not in files:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}-", delete=False
        ) as partial:
            partial.write(files[name])
        Path(partial.name).replace(target)
