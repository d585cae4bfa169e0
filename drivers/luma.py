"""MAX7219 LED matrices on SPI and small monochrome OLEDs on I2C, through luma.core.

luma's device classes (luma.led_matrix, luma.oled) turn a PIL image into what the chips
take; this driver turns each frame into that image. A MAX7219 chain shows one LED per
pixel; an OLED shows each pixel as a square or round dot of ``dot`` x ``dot`` pixels.
"""

from __future__ import annotations

import errno
from typing import Any, ClassVar, Literal, Self

from pydantic import Field, model_validator

from binclock.driver import BaseDriver, DriverOptions, DriverUnavailable, Side
from binclock.drivers.pins import Threshold, luminance
from binclock.frame import RGB, Frame
from binclock.machine import Finding, Machine, not_installed

Device = Literal["max7219", "ssd1306", "ssd1309", "sh1106", "sh1107"]

# The panel sizes luma's OLED classes take, the first being the usual one.
OLED_SIZES: dict[str, tuple[tuple[int, int], ...]] = {
    "ssd1306": ((128, 64), (128, 32), (96, 16), (64, 48), (64, 32)),
    "ssd1309": ((128, 64), (128, 32), (96, 16), (64, 48), (64, 32)),
    "sh1106": ((128, 64), (128, 32), (128, 128)),
    "sh1107": ((64, 128), (80, 128), (128, 128)),
}
# luma's own contrast after set-up: what full brightness shows unless ``contrast`` says.
DEFAULT_CONTRAST = {"max7219": 0x70, "ssd1306": 0xCF, "ssd1309": 0xCF, "sh1106": 0x7F}
DEFAULT_CONTRAST["sh1107"] = 0x7F
ENABLE = {
    "spi": "sudo raspi-config nonint do_spi 0",
    "i2c": "sudo raspi-config nonint do_i2c 0",
}
INSTALL = "pip install 'binclock[luma]'"
BUS_LIBRARY = {"spi": "spidev", "i2c": "smbus2"}  # what luma's serial interfaces import


class LumaOptions(DriverOptions):
    device: Device = Field(
        "max7219",
        description="the display's chip: max7219 (8x8 LED matrices on SPI), or the OLED"
        " controllers ssd1306, ssd1309, sh1106, sh1107 (on I2C)",
    )
    cascaded: int = Field(
        4, ge=1, le=32, description="max7219: how many 8x8 matrices are chained (4 on a FC-16)"
    )
    block_orientation: Literal[0, 90, -90, 180] = Field(
        0,
        description="max7219: how each 8x8 matrix is turned on its board, as luma takes it"
        " (-90 for most four-in-one FC-16 modules)",
    )
    reverse_order: bool = Field(
        False, description="max7219: the matrices are chained right to left"
    )
    width: Side | None = Field(
        None, description="OLED: the panel's width in pixels (default: the device's usual)"
    )
    height: Side | None = Field(
        None, description="OLED: the panel's height in pixels (default: the device's usual)"
    )
    rotate: Literal[0, 90, 180, 270] = Field(
        0,
        description="turns the picture clockwise on the display, as luma's rotate does: 90 for"
        " a display mounted a quarter turn anticlockwise",
    )
    spi_port: int = Field(0, ge=0, le=6, description="max7219: the SPI bus (/dev/spidevPORT.N)")
    spi_device: int = Field(
        0, ge=0, le=2, description="max7219: the chip select (/dev/spidevN.DEVICE): CE0 is 0"
    )
    i2c_port: int = Field(1, ge=0, le=99, description="OLED: the I2C bus (/dev/i2c-PORT)")
    i2c_address: int = Field(
        0x3C, ge=0x03, le=0x77, description="OLED: the display's I2C address (0x3C or 0x3D)"
    )
    contrast: int | None = Field(
        None,
        ge=0,
        le=255,
        description="contrast at full brightness, 0-255 (default: luma's, 112 for max7219,"
        " 207 for ssd1306/ssd1309, 127 for sh1106/sh1107); dimmer frames lower it",
    )
    dot: int = Field(
        8, ge=1, le=64, description="OLED: the side of one clock pixel, in display pixels"
    )
    shape: Literal["square", "round"] = Field(
        "square", description="OLED: how a lit clock pixel is drawn"
    )
    threshold: Threshold = 0.0

    @model_validator(mode="after")
    def _fits(self) -> Self:
        if self.device == "max7219":
            if self.width is not None or self.height is not None:
                raise ValueError(
                    "width and height are for OLEDs; a max7219 chain is 8 x cascaded wide"
                )
            return self
        if (self.width is None) != (self.height is None):
            raise ValueError("give both width and height, or neither")
        sizes = OLED_SIZES[self.device]
        if self.width is not None and (self.width, self.height) not in sizes:
            shown = ", ".join(f"{w}x{h}" for w, h in sizes)
            raise ValueError(f"{self.device} panels are {shown}, not {self.width}x{self.height}")
        w, h = self.panel()
        if self.dot > min(w, h):
            raise ValueError(f"a dot of {self.dot} does not fit a {w}x{h} panel")
        return self

    @property
    def bus(self) -> Literal["spi", "i2c"]:
        return "spi" if self.device == "max7219" else "i2c"

    def panel(self) -> tuple[int, int]:
        """The display's width and height in its own pixels, before rotation."""
        if self.device == "max7219":
            return (8 * self.cascaded, 8)
        if self.width is not None and self.height is not None:
            return (self.width, self.height)
        return OLED_SIZES[self.device][0]

    def usual_bus(self) -> bool:
        """Whether the bus is the one raspi-config turns on (SPI0, I2C1); others need an
        overlay."""
        return self.spi_port == 0 if self.bus == "spi" else self.i2c_port == 1

    def node(self) -> str:
        """The device node the display is reached through."""
        if self.bus == "spi":
            return f"/dev/spidev{self.spi_port}.{self.spi_device}"
        return f"/dev/i2c-{self.i2c_port}"


