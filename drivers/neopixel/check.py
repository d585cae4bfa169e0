"""What ``binclock doctor`` and ``--list-drivers`` find for the NeoPixel driver: the backend
it would pick and that backend's preflight checks, as the driver runs them, then the
libraries of that backend alone."""

from __future__ import annotations

from binclock.driver import DriverUnavailable
from binclock.drivers.neopixel import preflight
from binclock.drivers.neopixel.backend import not_installed
from binclock.drivers.neopixel.blinka import PI5_WRITER
from binclock.drivers.neopixel.host import Host
from binclock.drivers.neopixel.options import NeoPixelOptions
from binclock.machine import Finding, Machine

CHECKS = {
    "rpi_ws281x": preflight.check_rpi_ws281x,
    "blinka": preflight.check_blinka,
    "spi": preflight.check_spi,
}


def modules(backend: str, host: Host) -> list[str]:
    """The modules ``backend`` imports on this board."""
    return {
        "rpi_ws281x": ["rpi_ws281x"],
        "blinka": ["neopixel", "microcontroller"] + [PI5_WRITER] * host.is_pi5,
        "spi": ["neopixel_spi", "busio", "board"],
    }[backend]


def check(machine: Machine, options: NeoPixelOptions) -> Finding:
    host = Host.of(machine)
    backend, why = options.backend, ""
    found = f"{backend} on GPIO {options.data_pin(backend)}"
    try:
        if backend == "auto":
            backend, why = preflight.choose(host, options)
        found = f"{backend} on GPIO {options.data_pin(backend)}"
        CHECKS[backend](host, options.data_pin(backend), options)
    except DriverUnavailable as exc:
        return Finding(found, machine.said(exc))
    missing = machine.missing(modules(backend, host))
    if missing:
        return Finding(f"{found}: no module {missing[0]}", machine.said(not_installed(missing[0])))
    return Finding(f"{found} ({why})" if why else found)
