"""What the driver needs of a backend, opening one by name, and importing vendor libraries
with errors a user can act on."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Protocol

from binclock.drivers.neopixel.host import Host
from binclock.drivers.neopixel.options import NeoPixelOptions
from binclock.drivers.neopixel.preflight import EXTRA, unavailable

DISTRIBUTIONS = {
    "rpi_ws281x": "rpi_ws281x",
    "_rpi_ws281x": "rpi_ws281x",
    "board": "Adafruit-Blinka",
    "busio": "Adafruit-Blinka",
    "digitalio": "Adafruit-Blinka",
    "microcontroller": "Adafruit-Blinka",
    "adafruit_blinka": "Adafruit-Blinka",
    "neopixel": "adafruit-circuitpython-neopixel",
    "neopixel_write": "Adafruit-Blinka",
    "neopixel_spi": "adafruit-circuitpython-neopixel-spi",
    "adafruit_pixelbuf": "adafruit-circuitpython-pixelbuf",
    "adafruit_bus_device": "adafruit-circuitpython-busdevice",
    "adafruit_raspberry_pi5_neopixel_write": "Adafruit-Blinka-Raspberry-Pi5-Neopixel",
    "gpiod": "gpiod",
    "adafruit_blinka_raspberry_pi_pwm": "Adafruit-Blinka-Raspberry-Pi-PWM",
}


class Backend(Protocol):
    """Sends LED words (``0xWWRRGGBB``, one per LED) to the strip."""

    name: str

    def write(self, words: Sequence[int], changed: Sequence[int]) -> None:
        """Show ``words``; only the LEDs at ``changed`` differ from the last write."""

    def close(self) -> None:
        """Release the hardware (the driver has already sent a dark frame)."""


def vendor(module: str) -> ModuleType:
    """Import a hardware library; a missing one (or one of its own platform libraries)
    becomes a DriverUnavailable naming the package and the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise not_installed(exc.name or module) from None
    except (ImportError, RuntimeError, NotImplementedError, OSError, ValueError) as exc:
        # Blinka reports a missing platform library as a RuntimeError caused by the import.
        if isinstance(exc.__cause__, ModuleNotFoundError):
            raise not_installed(exc.__cause__.name or module) from None
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise unavailable(f"{module} cannot start here: {reason}") from None


@contextmanager
def starting(library: str) -> Iterator[None]:
    """Turn a library's failure to open the hardware into a one-line DriverUnavailable."""
    try:
        yield
    except (OSError, RuntimeError, ValueError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise unavailable(f"{library} could not open the LEDs: {reason}") from None


def not_installed(module: str) -> Exception:
    top = module.partition(".")[0]
    package = DISTRIBUTIONS.get(top, top)
    return unavailable(
        f"the {package} library is not installed (no module {top!r}); install it with: {EXTRA}"
    )


def open_backend(name: str, options: NeoPixelOptions, host: Host) -> Backend:
    """Check ``name``'s needs on this host, then start it for ``options.led_count`` LEDs."""
    if name == "rpi_ws281x":
        from binclock.drivers.neopixel.ws281x import Ws281xBackend

        return Ws281xBackend(options, host)
    if name == "blinka":
        from binclock.drivers.neopixel.blinka import BlinkaBackend

        return BlinkaBackend(options, host)
    from binclock.drivers.neopixel.spi import SpiBackend

    return SpiBackend(options, host)
