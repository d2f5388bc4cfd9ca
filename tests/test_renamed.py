"""Keywords, attributes and options renamed for one vocabulary (CHANGELOG.md, issue 13).

Each old name keeps working for one release with a DeprecationWarning naming the new one, and
gives the same result as the new name; both names at once, with different values, is an error.
"""
from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

import retold
from retold.cli import main
from retold.data import load_demo

TRIMMED = ("the minister said on monday that the new bridge over the river would open in june "
           "next year after a delay of two years caused by floods and a shortage of steel")


def _copies_pair() -> list[str]:
    return [TRIMMED + " officials added that the cost had doubled since the plan was announced", TRIMMED]


def test_dedup_measure_is_the_new_name_of_similarity():
    new = retold.dedup(_copies_pair(), measure="containment", threshold=0.8)
    with pytest.warns(DeprecationWarning, match=r"dedup\(similarity=...\) is renamed measure="):
        old = retold.dedup(_copies_pair(), similarity="containment", threshold=0.8)
    assert new.measure == old.measure == "containment"
    assert new.labels.tolist() == old.labels.tolist() == [0, 0]
    assert retold.dedup(_copies_pair(), threshold=0.8).labels.tolist() == [0, 1]  # jaccard, the default


def test_dedup_refuses_both_names_with_different_values():
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="give only measure="):
        retold.dedup(_copies_pair(), measure="containment", similarity="jaccard")


def test_dedup_measure_errors_name_the_new_keyword():
    with pytest.raises(ValueError, match="measure"):
        retold.dedup(_copies_pair(), measure="cosine")
    with pytest.raises(ValueError, match=r"measure='containment' needs verify=True"):
        retold.dedup(_copies_pair(), measure="containment", verify=False)


def test_analyze_copy_measure_is_the_new_name_of_copy_similarity():
    demo = load_demo()[:12]
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        new = retold.analyze(demo, copy_measure="jaccard", reused=False)
    with pytest.warns(DeprecationWarning, match=r"analyze\(copy_similarity=...\) is renamed copy_measure="):
        old = retold.analyze(demo, copy_similarity="jaccard", reused=False)
    assert new.options["copy_measure"] == old.options["copy_measure"] == "jaccard"
    assert new.copies.labels.tolist() == old.copies.labels.tolist()


def test_story_positions_and_the_old_members_alias():
    result = retold.stories(load_demo())
    story = max(result.stories, key=lambda s: s.size)
    assert story.size == len(story.positions) == len(story.ids) >= 2
    assert [result.ids[p] for p in story.positions] == list(story.ids)
    with pytest.warns(DeprecationWarning, match=r"Story.members is renamed positions"):
        assert story.members == story.positions
    again = pickle.loads(pickle.dumps(story))
    assert again.positions == story.positions and again.terms == story.terms


def test_a_story_pickled_before_the_rename_still_loads():
    result = retold.stories(load_demo())
    story = result.stories[0]
    state = story.__getstate__()
    state["members"] = state.pop("positions")
    old = object.__new__(type(story))
    old.__setstate__(state)
    assert old.positions == story.positions


def test_pair_passages_quoted_count_and_the_old_quoted_alias():
    analysis = retold.analyze(load_demo(), reused=False)
    pair = max(analysis.pairs, key=lambda p: p.quoted_count)
    assert pair.quoted_count == sum(1 for p in pair.passages if p.quoted) >= 1
    assert all(isinstance(p.quoted, bool) for p in pair.passages)
    with pytest.warns(DeprecationWarning, match=r"PairPassages.quoted is renamed quoted_count"):
        assert pair.quoted == pair.quoted_count


@pytest.mark.parametrize("flag", ["--measure", "--similarity"])
def test_cli_dedup_measure_and_its_old_flag(flag, tmp_path):
    out = tmp_path / "copies.jsonl"
    assert main(["dedup", "--demo", flag, "containment", "--emit", "pairs", "-o", str(out), "-q"]) == 0
    measures = {line.split('"measure": "')[1].split('"')[0] for line in out.read_text().splitlines()}
    assert measures == {"containment"}


@pytest.mark.parametrize("flag", ["--copy-measure", "--copy-similarity"])
def test_cli_analyze_copy_measure_and_its_old_flag(flag, tmp_path):
    from retold.cli import build_parser

    args = build_parser().parse_args(["analyze", "--demo", flag, "jaccard"])
    assert args.copy_measure == "jaccard"


