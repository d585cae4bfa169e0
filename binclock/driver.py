"""The driver contract: the one place where frames meet hardware."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Literal, Protocol, get_args, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from binclock.frame import Frame
from binclock.machine import Finding, Machine, quick_look

MAX_SIDE = 256  # pixels a side: more than any LED matrix or terminal clock has
# A display's width or height in pixels, as every driver option that sets one takes it.
Side = Annotated[int, Field(ge=1, le=MAX_SIDE)]
# What a display can show of a colour: its hue ("colour"); one colour in shades of
# brightness ("grey": PWM LEDs, a MAX7219's intensity); one colour, each pixel lit or dark
# ("on-off": LEDs switched on and off, flip-discs).
Tones = Literal["colour", "grey", "on-off"]


class DriverUnavailable(Exception):
    """The display cannot be used here; the message says what to do about it."""


class Finished(Exception):
    """The display has done its job (a recording is complete, the reader went away):
    the clock stops with exit status 0."""


class WriteFailed(OSError):
    """A frame could not be written out (to a file, a stream): one line naming where and why.

    ``WriteFailed.of(error, where)`` keeps the cause's errno; the clock treats it as any
    display failure (``--once`` exits 70, the running clock backs off and retries).
    """

    def __str__(self) -> str:
        return f"cannot write {self.filename}: {self.strerror}"

    @classmethod
    def of(cls, error: OSError, where: object, then: str = "") -> WriteFailed:
        """``error`` as a failure to write ``where``; ``then`` says what it cost."""
        reason = error.strerror or str(error)
        return cls(error.errno, f"{reason}{then}", str(where))


class FrameSizeError(ValueError):
    """A frame does not match the size the driver declared."""


class DriverOptions(BaseModel):
    """Base for a driver's options, read from the ``[drivers.NAME]`` config table, or from
    a named display's ``[displays.NAME]`` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    _table: str = PrivateAttr("")  # "displays.NAME" when read from that table

    def key(self, driver: str, option: str) -> str:
        """``option`` as the configuration spells it where these options were read, for
        hints that say what to set: ``displays.NAME.option`` for a named display, else
        ``drivers.DRIVER.option``."""
        return f"{self._table or 'drivers.' + driver}.{option}"


@runtime_checkable
class Driver(Protocol):
    """What the clock needs of a display.

    ``size`` is ``(width, height)`` in pixels, or ``None`` when any size will do.
    ``close()`` must leave the display dark and may be called more than once.
    A driver may also offer ``prepare(frames)``: just after showing a frame, the clock may
    pass the frames due at the coming seconds, in order, so a driver can convert them in one
    warm batch ahead of their boundaries instead of one cold conversion each second.
    A driver that shows frames in the background (servos) may offer ``settle()``: ``--once``
    calls it after its one frame and before ``close()``, to wait until the frame is fully
    shown and leave it up for a moment.
    Driver classes also carry ``name``, ``description``, ``Options`` (a DriverOptions
    model), ``requires`` (modules the driver imports), ``animates`` (False when in-between
    fade frames are pointless, as for servos), ``tones`` (what the display shows of a
    colour, see ``Tones``; "colour" when unsaid), ``stdout`` (True when it draws on
    binclock's standard output, which only one display may) and may carry
    ``check(machine, options)`` or the shorter ``unavailable(options)`` (see BaseDriver),
    and are built as ``Cls(options)``.
    """

    name: str
    size: tuple[int, int] | None

    def show(self, frame: Frame) -> None: ...

    def close(self) -> None: ...


