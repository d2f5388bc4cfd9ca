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

from typing import Any

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


def check_text(value: Any, name: str = "text") -> str:
    """``value`` if it is a str (None and bytes are refused, not read as memory)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def check_texts(value: Any, name: str = "texts") -> list:
    """``value`` if it is a list of str, naming the first item that is not."""
    if not isinstance(value, list):
        raise TypeError(f"{name} must be a list of str, not {type(value).__name__}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise TypeError(f"{name}[{i}] must be a str, not {type(item).__name__}")
    return value


def out_array(value: Any, name: str, dtype: Any, ndim: int) -> np.ndarray:
    """``value`` if it is a writeable C-contiguous ndarray of ``dtype`` with ``ndim`` dimensions.

    Output buffers are written in place, so they cannot be converted: a copy would receive
    the result and the caller's array would not.
    """
    if type(value) is np.ndarray and value.dtype == dtype and value.ndim == ndim and value.flags.c_contiguous \
            and value.flags.writeable:
        return value
    dtype = np.dtype(dtype)
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of {dtype}, not {type(value).__name__}")
    if value.dtype != dtype:
        raise TypeError(f"{name} must be a numpy array of {dtype}, not {value.dtype}")
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


def hash_array(value: Any, name: str) -> np.ndarray:
    """``value`` as a contiguous 1-D uint64 array (see :func:`retold._validate.as_uint64`)."""
    if type(value) is np.ndarray and value.dtype == np.uint64 and value.ndim == 1 and value.flags.c_contiguous:
        return value
    return as_uint64(int_or_hash_array(value, name), name)


def _ngram(ngram: Any) -> int:
    return _int(ngram, "ngram", 1, MAX_NGRAM)


def _unit(unit: Any) -> str:
    if unit not in ("word", "char"):
        raise ValueError(f"unit must be 'word' or 'char', not {unit!r}")
    return unit


def _scheme(scheme: Any) -> str:
    if scheme not in ("oph", "kperm"):
        raise ValueError(f"scheme must be 'oph' or 'kperm', not {scheme!r}")
    return scheme


def _seed(seed: Any) -> int:
    return _int(seed, "seed", 0, MAX_SEED)


def _signature_width(k: int, name: str) -> None:
    if k > MAX_NUM_PERM:
        raise ValueError(f"{name} has {k} slots; at most {MAX_NUM_PERM} are supported")


# -- text and hashing ---------------------------------------------------------------------------

def word_shingle_args(token_hashes: Any, ngram: Any) -> tuple[np.ndarray, int]:
    return hash_array(token_hashes, "token_hashes"), _ngram(ngram)


def int_or_hash_array(value: Any, name: str) -> Any:
    """``value`` if numpy sees it as a 1-D array (a scalar or a 2-D array is refused)."""
    array = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got an array of shape {array.shape}")
    return value


def text_shingle_args(text: Any, ngram: Any, unit: Any) -> tuple[str, int, str]:
    return check_text(text), _ngram(ngram), _unit(unit)


def shingle_sets_args(texts: Any, ngram: Any, unit: Any) -> tuple[list, int, str]:
    return check_texts(texts), _ngram(ngram), _unit(unit)


def kperm_parameters_args(num_perm: Any, seed: Any) -> tuple[int, int]:
    return check_int(num_perm, "num_perm", 0, MAX_NUM_PERM), _seed(seed)


def minhash_accumulate_args(shingles: Any, scheme: Any, seed: Any, state: Any) -> tuple:
    shingles = hash_array(shingles, "shingles")
    state = out_array(state, "state", np.uint64, 1)
    _signature_width(state.shape[0], "state")
    return shingles, _scheme(scheme), _seed(seed), state


def minhash_finalize_args(state: Any, scheme: Any, seed: Any, out: Any) -> tuple:
    state = hash_array(state, "state")
    _signature_width(state.shape[0], "state")
    out = out_array(out, "out", np.uint64, 1)
    if out.shape[0] != state.shape[0]:
        raise ValueError(f"out has {out.shape[0]} slots for a state of {state.shape[0]}")
    return state, _scheme(scheme), _seed(seed), out


def minhash_texts_args(texts: Any, ngram: Any, unit: Any, scheme: Any, seed: Any, out: Any) -> tuple:
    texts = check_texts(texts)
    ngram, unit, scheme, seed = _ngram(ngram), _unit(unit), _scheme(scheme), _seed(seed)
    out = out_array(out, "out", np.uint64, 2)
    if out.shape[0] != len(texts):
        raise ValueError(f"out has {out.shape[0]} rows for {len(texts)} texts")
    _signature_width(out.shape[1], "out")
    return texts, ngram, unit, scheme, seed, out


def simhash_args(text: Any, ngram: Any) -> tuple[str, int]:
    return check_text(text), _ngram(ngram)


def hamming_args(a: Any, b: Any) -> tuple[int, int]:
    return check_int(a, "a", 0, MAX_SEED), check_int(b, "b", 0, MAX_SEED)


def sorted_set(value: Any, name: str) -> np.ndarray:
    """``value`` as a uint64 array that is sorted and unique (what the merge kernels assume)."""
    array = as_uint64(int_or_hash_array(value, name), name)
    if array.shape[0] > 1:
        bad = array[1:] <= array[:-1]
        if bad.any():
            at = int(np.argmax(bad)) + 1
            raise ValueError(f"{name} must be sorted and unique: {name}[{at - 1}] = {array[at - 1]}, "
                             f"{name}[{at}] = {array[at]}")
    return array


def set_pair_args(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    return sorted_set(a, "a"), sorted_set(b, "b")


# -- LSH ----------------------------------------------------------------------------------------

def band_keys_args(signatures: Any, bands: Any, rows: Any, out: Any) -> tuple:
    sigs = np.asarray(signatures)
    if sigs.ndim != 2:
        raise ValueError(f"signatures must be 2-D, got an array of shape {sigs.shape}")
    if sigs.dtype != np.uint64:
        raise TypeError(f"signatures must hold uint64, not {sigs.dtype}")
    sigs = np.ascontiguousarray(sigs)
    bands = check_int(bands, "bands", 1, MAX_NUM_PERM)
    rows = check_int(rows, "rows", 1, MAX_NUM_PERM)
    if bands * rows > sigs.shape[1]:
        raise ValueError(f"bands * rows = {bands * rows} exceeds the signature width {sigs.shape[1]}")
    out = out_array(out, "out", np.uint64, 2)
    if out.shape != (bands, sigs.shape[0]):
        raise ValueError(f"out must have shape ({bands}, {sigs.shape[0]}), not {out.shape}")
    return sigs, bands, rows, out


def count_bucket_pairs_args(sorted_keys: Any, cap: Any) -> tuple[np.ndarray, int]:
    return as_uint64(int_or_hash_array(sorted_keys, "sorted_keys"), "sorted_keys"), \
        check_int(cap, "cap", 1, 1 << 62)


def fill_bucket_pairs_args(sorted_keys: Any, order: Any, cap: Any, out: Any) -> tuple:
    keys, cap = count_bucket_pairs_args(sorted_keys, cap)
    # Pair codes pack two document numbers in 32 bits each.
    order = int_array(order, "order", 0, (1 << 32) - 1)
    if order.shape[0] != keys.shape[0]:
        raise ValueError(f"order has {order.shape[0]} documents for {keys.shape[0]} keys")
    return keys, order, cap, out_array(out, "out", np.uint64, 1)


def out_of_room(name: str, room: int) -> ValueError:
    """The error of a kernel whose output buffer is too small for what it found."""
    return ValueError(f"{name} has room for {room} entries but more are needed")


def verify_pairs_args(offsets: Any, values: Any, left: Any, right: Any, containment: Any,
                      out: Any) -> tuple:
    off = int_array(offsets, "offsets")
    vals = as_uint64(int_or_hash_array(values, "values"), "values")
    n_sets = off.shape[0] - 1
    left = int_array(left, "left", 0, max(n_sets - 1, 0))
    right = int_array(right, "right", 0, max(n_sets - 1, 0))
    if left.shape[0] != right.shape[0]:
        raise ValueError(f"left and right differ in length: {left.shape[0]} and {right.shape[0]}")
    if left.shape[0] and n_sets < 1:
        raise ValueError("offsets describes no sets but pairs were given")
    out = out_array(out, "out", np.float64, 1)
    if out.shape[0] != left.shape[0]:
        raise ValueError(f"out has {out.shape[0]} values for {left.shape[0]} pairs")
    if left.shape[0]:
        # Only the rows asked about: the kernel is called in chunks over one large CSR.
        for ids, name in ((left, "left"), (right, "right")):
            lo, hi = off[ids], off[ids + 1]
            bad = (lo < 0) | (hi < lo) | (hi > vals.shape[0])
            if bad.any():
                at = int(np.argmax(bad))
                row = int(ids[at])
                raise ValueError(f"offsets of set {row} ({name}[{at}]) are [{off[row]}, {off[row + 1]}), "
                                 f"not inside the {vals.shape[0]} values")
    return off, vals, left, right, bool(containment), out


def union_find_args(left: Any, right: Any, labels: Any) -> tuple:
    labels = out_array(labels, "labels", np.int64, 1)
    n = labels.shape[0]
    left = int_array(left, "left")
    right = int_array(right, "right")
    if left.shape[0] != right.shape[0]:
        raise ValueError(f"left and right must have the same length, got {left.shape[0]} and {right.shape[0]}")
    bad = (left < 0) | (left >= n) | (right < 0) | (right >= n)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"edge {i} ({left[i]}, {right[i]}) names an item outside [0, {n})")
    return left, right, labels


# -- alignment ----------------------------------------------------------------------------------

def _scores(match: Any, mismatch: Any, gap: Any, *, positive_match: bool = True) -> tuple[int, int, int]:
    match = check_int(match, "match", 1 if positive_match else 0, MAX_SCORE)
    mismatch = check_int(mismatch, "mismatch", -MAX_SCORE, 0)
    gap = check_int(gap, "gap", -MAX_SCORE, 0)
    return match, mismatch, gap


def _ids(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    return int_array(a, "a"), int_array(b, "b")


def _spans_ops(spans: Any, ops: Any, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    spans = out_array(spans, "spans", np.int64, 2)
    if spans.shape[1] != 8:
        raise ValueError(f"spans must have 8 columns, not {spans.shape[1]}")
    ops = out_array(ops, "ops", np.int8, 1)
    if ops.shape[0] < n + m:
        raise ValueError(f"ops has room for {ops.shape[0]} steps; len(a) + len(b) = {n + m} are needed")
    return spans, ops


def _score_bound(match: int, n: int, m: int) -> None:
    if match * min(n, m) > SCORE_LIMIT:
        raise ValueError(f"match={match} over {n} x {m} tokens could score past 2**31 - 1")


def align_full_args(a, b, match, mismatch, gap, min_matches, spans, ops) -> tuple:
    a, b = _ids(a, b)
    match, mismatch, gap = _scores(match, mismatch, gap)
    min_matches = check_int(min_matches, "min_matches", 1, 1 << 40)
    _score_bound(match, a.shape[0], b.shape[0])
    if (a.shape[0] + 1) * (b.shape[0] + 1) > GLOBAL_CELL_LIMIT * 2:
        raise ValueError(f"align_full over {a.shape[0]} x {b.shape[0]} tokens needs more than 1 GiB")
    spans, ops = _spans_ops(spans, ops, a.shape[0], b.shape[0])
    return a, b, match, mismatch, gap, min_matches, spans, ops


def _seed_params(seed_len: Any, max_occ: Any) -> tuple[int, int]:
    return check_int(seed_len, "seed_len", 1, 64), check_int(max_occ, "max_occ", 1, 1 << 40)


def find_seeds_args(a, b, seed_len, max_occ) -> tuple:
    a, b = _ids(a, b)
    return (a, b, *_seed_params(seed_len, max_occ))


def chain_seeds_args(si, sj, seed_len, max_gap, match, mismatch, gap) -> tuple:
    si = int_array(si, "si", 0)
    sj = int_array(sj, "sj", 0)
    if si.shape[0] != sj.shape[0]:
        raise ValueError(f"si and sj differ in length: {si.shape[0]} and {sj.shape[0]}")
    if si.shape[0] > 1:
        # Sorted by (i, j): the chaining looks back along this order.
        di, dj = np.diff(si), np.diff(sj)
        bad = (di < 0) | ((di == 0) & (dj < 0))
        if bad.any():
            at = int(np.argmax(bad)) + 1
            raise ValueError(f"seeds must be sorted by (i, j): seed {at} comes before seed {at - 1}")
    seed_len = check_int(seed_len, "seed_len", 1, 64)
    max_gap = check_int(max_gap, "max_gap", 0, 1 << 40)
    return (si, sj, seed_len, max_gap, *_scores(match, mismatch, gap))


def align_seeded_args(a, b, seed_len, max_occ, max_gap, band, match, mismatch, gap, min_matches,
                      spans, ops) -> tuple:
    a, b = _ids(a, b)
    seed_len, max_occ = _seed_params(seed_len, max_occ)
    max_gap = check_int(max_gap, "max_gap", 0, 1 << 40)
    band = check_int(band, "band", 0, 1 << 40)
    match, mismatch, gap = _scores(match, mismatch, gap)
    min_matches = check_int(min_matches, "min_matches", 1, 1 << 40)
    _score_bound(match, a.shape[0], b.shape[0])
    spans, ops = _spans_ops(spans, ops, a.shape[0], b.shape[0])
    return a, b, seed_len, max_occ, max_gap, band, match, mismatch, gap, min_matches, spans, ops


def align_global_args(a, b, match, mismatch, gap, ops) -> tuple:
    a, b = _ids(a, b)
    match, mismatch, gap = _scores(match, mismatch, gap, positive_match=False)
    n, m = a.shape[0], b.shape[0]
    if (n + 1) * (m + 1) > GLOBAL_CELL_LIMIT:
        raise ValueError(f"align_global over {n} x {m} tokens would need more than 1 GiB")
    ops = out_array(ops, "ops", np.int8, 1)
    if ops.shape[0] < n + m:
        raise ValueError(f"ops has room for {ops.shape[0]} steps; len(a) + len(b) = {n + m} are needed")
    return a, b, match, mismatch, gap, ops


# -- story features -----------------------------------------------------------------------------

def text_features_args(texts, titles, n_bits, lead_tokens, title_boost, lead_boost, name_boost,
                       number_boost, quote_boost, stem_length, stem_weight, translit,
                       skeleton_weight, uncased_skeleton_weight, short_weight) -> tuple:
    texts = check_texts(texts, "texts")
    titles = check_texts(titles, "titles")
    if len(titles) != len(texts):
        raise ValueError(f"titles has {len(titles)} items for {len(texts)} texts")
    n_bits = check_int(n_bits, "n_bits", MIN_FEATURE_BITS, MAX_FEATURE_BITS)
    lead_tokens = check_int(lead_tokens, "lead_tokens", 0, (1 << 62))
    stem_length = check_int(stem_length, "stem_length", 0, 1 << 16)
    reals = [check_real(v, name) for v, name in (
        (title_boost, "title_boost"), (lead_boost, "lead_boost"), (name_boost, "name_boost"),
        (number_boost, "number_boost"), (quote_boost, "quote_boost"), (stem_weight, "stem_weight"),
        (skeleton_weight, "skeleton_weight"), (uncased_skeleton_weight, "uncased_skeleton_weight"),
        (short_weight, "short_weight"))]
    (title_boost, lead_boost, name_boost, number_boost, quote_boost, stem_weight,
     skeleton_weight, uncased_skeleton_weight, short_weight) = reals
    return (texts, titles, n_bits, lead_tokens, title_boost, lead_boost, name_boost, number_boost,
            quote_boost, stem_length, stem_weight, bool(translit), skeleton_weight,
            uncased_skeleton_weight, short_weight)


def word_hashes_args(text, starts, ends, hashes) -> tuple:
    text = check_text(text)
    hashes = as_uint64(int_or_hash_array(hashes, "hashes"), "hashes")
    starts = int_array(starts, "starts")
    ends = int_array(ends, "ends")
    if not (starts.shape[0] == ends.shape[0] == hashes.shape[0]):
        raise ValueError("starts, ends and hashes differ in length")
    return text, starts, ends, hashes
