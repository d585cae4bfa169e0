"""Plain LEDs on GPIO pins, one pin per pixel, through gpiozero's LEDBoard."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from binclock.driver import BaseDriver, DriverOptions
from binclock.drivers import pins, pins_check
from binclock.frame import RGB, Frame
from binclock.machine import Finding, Machine


class GpioOptions(pins.PinGridOptions):
    active_high: bool = Field(
        True,
        description="true when each LED runs from its pin to ground (pin high = lit);"
        " false when the LEDs are wired from 3.3 V into the pins (pin low = lit)",
    )
    pwm: bool = Field(
        False,
        description="dim the LEDs with PWM so that display.brightness and night dimming show;"
        " off: each LED is fully on or off",
    )
    gamma: float = Field(
        2.2,
        gt=0.0,
        le=5.0,
        description="with pwm, a lit LED's duty cycle is (brightest channel / 255) ** gamma,"
        " so brightness steps look even to the eye; 1: linear",
    )


class GpioDriver(BaseDriver):
    """One LED per pixel on the pins of the configured grid; only changed pins are written."""

    name: ClassVar[str] = "gpio"
    description: ClassVar[str] = "plain LEDs on GPIO pins (gpiozero)"
    Options: ClassVar[type[DriverOptions]] = GpioOptions
    requires: ClassVar[tuple[str, ...]] = ("gpiozero",)

    @classmethod
    def check(cls, machine: Machine, options: GpioOptions) -> list[Finding]:
        """gpiozero and the pins, with a pin library that can do PWM when ``pwm`` is set."""
        return pins_check.check(machine, pwm=bool(options.pwm))

    def __init__(
        self, options: GpioOptions | None = None, *, pin_factory: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(options, **kwargs)
        opts: GpioOptions = self.options  # type: ignore[assignment]
        self.layout = opts.layout()
        self.size = self.layout.size
        self.animates = opts.pwm  # fades need dimmable LEDs; on/off LEDs get whole seconds
        self.tones = "grey" if opts.pwm else "on-off"
        self._wired = self.layout.wired()
        gpiozero = pins.import_gpiozero()
        factory = pins.pin_factory(gpiozero, pin_factory)
        self.board = pins.claim(
            gpiozero,
            lambda: gpiozero.LEDBoard(
                *(pin for _, pin in self._wired),
                pwm=opts.pwm,
                active_high=opts.active_high,
                initial_value=False,
                pin_factory=factory,
            ),
            "the LEDs",
        )
        self._values: list[float] = [0.0] * len(self._wired)

    def describe_pixel(self, x: int, y: int) -> str:
        """The pin that lights pixel (x, y), e.g. "GPIO17", for the wiring test."""
        return self.layout.describe(x, y)

    def level(self, rgb: RGB) -> float:
        """How bright an LED shows ``rgb``: 0 or 1, or a duty cycle between them with PWM."""
        opts: GpioOptions = self.options  # type: ignore[assignment]
        if pins.luminance(rgb) <= opts.threshold:
            return 0.0
        if not opts.pwm:
            return 1.0
        return (max(rgb) / 255) ** opts.gamma

    def _draw(self, frame: Frame) -> None:
        for k, (index, _) in enumerate(self._wired):
            self._write(k, self.level(frame.pixels[index]))

    def _dark(self) -> None:
        for k in range(len(self._wired)):
            self._write(k, 0.0)

    def _release(self) -> None:
        self.board.close()

    def _write(self, k: int, value: float) -> None:
        if value != self._values[k]:
            led = self.board.leds[k]
            led.value = value if self.options.pwm else bool(value)  # type: ignore[attr-defined]
            self._values[k] = value
