"""The neopixel driver: frames onto WS2812/SK6812 strips and matrices through one backend."""

from __future__ import annotations

import atexit
import logging
from typing import Any, ClassVar

from binclock.driver import BaseDriver, DriverOptions
from binclock.drivers.neopixel import layout
from binclock.drivers.neopixel.backend import Backend, open_backend
from binclock.drivers.neopixel.check import check as check_here
from binclock.drivers.neopixel.colour import FULL, CurrentModel, Limiter
from binclock.drivers.neopixel.host import Host
from binclock.drivers.neopixel.options import NeoPixelOptions
from binclock.drivers.neopixel.preflight import choose
from binclock.drivers.neopixel.prepare import Preparer
from binclock.frame import Frame
from binclock.machine import Finding, Machine

log = logging.getLogger(__name__)


class NeoPixelDriver(BaseDriver):
    """Maps each frame to LED words (layout, gamma, current limit) and sends only the LEDs
    that changed. ``host`` describes the board (read from this machine when not given)."""

    name: ClassVar[str] = "neopixel"
    description: ClassVar[str] = (
        "WS2812/SK6812 NeoPixel strips and matrices on a Raspberry Pi (1-5)"
    )
    Options: ClassVar[type[DriverOptions]] = NeoPixelOptions
    requires: ClassVar[tuple[str, ...]] = ("board", "neopixel", "neopixel_spi")

    def __init__(
        self, options: NeoPixelOptions | None = None, *, host: Host | None = None, **kwargs: Any
    ) -> None:
        super().__init__(options, **kwargs)
        opts: NeoPixelOptions = self.options  # type: ignore[assignment]
        self.size = (opts.width, opts.height)
        self._width = opts.width
        model = CurrentModel(opts.led_count, opts.led_ma, opts.idle_ma)
        laid = layout.for_options(opts)
        self.preparer = Preparer(
            laid,
            opts.width * opts.height,
            gamma=opts.gamma,
            limiter=Limiter(model, opts.max_current_ma) if opts.max_current_ma else None,
            white=opts.rgbw and opts.auto_white,
        )
        self._led_of_pixel = {pixel: led for led, pixel in enumerate(laid) if pixel >= 0}
        self.host = host if host is not None else Host.detect()
        backend = opts.backend
        if backend == "auto":
            backend, why = choose(self.host, opts)
            log.info("neopixel: the auto backend chose %s: %s", backend, why)
        self.backend: Backend = open_backend(backend, opts, self.host)
        log.info(
            "neopixel: %d LEDs on GPIO %d with %s",
            opts.led_count,
            opts.data_pin(backend),
            backend,
        )
        self.words = self.preparer.dark()
        self._warned = False
        atexit.register(self.close)

    @classmethod
    def check(cls, machine: Machine, options: NeoPixelOptions) -> Finding:
        """The backend ``auto`` would pick here (or the one set), its checks and libraries."""
        return check_here(machine, options)

    def describe_pixel(self, x: int, y: int) -> str:
        """Which LED on the strip shows pixel (x, y), for ``binclock test-pattern``."""
        led = self._led_of_pixel.get(y * self._width + x)
        return "no LED" if led is None else f"LED {led}"

    def _prepare(self, frames: list[Frame]) -> None:
        """LED words for each of ``frames`` (with the dimming each needed), in one go."""
        for frame in frames:
            self._keep(frame, (self.preparer(frame.pixels), self.preparer.scale))

    def _draw(self, frame: Frame) -> None:
        ready: tuple[list[int], int] | None = self._take_prepared(frame)
        if ready is None:
            ready = self.preparer(frame.pixels), self.preparer.scale
        words, scale = ready
        if scale < FULL and not self._warned:
            self._warned = True
            opts: NeoPixelOptions = self.options  # type: ignore[assignment]
            log.warning(
                "neopixel: dimming to %d%% to stay within max_current_ma = %d mA"
                " (said once; raise it if the LED supply gives more)",
                scale * 100 // FULL,
                opts.max_current_ma,
            )
        self._send(words)

    def _dark(self) -> None:
        self._send(self.preparer.dark(), everything=True)

    def _release(self) -> None:
        atexit.unregister(self.close)
        self.backend.close()

    def _send(self, words: list[int], everything: bool = False) -> None:
        old = self.words
        changed = [i for i, (a, b) in enumerate(zip(words, old, strict=True)) if a != b]
        if changed or everything:
            self.backend.write(words, range(len(words)) if everything else changed)
        self.words = words
