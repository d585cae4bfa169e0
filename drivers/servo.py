"""Flip-discs: one two-coloured disc per pixel, turned by a hobby servo, through gpiozero.

A frame only says where each disc should end up. Moves run in the background, at most
``max_moving`` at a time so the servos' 5 V supply is not overloaded, and each servo is
detached once its move has had ``travel_s`` to finish, so it stops jittering and drawing
current. ``show()`` never waits for a servo.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, Protocol, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from binclock.driver import BaseDriver, DriverOptions, DriverUnavailable
from binclock.drivers import pins, pins_check
from binclock.frame import Frame
from binclock.machine import Finding, Machine

log = logging.getLogger(__name__)


class DiscAngles(BaseModel):
    """One disc's own angles, where its servo horn or disc sits differently."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    off: float | None = Field(None, description="angle showing the disc's dark side")
    on: float | None = Field(None, description="angle showing the disc's lit side")


class ServoOptions(pins.PinGridOptions):
    min_angle: float = Field(0.0, description="the servo's angle at min_pulse_ms")
    max_angle: float = Field(180.0, description="the servo's angle at max_pulse_ms")
    off_angle: float = Field(0.0, description="angle showing a disc's dark side")
    on_angle: float = Field(180.0, description="angle showing a disc's lit side")
    discs: dict[str, DiscAngles] = Field(
        default_factory=dict,
        description="angles for single discs by pin, e.g. GPIO17 = { off = 5, on = 170 }",
    )
    min_pulse_ms: float = Field(
        0.5, gt=0.0, description="pulse width at min_angle (SG90-style servos: 0.5)"
    )
    max_pulse_ms: float = Field(
        2.5, gt=0.0, description="pulse width at max_angle (SG90-style servos: 2.5)"
    )
    frame_ms: float = Field(20.0, gt=0.0, le=100.0, description="time between pulses")
    travel_s: float = Field(
        0.5,
        gt=0.0,
        le=10.0,
        description="seconds a flip takes; the servo is detached this long after it starts",
    )
    max_moving: int = Field(
        4, ge=1, le=64, description="most servos moving at once (each draws current)"
    )
    hold_s: float = Field(
        2.0,
        ge=0.0,
        le=60.0,
        description="with --once: seconds the discs show the time, once every flip is done,"
        " before they are parked",
    )

    @model_validator(mode="after")
    def _check_servo(self) -> Self:
        model = type(self)
        if self.max_pulse_ms <= self.min_pulse_ms:
            raise pins.invalid(
                model, ("max_pulse_ms",), self.max_pulse_ms, "must be more than min_pulse_ms"
            )
        if self.frame_ms <= self.max_pulse_ms:
            raise pins.invalid(
                model, ("frame_ms",), self.frame_ms, "must be longer than max_pulse_ms"
            )
        if self.max_angle == self.min_angle:
            raise pins.invalid(model, ("max_angle",), self.max_angle, "must differ from min_angle")
        self._check_pair(("off_angle",), ("on_angle",), self.off_angle, self.on_angle)
        wired = {pin for _, pin in self.layout().wired()}
        seen: dict[int, str] = {}
        for key in self.discs:
            try:
                pin = pins.parse_pin(key)
            except ValueError as exc:
                raise pins.invalid(model, ("discs", key), key, str(exc)) from None
            if pin is None or pin not in wired:
                raise pins.invalid(model, ("discs", key), key, "no disc is wired to that pin")
            if pin in seen:
                raise pins.invalid(model, ("discs", key), key, f"already given as {seen[pin]}")
            seen[pin] = key
            off, on = self.angles(pin)
            self._check_pair(("discs", key, "off"), ("discs", key, "on"), off, on)
        return self

    def _check_pair(
        self, off_key: tuple[str, ...], on_key: tuple[str, ...], off: float, on: float
    ) -> None:
        low, high = sorted((self.min_angle, self.max_angle))
        for key, angle in ((off_key, off), (on_key, on)):
            if not low <= angle <= high:
                raise pins.invalid(
                    type(self), key, angle, f"must be within the servo's {low:g} to {high:g}"
                )
        if off == on:
            raise pins.invalid(type(self), on_key, on, "must differ from the off angle")

    def angles(self, pin: int) -> tuple[float, float]:
        """(off, on) angles of the disc on ``pin``."""
        for key, angles in self.discs.items():
            if pins.parse_pin(key) == pin:
                return (
                    self.off_angle if angles.off is None else angles.off,
                    self.on_angle if angles.on is None else angles.on,
                )
        return (self.off_angle, self.on_angle)


