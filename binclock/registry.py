"""Finds drivers and faces: entry points by name, or ``package.module:Class`` specs; and a
light sensor of one's own, by its ``module:function`` spec.

This is the one place that loads a plugin and validates its options table: whatever goes
wrong (no such name, a module that fails to import, a missing attribute, something that is
not a driver or face class or sensor function) comes out as a PluginError, which the
command line reports as a configuration error (or a usage error when the name was given as
``--driver``/``--face``); a bad table is a ConfigError naming the key.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from binclock.config import Config, ConfigError, Origin, did_you_mean, plugin_options, reason, shown
from binclock.driver import BaseDriver, DriverOptions

DRIVERS = "binclock.drivers"
FACES = "binclock.faces"
SENSORS = "binclock.light_sensors"  # [light] sensor: only module:function specs load here
TABLES = {DRIVERS: "drivers", FACES: "faces"}  # where each kind's options are configured
KINDS = {DRIVERS: "driver", FACES: "face", SENSORS: "light sensor"}


class PluginError(Exception):
    """A driver, face or sensor name or spec that does not give a usable plugin."""


class UnknownPlugin(PluginError):
    """No plugin of a kind by that name; the message lists the ones there are."""

    def __init__(self, kind: str, name: str, available: list[str]) -> None:
        self.kind, self.name, self.available = kind, name, available
        listing = ", ".join(available) or "none installed"
        hint = did_you_mean(name, available)
        super().__init__(
            f"unknown {kind} {shown(name)} ({hint + ' ' * bool(hint)}available: {listing})"
        )


class BrokenPlugin(PluginError):
    """A plugin was found but does not load, or what was found is not one."""


def _kind(group: str) -> str:
    return KINDS[group]


def registered(group: str) -> dict[str, EntryPoint]:
    """The entry points of ``group`` by name, sorted; the first of a duplicated name wins."""
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=group):
        found.setdefault(ep.name, ep)
    return dict(sorted(found.items()))


@dataclass(frozen=True)
class Plugin:
    """A driver or face class found by name, with its ``[drivers.NAME]`` or ``[faces.NAME]``
    table validated by the class's own ``Options`` model (None for a class without one)."""

    name: str
    cls: Any
    options: BaseModel | None

    def build(self, *args: Any, **kwargs: Any) -> Any:
        """An instance: ``cls(options, ...)``, or ``cls(...)`` for a class without options."""
        if self.options is None:
            return self.cls(*args, **kwargs)
        return self.cls(self.options, *args, **kwargs)


def configure(
    group: str,
    name: str,
    config: Config,
    source: Path | None = None,
    table: tuple[str, str] | None = None,
) -> Plugin:
    """The plugin ``name`` of ``group`` with its options from ``config``: the one place a
    plugin is loaded and its table validated (PluginError, or ConfigError naming the key).
    ``table`` is where the options are when not in ``[drivers.NAME]``/``[faces.NAME]``:
    ``("displays", "hall")`` for a named display."""
    cls = load(group, name)
    return Plugin(name, cls, options(group, name, cls, config, source, table))


def options(
    group: str,
    name: str,
    cls: Any,
    config: Config,
    source: Path | None = None,
    table: tuple[str, str] | None = None,
) -> BaseModel | None:
    """``cls``'s table in ``config`` (``[drivers.NAME]``, ``[faces.NAME]``, or ``table``)
    validated by its ``Options``; a class without one takes no options, so a table for it is
    a configuration error rather than ignored."""
    kind, key = table or (TABLES[group], name)
    model = getattr(cls, "Options", None)
    if model is not None:
        found = plugin_options(config, kind, key, model, source)
        if kind != TABLES[group] and isinstance(found, DriverOptions):
            found._table = f"{kind}.{key}"  # so its hints name the keys of this table
        return found
    given = getattr(config, kind).get(key)
    if given and (kind != "displays" or set(given) - {"driver"}):
        where = Origin(source, config._overridden)((kind, key))
        raise ConfigError(
            f"{where}: [{kind}.{shown(key, quote=False)}]: the {_kind(group)} {shown(name)}"
            " takes no options"
        )
    return None


def unknown(group: str, name: str) -> UnknownPlugin | None:
    """The error for a name that is neither registered in ``group`` nor a ``module:Class``
    spec, or None; without loading anything."""
    if ":" in name:
        return None
    eps = registered(group)
    return None if name in eps else UnknownPlugin(_kind(group), name, list(eps))


