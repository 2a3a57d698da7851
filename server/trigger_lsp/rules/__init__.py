"""All rules. `REGISTRY` (every rule family registered) is loaded on first access, so that
importing the engine, as the server does before it answers `initialize`, does not load the
rule modules."""

from __future__ import annotations

import os
import pkgutil
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trigger_lsp.rules.base import REGISTRY, Rule

__all__ = ["REGISTRY", "Rule"]


def families() -> list[str]:
    """The modules of this package, found on disk (or in the archive the package ships in):
    each family module registers its rules with `@rule` when imported, so a new module here
    needs no list to be added to. The helper modules (base, common, contract, cron) register
    none."""
    names = {info.name for info in pkgutil.iter_modules(__path__) if not info.ispkg}
    if not names:  # a frozen build whose module finder lists nothing: the files themselves
        for folder in __path__:
            for entry in os.listdir(folder):
                stem, ext = os.path.splitext(entry)
                if ext in (".py", ".pyc") and stem != "__init__":
                    names.add(stem.split(".")[0])  # (`name.cpython-311.pyc` too)
    return sorted(names)


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    for family in families():  # each registers its rules when first imported
        import_module(f"{__name__}.{family}")
    from trigger_lsp.rules import base

    value = getattr(base, name)
    globals()[name] = value  # later lookups find it without coming here
    return value
