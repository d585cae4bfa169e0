"""``binclock doctor``: what on this machine stands between the clock and its displays.

Every check gives a ``Row``: a status, what was checked, what was found and a one-line fix.
The machine-wide checks are here (the board, clock sync, the configuration, the Pi's device
nodes, the user's groups); each driver's row is what the driver's own ``check`` finds on the
``binclock.machine.Machine``, so this module imports no driver (the buttons' check is
imported when buttons are configured). Nothing opens a device but the light sensor's I2C
bus, for one read at the sensor's address.

Statuses: ``ok``; ``warn`` (worth fixing, the clock still runs); ``fail`` (the configured
clock cannot run); ``n/a`` (not used or not present here). A driver's problem is a ``fail``
for the driver in use, a ``warn`` for one with a ``[drivers.NAME]`` table, else ``n/a``.
Exit status: 0 when no row fails, 1 otherwise.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from binclock import config, registry
from binclock.light.check import check as light_check
from binclock.machine import (
    ENABLE_I2C,
    ENABLE_SPI,
    MODEL,
    PIO,
    Finding,
    Group,
    Machine,
    Status,
    User,
)
from binclock.machine import check as machine_check
from binclock.pipeline import displays, stdout_clash
from binclock.sync import TIMESYNCD_FLAG, SyncCheck

__all__ = ["Finding", "Group", "Machine", "Row", "Status", "User", "diagnose", "run"]

Loader = Callable[[], tuple[config.Config, Path | None]]

GROUPS = ("gpio", "spi", "i2c", "video", "input")  # what Raspberry Pi OS gives device access by
SPIDEV = "/dev/spidev0.0"
I2C = "/dev/i2c-1"
UPGRADE = "update the system and firmware: sudo apt full-upgrade, then reboot"
STATUS_WIDTH = 8


@dataclass(frozen=True)
class Row:
    """One line of the report; ``fix`` is empty when there is nothing to do."""

    status: Status
    check: str
    found: str
    fix: str = ""


@dataclass(frozen=True)
class Setup:
    """The configuration as far as it could be read: ``config`` is None when it is invalid,
    ``in_use`` names the drivers of the displays it selects (none when one is unknown)."""

    config: config.Config | None
    source: Path | None
    in_use: tuple[str, ...]
    row: Row


def diagnose(machine: Machine, load_config: Loader) -> list[Row]:
    """Every check, machine first, then the configuration, devices and each installed driver."""
    setup = read_config(load_config)
    rows = [board(machine), clock(machine), setup.row]
    if machine.is_pi:
        rows += [*devices(machine), groups(machine)]
    rows += drivers(machine, setup)
    return rows + buttons(machine, setup, rows) + light(machine, setup)


def exit_status(rows: Iterable[Row]) -> int:
    """0 when nothing fails, 1 otherwise (warnings do not count)."""
    return 1 if any(row.status is Status.FAIL for row in rows) else 0


def run(load_config: Loader, machine: Machine | None = None, out: TextIO | None = None) -> int:
    """Check this machine, print the table sized to the terminal, and return the exit status."""
    rows = diagnose(machine or Machine(), load_config)
    width = shutil.get_terminal_size((100, 24)).columns
    print(table(rows, width), file=out or sys.stdout)
    return exit_status(rows)


def table(rows: Sequence[Row], width: int = 100) -> str:
    """The rows as aligned STATUS, CHECK and FOUND columns; each fix on its own line below
    what it fixes, wrapped to ``width``, then a count of failures and warnings."""
    check_width = max(len("CHECK"), *(len(row.check) for row in rows)) + 2
    indent = " " * (STATUS_WIDTH + check_width)
    fill = max(width - len(indent), 30)
    lines = [f"{'STATUS':<{STATUS_WIDTH}}{'CHECK':<{check_width}}FOUND"]
    for row in rows:
        found = textwrap.wrap(row.found, fill, break_on_hyphens=False) or [""]
        lines.append(
            f"{row.status.value:<{STATUS_WIDTH}}{row.check:<{check_width}}{found[0]}".rstrip()
        )
        lines += [indent + more for more in found[1:]]
        if row.fix:
            fix = textwrap.wrap(
                row.fix,
                fill,
                initial_indent="fix: ",
                subsequent_indent="     ",
                break_on_hyphens=False,
            )
            lines += [indent + line for line in fix]
    fails = sum(row.status is Status.FAIL for row in rows)
    warns = sum(row.status is Status.WARN for row in rows)
    lines.append("")
    verdict = "the clock can run" if not fails else "fix the failures to run the clock"
    lines.append(f"{fails} failed, {warns} warning{'s' * (warns != 1)}: {verdict}")
    return "\n".join(lines)


# -- the machine ------------------------------------------------------------------------


def board(machine: Machine) -> Row:
    if machine.is_pi:
        return Row(Status.OK, "board", machine.model or "")
    seen = f"{machine.model!r}" if machine.model else f"no {MODEL}"
    return Row(
        Status.NA,
        "board",
        f"not a Raspberry Pi ({seen}): device checks skipped",
        "hardware displays need a Pi; the terminal, jsonl, png and gif drivers run anywhere",
    )


def clock(machine: Machine) -> Row:
    flag = machine.path(TIMESYNCD_FLAG)
    state = machine.kernel_state()
    if SyncCheck(flag, lambda: state).synchronised():
        how = "systemd-timesyncd" if flag.exists() else "the kernel's NTP status"
        return Row(Status.OK, "clock", f"synchronised ({how})")
    if state is None:
        return Row(Status.NA, "clock", "cannot tell whether the clock is synchronised")
    return Row(
        Status.WARN,
        "clock",
        "not synchronised yet: the time shown may be wrong (a Pi has no battery clock)",
        "connect to the network and check NTP with 'timedatectl status'"
        " (sudo systemctl enable --now systemd-timesyncd)",
    )


def read_config(load_config: Loader) -> Setup:
    """The configuration, its driver found and its face with its options checked (the
    driver's own options are checked in the driver's row)."""
    try:
        cfg, source = load_config()
    except config.ConfigError as exc:
        return Setup(None, None, (), Row(Status.FAIL, "config", "invalid", str(exc)))
    where = str(source) if source else "no file: built-in defaults"
    origin = str(source or "built-in defaults")
    in_use = tuple(dict.fromkeys(display.driver for display in displays(cfg)))
    for name in in_use:
        unknown = registry.unknown(registry.DRIVERS, name)
        if unknown is not None:
            return Setup(cfg, source, (), Row(Status.FAIL, "config", where, f"{origin}: {unknown}"))
    try:
        registry.configure(registry.FACES, cfg.face, cfg, source)
    except registry.PluginError as exc:
        return Setup(cfg, source, in_use, Row(Status.FAIL, "config", where, f"{origin}: {exc}"))
    except config.ConfigError as exc:
        return Setup(cfg, source, in_use, Row(Status.FAIL, "config", where, str(exc)))
    clash = stdout_clash(cfg)
    if clash is not None:
        fix = f"{origin}: driver = {config.toml_value(cfg.driver)}: {clash}"
        return Setup(cfg, source, in_use, Row(Status.FAIL, "config", where, fix))
    found = f"{where} (driver {', '.join(cfg.driver_names)}, face {cfg.face})"
    return Setup(cfg, source, in_use, Row(Status.OK, "config", found))


def devices(machine: Machine) -> list[Row]:
    """The Pi's device nodes a display may need: present, and open to this user."""
    gpiomem = "/dev/gpiomem0" if machine.is_pi5 else "/dev/gpiomem"
    rows = [
        device_row(machine, "GPIO chips", "/dev/gpiochip*", UPGRADE),
        device_row(machine, "GPIO memory", gpiomem, UPGRADE),
        device_row(machine, "SPI", SPIDEV, machine.enable_fix("spi", ENABLE_SPI)),
        device_row(machine, "I2C", I2C, machine.enable_fix("i2c_arm", ENABLE_I2C)),
    ]
    if machine.is_pi5:
        rows.append(device_row(machine, "PIO", PIO, f"NeoPixels on a Pi 5 need it; {UPGRADE}"))
    else:
        rows.append(root_memory(machine))
    return rows


