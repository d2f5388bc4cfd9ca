"""``retold.stories`` the function, and ``retold.stories`` the old module kept one release as an alias.

What the module held lives in :mod:`retold.story_clustering` (and :mod:`retold.scripts`); the
alias re-exports it with a ``DeprecationWarning`` naming the new home.  Checks of import order
run in a fresh interpreter: the order in which a process first touches the name and the
module is the thing under test.
"""
from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

DOCS = ["The council voted to close the old bridge on Monday.",
        "On Monday the council voted to close the old bridge.",
        "Bank rates stay at four percent, the board said."]


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c", code],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_name_is_the_function_and_loads_no_alias():
    out = _run("import sys, retold, retold.story_clustering as sc\n"
               "print(retold.stories is sc.stories, 'retold.stories' in sys.modules)")
    assert out == "True False"


def test_every_moved_name_warns_and_is_the_same_object():
    import retold.scripts
    import retold.stories as alias
    import retold.story_clustering as new

    assert "StoryModel" in alias.__all__ and "dominant_scripts" in alias.__all__
    for name in alias.__all__:
        home = retold.scripts if name in ("dominant_scripts", "SCRIPT_SAMPLE_CHARS") else new
        with pytest.warns(DeprecationWarning, match=rf"retold\.stories\.{name} moved to {home.__name__}\.{name}"):
            value = getattr(alias, name)
        assert value is getattr(home, name)


def test_from_import_warns_at_the_callers_line():
    with pytest.warns(DeprecationWarning, match="retold.story_clustering.StoryModel") as caught:
        from retold.stories import StoryModel  # noqa: F401
    assert caught[0].filename == __file__


def test_private_and_unknown_names_are_not_aliased():
    import retold.stories as alias

    with pytest.raises(AttributeError, match="deprecated alias of retold.story_clustering"):
        alias._top_words  # noqa: B018
    with pytest.raises(ImportError):
        from retold.stories import no_such_name  # noqa: F401


def test_after_the_alias_is_imported_retold_stories_still_calls_without_a_warning():
    # The alias's only use: importing it makes the package attribute the module, so the module
    # must run the function, with the same labels and no warning (that call is the public one).
    import retold
    import retold.stories
    from retold.story_clustering import stories

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        got = retold.stories(DOCS, threshold=0.2)
    assert got.labels.tolist() == stories(DOCS, threshold=0.2).labels.tolist() == [0, 0, 1]


def test_the_name_first_then_the_alias_import_binds_the_alias():
    out = _run("import sys, retold, warnings\n"
               "first = retold.stories\n"
               "import retold.stories as m\n"
               "print(m is sys.modules['retold.stories'], callable(m), callable(retold.stories))\n")
    assert out == "True True True"


def test_a_pickle_made_before_the_move_still_loads():
    # Pickles name their class by module: a model pickled before the move says retold.stories.
    import pickle

    from retold.story_clustering import StoryModel

    model = StoryModel().fit(DOCS)
    old = pickle.dumps(model, protocol=0).replace(b"cretold.story_clustering.model\n", b"cretold.stories\n")
    assert b"cretold.stories\nStoryModel" in old
    with pytest.warns(DeprecationWarning, match="retold.story_clustering.StoryModel"):
        again = pickle.loads(old)
    assert type(again) is StoryModel and again.n_docs == 3 and (again.df == model.df).all()
