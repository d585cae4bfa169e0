"""The driver contract: the one place where frames meet hardware."""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from binclock.frame import Frame


class DriverUnavailable(Exception):
    """The display cannot be used here; the message says what to do about it."""


class Finished(Exception):
    """The display has done its job (a recording is complete, the reader went away):
    the clock stops with exit status 0."""


class FrameSizeError(ValueError):
    """A frame does not match the size the driver declared."""


class DriverOptions(BaseModel):
    """Base for a driver's options, read from the ``[drivers.NAME]`` config table."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@runtime_checkable
class Driver(Protocol):
    """What the clock needs of a display.

    ``size`` is ``(width, height)`` in pixels, or ``None`` when any size will do.
    ``close()`` must leave the display dark and may be called more than once.
    Driver classes also carry ``name``, ``description``, ``Options`` (a DriverOptions
    model), ``requires`` (modules the driver imports) and ``animates`` (False when in-between
    fade frames are pointless, as for servos), and are built as ``Cls(options)``.
    """

    name: str
    size: tuple[int, int] | None

    def show(self, frame: Frame) -> None: ...

    def close(self) -> None: ...


class BaseDriver:
    """Optional helper base: checks frame sizes, skips unchanged frames, closes once.

    Subclasses implement ``_draw(frame)`` and ``_dark()``; ``_release()`` frees the hardware.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    Options: ClassVar[type[DriverOptions]] = DriverOptions
    requires: ClassVar[tuple[str, ...]] = ()
    animates: bool = True

    size: tuple[int, int] | None = None

    def __init__(self, options: DriverOptions | None = None, **_: Any) -> None:
        self.options = options if options is not None else self.Options()
        self._last: Frame | None = None
        self._closed = False

    def show(self, frame: Frame) -> None:
        if self._closed:
            raise RuntimeError(f"the {self.name} driver is closed")
        check_size(self, frame)
        if frame == self._last:
            self._unchanged(frame)
            return
        self._draw(frame)
        self._last = frame

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._dark()
        finally:
            self._release()

    def _unchanged(self, frame: Frame) -> None:
        """Called for a frame whose pixels equal the last one's; nothing to do by default."""

    def _draw(self, frame: Frame) -> None:
        raise NotImplementedError

    def _dark(self) -> None:
        raise NotImplementedError

    def _release(self) -> None:
        """Free the hardware; nothing by default."""


def check_size(driver: Driver, frame: Frame) -> None:
    """Raise FrameSizeError when ``frame`` does not fit ``driver``'s declared size."""
    if driver.size is not None and frame.size != tuple(driver.size):
        w, h = driver.size
        raise FrameSizeError(
            f"the {driver.name} driver shows {w}x{h} frames, got {frame.width}x{frame.height}"
        )