def device_row(machine: Machine, check: str, nodes: str, absent_fix: str) -> Row:
    """ok when every node matching ``nodes`` exists and opens; warn when one exists but does
    not open; n/a when there is none (``absent_fix`` says how to get it)."""
    folder, _, pattern = nodes.rpartition("/")
    present = machine.glob(folder, pattern)
    if not present:
        return Row(Status.NA, check, f"{nodes} is missing", absent_fix)
    shown = ", ".join(machine.shown(p) for p in present)
    closed = [p for p in present if not machine.may_open(p)]
    if not closed:
        return Row(Status.OK, check, shown)
    return Row(
        Status.WARN,
        check,
        f"{shown}: {machine.user.name} may not open {machine.shown(closed[0])}",
        machine.access_fix(closed[0]),
    )


def root_memory(machine: Machine) -> Row:
    """/dev/mem: what rpi_ws281x's PWM and PCM need, so root only on a Pi 1-4."""
    if machine.may_open(machine.path("/dev/mem")):
        return Row(Status.OK, "/dev/mem", "open to this process: NeoPixels may use PWM or PCM")
    return Row(
        Status.NA,
        "/dev/mem",
        "only root may open it; NeoPixels on GPIO 12, 13, 18, 19 or 21 (PWM/PCM) need it",
        "for those pins run binclock as root (sudo binclock service install --pwm), or wire"
        " the data line to GPIO 10 and use the spi backend",
    )


def groups(machine: Machine) -> Row:
    """The device groups of Raspberry Pi OS the user is not in (this login session)."""
    user = machine.user
    if user.uid == 0:
        return Row(Status.OK, "groups", "root: every device may be opened")
    known = [name for name in GROUPS if machine.group(name) is not None]
    missing = [name for name in known if name not in user.groups]
    if not missing:
        return Row(Status.OK, "groups", f"{user.name} is in {', '.join(known)}")
    found = f"{user.name} is not in {', '.join(missing)}"
    return Row(Status.WARN, "groups", found, machine.join_fix(missing))


