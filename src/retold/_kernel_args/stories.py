"""Entry checks of the story-feature kernels (see :mod:`retold._kernel_args`)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from retold._validate import as_uint64, check_int, check_real, int_array

from .common import MIN_FEATURE_BITS, MAX_FEATURE_BITS, check_text, check_texts, int_or_hash_array

if TYPE_CHECKING:
    from .common import U64Array, I64Array


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
