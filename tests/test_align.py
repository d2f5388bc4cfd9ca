"""Alignment: kernels on both backends against a naive oracle, known answers, quotes."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import retold
from retold import passages as passages_module
from retold.passages import Passage, align, reuse
from retold.quotes import find_quotes, quote_sentences

from tests.conftest import shared_path

COLUMNS = 8


def naive_sw_best(a, b, match=2, mismatch=-1, gap=-1):
    """The plainest Smith-Waterman: the best local score over the full matrix."""
    n, m = len(a), len(b)
    H = [[0] * (m + 1) for _ in range(n + 1)]
    best = 0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            s = match if a[i - 1] >= 0 and a[i - 1] == b[j - 1] else mismatch
            H[i][j] = max(0, H[i - 1][j - 1] + s, H[i - 1][j] + gap, H[i][j - 1] + gap)
            best = max(best, H[i][j])
    return best


def naive_lcs(a, b):
    n, m = len(a), len(b)
    L = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if a[i - 1] >= 0 and a[i - 1] == b[j - 1]:
                L[i][j] = L[i - 1][j - 1] + 1
            else:
                L[i][j] = max(L[i - 1][j], L[i][j - 1])
    return L[n][m]


def run(kernels, fn, a, b, *args):
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    spans = np.zeros((len(a) + len(b) + 1, COLUMNS), dtype=np.int64)
    ops = np.zeros(len(a) + len(b), dtype=np.int8)
    count, n_ops = getattr(kernels, fn)(a, b, *args, spans, ops)
    return spans[:count].copy(), ops[:n_ops].copy()


def check_passage_ops(a, b, row, ops, match=2, mismatch=-1, gap=-1):
    """The edit script of a passage replays to its spans and its score."""
    a0, a1, b0, b1, score, matches, offset, length = row.tolist()
    script = ops[offset:offset + length]
    i, j, total, equal = a0, b0, 0, 0
    for op in script.tolist():
        if op in (0, 1):
            assert (op == 0) == (a[i] >= 0 and a[i] == b[j])
            total += match if op == 0 else mismatch
            equal += op == 0
            i += 1
            j += 1
        elif op == 2:
            total += gap
            i += 1
        else:
            total += gap
            j += 1
    assert (i, j) == (a1, b1)
    assert total == score
    assert equal == matches


sequences = st.lists(st.integers(min_value=-1, max_value=6), max_size=40)


@settings(max_examples=60, deadline=None)
@given(a=sequences, b=sequences)
def test_full_first_passage_is_the_optimal_local_alignment(impl, a, b):
    spans, ops = run(impl("align"), "align_full", a, b, 2, -1, -1, 1)
    best = naive_sw_best(a, b)
    if best == 0:
        assert len(spans) == 0
        return
    assert spans[0, 4] == best
    for row in spans:
        check_passage_ops(a, b, row, ops)


@settings(max_examples=60, deadline=None)
@given(a=sequences, b=sequences, ngram=st.integers(1, 3), band=st.integers(0, 5))
def test_seeded_passages_are_valid_and_disjoint(impl, a, b, ngram, band):
    spans, ops = run(impl("align"), "align_seeded", a, b, ngram, 4, 10, band, 2, -1, -1, 2)
    used_a = np.zeros(len(a), bool)
    used_b = np.zeros(len(b), bool)
    for row in spans:
        check_passage_ops(a, b, row, ops)
        a0, a1, b0, b1 = row[:4].tolist()
        assert row[5] >= 2
        assert not used_a[a0:a1].any() and not used_b[b0:b1].any()
        used_a[a0:a1] = True
        used_b[b0:b1] = True


@settings(max_examples=60, deadline=None)
@given(a=sequences, b=sequences)
def test_global_with_unit_scores_is_the_lcs(impl, a, b):
    ops = np.zeros(len(a) + len(b), dtype=np.int8)
    score, n_ops = impl("align").align_global(
        np.asarray(a, np.int64), np.asarray(b, np.int64), 1, 0, 0, ops
    )
    assert score == naive_lcs(a, b)
    assert np.count_nonzero(ops[:n_ops] == 2) + np.count_nonzero(ops[:n_ops] < 2) == len(a)


def test_backends_agree_bit_for_bit(compiled_or_skip):
    from retold._backend import reference_kernels

    compiled, reference = compiled_or_skip("align"), reference_kernels("align")
    rng = np.random.default_rng(7)
    for _ in range(60):
        n, m = rng.integers(0, 90, 2)
        a = rng.integers(-1, rng.integers(2, 25), n)
        b = rng.integers(-1, 25, m)
        if n > 20 and m > 20:
            s = int(rng.integers(0, n - 10))
            k = int(min(m, n - s))
            b[:k] = a[s:s + k]
        for fn, args in (
            ("align_full", (2, -1, -1, 2)),
            ("align_seeded", (int(rng.integers(1, 4)), 3, 12, 4, 2, -1, -1, 3)),
            ("align_seeded", (2, 4, 40, 8, 3, -2, -1, 4)),
        ):
            x_spans, x_ops = run(compiled, fn, a, b, *args)
            y_spans, y_ops = run(reference, fn, a, b, *args)
            np.testing.assert_array_equal(x_spans, y_spans)
            np.testing.assert_array_equal(x_ops, y_ops)
        sa, sb = np.asarray(a, np.int64), np.asarray(b, np.int64)
        for fn in ("find_seeds",):
            for x, y in zip(getattr(compiled, fn)(sa, sb, 2, 3), getattr(reference, fn)(sa, sb, 2, 3)):
                np.testing.assert_array_equal(x, y)
        si, sj = reference.find_seeds(sa, sb, 1, 4)
        for x, y in zip(compiled.chain_seeds(si, sj, 1, 10, 2, -1, -1),
                        reference.chain_seeds(si, sj, 1, 10, 2, -1, -1)):
            np.testing.assert_array_equal(x, y)


def test_seeds_skip_frequent_kgrams(impl):
    a = np.array([1, 2, 1, 2, 1, 2, 7, 8], np.int64)
    b = np.array([1, 2, 9, 7, 8], np.int64)
    si, sj = impl("align").find_seeds(a, b, 2, 2)
    # (1, 2) occurs 3 times in a: too common to seed; (7, 8) seeds once.
    assert si.tolist() == [6] and sj.tolist() == [3]


# ---------------------------------------------------------------- public API

TEXTREUSE_A = "How can we tell if this is a match, he asked?"
TEXTREUSE_B = "Surely, this is a good match, she replied."


def test_textreuse_known_answer():
    (p,) = align(TEXTREUSE_A, TEXTREUSE_B, method="full", min_tokens=4)
    assert (p.a_text, p.b_text) == ("this is a #### match", "this is a good match")
    assert p.score == 7 and p.tokens == 4
    assert TEXTREUSE_A[p.a_start:p.a_end] == "this is a match"
    assert TEXTREUSE_B[p.b_start:p.b_end] == "this is a good match"
    assert align(TEXTREUSE_A, TEXTREUSE_B, method="seeded", min_tokens=4) == [p]
    assert align(TEXTREUSE_A, TEXTREUSE_B, method="full") == []  # 4 words < min_tokens 8


def test_substitution_is_marked_both_ways():
    (p,) = align("one two three four five six", "one two THREE 4 five six", method="full",
                 min_tokens=4)
    assert p.a_text == "one two three four # five six"
    assert p.b_text == "one two THREE ####  4 five six".replace("  ", " ")


def test_public_names_are_exported():
    assert retold.align is align and retold.Passage is Passage


def test_offsets_point_into_the_original_text_with_unicode():
    shared = "der Bundestag hat am Donnerstag über die Reform der Schuldenbremse abgestimmt"
    a = "Ärger in Berlin: " + shared + ", berichtet die dpa."
    b = "Überraschung \u2014 " + shared + " (Reuters)"
    for method in ("seeded", "full"):
        (p,) = align(a, b, method=method)
        assert a[p.a_start:p.a_end] == shared == b[p.b_start:p.b_end]
        assert p.tokens == p.a_tokens == p.b_tokens == 11
        assert p.a_text == p.b_text == shared


def test_offsets_index_a_text_not_in_nfc_as_given():
    # Decomposed accents (e + U+0301) before and inside the passage: offsets computed on the
    # NFC form would land one character early per mark.  They must index the text as given.
    shared = ("the cafe\u0301 owners of the old quarter said the new rules would close "
              "their terraces early")
    a = "Re\u0301sume\u0301: " + shared + ", the mayor's office said."
    b = "Another outlet wrote that " + shared.replace("cafe\u0301", "caf\u00e9") + " on Friday."
    for method in ("seeded", "full"):
        (p,) = align(a, b, method=method)
        assert a[p.a_start:p.a_end] == shared
        assert b[p.b_start:p.b_end] == shared.replace("cafe\u0301", "caf\u00e9")
        assert "cafe\u0301" in p.a_text and "caf\u00e9" in p.b_text
    # Bytes are decoded, not composed: offsets index the decoded text.
    (p,) = align(a.encode(), b.encode())
    assert a[p.a_start:p.a_end] == shared
    found = reuse(a, b)
    assert found.passages and a[found.passages[0].a_start:found.passages[0].a_end] == shared


def test_identical_long_texts_align_whole():
    rng = np.random.default_rng(3)
    words = [f"w{int(x)}" for x in rng.integers(0, 400, 3000)]
    text = " ".join(words)
    (p,) = align(text, text)
    assert (p.a_start, p.a_end, p.b_start, p.b_end) == (0, len(text), 0, len(text))
    assert p.tokens == 3000


def test_seeded_finds_passages_at_known_places_with_edits():
    rng = np.random.default_rng(11)

    def words(k):
        return [f"x{int(v)}" for v in rng.integers(0, 5000, k)]

    shared1, shared2 = words(60), words(40)
    edited = list(shared1)
    edited[30] = "changed"
    del edited[45:47]
    a = " ".join(words(100) + shared1 + words(80) + shared2 + words(50))
    b = " ".join(words(30) + shared2 + words(70) + edited + words(20))
    found = align(a, b)
    assert len(found) == 2
    first, second = found
    assert first.a_tokens == 60 and first.b_tokens == 58 and first.tokens == 57
    assert second.tokens == 40
    assert "####" in first.b_text
    assert align(a, b, method="full") == found


def test_rtl_and_cjk_texts_align():
    urdu = "وزیر اعظم نے آج اسلام آباد میں کابینہ کے خصوصی اجلاس کی صدارت کی اور اہم فیصلے کیے"
    (p,) = align("خبر: " + urdu, urdu + " (اے پی پی)")
    assert p.tokens == len(retold.tokenize(urdu))
    chinese = "国家统计局今天发布数据显示前三季度国内生产总值同比增长"
    (q,) = align("新华社北京电 " + chinese, chinese + "。记者报道")
    assert q.tokens == len(chinese)


def test_full_refuses_what_would_not_fit(monkeypatch):
    monkeypatch.setattr(passages_module, "FULL_MEMORY_LIMIT", 1000)
    with pytest.raises(ValueError, match="use method='seeded'"):
        align("a b c d e f g h i j k l m n o p", "a b c d e f g h i j k l m n o p", method="full")


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"method": "fast"}, ValueError, "method"),
        ({"min_tokens": 0}, ValueError, "min_tokens"),
        ({"min_tokens": 2.5}, TypeError, "min_tokens"),
        ({"match": 0}, ValueError, "match"),
        ({"mismatch": 1}, ValueError, "mismatch"),
        ({"gap": 2}, ValueError, "gap"),
        ({"edit_mark": "##"}, ValueError, "edit_mark"),
    ],
)
def test_arguments_are_validated(kwargs, error, match):
    with pytest.raises(error, match=match):
        align("a b c", "a b c", **kwargs)


def test_bad_inputs():
    with pytest.raises(TypeError, match="a must be"):
        align(3, "x")
    assert align("", "anything at all") == []
    assert align(b"bytes work too in here ok", "bytes work too in here ok", min_tokens=3)
    article = retold.Article(id="x", text="the same eight words are in both texts")
    assert align(article, article.text)[0].tokens == 8


# ---------------------------------------------------------------- quotes


def test_quote_marks_of_many_languages():
    text = (
        'He said "first one" and „zweites“ plus «troisième» and “fourth” and 「第五」 '
        "and \u201eczwarty\u201d."
    )
    assert [text[q.start:q.end] for q in find_quotes(text)] == [
        "first one", "zweites", "troisième", "fourth", "第五", "czwarty"
    ]


def test_passages_and_story_features_read_one_table_of_quote_marks():
    # One definition (retold.punctuation): every mark that opens a quoted span for passages
    # opens a quote for the story features, and every closer closes one there.
    from retold import punctuation, story_feature_tables

    assert story_feature_tables.QUOTE_OPEN == set(punctuation.QUOTE_PAIRS) | set(punctuation.STRAIGHT_QUOTES)
    assert story_feature_tables.QUOTE_CLOSE == (set("".join(punctuation.QUOTE_PAIRS.values()))
                                                | set(punctuation.STRAIGHT_QUOTES))
    assert set(punctuation.SENTENCE_STOPS + punctuation.WIDE_SENTENCE_STOPS) <= story_feature_tables.SENTENCE_END
    text = "他说\uff02我们会继续谈判\uff02。"  # the full-width straight quote toggles like the ASCII one
    assert [text[q.start:q.end] for q in find_quotes(text)] == ["我们会继续谈判"]


def test_unbalanced_quotes_restart_and_stop_at_paragraphs():
    text = "Singh said, “Anyone who supports “We think so.” Then “open\n\nnew paragraph."
    assert [text[q.start:q.end] for q in find_quotes(text)] == ["We think so."]


def test_quote_sentences_keep_abbreviations():
    text = '"There would be parts in violation of U.N. (Security Council) resolutions. We hope so."'
    assert [text[q.start:q.end] for q in quote_sentences(text)] == [
        "There would be parts in violation of U.N. (Security Council) resolutions.",
        "We hope so.",
    ]


def test_reworded_quote_is_a_shared_quote():
    a = ('The minister said: "There would be parts that would be in violation of the accords, '
         'and everyone likely already knows that very well" at the briefing on Monday.')
    b = ("Speaking to the press, the official stated “There may be parts that violate the accords "
         "and everyone already knows that very well” in his remarks.")
    found = align(a, b, min_tokens=6)
    quoted = [p for p in found if p.quoted]
    assert quoted
    assert "parts" in a[quoted[0].a_start:quoted[0].a_end]
    assert "violate" in b[quoted[0].b_start:quoted[0].b_end] or quoted[0].tokens >= 6
    assert not any(p.quoted for p in align(a, b, min_tokens=6, quotes=False)
                   if "violate" in b[p.b_start:p.b_end] and "knows" not in p.b_text)


def test_unrelated_quotes_do_not_pair():
    a = 'He said "the weather in the north of the country will be cold and wet all week long".'
    b = 'She said "the new budget of the ministry of the interior will be debated in the house".'
    assert [p for p in align(a, b) if p.quoted] == []
    # Their common subsequence ("the ... of the ... will be") is under half the shorter quote,
    # so the quote matcher does not pair them even with a low min_tokens.
    assert not [p for p in align(a, b, min_tokens=5, method="full") if p.a_tokens > 14]


# ---------------------------------------------------------------- real data


def test_legal_codes_share_a_passage_of_more_than_200_words():
    folder = shared_path("data", "textreuse", "legal")
    ca = (folder / "ca1851-match.txt").read_text(encoding="utf-8")
    ny = (folder / "ny1850-match.txt").read_text(encoding="utf-8")
    nomatch = (folder / "ca1851-nomatch.txt").read_text(encoding="utf-8")
    for method in ("seeded", "full"):
        longest = max(p.tokens for p in align(ca, ny, method=method))
        assert longest > 200
        assert all(p.tokens < 30 for p in align(nomatch, ny, method=method))


def test_spokesmans_quote_in_yonhap_aligns_with_aas_wording(seeds):
    yonhap, aa = seeds["yonhap"], seeds["aa"]
    quote_y = yonhap.index("There would be parts")
    quote_y_end = yonhap.index("wait and see", quote_y)
    quote_aa = aa.index("There may be parts")
    quote_aa_end = aa.index("wait and see", quote_aa)
    found = [
        p for p in align(yonhap, aa)
        if p.a_start < quote_y_end and p.a_end > quote_y
        and p.b_start < quote_aa_end and p.b_end > quote_aa and p.quoted
    ]
    assert found, "the spokesman's quote is not aligned"
    text = " ".join(p.b_text for p in found)
    assert "already knows" in text and "wait and see" in text


def test_quote_matcher_pairs_what_local_alignment_cannot():
    # The seeds' spokesman: Yonhap's and AA's wordings share only scattered words, so
    # Smith-Waterman finds no 8-word passage; as quotes, their common subsequence is 9 of 13.
    a = ('Jeon said: "There would be parts that would be in violation of U.N. (Security Council) '
         'resolutions, and Russia likely already knows that," he told reporters.')
    b = ("Regarding the issue, Jeon said, “There may be parts that violate UNSC resolutions and "
         "Russia already knows this.” made his assessment.")
    assert align(a, b, quotes=False) == []
    (p,) = align(a, b)
    assert p.quoted and p.tokens == 9 and (p.a_tokens, p.b_tokens) == (21, 13)
    assert a[p.a_start:p.a_end].startswith("There would be parts")
    assert b[p.b_start:p.b_end] == "There may be parts that violate UNSC resolutions and Russia already knows this"
    assert p.b_text.split().count("#" * len("violation")) == 1
    assert align(a, b, min_quote_share=0.8) == []


def test_scores_that_could_pass_32_bits_are_refused(impl, monkeypatch):
    import retold.passages as passages_module

    a = np.arange(5000, dtype=np.int64)
    spans = np.zeros((10, impl("align").SPAN_COLUMNS), dtype=np.int64)
    ops = np.zeros(10000, dtype=np.int8)
    # 1000 * 2.2M tokens could score past 2**31 - 1: both kernels refuse before aligning.
    with pytest.raises(ValueError, match="2\\*\\*31"):
        impl("align").check_score_bound(1000, 2_200_000, 2_300_000)
    impl("align").check_score_bound(1000, 2_000_000, 2_300_000)
    assert impl("align").align_full(a[:50], a[:50], 2, -1, -1, 8, spans, ops)[0] == 1
    # The public call says what to do; a smaller bound stands in for 2**31 - 1 here.
    monkeypatch.setattr(passages_module, "_SCORE_LIMIT", 1000)
    text = " ".join(f"w{i}" for i in range(600))
    with pytest.raises(ValueError, match="lower match"):
        passages_module.align(text, text, match=2)
    assert passages_module.align(text, text, match=1)


def test_prepared_texts_align_as_the_texts():
    # A monitor tokenises each article once and aligns it with many partners: the passages
    # must be those of the texts, whichever side is prepared, whatever the options.
    rng = np.random.default_rng(5)

    def words(k):
        return [f"y{int(v)}" for v in rng.integers(0, 3000, k)]

    quote = '"' + " ".join(words(14)) + '"'
    shared = words(50)
    edited = list(shared)
    edited[20] = "edit"
    del edited[33:35]
    a = " ".join(words(40) + shared + words(30)) + " He said " + quote + " today."
    b = " ".join(words(10) + edited + words(25)) + " She said " + quote + "."
    pa, pb = passages_module.prepare(a), passages_module.prepare(b)
    assert len(pa) == len(retold.tokenize(a))
    for options in ({}, {"method": "full"}, {"quotes": False}, {"min_tokens": 4, "band": 2}):
        expected = align(a, b, **options)
        assert expected  # the case aligns something
        assert align(pa, pb, **options) == expected
        assert align(pa, b, **options) == expected and align(a, pb, **options) == expected
    assert align(pb, pa) == align(b, a)  # a prepared text serves either side, again
    assert passages_module.prepare(pa).text == a
    with pytest.raises(TypeError, match="text"):
        passages_module.prepare(3)


def _render_op_by_op(ops, a_words, b_words, mark):
    """The edit script rendered one step at a time, from the words themselves."""
    a_out, b_out, i, j = [], [], 0, 0
    for op in ops.tolist():
        if op in (passages_module.OP_MATCH, passages_module.OP_MISMATCH, passages_module.OP_A):
            a_out.append(a_words[i])
        if op in (passages_module.OP_MISMATCH, passages_module.OP_A):
            b_out.append(mark * len(a_words[i]))
        if op in (passages_module.OP_MISMATCH, passages_module.OP_B):
            a_out.append(mark * len(b_words[j]))
        if op in (passages_module.OP_MATCH, passages_module.OP_MISMATCH, passages_module.OP_B):
            b_out.append(b_words[j])
        i += op in (passages_module.OP_MATCH, passages_module.OP_MISMATCH, passages_module.OP_A)
        j += op in (passages_module.OP_MATCH, passages_module.OP_MISMATCH, passages_module.OP_B)
    return " ".join(a_out), " ".join(b_out)


def _as_text(words, gaps):
    """``words`` laid out in a text with the given separators; returns (text, starts, ends)."""
    text, starts, ends = gaps[0], [], []
    for k, word in enumerate(words):
        starts.append(len(text))
        text += word
        ends.append(len(text))
        text += gaps[(k + 1) % len(gaps)]
    return text, np.array(starts, np.int64), np.array(ends, np.int64)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0, 0, 0, 1, 2, 3]), max_size=60),
       st.sampled_from(["#", "█", "😀"]))
def test_aligned_strings_kernel_equals_the_op_by_op_script(impl, steps, mark):
    ops = np.array(steps, dtype=np.int8)
    n = int(np.isin(ops, [0, 1, 2]).sum())
    m = int(np.isin(ops, [0, 1, 3]).sum())
    # Words of every width of code point, and separators that are not single spaces: the kernel
    # must cut words by offsets and join them by one space whatever lay between them.
    a_words = [["a", "été", "नमस्ते", "𝐀x"][k % 4] * (1 + k % 3)
               for k in range(n)]
    b_words = [f"b{k}" * (1 + k % 2) for k in range(m)]
    text_a, starts_a, ends_a = _as_text(a_words, [", ", "\n\n", " -- "])
    text_b, starts_b, ends_b = _as_text(b_words, [" "])
    got = impl("render").aligned_strings(text_a, starts_a, ends_a, text_b, starts_b, ends_b, ops, mark)
    assert got == _render_op_by_op(ops, a_words, b_words, mark)
    assert all(type(s) is str for s in got)
