"""retold.dask.reused_passages on a LocalCluster of 2 worker processes: exactly the passages of
the single-machine run (bag and dataframe input, several partitions and hash buckets)."""
from __future__ import annotations

import pytest

pytest.importorskip("dask", reason="retold.dask needs dask: pip install \"retold[dask]\"")
pytest.importorskip("distributed", reason="retold.dask needs distributed: pip install \"retold[dask]\"")
pd = pytest.importorskip("pandas", reason="retold.dask needs pandas (dask[dataframe])")

import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402

import retold  # noqa: E402
import retold.dask as rd  # noqa: E402
from retold.synthetic_reprints import reprint_corpus  # noqa: E402


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def records():
    corpus = reprint_corpus(400, passages=15, noise=0.03, seed=21)
    rows = corpus.records()
    boiler = "Subscribe to our newsletter for the latest news and analysis from our reporters."
    for r in rows[::9]:  # a boilerplate line in many articles: dropped by max_df
        r["text"] += " " + boiler
    for r in rows[::13]:
        r["date"] = None
    return rows


def test_bag_gives_the_single_machine_passages(client, records):
    single = retold.reused_passages(records, max_df=20)
    assert single.stats.boilerplate_ngrams > 0 and len(single) >= 15
    for partitions, buckets in ((1, None), (5, 3), (7, 11)):
        distributed = rd.reused_passages(db.from_sequence(records, npartitions=partitions),
                                         max_df=20, buckets=buckets)
        assert distributed.passages == single.passages
        for name in ("documents", "ngrams", "rare_ngrams", "boilerplate_ngrams", "evidence_pairs",
                     "candidate_pairs", "alignments", "passages"):
            assert getattr(distributed.stats, name) == getattr(single.stats, name), name


def test_dataframe_gives_the_single_machine_passages(client, records):
    single = retold.reused_passages(records, ngram=3, min_shared=3)
    frame = dd.from_pandas(pd.DataFrame(records), npartitions=4)
    assert rd.reused_passages(frame, ngram=3, min_shared=3).passages == single.passages


def test_bridged_fragments_give_the_single_machine_passages(client):
    from retold.passage_reuse import NOISY_OCR

    records = reprint_corpus(300, passages=12, noise=0.08, seed=4).records()
    single = retold.reused_passages(records, **NOISY_OCR)
    assert single.passages != retold.reused_passages(records, ngram=3, min_shared=3).passages
    bag = db.from_sequence(records, npartitions=3)
    assert rd.reused_passages(bag, **NOISY_OCR).passages == single.passages


def test_across_sources_gives_the_single_machine_passages(client, records):
    single = retold.reused_passages(records, same_source=False)
    bag = db.from_sequence(records, npartitions=3)
    assert rd.reused_passages(bag, same_source=False).passages == single.passages


def test_unknown_options_are_refused(client, records):
    with pytest.raises(TypeError, match="workers"):
        rd.reused_passages(db.from_sequence(records[:10]), workers=2)
    with pytest.raises(ValueError, match="max_df"):
        rd.reused_passages(db.from_sequence(records[:10]), max_df=1)
