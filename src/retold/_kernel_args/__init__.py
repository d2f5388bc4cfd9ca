"""Argument checks at the entry of the text, hashing, LSH, alignment and story-feature kernels.

The Python layer validates what users pass, but the kernels are importable on their own and a
wrong argument there reaches C as an out-of-bounds read or write (``ngram=0`` once wrote past a
buffer; a short ``out`` took a MinHash signature into the heap).  Both backends run their
arguments through the same function here first, so they fail with the same exception type and
message, naming the argument, and the compiled code only ever sees what it can trust.

Checks stay proportional to the work a call does: arrays are checked with numpy in one pass,
and a kernel called in chunks over a shared array (``verify_pairs``) checks only the rows it
is asked about.

This package holds them by kernel family (:mod:`.hashing`, :mod:`.lsh`, :mod:`.align`,
:mod:`.stories`) over what they share (:mod:`.common`); the kernels and their twins import
this package and call the checks by name (``checks.band_keys_args``).
"""
from __future__ import annotations

from .common import (
    MAX_NGRAM as MAX_NGRAM,
    MAX_NUM_PERM as MAX_NUM_PERM,
    MAX_SEED as MAX_SEED,
    MAX_SCORE as MAX_SCORE,
    SCORE_LIMIT as SCORE_LIMIT,
    GLOBAL_CELL_LIMIT as GLOBAL_CELL_LIMIT,
    MIN_FEATURE_BITS as MIN_FEATURE_BITS,
    MAX_FEATURE_BITS as MAX_FEATURE_BITS,
    check_text as check_text,
    check_texts as check_texts,
    out_array as out_array,
    int_arg as int_arg,
    hash_array as hash_array,
    ngram_arg as ngram_arg,
    literal_arg as literal_arg,
    unit_arg as unit_arg,
    scheme_arg as scheme_arg,
    seed_arg as seed_arg,
    check_signature_width as check_signature_width,
    int_or_hash_array as int_or_hash_array,
    sorted_set as sorted_set,
    out_of_room as out_of_room,
)
from .hashing import (
    word_shingle_args as word_shingle_args,
    text_shingle_args as text_shingle_args,
    shingle_sets_args as shingle_sets_args,
    kperm_parameters_args as kperm_parameters_args,
    minhash_accumulate_args as minhash_accumulate_args,
    minhash_finalize_args as minhash_finalize_args,
    minhash_texts_args as minhash_texts_args,
    simhash_args as simhash_args,
    hamming_args as hamming_args,
    set_pair_args as set_pair_args,
)
from .lsh import (
    band_keys_args as band_keys_args,
    count_bucket_pairs_args as count_bucket_pairs_args,
    fill_bucket_pairs_args as fill_bucket_pairs_args,
    verify_pairs_args as verify_pairs_args,
    union_find_args as union_find_args,
)
from .align import (
    align_full_args as align_full_args,
    find_seeds_args as find_seeds_args,
    chain_seeds_args as chain_seeds_args,
    align_seeded_args as align_seeded_args,
    align_global_args as align_global_args,
    aligned_strings_args as aligned_strings_args,
)
from .misread import (
    near_equal_args as near_equal_args,
    extend_args as extend_args,
)
from .stories import (
    text_features_args as text_features_args,
    word_hashes_args as word_hashes_args,
)
