"""dask itself, imported lazily: what every module of :mod:`retold.dask` needs to reach it.

dask and distributed are an optional extra, so nothing here imports them until a function
runs; the ImportError then says what to install.
"""
from __future__ import annotations

import importlib
from typing import Any

import numpy as np

__all__ = ["INSTALL", "MASK32", "require_dask", "delayed", "is_dataframe", "is_bag", "connect"]

INSTALL = 'pip install "retold[dask]"'
MASK32 = np.uint64(0xFFFFFFFF)
"""The right end of a pair code ``(left << 32) | right``."""


def require_dask() -> tuple[Any, Any, Any]:
    """``(dask, dask.dataframe, dask.bag)``, or an ImportError that says what to install."""
    try:
        dask = importlib.import_module("dask")
        dd = importlib.import_module("dask.dataframe")
        db = importlib.import_module("dask.bag")
        importlib.import_module("distributed")
    except ImportError as exc:
        raise ImportError(
            f"retold.dask needs dask[dataframe] and distributed ({exc}); install them with: {INSTALL}"
        ) from exc
    return dask, dd, db


def delayed(func: Any, *args: Any, **kwargs: Any) -> Any:
    dask, _, _ = require_dask()
    return dask.delayed(func, pure=True)(*args, **kwargs)


def is_dataframe(collection: Any) -> bool:
    _, dd, _ = require_dask()
    return isinstance(collection, dd.DataFrame)


def is_bag(collection: Any) -> bool:
    _, _, db = require_dask()
    return isinstance(collection, db.Bag)


def connect(scheduler: str | None = None, workers: int | None = None) -> Any:
    """A ``distributed.Client``: to the scheduler at ``scheduler``, or of a local cluster of
    ``workers`` processes (one thread each); None when neither is given.

    Use it as a context manager: closing the client also stops a local cluster it started.

    Raises
    ------
    ImportError
        dask or distributed is missing (the message says what to install).
    ValueError
        ``workers`` below 1, or a scheduler that cannot be reached.
    """
    if scheduler is None and workers is None:
        return None
    require_dask()
    from distributed import Client

    if scheduler is not None:
        try:
            return Client(scheduler, timeout="30s")  # type: ignore[no-untyped-call]  # distributed ships no annotations for Client.__init__
        except (OSError, TimeoutError) as exc:
            raise ValueError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive int, got {workers!r}")
    return Client(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")  # type: ignore[no-untyped-call]  # as above
