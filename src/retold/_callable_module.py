"""Modules that are also their main function: ``retold.stories``, ``retold.analyze``,
``retold.provenance``.

``retold.stories`` names both a module and the function the package exports lazily.  Once the
module is imported (``from retold.stories import StoryModel``), the import system makes the
package attribute ``retold.stories`` the module, shadowing the function; a module of this class
is callable as its function of the same name, so ``retold.stories(docs)`` works in every order
of imports.
"""
from __future__ import annotations

import sys
import types
from typing import Any


class CallableModule(types.ModuleType):
    """A module whose call runs its function named like the module (``stories.stories``)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(self, self.__name__.rpartition(".")[2])(*args, **kwargs)


def make_callable(module_name: str) -> None:
    """Make the module ``module_name`` (already in ``sys.modules``) a :class:`CallableModule`."""
    sys.modules[module_name].__class__ = CallableModule
