"""Pimoroni's Unicorn HAT Mini: 17x7 RGB LEDs on SPI, and its buttons A, B, X and Y.

Frames go through Pimoroni's ``unicornhatmini`` library, which drives the HAT's two Holtek
HT16D35 LED controllers over SPI (``/dev/spidev0.0`` and ``0.1``, their chip selects
toggled on GPIO 8 and 7). The buttons are read with gpiozero, as in Pimoroni's examples,
and handed to the clock as controls as they are pressed. Both libraries are imported
only when the driver is built.
"""

from __future__ import annotations

import atexit
from typing import Any, ClassVar, Literal

from pydantic import Field

from binclock.config import ButtonAction, ButtonConfig, ControlsConfig
from binclock.controls import Control, Press
from binclock.driver import BaseDriver, DriverOptions, DriverUnavailable
from binclock.drivers import pins_check
from binclock.frame import Frame
from binclock.machine import ENABLE_SPI as SPI_FIX
from binclock.machine import Finding, Machine, not_installed
from binclock.painter import visible

WIDTH, HEIGHT = 17, 7
SPI_DEVICES = ("/dev/spidev0.0", "/dev/spidev0.1")  # the left and right LED controllers
PINS: dict[str, int] = {"a": 5, "b": 6, "x": 16, "y": 24}  # the buttons' BCM GPIO numbers
INSTALL = "pip install 'binclock[unicornhatmini]'"
ENABLE_SPI = (
    f"no SPI device {SPI_DEVICES[0]}: enable SPI with 'sudo raspi-config nonint do_spi 0',"
    " then reboot"
)
JOIN_GROUPS = (
    "no permission to use the Unicorn HAT Mini's SPI device and pins: add the user to the"
    " spi and gpio groups (sudo usermod -aG spi,gpio $USER), then log out and in again"
)
# RPi.GPIO does not run on a Pi 5, and lgpio may not claim the pins the SPI driver holds.
PI5_CHIP_SELECTS = (
    "a Raspberry Pi 5: Pimoroni's library cannot toggle the HAT's chip selects (GPIO 8 and 7) there"
)
LOWEST_LIT = 4  # the HAT keeps 6 bits a channel (value >> 2): below 4 is dark

Letter = Literal["a", "b", "x", "y"]
Action = ButtonAction | Literal["none"]


class UnicornHatMiniOptions(DriverOptions):
    rotation: Literal[0, 90, 180, 270] = Field(
        0,
        description="how the HAT is mounted, as UnicornHATMini.set_rotation takes it (0: as"
        " Pimoroni's examples draw); 90 and 270 make the display 7 wide and 17 high",
    )
    brightness: float = Field(
        0.2,
        gt=0,
        le=1,
        description="the LED current, 0-1, as set_brightness takes it (the HAT is very bright"
        " at 1); display.brightness dims the colours on top of it",
    )
    keep_visible: bool = Field(
        True,
        description="lift lit pixels too dim for the HAT to light (channels below 4) just"
        " enough to show",
    )
    buttons: bool = Field(
        True, description="read the A, B, X and Y buttons (GPIO 5, 6, 16, 24) as controls"
    )
    a: Action = Field("next-face", description="what button A does; none: nothing")
    b: Action = Field("toggle-seconds", description="what button B does; none: nothing")
    x: Action = Field("brighter", description="what button X does; none: nothing")
    y: Action = Field("dimmer", description="what button Y does; none: nothing")
    long_press: dict[Letter, ButtonAction] = Field(
        {"a": "toggle-power"},
        description="what holding a button for hold_time does, by button (a, b, x or y);"
        " such a button's short press acts when it is let go",
    )
    hold_time: float = Field(
        1.0, gt=0, le=10, description="seconds a button must be held for its long press"
    )

    def gpio_pins(self) -> frozenset[int]:
        """The pins of the buttons it reads (what ``binclock doctor`` keeps others off)."""
        return frozenset(config.pin for config in self.button_configs())

    def button_configs(self) -> tuple[ButtonConfig, ...]:
        """The buttons to read, as ``[[controls.buttons]]`` entries on the HAT's pins."""
        if not self.buttons:
            return ()
        configs = []
        for letter, pin in PINS.items():
            press = getattr(self, letter)
            if press == "none":
                continue
            configs.append(
                ButtonConfig(
                    pin=pin,
                    press=press,
                    long_press=self.long_press.get(letter),  # type: ignore[arg-type]
                    hold_time=self.hold_time,
                )
            )
        return tuple(configs)


def hat_error(exc: BaseException) -> str:
    """What to do when the library could not open the HAT, as one line."""
    if isinstance(exc, PermissionError):
        return JOIN_GROUPS
    if isinstance(exc, FileNotFoundError):
        return ENABLE_SPI
    # lgpio's errors come quoted: "'GPIO busy'"
    reason = next(iter(str(exc).strip().strip("'\"").splitlines()), "") or type(exc).__name__
    return f"the Unicorn HAT Mini cannot be used: {reason}"


