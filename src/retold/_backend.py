"""Pick the kernel implementation once, at import.

``RETOLD_IMPLEMENTATION`` chooses:

- ``auto`` (default): the compiled kernels in ``retold._ext`` when they import, else the
  pure-Python twins in ``retold._reference`` (with a warning, since they are far slower);
- ``compiled``: the compiled kernels, failing loudly when they are missing;
- ``python``: the pure-Python twins, always.

Every other module imports kernels through :func:`kernels`, never ``retold._ext`` directly,
so the whole package runs on one backend.
"""
from __future__ import annotations

import importlib
import os
import warnings
from types import ModuleType

_CHOICES = ("auto", "compiled", "python")

IMPLEMENTATION = os.environ.get("RETOLD_IMPLEMENTATION", "auto").strip().lower() or "auto"
if IMPLEMENTATION not in _CHOICES:
    raise ImportError(
        f"RETOLD_IMPLEMENTATION={IMPLEMENTATION!r} is not one of {', '.join(_CHOICES)}"
    )


def _probe_compiled() -> bool:
    try:
        importlib.import_module("retold._ext.text")
    except ImportError as exc:
        if IMPLEMENTATION == "compiled":
            raise ImportError(
                "RETOLD_IMPLEMENTATION=compiled but the compiled kernels are missing "
                f"({exc}); build them with `pip install .` or `python setup.py build_ext --inplace`"
            ) from exc
        return False
    return True


if IMPLEMENTATION == "python":
    BACKEND = "python"
elif _probe_compiled():
    BACKEND = "compiled"
else:
    BACKEND = "python"
    warnings.warn(
        "retold's compiled kernels are not built; using the pure-Python reference kernels, "
        "which are correct but much slower",
        RuntimeWarning,
        stacklevel=2,
    )


def kernels(topic: str) -> ModuleType:
    """Return the kernel module for ``topic`` (``"text"``, ``"hashing"``, ``"lsh"``...) on the active backend."""
    package = "retold._ext" if BACKEND == "compiled" else "retold._reference"
    return importlib.import_module(f"{package}.{topic}")


def reference_kernels(topic: str) -> ModuleType:
    """The pure-Python twin of ``topic``, whatever the active backend (tests compare the two)."""
    return importlib.import_module(f"retold._reference.{topic}")


def compiled_kernels(topic: str) -> ModuleType:
    """The compiled kernels of ``topic``; raises ImportError when they are not built."""
    return importlib.import_module(f"retold._ext.{topic}")
