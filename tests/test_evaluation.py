"""Evaluation measures against naive oracles (and scikit-learn where installed), pair-file loading."""
from __future__ import annotations

import csv
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

# Each measure from the module that defines it (the package re-exports them all).
from retold.evaluation.clusters import adjusted_rand_index, bcubed, score_clusters
from retold.evaluation.similarity import (
    best_accuracy, evaluate_pairs, load_pairs, load_semeval, pearson, roc_auc, score_pairs,
)
from tests.conftest import shared_path

labels = st.lists(st.integers(0, 4), min_size=1, max_size=30)


def naive_bcubed(pred, gold):
    n = len(pred)
    p = sum(sum(1 for j in range(n) if pred[j] == pred[i] and gold[j] == gold[i])
            / sum(1 for j in range(n) if pred[j] == pred[i]) for i in range(n)) / n
    r = sum(sum(1 for j in range(n) if pred[j] == pred[i] and gold[j] == gold[i])
            / sum(1 for j in range(n) if gold[j] == gold[i]) for i in range(n)) / n
    return p, r, 2 * p * r / (p + r)


def naive_auc(scores, positive):
    pos = [s for s, p in zip(scores, positive) if p]
    neg = [s for s, p in zip(scores, positive) if not p]
    wins = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in pos for b in neg)
    return wins / (len(pos) * len(neg))


def naive_ari(pred, gold):
    n = len(pred)
    pairs = list(itertools.combinations(range(n), 2))
    same_p = [pred[i] == pred[j] for i, j in pairs]
    same_g = [gold[i] == gold[j] for i, j in pairs]
    index = sum(a and b for a, b in zip(same_p, same_g))
    a, b, total = sum(same_p), sum(same_g), len(pairs)
    expected = a * b / total
    maximum = (a + b) / 2
    return 1.0 if maximum == expected else (index - expected) / (maximum - expected)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_bcubed_and_ari_match_oracles(data):
    gold = data.draw(labels)
    pred = data.draw(st.lists(st.integers(0, 4), min_size=len(gold), max_size=len(gold)))
    assert bcubed(pred, gold) == pytest.approx(naive_bcubed(pred, gold))
    if len(gold) >= 2:
        assert adjusted_rand_index(pred, gold) == pytest.approx(naive_ari(pred, gold))


def test_ari_matches_sklearn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    for _ in range(20):
        gold = rng.integers(0, 5, 40).tolist()
        pred = rng.integers(0, 7, 40).tolist()
        assert adjusted_rand_index(pred, gold) == pytest.approx(metrics.adjusted_rand_score(gold, pred))


def test_cluster_scores_known_answers():
    assert bcubed(["a", "a", "b"], [1, 1, 2]) == (1.0, 1.0, 1.0)
    p, r, f = bcubed([0, 0, 0, 0], [0, 0, 1, 1])
    assert (p, r) == (0.5, 1.0) and f == pytest.approx(2 / 3)
    assert adjusted_rand_index([0, 0, 1, 1], [5, 5, 7, 7]) == 1.0
    scores = score_clusters([0, 0, 1], ["x", "x", "y"])
    assert scores.n_items == 3 and scores.n_pred == 2 and scores.f1 == 1.0
    assert any("B-cubed" in line for line in scores.lines())
    with pytest.raises(ValueError, match="differ in length"):
        bcubed([0, 1], [0])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=2, max_size=40))
def test_roc_auc_matches_oracle(rows):
    scores = [float(s) for s, _ in rows]
    positive = [p for _, p in rows]
    if all(positive) or not any(positive):
        assert math.isnan(roc_auc(scores, positive))
    else:
        assert roc_auc(scores, positive) == pytest.approx(naive_auc(scores, positive))


def test_pearson_matches_numpy():
    rng = np.random.default_rng(1)
    x = rng.normal(size=50)
    y = x + rng.normal(size=50)
    assert pearson(x, y) == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert math.isnan(pearson([1, 1, 1], [1, 2, 3]))
    with pytest.raises(ValueError):
        pearson([1, 2], [1, 2, 3])