class Timer(Protocol):
    """A steady time source and a way to wait, injected so tests can move time by hand."""

    def time(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class Monotonic:
    """Real time that clock steps cannot stretch or cut short."""

    def time(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(seconds, 0.0))


class FlipPlan:
    """Which discs move when: at most ``limit`` moving, the longest-waiting disc first.

    Discs are numbered 0..count-1. ``aim`` sets where a disc should end up; ``step(now)``
    says what to do now: ``(disc, angle)`` to start a move, ``(disc, None)`` to detach a
    disc whose move has had ``travel`` seconds. A disc turned around mid-move starts its
    new move at once, as it is moving anyway.
    """

    def __init__(self, count: int, limit: int, travel: float) -> None:
        self.limit = limit
        self.travel = travel
        self.position: list[float | None] = [None] * count  # None: not known yet
        self.target: list[float | None] = [None] * count
        self.settling: dict[int, float] = {}  # moving disc -> when it has settled
        self.waiting: dict[int, None] = {}  # an ordered set: first in, first moved

    def aim(self, disc: int, angle: float) -> None:
        self.target[disc] = angle
        if disc in self.settling:
            return
        if angle == self.position[disc]:
            self.waiting.pop(disc, None)
        else:
            self.waiting.setdefault(disc, None)

    def step(self, now: float) -> list[tuple[int, float | None]]:
        actions: list[tuple[int, float | None]] = []
        for disc, until in list(self.settling.items()):
            if until <= now:
                del self.settling[disc]
                actions.append((disc, None))
                if self.target[disc] != self.position[disc]:
                    self.waiting.setdefault(disc, None)
            elif self.target[disc] != self.position[disc]:
                self._start(disc, now, actions)
        for disc in list(self.waiting):
            if len(self.settling) >= self.limit:
                break
            del self.waiting[disc]
            self._start(disc, now, actions)
        return actions

    def _start(self, disc: int, now: float, actions: list[tuple[int, float | None]]) -> None:
        angle = self.target[disc]
        self.position[disc] = angle
        self.settling[disc] = now + self.travel
        actions.append((disc, angle))

    @property
    def next_due(self) -> float | None:
        """When the next moving disc settles; None when nothing moves."""
        return min(self.settling.values(), default=None)


@dataclass(frozen=True)
class Disc:
    """One disc: the pixel it shows, its servo and the angles of its two sides."""

    index: int  # the pixel it shows, row-major
    pin: int
    servo: Any  # gpiozero.AngularServo
    off: float
    on: float


class ServoDriver(BaseDriver):
    """A servo per pixel; moves are scheduled on a worker thread, never waited for in show()."""

    name: ClassVar[str] = "servo"
    description: ClassVar[str] = "flip-discs turned by hobby servos (gpiozero)"
    Options: ClassVar[type[DriverOptions]] = ServoOptions
    requires: ClassVar[tuple[str, ...]] = ("gpiozero",)
    animates = False  # a disc shows one side or the other: no fades
    tones = "on-off"

    @classmethod
    def check(cls, machine: Machine, options: ServoOptions) -> list[Finding]:
        """gpiozero and the pins, with a pin library that can do PWM."""
        return pins_check.check(machine, pwm=True)

    def __init__(
        self,
        options: ServoOptions | None = None,
        *,
        pin_factory: Any = None,
        timer: Timer | None = None,
        background: bool = True,
        **kwargs: Any,
    ) -> None:
        """``timer`` and ``background=False`` are for tests: with no worker thread, moves
        start in ``show()`` and ``advance()`` does the rest when the test has moved time."""
        super().__init__(options, **kwargs)
        opts: ServoOptions = self.options  # type: ignore[assignment]
        self.layout = opts.layout()
        self.size = self.layout.size
        self.timer: Timer = timer if timer is not None else Monotonic()
        gpiozero = pins.import_gpiozero()
        factory = pins.pin_factory(gpiozero, pin_factory)
        self.discs: list[Disc] = []
        try:
            for index, pin in self.layout.wired():
                build = partial(
                    gpiozero.AngularServo,
                    pin,
                    initial_angle=None,
                    min_angle=opts.min_angle,
                    max_angle=opts.max_angle,
                    min_pulse_width=opts.min_pulse_ms / 1000,
                    max_pulse_width=opts.max_pulse_ms / 1000,
                    frame_width=opts.frame_ms / 1000,
                    pin_factory=factory,
                )
                servo = pins.claim(gpiozero, build, f"the disc on GPIO{pin}")
                self.discs.append(Disc(index, pin, servo, *opts.angles(pin)))
        except DriverUnavailable:
            for disc in self.discs:
                disc.servo.close()
            raise
        self.plan = FlipPlan(len(self.discs), opts.max_moving, opts.travel_s)
        self._cond = threading.Condition()
        self._stopping = False
        self._failure: Exception | None = None
        self._worker: threading.Thread | None = None
        if background:
            self._worker = threading.Thread(target=self._run, name="binclock-servo", daemon=True)
            self._worker.start()

    def describe_pixel(self, x: int, y: int) -> str:
        """The servo turning pixel (x, y), e.g. "disc on GPIO12", for the wiring test."""
        where = self.layout.describe(x, y)
        return "no disc" if self.layout.pin(x, y) is None else f"disc on {where}"

    def advance(self) -> float | None:
        """Detach settled servos and start waiting moves; returns when next to call again
        (None: nothing is moving). The worker thread calls this; tests call it directly."""
        with self._cond:
            due = self._advance()
            self._cond.notify()
            return due

    def _advance(self) -> float | None:
        for k, angle in self.plan.step(self.timer.time()):
            servo = self.discs[k].servo
            if angle is None:
                servo.detach()
            else:
                servo.angle = angle
        return self.plan.next_due

    def _draw(self, frame: Frame) -> None:
        if self._failure is not None:
            raise RuntimeError(f"the servo worker failed: {self._failure}") from self._failure
        threshold = self.options.threshold  # type: ignore[attr-defined]
        with self._cond:
            for k, disc in enumerate(self.discs):
                lit = pins.luminance(frame.pixels[disc.index]) > threshold
                self.plan.aim(k, disc.on if lit else disc.off)
            self._advance()
            self._cond.notify()

    def _run(self) -> None:
        try:
            with self._cond:
                while not self._stopping:
                    due = self._advance()
                    timeout = None if due is None else max(due - self.timer.time(), 0.0)
                    self._cond.wait(timeout)
        except Exception as exc:
            log.exception("the servo worker stopped")
            self._failure = exc

    def settle(self) -> None:
        """Finish the flips to the last frame (``max_moving`` at a time, each ``travel_s``),
        then hold it for ``hold_s``: ``--once`` calls this before ``close()`` parks the
        discs, so its frame is seen. No frame may be shown after it."""
        self._stop_worker()
        self._finish_moves()
        self.timer.sleep(self.options.hold_s)  # type: ignore[attr-defined]

    def _dark(self) -> None:
        """Park every disc at off, waiting for the moves (staggered as ever) to settle."""
        self._stop_worker()
        with self._cond:
            for k, disc in enumerate(self.discs):
                self.plan.aim(k, disc.off)
        self._finish_moves()

    def _stop_worker(self) -> None:
        """Stop the background worker: the caller moves the discs from here on."""
        if self._worker is not None:
            with self._cond:
                self._stopping = True
                self._cond.notify()
            self._worker.join()

    def _finish_moves(self) -> None:
        """Run the planned moves until every disc has settled where it is aimed."""
        while (due := self.advance()) is not None:
            self.timer.sleep(max(due - self.timer.time(), 0.0))

    def _release(self) -> None:
        for disc in self.discs:
            disc.servo.close()
