"""Configuration: TOML files validated into frozen pydantic models, with ``--set`` overrides."""

from __future__ import annotations

import difflib
import json
import os
import re
import stat
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Self, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from binclock.daemon.transition import TransitionOptions
from binclock.painter import DEFAULT_OFF, DEFAULT_ON
from binclock.pinnames import invalid, parse_pin
from binclock.timeofday import sun
from binclock.timeofday.alarms import AlarmTables
from binclock.timeofday.schedule import Schedule
from binclock.web import access

SYSTEM_CONFIG = Path("/etc/binclock/config.toml")
ENV_VAR = "BINCLOCK_CONFIG"
MAX_BYTES = 1 << 20  # a configuration file is a few hundred bytes; refuse anything huge
SHOWN_CHARS = 60  # longest value quoted in an error message


class ConfigError(Exception):
    """Configuration problems, each one line naming the source, key and value."""

    def __init__(self, *problems: str) -> None:
        super().__init__(*problems)
        self.problems = problems

    def __str__(self) -> str:
        return "; ".join(self.problems)


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
    latitude: float | None = Field(
        None, ge=-90.0, le=90.0, description="where the clock is, for sun times: degrees north"
    )
    longitude: float | None = Field(
        None, ge=-180.0, le=180.0, description="where the clock is, for sun times: degrees east"
    )
    city: str | None = Field(
        None,
        description="where the clock is, for sun times, as a city name such as 'Oslo'"
        " (instead of latitude and longitude)",
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

    @field_validator("city")
    @classmethod
    def _known_city(cls, value: str | None) -> str | None:
        if value is not None:
            sun.city(value)
        return value

    @model_validator(mode="after")
    def _one_place(self) -> ClockConfig:
        if self.latitude is not None and self.longitude is None:
            raise invalid(type(self), ("latitude",), self.latitude, "give clock.longitude too")
        if self.longitude is not None and self.latitude is None:
            raise invalid(type(self), ("longitude",), self.longitude, "give clock.latitude too")
        if self.city is not None and self.latitude is not None:
            message = "give either clock.city or clock.latitude and clock.longitude, not both"
            raise invalid(type(self), ("city",), self.city, message)
        return self

    def place(self) -> sun.Place | None:
        """Where the clock is, if the configuration says (sun times need it)."""
        if self.city is not None:
            return sun.city(self.city)
        if self.latitude is not None and self.longitude is not None:
            return sun.Place(self.latitude, self.longitude)
        return None


Coordinate = Annotated[int, Field(ge=0)]


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
    ampm_pixel: tuple[Coordinate, Coordinate] | None = Field(
        None,
        description="with clock.hour12: [x, y] of a pixel lit from noon to midnight (PM) and"
        " dark before noon, on any face; outside the display is an error; unset: none",
    )
    ampm_colour: Colour = Field((255, 190, 64), description="colour of the PM pixel")


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

    @field_validator("on", "off")
    @classmethod
    def _whole(
        cls, table: dict[str, tuple[int, int, int]], info: ValidationInfo
    ) -> dict[str, tuple[int, int, int]]:
        """The table with every built-in group spelt out, so the effective configuration
        shows them: a group not given takes the table's own ``default``, else the built-in
        colour, just as the painter would."""
        built_in = DEFAULT_ON if info.field_name == "on" else DEFAULT_OFF
        fallback = table.get("default")
        return {g: fallback or colour for g, colour in built_in.items()} | table


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


LIGHT_SENSORS = ("none", "sensehat", "bh1750", "tsl2591")


class LightConfig(Section):
    """Brightness that follows the room: a light sensor, and the curve from lux to brightness."""

    sensor: str = Field(
        "none",
        description="the light sensor: sensehat (the Sense HAT v2's colour sensor), bh1750 or"
        " tsl2591 (on I2C), or module:function for your own (called with this section, it"
        " returns an object with a lux() method); none: brightness as display.brightness and"
        " the schedule say",
    )
    address: int | None = Field(
        None,
        ge=0x03,
        le=0x77,
        description="the sensor's I2C address; unset: the chip's usual one (BH1750 0x23,"
        " TSL2591 0x29)",
    )
    bus: int = Field(1, ge=0, description="the I2C bus number (/dev/i2c-N) of a BH1750 or TSL2591")
    min_brightness: float = Field(
        0.05,
        gt=0.0,
        le=1.0,
        description="brightness in the dark, 0-1; above 0 so a clock that is on never looks off",
    )
    max_brightness: float = Field(1.0, gt=0.0, le=1.0, description="brightness in daylight, 0-1")
    dark_lux: float = Field(1.0, gt=0.0, description="at or below this many lux: min_brightness")
    bright_lux: float = Field(
        1000.0, gt=0.0, description="at or above this many lux: max_brightness"
    )
    smoothing: float = Field(
        20.0,
        ge=0.0,
        le=600.0,
        description="time constant in seconds of the smoothing, so a passing shadow does not"
        " flicker the clock; 0: none",
    )
    hysteresis: float = Field(
        0.03,
        ge=0.0,
        lt=1.0,
        description="a reading moves the brightness aimed for only when the curve gives one this"
        " far from it (0-1), or a limit, so light wavering around a level does not flicker it",
    )
    interval: float = Field(
        2.0, ge=0.5, le=60.0, description="seconds between readings of the sensor"
    )
    max_backoff: float = Field(
        300.0,
        ge=1.0,
        le=3600.0,
        description="longest wait in seconds between retries of a failing sensor",
    )

    @field_validator("sensor")
    @classmethod
    def _known_sensor(cls, value: str) -> str:
        if value not in LIGHT_SENSORS and not re.fullmatch(r"[\w.]+:\w+", value):
            raise ValueError(f"one of {', '.join(LIGHT_SENSORS)}, or module:function")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> LightConfig:
        if self.min_brightness > self.max_brightness:
            message = "must not be above light.max_brightness"
            raise invalid(type(self), ("min_brightness",), self.min_brightness, message)
        if self.dark_lux >= self.bright_lux:
            raise invalid(
                type(self), ("dark_lux",), self.dark_lux, "must be below light.bright_lux"
            )
        return self


class ControlConfig(Section):
    """The control API: an HTTP/JSON service on a Unix socket, for ``binclock ctl`` and the
    bridges (web page, home automation), and the file that keeps its changes."""

    socket: str | None = Field(
        None,
        description="path of the control socket; unset: $RUNTIME_DIRECTORY/control.sock,"
        " else $XDG_RUNTIME_DIR/binclock/control.sock, else /tmp/binclock-UID/control.sock;"
        " empty: no control API",
    )
    group: str = Field(
        "binclock",
        description="group that may use the socket (mode 0660) when it exists; else owner only",
    )
    state_file: str | None = Field(
        None,
        description="where run-time changes are kept; unset: $STATE_DIRECTORY/state.json,"
        " else $XDG_STATE_HOME/binclock/state.json (~/.local/state/binclock/state.json)",
    )


class WebConfig(Section):
    """The web page's own process (binclock web): where it listens and who may use it."""

    listen: str = Field(
        "127.0.0.1:8780",
        description="address and port to serve the page on, host:port ([::1]:port for IPv6);"
        " any address other than loopback requires the token",
    )
    hosts: tuple[str, ...] = Field(
        (),
        description="more names the page may be reached by (checked against the Host header,"
        " against DNS rebinding); loopback names and the listen address are always accepted",
    )
    require_token: bool = Field(
        False,
        description="ask for the token on loopback too: other local users can reach loopback",
    )
    token_file: Path | None = Field(
        None,
        description="file holding the token; unset: web-token in $STATE_DIRECTORY under"
        " systemd, else in $XDG_STATE_HOME/binclock (~/.local/state/binclock)",
    )

    @field_validator("listen")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        access.parse_listen(value)
        return value


def _button_pin(value: Any) -> int:
    pin = parse_pin(value)
    if pin is None:
        raise ValueError("a button needs a pin")
    return pin


# What a button can do; binclock.controls.BY_NAME maps each to its Control.
ButtonAction = Literal[
    "next-face",
    "brighter",
    "dimmer",
    "toggle-seconds",
    "toggle-power",
    "alarm-stop",
    "alarm-snooze",
]


class ButtonConfig(Section):
    """A push button between a GPIO pin and ground (or 3.3 V with pull_up = false), and
    what pressing it does."""

    pin: Annotated[int, BeforeValidator(_button_pin)] = Field(
        description="the button's pin: a BCM number such as 17, or 'GPIO17', 'BOARD11'"
    )
    press: ButtonAction = Field(
        description="what a press does: next-face, brighter, dimmer, toggle-seconds"
        " (seconds on/off), toggle-power (display off/on),"
        " alarm-stop or alarm-snooze (the alarm showing)"
    )
    long_press: ButtonAction | None = Field(
        None,
        description="what holding the button for hold_time does; then a short press acts"
        " when the button is let go; unset: the press acts as it is pressed",
    )
    pull_up: bool = Field(
        True,
        description="true: the button connects the pin to ground (the pin's pull-up holds it"
        " high); false: to 3.3 V (pulled down)",
    )
    bounce_time: float = Field(
        0.05,
        ge=0,
        le=1,
        description="an edge within this many seconds of the pin's last change is the"
        " contacts' chatter, and ignored; 0: every edge counts",
    )
    hold_time: float = Field(
        1.0, gt=0, le=10, description="seconds the button must be held for a long press"
    )


class ControlsConfig(Section):
    """Push buttons on GPIO pins (gpiozero), on any display: the same changes as the Sense
    HAT joystick."""

    buttons: tuple[ButtonConfig, ...] = Field(
        (), description="[[controls.buttons]] tables, one per button; none: no buttons"
    )

    @model_validator(mode="after")
    def _one_button_a_pin(self) -> Self:
        first: dict[int, int] = {}
        for n, button in enumerate(self.buttons):
            if button.pin in first:
                message = f"GPIO{button.pin} is already the pin of buttons.{first[button.pin]}"
                raise invalid(type(self), ("buttons", n, "pin"), button.pin, message)
            first[button.pin] = n
        return self


TOPIC_LEVEL = re.compile(r"[^/+#\x00]+(/[^/+#\x00]+)*")  # a topic name, no wildcards


def _topic(value: str | None) -> str | None:
    """``value`` if it can be published to: no wildcard, no empty level, no NUL."""
    if value and not TOPIC_LEVEL.fullmatch(value):
        raise ValueError("must be a topic name: levels split by '/', no '+', '#' or empty level")
    return value


class MqttConfig(Section):
    """The MQTT bridge's own process (binclock mqtt): its broker, its topics and Home
    Assistant discovery. Unset host: no bridge."""

    host: str | None = Field(None, description="the broker's host name or address")
    port: int | None = Field(
        None, ge=1, le=65535, description="the broker's port; unset: 1883, or 8883 with tls"
    )
    protocol: Literal["3.1.1", "5"] = Field("3.1.1", description="MQTT version: 3.1.1 or 5")
    keepalive: int = Field(
        60, ge=5, le=65535, description="seconds between pings when nothing else is sent"
    )
    client_id: str | None = Field(
        None, description="the client id given to the broker; unset: binclock-DEVICE_ID"
    )
    username: str | None = Field(None, description="user name, when the broker asks for one")
    password_file: Path | None = Field(
        None,
        description="file whose first line is the password (kept out of the configuration,"
        " the command line and the logs)",
    )
    tls: bool = Field(False, description="connect over TLS")
    ca_file: Path | None = Field(
        None, description="CA certificates (PEM) to trust for TLS; unset: the system's"
    )
    cert_file: Path | None = Field(None, description="client certificate (PEM) for TLS")
    key_file: Path | None = Field(None, description="the client certificate's key (PEM)")
    device_id: str | None = Field(
        None,
        pattern=r"^[a-z0-9_-]{1,64}$",
        description="this clock's id in topics and in Home Assistant (a-z, 0-9, _ and -);"
        " unset: the host name, lower-cased, other characters as _",
    )
    name: str | None = Field(
        None, description="this clock's name in Home Assistant; unset: binclock HOSTNAME"
    )
    base_topic: str | None = Field(
        None, description="the topics' common start; unset: binclock/DEVICE_ID"
    )
    fleet_topic: str = Field(
        "binclock/all/set",
        description="a set topic every clock obeys (one message for the whole house); empty: none",
    )
    discovery: bool = Field(True, description="announce the clock to Home Assistant")
    discovery_prefix: str = Field(
        "homeassistant", min_length=1, description="Home Assistant's discovery prefix"
    )

    @field_validator("base_topic", "fleet_topic", "discovery_prefix")
    @classmethod
    def _topics(cls, value: str | None) -> str | None:
        return _topic(value)


class Config(Section):
    """The whole configuration file."""

    face: str = Field("binary", description="face name (binclock --list-faces) or module:Class")
    driver: str | list[str] = Field(
        "terminal",
        description="driver name (binclock --list-drivers) or module:Class, or a list of"
        " them for several displays at once; a name may be a [displays.NAME] table",
    )
    clock: ClockConfig = Field(default_factory=ClockConfig)
    display: DisplayConfig = Field(default_factory=DisplayConfig)
    theme: ThemeConfig = Field(default_factory=ThemeConfig)
    service: ServiceConfig = Field(default_factory=ServiceConfig)
    schedule: Schedule = Field(
        (),
        description="night dimming: [[schedule]] tables with from and to (times of day or of"
        " the sun), brightness or off, and days",
    )
    alarm: AlarmTables = Field(
        (),
        description="alarms and the wake-up light: [[alarm]] tables with a time (of day or"
        " of the sun), days, a sunrise fade, then a blink or a face",
    )
    transition: TransitionOptions = Field(default_factory=TransitionOptions)
    light: LightConfig = Field(default_factory=LightConfig)
    control: ControlConfig = Field(default_factory=ControlConfig)
    web: WebConfig = Field(default_factory=WebConfig)
    mqtt: MqttConfig = Field(default_factory=MqttConfig)
    controls: ControlsConfig = Field(default_factory=ControlsConfig)
    drivers: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="options per driver, as [drivers.NAME] tables"
    )
    faces: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="options per face, as [faces.NAME] tables"
    )
    displays: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="named displays, as [displays.NAME] tables: the driver key names the"
        " driver, the other keys are its options (the same driver twice, each with its own)",
    )
    # The key paths given with --set, so errors in plugin tables can say where they came from.
    _overridden: tuple[tuple[str, ...], ...] = PrivateAttr(default=())

    @field_validator("driver")
    @classmethod
    def _driver_names(cls, value: str | list[str]) -> str | list[str]:
        names = [value] if isinstance(value, str) else value
        if not names:
            raise ValueError("name at least one display")
        if any(not name for name in names):
            raise ValueError("a display name is empty")
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} named more than once")
        return value

    @model_validator(mode="after")
    def _no_buzzer_on_a_button(self) -> Self:
        """A buzzer and a button cannot share a pin (alarms may share their buzzer)."""
        buttons = {button.pin: n for n, button in enumerate(self.controls.buttons)}
        for n, alarm in enumerate(self.alarm):
            if alarm.buzzer in buttons:
                message = (
                    f"GPIO{alarm.buzzer} is already the pin of buttons.{buttons[alarm.buzzer]}"
                )
                raise invalid(type(self), ("alarm", n, "buzzer"), alarm.buzzer, message)
        return self

    @field_validator("displays")
    @classmethod
    def _display_tables(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for name, table in value.items():
            driver = table.get("driver")
            if not isinstance(driver, str) or not driver:
                raise ValueError(f"[displays.{name}] needs driver = a driver's name")
            if driver in value:
                raise ValueError(f"[displays.{name}]: driver = {driver!r} is another display")
        return value

    @property
    def driver_names(self) -> tuple[str, ...]:
        """The displays to show, as ``driver`` names them (one name or several)."""
        return (self.driver,) if isinstance(self.driver, str) else tuple(self.driver)


def search_path(
    explicit: Path | None = None, environ: Mapping[str, str] | None = None
) -> Path | None:
    """The config file to read: ``--config``, ``$BINCLOCK_CONFIG``, the user's
    (``$XDG_CONFIG_HOME`` or ``~/.config``, then ``binclock/config.toml``), the system's.

    A searched-for candidate that is not there (or cannot even be looked at) is skipped;
    one that is there but is not a regular file is returned, so reading it says why."""
    environ = os.environ if environ is None else environ
    if explicit is not None:
        return explicit
    if environ.get(ENV_VAR):
        return Path(environ[ENV_VAR])
    config_home = environ.get("XDG_CONFIG_HOME") or str(Path(environ.get("HOME", "~"), ".config"))
    user = Path(config_home).expanduser() / "binclock" / "config.toml"
    for candidate in (user, SYSTEM_CONFIG):
        try:
            candidate.stat()
        except OSError:
            continue
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
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"--set {shown(text)}: {reason(exc)}") from None
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
    """A TOML file as a dict; errors become one-line ConfigErrors naming the file.

    Only a regular file of at most MAX_BYTES is read: a FIFO, a device or a directory
    would hang or exhaust memory. It is opened without blocking so that a FIFO cannot
    stall the open itself."""
    return parse_toml(read_file(path), path)


