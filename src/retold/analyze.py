"""``retold.analyze`` as a module is the old path of :mod:`retold.analysis`, for one release.

``from retold.analyze import Analysis`` still works, and warns that the name lives in
``retold.analysis`` now.  The function ``retold.analyze(...)`` is not deprecated.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from retold._moved_module import alias_moved_module

if TYPE_CHECKING:
    from retold.analysis import (
        DEFAULT_NEIGHBOURS as DEFAULT_NEIGHBOURS,
        NEIGHBOUR_WINDOW as NEIGHBOUR_WINDOW,
        Analysis as Analysis,
        PairPassages as PairPassages,
        analyze as analyze,
        candidate_pairs as candidate_pairs,
    )

alias_moved_module(__name__, moved_to="retold.analysis", function="analyze")
