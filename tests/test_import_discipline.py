"""The package's imports keep its layers apart: read from the source (ast), nothing is imported.

Rules, checked for every ``.py`` module under ``src/retold/``:

1. **No private coupling.**  A name with one leading underscore belongs to the module that
   defines it: no other module imports it (``from retold.copies import _best_matches``) or
   reads it off an imported module (``import retold.dask as rd; rd._place``).  What two
   modules share is public in the module that owns it.  Exempt are the kernel-access modules,
   whose names mirror the compiled kernels: ``retold._backend``, ``retold._ext.*``,
   ``retold._reference.*`` and ``retold._kernel_args``.  A *module* whose name starts with an
   underscore (``retold._validate``, ``retold.cli._common``) is private to the package, not
   to a module: its public names may be imported anywhere in the package.
2. **The library never imports the command line.**  ``retold.cli`` is imported only inside
   ``retold/cli/`` and by ``retold/__main__.py`` (``python -m retold``), except the entries of
   :data:`DEPRECATED_CLI_IMPORTS` (aliases kept for one release).
3. **argparse only in the command line**: ``import argparse`` only inside ``retold/cli/``.
4. **Lower layers never import higher ones** (../shared/ARCHITECTURE.md, "Data flows one
   way"): :data:`LAYERS` lists the layers from the bottom; a module may import its own layer
   and those below.  Every module must be in a layer, so a new one is placed on purpose.
   ``retold`` itself (the package's re-exports and ``__version__``) is above the rule.
"""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

# From the bottom: what the data flows through, in the order of ARCHITECTURE.md, then the
# drivers that compose the layers, then the command line.  Prefixes match a module and its
# submodules; the longest prefix wins.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", (
        "retold._validate", "retold._backend", "retold._ext", "retold._reference",
        "retold._kernel_args", "retold._textprep", "retold.scripts",
        "retold._moved_module", "retold._renamed", "retold.punctuation",
        "retold.story_feature_tables", "retold.article_fields",
        "retold.article", "retold.dates", "retold.heap", "retold.parallel", "retold.progress", "retold.data",
        "retold.language",
    )),
    ("read", ("retold.io", "retold.boilerplate")),
    ("hash", ("retold.hashing", "retold.minhash", "retold.sketch_schemes", "retold.minhash_state", "retold.lean_minhash")),
    ("copies", ("retold.lsh", "retold.lsh_arrays", "retold.lsh_banding", "retold.lsh_candidates", "retold.lsh_compat", "retold.lsh_files", "retold.lsh_params",
                "retold.lsh_storage", "retold.lsh_tables", "retold.lsh_views", "retold.dedup_core",
                "retold.copies")),
    ("stories", ("retold.semantic", "retold.story_clustering", "retold.story_labels", "retold.stories")),
    ("passages", ("retold.quotes", "retold.prepared_text", "retold.aligned_passage", "retold.shared_quotes",
                  "retold.passages")),
    ("reuse", ("retold.misread_words", "retold.reuse_index", "retold.passage_reuse")),
    # retold.provenance / retold.analyze: the old paths of retold.attribution / retold.analysis,
    # kept for one release (CHANGELOG.md).
    ("provenance", ("retold.attribution", "retold.provenance")),
    ("outputs", ("retold.report",)),
    ("drivers", ("retold.analyze", "retold.monitor", "retold.dask", "retold.evaluation",
                 "retold.synthetic", "retold.synthetic_reprints",
                 "retold.analysis")),
    ("cli", ("retold.cli", "retold.__main__")),
]
KERNEL_ACCESS = ("retold._backend", "retold._ext", "retold._reference", "retold._kernel_args")
# (importing module, imported module): library imports of the command line that stay for one
# release as deprecation aliases (see the CHANGELOG); remove the entry with the alias.
DEPRECATED_CLI_IMPORTS = {("retold.dask", "retold.cli.dask_options")}


def _package_root() -> Path:
    spec = importlib.util.find_spec("retold")  # finds the package without running it
    assert spec is not None and spec.submodule_search_locations
    return Path(list(spec.submodule_search_locations)[0])


