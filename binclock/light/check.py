"""``binclock doctor``'s row for the light sensor: its library, and its I2C bus. Like every
doctor check it opens nothing, so whether the chip answers shows in the clock's log."""

from __future__ import annotations

from binclock.config import LightConfig
from binclock.machine import ENABLE_I2C, Finding, Machine, Status, not_installed

REQUIRES = {
    "bh1750": ("busio", "adafruit_bh1750"),
    "tsl2591": ("busio", "adafruit_tsl2591"),
    "sensehat": ("sense_hat", "smbus"),
}
INSTALL = {"sensehat": "install binclock[sensehat] (smbus: sudo apt install python3-smbus)"}


def check(machine: Machine, config: LightConfig) -> tuple[Status, Finding]:
    """What stands between the clock and its light sensor on ``machine``: a warning at
    worst, since without it the clock runs at the brightness configured."""
    sensor = config.sensor
    if sensor == "none":
        return Status.NA, Finding("no [light] sensor: brightness as configured")
    if sensor not in REQUIRES:
        return Status.OK, Finding(f"{sensor}: your own, not checked")
    install = INSTALL.get(sensor, "install binclock[light]")
    missing = not_installed(machine, REQUIRES[sensor], install)
    if missing is not None:
        return Status.WARN, missing
    bus = 1 if sensor == "sensehat" else config.bus
    node = machine.path(f"/dev/i2c-{bus}")
    if not node.exists():
        fix = machine.enable_fix("i2c_arm", ENABLE_I2C) if bus == 1 else "enable that I2C bus"
        return Status.WARN, Finding(f"{sensor}: I2C is not enabled ({machine.shown(node)})", fix)
    if not machine.may_open(node):
        found = f"{sensor}: {machine.user.name} may not open {machine.shown(node)}"
        return Status.WARN, Finding(found, machine.access_fix(node))
    return Status.OK, Finding(f"{sensor} on {machine.shown(node)}")
