"""retold: find where news is told again.

Copies of the same article, same-story rewrites, the passages they share, and who took from whom.
"""
from retold._backend import BACKEND
from retold.article import Article
from retold.hashing import (
    EMPTY_SLOT,
    MinHash,
    Tokens,
    containment,
    fold,
    hamming,
    iter_minhash,
    jaccard,
    minhash_batch,
    shingle_hashes,
    shingle_sets,
    shingles,
    signature_jaccard,
    simhash,
    tokenize,
)

__version__ = "0.1.0"

__all__ = [
    "BACKEND",
    "EMPTY_SLOT",
    "Article",
    "MinHash",
    "Tokens",
    "__version__",
    "containment",
    "fold",
    "hamming",
    "iter_minhash",
    "jaccard",
    "minhash_batch",
    "shingle_hashes",
    "shingle_sets",
    "shingles",
    "signature_jaccard",
    "simhash",
    "tokenize",
]