class UnicornHatMiniDriver(BaseDriver):
    """Writes each changed frame into the library's buffer and ``show()``s it.

    ``pin_factory`` is gpiozero's for the buttons (tests pass its ``MockFactory``); unset,
    gpiozero's own choice. Button presses reach the clock through ``push_controls``.
    """

    name: ClassVar[str] = "unicornhatmini"
    description: ClassVar[str] = "Pimoroni Unicorn HAT Mini 17x7 RGB LED matrix and its buttons"
    Options: ClassVar[type[DriverOptions]] = UnicornHatMiniOptions
    requires: ClassVar[tuple[str, ...]] = ("unicornhatmini", "spidev", "RPi")

    def __init__(
        self,
        options: UnicornHatMiniOptions | None = None,
        *,
        pin_factory: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(options, **kwargs)
        opts: UnicornHatMiniOptions = self.options  # type: ignore[assignment]
        self._press: Press | None = None
        self.buttons: Any = None
        try:
            from unicornhatmini import UnicornHATMini
        except ImportError as exc:
            missing = exc.name or "unicornhatmini"
            raise DriverUnavailable(f"the {missing} library is missing: {INSTALL}") from None
        # Built in two steps so that the SPI devices a failing set-up opened can be closed.
        self.hat = UnicornHATMini.__new__(UnicornHATMini)
        try:
            self.hat.__init__()
        # spidev raises OSError for a missing or closed device; RPi.GPIO raises RuntimeError
        # off a Pi, and rpi-lgpio its own lgpio.error for pins it cannot claim.
        except Exception as exc:  # noqa: BLE001 - each pin library has its own errors
            for side in ("left_matrix", "right_matrix"):
                if hasattr(self.hat, side):
                    getattr(self.hat, side)[0].close()
            raise DriverUnavailable(hat_error(exc)) from None
        try:
            self.hat.set_rotation(opts.rotation)
            self.hat.set_brightness(opts.brightness)
            self.size = self.hat.get_shape()
            self.threshold = LOWEST_LIT if opts.keep_visible else 0
            self._dark()
            self.buttons = self._open_buttons(opts, pin_factory)
        except DriverUnavailable:
            self._release()
            raise
        except OSError as exc:
            self._release()
            raise DriverUnavailable(hat_error(exc)) from None

    def _open_buttons(self, opts: UnicornHatMiniOptions, pin_factory: Any) -> Any:
        """The HAT's buttons on their pins, or None when none are to be read."""
        configs = opts.button_configs()
        if not configs:
            return None
        from binclock.drivers.buttons import Buttons

        where = "the Unicorn HAT Mini's buttons (buttons = false does without them)"
        return Buttons(
            ControlsConfig(buttons=configs), self._pressed, pin_factory=pin_factory, where=where
        )

    def push_controls(self, press: Press) -> None:
        """Hand each button press to ``press`` from now on (gpiozero calls from its threads)."""
        self._press = press

    def _pressed(self, control: Control) -> None:
        press = self._press
        if press is not None:
            press(control)

    def _draw(self, frame: Frame) -> None:
        hat, threshold, width = self.hat, self.threshold, frame.width
        for i, colour in enumerate(frame.pixels):
            y, x = divmod(i, width)
            hat.set_pixel(x, y, *visible(colour, threshold))
        hat.show()

    def _dark(self) -> None:
        self.hat.clear()
        self.hat.show()

    def _release(self) -> None:
        """Let the buttons go, switch both controllers off and close the SPI devices; the
        library's own switch-off at exit is then not needed."""
        buttons, self.buttons = self.buttons, None
        if buttons is not None:
            buttons.close()
        hat = self.hat
        atexit.unregister(hat._exit)
        try:
            hat._shutdown()
        finally:
            for device, _, _ in (hat.left_matrix, hat.right_matrix):
                device.close()

    @classmethod
    def check(cls, machine: Machine, options: DriverOptions) -> Finding:
        """What the HAT needs here: the libraries, a Pi other than a 5, both SPI devices
        open to the user, and GPIO pins for the chip selects and the buttons."""
        missing = not_installed(machine, cls.requires, INSTALL)
        if missing is not None:
            return missing
        if machine.is_pi5:
            return Finding(PI5_CHIP_SELECTS, "use the HAT on a Raspberry Pi 1 to 4")
        found = []
        for device in SPI_DEVICES:
            path = machine.path(device)
            if not path.exists():
                return Finding(f"no {device}: SPI is off", machine.enable_fix("spi", SPI_FIX))
            if not machine.may_open(path):
                return Finding(f"{device}: may not open it", machine.access_fix(path))
            found.append(device)
        pins = pins_check.pin_library(machine, pwm=False)
        if pins.fix:
            return Finding(f"{', '.join(found)}; GPIO: {pins.found}", pins.fix)
        return Finding(f"{', '.join(found)}; {pins.found}")
