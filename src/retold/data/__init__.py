"""The demo corpus that ships with retold.

``demo.jsonl`` holds about sixty short news articles in eight languages, written for retold
about fictional events: wire stories, reprints of them with edits or trims, rewrites of the
same stories by other outlets (often in another language, sharing a quote), and unrelated
items, some of them topically close to a story without being part of it.  ``demo_gold.json``
holds the gold labels: copy clusters, stories, shared quotes and provenance.  See README.md
beside this file.

Only the standard library is used here, so the corpus loads without the compiled kernels.
"""
from __future__ import annotations

import atexit
import contextlib
import json
import pathlib
from importlib import resources
from importlib.abc import Traversable
from typing import Any

__all__ = ["demo_path", "demo_gold_path", "load_demo", "load_demo_gold"]

DEMO_FILE = "demo.jsonl"
GOLD_FILE = "demo_gold.json"

_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)
_paths: dict[str, pathlib.Path] = {}


def _resource(name: str) -> Traversable:
    """The packaged file ``name`` as a Traversable (a plain Path for a normal install)."""
    try:
        root = resources.files(__name__)
    except (ModuleNotFoundError, TypeError, ValueError):
        # Module loaded from a file path, outside the package: read beside this file.
        root = pathlib.Path(__file__).resolve().parent
    return root.joinpath(name)


def _path(name: str) -> pathlib.Path:
    if name not in _paths:
        res = _resource(name)
        if isinstance(res, pathlib.Path):
            _paths[name] = res
        else:
            # Installed inside a zip (zipimport): copy it out once, removed at exit.
            _paths[name] = pathlib.Path(_extracted.enter_context(resources.as_file(res)))
    return _paths[name]


def demo_path() -> pathlib.Path:
    """Path of ``demo.jsonl``: one JSON article record a line (UTF-8)."""
    return _path(DEMO_FILE)


def demo_gold_path() -> pathlib.Path:
    """Path of ``demo_gold.json``: the gold labels of the demo corpus."""
    return _path(GOLD_FILE)


def load_demo() -> list[dict[str, Any]]:
    """The demo articles, as the records in the file.

    Each record has ``id``, ``title``, ``text``, ``date`` (ISO 8601, UTC), ``source``,
    ``lang`` and the gold labels ``copy_cluster`` and ``story``.
    """
    records = []
    with _resource(DEMO_FILE).open("r", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                records.append(json.loads(line))
    return records


def load_demo_gold() -> dict[str, Any]:
    """The gold labels: ``copy_clusters``, ``stories``, ``shared_quotes``, ``provenance``, ``notes``."""
    with _resource(GOLD_FILE).open("r", encoding="utf-8") as fh:
        gold: dict[str, Any] = json.load(fh)
        return gold
