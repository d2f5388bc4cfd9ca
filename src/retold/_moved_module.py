"""Old module paths kept for one release after a move (CHANGELOG.md, "Renamed/moved").

``retold.provenance`` and ``retold.analyze`` were modules named like the function each held,
made callable by ``retold._callable_module`` so that ``retold.provenance(...)`` kept working
once the module was imported.  Their code now lives in :mod:`retold.attribution` and
:mod:`retold.analysis`, and the package exports the functions themselves.  The old paths stay
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

    def __getattr__(self, name: str) -> Any:
        # Only names missing from the old module get here (its own __name__, __file__ do not).
        new = importlib.import_module(self.__moved_to__)
        if name.startswith("_") or name not in getattr(new, "__all__", ()):
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        warnings.warn(
            f"{self.__name__}.{name} moved to {self.__moved_to__}.{name}: import it from "
            f"{self.__moved_to__} ({self.__name__} is removed in the next release)",
            DeprecationWarning, stacklevel=2,
        )
        return getattr(new, name)

    def __dir__(self) -> list[str]:
        new = importlib.import_module(self.__moved_to__)
        return sorted(set(super().__dir__()) | set(getattr(new, "__all__", ())))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        function = getattr(importlib.import_module(self.__moved_to__), self.__function__)
        return function(*args, **kwargs)


def alias_moved_module(module_name: str, *, moved_to: str, function: str) -> None:
    """Make the module ``module_name`` (being imported) the old path of ``moved_to``, callable
    as ``moved_to.function``."""
    module = sys.modules[module_name]
    module.__class__ = MovedModule
    setattr(module, "__moved_to__", moved_to)
    setattr(module, "__function__", function)
