"""The light sensors: each opened with its vendor's library (imported here, lazily) and read
as lux. Opening and reading happen on the reader's thread, never in the loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from binclock import registry
from binclock.config import LightConfig

ADDRESSES = {"bh1750": 0x23, "tsl2591": 0x29}
SENSE_HAT_ADDRESSES = (0x29, 0x39)  # the Sense HAT v2's TCS3400 (or a TCS34725)
# Counts of the clear channel per lux at gain 1 and 1 ms of integration (the maker's
# application note's device factor for an open sensor): an estimate, not a calibration.
COUNTS_PER_LUX_MS = 1 / 310


class Sensor(Protocol):
    def lux(self) -> float: ...


class SensorUnavailable(Exception):
    """The sensor's library is missing or the sensor cannot be opened; one line saying why."""


def address(config: LightConfig, chip: str) -> int:
    """The configured I2C address, else ``chip``'s usual one."""
    return config.address if config.address is not None else ADDRESSES[chip]


def opener(config: LightConfig, **handles: Any) -> Callable[[], Sensor]:
    """How to open the sensor ``config`` names; ``handles`` (an ``i2c`` bus) are passed on,
    so tests can give a stand-in. A ``module:function`` names a sensor of your own: called
    with the ``[light]`` section, it returns an object with a ``lux()`` method. The function
    is loaded now, through the registry (a PluginError when it does not load), and called
    when the sensor is opened."""
    kind = config.sensor
    if kind == "bh1750":
        return lambda: Bh1750(config, **handles)
    if kind == "tsl2591":
        return lambda: Tsl2591(config, **handles)
    if kind == "sensehat":
        return lambda: SenseHatColour(**handles)
    own = own_sensor(config)
    assert own is not None  # the configuration takes no other name
    return lambda: own(config)


def own_sensor(config: LightConfig) -> Callable[[LightConfig], Sensor] | None:
    """The function a ``module:function`` sensor names, loaded through the registry (a
    PluginError when it does not load); None for a built-in sensor."""
    if ":" not in config.sensor:
        return None
    return registry.load(registry.SENSORS, config.sensor)  # type: ignore[no-any-return]


def i2c_bus(config: LightConfig) -> Any:
    """Blinka's ``busio.I2C`` on the configured bus (bus 1 is the Pi's header pins)."""
    try:
        if config.bus == 1:
            import board
            import busio

            return busio.I2C(board.SCL, board.SDA)
        from adafruit_extended_bus import ExtendedI2C  # type: ignore[import-not-found]

        return ExtendedI2C(config.bus)
    except ImportError as exc:
        raise SensorUnavailable(f"{exc}; install binclock[light]") from None


class Bh1750:
    """A BH1750 through Adafruit's driver, in its continuous high-resolution mode."""

    def __init__(self, config: LightConfig, i2c: Any = None) -> None:
        try:
            import adafruit_bh1750
        except ImportError as exc:
            raise SensorUnavailable(f"{exc}; install binclock[light]") from None
        self.chip = adafruit_bh1750.BH1750(i2c or i2c_bus(config), address(config, "bh1750"))

    def lux(self) -> float:
        return float(self.chip.lux)


class Tsl2591:
    """A TSL2591 through Adafruit's driver: medium gain, dropping to low gain in light
    bright enough to overflow it, and back in the dark."""

    def __init__(self, config: LightConfig, i2c: Any = None) -> None:
        try:
            import adafruit_tsl2591
        except ImportError as exc:
            raise SensorUnavailable(f"{exc}; install binclock[light]") from None
        self.gains = (adafruit_tsl2591.GAIN_MED, adafruit_tsl2591.GAIN_LOW)
        self.chip = adafruit_tsl2591.TSL2591(i2c or i2c_bus(config), address(config, "tsl2591"))

    def lux(self) -> float:
        medium, low = self.gains
        try:
            lux = float(self.chip.lux)
        except RuntimeError:  # the driver's overflow: too bright for this gain
            if self.chip.gain == low:
                raise
            self.chip.gain = low
            return float(self.chip.lux)
        if self.chip.gain == low and lux < 100:
            self.chip.gain = medium  # finer steps in the dark, from the next reading on
        return lux


class SenseHatColour:
    """The Sense HAT v2's colour sensor through the sense-hat library's colour API (its
    ``ColourSensor``, which ``SenseHat().colour`` is; taken alone, so the display driver
    keeps the LED matrix), read as lux from its clear channel."""

    GAIN = 4
    CYCLES = 64

    def __init__(self) -> None:
        try:
            from sense_hat.colour import ColourSensor
            from sense_hat.exceptions import ColourSensorInitialisationError
        except ImportError as exc:
            raise SensorUnavailable(f"{exc}; install binclock[sensehat]") from None
        try:
            self.sensor = ColourSensor(gain=self.GAIN, integration_cycles=self.CYCLES)
        except ColourSensorInitialisationError as exc:
            raise SensorUnavailable(f"the Sense HAT's colour sensor: {exc}") from None

    def lux(self) -> float:
        clear = self.sensor.colour_raw[3]
        milliseconds = self.sensor.integration_time * 1000
        return clear / (self.sensor.gain * milliseconds * COUNTS_PER_LUX_MS)
