"""Deprecated path of the package :mod:`retold.attribution` (kept until the next release).

Every public name it held is still found here, with a ``DeprecationWarning`` naming the new
path; ``retold.provenance(...)`` stays the public function (see :mod:`retold._moved_module`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from retold._moved_module import alias_moved_module

if TYPE_CHECKING:
    from retold.attribution import (
        ATTRIBUTION_PATTERNS as ATTRIBUTION_PATTERNS,
        ATTRIBUTION_TRIGGERS as ATTRIBUTION_TRIGGERS,
        CREDIT_MAX_CANDIDATES as CREDIT_MAX_CANDIDATES,
        CREDIT_MIN_SIMILARITY as CREDIT_MIN_SIMILARITY,
        CREDIT_MIN_SIMILARITY_OTHER_LANGUAGE as CREDIT_MIN_SIMILARITY_OTHER_LANGUAGE,
        Attribution as Attribution,
        Edge as Edge,
        Evidence as Evidence,
        credit_edges as credit_edges,
        find_attributions as find_attributions,
        provenance as provenance,
        with_credit_edges as with_credit_edges,
    )

alias_moved_module(__name__, moved_to="retold.attribution", function="provenance")
