"""to_pandas() / to_arrow() of every result: column names, dtypes, values, and the join."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import retold
from retold.io import frames
from tests.conftest import hide_module

pd = pytest.importorskip("pandas", reason="pandas is an optional dependency")
pa = pytest.importorskip("pyarrow", reason="pyarrow is an optional dependency")

BASE = "the minister said on monday that the new bridge would open in june next year after delays"
DF = pd.DataFrame({
    "text": [BASE, BASE + " officials said on tuesday",
             "an unrelated story about the weather in the north with heavy rain expected all week",
             BASE + " and the mayor agreed according to Reuters"],
    "source": ["Reuters", "Daily", "Weather", "Paper"],
    "date": pd.to_datetime(["2024-05-01", "2024-05-02", "2024-05-01", "2024-05-03"]),
}, index=[100, 200, 300, 400])

DEDUP_COLUMNS = {"id": "string", "cluster": "int64", "cluster_size": "int64",
                 "representative": "string", "is_representative": "bool",
                 "matched_with": "string", "similarity": "float64"}


def _kinds(frame):
    out = {}
    for name, dtype in frame.dtypes.items():
        out[name] = "string" if pd.api.types.is_string_dtype(dtype) and dtype != object else str(dtype)
    return out


@pytest.fixture(scope="module")
def dedup_result():
    return retold.dedup(DF, threshold=0.6)


def test_dedup_documents_table(dedup_result):
    frame = dedup_result.to_pandas()
    assert _kinds(frame) == DEDUP_COLUMNS
    assert list(frame.index) == [100, 200, 300, 400]  # the input's own index
    assert frame["cluster"].tolist() == dedup_result.labels.tolist()
    assert frame["representative"].tolist() == ["0", "0", "2", "0"]
    assert frame["matched_with"].isna().tolist() == [False, False, True, False]
    table = dedup_result.to_arrow()
    assert table.schema.names == list(DEDUP_COLUMNS)
    assert [str(t) for t in table.schema.types] == ["string", "int64", "int64", "string", "bool",
                                                    "string", "double"]
    assert table.column("similarity").to_numpy().tolist() == pytest.approx(
        dedup_result.similarity.tolist(), nan_ok=True)


def test_numeric_columns_share_memory(dedup_result):
    table = frames.dedup_tables(dedup_result)["documents"]()
    labels = table.columns["cluster"].as_numpy()
    assert np.shares_memory(labels, dedup_result.labels)
    arrow = pa.array(labels)
    assert arrow.buffers()[1].address == labels.ctypes.data  # pyarrow wrapped, did not copy


def test_dedup_pairs_and_clusters(dedup_result):
    pairs = dedup_result.to_pandas("pairs")
    assert list(pairs.columns) == ["a", "b", "a_position", "b_position", "similarity",
                                   "verified", "cluster"]
    assert len(pairs) == len(dedup_result.pairs)
    assert pairs["a_position"].tolist() == dedup_result.pairs.a.tolist()
    clusters = dedup_result.to_arrow("clusters")
    assert clusters.schema.names == ["cluster", "size", "representative", "representative_position",
                                     "members"]
    assert str(clusters.schema.field("members").type) == "list<item: string>"
    assert clusters.column("members").to_pylist() == [["0", "1", "3"], ["2"]]
    with pytest.raises(ValueError, match="what must be one of 'documents', 'pairs', 'clusters'"):
        dedup_result.to_pandas("edges")


def test_round_trip_join(dedup_result):
    joined = DF.join(dedup_result.to_pandas())
    assert joined["cluster"].tolist() == [0, 0, 1, 0] and joined["text"].tolist() == DF["text"].tolist()
    # With skipped rows, the row labels keep the join aligned: the skipped row gets NaN.
    holed = DF.assign(text=[DF["text"].iloc[0], None, *DF["text"].iloc[2:]])
    result = retold.dedup(holed, threshold=0.6, on_error="skip")
    joined = holed.join(result.to_pandas())
    assert joined["cluster"].isna().tolist() == [False, True, False, False]
    assert joined.loc[400, "representative"] == "0"
    # A frame with an id column of its own: the result's ids are the same, leave them out.
    with_ids = DF.assign(id=["a", "b", "c", "d"])
    joined = with_ids.join(retold.dedup(with_ids, threshold=0.6).to_pandas().drop(columns="id"))
    assert joined["representative"].tolist() == ["a", "a", "c", "a"]


def test_without_a_pandas_input_the_index_is_positions():
    result = retold.dedup(list(DF["text"]), threshold=0.6)
    assert list(result.to_pandas().index) == [0, 1, 2, 3]
    skipped = retold.dedup([BASE, None, BASE], threshold=0.6, on_error="skip")
    assert list(skipped.to_pandas().index) == [0, 2]


def test_story_tables():
    result = retold.stories(DF)
    articles = result.to_pandas()
    assert _kinds(articles) == {"id": "string", "story": "int64", "story_size": "int64", "topic": "int64"}
    assert list(articles.index) == list(DF.index)
    stories = result.to_pandas("stories")
    assert list(stories.columns) == ["story", "size", "label", "terms", "start", "end", "sources", "ids", "topic"]
    # Each story lies inside one topic: the articles' topics are their story's.
    assert (articles["topic"].to_numpy() == stories.set_index("story")["topic"].loc[articles["story"]].to_numpy()).all()
    assert str(stories["start"].dtype) == "datetime64[us]"
    assert stories["size"].sum() == len(DF)
    arrow = result.to_arrow("stories")
    assert str(arrow.schema.field("start").type) == "timestamp[us]"
    assert arrow.column("ids").to_pylist() == [list(s.ids) for s in result.stories]


@pytest.fixture(scope="module")
def analysis():
    return retold.analyze(DF, min_tokens=4)


@pytest.mark.parametrize("what", list(frames.ANALYSIS_SCHEMAS) + ["provenance", "reused"])
def test_analysis_tables(analysis, what):
    frame = analysis.to_pandas(what)
    table = analysis.to_arrow(what)
    assert list(frame.columns) == table.schema.names
    assert len(frame) == table.num_rows
    expected = frames.ANALYSIS_SCHEMAS.get(what) or (
        frames.EDGE_SCHEMA if what == "provenance" else frames.REUSED_SCHEMA)
    assert list(frame.columns) == list(expected)


def test_analysis_articles_values(analysis):
    frame = analysis.to_pandas()
    assert list(frame.index) == list(DF.index)
    assert str(frame["date"].dtype) == "datetime64[us]"
    assert frame["copy_cluster"].tolist() == analysis.copies.labels.tolist()
    assert frame["story"].tolist() == analysis.stories.labels.tolist()
    passages = analysis.to_pandas("passages")
    assert len(passages) == sum(len(p.passages) for p in analysis.pairs) > 0
    assert str(passages["story"].dtype) == "Int64"


def test_edges_and_passages_lists(analysis):
    edges = retold.provenance(DF)
    frame = frames.edges_to_pandas(edges)
    assert list(frame.columns) == list(frames.EDGE_SCHEMA) and len(frame) == len(edges)
    assert frame["confidence"].tolist() == [e.confidence for e in edges]
    arrow = frames.edges_to_arrow(edges)
    assert arrow.schema.field("evidence").type == pa.list_(
        pa.struct([("kind", pa.string()), ("detail", pa.string()), ("weight", pa.float64())]))
    passages = retold.align(DF["text"].iloc[0], DF["text"].iloc[1], min_tokens=4)
    table = frames.passages_to_arrow(passages)
    assert table.schema.names == list(frames.PASSAGE_SCHEMA)
    assert table.column("a_start").to_pylist() == [p.a_start for p in passages]
    assert frames.passages_to_pandas([]).dtypes["a_start"] == np.int64  # empty: same dtypes


def test_reused_passages_tables():
    reused = retold.reused_passages(DF, min_tokens=5)
    occurrences = reused.to_pandas()
    assert list(occurrences.columns) == list(frames.REUSED_SCHEMA)
    assert len(occurrences) == sum(p.count for p in reused)
    passages = reused.to_arrow("passages")
    assert passages.schema.names == list(frames.REUSED_PASSAGE_SCHEMA)
    assert passages.num_rows == len(reused)


def test_empty_results_keep_their_dtypes():
    result = retold.dedup([], threshold=0.6)
    assert _kinds(result.to_pandas()) == DEDUP_COLUMNS
    assert result.to_arrow("pairs").num_rows == 0


def test_a_missing_pandas_is_named(dedup_result, monkeypatch):
    hide_module(monkeypatch, "pandas")
    with pytest.raises(ImportError, match="DedupResult.to_pandas needs pandas.*pip install pandas"):
        dedup_result.to_pandas()


def test_date_values_survive():
    result = retold.analyze(DF, reused=False)
    dates = result.to_arrow().column("date").to_pylist()
    assert dates == [dt.datetime(2024, 5, d) for d in (1, 2, 1, 3)]
