"""Raw text to shingle hashes and signatures: the hashing core every capability stands on.

The heavy lifting happens in the kernels (``ext/text.pyx``, ``ext/hashing.pyx`` or their twins in
``retold._reference``); this module validates arguments, normalises text to NFC, spreads batches
over threads and wraps results.  The MinHash sketch class lives in :mod:`retold.minhash`.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Iterator

import numpy as np

from retold._backend import kernels
from retold._textprep import as_text, as_texts, nfc_with_offsets
from retold._validate import as_uint64 as _as_uint64
from retold._validate import check_choice as _check_choice
from retold._validate import check_int as _check_int
from retold.parallel import split_ranges as _split

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import text as _text
    from retold._ext import hashing as _hashing
else:
    _text = kernels("text")
    _hashing = kernels("hashing")

EMPTY_SLOT = np.uint64(_hashing.EMPTY_SLOT)
"""Value of every slot of an empty text's MinHash signature (2**64 - 1)."""

UNITS = ("word", "char")
SCHEMES = ("oph", "kperm")
_MAX_NUM_PERM = 1 << 16
_MAX_NGRAM = 1 << 10

# Token flag bits, as in Tokens.flags.
TOKEN_CAPITALIZED = _text.TOKEN_CAPITALIZED
TOKEN_ALL_UPPER = _text.TOKEN_ALL_UPPER
TOKEN_HAS_DIGIT = _text.TOKEN_HAS_DIGIT
TOKEN_NOSPACE = _text.TOKEN_NOSPACE
TOKEN_ALL_DIGIT = _text.TOKEN_ALL_DIGIT


def _check_seed(seed: Any) -> int:
    return _check_int(seed, "seed", 0, (1 << 64) - 1)


@dataclass(frozen=True)
class Tokens:
    """Tokens of one text, as parallel arrays.

    Attributes
    ----------
    starts, ends : np.ndarray of int64
        Character offsets of each token in the text as given (``text[starts[i]:ends[i]]``).
    hashes : np.ndarray of uint64
        Hash of each token's folded form (NFKC + casefold), shared by every layer of retold.
    flags : np.ndarray of uint8
        ``TOKEN_*`` bits: capitalised, all upper case, has a digit, script without spaces, all digits.
    """

    starts: np.ndarray
    ends: np.ndarray
    hashes: np.ndarray
    flags: np.ndarray

    def __len__(self) -> int:
        return len(self.hashes)

    def strings(self, text: str) -> list[str]:
        """The tokens as substrings of ``text`` (the text they were computed from)."""
        return [text[s:e] for s, e in zip(self.starts.tolist(), self.ends.tolist())]


def tokenize(text: str | bytes, *, errors: str = "strict") -> Tokens:
    """Split ``text`` into tokens with offsets and hashes.

    Tokens are runs of letters, digits and combining marks of any script; each character of a
    script written without spaces (Chinese, Japanese, Thai...) is a token of its own.  Offsets
    index the text as given, even when it had to be composed to NFC first.
    """
    original = text
    text = as_text(text, errors=errors)
    if isinstance(original, str):
        text, origin = nfc_with_offsets(original)
    else:
        origin = None
    starts, ends, hashes, flags = _text.tokenize(text)
    if origin is not None:
        starts, ends = origin[starts], origin[ends]
    return Tokens(starts, ends, hashes, flags)


def fold(text: str | bytes, *, errors: str = "strict") -> str:
    """The normalised character stream the ``char`` unit is built on (tokens folded, one space at gaps)."""
    return _text.fold_stream(as_text(text, errors=errors))


def shingles(
    text: str | bytes, *, ngram: int = 5, unit: str = "word", errors: str = "strict"
) -> np.ndarray:
    """The shingle set of ``text``: sorted unique ``uint64`` hashes.

    Parameters
    ----------
    text : str or bytes
        The text (bytes are decoded as UTF-8 under ``errors``).
    ngram : int
        Shingle length in units; a text with fewer units gives one shingle of all of them.
    unit : {"word", "char"}
        Word n-grams over tokens, or character n-grams over the folded text.
    """
    ngram = _check_int(ngram, "ngram", 1, _MAX_NGRAM)
    _check_choice(unit, "unit", UNITS)
    return _hashing.text_shingles(as_text(text, errors=errors), ngram, unit)


def shingle_hashes(
    text: str | bytes, *, ngram: int = 5, unit: str = "word", errors: str = "strict"
) -> np.ndarray:
    """Shingle hashes of ``text`` in text order, duplicates kept (for alignment and SimHash)."""
    ngram = _check_int(ngram, "ngram", 1, _MAX_NGRAM)
    _check_choice(unit, "unit", UNITS)
    return _hashing.text_shingle_hashes(as_text(text, errors=errors), ngram, unit)


def shingle_sets(
    texts: Iterable[str | bytes], *, ngram: int = 5, unit: str = "word", errors: str = "strict"
) -> tuple[np.ndarray, np.ndarray]:
    """Shingle sets of many texts in CSR form: ``offsets`` (int64, n + 1) and ``values`` (uint64).

    The set of text ``i`` is ``values[offsets[i]:offsets[i + 1]]``, sorted and unique.
    """
    ngram = _check_int(ngram, "ngram", 1, _MAX_NGRAM)
    _check_choice(unit, "unit", UNITS)
    return _hashing.shingle_sets(as_texts(texts, errors=errors), ngram, unit)


