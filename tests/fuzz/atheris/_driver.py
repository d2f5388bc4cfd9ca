"""Shared driver of the atheris targets: one input in, the compiled kernel run, the twin compared.

Every input runs the compiled kernel (a crash there ends the run with a reproducer file);
every ``RETOLD_ATHERIS_TWIN_EVERY``-th input (default 50) also runs the pure-Python twin and
must give the same outcome, since the twin is ~100x slower.  Run a target with libFuzzer's
options, e.g. ``python tests/fuzz/atheris/fuzz_text.py -atheris_runs=1000000``; it prints
``Done N runs`` at the end.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository, for tests.fuzz
sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "src"))

with atheris.instrument_imports():
    import numpy as np

    from retold import _backend, _kernel_args  # noqa: F401  (instrumented: the checks guide the search)

from tests.fuzz.compare import same_outcome  # noqa: E402

TWIN_EVERY = int(os.environ.get("RETOLD_ATHERIS_TWIN_EVERY", "50"))
_count = [0]


def call(topic: str, name: str, make_args, **compare) -> None:
    """Run one kernel call: compiled always, both backends compared every TWIN_EVERY inputs."""
    _count[0] += 1
    if _count[0] % TWIN_EVERY == 0:
        same_outcome(topic, name, make_args, **compare)
        return
    try:
        getattr(_backend.compiled_kernels(topic), name)(*make_args())
    except (ValueError, TypeError, MemoryError, OverflowError):
        pass  # a refused argument: what the checks are for


def text(fdp: atheris.FuzzedDataProvider, limit: int = 200) -> str:
    return fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, limit))


def small_int(fdp: atheris.FuzzedDataProvider) -> int:
    """Mostly small, sometimes at the edges a C cast would break."""
    if fdp.ConsumeIntInRange(0, 7) == 0:
        return fdp.PickValueInList([0, -1, -5, 1 << 31, (1 << 63), (1 << 64) - 1, 1 << 70, -(1 << 63)])
    return fdp.ConsumeIntInRange(0, 12)


def uint64s(fdp: atheris.FuzzedDataProvider, limit: int = 40) -> np.ndarray:
    return np.array([fdp.ConsumeIntInRange(0, (1 << 64) - 1) for _ in range(fdp.ConsumeIntInRange(0, limit))],
                    dtype=np.uint64)


def int64s(fdp: atheris.FuzzedDataProvider, lo: int, hi: int, limit: int = 40) -> np.ndarray:
    return np.array([fdp.ConsumeIntInRange(lo, hi) for _ in range(fdp.ConsumeIntInRange(0, limit))], dtype=np.int64)


def run(one_input) -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
