"""retold.dask on a LocalCluster of 2 worker processes: the same results as the single-machine run.

Every comparison is exact: labels in input order, representatives, matched_with and its
similarity, the accepted pairs, the stats.  The corpus is small (a few hundred documents) so the
module runs in seconds; what it exercises is the distribution (partitions, the band-key shuffle,
verification blocks across partitions, both ways of finding components, time windows).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import pickle
import sys

import numpy as np
import pytest

pytest.importorskip("dask", reason="retold.dask needs dask: pip install \"retold[dask]\"")
pytest.importorskip("distributed", reason="retold.dask needs distributed: pip install \"retold[dask]\"")
pytest.importorskip("pandas", reason="retold.dask needs pandas (dask[dataframe])")

import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402

import retold  # noqa: E402
import retold.dask as rd  # noqa: E402
from retold.dask.read import Fields, place_part  # noqa: E402
from retold.dates import days_of_microseconds  # noqa: E402
from retold.copies import dedup as single_dedup  # noqa: E402
from retold.story_clustering import CLUSTERING_OPTIONS, StoryModel, stories as single_stories  # noqa: E402
from retold.synthetic import news_corpus  # noqa: E402


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    # The p2p shuffle logs each shuffle's start and end at WARNING level.
    logging.getLogger("distributed.shuffle").setLevel(logging.ERROR)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster, Client(cluster) as c:
        yield c


def _records() -> list[dict]:
    """~330 documents: synthetic originals and near-copies, exact reprints, boilerplate, empties.

    Dates are shuffled (so ``keep="earliest"`` is not input order) and some are missing.
    """
    corpus = news_corpus(300, seed=7, mean_words=60, duplicate_rate=0.3)
    rng = np.random.default_rng(11)
    records = []
    for i, text in enumerate(corpus.texts):
        day = int(rng.integers(1, 28))
        records.append({"id": f"s{i:03d}", "text": text, "date": None if i % 17 == 0 else f"2024-03-{day:02d}"})
    boiler = "Subscribe to our newsletter for the latest news, analysis and opinion from our reporters. " * 3
    for j in range(12):  # one bucket of 12 identical texts: capped when bucket_cap < 12
        records.insert(int(rng.integers(len(records))), {"id": f"b{j:02d}", "text": boiler, "date": "2024-03-05"})
    for j in range(4):
        records.insert(int(rng.integers(len(records))), {"id": f"e{j}", "text": "" if j % 2 else "...", "date": None})
    for j in range(15):  # exact reprints of earlier documents, dated later
        source = records[int(rng.integers(len(records)))]
        records.append({"id": f"r{j:02d}", "text": source["text"], "date": "2024-03-28"})
    return records


RECORDS = _records()


def _assert_same_dedup(expected, got, *, pairs: bool = True) -> None:
    assert got.ids == expected.ids
    np.testing.assert_array_equal(got.labels, expected.labels)
    np.testing.assert_array_equal(got.representatives, expected.representatives)
    np.testing.assert_array_equal(got.matched_with, expected.matched_with)
    np.testing.assert_array_equal(got.similarity, expected.similarity)  # NaN == NaN here
    assert got.stats == expected.stats
    if pairs:
        np.testing.assert_array_equal(got.pairs.a, expected.pairs.a)
        np.testing.assert_array_equal(got.pairs.b, expected.pairs.b)
        np.testing.assert_array_equal(got.pairs.similarity, expected.pairs.similarity)
        np.testing.assert_array_equal(got.pairs.verified, expected.pairs.verified)
        assert got.to_records() == expected.to_records()


def test_corpus_exercises_what_it_should():
    result = single_dedup(RECORDS, bucket_cap=5)
    assert result.stats.buckets_capped > 0
    assert result.stats.empty >= 2
    assert len(result.clusters) > 40
    # Copies across partition borders (7 partitions of ~48 documents below).
    assert np.any(np.abs(result.pairs.a - result.pairs.b) > 60)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"bucket_cap": 5},
        {"keep": "first", "threshold": 0.6},
        {"keep": "longest", "measure": "containment", "threshold": 0.7},
        {"verify": False, "threshold": 0.7},
        {"unit": "char", "ngram": 8, "num_perm": 64, "seed": 5},
    ],
    ids=["defaults", "capped-buckets", "first", "containment", "estimate", "char-shingles"],
)
def test_dedup_bag_identical_to_single_machine(client, options):
    expected = single_dedup(RECORDS, **options)
    got = rd.dedup(db.from_sequence(RECORDS, npartitions=7), **options)
    _assert_same_dedup(expected, got)
    assert isinstance(got, retold.DedupResult)
    assert got.dask_stats["components"] == "driver"
    assert got.dask_stats["band_rows"] == got.stats.params[0] * (len(RECORDS) - got.stats.empty)


def test_dedup_distributed_components_identical(client):
    expected = single_dedup(RECORDS, bucket_cap=5)
    got = rd.dedup(db.from_sequence(RECORDS, npartitions=5), bucket_cap=5, max_driver_edges=0)
    assert got.dask_stats["components"] == "distributed"
    _assert_same_dedup(expected, got, pairs=False)
    frame = got.pair_frame.compute().sort_values(["u", "v"])
    np.testing.assert_array_equal(frame["u"].to_numpy(), expected.pairs.a)
    np.testing.assert_array_equal(frame["v"].to_numpy(), expected.pairs.b)
    np.testing.assert_array_equal(frame["similarity"].to_numpy(), expected.pairs.similarity)


def test_dedup_strings_and_dataframe_with_own_column_names(client):
    texts = [r["text"] for r in RECORDS]
    expected = single_dedup(texts)
    _assert_same_dedup(expected, rd.dedup(db.from_sequence(texts, npartitions=4)))

    frame = pd.DataFrame(
        {"key": [r["id"] for r in RECORDS], "body": [r["text"] for r in RECORDS],
         "published": [r["date"] for r in RECORDS]}
    )
    got = rd.dedup(dd.from_pandas(frame, npartitions=6), text_field="body", id_field="key", date_field="published")
    _assert_same_dedup(single_dedup(RECORDS), got)


def test_frames_placed_column_by_column_as_record_by_record():
    frame = pd.DataFrame(
        {
            "id": ["a", None, "c", "d", None],
            "text": ["one two", "three", "", "four five six", "seven"],
            "title": ["T", None, "", np.nan, "U"],
            "date": ["2024-03-01T10:00:00+02:00", None, "2024-03-01", np.nan, "2024-02-29T23:59:59.5Z"],
            "lang": ["en", "de", None, "", "fr"],
            "other": [1, 2, 3, 4, 5],
        }
    )
    fast = place_part(frame, 7, Fields())
    slow = place_part(frame.astype(object).where(pd.notna(frame), None).to_dict("records"), 7, Fields())
    pd.testing.assert_frame_equal(fast, slow)
    stamped = frame.assign(date=pd.to_datetime(["2024-03-01", None, "2024-03-02", None, "2024-03-03"]))
    pd.testing.assert_frame_equal(
        place_part(stamped, 0, Fields()),
        place_part(stamped.astype(object).where(pd.notna(stamped), None).to_dict("records"), 0, Fields()),
    )
    with pytest.raises(ValueError, match="field 'date'"):
        place_part(frame.assign(date="not a date"), 0, Fields())


def test_dedup_refuses_what_single_machine_refuses(client):
    repeated = RECORDS[1]["id"]
    with pytest.raises(ValueError, match=f"duplicate document id '{repeated}'"):
        rd.dedup(db.from_sequence(RECORDS[:5] + [dict(RECORDS[1])], npartitions=2))
    with pytest.raises(ValueError, match="needs verify=True"):
        rd.dedup(db.from_sequence(RECORDS[:5]), measure="containment", verify=False)
    with pytest.raises(TypeError, match="dask bag or dask dataframe"):
        rd.dedup(RECORDS)
    with pytest.raises(ValueError, match="no column 'body'"):
        rd.dedup(dd.from_pandas(pd.DataFrame({"text": ["a"]}), npartitions=1), text_field="body")


def test_files_in_parquet_out(client, tmp_path):
    jsonl = tmp_path / "articles.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    expected = single_dedup(list(retold.read_articles(jsonl)))

    frame = rd.read_articles(jsonl, blocksize=20_000)
    assert frame.npartitions > 3  # split into blocks, in order
    got = rd.dedup(frame)
    _assert_same_dedup(expected, got)

    out = tmp_path / "clusters.parquet"
    got.to_parquet(out, pairs_path=tmp_path / "pairs.parquet")
    written = pd.read_parquet(out)
    records = expected.to_records()
    assert written["id"].tolist() == [r["id"] for r in records]
    assert written["cluster"].tolist() == [r["cluster"] for r in records]
    assert written["representative"].tolist() == [r["representative"] for r in records]
    assert written["is_representative"].tolist() == [r["is_representative"] for r in records]
    assert [None if pd.isna(m) else m for m in written["matched_with"]] == [r["matched_with"] for r in records]
    pairs = pd.read_parquet(tmp_path / "pairs.parquet").sort_values(["a", "b"])
    assert len(pairs) == len(expected.pairs)
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())  # no temporary left behind

    # Parquet in: the file written by pandas, read back by the workers.
    source = tmp_path / "articles.parquet"
    pd.DataFrame(RECORDS).to_parquet(source)
    _assert_same_dedup(single_dedup(RECORDS), rd.dedup(rd.read_articles(source)))

    # CSV in, split over two files; the same articles as retold.read_articles reads them.
    halves = [tmp_path / "a.csv", tmp_path / "b.csv"]
    pd.DataFrame(RECORDS[:150]).to_csv(halves[0], index=False)
    pd.DataFrame(RECORDS[150:]).to_csv(halves[1], index=False)
    from_csv = [a for path in halves for a in retold.read_articles(path)]
    _assert_same_dedup(single_dedup(from_csv), rd.dedup(rd.read_articles([str(p) for p in halves])))


# ---------------------------------------------------------------- stories


def _demo_months(copies: int) -> list[dict]:
    """The demo corpus told again ``copies`` times, 60 days apart, ids suffixed, order shuffled."""
    from retold.data import demo_path

    base = [json.loads(line) for line in demo_path().read_text(encoding="utf-8").splitlines() if line.strip()]
    records = []
    for k in range(copies):
        for r in base:
            r = dict(r)
            r["id"] = f"{r['id']}-{k}"
            when = dt.datetime.fromisoformat(r["date"].replace("Z", "+00:00")) + dt.timedelta(days=60 * k)
            r["date"] = when.isoformat()
            records.append(r)
    order = np.random.default_rng(3).permutation(len(records))
    return [records[i] for i in order]


def test_stories_identical_to_single_machine(client):
    records = _demo_months(4)
    expected = single_stories(records)
    got = rd.stories(db.from_sequence(records, npartitions=4))
    assert got.dask_stats["partitions"] == 4 and got.dask_stats["vector_bytes"] > 0
    np.testing.assert_array_equal(got.labels, expected.labels)
    assert got.ids == expected.ids
    assert got.to_records() == expected.to_records()
    np.testing.assert_array_equal(got.model.df, StoryModel(**CLUSTERING_OPTIONS).fit(records).df)
    assert got.stories == expected.stories  # described the same: members, span, sources, words
    assert got.multi(3) == expected.multi(3)


def test_stories_options_reach_the_clustering(client):
    records = _demo_months(1)
    for options in ({"threshold": 0.2}, {"density_penalty": 0.0, "window_days": 0.0}):
        expected = single_stories(records, **options)
        got = rd.stories(db.from_sequence(records, npartitions=3), **options)
        np.testing.assert_array_equal(got.labels, expected.labels)
    # ...and they matter: a higher threshold splits stories.
    assert single_stories(records, threshold=0.2).n_stories > single_stories(records).n_stories


def test_stories_dataframe_with_own_column_names(client):
    records = _demo_months(1)
    frame = pd.DataFrame(records).rename(columns={"text": "body", "id": "key"})
    got = rd.stories(dd.from_pandas(frame, npartitions=3), text_field="body", id_field="key")
    np.testing.assert_array_equal(got.labels, single_stories(records).labels)


def test_stories_undated_and_parquet_out(client, tmp_path):
    texts = [r["text"] for r in _demo_months(1)]
    expected = single_stories(texts)
    got = rd.stories(db.from_sequence(texts, npartitions=3))
    np.testing.assert_array_equal(got.labels, expected.labels)
    got.to_parquet(tmp_path / "stories.parquet")
    written = pd.read_parquet(tmp_path / "stories.parquet")
    assert written.to_dict(orient="records") == expected.to_records()


def test_stories_refuses_options_retold_stories_does_not_take(client):
    with pytest.raises(TypeError, match="unexpected option"):
        rd.stories(db.from_sequence(["a"]), window=3)
    with pytest.raises(ValueError, match="threshold"):
        rd.stories(db.from_sequence(["a"]), threshold=2.0)


# ---------------------------------------------------------------- components


@pytest.mark.parametrize("seed", [0, 1])
def test_connected_components_match_union_find(client, seed):
    rng = np.random.default_rng(seed)
    n = 500
    left = rng.integers(0, n, 300)
    right = rng.integers(0, n, 300)
    chain = np.arange(0, 60)  # a long path: the slow case for label propagation
    left = np.concatenate([left, chain[:-1] + 300])
    right = np.concatenate([right, chain[1:] + 300])
    keep = left != right
    edges = dd.from_pandas(pd.DataFrame({"u": left[keep], "v": right[keep]}), npartitions=4)
    roots = rd.connected_components(edges).compute()
    expected = np.empty(n + 60, dtype=np.int64)
    retold.lsh._lsh.union_find(
        np.ascontiguousarray(left[keep], dtype=np.int64), np.ascontiguousarray(right[keep], dtype=np.int64), expected
    )
    got = np.arange(n + 60)
    got[roots["u"].to_numpy()] = roots["v"].to_numpy()
    np.testing.assert_array_equal(got, expected)
    assert roots["u"].is_unique


# ---------------------------------------------------------------- pickling


def _query(lsh, signature):
    return lsh.query(signature)


def _similarity(model, a, b):
    return model.similarity(a, b)


def test_objects_that_travel_pickle_cleanly(client):
    texts = [r["text"] for r in RECORDS[:60]]
    sketch = retold.MinHash.from_text(texts[0])
    clone = pickle.loads(pickle.dumps(sketch))
    assert clone == sketch and np.array_equal(clone.digest(), sketch.digest())

    sigs = retold.minhash_batch(texts)
    lsh = retold.MinHashLSH(threshold=0.5)
    lsh.insert_batch([f"k{i}" for i in range(len(texts))], sigs)
    restored = pickle.loads(pickle.dumps(lsh))
    assert restored.keys() == lsh.keys()
    assert all(restored.query(s) == lsh.query(s) for s in sigs[:10])
    # ...and through a worker process and back.
    assert client.submit(_query, lsh, sigs[3]).result() == lsh.query(sigs[3])

    model = StoryModel().fit(texts)
    again = pickle.loads(pickle.dumps(model))
    assert np.array_equal(again.df, model.df) and again.n_docs == model.n_docs
    assert client.submit(_similarity, model, texts[0], texts[1]).result() == model.similarity(texts[0], texts[1])


# ---------------------------------------------------------------- command line and extras


def test_cli_arguments_and_client(client):
    import argparse

    parser = argparse.ArgumentParser()
    rd.add_dask_arguments(parser)
    assert rd.dask_client_from_args(parser.parse_args([])) is None
    args = parser.parse_args(["--scheduler", client.scheduler.address])
    with rd.dask_client_from_args(args) as other:
        assert other.scheduler.address == client.scheduler.address
    with pytest.raises(SystemExit):
        parser.parse_args(["--scheduler", "tcp://x:1", "--dask-workers", "2"])
    with pytest.raises(ValueError, match="positive"):
        rd.dask_client_from_args(argparse.Namespace(scheduler=None, dask_workers=0))


def test_missing_dask_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r'pip install "retold\[dask\]"'):
        rd.dedup(["a"])


def test_epoch_days_bit_for_bit_as_stories():
    from retold.dates import epoch_days as _epoch_days

    rng = np.random.default_rng(5)
    micro = rng.integers(-(10**15), 4 * 10**15, 2000)
    dates = [dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=int(u)) for u in micro]
    got = days_of_microseconds(np.asarray(micro, dtype=np.int64))
    assert got.tolist() == [_epoch_days(d) for d in dates]
    assert np.isnan(days_of_microseconds(np.array([np.iinfo(np.int64).max]))[0])
