"""Benchmark configuration: input sizes for smoke or full runs.

``python -m pytest benches`` uses the project's ``addopts`` (``--benchmark-disable``): a *smoke*
run on small inputs that checks every benchmark still works and still gets the right answers, as
CI does. ``python -m pytest benches --benchmark-enable`` measures on full-size inputs.
``RETOLD_BENCH_DOCS`` overrides the corpus size in either mode. Every ``bench_*.py`` can take
the ``sizes`` fixture.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace

import pytest


@dataclass(frozen=True)
class BenchSizes:
    """Input sizes for one run."""

    smoke: bool
    docs: int  # corpus for the speed benchmarks
    reference_docs: int  # the pure-Python twin is ~100x slower: a sample
    pair_seeds: int  # pairs_at_jaccard seeds x 19 targets for the accuracy columns
    stream_small: int  # documents streamed for the flat-memory check...
    stream_large: int  # ...and five times as many
    stream_chunk: int


def bench_sizes(config: pytest.Config) -> BenchSizes:
    enabled = config.getoption("benchmark_enable", False)
    disabled = config.getoption("benchmark_disable", False)
    smoke = disabled and not enabled
    if smoke:
        sizes = BenchSizes(True, 400, 20, 2, 1_000, 5_000, 250)
    else:
        sizes = BenchSizes(False, 20_000, 300, 10, 20_000, 100_000, 5_000)
    docs = os.environ.get("RETOLD_BENCH_DOCS")
    if docs:
        sizes = replace(sizes, docs=int(docs))
    return sizes


@pytest.fixture(scope="session")
def sizes(request) -> BenchSizes:
    return bench_sizes(request.config)