def test_dask_dedup_has_the_single_machine_defaults():
    import inspect

    pytest.importorskip("dask")
    import retold.dask as rd

    single = inspect.signature(retold.dedup).parameters
    dask = inspect.signature(rd.dedup).parameters
    for name in ("threshold", "ngram", "num_perm", "recall", "verify", "keep", "measure",
                 "lsh_threshold", "params", "unit", "seed", "bucket_cap"):
        assert dask[name].default == single[name].default, name


def test_credit_look_back_days_is_the_new_name_of_window_days():
    from retold.attribution import credit_edges

    corpus = [{"id": "w", "text": "The ministry said the bridge would open in June.", "source": "Wire",
               "date": "2024-03-01"},
              {"id": "p", "text": "The bridge will open in June, according to Wire.", "source": "Paper",
               "date": "2024-03-02"}]

    def similarity(derived, sources):
        return np.full(len(sources), 0.9)

    new = credit_edges(corpus, similarity, look_back_days=0.5)
    with pytest.warns(DeprecationWarning, match=r"credit_edges\(window_days=...\) is renamed look_back_days="):
        old = credit_edges(corpus, similarity, window_days=0.5)
    assert new == old == []  # a day apart: outside half a day
    assert [(e.source_id, e.derived_id) for e in credit_edges(corpus, similarity, look_back_days=2)] == [("w", "p")]


@pytest.mark.parametrize("flag", ["--look-back-days", "--window-days"])
def test_cli_provenance_look_back_days_and_its_old_flag(flag):
    from retold.cli import build_parser

    args = build_parser().parse_args(["provenance", "--demo", flag, "5"])
    assert args.look_back_days == 5.0


def test_monitor_copy_measure_and_a_store_written_with_the_old_name(tmp_path):
    import json
    import sqlite3

    docs = _copies_pair()
    with pytest.warns(DeprecationWarning, match="Monitor option copy_similarity is renamed copy_measure"):
        with retold.Monitor(tmp_path / "old.db", copy_similarity="jaccard") as old_name:
            assert old_name.options["copy_measure"] == "jaccard"
    with retold.Monitor(tmp_path / "new.db", copy_measure="containment") as monitor:
        verdicts = monitor.add(docs)
    assert verdicts[1].matched_with == verdicts[0].id
    # A store made before the rename keeps the old key: it opens, silently, with its measure.
    con = sqlite3.connect(tmp_path / "new.db")
    options = json.loads(con.execute("SELECT value FROM meta WHERE key = 'options'").fetchone()[0])
    options["copy_similarity"] = options.pop("copy_measure")
    con.execute("UPDATE meta SET value = ? WHERE key = 'options'", (json.dumps(options),))
    con.commit()
    con.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        with retold.Monitor.open(tmp_path / "new.db") as reopened:
            assert reopened.options["copy_measure"] == "containment"
        with pytest.raises(ValueError, match="copy_measure"):
            retold.Monitor(tmp_path / "new.db", copy_measure="jaccard")


def test_copy_pair_ends_are_a_and_b():
    result = retold.dedup(_copies_pair(), measure="containment", threshold=0.8)
    assert result.pairs.a.tolist() == [0] and result.pairs.b.tolist() == [1]
    assert [(r["a"], r["b"]) for r in result.iter_pair_records()] == [("0", "1")]
    with pytest.warns(DeprecationWarning, match=r"CopyPairs.left is renamed a"):
        assert result.pairs.left.tolist() == [0]
    with pytest.warns(DeprecationWarning, match=r"CopyPairs.right is renamed b"):
        assert result.pairs.right.tolist() == [1]


def test_align_ngram_is_the_new_name_of_seed_len():
    a = "the quick brown fox jumps over the lazy dog near the river bank today"
    b = "yesterday the quick brown fox jumps over the lazy dog near the river"
    new = retold.align(a, b, min_tokens=4, ngram=3)
    with pytest.warns(DeprecationWarning, match=r"align\(seed_len=...\) is renamed ngram="):
        old = retold.align(a, b, min_tokens=4, seed_len=3)
    assert old == new and len(new) == 1
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="give only ngram="):
        retold.align(a, b, ngram=3, seed_len=4)
    with pytest.raises(ValueError, match="ngram"):
        retold.align(a, b, ngram=0)
