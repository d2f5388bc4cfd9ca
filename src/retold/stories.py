"""Deprecated alias of :mod:`retold.story_clustering` (and :mod:`retold.scripts`), kept for one release.

``retold.stories`` was both a module and the function users call.  The function stays
``retold.stories(...)``; what the module held now lives in the package
:mod:`retold.story_clustering` (``options``, ``vectors``, ``model``, ``results``, ``batch``,
``streaming``), and :func:`dominant_scripts` in :mod:`retold.scripts`.  Each name read from
here (``from retold.stories import StoryModel``) still works and warns with a
``DeprecationWarning`` naming its new home.  Delete this module with the alias (see CHANGELOG).
"""
from __future__ import annotations

import importlib
import sys
import types
import warnings
from typing import Any

import retold.story_clustering as _story_clustering

# Public name -> the module to import it from now.
_MOVED: dict[str, str] = {name: "retold.story_clustering" for name in _story_clustering.__all__}
_MOVED.update({"dominant_scripts": "retold.scripts", "SCRIPT_SAMPLE_CHARS": "retold.scripts"})

__all__ = sorted(_MOVED)


def __getattr__(name: str) -> Any:
    home = _MOVED.get(name)
    if home is None:
        raise AttributeError(f"module 'retold.stories' has no attribute {name!r} "
                             "(retold.stories is a deprecated alias of retold.story_clustering)")
    warnings.warn(f"retold.stories.{name} moved to {home}.{name}; import it from {home} "
                  "(the alias retold.stories goes in the next release)", DeprecationWarning, stacklevel=2)
    return getattr(importlib.import_module(home), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MOVED))


class _CallableAlias(types.ModuleType):
    """This module, callable as :func:`retold.stories` the function.

    The alias's only use: importing it (``import retold.stories``) sets the package attribute
    ``retold.stories`` to this module, over the function, so a later ``retold.stories(docs)``
    anywhere in the process calls this.  It runs the function without a warning, since that
    call is the public one.  Deleted with the alias.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _story_clustering.stories(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableAlias
