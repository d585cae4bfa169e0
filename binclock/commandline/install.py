"""``binclock service install``/``uninstall``: the systemd unit for this installation."""

from __future__ import annotations

import errno
import importlib.util
import ipaddress
import os
import re
import shlex
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from binclock import config as configuration
from binclock.web import access

UNIT = "binclock.service"
WEB_UNIT = "binclock-web.service"
MQTT_UNIT = "binclock-mqtt.service"
DROP_IN = "rpi-ws281x-pwm.conf"
UNIT_DIR = Path("etc/systemd/system")
SYSUSERS = Path("etc/sysusers.d/binclock.conf")
# The group that owns the control socket, made by the sysusers.d snippet below.
GROUP = configuration.ControlConfig.model_fields["group"].default
SUBCOMMAND = {UNIT: [], WEB_UNIT: ["web"], MQTT_UNIT: ["mqtt"]}
SYSUSERS_TEXT = f"""\
# The group of binclock's control socket: its members may change the running clock.
# Written by binclock service install; made by systemd-sysusers.
g {GROUP} -
"""
LISTEN = configuration.WebConfig.model_fields["listen"].default  # when [web] listen is unset
# The clients a web page listening on a private or every address may have: this machine and
# the local networks (RFC 1918, link-local, IPv6 unique local), never the internet.
LOCAL_NETWORKS = "localhost link-local 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 fc00::/7"
CONFIG = Path("/etc/binclock/config.toml")
HOMES = ("/home/", "/root/")
TEMPORARY = ("/tmp", "/var/tmp")  # PrivateTmp=yes gives the service its own, empty ones
# The files the MQTT bridge reads besides the configuration: the broker's password and TLS.
SECRETS = ("password_file", "ca_file", "cert_file", "key_file")


class InstallError(Exception):
    """The unit cannot be installed as asked; the message says why."""


@dataclass(frozen=True)
class Plan:
    """What ``install`` wrote (or ``uninstall`` removed), the commands to run next, and what
    looks wrong about the result."""

    written: tuple[Path, ...]
    commands: tuple[str, ...]
    warnings: tuple[str, ...] = ()


def is_live(root: Path) -> bool:
    """Whether ``root`` is this system's own, not a folder for a dry run."""
    return root.resolve() == Path("/")


def require_root(root: Path) -> None:
    """Only root may change the units of this system; a dry run into a folder is anyone's."""
    if is_live(root) and os.geteuid() != 0:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(root / UNIT_DIR))


def template(name: str) -> str:
    return resources.files("binclock.systemd").joinpath(name).read_text()


def command(executable: str = sys.executable) -> list[str]:
    """How to start this installation: its ``binclock`` script, else ``python -m binclock``."""
    script = Path(executable).parent / "binclock"
    return [str(script)] if script.is_file() else [executable, "-m", "binclock"]


def existing_groups(root: Path) -> set[str]:
    """Group names in ``root``'s /etc/group."""
    return set(group_ids(root))


def group_ids(root: Path) -> dict[str, int | None]:
    """The groups in ``root``'s /etc/group: name -> id (None if unreadable)."""
    try:
        lines = (root / "etc/group").read_text().splitlines()
    except OSError:
        return {}
    fields = [line.split(":") for line in lines if line and not line.startswith("#")]
    return {f[0]: int(f[2]) if len(f) > 2 and f[2].isdigit() else None for f in fields}


def unit_text(
    start: list[str], config: Path, groups: set[str], name: str = UNIT, listen: str = LISTEN
) -> str:
    """The unit ``name`` for this installation: its ExecStart=, only groups that exist here
    (and binclock, which install makes), and the web page's clients allowed by ``listen``.

    The driver is not named on the command line but in the configuration file, so that
    editing the file and reloading is all it takes to change it.
    """
    text = template(name)
    args = [*start, *SUBCOMMAND[name], "--config", str(config)]
    text = re.sub(r"^ExecStart=.*$", f"ExecStart={shlex.join(args)}", text, flags=re.M)
    text = re.sub(
        r"^IPAddressAllow=.*$", f"IPAddressAllow={allowed_clients(listen)}", text, flags=re.M
    )
    match = re.search(r"^SupplementaryGroups=(.*)$", text, flags=re.M)
    if match:
        kept = [g for g in match.group(1).split() if g in groups | {GROUP}]
        line = f"SupplementaryGroups={' '.join(kept)}" if kept else ""
        text = text.replace(match.group(0), line)
    if start[0].startswith(HOMES):
        # ProtectHome=yes would hide a virtualenv kept in a home directory from the service.
        text = re.sub(r"^ProtectHome=yes$", "ProtectHome=read-only", text, flags=re.M)
    return text


def allowed_clients(listen: str) -> str:
    """IPAddressAllow= for a web page listening on ``listen`` (host:port, [v6]:port):
    localhost for a loopback address; any client for a public one; else (every address, a
    private one, a host name) this machine and the local networks."""
    try:
        host = access.parse_listen(listen)[0]
    except ValueError:
        return "localhost"  # binclock web refuses to start on it
    if access.is_loopback(host):
        return "localhost"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return LOCAL_NETWORKS
    if address.is_global:
        return "any"
    return LOCAL_NETWORKS


