"""``retold align`` and ``retold provenance`` on the command line."""
from __future__ import annotations

import csv
import io
import json

import pytest

from retold.cli import main
from tests.conftest import parser_exit_code

SHARED = ("the committee approved the new budget for the coming year after a long debate "
          "in which members argued over spending on schools and roads")


@pytest.fixture
def pair(tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("On Monday " + SHARED + ", officials said.", encoding="utf-8")
    b.write_text("Late news: " + SHARED.replace("long", "lengthy") + " (Wire)", encoding="utf-8")
    return a, b


def test_align_files_side_by_side(pair, capsys):
    a, b = pair
    assert main(["align", str(a), str(b), "--width", "80", "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "passage 1: 23 equal words" in out
    # A substitution: "long" faces "####" on one row, "#######" faces "lengthy" next.
    assert "after a long" in out and "after a ####" in out and "lengthy debate" in out
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "│" in out


def test_align_json_and_full(pair, capsys):
    a, b = pair
    assert main(["align", str(a), str(b), "--json", "--method", "full"]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    text_a = a.read_text(encoding="utf-8")
    assert text_a[record["a_start"]:record["a_end"]].startswith("the committee")
    assert record["tokens"] == 23 and record["quoted"] is False


def test_align_ids_in_a_corpus(tmp_path, pair, capsys):
    a, b = pair
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps({"id": i, "text": p.read_text(encoding="utf-8")})
                                for i, p in (("x", a), ("y", b))) + "\n", encoding="utf-8")
    assert main(["align", "x", "y", "--corpus", str(corpus), "--color", "always"]) == 0
    out = capsys.readouterr().out
    assert "\x1b[1;33mlengthy" in out
    assert main(["align", "x", "zz", "--corpus", str(corpus)]) == 3
    assert "no article with id 'zz'" in capsys.readouterr().err


def test_align_errors(tmp_path, pair, capsys):
    a, _ = pair
    assert main(["align", str(a), str(tmp_path / "missing.txt")]) == 3
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe bad")
    assert main(["align", str(a), str(bad)]) == 3
    assert "not UTF-8" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["align", str(a), str(a), "--min-tokens", "0"])


def test_align_nothing_shared(tmp_path, capsys):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("one two three", encoding="utf-8")
    b.write_text("four five six", encoding="utf-8")
    assert main(["align", str(a), str(b)]) == 0
    assert "no shared passages" in capsys.readouterr().out


def test_align_output_conventions_of_every_command(tmp_path, pair, capsys):
    # -o with a record extension writes one record per passage; --output-format overrides it;
    # any other name gets the view; -q drops the header and the summary line.
    a, b = pair
    records = tmp_path / "passages.jsonl"
    assert main(["align", str(a), str(b), "-o", str(records)]) == 0
    (record,) = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()]
    assert record["tokens"] == 23
    assert main(["align", str(a), str(b), "--output-format", "csv"]) == 0
    (row,) = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert row["tokens"] == "23" and row["a_text"].startswith("the committee")
    view = tmp_path / "view.txt"
    assert main(["align", str(a), str(b), "-o", str(view), "--width", "80"]) == 0
    text = view.read_text(encoding="utf-8")
    assert "passage 1: 23 equal words" in text and "\x1b[" not in text  # no colour in a file
    assert text.splitlines()[-1].startswith("1 passage(s)")
    assert main(["align", str(a), str(b), "-q", "--width", "80", "--color", "never"]) == 0
    quiet = capsys.readouterr().out.splitlines()
    assert quiet[0].startswith("─") and quiet[-1].startswith("─") and "passage 1:" in quiet[1]
    assert main(["align", str(a), str(b), "--json", "--output-format", "csv"]) == 2
    assert "--json and --output-format csv disagree" in capsys.readouterr().err


