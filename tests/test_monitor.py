"""retold.Monitor: verdicts, agreement with dedup and analyze, the store's errors and windows."""
from __future__ import annotations

import json
import sqlite3
from collections import defaultdict

import pytest

import retold
from retold.monitor import Monitor, StoreError
from tests import monitor_worker


def _partition(labels) -> list[tuple[int, ...]]:
    groups = defaultdict(list)
    for i, label in enumerate(labels):
        groups[label].append(i)
    return sorted(tuple(g) for g in groups.values())


@pytest.fixture(scope="module")
def docs():
    return monitor_worker.stream(160, 4)


@pytest.fixture(scope="module")
def monitored(tmp_path_factory, docs):
    path = tmp_path_factory.mktemp("mon") / "news.db"
    verdicts = []
    with Monitor(path, copy_window_days=30.0) as m:
        for lo in range(0, len(docs), 16):
            verdicts.extend(m.add(docs[lo:lo + 16]))
    return path, verdicts


def test_copies_are_the_partition_and_pairs_dedup_finds(docs, monitored):
    path, verdicts = monitored
    found = retold.dedup(docs, measure="containment", threshold=0.8)
    con = sqlite3.connect(path)
    now = [r[0] for r in con.execute("SELECT copy_cluster FROM articles ORDER BY seq")]
    assert _partition(now) == _partition(found.labels.tolist())
    pairs = sorted(con.execute("SELECT left_seq, right_seq FROM copy_pairs"))
    assert pairs == sorted(zip(found.pairs.a.tolist(), found.pairs.b.tolist()))
    assert len(pairs) >= 10  # the stream has copies to find
    for v in verdicts:
        if v.matched_with is not None:
            assert v.similarity >= 0.8
            assert int(v.matched_with[1:]) < v.seq  # only earlier articles are matched
            assert v.passages and v.passages[0].kind in ("copy", "story")


def test_verdicts_carry_stories_passages_and_edges(docs, monitored):
    path, verdicts = monitored
    assert [v.id for v in verdicts] == [d["id"] for d in docs]
    assert any(len(v.passages) >= 2 for v in verdicts)
    assert any(p.kind == "story" for v in verdicts for p in v.passages)
    edges = [e for v in verdicts for e in v.edges]
    assert edges and all(e.evidence for e in edges)
    assert all(e.derived_id == v.id or e.source_id == v.id for v in verdicts for e in v.edges)
    record = json.loads(json.dumps(verdicts[-1].to_dict()))
    assert record["id"] == docs[-1]["id"]


def test_story_and_passage_pairs_are_pairs_analyze_would_choose(docs, monitored):
    """Every copy pair the monitor aligned is a copy pair of analyze; story pairs join articles
    of one story in both."""
    path, _ = monitored
    analysis = retold.analyze(docs)
    con = sqlite3.connect(path)
    ids = [r[0] for r in con.execute("SELECT id FROM articles ORDER BY seq")]
    batch_copy = {(p.a, p.b) for p in analysis.pairs if p.kind == "copy"}
    live = {(ids[a], ids[b]) for a, b in con.execute("SELECT a_seq, b_seq FROM pairs WHERE kind = 'copy'")}
    assert live and live <= batch_copy | {(b, a) for a, b in batch_copy} | _same_cluster(analysis, live)


def _same_cluster(analysis, pairs) -> set:
    return {(a, b) for a, b in pairs if analysis.copy_cluster(a) == analysis.copy_cluster(b)}


def test_same_stream_same_verdicts(tmp_path, docs, monitored):
    _, first = monitored
    with Monitor(tmp_path / "again.db", copy_window_days=30.0) as m:
        again = []
        for lo in range(0, len(docs), 16):
            again.extend(m.add(docs[lo:lo + 16]))
    assert [v.to_dict() for v in again] == [v.to_dict() for v in first]


def test_get_and_story_read_the_store(monitored, docs):
    path, verdicts = monitored
    with Monitor.open(path) as m:
        first = m.get(docs[0]["id"])
        assert first["seq"] == 0 and first["story"] == m.get(docs[0]["id"])["story"]
        story = m.story(first["story"])
        assert docs[0]["id"] in story["articles"] and story["size"] == len(story["articles"])
        with pytest.raises(KeyError, match="no article"):
            m.get("nope")
        with pytest.raises(KeyError, match="no story"):
            m.story(10 ** 9)
        data = m.report_data()
        assert len(data["articles"]) == len(docs) and data["pairs"]
        con = sqlite3.connect(path)
        assert len(data["pairs"]) == con.execute("SELECT count(*) FROM pairs").fetchone()[0]
        assert data["summary"]["passages"] == con.execute("SELECT count(*) FROM passages").fetchone()[0]
        assert len(data["provenance"]) == con.execute(
            "SELECT count(*) FROM edges WHERE source_seq IS NOT NULL").fetchone()[0]
        one = m.report_data(story=first["story"])
        assert {a["id"] for a in one["articles"]} == set(story["articles"])


