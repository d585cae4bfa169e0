"""``binclock doctor``'s row for the light sensor: its library, its I2C bus, and whether the
chip answers at its address. That one read, at the sensor's own address, is all doctor
sends: no other device on the bus is touched, and a clock reading the sensor meanwhile
reads on undisturbed."""

from __future__ import annotations

from binclock.config import LightConfig
from binclock.light.sensors import SENSE_HAT_ADDRESSES, address
from binclock.machine import ENABLE_I2C, Finding, Machine, Reply, Status, not_installed

REQUIRES = {
    "bh1750": ("busio", "adafruit_bh1750"),
    "tsl2591": ("busio", "adafruit_tsl2591"),
    "sensehat": ("sense_hat", "smbus"),
}
INSTALL = {"sensehat": "install binclock[sensehat] (smbus: sudo apt install python3-smbus)"}
LOOK_AT = {"sensehat": "that the HAT is a v2 (v1 has no colour sensor)"}


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
    addresses = SENSE_HAT_ADDRESSES if sensor == "sensehat" else (address(config, sensor),)
    return probe(machine, sensor, bus, addresses)


def probe(
    machine: Machine, sensor: str, bus: int, addresses: tuple[int, ...]
) -> tuple[Status, Finding]:
    """Whether ``sensor`` answers at one of its ``addresses`` on I2C bus ``bus``, tried in
    turn until one does."""
    node = machine.path(f"/dev/i2c-{bus}")
    on = f"on {machine.shown(node)}"
    for at in addresses:
        reply, reason = machine.probe_i2c(node, at)
        if reply is Reply.ANSWERS:
            return Status.OK, Finding(f"{sensor} answers at {at:#04x} {on}")
        if reply is Reply.BUSY:
            found = f"{at:#04x} {on} is held by a kernel driver, so the clock cannot read it"
            fix = "remove the dtoverlay that binds the sensor from config.txt and reboot"
            return Status.WARN, Finding(found, fix)
        if reply is Reply.UNKNOWN:
            return Status.WARN, Finding(f"could not probe {at:#04x} {on}: {reason}")
    tried = " or ".join(f"{at:#04x}" for at in addresses)
    look_at = LOOK_AT.get(sensor, "the wiring and the sensor's ADDR pin")
    fix = f"check {look_at}; i2cdetect -y {bus} lists what answers"
    return Status.WARN, Finding(f"nothing answers at {tried} {on}", fix)
