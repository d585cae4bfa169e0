"""Builds the face, painter and driver a configuration asks for, and renders frames."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from binclock import registry
from binclock.clock import local_zone
from binclock.config import Config, ConfigError, Origin, reason, shown
from binclock.driver import Driver
from binclock.faces import Face, rendering
from binclock.frame import RGB, Frame
from binclock.indicator import mark_pm
from binclock.light.curve import Level
from binclock.painter import Painter, PlacementError, Theme, scale
from binclock.timeofday.alarms import Alarms
from binclock.timeofday.schedule import Timetable, describe


@dataclass(frozen=True)
class Pipeline:
    """Face then painter: a local time in, a frame out, dimmed as the schedule says (and as
    the room's ``light`` asks, capped by the schedule), with the PM pixel (``pm``: its index
    and colour) on a 12-hour clock that has one."""

    face: Face
    painter: Painter
    schedule: Timetable = field(default_factory=lambda: Timetable(()))
    mark_index: int = 0  # the pixel of the face's first, most significant bit
    pm: tuple[int, RGB] | None = None
    light: Level | None = None

    def dimming(self, now: datetime) -> float:
        """The factor the schedule and the room's light put on the brightness at ``now``."""
        level = self.schedule.brightness_at(now) if self.schedule else 1.0
        return self.light.cap(level) if self.light is not None else level

    def render(self, now: datetime) -> Frame:
        painter = self.painter
        off = ""
        if self.schedule or self.light is not None:
            level = self.dimming(now)
            if level != 1.0:
                painter = replace(painter, brightness=painter.brightness * level)
            if level == 0 and self.schedule:
                off = self.off(now)
        frame = painter.paint(self.face.render(now), time=now)
        if self.pm is not None:
            index, colour = self.pm
            frame = mark_pm(frame, now, scale(colour, painter.brightness), index)
        return replace(frame, off=off) if off else frame

    def off(self, now: datetime) -> str:
        """Why the schedule turns the display off at ``now`` ('' when it does not)."""
        span = self.schedule.in_force(now)
        if span is None or span.entry.level != 0:
            return ""
        return f"off (schedule {describe(span)})"


def timezone(config: Config) -> tzinfo:
    """The configured zone, else the system's."""
    return ZoneInfo(config.clock.timezone) if config.clock.timezone else local_zone()


def timetable(config: Config) -> Timetable:
    """The schedule at the clock's place and in its zone, ready to be asked every second."""
    return Timetable(config.schedule, config.clock.place(), timezone(config))


def alarms_of(config: Config) -> Alarms:
    """The alarms at the clock's place and in its zone, ready to be asked every second."""
    return Alarms(config.alarm, config.clock.place(), timezone(config))


def build_face(
    config: Config, source: Path | None = None, plugin: registry.Plugin | None = None
) -> Face:
    """The configured face (``plugin``, when already configured) with its ``[faces.NAME]``
    options; a face that cannot be built from them (a plugin's constructor may raise
    anything) is a configuration error."""
    plugin = plugin or registry.configure(registry.FACES, config.face, config, source)
    try:
        return plugin.build(hour12=config.clock.hour12, seconds=config.clock.seconds)
    except Exception as exc:  # noqa: BLE001 - any failure here comes from the options
        where = str(source or "built-in defaults")
        raise ConfigError(f"{where}: face = {shown(config.face)}: {reason(exc)}") from None


@dataclass(frozen=True)
class Display:
    """One display the configuration asks for: ``name`` as ``driver`` lists it, the
    ``driver`` plugin that shows it, and the ``table`` holding its options
    (``[drivers.NAME]``, or ``[displays.NAME]`` for a named display)."""

    name: str
    driver: str
    table: str = "drivers"


def displays(config: Config) -> tuple[Display, ...]:
    """Every display ``driver`` names, in its order."""
    found = []
    for name in config.driver_names:
        named = config.displays.get(name)
        if named is None:
            found.append(Display(name, name))
        else:
            found.append(Display(name, named["driver"], "displays"))
    return tuple(found)


def stdout_clash(config: Config) -> str | None:
    """What is wrong when more than one display draws on binclock's standard output (its
    driver class sets ``stdout``, as the terminal and jsonl drivers do): every second they
    would write into each other. None when at most one does."""
    found = []
    for display in displays(config):
        try:
            cls = registry.load(registry.DRIVERS, display.driver)
        except registry.PluginError:
            continue  # reported where it is chosen
        if getattr(cls, "stdout", False):
            found.append(display.name)
    if len(found) < 2:
        return None
    return f"{found[0]} and {found[1]} both write to standard output: show only one"


def build_driver(
    config: Config, source: Path | None = None, display: Display | None = None, **handles: Any
) -> Driver:
    """Validate the display's options and construct its driver (the first display unless
    ``display`` is given); ``handles`` go to its constructor."""
    display = display or displays(config)[0]
    where = (display.table, display.name)
    plugin = registry.configure(registry.DRIVERS, display.driver, config, source, where)
    return plugin.build(**handles)


def build_painter(config: Config, driver: Driver) -> Painter:
    """Theme and placement from the config, sized for ``driver``."""
    display = config.display
    return Painter(
        theme=Theme(on=config.theme.on, off=config.theme.off),
        brightness=display.brightness,
        size=tuple(driver.size) if driver.size is not None else None,  # type: ignore[arg-type]
        offset=display.offset,
        gap=display.gap,
        rotation=display.rotation,
        mirror=display.mirror,
    )


def build_pipeline(
    config: Config, driver: Driver, source: Path | None = None, display: Display | None = None
) -> Pipeline:
    """Face and painter for ``driver`` (showing ``display``, the first unless given); a face
    that cannot fit is a configuration error."""
    painter = build_painter(config, driver)
    face = registry.configure(registry.FACES, config.face, config, source)
    probe = build_face(config, source, face)  # a throwaway: faces keep state from a first frame
    try:
        with rendering("layout"):  # only measured: a face starts no slow read for it
            layout = painter.layout(probe.render(datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC"))))
    except PlacementError as exc:
        where = str(source or "built-in defaults")
        display = display or displays(config)[0]
        table = f"[{display.table}.{display.name}]"
        sized_by = f" (its size is set in {table})" if driver.size else ""
        raise ConfigError(
            f"{where}: display: the {config.face} face does not fit: {exc}{sized_by}"
        ) from None
    mark = layout.cells[0][0] if layout.cells and layout.cells[0] else 0
    pm = pm_pixel(config, layout.width, layout.height, source)
    return Pipeline(build_face(config, source, face), painter, timetable(config), mark, pm)


def pm_pixel(
    config: Config, width: int, height: int, source: Path | None = None
) -> tuple[int, RGB] | None:
    """The index and colour of the PM pixel on frames of ``width`` x ``height``; None
    unless a 12-hour clock has one. A pixel off the frame is a configuration error."""
    display = config.display
    if not config.clock.hour12 or display.ampm_pixel is None:
        return None
    x, y = display.ampm_pixel
    if x >= width or y >= height:
        where = Origin(source, config._overridden)(("display", "ampm_pixel"))
        raise ConfigError(
            f"{where}: display.ampm_pixel = [{x}, {y}]: outside the {width}x{height} display"
            f" of the {config.face} face (x 0-{width - 1}, y 0-{height - 1})"
        )
    return y * width + x, display.ampm_colour
