"""Opening a Sense HAT: the real one (``sense_hat``) or the desktop emulator (``sense_emu``).

Both libraries have the same ``SenseHat`` class. Every way opening can fail becomes a
one-line ``DriverUnavailable`` saying what to do.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any, Literal

from binclock.driver import DriverUnavailable

log = logging.getLogger(__name__)

Backend = Literal["auto", "hardware", "emulator"]

SYSFS_GRAPHICS = Path("/sys/class/graphics")
FRAMEBUFFER_NAME = "RPi-Sense FB"

APT_HINT = (
    "on Raspberry Pi OS run 'sudo apt install python3-sense-hat' and make the virtualenv"
    " with 'python3 -m venv --system-site-packages'"
)
NO_HAT = (
    f"no Sense HAT found: there is no '{FRAMEBUFFER_NAME}' framebuffer (is the HAT seated?"
    " Raspberry Pi OS loads it at boot, or add 'dtoverlay=rpi-sense' to config.txt and reboot)"
)
GROUPS = {"/dev/fb": "video", "/dev/input/": "input", "/dev/i2c": "i2c"}


def find_framebuffer(sysfs: Path = SYSFS_GRAPHICS) -> Path | None:
    """The Sense HAT's framebuffer device (``/dev/fbN``), found by its name in sysfs."""
    for entry in sorted(sysfs.glob("fb*")):
        try:
            name = (entry / "name").read_text().strip()
        except OSError:
            continue
        if name == FRAMEBUFFER_NAME:
            return Path("/dev") / entry.name
    return None


def permission_hint(path: str | None) -> str:
    """One line for a PermissionError on ``path``: which group the user needs."""
    where = path or "a Sense HAT device"
    for prefix, group in GROUPS.items():
        if where.startswith(prefix):
            return (
                f"permission denied on {where}: add the user to the '{group}' group"
                f" ('sudo usermod -aG {group} $USER') and log in again"
            )
    return f"permission denied on {where}"


def open_sense_hat(
    backend: Backend, backend_key: str, sysfs: Path = SYSFS_GRAPHICS
) -> tuple[Any, str]:
    """A ``SenseHat`` for ``backend`` and the backend it is ("hardware" or "emulator");
    ``backend_key`` is the option as the configuration names it, for the hints.

    ``auto`` is the real HAT when its framebuffer exists; without one it says how to use
    the emulator instead of starting it unasked. The library is looked for first, as the
    doctor does: without it, whether a HAT is seated is beside the point.
    """
    if backend == "emulator":
        return open_emulator(), "emulator"
    sense_hat = import_sense_hat(backend_key)
    if backend == "auto" and find_framebuffer(sysfs) is None:
        raise DriverUnavailable(
            f"{NO_HAT}; to use the desktop emulator instead, start sense_emu_gui and set"
            f' {backend_key}="emulator"'
        )
    return open_hardware(sense_hat, sysfs), "hardware"


def import_sense_hat(backend_key: str) -> Any:
    """The ``sense_hat`` library, or DriverUnavailable saying how to install it (or to set
    ``backend_key`` to the emulator)."""
    try:
        import sense_hat
    except ModuleNotFoundError as exc:
        if exc.name == "RTIMU":
            raise DriverUnavailable(
                f"sense-hat is installed but its RTIMU library is missing (pip cannot install"
                f" it): {APT_HINT}"
            ) from None
        raise DriverUnavailable(
            f'the sense-hat library is not installed: {APT_HINT} (or set {backend_key}="emulator")'
        ) from None
    except ImportError as exc:
        raise DriverUnavailable(
            f"the sense-hat library failed to load ({exc}): {APT_HINT}"
        ) from None
    return sense_hat


def open_hardware(sense_hat: Any, sysfs: Path = SYSFS_GRAPHICS) -> Any:
    """The real HAT through the ``sense_hat`` library."""
    try:
        return sense_hat.SenseHat()
    except PermissionError as exc:
        raise DriverUnavailable(permission_hint(exc.filename)) from None
    except (OSError, RuntimeError) as exc:
        if find_framebuffer(sysfs) is None:
            raise DriverUnavailable(NO_HAT) from None
        raise DriverUnavailable(f"the Sense HAT cannot be opened: {exc}") from None


def open_emulator() -> Any:
    """The desktop emulator through ``sense_emu``.

    ``sense_emu`` starts ``sense_emu_gui`` itself when no emulator is running; its warning
    about that is logged rather than printed (its other warnings are for its developers).
    """
    try:
        import sense_emu
    except ImportError:
        raise DriverUnavailable(
            "the Sense HAT emulator is not installed: 'pip install sense-emu' (on Raspberry Pi"
            " OS: 'sudo apt install sense-emu-tools'), then start sense_emu_gui"
        ) from None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            sense = sense_emu.SenseHat()
        except FileNotFoundError as exc:
            if exc.filename == "sense_emu_gui":
                raise DriverUnavailable(
                    "no Sense HAT emulator is running and sense_emu_gui is not on PATH: start"
                    " sense_emu_gui first (it comes with 'sudo apt install sense-emu-tools')"
                ) from None
            raise DriverUnavailable(f"the Sense HAT emulator cannot be opened: {exc}") from None
        except PermissionError as exc:
            raise DriverUnavailable(permission_hint(exc.filename)) from None
        except OSError as exc:
            raise DriverUnavailable(f"the Sense HAT emulator cannot be opened: {exc}") from None
    for warning in caught:
        if warning.category in (Warning, UserWarning):
            log.warning("sense_emu: %s", warning.message)
    return sense