_loaded: dict[tuple[str, str], Any] | None = None  # classes loaded in this command, if kept


@contextmanager
def once_per_command() -> Iterator[None]:
    """Within it, each plugin is looked up, imported and checked once: a command asks for
    its driver and face from several places (names, options, building, reloads)."""
    global _loaded
    outer, _loaded = _loaded, {}
    try:
        yield
    finally:
        _loaded = outer


def load(group: str, name: str) -> Any:
    """The class registered as ``name`` in ``group``, or named by a ``module:Class`` spec
    (the function a ``module:function`` spec names, for a sensor), checked against the
    contract of its kind."""
    if _loaded is None:
        return _load(group, name)
    if (group, name) not in _loaded:
        _loaded[group, name] = _load(group, name)
    return _loaded[group, name]


def _load(group: str, name: str) -> Any:
    kind = _kind(group)
    if ":" in name:
        cls = _import(name)
    else:
        eps = registered(group)
        if name not in eps:
            raise UnknownPlugin(kind, name, list(eps))
        try:
            cls = eps[name].load()
        except Exception as exc:  # a plugin's import may raise anything
            raise BrokenPlugin(
                f"the {kind} {name!r} ({eps[name].value}) failed to load: {reason(exc)}"
            ) from exc
    problem = PROBLEMS[group](cls)
    if problem:
        what = "function" if group == SENSORS else "class"
        raise BrokenPlugin(f"{shown(name)} is not a {kind} {what}: {problem}")
    return cls


def _import(spec: str) -> Any:
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise BrokenPlugin(f"{shown(spec)}: expected a name or module:Class")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # importing runs the module's own code
        hint = ""
        if isinstance(exc, ModuleNotFoundError) and exc.name == module_name.split(".")[0]:
            hint = " (is its folder on PYTHONPATH? 'python -m binclock' looks in this one)"
        raise BrokenPlugin(
            f"cannot import {shown(module_name)} for {shown(spec)}: {reason(exc)}{hint}"
        ) from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        raise BrokenPlugin(f"module {shown(module_name)} has no {shown(attr)}") from None


def _options_problem(cls: type, required: bool) -> str | None:
    model = getattr(cls, "Options", None)
    if model is None and not required:
        return None
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return "its Options is not a pydantic model"
    return None


def face_problem(cls: Any) -> str | None:
    """Why ``cls`` is not a face class (None when it is): a class with a ``render`` method,
    a ``name`` and an ``Options`` pydantic model (see ``binclock.faces``)."""
    if not isinstance(cls, type):
        return f"it is a {type(cls).__name__}, not a class"
    if not callable(getattr(cls, "render", None)):
        return "it has no render(now) method"
    if not isinstance(getattr(cls, "name", None), str):
        return "it has no name"
    return _options_problem(cls, required=True)


def driver_problem(cls: Any) -> str | None:
    """Why ``cls`` is not a driver class (None when it is): a BaseDriver subclass, or any
    class with ``show(frame)`` and ``close()`` methods and a ``name``; its ``Options``, if
    it has one, must be a pydantic model (see docs/writing-a-driver.md)."""
    if not isinstance(cls, type):
        return f"it is a {type(cls).__name__}, not a class"
    if not issubclass(cls, BaseDriver):
        missing = [m for m in ("show", "close") if not callable(getattr(cls, m, None))]
        if missing:
            return f"it has no {' or '.join(f'{m}()' for m in missing)} method"
        if not isinstance(getattr(cls, "name", None), str):
            return "it has no name"
    return _options_problem(cls, required=False)


def sensor_problem(found: Any) -> str | None:
    """Why ``found`` is not a light sensor function (None when it is): something callable
    with the ``[light]`` section alone, that returns an object with a ``lux()`` method
    (see docs/light.md); what it returns is only known once the sensor is opened."""
    if not callable(found):
        return f"it is a {type(found).__name__}, not a function"
    try:
        inspect.signature(found).bind(None)
    except TypeError:
        return "it cannot be called with the [light] section alone"
    except ValueError:
        pass  # no signature to inspect (a builtin): calling it will tell
    return None


PROBLEMS = {DRIVERS: driver_problem, FACES: face_problem, SENSORS: sensor_problem}
