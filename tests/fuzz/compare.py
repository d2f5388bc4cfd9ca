"""Run one kernel call on both backends and insist on the same outcome.

The same outcome is the same return value (arrays: same dtype and values, NaN equal to NaN),
the same contents of every output buffer, or the same exception type and message.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from retold import _backend


def _same(x: Any, y: Any, path: str = "result") -> None:
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        assert isinstance(x, np.ndarray) and isinstance(y, np.ndarray), f"{path}: {type(x)} vs {type(y)}"
        assert x.dtype == y.dtype, f"{path}: dtype {x.dtype} vs {y.dtype}"
        assert x.shape == y.shape, f"{path}: shape {x.shape} vs {y.shape}"
        assert np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"), f"{path}: {x!r} vs {y!r}"
        return
    if isinstance(x, (tuple, list)) and isinstance(y, (tuple, list)):
        assert len(x) == len(y), f"{path}: length {len(x)} vs {len(y)}"
        for i, (a, b) in enumerate(zip(x, y)):
            _same(a, b, f"{path}[{i}]")
        return
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return
    assert x == y, f"{path}: {x!r} vs {y!r}"
    assert type(x) is type(y) or (isinstance(x, (int, np.integer)) and isinstance(y, (int, np.integer))) \
        or (isinstance(x, (float, np.floating)) and isinstance(y, (float, np.floating))), \
        f"{path}: {type(x)} vs {type(y)}"


def _run(module: Any, name: str, make_args: Callable[[], tuple]) -> tuple:
    args = make_args()
    try:
        result = getattr(module, name)(*args)
    except Exception as exc:  # noqa: BLE001 - the exception is the outcome compared
        return ("raised", type(exc), str(exc)), args
    return ("returned", result), args


def same_outcome(topic: str, name: str, make_args: Callable[[], tuple], *,
                 outputs: tuple[int, ...] = (), written: Callable[[Any, tuple], Any] | None = None) -> Any:
    """Call ``topic.name(*make_args())`` on both backends; assert the outcomes agree.

    ``make_args`` is called once per backend so that output buffers (argument positions in
    ``outputs``) start fresh for each and are compared afterwards; ``written(result, args)``
    instead picks the part of them that the result says was written (beyond it a kernel may
    leave scratch).  Returns the compiled
    outcome: ``("returned", value)`` or ``("raised", type, message)``.
    """
    compiled, c_args = _run(_backend.compiled_kernels(topic), name, make_args)
    reference, r_args = _run(_backend.reference_kernels(topic), name, make_args)
    if compiled[0] == "raised" or reference[0] == "raised":
        assert compiled[0] == reference[0] == "raised", (
            f"{topic}.{name}: compiled {compiled[0]} {compiled[1:]!r}, reference {reference[0]} {reference[1:]!r}")
        assert compiled[1] is reference[1] and compiled[2] == reference[2], (
            f"{topic}.{name} raised differently: compiled {compiled[1].__name__}({compiled[2]!r}), "
            f"reference {reference[1].__name__}({reference[2]!r})")
        # A kernel may raise only what its checks raise: a wrong value or type, or memory.
        assert compiled[1] in (ValueError, TypeError, MemoryError, OverflowError), compiled
        return compiled
    _same(compiled[1], reference[1], f"{topic}.{name}")
    for i in outputs:
        _same(c_args[i], r_args[i], f"{topic}.{name} argument {i}")
    if written is not None:
        _same(written(compiled[1], c_args), written(reference[1], r_args), f"{topic}.{name} outputs")
    return compiled
