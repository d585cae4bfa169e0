"""Finds drivers and faces: entry points by name, or ``package.module:Class`` specs."""

from __future__ import annotations

import importlib
import importlib.util
from importlib.metadata import EntryPoint, entry_points
from typing import Any

DRIVERS = "binclock.drivers"
FACES = "binclock.faces"


class UnknownPlugin(LookupError):
    """No driver or face by that name; the message lists the ones there are."""

    def __init__(self, kind: str, name: str, available: list[str]) -> None:
        self.kind, self.name, self.available = kind, name, available
        listing = ", ".join(available) or "none installed"
        super().__init__(f"unknown {kind} {name!r} (available: {listing})")


class BrokenPlugin(ImportError):
    """A driver or face was found but its code failed to load."""


def _kind(group: str) -> str:
    return "face" if group == FACES else "driver"


def registered(group: str) -> dict[str, EntryPoint]:
    """The entry points of ``group`` by name, sorted; the first of a duplicated name wins."""
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=group):
        found.setdefault(ep.name, ep)
    return dict(sorted(found.items()))


def load(group: str, name: str) -> Any:
    """The class registered as ``name`` in ``group``, or named by a ``module:Class`` spec."""
    if ":" in name:
        module_name, _, attr = name.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            hint = ""
            if isinstance(exc, ModuleNotFoundError) and exc.name == module_name.split(".")[0]:
                hint = " (is its folder on PYTHONPATH? 'python -m binclock' looks in this one)"
            raise BrokenPlugin(f"cannot import {module_name!r} for {name!r}: {exc}{hint}") from exc
        try:
            return getattr(module, attr)
        except AttributeError:
            raise BrokenPlugin(f"module {module_name!r} has no {attr!r}") from None
    eps = registered(group)
    if name not in eps:
        raise UnknownPlugin(_kind(group), name, list(eps))
    try:
        return eps[name].load()
    except (ImportError, AttributeError) as exc:
        raise BrokenPlugin(
            f"the {_kind(group)} {name!r} ({eps[name].value}) failed to load: {exc}"
        ) from exc


def importable(modules: tuple[str, ...]) -> bool:
    """True when every module could be imported here (checked without importing them)."""
    for module in modules:
        try:
            if importlib.util.find_spec(module) is None:
                return False
        except (ImportError, ValueError):
            return False
    return True
