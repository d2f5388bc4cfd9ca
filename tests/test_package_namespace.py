"""The names ``import retold`` exports: lazy, and the functions themselves.

``retold.stories``, ``retold.analyze`` and ``retold.provenance`` are functions; no module of the
library is named like them but their deprecated old paths, which nothing in the library imports
(tests/test_stories_alias.py, tests/test_moved_modules.py).  Checks run in a fresh interpreter,
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

# name -> the module that defines the function ``retold.<name>``; the old module of the same
# name is a deprecated alias (tests/test_stories_alias.py, tests/test_moved_modules.py).
FUNCTIONS = {"stories": "retold.story_clustering", "analyze": "retold.analysis",
             "provenance": "retold.attribution"}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_the_name_is_the_function_and_loads_no_alias(name):
    out = _run(
        "import sys, importlib, retold\n"
        f"home = importlib.import_module({FUNCTIONS[name]!r})\n"
        f"print(retold.{name} is home.{name}, 'retold.{name}' in sys.modules)\n"
    )
    assert out == "True False"


def test_the_function_runs():
    import retold

    result = retold.stories(["The council voted to close the old bridge on Monday.",
                             "On Monday the council voted to close the old bridge."])
    assert len(result.labels) == 2


def test_lazy_names_do_not_load_heavy_modules():
    out = _run("import sys, retold\n"
               "print(sorted(m for m in ('retold.stories', 'retold.story_clustering', 'pandas', 'pyarrow', 'dask') if m in sys.modules))")
    assert out == "[]"