def read_file(path: Path) -> bytes:
    """The bytes of the regular file ``path`` (at most MAX_BYTES), else a ConfigError."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path}: not a regular file (a {_file_type(info.st_mode)})")
        if info.st_size > MAX_BYTES:
            raise ConfigError(f"{path}: too big for a configuration ({info.st_size} bytes)")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise ConfigError(f"{path}: too big for a configuration (over {MAX_BYTES} bytes)")
    return data


def _file_type(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "directory"),
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return name
    return "special file"


def parse_toml(data: bytes, path: Path) -> dict[str, Any]:
    """``data`` read from ``path`` as TOML; any failure is a ConfigError naming the file."""
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None
    except ValueError as exc:  # an integer longer than Python converts
        raise ConfigError(f"{path}: not valid TOML: {reason(exc)}") from None


def describe(error: ValidationError, source: str, prefix: tuple[str | int, ...] = ()) -> str:
    """The first problem in ``error`` as ``source: key.path = value: what is wrong``."""
    return problems(error, lambda loc: source, prefix)[0]


def problems(
    error: ValidationError,
    origin: Callable[[tuple[str, ...]], str],
    prefix: tuple[str | int, ...] = (),
    model: type[BaseModel] | None = None,
) -> list[str]:
    """Every problem in ``error``, a line each, as ``origin: key.path = value: what is
    wrong``; ``origin(loc)`` says where the value at that key came from. An unknown key is
    matched against the fields of ``model`` (the one validated) for a suggestion."""
    lines: list[str] = []
    for item in error.errors():
        # Pydantic names the branch of a union or the validator in loc; keep only real keys.
        real = [p for p in item["loc"] if not str(p).startswith(_NOT_KEYS)]
        loc = tuple(str(p) for p in (*prefix, *real))
        # A key is input too (a request's may be a megabyte long): cut like a value.
        key = ".".join(shown(p, quote=False) for p in loc) or "(top level)"
        where = origin(loc)
        if item["type"] == "extra_forbidden":
            known = _fields_at(model, tuple(real[:-1])) if model is not None else []
            hint = did_you_mean(str(real[-1]), known) if real else ""
            lines.append(f"{where}: {key}: unknown key{hint and f' ({hint})'}")
        else:
            why = item["msg"].removeprefix("Value error, ")
            lines.append(f"{where}: {key} = {shown(item.get('input'))}: {why}")
    return lines


_NOT_KEYS = ("function-", "tuple[", "lax-or-strict")


def did_you_mean(name: str, known: Sequence[str]) -> str:
    """ "did you mean 'x'?" for the known name nearest to a misspelt ``name``, else ""."""
    if len(name) > 2 * SHOWN_CHARS:
        return ""  # no name is that long; comparing would only cost time
    near = difflib.get_close_matches(name, known, n=1)
    return f"did you mean {near[0]!r}?" if near else ""


def _fields_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The field names of the model found at ``loc`` inside ``model`` (none if not a model)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue  # an item of an array of tables: the same model
        if not _is_model(current) or part not in current.model_fields:
            return []
        annotation = current.model_fields[part].annotation
        current = next((a for a in (annotation, *_members(annotation)) if _is_model(a)), None)
    return list(current.model_fields) if _is_model(current) else []


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _members(annotation: Any) -> list[Any]:
    """The types nested in ``annotation`` (the item of a tuple of models, say)."""
    found, todo = [], list(get_args(annotation))
    while todo:
        arg = todo.pop()
        found.append(arg)
        todo.extend(get_args(arg))
    return found


def shown(value: Any, quote: bool = True, limit: int = SHOWN_CHARS) -> str:
    """``value`` as an error message quotes it: TOML-like, cut to ``limit`` characters."""
    if isinstance(value, str):
        text = repr(value) if quote else value
    elif isinstance(value, dict):
        text = "{...}"
    elif isinstance(value, bool) or not isinstance(value, int):
        try:
            text = str(value).replace("(", "[").replace(")", "]")
        except (ValueError, RecursionError):
            text = f"a {type(value).__name__}"
    elif value.bit_length() > 4 * SHOWN_CHARS:
        text = f"a {value.bit_length()}-bit number"  # str() of it may even be refused
    else:
        text = str(value)
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…" + (text[-1] if quote and isinstance(value, str) else "")


def reason(exc: BaseException) -> str:
    """What ``exc`` says, as a short part of a one-line message."""
    lines = str(exc).splitlines()
    return shown(lines[0] if lines else type(exc).__name__, quote=False, limit=2 * SHOWN_CHARS)


def load(
    path: Path | None = None,
    overrides: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> tuple[Config, Path | None]:
    """The effective configuration and the file it came from (None: built-in defaults)."""
    found = search_path(path, environ)
    data = read_toml(found) if found is not None else {}
    overridden: list[tuple[str, ...]] = []
    for text in overrides:
        key, value = parse_override(text)
        _apply(data, key, value, text)
        overridden.append(key)
    return validate(data, found, overridden), found


def validate(
    data: dict[str, Any],
    source: Path | None = None,
    overridden: Sequence[tuple[str, ...]] = (),
) -> Config:
    """``data`` as a Config that remembers which keys came from ``--set``."""
    where = Origin(source, tuple(overridden))
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(*problems(exc, where, model=Config)) from None
    except RecursionError:
        raise ConfigError(f"{where(())}: nested too deeply") from None
    config._overridden = where.overridden
    return config


@dataclass(frozen=True)
class Origin:
    """Where the value at a key came from: ``--set`` or the file (or the defaults)."""

    source: Path | None
    overridden: tuple[tuple[str, ...], ...] = ()

    def __call__(self, loc: tuple[str, ...]) -> str:
        if any(loc[: len(key)] == key for key in self.overridden):
            return "--set"
        return str(self.source or "built-in defaults")


def driver_names(text: str) -> str | list[str]:
    """``--driver``'s value: one name, or a list of them given as ``a,b``."""
    names = names_of(text)
    return names[0] if len(names) == 1 else names


