"""Every input type of the batch calls gives the same result as the list of Articles it holds."""
from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pytest

import retold
from retold import Article, RecordError
from retold.io.tabular_input import FIELD_DEFAULTS, ArticleInput

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")  # Dataset.from_dict only: never a download

BASE = "the minister said on monday that the new bridge would open in june next year after delays"
TEXTS = [
    BASE,
    BASE + " officials said on tuesday",
    "an unrelated story about the weather in the north with heavy rain expected all week",
    "the weather in the north will bring heavy rain all week long forecasters said today",
    BASE + " and the mayor agreed",
]
IDS = ["a1", "a2", "b1", "b2", "a3"]
DATES = [dt.datetime(2024, 5, d) for d in (1, 2, 1, 3, 4)]
ARTICLES = [Article(id=i, text=t, date=d) for i, t, d in zip(IDS, TEXTS, DATES)]


def _same_dedup(result, expected):
    assert result.ids == expected.ids
    assert result.labels.tolist() == expected.labels.tolist()
    assert result.representatives.tolist() == expected.representatives.tolist()
    assert np.allclose(result.similarity, expected.similarity, equal_nan=True)


@pytest.fixture(scope="module")
def expected():
    return retold.dedup(ARTICLES, threshold=0.6), retold.stories(ARTICLES)


def _frame():
    pd = pytest.importorskip("pandas", reason="pandas is an optional dependency")
    return pd.DataFrame({"id": IDS, "text": TEXTS, "date": pd.to_datetime(DATES)})


def _inputs():
    """(name, factory) of each input type holding ARTICLES (ids, texts and dates)."""
    def pandas_frame():
        return _frame()

    def arrow_table():
        pa = pytest.importorskip("pyarrow", reason="pyarrow is an optional dependency")
        return pa.table({"id": IDS, "text": TEXTS, "date": pa.array(DATES, pa.timestamp("us"))})

    def arrow_batch():
        return arrow_table().to_batches()[0]

    def hf_dataset():
        datasets = pytest.importorskip("datasets", reason="datasets is an optional dependency")
        return datasets.Dataset.from_dict({"id": IDS, "text": TEXTS, "date": [d.isoformat() for d in DATES]})

    def dicts():
        return [{"id": i, "text": t, "date": d} for i, t, d in zip(IDS, TEXTS, DATES)]

    def object_array():
        out = np.empty(len(ARTICLES), dtype=object)
        out[:] = dicts()
        return out

    return [("DataFrame", pandas_frame), ("arrow Table", arrow_table), ("RecordBatch", arrow_batch),
            ("Dataset", hf_dataset), ("dicts", dicts), ("object array", object_array)]


def _text_only_inputs():
    """Inputs of bare texts: ids are positions."""
    def series():
        pd = pytest.importorskip("pandas", reason="pandas is an optional dependency")
        return pd.Series(TEXTS, index=[10, 11, 12, 13, 14])

    def arrow_array():
        pa = pytest.importorskip("pyarrow", reason="pyarrow is an optional dependency")
        return pa.array(TEXTS)

    def chunked_array():
        pa = pytest.importorskip("pyarrow", reason="pyarrow is an optional dependency")
        return pa.chunked_array([TEXTS[:2], TEXTS[2:]])

    return [("Series", series), ("arrow Array", arrow_array), ("ChunkedArray", chunked_array),
            ("str array", lambda: np.array(TEXTS)), ("list of str", lambda: list(TEXTS))]


@pytest.mark.parametrize("name,make", _inputs(), ids=[n for n, _ in _inputs()])
def test_each_table_input_equals_the_articles(name, make, expected):
    dedup_expected, stories_expected = expected
    docs = make()
    assert list(ArticleInput(docs)) == ARTICLES
    _same_dedup(retold.dedup(docs, threshold=0.6), dedup_expected)
    found = retold.stories(docs)
    assert found.ids == stories_expected.ids
    assert found.labels.tolist() == stories_expected.labels.tolist()


@pytest.mark.parametrize("name,make", _text_only_inputs(), ids=[n for n, _ in _text_only_inputs()])
def test_each_text_input_equals_the_texts(name, make):
    docs = make()
    plain = [Article(id=str(i), text=t) for i, t in enumerate(TEXTS)]
    assert list(ArticleInput(docs)) == plain
    _same_dedup(retold.dedup(docs, threshold=0.6), retold.dedup(TEXTS, threshold=0.6))
    assert retold.stories(docs).labels.tolist() == retold.stories(TEXTS).labels.tolist()


def test_analyze_takes_a_dataframe():
    df = _frame()
    result = retold.analyze(df, reused=False)
    reference = retold.analyze(ARTICLES, reused=False)
    assert [a.id for a in result.articles] == IDS
    assert result.copies.labels.tolist() == reference.copies.labels.tolist()
    assert result.stories.labels.tolist() == reference.stories.labels.tolist()
    assert [p.to_dict() for p in result.pairs] == [p.to_dict() for p in reference.pairs]


def test_provenance_and_reused_passages_take_a_dataframe():
    df = _frame()
    assert retold.provenance(df) == retold.provenance(ARTICLES)
    reused = retold.reused_passages(df, min_tokens=5)
    assert [p.to_dict() for p in reused] == [p.to_dict() for p in retold.reused_passages(ARTICLES, min_tokens=5)]


