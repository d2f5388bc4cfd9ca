"""Misread words: the letter-edit rule against a naive edit distance on both backends, the
X-drop extension on known cases and the kernel against its twin, and what it does to an
alignment of two misread printings."""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import retold
from retold.misread_words import EXTEND_DROP, EXTEND_LEAST, Words, extend_pieces, near_equal, text_words
from tests.conftest import kernel_modules, refusal_tests


def _words(text: str) -> Words:
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    return text_words(text, np.array([s for s, _ in spans], dtype=np.int64),
                      np.array([e for _, e in spans], dtype=np.int64))


def extend(left: str, right: str, *, match: int = 3, shift: int = 4, module=None):
    """The forward extension over all of ``left`` and ``right``'s words."""
    a, b = _words(left), _words(right)
    kernels = module or kernel_modules("misread")[-1]
    return kernels.extend(*a, 0, len(a.starts), *b, 0, len(b.starts), 1, match, shift, EXTEND_DROP, EXTEND_LEAST)


def _levenshtein(a: str, b: str) -> int:
    """Edit distance by its definition (insert, delete, substitute one letter), memoised."""
    @lru_cache(maxsize=None)
    def d(i: int, j: int) -> int:
        if i == 0 or j == 0:
            return i + j
        return min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))
    return d(len(a), len(b))


def _codes(word: str) -> np.ndarray:
    return np.frombuffer(word.encode("utf-32-le"), dtype=np.uint32)