class BaseDriver:
    """Optional helper base: checks frame sizes, skips unchanged frames, closes once.

    Subclasses implement ``_draw(frame)`` and ``_dark()``; ``_release()`` frees the hardware;
    ``_prepare(frames)`` may work out ahead what ``_draw`` will send for those frames, keep it
    with ``_keep(frame, work)`` and find it again in ``_draw`` with ``_take_prepared(frame)``.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    Options: ClassVar[type[DriverOptions]] = DriverOptions
    requires: ClassVar[tuple[str, ...]] = ()
    stdout: ClassVar[bool] = False  # draws on binclock's standard output: one display may
    animates: bool = True
    tones: Tones = "colour"  # a single-colour display says "grey" or "on-off"

    size: tuple[int, int] | None = None

    def __init__(self, options: DriverOptions | None = None, **_: Any) -> None:
        self.options = options if options is not None else self.Options()
        self._last: Frame | None = None
        self._closed = False
        self._prepared: dict[int, tuple[Frame, Any]] = {}  # by id() of the frame

    @classmethod
    def check(cls, machine: Machine, options: DriverOptions) -> Finding | Sequence[Finding]:
        """What ``binclock doctor`` finds for this driver with ``options`` on ``machine``: a
        Finding whose ``fix`` says the one thing to do when the driver cannot open here
        (libraries, device nodes, groups, permissions), as the constructor would fail. A
        look that opens nothing; ``--list-drivers`` calls the driver READY when the finding
        has no fix with the default options. By default: the modules in ``requires``, then
        ``unavailable(options)``."""
        return quick_look(cls, machine, options)

    @classmethod
    def unavailable(cls, options: DriverOptions) -> str | None:
        """Why this machine cannot run the driver with ``options``, as one line saying what
        to do; None when nothing is known to be missing. The short form of ``check`` for a
        driver that needs no more than one look (is the bus's device there?)."""
        return None

    def show(self, frame: Frame) -> None:
        if self._closed:
            raise RuntimeError(f"the {self.name} driver is closed")
        if self.size is not None:
            check_size(self, frame)
        if frame == self._last:
            self._unchanged(frame)
            return
        self._draw(frame)
        self._last = frame

    def prepare(self, frames: Sequence[Frame]) -> None:
        """Get ready to show ``frames`` in this order after the last one (each must still be
        shown, and may never be); frames after one that does not fit are left out."""
        if self._closed:
            return
        self._prepared = {}
        fitting = list(itertools.takewhile(lambda frame: fits(self, frame), frames))
        if fitting:
            self._prepare(fitting)

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

    def _prepare(self, frames: list[Frame]) -> None:
        """Work out ahead what showing ``frames`` in turn will send (and ``_keep`` it);
        nothing by default."""

    def _keep(self, frame: Frame, work: Any) -> None:
        """Hold what ``_prepare`` worked out for ``frame`` until ``_draw`` takes it."""
        self._prepared[id(frame)] = (frame, work)

    def _take_prepared(self, frame: Frame) -> Any | None:
        """What was kept for this very frame (not merely an equal one), or None."""
        kept = self._prepared.pop(id(frame), None)
        return kept[1] if kept is not None and kept[0] is frame else None

    def _draw(self, frame: Frame) -> None:
        raise NotImplementedError

    def _dark(self) -> None:
        raise NotImplementedError

    def _release(self) -> None:
        """Free the hardware; nothing by default."""


def tones(driver: Driver) -> Tones:
    """What ``driver`` shows of a colour: its ``tones``, "colour" when it does not say (or
    says something else)."""
    said = getattr(driver, "tones", "colour")
    return said if said in get_args(Tones) else "colour"


def fits(driver: Driver, frame: Frame) -> bool:
    """Whether ``frame`` has ``driver``'s declared size (any size when it declares none)."""
    return driver.size is None or frame.size == tuple(driver.size)


def check_size(driver: Driver, frame: Frame) -> None:
    """Raise FrameSizeError when ``frame`` does not fit ``driver``'s declared size."""
    if driver.size is not None and not fits(driver, frame):
        w, h = driver.size
        raise FrameSizeError(
            f"the {driver.name} driver shows {w}x{h} frames, got {frame.width}x{frame.height}"
        )
