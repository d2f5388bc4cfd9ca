"""How long the fuzz harness runs: a fixed small budget in CI, a long one on request.

``RETOLD_FUZZ_PROFILE`` picks a hypothesis profile: ``fuzz-ci`` (default; the whole harness
in about a minute on two cores) or ``fuzz-long``.  ``RETOLD_FUZZ_EXAMPLES=N`` sets the number
of examples per test outright, e.g. ``RETOLD_FUZZ_EXAMPLES=20000 pytest tests/fuzz``.
The profiles are only applied to the fuzz tests (through :data:`FUZZ`), never loaded globally,
so the rest of the suite keeps its own settings.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
    # The examples of a failure are shrunk and printed; the database keeps them for the next run.
    print_blob=True,
)
settings.register_profile("fuzz-ci", max_examples=80, **_COMMON)
settings.register_profile("fuzz-long", max_examples=5000, **_COMMON)

_profile = settings.get_profile(os.environ.get("RETOLD_FUZZ_PROFILE", "fuzz-ci"))
_examples = os.environ.get("RETOLD_FUZZ_EXAMPLES")

FUZZ = settings(_profile, max_examples=int(_examples)) if _examples else settings(_profile)
"""Decorator for every fuzz test: ``@FUZZ`` under ``@given``."""
