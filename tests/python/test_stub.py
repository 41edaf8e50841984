"""The type stub of deploysim._core names everything the extension exports, and every public
name of the package has a docstring."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import deploysim
from deploysim import _core


def stub_names() -> dict[str, set[str]]:
    tree = ast.parse((Path(deploysim.__file__).parent / "_core.pyi").read_text())
    names: dict[str, set[str]] = {"": set()}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names[""].add(node.name)
            names[node.name] = {
                n.name if isinstance(n, ast.FunctionDef) else n.target.id  # type: ignore[union-attr]
                for n in node.body if isinstance(n, (ast.FunctionDef, ast.AnnAssign))}
        elif isinstance(node, ast.FunctionDef):
            names[""].add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[""].add(node.target.id)
    return names


def test_stub_covers_the_extension() -> None:
    names = stub_names()
    exported = {name for name in dir(_core) if not name.startswith("_")} | {"__version__"}
    assert exported == names[""]
    for name in exported:
        member = getattr(_core, name)
        if inspect.isclass(member):
            public = {m for m in vars(member) if not m.startswith("_")}
            assert public <= names[name], (name, public - names[name])


def test_public_names_are_documented() -> None:
    for name in deploysim.__all__:
        member = getattr(deploysim, name)
        if callable(member) or inspect.ismodule(member):
            assert inspect.getdoc(member), name
