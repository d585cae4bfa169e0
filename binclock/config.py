"""Configuration: TOML files validated into frozen pydantic models, with ``--set`` overrides."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from binclock.painter import DEFAULT_OFF, DEFAULT_ON
from binclock.schedule import Schedule
from binclock.transition import TransitionOptions

SYSTEM_CONFIG = Path("/etc/binclock/config.toml")
ENV_VAR = "BINCLOCK_CONFIG"


class ConfigError(Exception):
    """A configuration problem, as one line naming the source, key and value."""


_HEX = re.compile(r"#?([0-9a-fA-F]{6})")


def _colour(value: Any) -> Any:
    if isinstance(value, str):
        match = _HEX.fullmatch(value.strip())
        if not match:
            raise ValueError("a colour is [r, g, b] with each 0-255, or '#rrggbb'")
        n = int(match.group(1), 16)
        return (n >> 16, n >> 8 & 255, n & 255)
    if isinstance(value, Sequence) and len(value) != 3:
        raise ValueError("a colour is [r, g, b] with each 0-255, or '#rrggbb'")
    return value


Channel = Annotated[int, Field(ge=0, le=255, strict=True)]
Colour = Annotated[tuple[Channel, Channel, Channel], BeforeValidator(_colour)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClockConfig(Section):
    """What time is shown, and how."""

    timezone: str | None = Field(
        None, description="IANA zone such as 'Europe/London'; system zone when unset"
    )
    hour12: bool = Field(False, description="12-hour clock (hours 1-12) instead of 24-hour")
    seconds: bool = Field(True, description="show the seconds column(s)")
    unsynced_indicator: Literal["auto", "pixel", "blink", "off"] = Field(
        "auto",
        description="mark the display while the system clock is not yet synchronised:"
        " the top-left pixel lit (pixel) or blinking (blink); auto: pixel when run by systemd",
    )
    unsynced_colour: Colour = Field(
        (96, 0, 0), description="colour of the not-yet-synchronised mark"
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    "unknown time zone (use an IANA name such as 'Europe/London')"
                ) from None
        return value


class DisplayConfig(Section):
    """How the face is placed on the display."""

    brightness: float = Field(1.0, ge=0.0, le=1.0, description="global brightness, 0-1")
    rotation: Literal[0, 90, 180, 270] = Field(0, description="clockwise rotation in degrees")
    mirror: bool = Field(False, description="flip left-right (before rotating)")
    gap: int | None = Field(
        None,
        ge=0,
        le=8,
        description="dark pixel columns between face columns;"
        " unset: 1 where it fits a fixed-size display, else 0",
    )
    offset: tuple[int, int] | None = Field(
        None, description="[x, y] of the face's top-left corner; unset: centred"
    )


def _default_on() -> dict[str, tuple[int, int, int]]:
    return dict(DEFAULT_ON)


def _default_off() -> dict[str, tuple[int, int, int]]:
    return dict(DEFAULT_OFF)


class ThemeConfig(Section):
    """Colours of lit and unlit bits per column group (hours, minutes, seconds, default)."""

    on: dict[str, Colour] = Field(
        default_factory=_default_on, description="colour of a 1 bit per group"
    )
    off: dict[str, Colour] = Field(
        default_factory=_default_off, description="colour of a 0 bit per group"
    )


class ServiceConfig(Section):
    """How the running clock copes with a failing display."""

    max_failures: int = Field(
        5, ge=1, description="consecutive failed frames before exiting (systemd restarts it)"
    )
    max_backoff: float = Field(
        4.0,
        gt=0,
        le=60,
        description="longest wait in seconds between retries of a failing display; keep the"
        " retries within half of WatchdogSec= so binclock, not the watchdog, ends the run",
    )


class Config(Section):
    """The whole configuration file."""

    face: str = Field("binary", description="face name (binclock --list-faces) or module:Class")
    driver: str = Field(
        "terminal", description="driver name (binclock --list-drivers) or module:Class"
    )
    clock: ClockConfig = Field(default_factory=ClockConfig)
    display: DisplayConfig = Field(default_factory=DisplayConfig)
    theme: ThemeConfig = Field(default_factory=ThemeConfig)
    service: ServiceConfig = Field(default_factory=ServiceConfig)
    schedule: Schedule = Field(
        (), description="night dimming: [[schedule]] tables with from, to and brightness or off"
    )
    transition: TransitionOptions = Field(default_factory=TransitionOptions)
    drivers: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="options per driver, as [drivers.NAME] tables"
    )
    faces: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="options per face, as [faces.NAME] tables"
    )


def search_path(
    explicit: Path | None = None, environ: Mapping[str, str] | None = None
) -> Path | None:
    """The config file to read: ``--config``, ``$BINCLOCK_CONFIG``, the user's
    (``$XDG_CONFIG_HOME`` or ``~/.config``, then ``binclock/config.toml``), the system's."""
    environ = os.environ if environ is None else environ
    if explicit is not None:
        return explicit
    if environ.get(ENV_VAR):
        return Path(environ[ENV_VAR])
    config_home = environ.get("XDG_CONFIG_HOME") or str(Path(environ.get("HOME", "~"), ".config"))
    user = Path(config_home).expanduser() / "binclock" / "config.toml"
    for candidate in (user, SYSTEM_CONFIG):
        if candidate.is_file():
            return candidate
    return None


