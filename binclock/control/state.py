"""The clock's run-time state: power, and overrides layered over the configuration file.

Overrides are kept in the configuration's own shape (``{"display": {"brightness": 0.3}}``)
and validated by the same models as the file, so a change from the API, the joystick or a
script can never make a configuration the file could not.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from binclock import config as cfg
from binclock.config import Config, ConfigError

log = logging.getLogger(__name__)

Tree = dict[str, Any]
MAX_STATE_BYTES = 1 << 20

# Each writable field of the API and the key of the configuration it stands for; the
# face's options are those of the face in force (``faces.<face>``).
PATHS: dict[str, tuple[str, ...]] = {
    "brightness": ("display", "brightness"),
    "face": ("face",),
    "theme": ("theme",),
    "clock": ("clock",),
    "schedule": ("schedule",),
    "driver": ("driver",),
}


@dataclass(frozen=True)
class RunState:
    """Power, the run-time overrides (configuration-shaped) and the alarms stopped or
    snoozed (as ``binclock.timeofday.alarms.Held.saved`` writes them; read back by the alarms)."""

    power: bool = True
    overrides: Tree = field(default_factory=dict)
    alarms: list[Any] = field(default_factory=list)

    def to_json(self) -> Tree:
        data = {"power": "on" if self.power else "off", "overrides": self.overrides}
        return data | ({"alarms": self.alarms} if self.alarms else {})

    @classmethod
    def from_json(cls, data: Any) -> RunState:
        if not isinstance(data, dict) or data.get("power", "on") not in ("on", "off"):
            raise ValueError("expected {'power': 'on'|'off', 'overrides': {...}}")
        overrides = data.get("overrides", {})
        if not isinstance(overrides, dict):
            raise ValueError("'overrides' is not an object")
        alarms = data.get("alarms", [])
        if not isinstance(alarms, list):
            raise ValueError("'alarms' is not a list")
        return cls(data.get("power", "on") == "on", overrides, alarms)


@dataclass(frozen=True)
class Change:
    """A change of run-time state from any source: ``overrides`` is a merge patch of the
    overrides (a ``None`` value removes that override), ``power`` a new power state, and
    ``reset`` goes back to the configuration file first: every override cleared and the
    power on (the alarms stopped or snoozed stay so)."""

    overrides: Tree = field(default_factory=dict)
    power: bool | None = None
    reset: bool = False

    def after(self, state: RunState) -> RunState:
        base = RunState() if self.reset else state
        power = base.power if self.power is None else self.power
        return RunState(power, merge(base.overrides, self.overrides), state.alarms)


def merge(base: Tree, patch: Mapping[str, Any]) -> Tree:
    """``base`` merge-patched by ``patch`` (RFC 7386: tables merge, ``None`` removes a key,
    anything else replaces); tables left empty are dropped. ``base`` is not changed."""
    result = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = merge({}, value) if isinstance(value, Mapping) else copy.deepcopy(value)
        if result.get(key) == {}:
            del result[key]
    return result


def nested(path: tuple[str, ...], value: Any) -> Tree:
    """``value`` at ``path`` in an otherwise empty tree."""
    tree: Any = value
    for part in reversed(path):
        tree = {part: tree}
    return tree


def has(tree: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    node: Any = tree
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True


def layered(base: Config, overrides: Tree, source: Path | None = None) -> Config:
    """The effective configuration: ``base`` (the file and ``--set``) with ``overrides``
    on top, validated by the configuration's models. Errors name the run-time override."""
    if not overrides:
        return base
    data = merge(base.model_dump(mode="json", by_alias=True), overrides)

    def origin(loc: tuple[str, ...]) -> str:
        return "run-time override" if _under(overrides, loc) else str(source or "defaults")

    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(*cfg.problems(exc, origin, model=Config)) from None
    except RecursionError:
        raise ConfigError("run-time override: nested too deeply") from None
    config._overridden = base._overridden
    return config


def _under(tree: Mapping[str, Any], loc: tuple[str, ...]) -> bool:
    return any(has(tree, loc[:n]) for n in range(1, len(loc) + 1))


def source_of(base: Config, overrides: Tree, path: tuple[str, ...]) -> str:
    """Where the value at ``path`` comes from: ``runtime`` (an override), ``config`` (the
    file or ``--set``) or ``default``."""
    if has(overrides, path):
        return "runtime"
    node: Any = base
    for part in path:
        if isinstance(node, BaseModel):
            if part not in node.model_fields_set:
                return "default"
            node = getattr(node, part)
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return "default"
    return "config"


def sources(base: Config, state: RunState, face: str) -> dict[str, str]:
    """Where each writable field's value comes from."""
    found = {"power": "default" if state.power else "runtime"}
    paths = {**PATHS, "face_options": ("faces", face)}
    found |= {name: source_of(base, state.overrides, path) for name, path in paths.items()}
    return found


class StateFile:
    """The run-time state on disk, written atomically: a power cut leaves the old file or
    the new one, never half of one."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> RunState | None:
        """The saved state; None when there is none, or (logged in one line) when it cannot
        be read or makes no sense, since the configuration file is the base anyway."""
        try:
            data = cfg.read_file(self.path)
        except ConfigError as exc:
            if self.path.exists() or "no such file" not in str(exc):
                log.warning("ignoring the saved run-time state: %s", exc)
            return None
        try:
            return RunState.from_json(json.loads(data))
        except (ValueError, RecursionError) as exc:
            log.warning("ignoring the saved run-time state: %s: %s", self.path, cfg.reason(exc))
            return None

    def save(self, state: RunState) -> None:
        """Write ``state``: a temporary file in the same folder, synced, renamed over the
        old one, and the folder synced so that the rename itself survives a power cut."""
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".state-", dir=folder)
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(state.to_json(), f, indent=1)
                f.flush()
                os.fsync(f.fileno())
            Path(temp).replace(self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
