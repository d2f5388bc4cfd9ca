"""The stateless kernels from 8 threads at once give what one thread gives.

The only state they share is the tokeniser's folding pages, built on first sight of a
256-code-point block and read without the GIL; two threads meeting a new block together must
not publish two pages (the second is dropped) nor read a half-built one.
"""
from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import numpy as np


def _texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    # Many blocks across the planes, most of them never seen by the rest of the suite.
    blocks = [rng.randrange(0x100, 0x10FF) for _ in range(300)]
    out = []
    for _ in range(n):
        words = []
        for _ in range(rng.randint(5, 40)):
            block = rng.choice(blocks)
            words.append("".join(chr((block << 8) | rng.randrange(256)) for _ in range(rng.randint(1, 6))))
        out.append(" ".join(words))
    return [t for t in out if not any(0xD800 <= ord(c) <= 0xDFFF for c in t)]


def test_tokenize_from_eight_threads_meeting_new_blocks(impl):
    texts = _texts(1, 400)
    text = impl("text")
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(text.tokenize, texts))
    for t, got in zip(texts, together):
        for a, b in zip(got, text.tokenize(t)):
            np.testing.assert_array_equal(a, b)


def test_minhash_texts_from_eight_threads_into_one_array(impl):
    texts = _texts(2, 320)
    hashing = impl("hashing")
    alone = np.empty((len(texts), 32), np.uint64)
    hashing.minhash_texts(texts, 3, "word", "oph", 9, alone)
    shared = np.zeros_like(alone)
    bounds = [(a, min(a + 20, len(texts))) for a in range(0, len(texts), 20)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda ab: hashing.minhash_texts(texts[ab[0]:ab[1]], 3, "word", "oph", 9, shared[ab[0]:ab[1]]),
                      bounds))
    np.testing.assert_array_equal(shared, alone)