def missing_node(options: LumaOptions) -> str:
    """One line for a display whose bus has no device node: which, and how to get it."""
    bus, node = options.bus, options.node()
    how = (
        f"enable it with `{ENABLE[bus]}` and reboot"
        if options.usual_bus()
        else "enable that bus with a dtoverlay in /boot/firmware/config.txt and reboot"
    )
    return f"{bus.upper()} is not enabled ({node} is missing); {how}"


def no_permission(options: LumaOptions) -> str:
    group = options.bus  # Raspberry Pi OS gives its spi and i2c groups the buses' nodes
    return (
        f"no permission to open {options.node()}; add the user to the {group} group"
        f" (sudo usermod -aG {group} $USER) and log in again"
    )


def open_device(options: LumaOptions) -> Any:
    """luma's device for ``options`` on its real serial interface, set up and dark."""
    try:
        from luma.core.error import DeviceNotFoundError, DevicePermissionError
        from luma.core.interface import serial
    except ImportError as exc:
        raise DriverUnavailable(f"luma: no module {exc.name}; {INSTALL}") from None
    try:
        if options.bus == "spi":
            interface = serial.spi(
                port=options.spi_port, device=options.spi_device, gpio=serial.noop()
            )
        else:
            interface = serial.i2c(port=options.i2c_port, address=options.i2c_address)
    except ImportError as exc:
        raise DriverUnavailable(f"luma: no module {exc.name}; {INSTALL}") from None
    except DevicePermissionError:
        raise DriverUnavailable(f"luma: {no_permission(options)}") from None
    except DeviceNotFoundError:
        raise DriverUnavailable(f"luma: {missing_node(options)}") from None
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise DriverUnavailable(f"luma: {no_permission(options)}") from None
        raise DriverUnavailable(f"luma: cannot open {options.node()}: {exc.strerror}") from None
    try:
        return build(options, interface)
    except DeviceNotFoundError:
        interface.cleanup()
        raise DriverUnavailable(
            f"luma: no {options.device} answers at {options.i2c_address:#04x} on"
            f" {options.node()}; check the wiring and the address (i2cdetect -y"
            f" {options.i2c_port})"
        ) from None
    except OSError as exc:
        interface.cleanup()
        raise DriverUnavailable(
            f"luma: the {options.device} on {options.node()} failed while being set up"
            f" ({exc.strerror}); check the wiring"
        ) from None


def build(options: LumaOptions, interface: Any) -> Any:
    """luma's device class for ``options.device`` on ``interface``."""
    rotate = options.rotate // 90
    if options.device == "max7219":
        from luma.led_matrix.device import max7219

        return max7219(
            interface,
            cascaded=options.cascaded,
            block_orientation=options.block_orientation,
            blocks_arranged_in_reverse_order=options.reverse_order,
            rotate=rotate,
        )
    from luma.oled import device as oled

    width, height = options.panel()
    return getattr(oled, options.device)(interface, width=width, height=height, rotate=rotate)


