"""The ``[drivers.neopixel]`` table: which backend and pin, how the strip is laid out, colours."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from binclock.driver import DriverOptions, Side

Backend = Literal["auto", "rpi_ws281x", "blinka", "spi"]
Corner = Literal["top-left", "top-right", "bottom-left", "bottom-right"]
ColourOrder = Literal[
    "GRB", "RGB", "BRG", "BGR", "RBG", "GBR", "GRBW", "RGBW", "BRGW", "BGRW", "RBGW", "GBRW"
]

DEFAULT_PIN = 18  # PWM0, the pin of nearly every NeoPixel tutorial
SPI_PIN = 10  # SPI0 MOSI


class NeoPixelOptions(DriverOptions):
    """Options of the neopixel driver; the defaults fit the classic 3x6 binary clock."""

    backend: Backend = Field(
        "auto",
        description="rpi_ws281x (PWM/PCM/SPI, Pi 1-4), blinka (Adafruit's neopixel; the Pi 5"
        " path), spi (Adafruit's neopixel_spi on GPIO 10, no root) or auto",
    )
    pin: int | None = Field(
        None,
        ge=0,
        le=27,
        description="GPIO (BCM) number of the data line; unset: 18, or 10 for the spi backend",
    )
    width: Side = Field(3, description="pixel columns of the display")
    height: Side = Field(6, description="pixel rows of the display")
    layout: Literal["columns", "rows"] = Field(
        "columns", description="the strip runs along columns or along rows"
    )
    start: Corner = Field("bottom-left", description="corner of the first LED (LED 0)")
    serpentine: bool = Field(
        True, description="every other column/row runs back (zig-zag); false: all run one way"
    )
    index_map: tuple[int, ...] | None = Field(
        None,
        description="LED number of each pixel, row by row from the top-left, -1 for none"
        " (rows as nested lists or one flat list); replaces layout, start and serpentine",
    )
    leds: int | None = Field(
        None, ge=1, le=8192, description="LEDs on the strip; unset: width x height (or as mapped)"
    )
    colour_order: ColourOrder = Field(
        "GRB", description="order the strip takes its channels in: GRB for WS2812B, GRBW SK6812"
    )
    auto_white: bool = Field(
        True, description="RGBW strips: light the white LED for the grey part of each colour"
    )
    gamma: float = Field(
        2.2, ge=1.0, le=4.0, description="gamma correction as in WLED; 1.0 turns it off"
    )
    max_current_ma: int = Field(
        850,
        ge=0,
        description="LED supply budget in mA; frames are dimmed to stay under it; 0: no limit",
    )
    led_ma: float = Field(
        55.0, gt=0, le=200, description="current of one LED at full white, in mA (WLED's model)"
    )
    idle_ma: float = Field(1.0, ge=0, le=10, description="current of one dark LED, in mA")
    frequency: Literal[800000, 400000] = Field(
        800000, description="data rate in Hz: 800000 (WS2812, SK6812) or 400000 (old WS2811)"
    )
    dma: int = Field(10, ge=0, le=14, description="rpi_ws281x: DMA channel (never 5)")
    invert: bool = Field(
        False, description="rpi_ws281x: invert the signal (for an inverting level shifter)"
    )
    channel: Literal[0, 1] | None = Field(
        None, description="rpi_ws281x: PWM channel; unset: 1 for GPIO 13/19, else 0"
    )

    @field_validator("index_map", mode="before")
    @classmethod
    def _flatten_rows(cls, value: Any) -> Any:
        rows = isinstance(value, list | tuple) and value
        if rows and all(isinstance(row, list | tuple) for row in value):
            return [n for row in value for n in row]
        return value

    @field_validator("index_map")
    @classmethod
    def _valid_numbers(cls, value: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if value is None:
            return None
        if any(n < -1 for n in value):
            raise ValueError("LED numbers are 0 or more, or -1 for a pixel without an LED")
        used = [n for n in value if n >= 0]
        if not used:
            raise ValueError("the map gives no pixel an LED")
        if len(set(used)) != len(used):
            twice = sorted({n for n in used if used.count(n) > 1})
            raise ValueError(f"LED {twice[0]} is given to more than one pixel")
        return value

    @field_validator("dma")
    @classmethod
    def _not_dma5(cls, value: int) -> int:
        if value == 5:
            raise ValueError("DMA channel 5 is used by the SD card and corrupts it; use 10")
        return value

    @model_validator(mode="after")
    def _fits(self) -> NeoPixelOptions:
        pixels = self.width * self.height
        if self.index_map is not None and len(self.index_map) != pixels:
            raise ValueError(
                f"index_map has {len(self.index_map)} entries but a {self.width}x{self.height}"
                f" display has {pixels} pixels"
            )
        needed = self.mapped_leds
        if self.leds is not None and self.leds < needed:
            raise ValueError(f"leds = {self.leds} but the layout uses {needed} LEDs")
        idle = self.led_count * self.idle_ma
        if self.max_current_ma and self.max_current_ma <= idle:
            raise ValueError(
                f"max_current_ma = {self.max_current_ma} does not even cover the"
                f" {idle:g} mA that {self.led_count} dark LEDs draw"
            )
        return self

    @property
    def mapped_leds(self) -> int:
        """The LEDs the layout reaches."""
        if self.index_map is not None:
            return max(self.index_map) + 1
        return self.width * self.height

    @property
    def led_count(self) -> int:
        """LEDs on the strip: ``leds``, else as many as the layout reaches."""
        return self.leds if self.leds is not None else self.mapped_leds

    @property
    def rgbw(self) -> bool:
        return len(self.colour_order) == 4

    def gpio_pins(self) -> frozenset[int]:
        """The data line's pin (what ``binclock doctor`` keeps buttons off)."""
        return frozenset({self.data_pin(self.backend)})

    def data_pin(self, backend: str) -> int:
        """The configured pin, or the usual one for ``backend``."""
        if self.pin is not None:
            return self.pin
        return SPI_PIN if backend == "spi" else DEFAULT_PIN
