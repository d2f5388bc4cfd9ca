"""The demo corpus shipped in retold.data: shape, gold labels and the similarity it promises."""
from __future__ import annotations

import importlib.util
import itertools
import json
import pathlib
import re
import sys
from collections import Counter
from datetime import datetime

import pytest


def _load_data_module():
    try:
        from retold import data  # noqa: PLC0415

        return data
    except Exception:  # the package as a whole may not import (kernels not built)
        path = pathlib.Path(__file__).resolve().parents[1] / "src" / "retold" / "data" / "__init__.py"
        spec = importlib.util.spec_from_file_location("_retold_demo_data", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module


data = _load_data_module()

REQUIRED = ("id", "title", "text", "date", "source", "lang", "copy_cluster", "story")


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: set, b: set) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def containment(a: set, b: set) -> float:
    """Share of a's shingles that are in b."""
    return len(a & b) / len(a) if a else 0.0


@pytest.fixture(scope="module")
def records():
    return data.load_demo()


@pytest.fixture(scope="module")
def gold():
    return data.load_demo_gold()


@pytest.fixture(scope="module")
def by_id(records):
    return {r["id"]: r for r in records}


@pytest.fixture(scope="module")
def sh(records):
    return {r["id"]: shingles(r["text"]) for r in records}


def test_paths_point_at_the_files(records):
    assert data.demo_path().is_file()
    assert data.demo_gold_path().is_file()
    lines = data.demo_path().read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines if x.strip()] == records
    assert json.loads(data.demo_gold_path().read_text(encoding="utf-8")) == data.load_demo_gold()


def test_size_and_unique_ids(records):
    assert len(records) >= 55
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))


def test_fields_present_and_non_empty(records):
    for r in records:
        for f in REQUIRED:
            assert isinstance(r.get(f), str) and r[f].strip(), (r.get("id"), f)


def test_languages(records):
    langs = Counter(r["lang"] for r in records)
    assert len(langs) >= 6
    assert {"en", "de", "es", "ru", "ar", "zh"} <= set(langs)


def test_lengths(records):
    for r in records:
        if r["lang"] == "zh":
            n = len(re.findall(r"[\u4e00-\u9fff]", r["text"]))
            assert 150 <= n <= 800, (r["id"], n)
        else:
            n = len(re.findall(r"\w+", r["text"]))
            assert 80 <= n <= 350, (r["id"], n)


def test_dates_parse(records):
    for r in records:
        d = r["date"]
        assert "T" in d, r["id"]
        datetime.fromisoformat(d[:-1] + "+00:00" if d.endswith("Z") else d)


def _groups(records, field):
    out: dict[str, list[str]] = {}
    for r in records:
        out.setdefault(r[field], []).append(r["id"])
    return out


@pytest.mark.parametrize("field, key", [("copy_cluster", "copy_clusters"), ("story", "stories")])
def test_gold_partition_matches_jsonl(records, gold, field, key):
    ids = [r["id"] for r in records]
    listed = [i for members in gold[key].values() for i in members]
    assert sorted(listed) == sorted(ids), "every id in exactly one group"
    assert {k: sorted(v) for k, v in gold[key].items()} == {
        k: sorted(v) for k, v in _groups(records, field).items()
    }


def test_copy_cluster_within_one_story(records, by_id):
    for cluster, ids in _groups(records, "copy_cluster").items():
        assert len({by_id[i]["story"] for i in ids}) == 1, cluster


def test_proportions(records, by_id):
    clusters = [ids for ids in _groups(records, "copy_cluster").values() if len(ids) > 1]
    stories = [ids for ids in _groups(records, "story").values() if len(ids) > 1]
    assert 6 <= len(clusters) <= 8
    assert all(2 <= len(c) <= 4 for c in clusters)
    assert 10 <= len(stories) <= 14
    assert all(3 <= len(s) <= 8 for s in stories)
    singletons = [ids for ids in _groups(records, "story").values() if len(ids) == 1]
    assert 10 <= len(singletons) <= 15
    cluster_langs = {by_id[c[0]]["lang"] for c in clusters}
    assert cluster_langs & {"de", "es"} and cluster_langs & {"ru", "zh"}
    assert sum(len({by_id[i]["lang"] for i in s}) >= 2 for s in stories) >= 5


def test_shared_quotes_verbatim(gold, by_id):
    assert gold["shared_quotes"]
    for q in gold["shared_quotes"]:
        assert sorted(q["ids"]) == sorted(q["variants"])
        assert len(q["ids"]) >= 2
        first = min(q["ids"], key=lambda i: by_id[i]["date"])
        assert q["quote"] in by_id[first]["text"]
        for i, wording in q["variants"].items():
            assert by_id[i]["story"] == q["story"], i
            assert wording in by_id[i]["text"], (i, wording)


def test_provenance(gold, by_id):
    assert gold["provenance"]
    vias = Counter()
    for p in gold["provenance"]:
        src, dst = by_id[p["source_id"]], by_id[p["derived_id"]]
        assert p["via"] in {"copy", "attribution", "rewrite"}
        vias[p["via"]] += 1
        assert src["story"] == dst["story"]
        assert src["date"] < dst["date"]
        assert (src["copy_cluster"] == dst["copy_cluster"]) == (p["via"] == "copy")
    assert set(vias) == {"copy", "attribution", "rewrite"}


def test_copy_members_are_near_duplicates(records, sh):
    for cluster, ids in _groups(records, "copy_cluster").items():
        if len(ids) < 2:
            continue
        for i in ids:
            pairs = [(jaccard(sh[i], sh[j]), containment(sh[i], sh[j])) for j in ids if j != i]
            assert any(j >= 0.5 or c >= 0.8 for j, c in pairs), (cluster, i, pairs)


def test_same_story_other_cluster_is_not_a_copy(records, by_id, sh):
    for story, ids in _groups(records, "story").items():
        for a, b in itertools.combinations(ids, 2):
            if by_id[a]["copy_cluster"] != by_id[b]["copy_cluster"]:
                assert jaccard(sh[a], sh[b]) < 0.3, (story, a, b)