def table(config_file: Path, name: str) -> dict:
    """The table ``name`` of ``config_file`` as written; empty when the file or the table is
    missing or invalid (``check-config`` says why)."""
    try:
        found = configuration.read_toml(config_file).get(name, {})
    except configuration.ConfigError:
        return {}
    return found if isinstance(found, dict) else {}


def web_listen(config_file: Path) -> str:
    """The web page's listen address in ``config_file`` ([web] listen), or the default."""
    listen = table(config_file, "web").get("listen", LISTEN)
    return listen if isinstance(listen, str) else LISTEN


def hidden_start(start: list[str]) -> str | None:
    """Why the service could not find its own program, if it could not."""
    for folder in TEMPORARY:
        if Path(start[0]).is_relative_to(folder):
            return (
                f"{start[0]} is in {folder}, which PrivateTmp=yes hides from the service:"
                " install binclock outside it (a virtualenv in /opt)"
            )
    return None


def _programs(start: list[str]) -> list[Path]:
    """The files the service runs to start: the program, where its links lead, and the
    interpreter its ``#!`` line names (a virtualenv's Python links to the system's)."""
    program = Path(start[0])
    found = [program, program.resolve()]
    try:
        with program.open("rb") as f:
            first = f.readline(512)
    except OSError:
        return found
    if first.startswith(b"#!"):
        interpreter = Path(first[2:].split()[0].decode(errors="replace"))
        found += [interpreter, interpreter.resolve()]
    return found


def closed_folder(start: list[str]) -> str | None:
    """Why the service's own user could not start the program: a folder on the way to it
    (or to its Python) that other users may not enter, as a private home directory."""
    for path in _programs(start):
        for folder in reversed(path.parents):
            try:
                mode = folder.stat().st_mode
            except OSError:
                break
            if not mode & stat.S_IXOTH:
                return (
                    f"{path} is inside {folder} (mode {stat.S_IMODE(mode):04o}), which the"
                    " service's own user may not enter: install binclock in /opt"
                    f" (sudo python3 -m venv /opt/binclock) or run: sudo chmod o+x {folder}"
                )
    return None


def needless_pwm(driver: str | None, config_file: Path) -> str | None:
    """Why the root drop-in would serve nothing: the display the service starts with does
    not use rpi_ws281x's PWM/PCM backend. None when it may, or when the file is invalid
    (``check-config`` says why)."""
    from binclock.drivers.neopixel.options import NeoPixelOptions
    from binclock.drivers.neopixel.preflight import PCM_PIN, PWM_CHANNEL

    try:
        cfg = configuration.validate(configuration.read_toml(config_file), config_file)
        names = configuration.names_of(driver) or list(cfg.driver_names)
        options = NeoPixelOptions.model_validate(cfg.drivers.get("neopixel", {}))
    except (configuration.ConfigError, ValueError):
        return None
    pin = options.data_pin(options.backend)
    if "neopixel" not in names:
        who = f"the {', '.join(names)} driver" + ("s" if len(names) > 1 else "")
    elif options.backend == "spi":
        who = "the neopixel driver's spi backend"
    elif pin not in (*PWM_CHANNEL, PCM_PIN):
        who = f"the neopixel driver on GPIO {pin}"
    else:
        return None
    return (
        f"--pwm: {who} does not use rpi_ws281x's PWM/PCM backend, so the root drop-in only"
        " takes hardening away: install again without --pwm"
    )


def mqtt_problems(root: Path, config: Path, config_file: Path, start: list[str]) -> list[str]:
    """Why the MQTT bridge's unit could not run as configured: paho-mqtt missing, no broker
    named, or a password or TLS file it could not read (in a folder its sandbox hides, or
    closed to its group)."""
    mqtt = table(config_file, "mqtt")
    problems = []
    if importlib.util.find_spec("paho") is None:
        problems.append(
            "--mqtt: paho-mqtt is not installed with this binclock: the bridge exits 69 until"
            " it is (pip install 'binclock[mqtt]')"
        )
    if not mqtt.get("host"):
        problems.append(
            f"--mqtt: [mqtt] host is not set in {config}: the bridge exits 78 until it names"
            " the broker"
        )
    hidden = TEMPORARY if start[0].startswith(HOMES) else (*TEMPORARY, *HOMES)
    for key in SECRETS:
        value = mqtt.get(key)
        if not isinstance(value, str) or not value.startswith("/"):
            continue
        folder = next((f for f in hidden if Path(value).is_relative_to(f)), None)
        if folder:
            problems.append(
                f"--mqtt: [mqtt] {key} {value} is in {folder.rstrip('/')}, which the bridge's"
                f" sandbox hides from it: keep it in {config.parent} (0640 root:{GROUP})"
            )
        elif not group_may_read(root, root / value.lstrip("/")):
            problems.append(
                f"--mqtt: [mqtt] {key} {value} is closed to the bridge's user: run"
                f" sudo chown root:{GROUP} {value}; sudo chmod 0640 {value}"
            )
    return problems