def test_report_renders_from_the_store(tmp_path, monitored):
    pytest.importorskip("jinja2")
    path, _ = monitored
    with Monitor.open(path) as m:
        data = m.report_data(start="2024-01-02", end="2024-01-04")
    assert 0 < len(data["articles"]) < 160
    out = retold.render_report(data, tmp_path / "report.html")
    assert "retold" in out.read_text(encoding="utf-8")


def test_a_failed_add_stores_nothing_and_the_monitor_goes_on(tmp_path, docs):
    path = tmp_path / "fail.db"
    with Monitor(path) as m:
        m.add(docs[:10])
        with pytest.raises(ValueError, match="in the store already"):
            m.add(docs[10:14] + [docs[3]])
        with pytest.raises(ValueError, match="twice in the batch"):
            m.add([docs[10], docs[10]])
        rest = m.add(docs[10:30])
    with Monitor(tmp_path / "clean.db") as m:
        m.add(docs[:10])
        clean = m.add(docs[10:30])
    assert [v.to_dict() for v in rest] == [v.to_dict() for v in clean]
    con = sqlite3.connect(path)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 30


def test_windows_bound_memory_and_old_articles_stay_queryable(tmp_path, docs):
    with Monitor(tmp_path / "w.db", **monitor_worker.OPTIONS) as m:
        peak = {}
        for lo in range(0, len(docs), 8):
            m.add(docs[lo:lo + 8])
            for key, value in m.in_memory.items():
                peak[key] = max(peak.get(key, 0), value)
        assert peak["articles"] <= 2 * 24 + 60 + 8  # two days of hourly articles, plus the undated
        assert m.in_memory["stories"] < len(docs) // 2
        assert m.get(docs[0]["id"])["id"] == docs[0]["id"]


