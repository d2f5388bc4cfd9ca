"""retold on a Dask cluster: copies and stories of corpora larger than one machine.

The functions here take a dask bag (of strings, dicts or :class:`retold.Article`) or a dask
dataframe and give the same results as the single-machine :func:`retold.dedup` and
:func:`retold.stories` on the same documents in the same order: ``labels`` in input order, the
same cluster ids, representatives and pairs.  They reuse the single-machine building blocks
(:func:`retold.minhash_batch`, :meth:`retold.MinHashLSH.band_keys`, :func:`retold.shingle_sets`,
the kernels' exact verification and union-find, :func:`retold.story_clustering.cluster_levels`), run on the
workers where the texts live.

:func:`dedup`, stage by stage:

1. **place**: each partition's records become articles (ids, texts, dates), numbered by their
   global position; persisted on the workers, so the input is read once;
2. **sign**: MinHash signatures and band keys per partition with the compiled kernels; only the
   rows ``(band, key, position)`` of non-empty documents leave the partition;
3. **band**: one dask shuffle on ``(band, key)`` brings each LSH bucket to one partition, where
   it is sorted by position and turned into candidate pairs with the same rule as
   :meth:`retold.MinHashLSH.candidate_pairs` (all pairs, or star edges from the smallest
   position of a bucket larger than ``bucket_cap``);
4. **verify**: candidates are routed to blocks ``(partition of left, partition of right)``; each
   text partition computes the shingle sets of just the documents it is asked for, and each
   block's pairs are verified exactly (Jaccard or containment) against those sets;
5. **cluster**: union-find on the driver while the accepted pairs number at most
   ``max_driver_edges``, else distributed large-star/small-star iterations over a dask
   dataframe of edges; representatives, ``matched_with`` and cluster ids exactly as
   :func:`retold.dedup` computes them.

:func:`stories` sums the story model's document frequencies over the partitions, computes
each partition's story vectors where it lives, and clusters the gathered vectors in one task
with the clustering step of :func:`retold.stories`: the same labels.

The modules, in the order a run goes through them: :mod:`~retold.dask.runtime` (dask, imported
lazily; :func:`~retold.dask.runtime.connect` to a cluster), :mod:`~retold.dask.read` (reading and
placing), :mod:`~retold.dask.signing` (band keys, buckets, routing), :mod:`~retold.dask.verify`
(exact verification per block), :mod:`~retold.dask.components` (distributed connected
components), :mod:`~retold.dask.copies` (:func:`dedup`), :mod:`~retold.dask.story_clusters`
(:func:`stories`), :mod:`~retold.dask.passages` (:func:`reused_passages`) and
:mod:`~retold.dask.parquet` (the writers).  The command-line options live in
:mod:`retold.cli.dask_options`.

dask and distributed are an optional extra: ``pip install "retold[dask]"``.
"""
from __future__ import annotations

from typing import Any

from retold.dask.components import connected_components
from retold.dask.copies import DEFAULT_MAX_DRIVER_EDGES, DaskDedupResult, dedup
from retold.dask.passages import reused_passages
from retold.dask.read import read_articles
from retold.dask.story_clusters import DaskStoryResult, stories

__all__ = [
    "DaskDedupResult",
    "DaskStoryResult",
    "add_dask_arguments",
    "connected_components",
    "dask_client_from_args",
    "dedup",
    "read_articles",
    "reused_passages",
    "stories",
]

# The command-line helpers moved to retold.cli.dask_options (the library holds no argparse code);
# these names stay here for one release, with a DeprecationWarning.
_MOVED_TO_CLI = ("add_dask_arguments", "dask_client_from_args")


def __getattr__(name: str) -> Any:
    if name in _MOVED_TO_CLI:
        import warnings

        # The one import of retold.cli from the library, allowed by name in
        # tests/test_import_discipline.py until the aliases go.
        from retold.cli import dask_options

        warnings.warn(
            f"retold.dask.{name} moved to retold.cli.dask_options.{name}; the alias goes in the next release",
            DeprecationWarning, stacklevel=2,
        )
        return getattr(dask_options, name)
    raise AttributeError(f"module 'retold.dask' has no attribute {name!r}")
