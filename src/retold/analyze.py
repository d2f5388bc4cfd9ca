"""Deprecated path: the whole job moved to the package :mod:`retold.analysis`.

``retold.analyze(...)`` stays the public function.  Until the next release this module still
gives every public name it held (``from retold.analyze import Analysis`` finds
``retold.analysis.Analysis``, with a ``DeprecationWarning`` naming the new path), and stays
callable as the function (see :mod:`retold._moved_module`).  The moves are listed in
CHANGELOG.md under "Renamed/moved".
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
