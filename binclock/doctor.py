"""``binclock doctor``: what on this machine stands between the clock and its displays.

Every check gives a ``Row``: a status, what was checked, what was found and a one-line fix.
Paths are read under ``Machine.root`` and device permissions are judged for ``Machine.user``,
so tests can lay out a whole Pi in a temporary directory. Nothing here opens a device or
imports a hardware library; drivers' own detection code (``binclock.drivers``) is reused.

Statuses: ``ok``; ``warn`` (worth fixing, the clock still runs); ``fail`` (the configured
clock cannot run); ``n/a`` (not used or not present here). A driver's problem is a ``fail``
for the driver in use, a ``warn`` for one with a ``[drivers.NAME]`` table, else ``n/a``.
Exit status: 0 when no row fails, 1 otherwise.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel, ValidationError

from binclock import config, registry
from binclock.driver import DriverUnavailable
from binclock.drivers.neopixel.host import MODEL, SPIDEV_BUFSIZ, Host
from binclock.pipeline import displays
from binclock.sync import TIMESYNCD_FLAG, SyncCheck, kernel_clock_state

Loader = Callable[[], tuple[config.Config, Path | None]]

GROUPS = ("gpio", "spi", "i2c", "video", "input")  # what Raspberry Pi OS gives device access by
SPIDEV = "/dev/spidev0.0"
I2C = "/dev/i2c-1"
PIO = "/dev/pio0"
SYSFS_GRAPHICS = "/sys/class/graphics"
SYSFS_INPUT = "/sys/class/input"
JOYSTICK_NAME = "Raspberry Pi Sense HAT Joystick"  # the name sense_hat looks its stick up by
BOOT_CONFIGS = ("/boot/firmware/config.txt", "/boot/config.txt")
ENABLE_SPI = "enable SPI: sudo raspi-config nonint do_spi 0"
ENABLE_I2C = "enable I2C: sudo raspi-config nonint do_i2c 0"
INSTALL_LGPIO = (
    "install lgpio: sudo apt install python3-lgpio (or pip install lgpio); on a Pi 5 only"
    " lgpio works"
)
PIO_RULE = (
    'add the udev rule SUBSYSTEM=="*-pio", GROUP="gpio", MODE="0660" to'
    " /etc/udev/rules.d/99-com.rules, join the gpio group and reboot"
)
UPGRADE = "update the system and firmware: sudo apt full-upgrade, then reboot"
EXTRAS = {"neopixel": "neopixel", "sensehat": "sensehat", "gpio": "gpio", "servo": "gpio"}
EXTRAS |= {"png": "snapshot", "gif": "snapshot", "luma": "luma", "unicornhatmini": "unicornhatmini"}
STATUS_WIDTH = 8


class Status(StrEnum):
    """How a check came out; only FAIL changes the exit status."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    NA = "n/a"


@dataclass(frozen=True)
class Row:
    """One line of the report; ``fix`` is empty when there is nothing to do."""

    status: Status
    check: str
    found: str
    fix: str = ""


@dataclass(frozen=True)
class Finding:
    """What a driver check saw; a non-empty ``fix`` means the driver cannot work as it is."""

    found: str
    fix: str = ""


@dataclass(frozen=True)
class User:
    """Who runs the clock: the user name, uid and the groups this login session has."""

    name: str
    uid: int
    groups: frozenset[str]

    @classmethod
    def current(cls) -> User:
        uid = os.geteuid()
        try:
            name = pwd.getpwuid(uid).pw_name
        except KeyError:
            name = str(uid)
        names = set()
        for gid in {os.getegid(), *os.getgroups()}:
            try:
                names.add(grp.getgrgid(gid).gr_name)
            except KeyError:
                continue
        return cls(name, uid, frozenset(names))


@dataclass(frozen=True)
class Group:
    """A group of the system's group database and the users listed as its members."""

    name: str
    gid: int
    members: frozenset[str] = frozenset()


def system_groups() -> tuple[Group, ...]:
    return tuple(Group(g.gr_name, g.gr_gid, frozenset(g.gr_mem)) for g in grp.getgrall())


