"""The old module paths ``retold.stories``, ``retold.provenance`` and ``retold.analyze``, kept
for one release.

Their code moved to :mod:`retold.story_clustering`, :mod:`retold.attribution` and
:mod:`retold.analysis`; ``retold.stories``, ``retold.provenance`` and ``retold.analyze`` are the
functions.  An old path still gives every public name, with a
DeprecationWarning naming the new path, and stays callable as the function (importing it makes
the package attribute the module).  Import order is the thing under test, so each check runs
in a fresh interpreter.
"""
from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

MOVES = {"stories": "retold.story_clustering", "provenance": "retold.attribution", "analyze": "retold.analysis"}
RESULT_TYPES = {"stories": "StoryResult", "provenance": "list", "analyze": "Analysis"}


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c", code],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("name", sorted(MOVES))
def test_the_package_name_is_the_function_of_the_new_package(name):
    out = _run(
        "import inspect, sys, retold\n"
        f"f = retold.{name}\n"
        f"print(inspect.isfunction(f), f.__module__.startswith('{MOVES[name]}.'),"
        f" 'retold.{name}' in sys.modules)\n"
    )
    # The function, from the new package, without importing the old path.
    assert out == "True True False"


@pytest.mark.parametrize("name", sorted(MOVES))
@pytest.mark.parametrize("order", ["name first", "module first"])
def test_an_old_path_imported_keeps_the_name_callable_without_a_warning(name, order):
    # -W error: a warning here would fail the run.  The call is what users are meant to write.
    touch = f"retold.{name}\n"
    imp = f"import retold.{name} as m\n"
    out = _run("import retold\n" + (touch + imp if order == "name first" else imp + touch)
               + f"print(callable(retold.{name}), callable(m), type(retold.{name}(['a text'])).__name__)\n")
    assert out == f"True True {RESULT_TYPES[name]}"


@pytest.mark.parametrize("old, name", [
    ("provenance", "Edge"), ("provenance", "find_attributions"), ("provenance", "credit_edges"),
    ("provenance", "with_credit_edges"), ("provenance", "CREDIT_MAX_CANDIDATES"),
    ("analyze", "Analysis"), ("analyze", "candidate_pairs"), ("analyze", "DEFAULT_NEIGHBOURS"),
    ("analyze", "NEIGHBOUR_WINDOW"), ("analyze", "PairPassages"),
    ("stories", "StoryModel"), ("stories", "StoryClusterer"), ("stories", "DEFAULT_THRESHOLD"),
])
def test_a_name_from_an_old_path_warns_with_its_new_path(old, name):
    import importlib

    module = importlib.import_module(f"retold.{old}")
    new = importlib.import_module(MOVES[old])
    with pytest.warns(DeprecationWarning, match=rf"retold\.{old}\.{name} moved to {MOVES[old]}\.{name}"):
        value = getattr(module, name)
    assert value is getattr(new, name)


def test_from_import_of_an_old_path_warns_at_the_caller():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from retold.provenance import Edge  # noqa: F401
    assert [w.category for w in caught] == [DeprecationWarning]
    assert caught[0].filename == __file__  # stacklevel: the user's line, not the alias's


def test_an_old_path_has_no_private_or_unknown_names():
    import retold.analyze as old

    for name in ("_top_earlier", "no_such_name"):
        with pytest.raises(AttributeError, match=name):
            getattr(old, name)


def test_names_that_moved_elsewhere_warn_with_their_own_home():
    import retold.scripts
    import retold.stories as old

    for name in ("dominant_scripts", "SCRIPT_SAMPLE_CHARS"):
        with pytest.warns(DeprecationWarning, match=rf"retold\.stories\.{name} moved to retold\.scripts\.{name}"):
            assert getattr(old, name) is getattr(retold.scripts, name)
    assert {"StoryModel", "dominant_scripts"} <= set(old.__all__)


def test_a_pickle_made_before_the_move_still_loads():
    # Pickles name their class by module: a model pickled before the move says retold.stories.
    import pickle

    from retold.story_clustering import StoryModel

    model = StoryModel().fit(["The council voted to close the old bridge on Monday.",
                              "On Monday the council voted to close the old bridge.",
                              "Bank rates stay at four percent, the board said."])
    old = pickle.dumps(model, protocol=0).replace(b"cretold.story_clustering.model\n", b"cretold.stories\n")
    assert b"cretold.stories\nStoryModel" in old
    with pytest.warns(DeprecationWarning, match="retold.story_clustering.StoryModel"):
        again = pickle.loads(old)
    assert type(again) is StoryModel and again.n_docs == 3 and (again.df == model.df).all()
