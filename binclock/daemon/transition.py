"""Fades between consecutive frames, timed so each second's frame is complete at its second.

A fade *leads into* the boundary: the frame for second S is computed ahead (faces are pure
functions of time), the blend starts ``duration`` before S and its last step, the exact
frame for S, is due at S. So the clock is never late and the ticker's wake at S still shows
the true frame, whether or not a fade ran.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from binclock.clock import Clock
from binclock.frame import RGB, Frame

EARLY = 0.001  # a sleep ending this much before its step was cut short

Step = tuple[float, Frame]
T = TypeVar("T")  # what a step shows: a frame, or one for each of several displays
"""``(when, frame)``: seconds from the start of the fade, or an instant on the clock."""


class TransitionOptions(BaseModel):
    """The ``[transition]`` table: fading between frames, off by default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    duration: float = Field(
        0.0, ge=0.0, lt=1.0, description="seconds each fade lasts, ending on the second; 0: off"
    )
    fps: int = Field(30, ge=1, le=120, description="frames per second while fading")

    @property
    def enabled(self) -> bool:
        return self.duration > 0


def can_animate(driver: Any) -> bool:
    """Whether ``driver`` shows in-between frames; drivers opt out with ``animates = False``."""
    return bool(getattr(driver, "animates", True))


def _mix(a: RGB, b: RGB, progress: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * progress),
        round(a[1] + (b[1] - a[1]) * progress),
        round(a[2] + (b[2] - a[2]) * progress),
    )


def blend(previous: Frame, target: Frame, progress: float) -> Frame:
    """``previous`` faded ``progress`` (0-1) of the way to ``target``, with ``target``'s labels.

    Channels move in a straight line between the two colours; drivers apply gamma after,
    so the fade looks even on LEDs. At progress 1 the result is ``target`` itself.
    """
    if previous.size != target.size:
        raise ValueError(
            f"cannot blend a {previous.width}x{previous.height} frame"
            f" into a {target.width}x{target.height} one"
        )
    if not 0.0 <= progress <= 1.0:
        raise ValueError(f"progress must be between 0 and 1, got {progress}")
    if progress == 1.0:
        return target
    pixels = tuple(
        a if a == b else _mix(a, b, progress)
        for a, b in zip(previous.pixels, target.pixels, strict=True)
    )
    return replace(target, pixels=pixels)


def fade_steps(previous: Frame | None, target: Frame, fps: float, duration: float) -> list[Step]:
    """The frames of a fade from ``previous`` to ``target``, each with its offset in seconds.

    Steps are at most ``1/fps`` apart; the frame already showing (offset 0) is not repeated,
    and the last step is ``(duration, target)``. With nothing to fade (no previous frame,
    the same pixels, another size, or no duration) that last step is the only one.
    """
    if fps <= 0:
        raise ValueError(f"fps must be positive, got {fps}")
    if duration < 0:
        raise ValueError(f"duration must not be negative, got {duration}")
    if previous is None or previous.size != target.size or previous == target or duration == 0:
        return [(duration, target)]
    # The tolerance keeps float noise (0.28 * 25 = 7.000000000000001) from adding a step.
    count = max(1, math.ceil(duration * fps - 1e-9))
    steps = [(duration * k / count, blend(previous, target, k / count)) for k in range(1, count)]
    return [*steps, (duration, target)]


def lead_in(
    previous: Frame | None, target: Frame, boundary: float, options: TransitionOptions
) -> list[Step]:
    """The fade into ``target`` on the clock: ending with ``(boundary, target)`` exactly."""
    return [
        (boundary - (options.duration - offset), frame)
        for offset, frame in fade_steps(previous, target, options.fps, options.duration)
    ]


def play(
    steps: Sequence[tuple[float, T]],
    clock: Clock,
    show: Callable[[T], None],
    *,
    sleep: Callable[[float], None] | None = None,
    max_wait: float = 1.0,
) -> int:
    """Show each ``(instant, frame)`` step at its instant on ``clock``; return how many were shown.

    When late, a step is dropped if the next one is due too, so a slow display catches up
    instead of lagging. Playing stops, leaving the rest to the ticker, when the clock is a
    whole second past the last step, when a step is more than ``max_wait`` seconds away (the
    clock was stepped back), or when ``sleep`` (default: the clock's) returns early, as an
    interruptible sleep does when a signal arrives.
    """
    sleep = sleep or clock.sleep
    if not steps:
        return 0
    last = steps[-1][0]
    shown = 0
    for i, (instant, frame) in enumerate(steps):
        now = clock.time()
        if now >= last + 1.0 or instant - now > max_wait:
            break
        if instant > now:
            sleep(instant - now)
            if clock.time() < instant - EARLY:
                break
        elif i + 1 < len(steps) and steps[i + 1][0] <= now:
            continue
        show(frame)
        shown += 1
    return shown
