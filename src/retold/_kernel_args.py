"""Argument checks at the entry of the text, hashing, LSH, alignment and story-feature kernels.

The Python layer validates what users pass, but the kernels are importable on their own and a
wrong argument there reaches C as an out-of-bounds read or write (``ngram=0`` once wrote past a
buffer; a short ``out`` took a MinHash signature into the heap).  Both backends run their
arguments through the same function here first, so they fail with the same exception type and
message, naming the argument, and the compiled code only ever sees what it can trust.

Checks stay proportional to the work a call does: arrays are checked with numpy in one pass,
and a kernel called in chunks over a shared array (``verify_pairs``) checks only the rows it
is asked about.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from retold._validate import as_uint64, check_int, check_real, int_array

MAX_NGRAM = 1 << 10
"""Largest shingle width a kernel accepts (the Python layer's limit too)."""
MAX_NUM_PERM = 1 << 16
"""Largest MinHash signature (slots are indexed with 32 bits; this keeps the family small)."""
MAX_SEED = (1 << 64) - 1
MAX_SCORE = 1000
"""Largest |score| of one alignment step (the Python layer's limit)."""
SCORE_LIMIT = (1 << 31) - 1
"""Alignment scores live in int32 matrices."""
GLOBAL_CELL_LIMIT = 1 << 27
"""Largest (n + 1) * (m + 1) of ``align_global`` (int64 cells: 1 GiB)."""
MIN_FEATURE_BITS, MAX_FEATURE_BITS = 1, 32
"""Story features are the top n_bits of a 64-bit hash, stored as uint32."""

if TYPE_CHECKING:  # annotations only: nothing here runs, so the kernels' entry costs nothing more
    from typing import TypeAlias

    from numpy.typing import NDArray

    U64Array: TypeAlias = NDArray[np.uint64]
    I64Array: TypeAlias = NDArray[np.int64]
    I8Array: TypeAlias = NDArray[np.int8]
    F64Array: TypeAlias = NDArray[np.float64]

_Scalar = TypeVar("_Scalar", bound=np.generic)


def check_text(value: Any, name: str = "text") -> str:
    """``value`` if it is a str (None and bytes are refused, not read as memory)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def check_texts(value: Any, name: str = "texts") -> list[str]:
    """``value`` if it is a list of str, naming the first item that is not."""
    if not isinstance(value, list):
        raise TypeError(f"{name} must be a list of str, not {type(value).__name__}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise TypeError(f"{name}[{i}] must be a str, not {type(item).__name__}")
    return value


def out_array(value: Any, name: str, dtype: type[_Scalar], ndim: int) -> NDArray[_Scalar]:
    """``value`` if it is a writeable C-contiguous ndarray of ``dtype`` with ``ndim`` dimensions.

    Output buffers are written in place, so they cannot be converted: a copy would receive
    the result and the caller's array would not.
    """
    if type(value) is np.ndarray and value.dtype == dtype and value.ndim == ndim and value.flags.c_contiguous \
            and value.flags.writeable:
        return value
    want = np.dtype(dtype)
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of {want}, not {type(value).__name__}")
    if value.dtype != want:
        raise TypeError(f"{name} must be a numpy array of {want}, not {value.dtype}")
    if value.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got an array of shape {value.shape}")
    if not value.flags.c_contiguous:
        raise ValueError(f"{name} must be C-contiguous (it is written in place)")
    if not value.flags.writeable:
        raise ValueError(f"{name} must be writeable (it is written in place)")
    return value


def _int(value: Any, name: str, low: int, high: int) -> int:
    # The common case first: these run on every call of small kernels (MinHash.update).
    if type(value) is int and low <= value <= high:
        return value
    return check_int(value, name, low, high)


def hash_array(value: Any, name: str) -> U64Array:
    """``value`` as a contiguous 1-D uint64 array (see :func:`retold._validate.as_uint64`)."""
    if type(value) is np.ndarray and value.dtype == np.uint64 and value.ndim == 1 and value.flags.c_contiguous:
        return value
    return as_uint64(int_or_hash_array(value, name), name)


def _ngram(ngram: Any) -> int:
    return _int(ngram, "ngram", 1, MAX_NGRAM)


def _literal(value: Any, name: str, first: str, second: str) -> str:
    # The literal is returned, not ``value``: the same two comparisons as ``value in (...)``, and
    # what the kernel gets is a plain str whatever compared equal to it.
    if value == first:
        return first
    if value == second:
        return second
    raise ValueError(f"{name} must be {first!r} or {second!r}, not {value!r}")


def _unit(unit: Any) -> str:
    return _literal(unit, "unit", "word", "char")


def _scheme(scheme: Any) -> str:
    return _literal(scheme, "scheme", "oph", "kperm")


def _seed(seed: Any) -> int:
    return _int(seed, "seed", 0, MAX_SEED)


def _signature_width(k: int, name: str) -> None:
    if k > MAX_NUM_PERM:
        raise ValueError(f"{name} has {k} slots; at most {MAX_NUM_PERM} are supported")


# -- text and hashing ---------------------------------------------------------------------------

def word_shingle_args(token_hashes: Any, ngram: Any) -> tuple[U64Array, int]:
    return hash_array(token_hashes, "token_hashes"), _ngram(ngram)


def int_or_hash_array(value: Any, name: str) -> Any:
    """``value`` if numpy sees it as a 1-D array (a scalar or a 2-D array is refused)."""
    array = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got an array of shape {array.shape}")
    return value


def text_shingle_args(text: Any, ngram: Any, unit: Any) -> tuple[str, int, str]:
    return check_text(text), _ngram(ngram), _unit(unit)


def shingle_sets_args(texts: Any, ngram: Any, unit: Any) -> tuple[list[str], int, str]:
    return check_texts(texts), _ngram(ngram), _unit(unit)


def kperm_parameters_args(num_perm: Any, seed: Any) -> tuple[int, int]:
    return check_int(num_perm, "num_perm", 0, MAX_NUM_PERM), _seed(seed)


def minhash_accumulate_args(shingles: Any, scheme: Any, seed: Any,
                            state: Any) -> tuple[U64Array, str, int, U64Array]:
    hashes = hash_array(shingles, "shingles")
    slots = out_array(state, "state", np.uint64, 1)
    _signature_width(slots.shape[0], "state")
    return hashes, _scheme(scheme), _seed(seed), slots


def minhash_finalize_args(state: Any, scheme: Any, seed: Any,
                          out: Any) -> tuple[U64Array, str, int, U64Array]:
    slots = hash_array(state, "state")
    _signature_width(slots.shape[0], "state")
    signature = out_array(out, "out", np.uint64, 1)
    if signature.shape[0] != slots.shape[0]:
        raise ValueError(f"out has {signature.shape[0]} slots for a state of {slots.shape[0]}")
    return slots, _scheme(scheme), _seed(seed), signature


def minhash_texts_args(texts: Any, ngram: Any, unit: Any, scheme: Any, seed: Any,
                       out: Any) -> tuple[list[str], int, str, str, int, U64Array]:
    docs = check_texts(texts)
    width, kind, family, base = _ngram(ngram), _unit(unit), _scheme(scheme), _seed(seed)
    signatures = out_array(out, "out", np.uint64, 2)
    if signatures.shape[0] != len(docs):
        raise ValueError(f"out has {signatures.shape[0]} rows for {len(docs)} texts")
    _signature_width(signatures.shape[1], "out")
    return docs, width, kind, family, base, signatures


def simhash_args(text: Any, ngram: Any) -> tuple[str, int]:
    return check_text(text), _ngram(ngram)


def hamming_args(a: Any, b: Any) -> tuple[int, int]:
    return check_int(a, "a", 0, MAX_SEED), check_int(b, "b", 0, MAX_SEED)


def sorted_set(value: Any, name: str) -> U64Array:
    """``value`` as a uint64 array that is sorted and unique (what the merge kernels assume)."""
    array = as_uint64(int_or_hash_array(value, name), name)
    if array.shape[0] > 1:
        bad = array[1:] <= array[:-1]
        if bad.any():
            at = int(np.argmax(bad)) + 1
            raise ValueError(f"{name} must be sorted and unique: {name}[{at - 1}] = {array[at - 1]}, "
                             f"{name}[{at}] = {array[at]}")
    return array


def set_pair_args(a: Any, b: Any) -> tuple[U64Array, U64Array]:
    return sorted_set(a, "a"), sorted_set(b, "b")


# -- LSH ----------------------------------------------------------------------------------------

def band_keys_args(signatures: Any, bands: Any, rows: Any,
                   out: Any) -> tuple[U64Array, int, int, U64Array]:
    given = np.asarray(signatures)
    if given.ndim != 2:
        raise ValueError(f"signatures must be 2-D, got an array of shape {given.shape}")
    if given.dtype != np.uint64:
        raise TypeError(f"signatures must hold uint64, not {given.dtype}")
    # The dtype was checked just above, which numpy's types cannot follow.
    sigs: U64Array = np.ascontiguousarray(given)
    n_bands = check_int(bands, "bands", 1, MAX_NUM_PERM)
    n_rows = check_int(rows, "rows", 1, MAX_NUM_PERM)
    if n_bands * n_rows > sigs.shape[1]:
        raise ValueError(f"bands * rows = {n_bands * n_rows} exceeds the signature width {sigs.shape[1]}")
    keys = out_array(out, "out", np.uint64, 2)
    if keys.shape != (n_bands, sigs.shape[0]):
        raise ValueError(f"out must have shape ({n_bands}, {sigs.shape[0]}), not {keys.shape}")
    return sigs, n_bands, n_rows, keys


def count_bucket_pairs_args(sorted_keys: Any, cap: Any) -> tuple[U64Array, int]:
    return as_uint64(int_or_hash_array(sorted_keys, "sorted_keys"), "sorted_keys"), \
        check_int(cap, "cap", 1, 1 << 62)


def fill_bucket_pairs_args(sorted_keys: Any, order: Any, cap: Any,
                           out: Any) -> tuple[U64Array, I64Array, int, U64Array]:
    keys, room = count_bucket_pairs_args(sorted_keys, cap)
    # Pair codes pack two document numbers in 32 bits each.
    docs = int_array(order, "order", 0, (1 << 32) - 1)
    if docs.shape[0] != keys.shape[0]:
        raise ValueError(f"order has {docs.shape[0]} documents for {keys.shape[0]} keys")
    return keys, docs, room, out_array(out, "out", np.uint64, 1)


def out_of_room(name: str, room: int) -> ValueError:
    """The error of a kernel whose output buffer is too small for what it found."""
    return ValueError(f"{name} has room for {room} entries but more are needed")


def verify_pairs_args(offsets: Any, values: Any, left: Any, right: Any, containment: Any,
                      out: Any) -> tuple[I64Array, U64Array, I64Array, I64Array, bool, F64Array]:
    off: I64Array = int_array(offsets, "offsets")
    vals: U64Array = as_uint64(int_or_hash_array(values, "values"), "values")
    n_sets = off.shape[0] - 1
    lefts: I64Array = int_array(left, "left", 0, max(n_sets - 1, 0))
    rights: I64Array = int_array(right, "right", 0, max(n_sets - 1, 0))
    if lefts.shape[0] != rights.shape[0]:
        raise ValueError(f"left and right differ in length: {lefts.shape[0]} and {rights.shape[0]}")
    if lefts.shape[0] and n_sets < 1:
        raise ValueError("offsets describes no sets but pairs were given")
    scores = out_array(out, "out", np.float64, 1)
    if scores.shape[0] != lefts.shape[0]:
        raise ValueError(f"out has {scores.shape[0]} values for {lefts.shape[0]} pairs")
    if lefts.shape[0]:
        # Only the rows asked about: the kernel is called in chunks over one large CSR.
        for ids, name in ((lefts, "left"), (rights, "right")):
            lo, hi = off[ids], off[ids + 1]
            bad = (lo < 0) | (hi < lo) | (hi > vals.shape[0])
            if bad.any():
                at = int(np.argmax(bad))
                row = int(ids[at])
                raise ValueError(f"offsets of set {row} ({name}[{at}]) are [{off[row]}, {off[row + 1]}), "
                                 f"not inside the {vals.shape[0]} values")
    return off, vals, lefts, rights, bool(containment), scores


def union_find_args(left: Any, right: Any, labels: Any) -> tuple[I64Array, I64Array, I64Array]:
    roots = out_array(labels, "labels", np.int64, 1)
    n = roots.shape[0]
    lefts: I64Array = int_array(left, "left")
    rights: I64Array = int_array(right, "right")
    if lefts.shape[0] != rights.shape[0]:
        raise ValueError(f"left and right must have the same length, got {lefts.shape[0]} and {rights.shape[0]}")
    bad = (lefts < 0) | (lefts >= n) | (rights < 0) | (rights >= n)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"edge {i} ({lefts[i]}, {rights[i]}) names an item outside [0, {n})")
    return lefts, rights, roots


# -- alignment ----------------------------------------------------------------------------------

def _scores(match: Any, mismatch: Any, gap: Any, *, positive_match: bool = True) -> tuple[int, int, int]:
    return (check_int(match, "match", 1 if positive_match else 0, MAX_SCORE),
            check_int(mismatch, "mismatch", -MAX_SCORE, 0),
            check_int(gap, "gap", -MAX_SCORE, 0))


def _ids(a: Any, b: Any) -> tuple[I64Array, I64Array]:
    return int_array(a, "a"), int_array(b, "b")


def _spans_ops(spans: Any, ops: Any, n: int, m: int) -> tuple[I64Array, I8Array]:
    table = out_array(spans, "spans", np.int64, 2)
    if table.shape[1] != 8:
        raise ValueError(f"spans must have 8 columns, not {table.shape[1]}")
    steps = out_array(ops, "ops", np.int8, 1)
    if steps.shape[0] < n + m:
        raise ValueError(f"ops has room for {steps.shape[0]} steps; len(a) + len(b) = {n + m} are needed")
    return table, steps


def _score_bound(match: int, n: int, m: int) -> None:
    if match * min(n, m) > SCORE_LIMIT:
        raise ValueError(f"match={match} over {n} x {m} tokens could score past 2**31 - 1")


def align_full_args(a: Any, b: Any, match: Any, mismatch: Any, gap: Any, min_matches: Any, spans: Any,
                    ops: Any) -> tuple[I64Array, I64Array, int, int, int, int, I64Array, I8Array]:
    ids_a, ids_b = _ids(a, b)
    n, m = ids_a.shape[0], ids_b.shape[0]
    plus, minus, skip = _scores(match, mismatch, gap)
    matches = check_int(min_matches, "min_matches", 1, 1 << 40)
    _score_bound(plus, n, m)
    if (n + 1) * (m + 1) > GLOBAL_CELL_LIMIT * 2:
        raise ValueError(f"align_full over {n} x {m} tokens needs more than 1 GiB")
    table, steps = _spans_ops(spans, ops, n, m)
    return ids_a, ids_b, plus, minus, skip, matches, table, steps


def _seed_params(ngram: Any, max_occurrences: Any) -> tuple[int, int]:
    return check_int(ngram, "ngram", 1, 64), check_int(max_occurrences, "max_occurrences", 1, 1 << 40)


def find_seeds_args(a: Any, b: Any, ngram: Any, max_occurrences: Any) -> tuple[I64Array, I64Array, int, int]:
    ids_a, ids_b = _ids(a, b)
    return (ids_a, ids_b, *_seed_params(ngram, max_occurrences))


def chain_seeds_args(si: Any, sj: Any, ngram: Any, max_gap: Any, match: Any, mismatch: Any,
                     gap: Any) -> tuple[I64Array, I64Array, int, int, int, int, int]:
    seeds_i: I64Array = int_array(si, "si", 0)
    seeds_j: I64Array = int_array(sj, "sj", 0)
    if seeds_i.shape[0] != seeds_j.shape[0]:
        raise ValueError(f"si and sj differ in length: {seeds_i.shape[0]} and {seeds_j.shape[0]}")
    if seeds_i.shape[0] > 1:
        # Sorted by (i, j): the chaining looks back along this order.
        di, dj = np.diff(seeds_i), np.diff(seeds_j)
        bad = (di < 0) | ((di == 0) & (dj < 0))
        if bad.any():
            at = int(np.argmax(bad)) + 1
            raise ValueError(f"seeds must be sorted by (i, j): seed {at} comes before seed {at - 1}")
    length = check_int(ngram, "ngram", 1, 64)
    longest_gap = check_int(max_gap, "max_gap", 0, 1 << 40)
    return (seeds_i, seeds_j, length, longest_gap, *_scores(match, mismatch, gap))


def align_seeded_args(a: Any, b: Any, ngram: Any, max_occurrences: Any, max_gap: Any, band: Any, match: Any,
                      mismatch: Any, gap: Any, min_matches: Any, spans: Any, ops: Any,
                      ) -> tuple[I64Array, I64Array, int, int, int, int, int, int, int, int, I64Array, I8Array]:
    ids_a, ids_b = _ids(a, b)
    n, m = ids_a.shape[0], ids_b.shape[0]
    length, occurrences = _seed_params(ngram, max_occurrences)
    longest_gap = check_int(max_gap, "max_gap", 0, 1 << 40)
    width = check_int(band, "band", 0, 1 << 40)
    plus, minus, skip = _scores(match, mismatch, gap)
    matches = check_int(min_matches, "min_matches", 1, 1 << 40)
    _score_bound(plus, n, m)
    table, steps = _spans_ops(spans, ops, n, m)
    return (ids_a, ids_b, length, occurrences, longest_gap, width, plus, minus, skip, matches,
            table, steps)


def align_global_args(a: Any, b: Any, match: Any, mismatch: Any, gap: Any,
                      ops: Any) -> tuple[I64Array, I64Array, int, int, int, I8Array]:
    ids_a, ids_b = _ids(a, b)
    plus, minus, skip = _scores(match, mismatch, gap, positive_match=False)
    n, m = ids_a.shape[0], ids_b.shape[0]
    if (n + 1) * (m + 1) > GLOBAL_CELL_LIMIT:
        raise ValueError(f"align_global over {n} x {m} tokens would need more than 1 GiB")
    steps = out_array(ops, "ops", np.int8, 1)
    if steps.shape[0] < n + m:
        raise ValueError(f"ops has room for {steps.shape[0]} steps; len(a) + len(b) = {n + m} are needed")
    return ids_a, ids_b, plus, minus, skip, steps


def _token_bounds(starts: Any, ends: Any, text: str, side: str) -> tuple[I64Array, I64Array]:
    n = len(text)
    lo: I64Array = int_array(starts, f"starts_{side}", 0, n)
    hi: I64Array = int_array(ends, f"ends_{side}", 0, n)
    if lo.shape[0] != hi.shape[0]:
        raise ValueError(f"starts_{side} and ends_{side} differ in length: {lo.shape[0]} and {hi.shape[0]}")
    backwards = hi < lo
    if backwards.any():
        at = int(np.argmax(backwards))
        raise ValueError(f"token {at} of {side} ends ({hi[at]}) before it starts ({lo[at]})")
    return lo, hi


def aligned_strings_args(text_a: Any, starts_a: Any, ends_a: Any, text_b: Any, starts_b: Any,
                         ends_b: Any, ops: Any, mark: Any,
                         ) -> tuple[str, I64Array, I64Array, str, I64Array, I64Array, I8Array, str]:
    for name, text in (("text_a", text_a), ("text_b", text_b)):
        if not isinstance(text, str):
            raise TypeError(f"{name} must be str, not {type(text).__name__}")
    if not isinstance(mark, str) or len(mark) != 1:
        raise ValueError(f"mark must be a single character, not {mark!r}")
    sa, ea = _token_bounds(starts_a, ends_a, text_a, "a")
    sb, eb = _token_bounds(starts_b, ends_b, text_b, "b")
    steps: I8Array = int_array(ops, "ops", 0, 3, dtype=np.int8)
    # OP_B (3) takes no token of a, OP_A (2) none of b; every other op takes one of each.
    walked_a, walked_b = int(np.count_nonzero(steps != 3)), int(np.count_nonzero(steps != 2))
    if walked_a != sa.shape[0] or walked_b != sb.shape[0]:
        raise ValueError(f"ops walk {walked_a} tokens of a and {walked_b} of b; "
                         f"{sa.shape[0]} and {sb.shape[0]} are given")
    return text_a, sa, ea, text_b, sb, eb, steps, mark


# -- story features -----------------------------------------------------------------------------

def text_features_args(
    texts: Any, titles: Any, n_bits: Any, lead_tokens: Any, title_boost: Any, lead_boost: Any,
    name_boost: Any, number_boost: Any, quote_boost: Any, stem_length: Any, stem_weight: Any,
    translit: Any, skeleton_weight: Any, uncased_skeleton_weight: Any, short_weight: Any,
) -> tuple[list[str], list[str], int, int, float, float, float, float, float, int, float, bool,
           float, float, float]:
    bodies = check_texts(texts, "texts")
    heads = check_texts(titles, "titles")
    if len(heads) != len(bodies):
        raise ValueError(f"titles has {len(heads)} items for {len(bodies)} texts")
    bits = check_int(n_bits, "n_bits", MIN_FEATURE_BITS, MAX_FEATURE_BITS)
    lead = check_int(lead_tokens, "lead_tokens", 0, (1 << 62))
    stem = check_int(stem_length, "stem_length", 0, 1 << 16)
    # One named check each, in the order of the signature (the first bad one is reported).
    title_w = check_real(title_boost, "title_boost")
    lead_w = check_real(lead_boost, "lead_boost")
    name_w = check_real(name_boost, "name_boost")
    number_w = check_real(number_boost, "number_boost")
    quote_w = check_real(quote_boost, "quote_boost")
    stem_w = check_real(stem_weight, "stem_weight")
    skeleton_w = check_real(skeleton_weight, "skeleton_weight")
    uncased_w = check_real(uncased_skeleton_weight, "uncased_skeleton_weight")
    short_w = check_real(short_weight, "short_weight")
    return (bodies, heads, bits, lead, title_w, lead_w, name_w, number_w, quote_w, stem, stem_w,
            bool(translit), skeleton_w, uncased_w, short_w)


def word_hashes_args(text: Any, starts: Any, ends: Any,
                     hashes: Any) -> tuple[str, I64Array, I64Array, U64Array]:
    body = check_text(text)
    words: U64Array = as_uint64(int_or_hash_array(hashes, "hashes"), "hashes")
    first: I64Array = int_array(starts, "starts")
    last: I64Array = int_array(ends, "ends")
    if not (first.shape[0] == last.shape[0] == words.shape[0]):
        raise ValueError("starts, ends and hashes differ in length")
    return body, first, last, words
