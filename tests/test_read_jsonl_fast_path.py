"""JSON Lines read straight to Articles (retold.io.jsonl_articles) gives what the general path
gives: the same Articles, the same skipped lines and the same first error, on odd input."""
from __future__ import annotations

import json

import pytest

from retold import read_articles
from retold.io import RecordError
from retold.io.article_records import Admission, FieldNames
from retold.io.jsonl_records import jsonl_records
from retold.io.raw_records import byte_lines

from .conftest import write_jsonl

pytest.importorskip("orjson")

LINES = [
    b'\xef\xbb\xbf{"id": "a", "text": "first, after a BOM", "date": "2024-05-01", "views": 3}',
    b"",
    b"   ",
    b'{"id": "b", "text": "same date again", "date": "2024-05-01", "title": "", "source": "", "lang": "en"}',
    b'{"id": "c", "text": "nested extra", "extra": {"k": [1, 2]}, "date": "2024-05-02T10:00:00+02:00"}',
    b'{"id": 7, "text": "numeric id"}',
    b'{"id": "", "text": "empty id takes the position"}',
    b'{"text": "no id at all", "title": "T"}',
    b'{"id": "big", "text": "integer past 64 bits", "n": 123456789012345678901234567890}',
    b'{"id": "bigf", "text": "huge float", "x": 1e300}',
    b'{"id": "a", "text": "duplicate id"}',
    b'{"id": "nt", "title": "no text"}',
    b'{"id": "tt", "text": 5}',
    b'{"id": "ti", "text": "title not a string", "title": 3}',
    b'{"id": "bd", "text": "bad date", "date": "not a date"}',
    b'{"id": "nd", "text": "number date", "date": 1714521600}',
    b'not json at all',
    b'[1, 2, 3]',
    b'null',
    b'"a string"',
    b'{"id": "nan", "text": "NaN is JSON to Python only", "x": NaN}',
    b'{"id": "sur", "text": "lone \\udc80 surrogate escape"}',
    b'{"id": "utf", "text": "bad \xff utf-8"}',
    b'{"id": "trunc", "text": "cut',
    b'{"id": "last", "text": "the end", "date": "2024-05-01", "lang": "", "source": "Wire"}',
]


def _as_tuples(articles):
    return [(a.id, a.text, a.title, a.date, a.source, a.lang, dict(a.extra)) for a in articles]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "odd.jsonl"
    path.write_bytes(b"\n".join(LINES) + b"\n")
    return path


def _general(path, on_error, errors, **options):
    names = FieldNames("id", "text", "title", "date", "source", "lang")
    admission = Admission(names, on_error, errors, False)
    return admission.articles(jsonl_records(byte_lines(path), str(path), options.get("encoding_errors", "strict")))


@pytest.mark.parametrize("encoding_errors", ["strict", "replace"])
def test_skip_gives_the_same_articles_and_the_same_skips(corpus, encoding_errors):
    fast_errors, slow_errors = [], []
    fast = list(read_articles(corpus, on_error="skip", errors=fast_errors, encoding_errors=encoding_errors))
    slow = list(_general(corpus, "skip", slow_errors, encoding_errors=encoding_errors))
    assert _as_tuples(fast) == _as_tuples(slow)
    assert fast_errors == slow_errors
    # The corpus does hold both kinds, so the comparison covers the fast loop and the other.
    assert {a.id for a in fast} >= {"a", "b", "c", "7", "4", "5", "big", "bigf", "nd", "nan", "sur", "last"}
    assert {e.line for e in fast_errors} >= {11, 12, 13, 14, 15, 17, 18, 19, 20, 24}


def test_fail_raises_the_first_bad_line_the_same_way(corpus):
    with pytest.raises(RecordError) as fast:
        list(read_articles(corpus))
    with pytest.raises(RecordError) as slow:
        list(_general(corpus, "fail", None))
    assert str(fast.value) == str(slow.value)
    assert str(fast.value).startswith(f"{corpus}, line 11: duplicate id 'a', first seen at {corpus}, line 1")


def test_extra_fields_are_the_record_less_the_known_ones(tmp_path):
    path = tmp_path / "n.jsonl"
    record = {"id": "x", "text": "t", "title": "h", "date": "2024-01-01", "source": "s", "lang": "de",
              "copy_of": None, "edit_rate": 0.5}
    path.write_text(json.dumps(record) + "\n")
    (article,) = read_articles(path)
    assert article.extra == {"copy_of": None, "edit_rate": 0.5}
    assert (article.id, article.title, article.source, article.lang) == ("x", "h", "s", "de")
    assert article.date.isoformat() == "2024-01-01T00:00:00"


