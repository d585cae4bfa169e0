"""A driver that only remembers: every frame with the time it showed, for tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field

from binclock.driver import BaseDriver, DriverOptions, Side
from binclock.frame import Frame


class FakeOptions(DriverOptions):
    width: Side | None = Field(None, description="declared width; unset: any size")
    height: Side | None = Field(None, description="declared height; unset: any size")


@dataclass(frozen=True)
class Shown:
    """One frame as the fake display received it."""

    time: datetime | None
    frame: Frame


class FakeDriver(BaseDriver):
    """Keeps every frame it is shown, changed or not; ``pixels`` is what is lit right now;
    ``prepared`` holds each batch of frames it was asked to prepare."""

    name: ClassVar[str] = "fake"
    description: ClassVar[str] = "remembers frames in memory (for tests)"
    Options: ClassVar[type[DriverOptions]] = FakeOptions

    def __init__(self, options: FakeOptions | None = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        opts: FakeOptions = self.options  # type: ignore[assignment]
        self.size = (opts.width, opts.height) if opts.width and opts.height else None
        self.history: list[Shown] = []
        self.prepared: list[list[Frame]] = []
        self.pixels: Frame | None = None
        self.closed = False

    def _prepare(self, frames: list[Frame]) -> None:
        self.prepared.append(frames)

    def _draw(self, frame: Frame) -> None:
        self.history.append(Shown(frame.time, frame))
        self.pixels = frame

    _unchanged = _draw

    def _dark(self) -> None:
        if self.pixels is not None:
            self.pixels = Frame.blank(self.pixels.width, self.pixels.height)

    def _release(self) -> None:
        self.closed = True

    # -- assertion helpers ----------------------------------------------------------------

    @property
    def frames(self) -> list[Frame]:
        return [s.frame for s in self.history]

    @property
    def times(self) -> list[datetime | None]:
        return [s.time for s in self.history]

    @property
    def last(self) -> Frame:
        if not self.history:
            raise AssertionError("no frame was shown")
        return self.history[-1].frame

    def assert_times(self, expected: Iterable[datetime | str]) -> None:
        """The frames showed exactly these times (datetimes, or ``HH:MM:SS`` strings), in order."""
        wanted = list(expected)
        got: list[Any] = [
            t.strftime("%H:%M:%S") if isinstance(w, str) and t else t
            for t, w in zip(self.times, wanted, strict=False)
        ]
        if len(self.times) != len(wanted) or got != wanted:
            shown = [t.strftime("%H:%M:%S") if t else None for t in self.times]
            raise AssertionError(f"frames showed {shown}, expected {wanted}")

    def assert_dark(self) -> None:
        """Nothing is lit (the display was closed, or shows only black)."""
        if self.pixels is not None and not self.pixels.is_dark():
            raise AssertionError("the display is still lit")
