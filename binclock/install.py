"""``binclock service install``/``uninstall``: the systemd unit for this installation."""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

UNIT = "binclock.service"
DROP_IN = "rpi-ws281x-pwm.conf"
UNIT_DIR = Path("etc/systemd/system")
CONFIG = Path("/etc/binclock/config.toml")
HOMES = ("/home/", "/root/")


class InstallError(Exception):
    """The unit cannot be installed as asked; the message says why."""


@dataclass(frozen=True)
class Plan:
    """What ``install`` wrote, and the commands that start the service."""

    written: tuple[Path, ...]
    commands: tuple[str, ...]


def template(name: str) -> str:
    return resources.files("binclock.systemd").joinpath(name).read_text()


def command(executable: str = sys.executable) -> list[str]:
    """How to start this installation: its ``binclock`` script, else ``python -m binclock``."""
    script = Path(executable).parent / "binclock"
    return [str(script)] if script.is_file() else [executable, "-m", "binclock"]


def existing_groups(root: Path) -> set[str]:
    """Group names in ``root``'s /etc/group."""
    try:
        lines = (root / "etc/group").read_text().splitlines()
    except OSError:
        return set()
    return {line.split(":", 1)[0] for line in lines if line and not line.startswith("#")}


def unit_text(start: list[str], config: Path, groups: set[str]) -> str:
    """The unit for this installation: its ExecStart=, and only groups that exist here.

    The driver is not named on the command line but in the configuration file, so that
    editing the file and reloading is all it takes to change it.
    """
    text = template(UNIT)
    args = [*start, "--config", str(config)]
    text = re.sub(r"^ExecStart=.*$", f"ExecStart={shlex.join(args)}", text, flags=re.M)
    match = re.search(r"^SupplementaryGroups=(.*)$", text, flags=re.M)
    if match:
        kept = [g for g in match.group(1).split() if g in groups]
        line = f"SupplementaryGroups={' '.join(kept)}" if kept else ""
        text = text.replace(match.group(0), line)
    if start[0].startswith(HOMES):
        # ProtectHome=yes would hide a virtualenv kept in a home directory from the service.
        text = re.sub(r"^ProtectHome=yes$", "ProtectHome=read-only", text, flags=re.M)
    return text


def starter_config(driver: str | None) -> str:
    lines = [
        "# binclock configuration; every key is described in docs/configuration.md.",
        "# Check it with: binclock check-config " + str(CONFIG),
        "",
    ]
    if driver:
        lines.append(f'driver = "{driver}"')
    lines += ['face = "binary"', "", "[display]", "brightness = 0.5", ""]
    return "\n".join(lines)


def install(
    root: Path,
    *,
    driver: str | None = None,
    config: Path = CONFIG,
    pwm: bool = False,
    start: list[str] | None = None,
) -> Plan:
    """Write the unit (and the root drop-in for PWM) under ``root``; create the config."""
    unit_dir = root / UNIT_DIR
    if not unit_dir.is_dir():
        raise InstallError(f"{unit_dir} does not exist: is this a systemd system?")
    start = start or command()
    written = []
    unit = unit_dir / UNIT
    unit.write_text(unit_text(start, config, existing_groups(root)))
    unit.chmod(0o644)
    written.append(unit)
    drop_in_dir = unit_dir / f"{UNIT}.d"
    if pwm:
        drop_in_dir.mkdir(exist_ok=True)
        (drop_in_dir / DROP_IN).write_text(template(DROP_IN))
        written.append(drop_in_dir / DROP_IN)
    elif (drop_in_dir / DROP_IN).exists():
        (drop_in_dir / DROP_IN).unlink()
    config_file = root / config.relative_to("/") if config.is_absolute() else root / config
    if not config_file.exists():
        config_file.parent.mkdir(parents=True, exist_ok=True)
        config_file.write_text(starter_config(driver))
        config_file.chmod(0o644)
        written.append(config_file)
    commands = (
        "systemctl daemon-reload",
        "systemctl enable binclock",
        "systemctl restart binclock",
        "journalctl -u binclock -f",
    )
    return Plan(tuple(written), commands)


def uninstall(root: Path) -> Plan:
    """Remove the unit and its drop-in; the configuration is kept."""
    unit_dir = root / UNIT_DIR
    removed = []
    for path in (unit_dir / f"{UNIT}.d" / DROP_IN, unit_dir / UNIT):
        if path.exists():
            path.unlink()
            removed.append(path)
    drop_in_dir = unit_dir / f"{UNIT}.d"
    if drop_in_dir.is_dir() and not any(drop_in_dir.iterdir()):
        drop_in_dir.rmdir()
    return Plan(tuple(removed), ("systemctl daemon-reload",))
