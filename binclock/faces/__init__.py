"""Faces: pure functions from a local time to a BitGrid. No I/O, no colour, no clock reads.

A face class has ``name``, ``description`` and ``Options`` (a FaceOptions model read from
the ``[faces.NAME]`` config table), is built as ``Cls(options, hour12=..., seconds=...)``
and is found through the ``binclock.faces`` entry points, like drivers. A face whose grid
depends on nothing but the time it is given sets ``pure = True``: the clock then renders
it a minute ahead in one go, which costs less CPU than a frame at a time.

A face that reads something slow to render (the number face's command) does it off the
clock's loop and shows what it last had; ``rendering(use)`` tells it when a frame is not one
of the running clock's: ``"layout"`` (only measured: start nothing) or ``"one frame"``
(``--once``, ``explain``: worth waiting for the first value).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from binclock.bitgrid import BitGrid

Use = Literal["clock", "layout", "one frame"]
_use: ContextVar[Use] = ContextVar("binclock_face_use", default="clock")


class FaceOptions(BaseModel):
    """Base for a face's own options (``[faces.NAME]``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Face(Protocol):
    """Turns a local time into bits."""

    name: ClassVar[str]
    description: ClassVar[str]

    def render(self, now: datetime) -> BitGrid: ...


def display_hour(now: datetime, hour12: bool) -> int:
    """The hour as shown: 0-23, or 1-12 on a 12-hour clock."""
    if not hour12:
        return now.hour
    return now.hour % 12 or 12


def caption(now: datetime, hour12: bool, seconds: bool) -> str:
    """The time as people write it: "13:37:42", or "01:37:42 PM" on a 12-hour clock."""
    text = f"{display_hour(now, hour12):02d}:{now.minute:02d}"
    if seconds:
        text += f":{now.second:02d}"
    return f"{text} {'AM' if now.hour < 12 else 'PM'}" if hour12 else text


@contextmanager
def rendering(use: Use) -> Iterator[None]:
    """Faces rendered within are rendered for ``use`` (see the module's docstring)."""
    token = _use.set(use)
    try:
        yield
    finally:
        _use.reset(token)


def rendering_use() -> Use:
    """What the frame being rendered is for: the running clock's, unless ``rendering`` says."""
    return _use.get()
