"""Article: every date normalised once (aware -> UTC, naive kept), whatever form it comes in."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from retold import stories
from retold.article import Article, parse_date

UTC = dt.timezone.utc
SEOUL = dt.timezone(dt.timedelta(hours=9))


@pytest.mark.parametrize("value", [
    dt.datetime(2024, 5, 1, 12, 0, tzinfo=SEOUL),
    dt.datetime(2024, 5, 1, 3, 0, tzinfo=UTC),
    dt.datetime(2024, 5, 1, 3, 0),
    "2024-05-01T12:00:00+09:00",
    "2024-05-01T03:00:00Z",
    np.datetime64("2024-05-01T03:00"),
    1714532400,
])
def test_every_form_of_one_instant_gives_one_naive_utc_datetime(value):
    assert parse_date(value) == dt.datetime(2024, 5, 1, 3, 0)
    assert Article(id="a", text="x", date=value).date == dt.datetime(2024, 5, 1, 3, 0)


def test_pandas_timestamps_aware_naive_and_missing():
    pd = pytest.importorskip("pandas")
    assert parse_date(pd.Timestamp("2024-05-01T12:00:00+09:00")) == dt.datetime(2024, 5, 1, 3)
    assert parse_date(pd.Timestamp("2024-05-01T03:00:00")) == dt.datetime(2024, 5, 1, 3)
    assert Article(id="a", text="x", date=pd.Timestamp("2024-05-01", tz="Europe/Paris")).date == \
        dt.datetime(2024, 4, 30, 22)
    for missing in (pd.NaT, np.datetime64("NaT"), float("nan"), None, "", "  "):
        assert parse_date(missing) is None
        assert Article(id="a", text="x", date=missing).date is None


def test_bad_dates_say_why():
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_date("yesterday")
    with pytest.raises(TypeError, match="a date must be"):
        parse_date([2024, 5, 1])
    with pytest.raises(ValueError, match="out of range"):
        parse_date(1e300)


def test_stories_take_mixed_aware_and_naive_dates():
    # Aware datetimes once stayed aware and stories() failed comparing them with naive ones.
    dates = [dt.datetime(2024, 5, 1, 9, tzinfo=SEOUL), dt.datetime(2024, 5, 1, 1), "2024-05-01T02:00Z",
             dt.datetime(2024, 5, 1, 4, tzinfo=UTC)]
    docs = [Article(id=str(i), text="Fire at the port of Calvera hurts two dock workers", date=d)
            for i, d in enumerate(dates)]
    docs.append(Article(id="other", text="Snow closes the mountain pass near Westbrook", date=None))
    result = stories(docs)
    assert len(set(result.labels[:4].tolist())) == 1 and result.labels[4] != result.labels[0]
    story = result.stories[int(result.labels[0])]
    assert story.start == dt.datetime(2024, 5, 1, 0) and story.end == dt.datetime(2024, 5, 1, 4)


def test_readers_give_utc_from_zoned_parquet_and_csv(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from retold.io import read_articles

    zoned = pd.to_datetime(["2024-05-01T12:00+09:00", "2024-05-01T00:00+00:00"], utc=True).tz_convert("Asia/Seoul")
    pd.DataFrame({"id": ["a", "b"], "text": ["x", "y"], "date": zoned}).to_parquet(tmp_path / "a.parquet")
    (tmp_path / "a.csv").write_text("id,text,date\na,x,2024-05-01T12:00:00+09:00\nb,y,2024-05-01\n")
    for name in ("a.parquet", "a.csv"):
        assert [a.date for a in read_articles(tmp_path / name)] == [dt.datetime(2024, 5, 1, 3), dt.datetime(2024, 5, 1)]