@dataclass(frozen=True)
class Machine:
    """The machine under examination.

    ``stat`` reads a path's owner and mode, ``kernel_state`` is adjtimex's clock state,
    ``importable`` says whether modules could be imported, ``cwd`` is the working directory
    and ``writable`` whether this process may create files in a folder (a read-only file
    system included); tests replace them all.
    """

    root: Path = Path("/")
    user: User = field(default_factory=User.current)
    groups: tuple[Group, ...] = field(default_factory=system_groups)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    stat: Callable[[Path], os.stat_result] = os.stat
    kernel_state: Callable[[], int | None] = kernel_clock_state
    importable: Callable[[tuple[str, ...]], bool] = registry.importable
    cwd: Path = field(default_factory=Path.cwd)
    writable: Callable[[Path], bool] = lambda path: os.access(path, os.W_OK)

    def path(self, absolute: str | Path) -> Path:
        """``absolute`` (such as ``/dev/gpiomem``) under the root."""
        return self.root / str(absolute).lstrip("/")

    def shown(self, path: Path) -> str:
        """``path`` as the machine itself names it."""
        try:
            return "/" + str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def unrooted(self, text: str) -> str:
        """``text`` (a driver's message) with paths under the root named as the machine's."""
        return text if self.root == Path("/") else text.replace(f"{self.root}/", "/")

    def glob(self, absolute: str, pattern: str) -> list[Path]:
        return sorted(self.path(absolute).glob(pattern))

    def group(self, name: str) -> Group | None:
        return next((g for g in self.groups if g.name == name), None)

    def group_name(self, gid: int) -> str | None:
        return next((g.name for g in self.groups if g.gid == gid), None)

    def may_open(self, path: Path, write: bool = True) -> bool:
        """Whether the user may open ``path`` for reading (and writing), by its mode bits."""
        try:
            st = self.stat(path)
        except OSError:
            return False
        if self.user.uid == 0:
            return True
        if st.st_uid == self.user.uid:
            bits = st.st_mode >> 6
        elif self.group_name(st.st_gid) in self.user.groups:
            bits = st.st_mode >> 3
        else:
            bits = st.st_mode
        need = 0o6 if write else 0o4
        return bits & need == need

    def owner_group(self, path: Path) -> str | None:
        try:
            return self.group_name(self.stat(path).st_gid)
        except OSError:
            return None

    def host(self) -> Host:
        """The board as the NeoPixel driver sees it, read under the root."""
        host = Host.detect(self.path(MODEL), self.path("/dev"), self.path(SPIDEV_BUFSIZ))
        return replace(host, access=self.may_open)


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
    host = machine.host()
    setup = read_config(load_config)
    rows = [board(host), clock(machine), setup.row]
    if host.is_pi:
        rows += [*devices(machine, host), groups(machine)]
    rows += drivers(machine, host, setup)
    if host.is_pi:
        rows += lgpio_folder(machine, setup)
    return rows


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


def board(host: Host) -> Row:
    if host.is_pi:
        return Row(Status.OK, "board", host.model or "")
    seen = f"{host.model!r}" if host.model else f"no {MODEL}"
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
    """The configuration, its driver found and its face and face options checked (the
    driver's own options are checked in the driver's row)."""
    try:
        cfg, source = load_config()
    except config.ConfigError as exc:
        return Setup(None, None, (), Row(Status.FAIL, "config", "invalid", str(exc)))
    where = str(source) if source else "no file: built-in defaults"
    origin = str(source or "built-in defaults")
    in_use = tuple(dict.fromkeys(display.driver for display in displays(cfg)))
    try:
        for name in in_use:
            registry.load(registry.DRIVERS, name)
    except registry.UnknownPlugin as exc:
        return Setup(cfg, source, (), Row(Status.FAIL, "config", where, f"{origin}: {exc}"))
    except registry.BrokenPlugin:
        pass  # the driver's row says why it does not load
    try:
        face = registry.load(registry.FACES, cfg.face)
        model = getattr(face, "Options", None)
        if model is not None:
            config.plugin_options(cfg, "faces", cfg.face, model, source)
    except (registry.UnknownPlugin, registry.BrokenPlugin) as exc:
        return Setup(cfg, source, in_use, Row(Status.FAIL, "config", where, f"{origin}: {exc}"))
    except config.ConfigError as exc:
        return Setup(cfg, source, in_use, Row(Status.FAIL, "config", where, str(exc)))
    found = f"{where} (driver {', '.join(cfg.driver_names)}, face {cfg.face})"
    return Setup(cfg, source, in_use, Row(Status.OK, "config", found))