def minhash_batch(
    texts: Iterable[str | bytes],
    *,
    num_perm: int = 128,
    ngram: int = 5,
    unit: str = "word",
    scheme: str = "oph",
    seed: int = 1,
    workers: int = 1,
    errors: str = "strict",
) -> np.ndarray:
    """MinHash signatures of many texts, straight from raw text.

    Parameters
    ----------
    texts : iterable of str or bytes
    num_perm : int
        Signature length k.
    ngram, unit
        Shingling, as in :func:`shingles`.
    scheme : {"oph", "kperm"}
        ``oph``: one-permutation hashing with optimal densification, O(n + k) per text (default).
        ``kperm``: k universal hashes (a*x + b) mod (2**61 - 1), O(n * k), the classic.
    seed : int
        Signatures are comparable only under the same seed, scheme and num_perm.
    workers : int
        Threads; the kernels release the GIL, so the batch scales with cores.

    Returns
    -------
    np.ndarray of uint64, shape (len(texts), num_perm)
        An empty text's row is all :data:`EMPTY_SLOT`.
    """
    num_perm = _check_int(num_perm, "num_perm", 1, _MAX_NUM_PERM)
    ngram = _check_int(ngram, "ngram", 1, _MAX_NGRAM)
    workers = _check_int(workers, "workers", 1, 1024)
    _check_choice(unit, "unit", UNITS)
    _check_choice(scheme, "scheme", SCHEMES)
    seed = _check_seed(seed)
    prepared = as_texts(texts, errors=errors)
    out = np.empty((len(prepared), num_perm), dtype=np.uint64)
    if workers == 1 or len(prepared) < 2 * workers:
        _hashing.minhash_texts(prepared, ngram, unit, scheme, seed, out)
        return out
    # Many more chunks than threads keep the cores busy when texts differ in length.
    chunks = _split(len(prepared), workers * 8)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(_hashing.minhash_texts, prepared[a:b], ngram, unit, scheme, seed, out[a:b])
            for a, b in chunks
        ]
        for future in futures:
            future.result()
    return out


def iter_minhash(
    texts: Iterable[str | bytes], *, chunk_size: int = 10_000, **options: Any
) -> Iterator[np.ndarray]:
    """Signatures of a stream of texts, one array per chunk: memory stays flat however long the stream."""
    chunk_size = _check_int(chunk_size, "chunk_size", 1, 1 << 30)
    chunk: list[Any] = []
    for text in texts:
        chunk.append(text)
        if len(chunk) == chunk_size:
            yield minhash_batch(chunk, **options)
            chunk = []
    if chunk:
        yield minhash_batch(chunk, **options)


def signature_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard estimate from two signatures of the same shape: the share of equal slots.

    Two empty texts (all slots :data:`EMPTY_SLOT`) have no evidence of similarity: 0.0.
    """
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"signatures differ in shape: {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    equal = a == b
    if np.all(a == EMPTY_SLOT) and np.all(b == EMPTY_SLOT):
        return 0.0
    return float(np.count_nonzero(equal)) / a.size


def simhash(text: str | bytes, *, ngram: int = 3, errors: str = "strict") -> int:
    """64-bit SimHash of ``text`` over word n-grams, weighted by how often each occurs."""
    ngram = _check_int(ngram, "ngram", 1, _MAX_NGRAM)
    return int(_hashing.simhash_text(as_text(text, errors=errors), ngram))


def hamming(a: int, b: int) -> int:
    """Number of bits in which two 64-bit SimHashes differ."""
    a = _check_int(a, "a", 0, (1 << 64) - 1)
    b = _check_int(b, "b", 0, (1 << 64) - 1)
    return int(_hashing.hamming(a, b))


def _as_shingle_set(value: Any, name: str) -> np.ndarray:
    if isinstance(value, (str, bytes)):
        return shingles(value)
    array = np.asarray(value)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of shingle hashes, got shape {array.shape}")
    array = _as_uint64(array, name, "shingle hashes")
    if array.size > 1 and not np.all(array[1:] > array[:-1]):
        array = np.unique(array)
    return array


def jaccard(a: Any, b: Any) -> float:
    """Exact Jaccard similarity of two shingle sets (arrays of hashes, or texts shingled with defaults).

    Unsorted or repeated hashes are accepted (they are made a set); two empty sets give 0.0.
    """
    return float(_hashing.jaccard_sorted(_as_shingle_set(a, "a"), _as_shingle_set(b, "b")))


def containment(a: Any, b: Any) -> float:
    """Share of ``a``'s shingles found in ``b`` (is ``a`` a trimmed copy of ``b``?); 0.0 if ``a`` is empty."""
    return float(_hashing.containment_sorted(_as_shingle_set(a, "a"), _as_shingle_set(b, "b")))


def __getattr__(name: str) -> Any:
    # MinHash moved to retold.minhash (it imports this module, so it cannot be imported here).
    if name in ("MinHash", "LeanMinHash"):
        import retold.minhash
        import retold.lean_minhash

        return getattr(retold.minhash if name == "MinHash" else retold.lean_minhash, name)
    raise AttributeError(f"module 'retold.hashing' has no attribute {name!r}")