class LumaDriver(BaseDriver):
    """Draws each changed frame as one PIL image and hands it to luma's ``display()``.

    ``device`` is a luma device to use instead of opening one (luma's ``dummy`` in tests).
    """

    name: ClassVar[str] = "luma"
    description: ClassVar[str] = "MAX7219 LED matrices and SSD1306/SH1106 OLEDs (luma)"
    Options: ClassVar[type[DriverOptions]] = LumaOptions
    requires: ClassVar[tuple[str, ...]] = ("luma.core", "luma.led_matrix", "luma.oled")
    animates = False  # lit or dark: in-between fade frames would only flicker

    def __init__(
        self, options: LumaOptions | None = None, *, device: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(options, **kwargs)
        opts: LumaOptions = self.options  # type: ignore[assignment]
        self.device = device if device is not None else open_device(opts)
        # A monochrome device dims as a whole (its contrast); one in colour shows colours.
        self.tones = "grey" if self.device.mode == "1" else "colour"
        self.dot = 1 if opts.device == "max7219" else opts.dot
        width, height = self.device.size
        self.size = (width // self.dot, height // self.dot)
        self.origin = (
            (width - self.size[0] * self.dot) // 2,
            (height - self.size[1] * self.dot) // 2,
        )
        self.full = DEFAULT_CONTRAST[opts.device] if opts.contrast is None else opts.contrast
        self.level: int | None = None

    @classmethod
    def check(cls, machine: Machine, options: LumaOptions) -> Finding:
        """What ``doctor`` says: the libraries (with the bus's own), then the bus's device
        node there and open to the user."""
        missing = not_installed(machine, (*cls.requires, BUS_LIBRARY[options.bus]), INSTALL)
        if missing is not None:
            return missing
        node = options.node()
        path = machine.path(node)
        if not path.exists():
            param = "spi" if options.bus == "spi" else "i2c_arm"
            fix = missing_node(options)
            if options.usual_bus():
                fix = machine.enable_fix(param, fix)
            return Finding(f"{node} is missing", fix)
        if not machine.may_open(path):
            return Finding(f"{node}: may not open it", machine.access_fix(path))
        return Finding(f"{options.device} on {node}")

    def lit(self, frame: Frame) -> list[tuple[int, RGB]]:
        """The index and colour of each pixel of ``frame`` that counts as lit."""
        threshold = self.options.threshold  # type: ignore[attr-defined]
        return [(i, rgb) for i, rgb in enumerate(frame.pixels) if luminance(rgb) > threshold]

    def image(self, frame: Frame, lit: list[tuple[int, RGB]]) -> Any:
        """``frame`` as a PIL image of the device's size and mode, its ``lit`` pixels white
        (or their colour on a colour device), each a dot on an OLED."""
        from PIL import Image, ImageDraw

        mode, dot = self.device.mode, self.dot
        picture = Image.new(mode, self.device.size)
        if dot == 1 and mode == "1":
            data = bytearray(len(frame.pixels))
            for i, _ in lit:
                data[i] = 255
            picture.putdata(data)
            return picture
        draw = ImageDraw.Draw(picture)
        mark = dot - (dot > 2)  # a dark line between dots big enough to keep one
        ox, oy = self.origin
        shape = draw.ellipse if self.options.shape == "round" else draw.rectangle  # type: ignore[attr-defined]
        for i, rgb in lit:
            x, y = ox + i % frame.width * dot, oy + i // frame.width * dot
            shape((x, y, x + mark - 1, y + mark - 1), fill=255 if mode == "1" else rgb)
        return picture

    def contrast(self, lit: list[tuple[int, RGB]]) -> int | None:
        """The contrast that shows the brightest channel of the ``lit`` pixels: full at
        255; None when nothing is lit (the contrast is then left as it is)."""
        brightest = max((max(rgb) for _, rgb in lit), default=0)
        return round(self.full * brightest / 255) if brightest else None

    def _draw(self, frame: Frame) -> None:
        lit = self.lit(frame)
        level = self.contrast(lit)
        if level is not None and level != self.level:
            self.device.contrast(level)
            self.level = level
        self.device.display(self.image(frame, lit))

    def _dark(self) -> None:
        self.device.clear()

    def _release(self) -> None:
        self.device.cleanup()
