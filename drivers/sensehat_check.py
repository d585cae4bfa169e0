"""What ``binclock doctor`` and ``--list-drivers`` find for the Sense HAT driver: what
sense_hat's ``SenseHat()`` needs (the library, the framebuffer, I2C and the joystick
device), or only sense_emu for the emulator."""

from __future__ import annotations

from pathlib import Path

from binclock.drivers.sensehat_backends import (
    APT_HINT,
    FRAMEBUFFER_NAME,
    SYSFS_GRAPHICS,
    Backend,
    find_framebuffer,
)
from binclock.machine import ENABLE_I2C, Finding, Machine

SYSFS_INPUT = "/sys/class/input"
JOYSTICK_NAME = "Raspberry Pi Sense HAT Joystick"  # the name sense_hat looks its stick up by


def framebuffer(machine: Machine) -> Path | None:
    """The Sense HAT's ``/dev/fbN`` under the root, found by the driver's own lookup."""
    device = find_framebuffer(machine.path(SYSFS_GRAPHICS))
    return None if device is None else machine.path(device)


def joystick(machine: Machine) -> Path | None:
    """The Sense HAT joystick's ``/dev/input/eventN``, found as sense_hat finds it."""
    for entry in machine.glob(SYSFS_INPUT, "event*"):
        try:
            name = (entry / "device" / "name").read_text().strip()
        except OSError:
            continue
        if name == JOYSTICK_NAME:
            return machine.path(f"/dev/input/{entry.name}")
    return None


def check(machine: Machine, backend: Backend, backend_key: str) -> Finding:
    """What opening ``backend`` would find on ``machine``; ``backend_key`` is the option as
    the configuration names it, for the hints."""
    if backend == "emulator":
        if not machine.importable(("sense_emu",)):
            return Finding(
                "emulator: no module sense_emu",
                "pip install sense-emu (on Raspberry Pi OS: sudo apt install sense-emu-tools)",
            )
        return Finding("emulator: start sense_emu_gui before binclock")
    missing = machine.missing(("sense_hat", "RTIMU"))
    if missing:
        return Finding(f"not installed: no module {', '.join(missing)}", APT_HINT)
    fb = framebuffer(machine)
    if fb is None:
        emulator = f' (or set {backend_key} = "emulator")' * (backend == "auto")
        return Finding(
            f"no '{FRAMEBUFFER_NAME}' framebuffer: no Sense HAT",
            "seat the HAT and reboot (or add dtoverlay=rpi-sense to /boot/firmware/config.txt"
            f" and reboot){emulator}",
        )
    shown = machine.shown(fb)
    if not machine.may_open(fb):
        return Finding(f"{shown}: may not open it", machine.access_fix(fb))
    if not machine.glob("/dev", "i2c*"):
        return Finding(
            f"{shown}, but I2C is off (sense_hat needs it)",
            machine.enable_fix("i2c_arm", ENABLE_I2C),
        )
    stick = joystick(machine)
    if stick is None:
        return Finding(
            f"{shown}, but no joystick device", "reboot with the HAT seated (rpi-sense overlay)"
        )
    if not machine.may_open(stick, write=False):
        return Finding(f"{machine.shown(stick)}: may not read it", machine.access_fix(stick))
    return Finding(f"Sense HAT on {shown}")
