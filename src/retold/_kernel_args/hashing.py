"""Entry checks of the text and hashing kernels (see :mod:`retold._kernel_args`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from retold._validate import check_int

from .common import MAX_NUM_PERM, MAX_SEED, check_text, check_texts, out_array, hash_array, ngram_arg, unit_arg, scheme_arg, seed_arg, check_signature_width, sorted_set

if TYPE_CHECKING:
    from .common import U64Array


def word_shingle_args(token_hashes: Any, ngram: Any) -> tuple[U64Array, int]:
    return hash_array(token_hashes, "token_hashes"), ngram_arg(ngram)


def text_shingle_args(text: Any, ngram: Any, unit: Any) -> tuple[str, int, str]:
    return check_text(text), ngram_arg(ngram), unit_arg(unit)


def shingle_sets_args(texts: Any, ngram: Any, unit: Any) -> tuple[list[str], int, str]:
    return check_texts(texts), ngram_arg(ngram), unit_arg(unit)


def kperm_parameters_args(num_perm: Any, seed: Any) -> tuple[int, int]:
    return check_int(num_perm, "num_perm", 0, MAX_NUM_PERM), seed_arg(seed)


def minhash_accumulate_args(shingles: Any, scheme: Any, seed: Any,
                            state: Any) -> tuple[U64Array, str, int, U64Array]:
    hashes = hash_array(shingles, "shingles")
    slots = out_array(state, "state", np.uint64, 1)
    check_signature_width(slots.shape[0], "state")
    return hashes, scheme_arg(scheme), seed_arg(seed), slots


def minhash_finalize_args(state: Any, scheme: Any, seed: Any,
                          out: Any) -> tuple[U64Array, str, int, U64Array]:
    slots = hash_array(state, "state")
    check_signature_width(slots.shape[0], "state")
    signature = out_array(out, "out", np.uint64, 1)
    if signature.shape[0] != slots.shape[0]:
        raise ValueError(f"out has {signature.shape[0]} slots for a state of {slots.shape[0]}")
    return slots, scheme_arg(scheme), seed_arg(seed), signature


def minhash_texts_args(texts: Any, ngram: Any, unit: Any, scheme: Any, seed: Any,
                       out: Any) -> tuple[list[str], int, str, str, int, U64Array]:
    docs = check_texts(texts)
    width, kind, family, base = ngram_arg(ngram), unit_arg(unit), scheme_arg(scheme), seed_arg(seed)
    signatures = out_array(out, "out", np.uint64, 2)
    if signatures.shape[0] != len(docs):
        raise ValueError(f"out has {signatures.shape[0]} rows for {len(docs)} texts")
    check_signature_width(signatures.shape[1], "out")
    return docs, width, kind, family, base, signatures


def simhash_args(text: Any, ngram: Any) -> tuple[str, int]:
    return check_text(text), ngram_arg(ngram)


def hamming_args(a: Any, b: Any) -> tuple[int, int]:
    return check_int(a, "a", 0, MAX_SEED), check_int(b, "b", 0, MAX_SEED)


def set_pair_args(a: Any, b: Any) -> tuple[U64Array, U64Array]:
    return sorted_set(a, "a"), sorted_set(b, "b")