def group_may_read(root: Path, path: Path) -> bool:
    """Whether a member of the control socket's group may read ``path`` (true when it is
    missing: the bridge says so itself)."""
    try:
        info = path.stat()
    except OSError:
        return True
    if info.st_mode & stat.S_IROTH:
        return True
    return bool(info.st_mode & stat.S_IRGRP) and info.st_gid == group_ids(root).get(GROUP)


def driver_value(driver: str) -> str:
    """``--driver``'s value as the configuration file writes it (``a,b``: a list)."""
    return configuration.toml_value(configuration.driver_names(driver))


def starter_config(driver: str | None) -> str:
    lines = [
        "# binclock configuration; every key is described in docs/configuration.md.",
        "# Check it with: binclock check-config " + str(CONFIG),
        "",
    ]
    if driver:
        lines.append(f"driver = {driver_value(driver)}")
    lines += ['face = "binary"', "", "[display]", "brightness = 0.5", ""]
    return "\n".join(lines)


def install(
    root: Path,
    *,
    driver: str | None = None,
    config: Path = CONFIG,
    pwm: bool = False,
    web: bool = False,
    mqtt: bool = False,
    start: list[str] | None = None,
) -> Plan:
    """Write the unit (and the root drop-in for PWM, the web page's and the MQTT bridge's
    units) under ``root`` with the sysusers.d snippet of the control socket's group; create
    the config.
    Nothing is enabled or started: the plan's commands do that."""
    unit_dir = root / UNIT_DIR
    if not unit_dir.is_dir():
        raise InstallError(f"{unit_dir} does not exist: is this a systemd system?")
    start = start or command()
    config_file = root / config.relative_to("/") if config.is_absolute() else root / config
    groups = existing_groups(root)
    written = [
        _write(unit_dir / UNIT, unit_text(start, config, groups)),
        _write(root / SYSUSERS, SYSUSERS_TEXT),
    ]
    if web:
        text = unit_text(start, config, groups, WEB_UNIT, web_listen(config_file))
        written.append(_write(unit_dir / WEB_UNIT, text))
    if mqtt:
        written.append(_write(unit_dir / MQTT_UNIT, unit_text(start, config, groups, MQTT_UNIT)))
    drop_in_dir = unit_dir / f"{UNIT}.d"
    if pwm:
        drop_in_dir.mkdir(exist_ok=True)
        (drop_in_dir / DROP_IN).write_text(template(DROP_IN))
        written.append(drop_in_dir / DROP_IN)
    elif (drop_in_dir / DROP_IN).exists():
        (drop_in_dir / DROP_IN).unlink()
    if not config_file.exists():
        config_file.parent.mkdir(parents=True, exist_ok=True)
        config_file.write_text(starter_config(driver))
        config_file.chmod(0o644)
        written.append(config_file)
    warnings = [
        hidden_start(start) or closed_folder(start),
        needless_pwm(driver, config_file) if pwm else None,
        *(mqtt_problems(root, config, config_file, start) if mqtt else []),
    ]
    names = [unit.removesuffix(".service") for unit in units(web, mqtt)]
    commands = (
        "systemd-sysusers",
        "systemctl daemon-reload",
        f"systemctl enable {' '.join(names)}",
        f"systemctl restart {' '.join(names)}",
        f"journalctl {' '.join(f'-u {name}' for name in names)} -f",
    )
    return Plan(tuple(written), commands, tuple(w for w in warnings if w))


def units(web: bool, mqtt: bool) -> tuple[str, ...]:
    """The units of the clock, and of its web page and MQTT bridge when asked for."""
    return (UNIT, *([WEB_UNIT] if web else []), *([MQTT_UNIT] if mqtt else []))


def _write(path: Path, text: str) -> Path:
    """Write a file every user may read (systemd reads units as root, but tools do not)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o644)
    return path


def uninstall(root: Path, stop: Callable[[list[str]], object] = lambda units: None) -> Plan:
    """Stop the installed units with ``stop``, then remove them, the clock's drop-in and the
    sysusers.d snippet; the configuration (and the binclock group) is kept."""
    unit_dir = root / UNIT_DIR
    installed = [unit for unit in units(web=True, mqtt=True) if (unit_dir / unit).exists()]
    if installed:
        stop(installed)
    removed = []
    paths = (
        unit_dir / f"{UNIT}.d" / DROP_IN,
        unit_dir / UNIT,
        unit_dir / WEB_UNIT,
        unit_dir / MQTT_UNIT,
        root / SYSUSERS,
    )
    for path in paths:
        if path.exists():
            path.unlink()
            removed.append(path)
    drop_in_dir = unit_dir / f"{UNIT}.d"
    if drop_in_dir.is_dir() and not any(drop_in_dir.iterdir()):
        drop_in_dir.rmdir()
    return Plan(tuple(removed), ("systemctl daemon-reload",))
