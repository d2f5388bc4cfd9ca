"""Results written as Parquet datasets by the workers that hold the rows, renamed into place
at the end so that a failed run leaves no partial output.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from retold.dask.read import Corpus, Fields, place_part
from retold.dask.runtime import delayed, require_dask

__all__ = ["write_dedup_parquet", "write_pairs_parquet", "write_story_parquet", "dataset_into_place", "arrow_schema"]


def dataset_into_place(write: Any, path: str | os.PathLike[str]) -> None:
    """Run ``write(tmp_dir)`` and rename the directory over ``path`` (atomic on one file system).

    A URL (``s3://...``, ``gs://...``: object stores cannot rename) is written in place.
    """
    if "://" in os.fspath(path):
        write(os.fspath(path))
        return
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(str(tmp))
        if target.is_dir():
            old = target.with_name(f".{target.name}.{uuid.uuid4().hex}.old")
            target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            if target.exists():
                target.unlink()
            tmp.rename(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _dedup_rows(part: Any, labels: np.ndarray, sizes: np.ndarray, reps: list[Any], is_rep: np.ndarray,
                matched: list[Any], sims: np.ndarray) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "id": part["id"].astype(object).to_numpy(),
            "cluster": labels,
            "cluster_size": sizes,
            "representative": pd.Series(reps, dtype=object).to_numpy(),
            "is_representative": is_rep,
            "matched_with": pd.Series(matched, dtype=object).to_numpy(),
            "similarity": np.round(sims, 6),
        }
    )


def write_dedup_parquet(result: Any, corpus: Corpus, path: str | os.PathLike[str]) -> None:
    """One row per document of a :class:`~retold.dask.DaskDedupResult` placed as ``corpus``."""
    _, dd, _ = require_dask()
    sizes = result.cluster_sizes
    ids = result.ids
    parts = []
    for i, part in enumerate(corpus.parts):
        a, b = int(corpus.bounds[i]), int(corpus.bounds[i + 1])
        labels = result.labels[a:b]
        rep_pos = result.representatives[labels]
        match = result.matched_with[a:b]
        parts.append(
            delayed(
                _dedup_rows, part, labels, sizes[labels], [ids[r] for r in rep_pos.tolist()],
                rep_pos == np.arange(a, b), [ids[m] if m >= 0 else None for m in match.tolist()],
                result.similarity[a:b],
            )
        )
    meta = _dedup_rows(
        place_part([], 0, Fields()), np.zeros(0, np.int64), np.zeros(0, np.int64), [],
        np.zeros(0, bool), [], np.zeros(0),
    )
    frame = dd.from_delayed(parts, meta=meta, verify_meta=False)
    schema = {"id": "string", "cluster": "int64", "cluster_size": "int64", "representative": "string",
              "is_representative": "bool_", "matched_with": "string", "similarity": "float64"}
    dataset_into_place(lambda tmp: frame.to_parquet(tmp, write_index=False, schema=arrow_schema(schema)), path)


def arrow_schema(columns: dict[str, str]) -> Any:
    """A pyarrow schema (columns of None-able strings cannot be inferred from empty meta)."""
    import pyarrow as pa

    return pa.schema([(name, getattr(pa, kind)()) for name, kind in columns.items()])


def _pair_rows(frame: Any, ids: Any) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "a": pd.Series([ids[i] for i in frame["u"].tolist()], dtype=object).to_numpy(),
            "b": pd.Series([ids[i] for i in frame["v"].tolist()], dtype=object).to_numpy(),
            "similarity": np.round(frame["similarity"].to_numpy(), 6),
        }
    )


def write_pairs_parquet(result: Any, path: str | os.PathLike[str]) -> None:
    import pandas as pd

    ids = np.asarray(result.ids, dtype=object)
    meta = pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=object),
                         "similarity": np.zeros(0)})
    frame = result.pair_frame.map_partitions(_pair_rows, ids, meta=meta)
    schema = arrow_schema({"a": "string", "b": "string", "similarity": "float64"})
    dataset_into_place(lambda tmp: frame.to_parquet(tmp, write_index=False, schema=schema), path)


def _story_rows(part: Any, labels: np.ndarray, sizes: np.ndarray, topics: np.ndarray | None) -> Any:
    import pandas as pd

    columns = {"id": part["id"].astype(object).to_numpy(), "story": labels, "story_size": sizes}
    if topics is not None:
        columns["topic"] = topics
    return pd.DataFrame(columns)


def write_story_parquet(labels: np.ndarray, corpus: Corpus, path: str | os.PathLike[str],
                        topics: np.ndarray | None = None) -> None:
    """``id``, ``story``, ``story_size`` (and ``topic`` with ``topics``) per article of ``corpus``
    as a Parquet dataset, from the workers."""
    _, dd, _ = require_dask()
    sizes = np.bincount(labels) if len(labels) else np.zeros(0, dtype=np.int64)
    parts = []
    for i, part in enumerate(corpus.parts):
        a, b = int(corpus.bounds[i]), int(corpus.bounds[i + 1])
        parts.append(delayed(_story_rows, part, labels[a:b], sizes[labels[a:b]],
                             None if topics is None else topics[a:b]))
    empty = np.zeros(0, np.int64)
    meta = _story_rows(place_part([], 0, Fields()), empty, empty, None if topics is None else empty)
    frame = dd.from_delayed(parts, meta=meta, verify_meta=False)
    schema = arrow_schema({"id": "string", "story": "int64", "story_size": "int64",
                           **({} if topics is None else {"topic": "int64"})})
    dataset_into_place(lambda tmp: frame.to_parquet(tmp, write_index=False, schema=schema), path)