@given(st.text("abcde1é", max_size=14), st.text("abcde1é", max_size=14))
def test_near_equal_is_the_documented_edit_rule(a, b):
    longer = max(len(a), len(b))
    expected = a == b or (min(len(a), len(b)) >= 3 and _levenshtein(a, b) <= max(1, longer // 4))
    for kernels in kernel_modules("misread"):
        assert kernels.near_equal(_codes(a), _codes(b)) is expected


@pytest.mark.parametrize("a, b, expected", [
    ("defense", "defen5e", True), ("consortium", "eonsortium", True), ("the", "tbe", True),
    ("lightweight", "lightweigbt", True), ("composites", "c0mp0sites", True),
    ("consortium", "eonsortiurn", False),  # 3 edits in 11 letters: 2 allowed
    ("composites", "c0mp0sitcs", False), ("of", "on", False), ("a", "b", False),
    ("plane", "crane", False), ("month", "week", False),
])
def test_near_equal_known_cases(a, b, expected):
    assert near_equal(a, b) is expected  # the active backend, through the wrapper


@pytest.mark.parametrize("module", kernel_modules("misread"), ids=lambda m: m.__name__)
def test_extension_runs_over_misread_words_and_stops_at_other_text(module):
    left = "The plane promises increased fuel efficiency as it is the first model"
    right = "the Plane pr0mises increos ed fuel efficiency as if is fhe first model"
    taken_left, taken_right, matches = extend(left + " a b c d e f g", right + " h i j k l m n", module=module)
    assert (taken_left, taken_right) == (len(left.split()), len(right.split()))
    assert 9 <= matches <= len(left.split())


@pytest.mark.parametrize("module", kernel_modules("misread"), ids=lambda m: m.__name__)
def test_one_chance_word_in_common_is_no_extension(module):
    assert extend("the council met at noon", "the storm hit the coast", module=module) == (0, 0, 0)
    assert extend("", "word", module=module) == (0, 0, 0)
    assert EXTEND_LEAST >= 2


_WORD = st.sampled_from(["the", "tbe", "plane", "p1ane", "fuel", "fue1", "of", "on", "model", "rnodel", "x"])


@settings(max_examples=150, deadline=None)
@given(st.lists(_WORD, max_size=14), st.lists(_WORD, max_size=14), st.integers(1, 4), st.integers(0, 5),
       st.integers(1, 6), st.integers(0, 3), st.booleans())
def test_kernel_and_twin_extend_alike(left, right, match, shift, drop, least, backward):
    modules = kernel_modules("misread")
    a, b = _words(" ".join(left)), _words(" ".join(right))
    n, m = len(a.starts), len(b.starts)
    step, first_a, first_b = (-1, n - 1, m - 1) if backward else (1, 0, 0)
    answers = {mod.extend(*a, first_a if n else 0, n, *b, first_b if m else 0, m, step, match, shift, drop, least)
               for mod in modules}
    assert len(answers) == 1
    taken_a, taken_b, pairs = answers.pop()
    assert 0 <= taken_a <= n and 0 <= taken_b <= m and pairs <= min(taken_a, taken_b)
    assert abs(taken_a - taken_b) <= shift


GOOD = {"left_chars": _codes("abcdef"), "left_starts": np.array([0, 3]), "left_ends": np.array([3, 6]),
        "left_first": 0, "left_count": 2, "right_chars": _codes("abcdef"), "right_starts": np.array([0, 3]),
        "right_ends": np.array([3, 6]), "right_first": 0, "right_count": 2, "step": 1, "match": 3,
        "shift": 4, "drop": 4, "least": 2}
BAD = {
    "step": ({"step": 2}, ValueError, "step must be 1 or -1"),
    "match": ({"match": 0}, ValueError, "match, drop must be at least 1"),
    "huge drop": ({"drop": 1 << 41}, ValueError, "too large"),
    "count": ({"left_count": -1}, ValueError, "left_count must be at least 0"),
    "past the end": ({"right_count": 3}, ValueError, "right: words 0 to 2 are not all in 0..1"),
    "backward past the start": ({"step": -1, "left_first": 0, "left_count": 2}, ValueError,
                                "left: words 0 to -1"),
    "span": ({"left_ends": np.array([3, 9])}, ValueError, "word 1 of left spans \\(3, 9\\)"),
    "lengths": ({"right_ends": np.array([3])}, ValueError, "right_starts and right_ends must have the same length"),
    "chars dtype": ({"left_chars": np.array([97, 98], dtype=np.int64)}, TypeError,
                    "left_chars must be a numpy array of uint32, not int64"),
    "starts a list": ({"right_starts": [0, 3]}, TypeError, "right_starts must be a numpy array of int64, not list"),
    "ends 2-D": ({"left_ends": np.array([[3, 6]])}, ValueError, "left_ends must be 1-D"),
    "float step": ({"step": 1.0}, TypeError, "step must be an int, not float"),
    "float first": ({"right_first": 0.0}, TypeError, "right_first must be an int, not float"),
}
test_bad_arguments_are_refused, test_both_backends_refuse_alike = refusal_tests("misread", "extend", GOOD, BAD)


@pytest.mark.parametrize("module", kernel_modules("misread"), ids=lambda m: m.__name__)
def test_near_equal_refuses_what_is_not_code_points(module):
    with pytest.raises(TypeError, match="a must be a numpy array of uint32, not list"):
        module.near_equal([97, 98, 99], _codes("abc"))
    with pytest.raises(TypeError, match="b must be a numpy array of uint32, not int32"):
        module.near_equal(_codes("abc"), np.array([97, 98, 99], dtype=np.int32))


def test_extended_pieces_never_overlap_their_neighbours():
    text = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima"
    words = _words(text)
    pieces = [(0, 3, 0, 3, 3), (6, 9, 6, 9, 3)]
    out = extend_pieces(pieces, words, words, left_window=(0, 12), right_window=(0, 12), match=3, shift=4)
    assert out[0][1] <= out[1][0] and out[0][3] <= out[1][2]
    assert out[0][0] == 0 and out[-1][1] == 12  # the text before and after is taken
    inner = extend_pieces([(1, 3, 1, 3, 2)], words, words, left_window=(2, 8), right_window=(2, 8),
                          match=3, shift=4)
    # the window bounds it: three words on to its end; the one word before is under EXTEND_LEAST
    assert inner == [(1, 6, 1, 6, 5)]


def test_words_of_a_text_whose_lower_case_is_longer():
    text = "İstanbul Kadıköy"
    words = text_words(text, np.array([0, 9]), np.array([8, 16]))
    assert [words.chars[s:e].tobytes().decode("utf-32-le") for s, e in zip(words.starts, words.ends)] == [
        "i̇stanbul", "kadıköy"]


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
