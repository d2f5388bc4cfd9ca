"""The stages of :func:`retold.dedup` between reading and clustering: sign each document
(MinHash, band keys), then verify the LSH candidates on their shingle sets (from the texts held,
or from a second reading) or estimate them from the signatures."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable

import numpy as np

from retold._backend import kernels
from retold.article import Article
from retold.dates import microseconds as _microseconds
from retold.hashing import EMPTY_SLOT, minhash_batch, shingle_sets
from retold.io.tabular_input import chunked
from retold.lsh import Candidates, MinHashLSH
from retold.parallel import split_ranges as _split

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import lsh as _lsh
else:
    _lsh = kernels("lsh")

# Verification computes shingle sets for the documents of this many pairs at a time, which
# bounds its memory however many candidates there are.
VERIFY_BLOCK = 250_000


# ---------------------------------------------------------------- the stages


@dataclass
class Signed:
    """What the sign stage keeps of the corpus."""

    ids: list[str]
    texts: list[str | None]
    lengths: np.ndarray
    dates: np.ndarray
    band_keys: np.ndarray
    empty: np.ndarray
    signatures: np.ndarray | None


def sign_corpus(
    docs: Iterable[Article],
    lsh: MinHashLSH,
    *,
    ngram: int,
    unit: str,
    seed: int,
    workers: int,
    keep_texts: bool,
    keep_signatures: bool,
    chunk_size: int,
    advance: Callable[[int], None],
) -> Signed:
    """Sign ``docs`` chunk by chunk: their ids (which must be unique), lengths, dates, band keys
    and which are empty, with the texts and the signatures where asked to keep them."""
    ids: list[str] = []
    seen: set[str] = set()
    texts: list[str | None] = []
    lengths: list[np.ndarray] = []
    dates: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    empties: list[np.ndarray] = []
    sigs: list[np.ndarray] = []

    def finish(chunk: list[Article], chunk_texts: list[str], signatures: np.ndarray) -> None:
        keys.append(lsh.band_keys(signatures))
        empties.append(np.all(signatures == EMPTY_SLOT, axis=1))
        lengths.append(np.fromiter((len(t) for t in chunk_texts), dtype=np.int64, count=len(chunk)))
        dates.append(_microseconds([a.date for a in chunk]))
        if keep_texts:
            texts.extend(chunk_texts)
        if keep_signatures:
            sigs.append(signatures)
        advance(len(chunk))

    def sign(chunk_texts: list[str]) -> np.ndarray:
        return minhash_batch(
            chunk_texts, num_perm=lsh.num_perm, ngram=ngram, unit=unit, seed=seed, workers=workers
        )

    # With several workers the next chunk is read while this one is signed: reading is Python
    # (it holds the GIL) and hashing is not, so the two overlap instead of taking turns.  The
    # documents are still iterated in the caller's thread (a generator over a database cursor,
    # say, may not move threads); only our own hashing of plain strings runs in the background.
    # One worker means one core: no overlap.
    with ThreadPoolExecutor(max_workers=1) if workers > 1 else nullcontext() as signer:
        pending: tuple[list[Article], list[str], Any] | None = None
        for chunk in chunked(docs, chunk_size):
            chunk_texts = [a.text for a in chunk]
            for article in chunk:
                if article.id in seen:
                    raise ValueError(f"duplicate document id {article.id!r}: ids must be unique")
                seen.add(article.id)
                ids.append(article.id)
            if signer is None:
                finish(chunk, chunk_texts, sign(chunk_texts))
                continue
            signing = signer.submit(sign, chunk_texts)
            if pending is not None:
                finish(pending[0], pending[1], pending[2].result())
            pending = (chunk, chunk_texts, signing)
        if pending is not None:
            finish(pending[0], pending[1], pending[2].result())
    return Signed(
        ids=ids,
        texts=texts,
        lengths=np.concatenate(lengths) if lengths else np.zeros(0, np.int64),
        dates=np.concatenate(dates) if dates else np.zeros(0, np.int64),
        band_keys=np.concatenate(keys, axis=1) if keys else np.zeros((lsh.bands, 0), np.uint64),
        empty=np.concatenate(empties) if empties else np.zeros(0, bool),
        signatures=(np.concatenate(sigs) if sigs else np.zeros((0, lsh.num_perm), np.uint64))
        if keep_signatures
        else None,
    )


def _in_threads(workers: int, jobs: list[Callable[[], Any]]) -> list[Any]:
    if workers == 1 or len(jobs) < 2:
        return [job() for job in jobs]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(job) for job in jobs]
        return [f.result() for f in futures]


def _shingle_csr(texts: list[str], *, ngram: int, unit: str, workers: int) -> tuple[np.ndarray, np.ndarray]:
    """shingle_sets of ``texts`` over threads, joined into one CSR."""
    parts = _split(len(texts), workers * 4 if workers > 1 else 1)
    def job(a: int, b: int) -> Callable[[], tuple[np.ndarray, np.ndarray]]:
        # A factory rather than a default-argument lambda, so that the job has a type.
        return lambda: shingle_sets(texts[a:b], ngram=ngram, unit=unit)

    results = _in_threads(workers, [job(a, b) for a, b in parts])
    if not results:
        return np.zeros(1, np.int64), np.zeros(0, np.uint64)
    offsets = [np.zeros(1, np.int64)]
    base = 0
    for off, _ in results:
        offsets.append(off[1:] + base)
        base += int(off[-1])
    return np.concatenate(offsets), np.concatenate([v for _, v in results])


def _verify_csr(
    offsets: np.ndarray,
    values: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    containment: bool,
    workers: int,
    out: np.ndarray,
) -> None:
    """Similarity of pairs of rows of one CSR of shingle sets, into ``out``, over threads."""
    left = np.ascontiguousarray(left, dtype=np.int64)
    right = np.ascontiguousarray(right, dtype=np.int64)
    def job(a: int, b: int) -> Callable[[], None]:
        # A factory rather than a default-argument lambda, so that the job has a type.
        return lambda: _lsh.verify_pairs(offsets, values, left[a:b], right[a:b], containment, out[a:b])

    _in_threads(workers, [job(a, b) for a, b in _split(len(left), workers * 4 if workers > 1 else 1)])


def verify_from_texts(
    signed: Signed,
    candidates: Candidates,
    *,
    containment: bool,
    ngram: int,
    unit: str,
    workers: int,
    advance: Callable[[int], None],
) -> np.ndarray:
    """Exact similarity of each candidate pair from the texts held, block by block of pairs."""
    left, right = candidates.a, candidates.b
    out = np.empty(len(left), dtype=np.float64)
    for start in range(0, len(left), VERIFY_BLOCK):
        stop = min(len(left), start + VERIFY_BLOCK)
        docs, inverse = np.unique(np.concatenate([left[start:stop], right[start:stop]]), return_inverse=True)
        texts = [signed.texts[d] for d in docs.tolist()]
        offsets, values = _shingle_csr(texts, ngram=ngram, unit=unit, workers=workers)
        inverse = inverse.reshape(-1)
        _verify_csr(
            offsets, values, inverse[: stop - start], inverse[stop - start :], containment, workers,
            out[start:stop],
        )
        advance(stop - start)
    return out


def verify_reread(
    signed: Signed,
    candidates: Candidates,
    docs: Iterable[Article],
    *,
    containment: bool,
    ngram: int,
    unit: str,
    workers: int,
    chunk_size: int,
    advance: Callable[[int], None],
) -> np.ndarray:
    """Exact similarity of each candidate pair, reading the documents a second time.

    Only the shingle sets of documents in some candidate pair are kept, so memory follows the
    number of candidates, not the size of the corpus.
    """
    if len(candidates) == 0:
        return np.empty(0, dtype=np.float64)
    needed = np.unique(np.concatenate([candidates.a, candidates.b]))
    wanted = np.zeros(len(signed.ids), dtype=bool)
    wanted[needed] = True
    offsets_parts: list[np.ndarray] = [np.zeros(1, np.int64)]
    values_parts: list[np.ndarray] = []
    base = 0
    position = 0
    for chunk in chunked(docs, chunk_size):
        texts = []
        for article in chunk:
            if (
                position >= len(signed.ids)
                or article.id != signed.ids[position]
                or len(article.text) != signed.lengths[position]
            ):
                raise ValueError(
                    f"reread() gave document {article.id!r} at position {position}, which differs "
                    "from the first reading (id or text length); it must give the same documents "
                    "in the same order"
                )
            if wanted[position]:
                texts.append(article.text)
            position += 1
        if texts:
            offsets, values = _shingle_csr(texts, ngram=ngram, unit=unit, workers=workers)
            offsets_parts.append(offsets[1:] + base)
            values_parts.append(values)
            base += int(offsets[-1])
    if position != len(signed.ids):
        raise ValueError(
            f"reread() gave {position} documents, the first reading {len(signed.ids)}; it must give "
            "the same documents in the same order"
        )
    offsets = np.concatenate(offsets_parts)
    values = np.concatenate(values_parts) if values_parts else np.zeros(0, np.uint64)
    out = np.empty(len(candidates), dtype=np.float64)
    _verify_csr(
        offsets, values, np.searchsorted(needed, candidates.a), np.searchsorted(needed, candidates.b),
        containment, workers, out,
    )
    advance(len(candidates))
    return out


def estimate(signatures: np.ndarray, candidates: Candidates) -> np.ndarray:
    """MinHash estimate of Jaccard (share of equal slots) of each candidate pair."""
    out = np.empty(len(candidates), dtype=np.float64)
    for start in range(0, len(out), 65536):
        a = signatures[candidates.a[start : start + 65536]]
        b = signatures[candidates.b[start : start + 65536]]
        out[start : start + 65536] = np.mean(a == b, axis=1)
    return out
