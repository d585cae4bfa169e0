"""The control API's requests and responses, version 1 (the API page is generated from these).

A patch is checked here for its shape and for plugin names; its values are then validated
by the configuration's own models when the clock applies it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from binclock import config, registry
from binclock.control.state import PATHS, Change, nested

Colour: TypeAdapter[tuple[int, int, int]] = TypeAdapter(config.Colour)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClockPatch(Model):
    """How the time is shown."""

    hour12: bool | None = Field(None, description="12-hour clock")
    seconds: bool | None = Field(None, description="show the seconds")


class StatePatch(Model):
    """``PATCH /api/state``: a JSON merge patch of the writable fields; ``null`` removes that
    run-time override (back to the configuration file's value)."""

    power: Literal["on", "off"] | None = Field(None, description="turn the display on or off")
    brightness: float | None = Field(None, ge=0, le=1, description="global brightness, 0-1")
    face: str | None = Field(None, description="an installed face's name (see `faces`)")
    face_options: dict[str, Any] | None = Field(
        None, description="options of the face in force, as its [faces.NAME] table"
    )
    theme: dict[str, dict[str, Any] | None] | None = Field(
        None, description='colours: {"on": {"hours": "#ff0000"}, "off": {...}}'
    )
    clock: ClockPatch | None = Field(None, description="hour12 and seconds")
    schedule: list[dict[str, Any]] | None = Field(
        None, description="night dimming entries: [{from, to, brightness or off, days}]"
    )
    driver: str | list[str] | None = Field(
        None,
        description="an installed driver's name (see `drivers`), or a list for several displays",
    )


class BadName(ValueError):
    """A face or driver that is not an installed, registered plugin."""


def change_of(patch: StatePatch, face: str) -> Change:
    """``patch`` as a change of the run-time state; ``face`` is the face in force (whose
    options ``face_options`` sets, unless the patch also picks a face)."""
    given = patch.model_fields_set
    for key, group in (("face", registry.FACES), ("driver", registry.DRIVERS)):
        value = getattr(patch, key)
        if key not in given or value is None:
            continue
        installed = registry.registered(group)
        for name in [value] if isinstance(value, str) else value:
            if name not in installed:
                listing = ", ".join(installed)
                raise BadName(f"{key} {name!r} is not an installed {key} (installed: {listing})")
    overrides: dict[str, Any] = {}
    for key in given & PATHS.keys():
        value = getattr(patch, key)
        if isinstance(value, BaseModel):
            value = value.model_dump(exclude_unset=True)
        overrides |= nested(PATHS[key], value)
    if "face_options" in given:
        overrides["faces"] = {patch.face or face: patch.face_options}
    power = None if patch.power is None else patch.power == "on"
    return Change(overrides, power)


class NotifyRequest(Model):
    """``POST /api/notify``: show one thing over the clock for a while. Give exactly one of
    ``number``, ``colour`` or ``face``."""

    number: int | None = Field(None, ge=0, description="a number shown in binary")
    colour: str | None = Field(None, description="a colour '#rrggbb' filling the display")
    blink: bool = Field(False, description="blink the colour (on and off each second)")
    face: str | None = Field(None, description="an installed face shown instead of the clock")
    seconds: int = Field(10, ge=1, le=3600, description="how long it shows")
    priority: int = Field(
        0, ge=-100, le=100, description="a higher one replaces the one showing; others queue"
    )

    @model_validator(mode="after")
    def _one_thing(self) -> NotifyRequest:
        given = [k for k in ("number", "colour", "face") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of number, colour or face")
        if self.face is not None and self.face not in registry.registered(registry.FACES):
            raise ValueError(f"face {self.face!r} is not an installed face")
        if self.colour is not None:
            Colour.validate_python(self.colour)
        return self


class Notified(Model):
    """The answer to ``POST /api/notify`` (202)."""

    id: int = Field(description="the notification's number")
    queued: bool = Field(description="true when it waits behind another one")


class AlarmRequest(Model):
    """``POST /api/alarm``: stop the alarm showing (its fade or its ring), or snooze it."""

    action: Literal["stop", "snooze"] = Field(
        description="stop: done for the day; snooze: it rings again after its snooze minutes"
    )


class AlarmView(Model):
    """The alarm showing now."""

    alarm: str = Field(description="its time and days as configured ('07:00 mon-fri')")
    phase: Literal["fade", "ring"] = Field(description="its sunrise fade, or ringing")
    rings: str = Field(description="when it rings (ISO 8601)")
    snoozed_until: str | None = Field(description="when it rang again after a snooze, if so")
    seconds_left: int = Field(description="seconds until this phase ends")


class AlarmAnswer(Model):
    """The answer to ``POST /api/alarm``."""

    done: bool = Field(description="false when no alarm was showing (nothing changed)")
    snoozed_until: str | None = Field(description="when a snoozed alarm rings again (ISO 8601)")
    alarm: AlarmView | None = Field(description="the alarm showing now, if any")


class Schedule(Model):
    """The night-dimming entry in force now."""

    brightness: float = Field(description="the schedule's brightness factor now")
    entry: str | None = Field(
        description="the entry in force ('22:30-07:00'; one with sun times has today's"
        " times too: 'sunset-30m-07:00 (16:12-07:00)'), if any"
    )


class LightView(Model):
    """What the light sensor last read and the brightness it asks for."""

    sensor: str = Field(description="the [light] sensor")
    lux: float | None = Field(description="the last reading in lux; null before the first")
    brightness: float | None = Field(
        description="the brightness (0-1) the light asks for, before the schedule's cap"
    )
    working: bool = Field(description="false while the sensor fails (retried with backoff)")


class StateView(Model):
    """``GET /api/state`` (and the answer to every change)."""

    api: int = Field(description="the API version (1)")
    version: str = Field(description="binclock's version")
    power: Literal["on", "off"] = Field(description="off: the display is dark")
    brightness: float = Field(description="global brightness, 0-1")
    face: str = Field(description="the face shown")
    face_options: dict[str, Any] = Field(description="the face's [faces.NAME] table")
    faces: list[str] = Field(description="the installed faces")
    driver: str | list[str] = Field(description="the display's driver, or each display's")
    drivers: list[str] = Field(description="the installed drivers")
    theme: dict[str, dict[str, str]] = Field(description="colours '#rrggbb' per group, on/off")
    clock: dict[str, bool] = Field(description="hour12 and seconds")
    schedule: list[dict[str, Any]] = Field(description="the night-dimming entries")
    schedule_now: Schedule | None = Field(description="the entry in force, if any")
    light: LightView | None = Field(description="the room's light, when [light] names a sensor")
    synchronised: bool | None = Field(description="whether the system clock is synchronised")
    time: str | None = Field(description="the time shown (ISO 8601)")
    uptime: float = Field(description="seconds since the clock started")
    notify: dict[str, Any] | None = Field(description="the notification showing, if any")
    alarm: AlarmView | None = Field(description="the alarm showing (fading or ringing), if any")
    sources: dict[str, str] = Field(
        description="where each writable field comes from: runtime, config or default"
    )
    overrides: dict[str, Any] = Field(description="the run-time overrides, configuration-shaped")


class FrameView(Model):
    """``GET /api/frame`` and each ``frame`` event: the frame shown, as the jsonl driver's
    line."""

    time: str | None = Field(description="the time shown (ISO 8601)")
    width: int = Field(description="pixels across")
    height: int = Field(description="pixels down")
    pixels: list[list[int]] = Field(description="[r, g, b] per pixel, row-major from top-left")


class ErrorView(Model):
    """Every 4xx/5xx answer."""

    error: str = Field(description="what was wrong, in one line")


MODELS: tuple[type[BaseModel], ...] = (
    StateView,
    StatePatch,
    ClockPatch,
    NotifyRequest,
    Notified,
    AlarmRequest,
    AlarmAnswer,
    AlarmView,
    Schedule,
    LightView,
    FrameView,
    ErrorView,
)