def parse_override(text: str) -> tuple[tuple[str, ...], Any]:
    """``section.key=value`` as a key path and a value (TOML syntax, else a plain string)."""
    key, sep, raw = text.partition("=")
    path = tuple(part.strip() for part in key.split("."))
    if not sep or not all(path):
        raise ConfigError(f"--set {text}: expected section.key=value")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return path, value


def _apply(data: dict[str, Any], path: tuple[str, ...], value: Any, text: str) -> None:
    node = data
    for part in path[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"--set {text}: {part!r} is not a table")
        node = child
    node[path[-1]] = value


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; errors become one-line ConfigErrors naming the file."""
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 text") from None


def describe(error: ValidationError, source: str, prefix: tuple[str | int, ...] = ()) -> str:
    """The first problem in ``error`` as ``source: key.path = value: what is wrong``."""
    first = error.errors()[0]
    loc = [str(p) for p in (*prefix, *first["loc"])]
    # Pydantic names the branch of a union or the validator in loc; keep only real keys.
    loc = [p for p in loc if not p.startswith(("function-", "tuple[", "lax-or-strict"))]
    key = ".".join(loc) or "(top level)"
    if first["type"] == "extra_forbidden":
        message = f"{source}: {key}: unknown key"
    else:
        reason = first["msg"].removeprefix("Value error, ")
        message = f"{source}: {key} = {_show(first.get('input'))}: {reason}"
    more = len(error.errors()) - 1
    return message + (f" (and {more} more problem{'s' * (more > 1)})" if more else "")


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "{...}"
    return (
        str(value).replace("(", "[").replace(")", "]") if isinstance(value, tuple) else str(value)
    )


def load(
    path: Path | None = None,
    overrides: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> tuple[Config, Path | None]:
    """The effective configuration and the file it came from (None: built-in defaults)."""
    found = search_path(path, environ)
    data = read_toml(found) if found is not None else {}
    overridden: list[tuple[tuple[str, ...], str]] = []
    for text in overrides:
        key, value = parse_override(text)
        _apply(data, key, value, text)
        overridden.append((key, text))
    return validate(data, found, overridden), found


def validate(
    data: dict[str, Any],
    source: Path | None = None,
    overridden: Sequence[tuple[tuple[str, ...], str]] = (),
) -> Config:
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        loc = tuple(str(p) for p in exc.errors()[0]["loc"])
        origin = next(("--set" for k, _ in overridden if loc[: len(k)] == k), None)
        raise ConfigError(describe(exc, origin or str(source or "built-in defaults"))) from None


def plugin_options(
    config: Config, table: str, name: str, model: type[BaseModel], source: Path | None
) -> BaseModel:
    """The ``[drivers.NAME]`` or ``[faces.NAME]`` table validated by the plugin's own model."""
    try:
        return model.model_validate(getattr(config, table).get(name, {}))
    except ValidationError as exc:
        where = str(source or "built-in defaults")
        raise ConfigError(describe(exc, where, (table, name))) from None


def to_toml(model: BaseModel) -> str:
    """The model as a TOML document (for ``check-config``); unset optional keys are left out."""
    lines: list[str] = []
    _emit(model.model_dump(mode="json", by_alias=True), (), lines)
    return "\n".join(lines).strip() + "\n"


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _emit(
    table: Mapping[str, Any], path: tuple[str, ...], lines: list[str], array: bool = False
) -> None:
    scalars = {
        k: v
        for k, v in table.items()
        if v is not None and not isinstance(v, dict) and not _is_tables(v)
    }
    tables = {k: v for k, v in table.items() if isinstance(v, dict)}
    arrays = {k: v for k, v in table.items() if _is_tables(v)}
    name = ".".join(_key(p) for p in path)
    if array:
        lines += ["", f"[[{name}]]"]
    elif path and (scalars or not (tables or arrays)):
        lines += ["", f"[{name}]"]
    lines += [f"{_key(k)} = {_value(v)}" for k, v in scalars.items()]
    for k, v in tables.items():
        _emit(v, (*path, k), lines)
    for k, items in arrays.items():
        for item in items:
            _emit(item, (*path, k), lines, array=True)


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return repr(value)
