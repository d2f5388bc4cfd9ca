"""The fuzz harness compares the compiled kernels with their twins: it needs both."""
from __future__ import annotations

import importlib

import pytest


@pytest.fixture(autouse=True, scope="session")
def _compiled_kernels_built():
    try:
        importlib.import_module("retold._ext.text")
    except ImportError:
        pytest.skip("compiled kernels are not built (pip install . builds them): nothing to compare")
