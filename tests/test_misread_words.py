"""Misread words: the letter-edit rule against a naive edit distance, the X-drop extension on
known cases, and what it does to an alignment of two misread printings."""
from __future__ import annotations

from functools import lru_cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

import retold
from retold.misread_words import EXTEND_LEAST, extend, extend_pieces, near_equal


def _levenshtein(a: str, b: str) -> int:
    """Edit distance by its definition (insert, delete, substitute one letter), memoised."""
    @lru_cache(maxsize=None)
    def d(i: int, j: int) -> int:
        if i == 0 or j == 0:
            return i + j
        return min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))
    return d(len(a), len(b))


@given(st.text("abcde1", max_size=14), st.text("abcde1", max_size=14))
def test_near_equal_is_the_documented_edit_rule(a, b):
    longer = max(len(a), len(b))
    expected = a == b or (min(len(a), len(b)) >= 3 and _levenshtein(a, b) <= max(1, longer // 4))
    assert near_equal(a, b) is expected


@pytest.mark.parametrize("a, b, expected", [
    ("defense", "defen5e", True), ("consortium", "eonsortium", True), ("the", "tbe", True),
    ("lightweight", "lightweigbt", True), ("composites", "c0mp0sites", True),
    ("consortium", "eonsortiurn", False),  # 3 edits in 11 letters: 2 allowed
    ("composites", "c0mp0sitcs", False), ("of", "on", False), ("a", "b", False),
    ("plane", "crane", False), ("month", "week", False),
])
def test_near_equal_known_cases(a, b, expected):
    assert near_equal(a, b) is expected


def test_extension_runs_over_misread_words_and_stops_at_other_text():
    left = "the plane promises increased fuel efficiency as it is the first model".split()
    right = "the plane pr0mises increos ed fuel efficiency as if is fhe first model".split()
    taken_left, taken_right, matches = extend(left + "a b c d e f g".split(),
                                              right + "h i j k l m n".split(), match=3, shift=4)
    assert (taken_left, taken_right) == (len(left), len(right))
    assert 9 <= matches <= len(left)


def test_one_chance_word_in_common_is_no_extension():
    assert extend("the council met at noon".split(), "the storm hit the coast".split(),
                  match=3, shift=4) == (0, 0, 0)
    assert EXTEND_LEAST >= 2
    assert extend([], ["word"], match=3, shift=4) == (0, 0, 0)


def test_extended_pieces_never_overlap_their_neighbours():
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()
    pieces = [(0, 3, 0, 3, 3), (6, 9, 6, 9, 3)]
    out = extend_pieces(pieces, words, words, match=3, shift=4)
    assert out[0][1] <= out[1][0] and out[0][3] <= out[1][2]
    assert out[0][0] == 0 and out[-1][1] == len(words)  # the text before and after is taken


def test_misread_words_recovers_a_whole_printing():
    # Two printings of one paragraph misread independently (as at ~10% of letters): the equal
    # words alone align the first half; extension over near-equal words takes the rest.
    clean = ("Japan's airline were to take delivery in May 2008, but will now receive the aircraft "
             "next month. The plane promises increased fuel efficiency as it is the first model to "
             "be built out of plastic and carbon composites, more lightweight than conventional "
             "materials.")
    one = ("Japan's airline were to taKe delivery iu May 2008, but will now recelve the alrcraft ncXt "
           "month. Theplane promises lncreased fuel ctflelcncy as it is the fiRst mode l to be built "
           "ont of plastlc and carbon eornposites,more lightweiqht than conventional materials.")
    two = ("JaPan's airline weRe to toke delivery in May 2008, but wi1l now receiVe the oircraft neXt "
           "month. The Plane pr0mise5 increos ed fuel  efficiency as if is fhe first model to be built "
           "out of plastic and carbon comp0sitcs, morc lightweigbt thauconventloual materials.")
    host = "An unrelated story about the weather in the mountains, with snow. "
    docs = [host + one + " The end.", "Other news of the day, on sport. " + two + " More later."]
    options = {"ngram": 3, "min_shared": 1, "bridge_gap": 32, "match_score": 3}
    plain = retold.reused_passages(docs, **options).passages
    misread = retold.reused_passages(docs, **options, misread_words=True).passages
    assert len(misread) == 1
    occ = {o.position: o for o in misread[0].occurrences}
    assert occ[0].text.startswith("Japan") and occ[0].text.endswith("materials")
    assert occ[1].text.startswith("JaPan") and occ[1].text.endswith("materials")
    assert len(clean) * 0.9 <= len(occ[0].text) <= len(one)
    assert not plain or max(len(o.text) for p in plain for o in p.occurrences) < len(occ[0].text)


def test_misread_words_is_checked():
    with pytest.raises(TypeError, match="misread_words"):
        retold.reused_passages(["a b c"], misread_words="yes")