def test_renamed_fields_take_the_fast_path_too(tmp_path):
    path = tmp_path / "n.jsonl"
    path.write_text('{"uid": "x", "body": "t", "id": "kept in extra"}\n{"uid": "x", "body": "dup"}\n')
    errors = []
    articles = list(read_articles(path, id_field="uid", text_field="body", on_error="skip", errors=errors))
    assert [(a.id, a.text, a.extra) for a in articles] == [("x", "t", {"id": "kept in extra"})]
    assert [e.line for e in errors] == [2]


def test_a_check_of_the_users_still_runs_on_every_record(corpus):
    seen = []
    list(read_articles(corpus, on_error="skip", errors=[], check=lambda a: seen.append(a.id)))
    assert "a" in seen and "last" in seen


def test_clean_records_do_not_go_the_general_way(tmp_path, monkeypatch):
    # Only the first record with a date not seen yet needs the general path (which parses
    # and remembers the date); the rest are built by the loop itself.
    import retold.io.article_records as article_records

    calls = []
    general = Admission.admit
    monkeypatch.setattr(Admission, "admit", lambda self, raw, pos: calls.append(raw.line) or general(self, raw, pos))
    monkeypatch.setattr(article_records, "PARSED_DATES", {})
    path = tmp_path / "clean.jsonl"
    path.write_text("".join(json.dumps({"id": str(i), "text": f"text {i}", "date": "2024-03-0%d" % (1 + i % 2)}) + "\n"
                            for i in range(50)))
    articles = list(read_articles(path))
    assert len(articles) == 50 and calls == [1, 2]


def test_a_failing_check_is_reported_as_on_the_general_path(corpus):
    def check(article):
        if article.id in ("b", "last"):
            raise ValueError(f"no {article.id}")

    fast_errors, slow_errors = [], []
    fast = list(read_articles(corpus, on_error="skip", errors=fast_errors, check=check))
    names = FieldNames("id", "text", "title", "date", "source", "lang")
    admission = Admission(names, "skip", slow_errors, False, check)
    slow = list(admission.articles(jsonl_records(byte_lines(corpus), str(corpus), "strict")))
    assert _as_tuples(fast) == _as_tuples(slow)
    assert fast_errors == slow_errors
    assert any("article 'b' cannot be processed (ValueError: no b)" in e.reason for e in fast_errors)


def test_kernel_and_twin_read_the_odd_corpus_alike(corpus, impl, monkeypatch):
    import retold.io.jsonl_articles as wrapper

    monkeypatch.setattr(wrapper, "kernels", impl)
    errors, slow_errors = [], []
    fast = list(read_articles(corpus, on_error="skip", errors=errors))
    slow = list(_general(corpus, "skip", slow_errors))
    assert _as_tuples(fast) == _as_tuples(slow) and errors == slow_errors


def test_compiled_articles_of_plain_records_are_left_out_of_the_cyclic_gc(tmp_path, compiled_or_skip, monkeypatch):
    import dataclasses
    import gc
    import pickle

    import retold.io.jsonl_articles as wrapper

    monkeypatch.setattr(wrapper, "kernels", compiled_or_skip)

    path = write_jsonl(tmp_path / "gc.jsonl", [
        {"id": "plain", "text": "only atomic values", "date": "2024-01-01", "n": 1, "x": 0.5, "f": None},
        {"id": "nested", "text": "a nested value goes the general way", "tags": ["a", "b"]},
    ])
    plain, nested = read_articles(path)
    # Nothing it holds can refer back to it, so no collection could ever free it: untracked,
    # as CPython untracks a tuple of atomic values.  The nested one may be in a cycle: tracked.
    assert not gc.is_tracked(plain) and gc.is_tracked(nested)
    assert plain.extra == {"n": 1, "x": 0.5, "f": None}
    again = pickle.loads(pickle.dumps(plain))
    assert again == plain and hash(again) == hash(plain) and again.extra == plain.extra
    renamed = dataclasses.replace(plain, id="renamed")
    assert renamed.text == plain.text and gc.is_tracked(renamed)
    del plain, again, renamed
    gc.collect()  # freeing an untracked Article is an ordinary dealloc


def test_the_kernel_takes_whatever_build_returns_even_an_object_the_gc_does_not_know():
    import orjson

    from .conftest import kernel_modules

    for module in kernel_modules("jsonl_articles"):
        built = list(module.clean_articles(
            iter([b'{"id": "a", "text": "t"}']), orjson.loads, orjson.JSONDecodeError,
            ("id", "text", "title", "date", "source", "lang"), {}, {},
            lambda *fields: "a str, which has no GC header", None, lambda *args: None, object(), 2.0**63))
        assert built == ["a str, which has no GC header"], module.__name__