def devices(machine: Machine, host: Host) -> list[Row]:
    """The Pi's device nodes a display may need: present, and open to this user."""
    gpiomem = "/dev/gpiomem0" if host.is_pi5 else "/dev/gpiomem"
    rows = [
        device_row(machine, "GPIO chips", "/dev/gpiochip*", UPGRADE),
        device_row(machine, "GPIO memory", gpiomem, UPGRADE),
        device_row(machine, "SPI", SPIDEV, enable_fix(machine, "spi", ENABLE_SPI)),
        device_row(machine, "I2C", I2C, enable_fix(machine, "i2c_arm", ENABLE_I2C)),
        sense_hat_row(machine),
    ]
    if host.is_pi5:
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
        access_fix(machine, closed[0]),
    )


def access_fix(machine: Machine, path: Path) -> str:
    """How the user gets at ``path``: join its group, or log in again after joining."""
    group = machine.owner_group(path)
    if group in (None, "root"):
        if machine.shown(path) == PIO:
            return PIO_RULE
        return f"{machine.shown(path)} is open to root only: run binclock as root"
    return join_fix(machine, [group])


def join_fix(machine: Machine, names: Sequence[str]) -> str:
    """Add the user to ``names``; for groups they joined since logging in, log in again."""
    user = machine.user.name
    listed = [n for n in names if (g := machine.group(n)) and user in g.members]
    if listed == list(names):
        return f"{user} was added to {', '.join(names)} since logging in: log out and in again"
    return f"sudo usermod -aG {','.join(names)} $USER, then log out and in again"


def enable_fix(machine: Machine, param: str, enable: str) -> str:
    """``enable``, or a reboot when config.txt already turns the interface on."""
    on = re.compile(
        rf"^\s*dtparam\s*=\s*(?:[\w-]+(?:=\w+)?,)*{param}(?:=on)?(?=[,\s]|$)", re.MULTILINE
    )
    for name in BOOT_CONFIGS:
        try:
            text = machine.path(name).read_text(errors="replace")
        except OSError:
            continue
        if on.search(text):
            return f"{name} turns it on but it is not active yet: reboot"
    return enable


def sense_hat_framebuffer(machine: Machine) -> Path | None:
    """The Sense HAT's ``/dev/fbN`` under the root, found by the driver's own lookup."""
    from binclock.drivers.sensehat_backends import find_framebuffer

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


