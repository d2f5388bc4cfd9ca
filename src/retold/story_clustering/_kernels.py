"""The kernel modules story clustering calls, in one place: read at call time, so swapping one.

Every module of the package calls ``_kernels.<topic>.<kernel>(...)`` rather than binding a
kernel at import, so a test or benchmark that assigns ``_kernels.stories`` (or ``neighbours``,
``agglomerate``, ``story_stream``) to the other backend's module reaches every caller: the
features of :class:`~retold.story_clustering.StoryModel`, the story labels, the batch graph and
agglomeration, and the stream.  The attributes are named like the topics of
:func:`retold._backend.kernels`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from retold._backend import kernels

if TYPE_CHECKING:  # the stubs of retold._ext; at run time, the active backend's kernels
    from retold._ext import agglomerate as agglomerate
    from retold._ext import neighbours as neighbours
    from retold._ext import stories as stories
    from retold._ext import story_stream as story_stream
else:
    stories = kernels("stories")
    neighbours = kernels("neighbours")
    agglomerate = kernels("agglomerate")
    story_stream = kernels("story_stream")
