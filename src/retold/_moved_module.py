"""Old module paths kept for one release after a move (CHANGELOG.md, "Renamed/moved").

``retold.stories``, ``retold.provenance`` and ``retold.analyze`` were modules named like the
function each held, made callable so that ``retold.provenance(...)`` kept working once the
module was imported.  Their code now lives in :mod:`retold.story_clustering`,
:mod:`retold.attribution` and :mod:`retold.analysis`, and the package exports the functions
themselves.  The old paths stay
importable until the next release: each name read from one (``from retold.provenance import
Edge``) is found at its new path, with a ``DeprecationWarning`` naming that path.

Importing an old path still makes the package attribute (``retold.provenance``) that module,
in place of the function, so the module stays callable as its function, without a warning:
the call is what users are meant to write.  That is this class's only other use; it goes with
the aliases.
"""
from __future__ import annotations

import importlib
import sys
import types
import warnings
from typing import Any


class MovedModule(types.ModuleType):
    """An old module path: its public names are read from ``__moved_to__``, with a warning,
    and a call runs ``__moved_to__.__function__``."""

    __moved_to__: str
    __function__: str
    __moved_elsewhere__: dict[str, str]  # names that went to another module than __moved_to__

    def _home_of(self, name: str) -> str | None:
        if name in self.__moved_elsewhere__:
            return self.__moved_elsewhere__[name]
        new = importlib.import_module(self.__moved_to__)
        return self.__moved_to__ if name in getattr(new, "__all__", ()) else None

    def __getattr__(self, name: str) -> Any:
        # Only names missing from the old module get here (its own __name__, __file__ do not).
        home = None if name.startswith("_") else self._home_of(name)
        if home is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r} "
                                 f"({self.__name__} is a deprecated alias of {self.__moved_to__})")
        warnings.warn(
            f"{self.__name__}.{name} moved to {home}.{name}: import it from "
            f"{home} ({self.__name__} is removed in the next release)",
            DeprecationWarning, stacklevel=2,
        )
        return getattr(importlib.import_module(home), name)

    def __dir__(self) -> list[str]:
        new = importlib.import_module(self.__moved_to__)
        return sorted(set(super().__dir__()) | set(getattr(new, "__all__", ())) | set(self.__moved_elsewhere__))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        function = getattr(importlib.import_module(self.__moved_to__), self.__function__)
        return function(*args, **kwargs)


def alias_moved_module(module_name: str, *, moved_to: str, function: str,
                       elsewhere: dict[str, str] | None = None) -> None:
    """Make the module ``module_name`` (being imported) the old path of ``moved_to``, callable
    as ``moved_to.function``; ``elsewhere`` names the public names that moved to another module."""
    module = sys.modules[module_name]
    module.__class__ = MovedModule
    setattr(module, "__moved_to__", moved_to)
    setattr(module, "__function__", function)
    setattr(module, "__moved_elsewhere__", dict(elsewhere or {}))
    setattr(module, "__all__", sorted(set(getattr(importlib.import_module(moved_to), "__all__", ())) | set(elsewhere or {})))