def test_best_accuracy():
    acc, t = best_accuracy([0.1, 0.2, 0.8, 0.9], [False, False, True, True])
    assert acc == 1.0 and 0.2 < t <= 0.8


def write_semeval(path, rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["pair_id", "lang1", "lang2", "text1", "text2", "Overall"])
        w.writerows(rows)
    return path


def test_load_semeval_repairs_mojibake(tmp_path):
    pytest.importorskip("ftfy")
    broken = "Köln".encode("utf-8").decode("latin-1")  # "KÃ¶ln"
    path = write_semeval(tmp_path / "pairs.csv", [
        ["1_2", "de", "de", f"Regen in {broken}", "Regen in Köln", "1.0"],
        ["3_4", "de", "en", "Sturm", "storm", "3.5"],
    ])
    pairs = load_semeval(path)
    assert pairs.text1[0] == "Regen in Köln"
    assert load_semeval(path, fix_text=False).text1[0] == f"Regen in {broken}"
    assert pairs.target.tolist() == [-1.0, -3.5]
    assert pairs.positive.tolist() == [True, False]
    assert pairs.ids == ["1_2", "3_4"]


def test_load_semeval_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a SemEval"):
        load_semeval(bad, fix_text=False)
    path = write_semeval(tmp_path / "x.csv", [["1", "en", "en", "a", "b", "n/a"]])
    with pytest.raises(ValueError, match="line 2"):
        load_semeval(path, fix_text=False)


def test_load_pairs_tgcontest_format(tmp_path):
    path = tmp_path / "pool.tsv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, dialect="excel-tab")
        w.writerow(["INPUT:first_text", "INPUT:second_text", "INPUT:first_title", "INPUT:second_title",
                    "GOLDEN:quality"])
        w.writerow(["Port fire in Calvera", "Calvera port fire", "Fire", "", "OK"])
        w.writerow(["Port fire in Calvera", "Bank rates rise", "", "", "BAD"])
    pairs = load_pairs(path, fix_text=False)
    assert pairs.positive.tolist() == [True, False]
    assert pairs.text1[0] == "Fire\nPort fire in Calvera"
    report = evaluate_pairs(pairs, score_pairs(pairs))
    n, r, auc = report.groups["all"]
    assert n == 2 and auc == 1.0
    assert report.best_accuracy == 1.0


def test_evaluate_groups_by_language(tmp_path):
    path = write_semeval(tmp_path / "p.csv", [
        ["1", "en", "en", "Port Calvera fire", "fire at Port Calvera", "1"],
        ["2", "en", "en", "Port Calvera fire", "bank rate", "4"],
        ["3", "de", "en", "Feuer in Port Calvera", "Port Calvera fire", "1"],
        ["4", "de", "en", "Zinsen steigen", "Port Calvera fire", "4"],
    ])
    pairs = load_semeval(path, fix_text=False)
    report = evaluate_pairs(pairs, score_pairs(pairs))
    assert set(report.groups) == {"all", "same-language", "cross-language", "de-en", "en"}
    assert report.groups["en"][2] == 1.0 and report.groups["de-en"][2] == 1.0
    with pytest.raises(ValueError, match="one value per pair"):
        evaluate_pairs(pairs, [0.1])


def test_tgcontest_generalises():
    """No tuning on this set: the model's defaults come from SemEval."""
    path = shared_path("data", "tgcontest-pairs", "ru_honey_pool.tsv")
    pytest.importorskip("ftfy")
    from retold import _backend

    if _backend.BACKEND == "python":
        pytest.skip("350 long texts through the pure-Python twins are slow; the twins agree bit for bit")
    pairs = load_pairs(path)
    assert evaluate_pairs(pairs, score_pairs(pairs)).groups["all"][2] >= 0.85