def test_store_errors_name_the_file(tmp_path, monitored):
    path, _ = monitored
    with pytest.raises(FileNotFoundError, match="absent.db"):
        Monitor.open(tmp_path / "absent.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="junk.db"):
        Monitor.open(junk)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t(x)")
    with pytest.raises(StoreError, match="other.db.*not a retold monitor store"):
        Monitor.open(other)
    newer = tmp_path / "newer.db"
    Monitor(newer).close()
    _tamper(newer, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer.db.*schema version 99"):
        Monitor.open(newer)
    with pytest.raises(ValueError, match="copy_threshold"):
        Monitor(path, copy_threshold=0.5)
    with pytest.raises(TypeError, match="unknown option"):
        Monitor(tmp_path / "x.db", colour="blue")


def _tamper(path, sql):
    """Change a closed store behind the monitor's back."""
    con = sqlite3.connect(path)
    con.execute(sql)
    con.commit()
    con.close()


def test_a_second_monitor_on_one_store_is_refused(tmp_path):
    path = tmp_path / "one.db"
    with Monitor(path):
        with pytest.raises(StoreError, match="one.db.*another monitor"):
            Monitor(path)
    Monitor.open(path).close()  # released on close


def test_a_damaged_checkpoint_is_refused(tmp_path, docs):
    path = tmp_path / "ck.db"
    with Monitor(path) as m:
        m.add(docs[:5])
    _tamper(path, "UPDATE checkpoint SET state = x'00ff'")
    with pytest.raises(StoreError, match="ck.db.*checkpoint"):
        Monitor.open(path)


def test_checkpoints_in_zlib_and_zstd_continue_alike(tmp_path, docs, monkeypatch):
    """A checkpoint is zstd-compressed where zstandard is installed and zlib otherwise (as all
    were before); either opens, and the stream goes on to the same verdicts."""
    from retold.monitor import restore

    pytest.importorskip("zstandard")
    runs = {}
    for name, zstd in (("zlib", None), ("zstd", restore._zstandard())):
        path = tmp_path / f"{name}.db"
        with monkeypatch.context() as patch:
            patch.setattr(restore, "_zstandard", lambda zstd=zstd: zstd)
            with Monitor(path, checkpoint_every=20) as m:
                m.add(docs[:40])
        state = sqlite3.connect(path).execute("SELECT state FROM checkpoint").fetchone()[0]
        assert (state[:4] == restore._ZSTD_MAGIC) == (zstd is not None)
        with Monitor.open(path) as m:
            runs[name] = [v.to_dict() for v in m.add(docs[40:60])]
    assert runs["zlib"] == runs["zstd"]
    monkeypatch.setattr(restore, "_zstandard", lambda: None)
    with pytest.raises(StoreError, match=r"zstd.db.*retold\[zstd\]"):
        Monitor.open(tmp_path / "zstd.db")
    monkeypatch.undo()
    _tamper(tmp_path / "zstd.db", "UPDATE checkpoint SET state = x'28b52ffd0011'")
    with pytest.raises(StoreError, match="zstd.db.*damaged story checkpoint"):
        Monitor.open(tmp_path / "zstd.db")


def test_partial_fit_vectors_is_partial_fit_then_vectors(docs):
    """StoryModel.partial_fit_vectors (the monitor's one feature pass) counts a small batch in
    place exactly as the full-table count does, and weighs with the idf that includes it."""
    import numpy as np

    from retold.story_clustering import CLUSTERING_OPTIONS, StoryModel

    one, two = StoryModel(**CLUSTERING_OPTIONS), StoryModel(**CLUSTERING_OPTIONS)
    for lo in range(0, 60, 20):
        got = one.partial_fit_vectors(docs[lo:lo + 20])
        want = two.partial_fit(docs[lo:lo + 20]).vectors(docs[lo:lo + 20])
        assert np.array_equal(got.offsets, want.offsets) and np.array_equal(got.indices, want.indices)
        assert np.array_equal(got.values, want.values)
    for lo in range(60, 160, 20):
        one.partial_fit_vectors(docs[lo:lo + 20])
    big = StoryModel(**CLUSTERING_OPTIONS)
    texts = docs * 20  # enough features to be counted through the full-size table
    assert len(big.features(texts)[1]) * 64 >= big.n_features
    big.fit(texts)
    assert np.array_equal(one.df * 20, big.df) and one.n_docs * 20 == big.n_docs


def test_features_given_once_equal_features_made_twice(docs):
    """The monitor extracts a batch's features once for its model and its clusterer: labels
    and vectors equal those of each computing its own."""
    import numpy as np

    from retold.story_clustering import CLUSTERING_OPTIONS, StoryClusterer, StoryModel

    model, alone = StoryModel(**CLUSTERING_OPTIONS), StoryModel(**CLUSTERING_OPTIONS)
    shared, own = StoryClusterer(), StoryClusterer()
    assert shared.model.feature_options == model.feature_options
    for lo in range(0, len(docs), 40):
        batch = docs[lo:lo + 40]
        features = model.features(batch)
        got = model.partial_fit_vectors(batch, features=features)
        want = alone.partial_fit_vectors(batch)
        assert np.array_equal(got.indices, want.indices) and np.array_equal(got.values, want.values)
        assert shared.partial_fit(batch, features=features).tolist() == own.partial_fit(batch).tolist()
    with pytest.raises(ValueError, match="features"):
        shared.partial_fit(docs[:3], features=model.features(docs[:2]))


def test_the_wal_is_copied_back_off_the_commit_and_the_thread_stops(tmp_path, docs, monkeypatch):
    # The writer never checkpoints inside a COMMIT (wal_autocheckpoint = 0); the checkpointer
    # thread copies the committed adds into the database file itself, which a copy of that file
    # alone (no WAL) shows; close() stops the thread.
    import shutil
    import threading
    import time

    from retold.monitor import store

    monkeypatch.setattr(store, "CHECKPOINT_ARTICLES", 40)  # after the third add, not the first
    path = tmp_path / "news.db"
    with Monitor(path, copy_window_days=30.0) as m:
        assert m._con.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        for lo in range(0, 48, 16):
            m.add(docs[lo:lo + 16])
            assert m._checkpointer._pending == (lo + 16) % 48  # 16, 32, then kicked
        copied = 0
        for _ in range(200):
            shutil.copyfile(path, tmp_path / "alone.db")
            con = sqlite3.connect(tmp_path / "alone.db")
            try:
                copied = con.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            except sqlite3.OperationalError:  # not even the schema copied yet
                copied = 0
            finally:
                con.close()
            if copied == 48:
                break
            time.sleep(0.05)
        assert copied == 48
    assert not [t for t in threading.enumerate() if t.name.startswith("retold checkpoint")]
