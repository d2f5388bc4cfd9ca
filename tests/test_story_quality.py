"""Story clustering on real event corpora with hard negatives (../shared/data/story-clusters).

The acceptance figures of the defaults, B-cubed F1: ECB+ odd topics (two events of one kind per
topic, no dates), MEANTIME airbus+gm (four languages) with and without dates.  The same numbers
as ``retold eval clusters`` prints, which is exercised here too (with its baseline line).
"""
from __future__ import annotations

import dataclasses
import json

import pytest

from retold.cli import main
from retold.evaluation.clusters import bcubed
from retold.io import read_articles
from retold.story_clustering import stories

from .conftest import shared_path


def _corpus(name: str, *, dates: bool = True):
    articles = list(read_articles(shared_path("data", "story-clusters", name)))
    gold = [a.extra["story"] for a in articles]
    if not dates:
        articles = [dataclasses.replace(a, date=None) for a in articles]
    return articles, gold


@pytest.mark.parametrize("name, dates, least", [
    ("ecbplus-odd-topics.jsonl", True, 0.92),
    ("meantime-airbus-gm.jsonl", True, 0.95),
    ("meantime-airbus-gm.jsonl", False, 0.85),
])
def test_defaults_tell_events_of_one_topic_apart(name, dates, least):
    articles, gold = _corpus(name, dates=dates)
    _, _, f1 = bcubed(stories(articles).labels.tolist(), gold)
    assert f1 >= least


def test_eval_clusters_ignores_dates_and_prints_the_baseline(capsys):
    path = str(shared_path("data", "story-clusters", "meantime-airbus-gm.jsonl"))
    assert main(["eval", "clusters", path, "--json"]) == 0
    dated = json.loads(capsys.readouterr().out)
    assert main(["eval", "clusters", path, "--json", "--ignore-dates"]) == 0
    undated = json.loads(capsys.readouterr().out)
    assert dated["f1"] > undated["f1"] >= 0.85
    # The baseline does not read dates, and retold beats it on this hard corpus.
    assert dated["baseline"]["f1"] == undated["baseline"]["f1"] < undated["f1"]
    assert main(["eval", "clusters", path]) == 0
    assert "baseline (TF-IDF average-link, cut 0.2)" in capsys.readouterr().out
