"""Embeddings kept by the hash of the text they were computed from, so no text is encoded twice."""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any, Sequence

import numpy as np

from retold.semantic.encoder import Encoder, unit_rows

__all__ = ["EmbeddingCache", "text_key"]


def text_key(text: str) -> bytes:
    """16-byte BLAKE2b digest of the UTF-8 text (surrogates escaped, so any str has a key)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class EmbeddingCache:
    """An encoder in front of a bounded map ``text hash -> embedding`` (least recently used out).

    :meth:`encode` looks every text up, sends only the missing ones to the encoder in one
    batch (encoders are much faster on batches), and returns the rows in input order.  Keys
    are per encoder: a cache wraps one encoder.  ``max_items`` bounds memory
    (``max_items * dim * 4`` bytes: 100,000 USE rows are 205 MB); 0 keeps nothing.
    ``misses`` counts the texts sent to the encoder, ``hits`` the rest.  Thread-safe.
    """

    def __init__(self, encoder: Encoder, *, max_items: int = 100_000) -> None:
        if not isinstance(encoder, Encoder):
            raise TypeError(f"encoder must have name, dim and encode(texts), not {type(encoder).__name__}")
        if int(max_items) < 0:
            raise ValueError(f"max_items must be >= 0, not {max_items}")
        self.encoder = encoder
        self.max_items = int(max_items)
        self._rows: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __getstate__(self) -> dict[str, Any]:
        # A pickle carries the encoder, not the embeddings (recomputed on demand) nor the lock.
        return {"encoder": self.encoder, "max_items": self.max_items}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["encoder"], max_items=state["max_items"])  # type: ignore[misc]  # unpickling re-runs the constructor

    @property
    def name(self) -> str:
        return self.encoder.name

    @property
    def dim(self) -> int:
        return int(self.encoder.dim)

    def __len__(self) -> int:
        return len(self._rows)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = [str(t) for t in texts]
        keys = [text_key(t) for t in texts]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        missing: dict[bytes, list[int]] = {}
        with self._lock:
            for i, key in enumerate(keys):
                row = self._rows.get(key)
                if row is None:
                    missing.setdefault(key, []).append(i)
                else:
                    self._rows.move_to_end(key)
                    out[i] = row
            self.hits += len(texts) - len(missing)   # a repeat within the batch is a hit too
            self.misses += len(missing)
        if missing:
            first = [rows[0] for rows in missing.values()]
            fresh = unit_rows(self.encoder.encode([texts[i] for i in first]), len(first), self.dim, self.name)
            with self._lock:
                for (key, rows), row in zip(missing.items(), fresh):
                    out[rows] = row
                    if self.max_items:
                        self._rows[key] = row.copy()
                        self._rows.move_to_end(key)
                while len(self._rows) > self.max_items:
                    self._rows.popitem(last=False)
        return out