def test_field_names_as_read_articles():
    pd = pytest.importorskip("pandas", reason="pandas is an optional dependency")
    assert FIELD_DEFAULTS == {"id_field": "id", "text_field": "text", "title_field": "title",
                              "date_field": "date", "source_field": "source", "lang_field": "lang"}
    df = pd.DataFrame({"key": IDS, "body": TEXTS, "when": DATES, "outlet": ["X"] * 5,
                       "headline": ["h"] * 5, "language": ["en"] * 5})
    got = list(ArticleInput(df, id_field="key", text_field="body", date_field="when",
                            source_field="outlet", title_field="headline", lang_field="language"))
    assert [(a.id, a.text, a.date, a.source, a.title, a.lang) for a in got] == [
        (i, t, d, "X", "h", "en") for i, t, d in zip(IDS, TEXTS, DATES)]
    result = retold.dedup(df, id_field="key", text_field="body", date_field="when", threshold=0.6)
    assert result.ids == IDS


def test_missing_values_are_missing():
    pd = pytest.importorskip("pandas", reason="pandas is an optional dependency")
    df = pd.DataFrame({
        "id": [1, 2, None],
        "text": ["one", "two", "three"],
        "title": ["t", np.nan, None],
        "date": [pd.Timestamp("2024-05-01T12:00:00+02:00"), pd.NaT, None],
        "source": pd.array(["X", pd.NA, None], dtype="string"),
        "lang": [None, "en", np.nan],
    })
    got = list(ArticleInput(df))
    assert [a.id for a in got] == ["1", "2", "2"]  # no id: the row's position (2)
    assert got[0].date == dt.datetime(2024, 5, 1, 10, 0)  # aware: converted to UTC
    assert got[1].date is None and got[2].date is None
    assert [a.title for a in got] == ["t", None, None]
    assert [a.source for a in got] == ["X", None, None]
    assert [a.lang for a in got] == [None, "en", None]
    assert got[0].id == "1"  # an int column with a gap is float in pandas: 1.0 is id "1"


def test_a_missing_text_names_the_row():
    pd = pytest.importorskip("pandas", reason="pandas is an optional dependency")
    df = pd.DataFrame({"id": ["x", "y", "z"], "text": ["fine", np.nan, 7]})
    with pytest.raises(RecordError, match=r"pandas DataFrame, row 1: id 'y': no 'text'"):
        retold.dedup(df)
    with pytest.raises(ValueError, match=r"row 1: id 'z': field 'text' must be a string, not int"):
        retold.stories(df.drop(index=1))  # the row's position in the input, not its index label
    with pytest.raises(RecordError, match="row 1"):
        retold.analyze([{"text": "a"}, {"id": "q"}])
    with pytest.raises(RecordError, match=r"numpy array, row 1"):
        retold.dedup(np.array(["a", None], dtype=object))


def test_on_error_skip_drops_and_lists_the_rows():
    pd = pytest.importorskip("pandas", reason="pandas is an optional dependency")
    df = pd.DataFrame({"text": [TEXTS[0], None, TEXTS[1], 3.5, TEXTS[2]]}, index=list("abcde"))
    result = retold.dedup(df, threshold=0.6, on_error="skip")
    assert [s.line for s in result.skipped] == [1, 3]
    assert result.ids == ["0", "2", "4"]
    assert result.labels.tolist() == [0, 0, 1]
    assert list(result.row_labels) == ["a", "c", "e"]
    found = retold.stories(df, on_error="skip")
    assert len(found.skipped) == 2 and found.ids == ("0", "2", "4")
    analysis = retold.analyze(df, on_error="skip", reused=False)
    assert len(analysis.skipped) == 2 and len(analysis) == 3
    with pytest.raises(ValueError, match="on_error"):
        retold.dedup(df, on_error="ignore")


@pytest.mark.parametrize("bad,message", [
    ({"text": "a dict"}, "not a single dict"),
    ("one string", "single string"),
    (np.array([["a", "b"], ["c", "d"]]), "2-D array"),
    (np.arange(3), "dtype int64"),
    ([1, 2, 3], "document 0: expected str, dict or retold.Article, not int"),
    (42, "not int"),
])
def test_wrong_shapes_are_type_errors(bad, message):
    for call in (retold.dedup, retold.stories, retold.analyze):
        with pytest.raises(TypeError, match=message):
            call(bad)


def test_a_table_without_the_text_column_is_a_type_error():
    pd = pytest.importorskip("pandas", reason="pandas is an optional dependency")
    df = pd.DataFrame({"body": TEXTS})
    for call in (retold.dedup, retold.stories, retold.analyze):
        with pytest.raises(TypeError, match=r"no column 'text' \(columns: 'body'\).*text_field="):
            call(df)  # before the fix, dedup(df) deduplicated the column names
    pa = pytest.importorskip("pyarrow", reason="pyarrow is an optional dependency")
    with pytest.raises(TypeError, match="Table has no column 'text'"):
        retold.dedup(pa.table({"body": TEXTS}))


def test_import_retold_stays_numpy_only():
    import subprocess
    import sys

    code = ("import sys, retold; retold.dedup(['a b c d e f']); "
            "print(sorted(m for m in ('pandas', 'pyarrow', 'datasets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert out.stdout.strip() == "[]"