def test_align_on_error_in_a_corpus(tmp_path, pair, capsys):
    a, b = pair
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join([json.dumps({"id": "x", "text": a.read_text(encoding="utf-8")}),
                                 "{not json",
                                 json.dumps({"id": "y", "text": b.read_text(encoding="utf-8")})]) + "\n",
                      encoding="utf-8")
    assert main(["align", "x", "y", "--corpus", str(corpus)]) == 3
    err = capsys.readouterr().err
    assert "corpus.jsonl" in err and "line 2" in err
    assert main(["align", "x", "y", "--corpus", str(corpus), "--on-error", "skip", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["tokens"] == 23


def test_provenance_command(tmp_path, capsys):
    wire = "WESTON, May 2 (Wirepress) -- " + SHARED + ". The vote was close."
    derived = "According to Wirepress, " + SHARED + ". Local reactions were mixed."
    rows = [
        {"id": "w", "text": wire, "source": "Wirepress", "date": "2024-05-02T08:00:00",
         "story": "budget"},
        {"id": "d", "text": derived, "source": "Daily", "date": "2024-05-02T12:00:00",
         "story": "budget"},
        {"id": "o", "text": "Rain is expected all week, CNN reported.", "story": "weather"},
    ]
    corpus = tmp_path / "in.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "edges.jsonl"
    assert main(["provenance", str(corpus), "-o", str(out), "--group-field", "story", "-q"]) == 0
    edges = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    internal = [e for e in edges if not e["external"]]
    assert [(e["story"], e["source_id"], e["derived_id"]) for e in internal] == [("budget", "w", "d")]
    assert {e["kind"] for e in internal[0]["evidence"]} >= {"attribution", "passages", "date"}
    assert [(e["source_name"], e["derived_id"]) for e in edges if e["external"]] == [("CNN", "o")]
    csv_out = tmp_path / "edges.csv"
    assert main(["provenance", str(corpus), "-o", str(csv_out), "--no-external", "-q"]) == 0
    assert csv_out.read_text(encoding="utf-8").startswith("source_id,derived_id,confidence")
    assert main(["provenance", str(corpus), "--group-field", "nothing", "-q"]) == 2
    assert "no article has a value" in capsys.readouterr().err


def test_provenance_command_follows_credits_across_groups(tmp_path):
    # An Arabic rewrite that the grouping put in a story of its own credits the wire "(MPA)".
    from retold.data import load_demo

    rows = [r for r in load_demo() if r["id"] in ("d20", "d21", "d24", "d30", "d31")]
    corpus = tmp_path / "in.jsonl"
    corpus.write_text("\n".join(json.dumps(dict(r, story=r["id"] if r["id"] == "d24" else r["story"]))
                                for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "edges.jsonl"
    assert main(["provenance", str(corpus), "-o", str(out), "--group-field", "story", "-q"]) == 0
    edges = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    across = [e for e in edges if any(x["kind"] == "similarity" for x in e["evidence"])]
    assert [(e["story"], e["source_id"], e["derived_id"]) for e in across] == [("d24", "d20", "d24")]
    assert main(["provenance", str(corpus), "-o", str(out), "--group-field", "story", "-q",
                 "--within-groups"]) == 0
    edges = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert ("d20", "d24") not in {(e["source_id"], e["derived_id"]) for e in edges}
    assert parser_exit_code(["provenance", str(corpus), "--group-field", "story", "--look-back-days", "-1", "-q"]) == 2
    assert main(["provenance", str(corpus), "-o", str(out), "--group-field", "story", "-q",
                 "--window-days", "inf"]) == 0
    # An article in no group is no one's source or derived article, across groups too.
    ungrouped = [dict(r, story=None) if r["id"] == "d24" else r for r in rows]
    corpus.write_text("\n".join(json.dumps(r) for r in ungrouped) + "\n", encoding="utf-8")
    assert main(["provenance", str(corpus), "-o", str(out), "--group-field", "story", "-q"]) == 0
    edges = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert "d24" not in {e["derived_id"] for e in edges} | {e["source_id"] for e in edges}


@pytest.fixture
def aligned_pairs(monkeypatch):
    """The pairs of texts retold.align is called on, as sets of two texts."""
    import retold.passages as passages_module

    calls: list[frozenset] = []
    real = passages_module.align

    def counting(a, b, **options):
        calls.append(frozenset((a, b)))
        return real(a, b, **options)

    monkeypatch.setattr(passages_module, "align", counting)
    return calls


def _demo_file(tmp_path):
    from retold.data import load_demo

    rows = load_demo()
    corpus = tmp_path / "demo.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return rows, corpus


def _edges(path):
    return {(e["source_id"], e["derived_id"], e["confidence"])
            for e in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def test_provenance_of_a_whole_file_judges_candidate_pairs_not_all(tmp_path, aligned_pairs):
    # Issue 19: without --group-field the whole input is one group, and every pair of it was
    # aligned (12 s for 300 articles).  Now only the pairs retold analyze would align are.
    rows, corpus = _demo_file(tmp_path)
    n = len(rows)
    text = {r["id"]: r["text"] for r in rows}
    out = tmp_path / "edges.jsonl"
    assert main(["provenance", str(corpus), "-o", str(out), "-q"]) == 0
    assert len(set(aligned_pairs)) == len(aligned_pairs)  # no pair twice
    assert len(aligned_pairs) < n * (n - 1) // 2 // 4
    # A football report and a tea-price story, of outlets that do not credit each other, are
    # not compared; the wire and its reprint are.
    assert frozenset((text["d05"], text["d60"])) not in aligned_pairs
    assert frozenset((text["d54"], text["d56"])) in aligned_pairs
    assert ("d54", "d56") in {(s, d) for s, d, _ in _edges(out)}
    aligned_pairs.clear()
    assert main(["provenance", str(corpus), "-o", str(out), "-q", "--all-pairs"]) == 0
    assert len(aligned_pairs) == n * (n - 1) // 2
    assert frozenset((text["d05"], text["d60"])) in aligned_pairs


def test_provenance_per_story_finds_with_candidate_pairs_what_all_pairs_find(tmp_path, aligned_pairs):
    rows, corpus = _demo_file(tmp_path)
    bounded, every = tmp_path / "bounded.jsonl", tmp_path / "every.jsonl"
    assert main(["provenance", str(corpus), "-o", str(bounded), "--group-field", "story", "-q"]) == 0
    judged = len(aligned_pairs)
    assert main(["provenance", str(corpus), "-o", str(every), "--group-field", "story", "-q",
                 "--all-pairs"]) == 0
    assert judged < len(aligned_pairs) - judged
    assert _edges(bounded) == _edges(every)
    # --neighbours 0: copies and credited pairs only.
    aligned_pairs.clear()
    assert main(["provenance", str(corpus), "-o", str(bounded), "--group-field", "story", "-q",
                 "--neighbours", "0"]) == 0
    assert len(aligned_pairs) < judged


def test_candidate_pairs_stay_in_their_groups():
    from retold.analysis import candidate_pairs
    from retold.io.tabular_input import as_article_list as as_articles
    from retold.copies import dedup
    from retold.data import load_demo
    from retold.story_clustering import CLUSTERING_OPTIONS, StoryModel

    articles = as_articles(load_demo())
    vectors = StoryModel(**CLUSTERING_OPTIONS).fit(articles).vectors(articles)
    copies = dedup(articles, measure="containment")
    # Two groups that cut copy clusters in two: each half is paired within its group.
    groups = [i % 2 for i in range(len(articles))]
    pairs = candidate_pairs(articles, groups, copy_labels=copies.labels,
                            representatives=copies.representatives, vectors=vectors)
    assert pairs and all(groups[a] == groups[b] for a, b, _ in pairs)
    for kind in ("copy", "story"):
        assert any(k == kind for _, _, k in pairs)
    per_group = [sum(1 for g in groups if g == h) for h in (0, 1)]
    assert len(pairs) <= sum(4 * m for m in per_group)
    # Every copy is paired with a member of its cluster in its group.
    for i in range(len(articles)):
        same = [j for j in range(len(articles)) if j != i and groups[j] == groups[i]
                and copies.labels[j] == copies.labels[i]]
        if same:
            assert any({a, b} & {i} and {a, b} & set(same) for a, b, k in pairs if k == "copy")
    with pytest.raises(ValueError, match="one entry per article"):
        candidate_pairs(articles, groups[:-1], copy_labels=copies.labels,
                        representatives=copies.representatives, vectors=vectors)