def _module_name(root: Path, path: Path) -> str:
    parts = ["retold", *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def layer_of(module: str) -> int | None:
    best, found = -1, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if _within(module, prefix) and len(prefix) > best:
                best, found = len(prefix), i
    return found


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _imports(tree: ast.Module, module: str, is_package: bool, modules: set[str]):
    """``(line, imported module, name or None)`` of every import of a retold module.

    ``from X import y`` gives ``(X.y, None)`` when ``X.y`` is a module of the package, else
    ``(X, y)``; relative imports are resolved against ``module``.
    """
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                if f"{source}.{alias.name}" in modules:
                    yield node.lineno, f"{source}.{alias.name}", None
                else:
                    yield node.lineno, source, alias.name


def _module_aliases(tree: ast.Module, modules: set[str]) -> dict[str, str]:
    """Local names bound to retold modules by ``import retold.x as y`` / ``from retold import x``."""
    out: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and alias.name in modules:
                    out[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            for alias in node.names:
                if f"{node.module}.{alias.name}" in modules:
                    out[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return out


def violations(root: Path | None = None) -> list[str]:
    """Every breach of the rules above in the package at ``root`` (default: the one importable)."""
    root = root or _package_root()
    paths = sorted(root.rglob("*.py"))
    modules = {_module_name(root, p) for p in paths}
    found: list[str] = []
    for path in paths:
        module = _module_name(root, path)
        where = f"{path.relative_to(root.parent)}"
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        in_cli = _within(module, "retold.cli") or module == "retold.__main__"
        own_layer = layer_of(module)
        if own_layer is None and module != "retold":
            found.append(f"{where}: module {module} is in no layer of LAYERS")
        for line, target, name in _imports(tree, module, path.name == "__init__.py", modules):
            if target == "argparse" and not _within(module, "retold.cli"):
                found.append(f"{where}:{line}: imports argparse outside retold/cli/")
            if not _within(target, "retold"):
                continue
            if (name is not None and _is_private(name) and target != module
                    and not any(_within(target, k) for k in KERNEL_ACCESS)):
                found.append(f"{where}:{line}: imports the private name {name} of {target}")
            if _within(target, "retold.cli") and not in_cli:
                if (module, target) not in DEPRECATED_CLI_IMPORTS:
                    found.append(f"{where}:{line}: the library imports the command line ({target})")
                continue
            target_layer = layer_of(target) if target != "retold" else None
            if own_layer is not None and target_layer is not None and target_layer > own_layer:
                found.append(f"{where}:{line}: {module} ({LAYERS[own_layer][0]}) imports "
                             f"{target} ({LAYERS[target_layer][0]}), a higher layer")
        aliases = _module_aliases(tree, modules)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and _is_private(node.attr)):
                target = aliases[node.value.id]
                if target != module and not any(_within(target, k) for k in KERNEL_ACCESS):
                    found.append(f"{where}:{node.lineno}: reads the private name {node.attr} of {target}")
    return list(dict.fromkeys(found))  # one line per breach, not per name imported by it


def test_the_package_keeps_its_import_discipline():
    found = violations()
    assert not found, f"{len(found)} import(s) break the rules of {__name__}:\n" + "\n".join(found)


def _write(root: Path, name: str, text: str) -> None:
    path = root / "retold" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_each_rule_catches_its_breach(tmp_path):
    """The checker on a made-up package, one breach per rule, so that it cannot pass by seeing nothing."""
    _write(tmp_path, "__init__.py", "")
    _write(tmp_path, "cli/__init__.py", "import argparse\nfrom retold.copies import dedup\n")
    _write(tmp_path, "copies.py", "import argparse\nfrom retold.cli import main\nfrom retold.stories import x\n"
                                  "from retold.hashing import _split\n")
    _write(tmp_path, "hashing.py", "from retold._backend import _kernel\nfrom . import _split_helper\n"
                                   "import retold.copies as c\nc._private\n")
    _write(tmp_path, "stories.py", "from retold._validate import check_int\n")
    _write(tmp_path, "mystery.py", "")
    found = violations(tmp_path / "retold")
    text = "\n".join(found)
    assert "copies.py:1: imports argparse outside retold/cli/" in text
    assert "copies.py:2: the library imports the command line (retold.cli)" in text
    assert "copies.py:3: retold.copies (copies) imports retold.stories (stories), a higher layer" in text
    assert "copies.py:4: imports the private name _split of retold.hashing" in text
    assert "hashing.py:3: retold.hashing (hash) imports retold.copies (copies), a higher layer" in text
    assert "hashing.py:4: reads the private name _private of retold.copies" in text
    assert "module retold.mystery is in no layer" in text
    # Allowed: kernel access, a private module's public name, the command line importing down.
    assert "_kernel" not in text and "_validate" not in text and "cli/__init__" not in text
    assert len(found) == 8, text  # the 7 above and `from . import _split_helper` (not a module here)


@pytest.mark.parametrize("module, layer", [("retold.dask.read", "drivers"), ("retold._ext.lsh", "foundation"),
                                           ("retold.lsh_files", "copies"), ("retold.cli._common", "cli")])
def test_layers_by_longest_prefix(module, layer):
    assert LAYERS[layer_of(module)][0] == layer
