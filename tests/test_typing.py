"""Typing: the lazily loaded names are typed for users, and the kernel stubs say what the kernels take.

The whole-package check is `mypy` in .ci/run (config in pyproject.toml); these tests pin the
two things it cannot see by itself.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import os
from pathlib import Path

import pytest

import retold

SRC = Path(retold.__file__).resolve().parent
STUBS = sorted((SRC / "_ext").glob("*.pyi"))


def test_every_lazy_name_is_imported_for_type_checkers() -> None:
    # __getattr__ hides the lazy names from a type checker; the TYPE_CHECKING block shows them.
    tree = ast.parse((SRC / "__init__.py").read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom) and stmt.module:
                    seen.update({alias.name: stmt.module for alias in stmt.names if alias.asname == alias.name})
    assert seen == retold._LAZY


def _stub_signatures(path: Path) -> dict[str, list[str]]:
    """``name`` or ``Class.method`` -> its parameter names, from a .pyi."""
    out: dict[str, list[str]] = {}

    def params(fn: ast.FunctionDef) -> list[str]:
        a = fn.args
        names = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs]
        names += [f"*{a.vararg.arg}"] if a.vararg else []
        names += [f"**{a.kwarg.arg}"] if a.kwarg else []
        return names

    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef):
            out[node.name] = params(node)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and (not item.name.startswith("_") or item.name == "__init__"):
                    out[f"{node.name}.{item.name}"] = params(item)
    return out


def _twin_params(obj: object) -> list[str]:
    names = []
    for p in inspect.signature(obj).parameters.values():  # type: ignore[arg-type]
        prefix = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "")
        names.append(prefix + p.name)
    return names


# Kernel functions with no twin on purpose: a compiled kernel's self-check against the Python
# tables (the twin reads those tables directly, so it has nothing to compare).
KERNEL_ONLY = {("stories", "character_rule_disagreements")}


@pytest.mark.parametrize("stub", STUBS, ids=[s.stem for s in STUBS])
def test_kernel_stub_matches_its_pure_python_twin(stub: Path) -> None:
    # A stub that drifts from the kernel misleads every caller's type checker; the twin has
    # the kernel's signature by contract (tests check both agree), so the stub must match it.
    twin = importlib.import_module(f"retold._reference.{stub.stem}")
    stubbed = _stub_signatures(stub)
    assert stubbed, f"{stub.name} declares nothing"
    for name, params in stubbed.items():
        if (stub.stem, name) in KERNEL_ONLY:
            continue
        obj: object = twin
        for part in name.split("."):
            assert hasattr(obj, part), f"{stub.name} declares {name}, which retold._reference.{stub.stem} lacks"
            obj = getattr(obj, part)
        expected = _twin_params(obj)  # a method read off the class keeps its self
        assert params == expected, f"{stub.name}: {name}{tuple(params)} but the twin takes {tuple(expected)}"


@pytest.mark.parametrize("stub", STUBS, ids=[s.stem for s in STUBS])
def test_kernel_stub_declares_every_public_kernel(stub: Path) -> None:
    # A kernel missing from its stub is an attribute error to mypy wherever it is called.
    compiled = pytest.importorskip(f"retold._ext.{stub.stem}", reason="compiled kernels are not built")
    twin = importlib.import_module(f"retold._reference.{stub.stem}")
    tree = ast.parse(stub.read_text(encoding="utf-8"))
    declared = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    declared |= {a.asname or a.name for n in tree.body if isinstance(n, ast.ImportFrom) for a in n.names}
    public = {n for n in dir(compiled) if not n.startswith("_") and hasattr(twin, n)
              and (inspect.isclass(getattr(twin, n)) or inspect.isfunction(getattr(twin, n)))
              and getattr(twin, n).__module__ == twin.__name__}  # not a helper both import
    assert public <= declared, f"{stub.name} lacks {sorted(public - declared)}"


def test_lazy_entry_points_are_not_any_to_a_type_checker(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api", reason="mypy is not installed (pip install -e '.[test]')")
    script = tmp_path / "user.py"
    script.write_text(
        "from retold import MinHashLSH, dedup, stories, StoryModel, analyze\n"
        "reveal_type(MinHashLSH)\nreveal_type(dedup)\nreveal_type(stories)\n"
        "reveal_type(StoryModel)\nreveal_type(analyze)\n",
        encoding="utf-8",
    )
    env_path = os.environ.get("MYPYPATH")
    os.environ["MYPYPATH"] = str(SRC.parent)
    try:
        stdout, stderr, status = api.run([
            "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"),
            "--follow-imports", "silent", "--config-file", os.devnull, str(script),
        ])
    finally:
        if env_path is None:
            del os.environ["MYPYPATH"]
        else:
            os.environ["MYPYPATH"] = env_path
    revealed = [line for line in stdout.splitlines() if "Revealed type" in line]
    assert len(revealed) == 5, stdout + stderr
    for line in revealed:
        assert '"Any"' not in line, line
    assert "def (" in revealed[1] and "DedupResult" in revealed[1], revealed[1]
    assert "MinHashLSH" in revealed[0] and "StoryModel" in revealed[3], revealed
    # reveal_type is a note, an unexported name an error; match mypy's ": error:" prefix, as a
    # bare "error:" also occurs inside revealed signatures (the on_error parameter).
    assert ": error:" not in stdout, stdout
