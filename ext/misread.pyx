"""Misread words: how far a passage goes on over words that two printings spell differently.

Words are given as a lower-cased text's code points (``chars``, uint32) and where each word
starts and ends in it (``starts``, ``ends``, int64), as the tokenizer gives them.

Two words are *near-equal* when they are equal, or both have at least ``MIN_LETTERS`` letters
and their Levenshtein distance is at most ``max(1, longer // 4)`` (one edit up to 7 letters,
two up to 11, ...).

An *extension* walks ``count`` words of each side from word ``first``, ``step`` (1 or -1) at a
time, and aligns them in a band of ``shift`` words off the diagonal: a near-equal pair scores
``match``, any other word, on either side, -1.  A cell whose best path scores ``drop`` or more
below the best score of the rows before it ends there (X-drop, as BLAST extends a seed); the
walk ends with the first row in which no cell lives.  The answer is the best cell (highest
score, then most near-equal pairs; the first such cell in row order), as the words it takes
on each side and its near-equal pairs, or nothing when its score is under ``least * match``.
"""
from libc.stdint cimport int64_t, uint32_t
from retold._ext._buffer cimport Pool

from retold import _kernel_args as checks

MIN_LETTERS = 3
cdef int64_t _MIN_LETTERS = MIN_LETTERS


cdef bint within_edits(const uint32_t* a, int64_t n, const uint32_t* b, int64_t m, int64_t limit,
                       int64_t* row) noexcept nogil:
    """Levenshtein distance of a[:n] and b[:m] at most ``limit``; ``row`` holds m + 1 cells."""
    cdef int64_t i, j, diagonal, up, low, cost, mismatches = 0
    if (n - m if n > m else m - n) > limit:
        return False
    if n == m:
        for i in range(n):
            mismatches += a[i] != b[i]
        if mismatches <= limit:
            return True
    for j in range(m + 1):
        row[j] = j
    for i in range(1, n + 1):
        diagonal = row[0]
        row[0] = i
        low = i
        for j in range(1, m + 1):
            up = row[j]
            cost = diagonal + (a[i - 1] != b[j - 1])
            if up + 1 < cost:
                cost = up + 1
            if row[j - 1] + 1 < cost:
                cost = row[j - 1] + 1
            row[j] = cost
            diagonal = up
            if cost < low:
                low = cost
        if low > limit:
            return False
    return row[m] <= limit