def sense_hat_row(machine: Machine) -> Row:
    from binclock.drivers.sensehat_backends import FRAMEBUFFER_NAME

    framebuffer = sense_hat_framebuffer(machine)
    if framebuffer is None:
        return Row(Status.NA, "Sense HAT", f"no '{FRAMEBUFFER_NAME}' framebuffer")
    stick = joystick(machine)
    nodes = [framebuffer] if stick is None else [framebuffer, stick]
    closed = [p for p in nodes if not machine.may_open(p, write=p == framebuffer)]
    shown = ", ".join(machine.shown(p) for p in nodes)
    if not closed:
        return Row(Status.OK, "Sense HAT", shown)
    return Row(
        Status.WARN,
        "Sense HAT",
        f"{shown}: {machine.user.name} may not open {machine.shown(closed[0])}",
        access_fix(machine, closed[0]),
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
    return Row(Status.WARN, "groups", found, join_fix(machine, missing))


# -- the drivers ------------------------------------------------------------------------


def drivers(machine: Machine, host: Host, setup: Setup) -> list[Row]:
    """One row per installed driver (and for a ``module:Class`` driver in use)."""
    cfg, in_use = setup.config, setup.in_use
    names = list(registry.registered(registry.DRIVERS))
    names += [name for name in in_use if name not in names]
    rows = []
    for name in names:
        role = Status.FAIL if name in in_use else Status.NA
        if role is Status.NA and cfg is not None and name in cfg.drivers:
            role = Status.WARN
        label = f"driver {name}" + (" (in use)" if name in in_use else "")
        finding = driver_finding(machine, host, name, setup)
        rows.append(Row(role if finding.fix else Status.OK, label, finding.found, finding.fix))
    return rows


# Drivers whose own check asks only for the libraries of the backend they will use (the
# Sense HAT emulator needs neither sense_hat nor RTIMU).
PER_BACKEND = {"neopixel", "sensehat"}


def driver_finding(machine: Machine, host: Host, name: str, setup: Setup) -> Finding:
    try:
        cls = registry.load(registry.DRIVERS, name)
    except (registry.UnknownPlugin, registry.BrokenPlugin) as exc:
        return Finding("fails to load", str(exc))
    check = CHECKS.get(name) if cls.__module__.startswith("binclock.drivers.") else None
    missing = [m for m in getattr(cls, "requires", ()) if not machine.importable((m,))]
    if missing and (check is None or name not in PER_BACKEND):
        return Finding(f"not installed: no module {', '.join(missing)}", install_fix(name, cls))
    model = getattr(cls, "Options", None)
    options: BaseModel | None = None
    if model is not None:
        try:
            if setup.config is not None:
                options = config.plugin_options(setup.config, "drivers", name, model, setup.source)
            else:
                options = model()
        except config.ConfigError as exc:
            return Finding(f"invalid [drivers.{name}] table", str(exc))
        except ValidationError:
            options = None  # a plugin whose options have required keys and no table
    if options is None and missing:
        return Finding(f"not installed: no module {', '.join(missing)}", install_fix(name, cls))
    if options is None:
        return Finding("ready")
    own = getattr(cls, "check", None)
    if own is not None:
        return own(machine, options)
    if check is not None:
        return check(machine, host, options)
    hook = getattr(cls, "unavailable", None)
    problem = hook(options) if hook is not None else None
    return Finding("not available here", problem) if problem else Finding("ready")


def here(name: str, machine: Machine | None = None, host: Host | None = None) -> Finding:
    """What the checks find for driver ``name`` with its default options on this machine
    (a ``fix`` means it cannot run here): what ``--list-drivers`` calls READY. Pass the
    machine and its host when asking for several drivers, so they are looked at once."""
    machine = machine or Machine()
    defaults = Setup(None, None, (), Row(Status.OK, "config", "built-in defaults"))
    return driver_finding(machine, host or machine.host(), name, defaults)


def install_fix(name: str, cls: Any) -> str:
    if name == "sensehat":
        from binclock.drivers.sensehat_backends import APT_HINT

        return APT_HINT
    if name in EXTRAS and cls.__module__.startswith("binclock.drivers."):
        return f"pip install 'binclock[{EXTRAS[name]}]'"
    return f"install the packages providing {', '.join(cls.requires)}"


def unavailable(machine: Machine, exc: DriverUnavailable) -> str:
    """A driver's one-line error without the driver name it starts with."""
    return machine.unrooted(re.sub(r"^[a-z]+: ", "", str(exc)))


def neopixel(machine: Machine, host: Host, options: Any) -> Finding:
    """The backend the driver would pick and its preflight checks, as the driver runs them."""
    from binclock.drivers.neopixel import preflight
    from binclock.drivers.neopixel.backend import not_installed
    from binclock.drivers.neopixel.blinka import PI5_WRITER

    checks = {
        "rpi_ws281x": preflight.check_rpi_ws281x,
        "blinka": preflight.check_blinka,
        "spi": preflight.check_spi,
    }
    modules = {
        "rpi_ws281x": ["rpi_ws281x"],
        "blinka": ["neopixel", "microcontroller"] + [PI5_WRITER] * host.is_pi5,
        "spi": ["neopixel_spi", "busio", "board"],
    }
    backend, why = options.backend, ""
    found = f"{backend} on GPIO {options.data_pin(backend)}"
    try:
        if backend == "auto":
            backend, why = preflight.choose(host, options)
        found = f"{backend} on GPIO {options.data_pin(backend)}"
        checks[backend](host, options.data_pin(backend), options)
    except DriverUnavailable as exc:
        return Finding(found, unavailable(machine, exc))
    missing = [m for m in modules[backend] if not machine.importable((m,))]
    if missing:
        problem = unavailable(machine, not_installed(missing[0]))
        return Finding(f"{found}: no module {missing[0]}", problem)
    return Finding(f"{found} ({why})" if why else found)


def sensehat(machine: Machine, host: Host, options: Any) -> Finding:
    """What sense_hat's SenseHat() needs: the framebuffer, I2C and the joystick device."""
    from binclock.drivers.sensehat_backends import FRAMEBUFFER_NAME

    if options.backend == "emulator":
        if not machine.importable(("sense_emu",)):
            return Finding(
                "emulator: no module sense_emu",
                "pip install sense-emu (on Raspberry Pi OS: sudo apt install sense-emu-tools)",
            )
        return Finding("emulator: start sense_emu_gui before binclock")
    missing = [m for m in ("sense_hat", "RTIMU") if not machine.importable((m,))]
    if missing:
        return Finding(
            f"not installed: no module {', '.join(missing)}", install_fix("sensehat", None)
        )
    framebuffer = sense_hat_framebuffer(machine)
    if framebuffer is None:
        emulator = ' (or set drivers.sensehat.backend = "emulator")' * (options.backend == "auto")
        return Finding(
            f"no '{FRAMEBUFFER_NAME}' framebuffer: no Sense HAT",
            "seat the HAT and reboot (or add dtoverlay=rpi-sense to /boot/firmware/config.txt"
            f" and reboot){emulator}",
        )
    shown = machine.shown(framebuffer)
    if not machine.may_open(framebuffer):
        return Finding(f"{shown}: may not open it", access_fix(machine, framebuffer))
    if not machine.glob("/dev", "i2c*"):
        return Finding(
            f"{shown}, but I2C is off (sense_hat needs it)",
            enable_fix(machine, "i2c_arm", ENABLE_I2C),
        )
    stick = joystick(machine)
    if stick is None:
        return Finding(
            f"{shown}, but no joystick device", "reboot with the HAT seated (rpi-sense overlay)"
        )
    if not machine.may_open(stick, write=False):
        return Finding(f"{machine.shown(stick)}: may not read it", access_fix(machine, stick))
    return Finding(f"Sense HAT on {shown}")


def gpio_pins(machine: Machine, host: Host, options: Any, pwm: bool) -> Finding:
    """gpiozero's pins: a Pi, a pin library (lgpio, the only one on a Pi 5) and its device."""
    from binclock.drivers.pins import FACTORY_ENV, is_raspberry_pi

    factory = machine.environ.get(FACTORY_ENV, "")
    if factory == "mock":
        return Finding(f"{FACTORY_ENV}=mock: simulated pins, nothing lights")
    if not is_raspberry_pi(machine.path("/proc")):
        return Finding(
            "not a Raspberry Pi: no GPIO pins",
            f"run binclock on the Pi, or try simulated pins: {FACTORY_ENV}=mock"
            " GPIOZERO_MOCK_PIN_CLASS=mockpwmpin",
        )
    gpiomem = [machine.path("/dev/gpiomem")]
    if machine.importable(("lgpio",)):
        library, nodes = "lgpio", machine.glob("/dev", "gpiochip*")
    elif host.is_pi5:
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
        return Finding(f"{library}: may not open the GPIO pins", access_fix(machine, closed[0]))
    return Finding(f"{library} on {machine.shown(usable[0])}")


def lgpio_folder(machine: Machine, setup: Setup) -> list[Row]:
    """Where lgpio makes its notification FIFO (``.lgd-nfy*``): ``LG_WD``, else the working
    directory. If it cannot, gpiozero falls back to a pin library without PWM, which servos
    need. A row only when the gpio or servo driver is in use with lgpio."""
    from binclock.drivers.pins import FACTORY_ENV

    if not {"gpio", "servo"} & set(setup.in_use) or not machine.importable(("lgpio",)):
        return []
    if (machine.environ.get(FACTORY_ENV) or "lgpio") != "lgpio":
        return []
    folder = machine.environ.get("LG_WD") or str(machine.cwd)
    if machine.writable(machine.path(folder)):
        return [Row(Status.OK, "lgpio folder", f"{folder} is writable")]
    return [
        Row(
            Status.WARN,
            "lgpio folder",
            f"{folder} is not writable: lgpio cannot make its FIFO there, and gpiozero falls"
            " back to pins without PWM",
            "set LG_WD to a writable folder, or run binclock from one (the service's unit sets"
            " both to /var/lib/binclock)",
        )
    ]


def gpio(machine: Machine, host: Host, options: Any) -> Finding:
    return gpio_pins(machine, host, options, pwm=bool(getattr(options, "pwm", False)))


def servo(machine: Machine, host: Host, options: Any) -> Finding:
    return gpio_pins(machine, host, options, pwm=True)


def snapshot(machine: Machine, name: str, options: Any) -> Finding:
    """The png and gif drivers' file: its folder there and writable, as they check it."""
    from binclock.drivers.snapshot import output_path

    target = options.path.expanduser().absolute()
    try:
        output_path(machine.path(target), name)
    except DriverUnavailable as exc:
        found = f"cannot write {target}"
        return Finding(found, unavailable(machine, exc).removeprefix(f"{found}: "))
    return Finding(f"writes {target}")


CHECKS: dict[str, Callable[[Machine, Host, Any], Finding]] = {
    "neopixel": neopixel,
    "sensehat": sensehat,
    "gpio": gpio,
    "servo": servo,
    "png": lambda machine, _, options: snapshot(machine, "png", options),
    "gif": lambda machine, _, options: snapshot(machine, "gif", options),
}
