"""The names ``import retold`` exports: lazy, and the functions themselves.

``retold.stories``, ``retold.analyze`` and ``retold.provenance`` are functions; no module of the
library is named like them but their deprecated old paths, which nothing in the library imports
(tests/test_moved_modules.py).  Checks run in a fresh interpreter,
where no earlier import can hide a mistake.
"""
from __future__ import annotations

import subprocess
import sys

import pytest


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()

def test_the_function_runs():
    import retold

    result = retold.stories(["The council voted to close the old bridge on Monday.",
                             "On Monday the council voted to close the old bridge."])
    assert len(result.labels) == 2


def test_lazy_names_do_not_load_heavy_modules():
    out = _run("import sys, retold\n"
               "print(sorted(m for m in ('retold.stories', 'retold.story_clustering', 'pandas', 'pyarrow', 'dask') if m in sys.modules))")
    assert out == "[]"
