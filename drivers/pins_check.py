"""What ``binclock doctor`` and ``--list-drivers`` find for the gpio and servo drivers:
gpiozero, a Pi, a pin library (lgpio, the only one on a Pi 5) and its device; and for the
driver in use, whether lgpio can make its notification FIFO."""

from __future__ import annotations

from binclock.drivers.pins import FACTORY_ENV
from binclock.machine import Finding, Machine, Status, not_installed

INSTALL = "pip install 'binclock[gpio]'"
INSTALL_LGPIO = (
    "install lgpio: sudo apt install python3-lgpio (or pip install lgpio); on a Pi 5 only"
    " lgpio works"
)


def check(machine: Machine, pwm: bool) -> list[Finding]:
    """The pins (``pwm``: whether the driver needs a library that can do PWM), then the
    folder lgpio works in."""
    missing = not_installed(machine, ("gpiozero",), INSTALL)
    if missing is not None:
        return [missing]
    return [pin_library(machine, pwm), *lgpio_folder(machine)]


def pin_library(machine: Machine, pwm: bool) -> Finding:
    factory = machine.environ.get(FACTORY_ENV, "")
    if factory == "mock":
        return Finding(f"{FACTORY_ENV}=mock: simulated pins, nothing lights")
    if not machine.is_pi:
        return Finding(
            "not a Raspberry Pi: no GPIO pins",
            f"run binclock on the Pi, or try simulated pins: {FACTORY_ENV}=mock"
            " GPIOZERO_MOCK_PIN_CLASS=mockpwmpin",
        )
    gpiomem = [machine.path("/dev/gpiomem")]
    if machine.importable(("lgpio",)):
        library, nodes = "lgpio", machine.glob("/dev", "gpiochip*")
    elif machine.is_pi5:
        return Finding("no lgpio, the only pin library for a Pi 5", INSTALL_LGPIO)
    elif machine.importable(("RPi",)):
        library, nodes = "RPi.GPIO", gpiomem
    elif pwm:
        return Finding("no pin library that can do PWM", INSTALL_LGPIO)
    else:
        library, nodes = "gpiozero's native pins (no PWM)", gpiomem
    usable = [p for p in nodes if machine.may_open(p)]
    if not usable:
        closed = [p for p in nodes if p.exists()]
        if not closed:
            return Finding(f"{library}: no GPIO device", "update the system: sudo apt full-upgrade")
        return Finding(f"{library}: may not open the GPIO pins", machine.access_fix(closed[0]))
    return Finding(f"{library} on {machine.shown(usable[0])}")


def lgpio_folder(machine: Machine) -> list[Finding]:
    """Where lgpio makes its notification FIFO (``.lgd-nfy*``): ``LG_WD``, else the working
    directory. If it cannot, gpiozero falls back to a pin library without PWM, which servos
    need. Only on a Pi with lgpio as the pin library."""
    if not machine.is_pi or not machine.importable(("lgpio",)):
        return []
    if (machine.environ.get(FACTORY_ENV) or "lgpio") != "lgpio":
        return []
    folder = machine.environ.get("LG_WD") or str(machine.cwd)
    if machine.writable(machine.path(folder)):
        return [Finding(f"{folder} is writable", check="lgpio folder", status=Status.OK)]
    return [
        Finding(
            f"{folder} is not writable: lgpio cannot make its FIFO there, and gpiozero falls"
            " back to pins without PWM",
            "set LG_WD to a writable folder, or run binclock from one (the service's unit sets"
            " both to /var/lib/binclock)",
            check="lgpio folder",
            status=Status.WARN,
        )
    ]
