"""The names ``import retold`` exports: lazy, and the same object in every import order.

``retold.stories``, ``retold.analyze`` and ``retold.provenance`` are both a module and the
function users call; each check runs in a fresh interpreter because the order in which a
process first touches the name and the module is the thing under test.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

# retold.stories is now the function of retold.story_clustering; its old module is a deprecated
# alias (tests/test_stories_alias.py).
MODULE_FUNCTIONS = ("analyze", "provenance")


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("name", MODULE_FUNCTIONS)
def test_the_name_first_then_the_module_import_binds_the_module(name):
    # ``import retold.x as m`` reads the package attribute: a cached function there would bind
    # the function, and ``m.SomeClass`` would fail (the smoke benchmarks tripped on this).
    out = _run(
        "import sys, retold\n"
        f"first = retold.{name}\n"
        f"import retold.{name} as m\n"
        f"print(m is sys.modules['retold.{name}'], callable(m), first is m)\n"
    )
    assert out == "True True True"


@pytest.mark.parametrize("name", MODULE_FUNCTIONS)
def test_the_module_first_then_the_name_is_still_callable(name):
    out = _run(
        f"import retold.{name}, retold\n"
        f"print(callable(retold.{name}), retold.{name}.__name__)\n"
    )
    assert out == f"True retold.{name}"


def test_a_module_call_runs_its_function():
    import retold

    result = retold.stories(["The council voted to close the old bridge on Monday.",
                             "On Monday the council voted to close the old bridge."])
    assert len(result.labels) == 2


def test_lazy_names_do_not_load_heavy_modules():
    out = _run("import sys, retold\n"
               "print(sorted(m for m in ('retold.stories', 'retold.story_clustering', 'pandas', 'pyarrow', 'dask') if m in sys.modules))")
    assert out == "[]"
