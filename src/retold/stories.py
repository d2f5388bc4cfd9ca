"""``retold.stories`` as a module is the old path of :mod:`retold.story_clustering`, for one release.

``from retold.stories import StoryModel`` still works, and warns that the name lives in
``retold.story_clustering`` now (``dominant_scripts`` in :mod:`retold.scripts`).  The function
``retold.stories(...)`` is not deprecated.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from retold._moved_module import alias_moved_module

if TYPE_CHECKING:
    from retold.scripts import SCRIPT_SAMPLE_CHARS as SCRIPT_SAMPLE_CHARS, dominant_scripts as dominant_scripts
    from retold.story_clustering import (
        CLUSTERING_OPTIONS as CLUSTERING_OPTIONS,
        DEFAULT_THRESHOLD as DEFAULT_THRESHOLD,
        Story as Story,
        StoryClusterer as StoryClusterer,
        StoryModel as StoryModel,
        StoryResult as StoryResult,
        StoryVectors as StoryVectors,
        cluster_vectors as cluster_vectors,
        stories as stories,
    )

alias_moved_module(__name__, moved_to="retold.story_clustering", function="stories",
                   elsewhere={"dominant_scripts": "retold.scripts", "SCRIPT_SAMPLE_CHARS": "retold.scripts"})