def names_of(text: str | None) -> list[str]:
    """The display names in ``--driver``'s value (``a,b``: several)."""
    return [name.strip() for name in text.split(",")] if text else []


def plugin_options(
    config: Config, table: str, name: str, model: type[BaseModel], source: Path | None
) -> BaseModel:
    """The ``[drivers.NAME]``, ``[faces.NAME]`` or ``[displays.NAME]`` table validated by
    the plugin's own model (a display's ``driver`` key says which plugin, so it is left out)."""
    where = Origin(source, config._overridden)
    prefix = (table, name)
    values = getattr(config, table).get(name, {})
    if table == "displays":
        values = {key: value for key, value in values.items() if key != "driver"}
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(*problems(exc, where, prefix, model)) from None
    except Exception as exc:  # noqa: BLE001 - a plugin's own validators may raise anything
        raise ConfigError(f"{where(prefix)}: [{table}.{name}]: {reason(exc)}") from None


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
    lines += [f"{_key(k)} = {toml_value(v)}" for k, v in scalars.items()]
    for k, v in tables.items():
        _emit(v, (*path, k), lines)
    for k, items in arrays.items():
        for item in items:
            _emit(item, (*path, k), lines, array=True)


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_value(key)


def toml_value(value: Any) -> str:
    """``value`` (a string, number, bool or array of them) written as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # JSON's string escapes are TOML's; TOML also refuses a raw DEL.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, int) and value > 0 and value.bit_length() > 64:
        return hex(value)  # decimal digits of a huge number may be refused
    return repr(value)