cdef bint near_equal_at(const uint32_t* a, int64_t n, const uint32_t* b, int64_t m,
                        int64_t* row) noexcept nogil:
    cdef int64_t i, longer = n if n > m else m
    if n == m:
        for i in range(n):
            if a[i] != b[i]:
                break
        else:
            return True
    if n < _MIN_LETTERS or m < _MIN_LETTERS:
        return False
    return within_edits(a, n, b, m, longer // 4 if longer >= 8 else 1, row)


def near_equal(a, b):
    """Whether two words (code points) are near-equal."""
    a, b = checks.near_equal_args(a, b)
    return bool(_near_equal(a, b))


cdef bint _near_equal(const uint32_t[::1] a, const uint32_t[::1] b) except -1:
    cdef Pool mem = Pool()
    cdef int64_t* row = <int64_t*> mem.scratch(b.shape[0] + 1, sizeof(int64_t))
    return near_equal_at(&a[0] if a.shape[0] else NULL, a.shape[0],
                         &b[0] if b.shape[0] else NULL, b.shape[0], row)


cdef int64_t check_walk(const uint32_t[::1] chars, const int64_t[::1] starts, const int64_t[::1] ends,
                        int64_t first, int64_t count, int step, str side) except -1:
    """The longest word of the walk; ValueError naming ``side`` when it leaves the arrays
    (what ``checks.extend_args`` cannot see without reading every word: only the walk's are)."""
    cdef int64_t words = starts.shape[0], k, w, lo, hi, longest = 0
    if count == 0:
        return 0
    if first < 0 or first >= words or (first + step * (count - 1)) < 0 \
            or (first + step * (count - 1)) >= words:
        raise ValueError(f"{side}: words {first} to {first + step * (count - 1)} are not all in "
                         f"0..{words - 1}")
    for k in range(count):
        w = first + step * k
        lo, hi = starts[w], ends[w]
        if lo < 0 or hi < lo or hi > chars.shape[0]:
            raise ValueError(f"word {w} of {side} spans ({lo}, {hi}), not a span of "
                             f"{side}_chars (length {chars.shape[0]})")
        if hi - lo > longest:
            longest = hi - lo
    return longest


def extend(left_chars, left_starts, left_ends, left_first, left_count,
           right_chars, right_starts, right_ends, right_first, right_count,
           step, match, shift, drop, least):
    """The extension from ``left_first``/``right_first`` (see the module docstring).

    Returns ``(taken_left, taken_right, matches)``; ``(0, 0, 0)`` when it scores under
    ``least * match``.
    """
    (left_chars, left_starts, left_ends, left_first, left_count, right_chars, right_starts, right_ends,
     right_first, right_count, step, match, shift, drop, least) = checks.extend_args(
        left_chars, left_starts, left_ends, left_first, left_count, right_chars, right_starts,
        right_ends, right_first, right_count, step, match, shift, drop, least)
    return _extend(left_chars, left_starts, left_ends, left_first, left_count, right_chars,
                   right_starts, right_ends, right_first, right_count, step, match, shift, drop, least)


cdef tuple _extend(const uint32_t[::1] left_chars, const int64_t[::1] left_starts,
                   const int64_t[::1] left_ends, int64_t left_first, int64_t left_count,
                   const uint32_t[::1] right_chars, const int64_t[::1] right_starts,
                   const int64_t[::1] right_ends, int64_t right_first, int64_t right_count,
                   int step, int64_t match, int64_t shift, int64_t drop, int64_t least):
    check_walk(left_chars, left_starts, left_ends, left_first, left_count, step, "left")
    cdef int64_t longest = check_walk(right_chars, right_starts, right_ends, right_first, right_count,
                                      step, "right")
    cdef int64_t n = left_count, m = right_count
    # Score and near-equal pairs of the best path to each cell of the row before and this one;
    # ``live`` says whether a cell was reached (a cell pruned by X-drop is not).
    cdef Pool mem = Pool()
    cdef int64_t* rows = <int64_t*> mem.alloc(6 * (m + 1), sizeof(int64_t))  # zeroed: nothing live
    cdef int64_t* lev = <int64_t*> mem.scratch(longest + 1, sizeof(int64_t))
    cdef int64_t* old_score = rows
    cdef int64_t* old_pairs = rows + (m + 1)
    cdef int64_t* old_live = rows + 2 * (m + 1)
    cdef int64_t* new_score = rows + 3 * (m + 1)
    cdef int64_t* new_pairs = rows + 4 * (m + 1)
    cdef int64_t* new_live = rows + 5 * (m + 1)
    cdef int64_t* swap
    cdef const uint32_t* lc = &left_chars[0] if left_chars.shape[0] else NULL
    cdef const uint32_t* rc = &right_chars[0] if right_chars.shape[0] else NULL
    cdef const int64_t* ls = &left_starts[0] if left_starts.shape[0] else NULL
    cdef const int64_t* le = &left_ends[0] if left_ends.shape[0] else NULL
    cdef const int64_t* rs = &right_starts[0] if right_starts.shape[0] else NULL
    cdef const int64_t* re = &right_ends[0] if right_ends.shape[0] else NULL
    cdef int64_t x, y, y_lo, y_hi, wl, wr, floor, best = 0, best_x = 0, best_y = 0, best_pairs = 0
    cdef int64_t cell_score, cell_pairs, hit_score, hit_pairs
    cdef bint any_live, have
    with nogil:
        old_live[0] = 1
        for y in range(1, (m if m < shift else shift) + 1):
            old_score[y] = -y
            old_live[y] = 1
        for x in range(1, n + 1):
            floor = best - drop
            any_live = False
            y_lo = x - shift if x > shift else 0
            y_hi = x + shift if x + shift < m else m
            for y in range(m + 1):
                new_live[y] = 0
            for y in range(y_lo, y_hi + 1):
                have = False
                cell_score = 0
                cell_pairs = 0
                if old_live[y]:
                    have, cell_score, cell_pairs = True, old_score[y] - 1, old_pairs[y]
                if y > 0 and new_live[y - 1] and (not have or new_score[y - 1] - 1 > cell_score or (
                        new_score[y - 1] - 1 == cell_score and new_pairs[y - 1] > cell_pairs)):
                    have, cell_score, cell_pairs = True, new_score[y - 1] - 1, new_pairs[y - 1]
                if y > 0 and old_live[y - 1]:
                    hit_score, hit_pairs = old_score[y - 1] + match, old_pairs[y - 1] + 1
                    wl = left_first + step * (x - 1)
                    wr = right_first + step * (y - 1)
                    if hit_score >= floor and (not have or hit_score > cell_score or (
                            hit_score == cell_score and hit_pairs > cell_pairs)) and near_equal_at(
                            lc + ls[wl], le[wl] - ls[wl], rc + rs[wr], re[wr] - rs[wr], lev):
                        have, cell_score, cell_pairs = True, hit_score, hit_pairs
                    elif not have or old_score[y - 1] - 1 > cell_score or (
                            old_score[y - 1] - 1 == cell_score and old_pairs[y - 1] > cell_pairs):
                        have, cell_score, cell_pairs = True, old_score[y - 1] - 1, old_pairs[y - 1]
                if not have or cell_score < floor:
                    continue
                new_live[y] = 1
                new_score[y] = cell_score
                new_pairs[y] = cell_pairs
                any_live = True
                if cell_score > best:
                    best, best_x, best_y, best_pairs = cell_score, x, y, cell_pairs
            if not any_live:
                break
            swap = old_score; old_score = new_score; new_score = swap
            swap = old_pairs; old_pairs = new_pairs; new_pairs = swap
            swap = old_live; old_live = new_live; new_live = swap
    if best < least * match:
        return 0, 0, 0
    return int(best_x), int(best_y), int(best_pairs)