# -- the drivers ------------------------------------------------------------------------


def light(machine: Machine, setup: Setup) -> list[Row]:
    """The light sensor's row, when the configuration names one."""
    if setup.config is None or setup.config.light.sensor == "none":
        return []
    status, finding = light_check(machine, setup.config.light)
    return [Row(status, "light sensor", finding.found, finding.fix)]


def buttons(machine: Machine, setup: Setup, before: Sequence[Row]) -> list[Row]:
    """The ``[[controls.buttons]]`` row, when there are buttons, graded ``fail`` as the
    clock stops at start without them; then rows not already in ``before`` (the lgpio
    folder a GPIO display's check already shows)."""
    if setup.config is None or not setup.config.controls.buttons:
        return []
    from binclock.drivers import buttons_check

    first, *more = buttons_check.check(machine, setup.config.controls, taken_pins(setup))
    rows = [Row(Status.FAIL if first.fix else Status.OK, "buttons", first.found, first.fix)]
    rows += [Row(f.status or Status.FAIL, f.check, f.found, f.fix) for f in more if f.check]
    seen = {row.check for row in before}
    return [row for row in rows if row.check not in seen]


def taken_pins(setup: Setup) -> dict[int, str]:
    """The GPIO pins the displays in use take (those whose options say, by a
    ``gpio_pins()``), each with the display's row name."""
    cfg = setup.config
    taken: dict[int, str] = {}
    for display in displays(cfg) if cfg is not None and setup.in_use else ():
        table = (display.table, display.name) if display.table == "displays" else None
        try:
            plugin = registry.configure(registry.DRIVERS, display.driver, cfg, setup.source, table)
        except (registry.PluginError, config.ConfigError):
            continue  # the display's own row says why
        gpio_pins = getattr(plugin.options, "gpio_pins", None)
        name = f"display {display.name}" if table else f"driver {display.driver}"
        for pin in sorted(gpio_pins()) if callable(gpio_pins) else ():
            taken.setdefault(pin, name)
    return taken


def drivers(machine: Machine, setup: Setup) -> list[Row]:
    """One row per installed driver (and for a ``module:Class`` driver in use), from the
    driver's own ``check``; a row per ``[displays.NAME]`` display, checked with its own
    table; the further findings of each driver in use as rows of their own."""
    cfg, in_use = setup.config, setup.in_use
    shown = displays(cfg) if cfg is not None and in_use else ()
    plain = [d.driver for d in shown if d.table == "drivers"]
    names = list(registry.registered(registry.DRIVERS))
    names += [name for name in plain if name not in names]
    rows = []
    for name in names:
        role = Status.FAIL if name in plain else Status.NA
        if role is Status.NA and cfg is not None and name in cfg.drivers:
            role = Status.WARN
        label = f"driver {name}" + (" (in use)" if name in plain else "")
        rows += driver_rows(machine, setup, name, label, role, in_use=name in plain)
    for display in shown:
        if display.table == "displays":
            label = f"display {display.name} (driver {display.driver})"
            where = (display.table, display.name)
            rows += driver_rows(machine, setup, display.driver, label, Status.FAIL, where)
    return rows


def driver_rows(
    machine: Machine,
    setup: Setup,
    name: str,
    label: str,
    role: Status,
    table: tuple[str, str] | None = None,
    in_use: bool = True,
) -> list[Row]:
    """The row of driver ``name`` with its options from ``table`` (``[drivers.NAME]`` when
    None), graded ``role`` when it finds a problem; its further findings when ``in_use``."""
    first, *more = findings(machine, name, setup.config, setup.source, table=table)
    rows = [Row(role if first.fix else Status.OK, label, first.found, first.fix)]
    if in_use:
        rows += [Row(f.status or role, f.check, f.found, f.fix) for f in more if f.check]
    return rows


def findings(
    machine: Machine,
    name: str,
    cfg: config.Config | None = None,
    source: Path | None = None,
    cls: Any = None,
    table: tuple[str, str] | None = None,
) -> list[Finding]:
    """What driver ``name`` (its class ``cls`` when already loaded) finds on ``machine`` with
    its options from ``cfg`` (in ``table``, else ``[drivers.NAME]``; its default options
    without ``cfg``), its own first; a ``fix`` in the first means it cannot run here."""
    try:
        cls = cls or registry.load(registry.DRIVERS, name)
    except registry.PluginError as exc:
        return [Finding("fails to load", str(exc))]
    try:
        options = registry.options(
            registry.DRIVERS, name, cls, cfg or config.Config(), source, table
        )
    except config.ConfigError as exc:
        if cfg is not None:
            kind, key = table or ("drivers", name)
            return [Finding(f"invalid [{kind}.{key}] table", str(exc))]
        options = None  # a plugin whose options have required keys, and no table to read
    return machine_check(cls, machine, options)


def here(name: str, machine: Machine | None = None, cls: Any = None) -> Finding:
    """What driver ``name``'s own check finds with its default options on this machine (a
    ``fix`` means it cannot run here): what ``--list-drivers`` calls READY."""
    return findings(machine or Machine(), name, cls=cls)[0]
