"""The Raspberry Pi Sense HAT's 8x8 LED matrix, on the real HAT or the desktop emulator."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field

from binclock.controls import Control
from binclock.driver import BaseDriver, DriverOptions, DriverUnavailable
from binclock.drivers.sensehat_backends import (
    SYSFS_GRAPHICS,
    Backend,
    open_sense_hat,
    permission_hint,
)
from binclock.drivers.sensehat_check import check as check_here
from binclock.drivers.sensehat_joystick import Joystick
from binclock.frame import Frame
from binclock.machine import Finding, Machine
from binclock.painter import visible

log = logging.getLogger(__name__)


class SenseHatOptions(DriverOptions):
    backend: Backend = Field(
        "auto",
        description="hardware (sense_hat), emulator (sense_emu, for the desktop emulator) or"
        " auto: the HAT when its framebuffer exists",
    )
    rotation: Literal[0, 90, 180, 270] = Field(
        0,
        description="how the HAT is mounted, as SenseHat.set_rotation takes it (0: HDMI port"
        " down); the joystick turns with it",
    )
    low_light: bool = Field(
        False, description="the HAT's low-light mode: much dimmer, for a bedroom at night"
    )
    keep_visible: bool = Field(
        True,
        description="lift lit pixels too dim for the HAT to light (below 48, or 8 in low"
        " light) just enough to show",
    )
    joystick: bool = Field(
        True,
        description="joystick controls: middle next face, up/down brightness, left/right seconds",
    )


def visibility_threshold(gamma: Sequence[int]) -> int:
    """The smallest 8-bit channel value the HAT lights with this gamma table.

    The HAT keeps 5 bits a channel (``value >> 3``) and looks them up in its 32-entry gamma
    table; entries of 0 are dark (the first 6 by default, only the first in low light).
    """
    first_lit = next((i for i, level in enumerate(gamma) if level > 0), len(gamma) - 1)
    return min(first_lit, 31) << 3


class SenseHatDriver(BaseDriver):
    """Writes each changed frame with one ``set_pixels`` call.

    ``sense`` is a ``SenseHat``-like object to use instead of opening one (tests pass a
    fake); ``sysfs`` is where framebuffers are listed. Joystick presses are collected by
    ``poll_controls()``.
    """

    name: ClassVar[str] = "sensehat"
    description: ClassVar[str] = "Raspberry Pi Sense HAT 8x8 LED matrix, or its desktop emulator"
    Options: ClassVar[type[DriverOptions]] = SenseHatOptions
    requires: ClassVar[tuple[str, ...]] = ("sense_hat", "RTIMU")
    size = (8, 8)

    @classmethod
    def check(cls, machine: Machine, options: SenseHatOptions) -> Finding:
        """The HAT's devices and libraries, or sense_emu alone for the emulator."""
        return check_here(machine, options.backend, options.key(cls.name, "backend"))

    def __init__(
        self,
        options: SenseHatOptions | None = None,
        *,
        sense: Any = None,
        sysfs: Path = SYSFS_GRAPHICS,
        **kwargs: Any,
    ) -> None:
        super().__init__(options, **kwargs)
        opts: SenseHatOptions = self.options  # type: ignore[assignment]
        if sense is None:
            backend_key = opts.key(self.name, "backend")
            sense, self.backend = open_sense_hat(opts.backend, backend_key, sysfs)
        else:
            self.backend = "given"
        self.sense = sense
        self._restore_low_light: bool | None = None
        self.joystick = Joystick(getattr(sense, "stick", None), opts.rotation, opts.joystick)
        try:
            self._set_up(opts)
        except OSError as exc:
            self.joystick.close()
            if isinstance(exc, PermissionError):
                raise DriverUnavailable(permission_hint(exc.filename)) from None
            raise DriverUnavailable(f"the Sense HAT cannot be used: {exc}") from None
        log.debug("Sense HAT (%s) lights channel values from %d", self.backend, self.threshold)

    def _set_up(self, opts: SenseHatOptions) -> None:
        """Orientation and light mode, then a dark matrix (which proves it can be written)."""
        self.sense.set_rotation(opts.rotation, redraw=False)
        was_low = bool(self.sense.low_light)
        if was_low != opts.low_light:
            self.sense.low_light = opts.low_light
            self._restore_low_light = was_low
        self.threshold = visibility_threshold(self.sense.gamma) if opts.keep_visible else 0
        self.sense.clear()

    def poll_controls(self) -> list[Control]:
        """Joystick presses since the last call as controls, each logged; never blocks."""
        return self.joystick.poll()

    def _draw(self, frame: Frame) -> None:
        threshold = self.threshold
        self.sense.set_pixels([visible(pixel, threshold) for pixel in frame.pixels])

    def _dark(self) -> None:
        self.sense.clear()

    def _release(self) -> None:
        self.joystick.close()
        if self._restore_low_light is not None:
            self.sense.low_light = self._restore_low_light
