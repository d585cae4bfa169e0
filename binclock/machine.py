"""The machine a display runs on, as drivers and ``binclock doctor`` look at it.

One description for everyone: the board (read once, from the device tree or cpuinfo), its
device nodes and who may open them, the user and the groups of the system. Paths are read
under ``Machine.root`` and permissions are judged for ``Machine.user``, so tests can lay out
a whole Pi in a temporary directory. A driver's ``check(machine, options)`` returns the
``Finding`` that ``doctor`` prints in its row; the helpers below say the usual fixes.

Only ``Machine.probe_i2c`` opens a device: one read at one I2C address, as ``i2cdetect``
does, to see whether a chip answers there.
"""

from __future__ import annotations

import errno
import fcntl
import grp
import os
import pwd
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from binclock.sync import kernel_clock_state

MODEL = Path("/proc/device-tree/model")
CPUINFO = Path("/proc/cpuinfo")
SPIDEV_BUFSIZ = Path("/sys/module/spidev/parameters/bufsiz")
DEFAULT_SPIDEV_BUFSIZ = 4096  # the kernel's default, also Adafruit_PureIO's chunk size
BOOT_CONFIGS = ("/boot/firmware/config.txt", "/boot/config.txt")
PIO = "/dev/pio0"
PIO_RULE = (
    'add the udev rule SUBSYSTEM=="*-pio", GROUP="gpio", MODE="0660" to'
    " /etc/udev/rules.d/99-com.rules, join the gpio group and reboot"
)
ENABLE_SPI = "enable SPI: sudo raspi-config nonint do_spi 0"
ENABLE_I2C = "enable I2C: sudo raspi-config nonint do_i2c 0"

I2C_SLAVE = 0x0703  # <linux/i2c-dev.h>: talk to this address; refused while a driver holds it
NO_ACK = (errno.ENXIO, errno.EREMOTEIO, errno.EIO)  # no acknowledge: nothing at the address

_PI = re.compile(r"Raspberry Pi\b")
_PI5 = re.compile(r"Raspberry Pi (5|500|Compute Module 5)\b")
_CPUINFO_MODEL = re.compile(r"^Model\s*:\s*(.+)$", re.MULTILINE)


def read_model(model: Path = MODEL, cpuinfo: Path = CPUINFO) -> str | None:
    """The board's model string: the device tree's, else cpuinfo's ``Model`` line; None on
    a machine that has neither (a PC)."""
    try:
        found = model.read_bytes().decode(errors="replace").strip("\0 \n")
    except OSError:
        found = ""
    if not found:
        try:
            line = _CPUINFO_MODEL.search(cpuinfo.read_text(errors="replace"))
        except OSError:
            line = None
        found = line.group(1).strip() if line else ""
    return found or None


def is_pi(model: str | None) -> bool:
    """The model names a Raspberry Pi."""
    return model is not None and _PI.match(model) is not None


def is_pi5(model: str | None) -> bool:
    """A Raspberry Pi 5, 500 or Compute Module 5 (RP1 I/O: no rpi_ws281x, PIO instead)."""
    return model is not None and _PI5.match(model) is not None


def read_spidev_bufsiz(path: Path = SPIDEV_BUFSIZ) -> int:
    """The largest SPI transfer spidev takes, in bytes."""
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return DEFAULT_SPIDEV_BUFSIZ


class Reply(StrEnum):
    """What one probe of an I2C address found."""

    ANSWERS = "answers"
    SILENT = "silent"
    BUSY = "busy"  # a kernel driver is bound to the address
    UNKNOWN = "unknown"  # the probe itself failed; its reason says why


def probe_i2c(node: Path, address: int) -> tuple[Reply, str]:
    """Whether a chip answers at ``address`` on the I2C adapter ``node``, as ``i2cdetect``
    asks: one single-byte read, a transfer of its own, so a clock reading the same chip
    meanwhile is not disturbed; an address a kernel driver holds is left alone (no forcing).
    The reason is the system's, for ``Reply.UNKNOWN``."""
    try:
        fd = os.open(node, os.O_RDWR)
    except OSError as exc:
        return Reply.UNKNOWN, f"cannot open it ({exc.strerror})"
    try:
        try:
            fcntl.ioctl(fd, I2C_SLAVE, address)
        except OSError as exc:
            if exc.errno == errno.EBUSY:
                return Reply.BUSY, ""
            return Reply.UNKNOWN, f"not an I2C adapter ({exc.strerror})"
        try:
            os.read(fd, 1)
        except OSError as exc:
            if exc.errno in NO_ACK:
                return Reply.SILENT, ""
            return Reply.UNKNOWN, f"the read failed ({exc.strerror})"
        return Reply.ANSWERS, ""
    finally:
        os.close(fd)


class Status(StrEnum):
    """How a check came out; only FAIL changes doctor's exit status."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    NA = "n/a"


@dataclass(frozen=True)
class Finding:
    """What a check saw; a non-empty ``fix`` is the one thing to do before the driver works.

    A driver's ``check`` returns its own finding first; any more it returns are rows of
    their own for the driver in use, named ``check`` and graded ``status`` (a finding with
    no ``check`` is the driver's row, graded by whether the driver is in use).
    """

    found: str
    fix: str = ""
    check: str = ""
    status: Status | None = None


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


def importable(modules: tuple[str, ...]) -> bool:
    """True when every module could be imported here (checked without importing them)."""
    import importlib.util

    for module in modules:
        try:
            if importlib.util.find_spec(module) is None:
                return False
        except (ImportError, ValueError):
            return False
    return True


@dataclass(frozen=True)
class Machine:
    """The machine under examination.

    ``stat`` reads a path's owner and mode, ``kernel_state`` is adjtimex's clock state,
    ``importable`` says whether modules could be imported, ``cwd`` is the working directory
    and ``writable`` whether this process may create files in a folder (a read-only file
    system included), ``probe_i2c`` whether a chip answers at an address of an I2C bus
    (a path under ``root``); tests replace them all.
    """

    root: Path = Path("/")
    user: User = field(default_factory=User.current)
    groups: tuple[Group, ...] = field(default_factory=system_groups)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    stat: Callable[[Path], os.stat_result] = os.stat
    kernel_state: Callable[[], int | None] = kernel_clock_state
    importable: Callable[[tuple[str, ...]], bool] = importable
    cwd: Path = field(default_factory=Path.cwd)
    writable: Callable[[Path], bool] = lambda path: os.access(path, os.W_OK)
    probe_i2c: Callable[[Path, int], tuple[Reply, str]] = probe_i2c

    # -- the board ----------------------------------------------------------------------

    @cached_property
    def model(self) -> str | None:
        """The board's model string, None off a Pi."""
        return read_model(self.path(MODEL), self.path(CPUINFO))

    @property
    def is_pi(self) -> bool:
        return is_pi(self.model)

    @property
    def is_pi5(self) -> bool:
        return is_pi5(self.model)

    @cached_property
    def spidev_bufsiz(self) -> int:
        return read_spidev_bufsiz(self.path(SPIDEV_BUFSIZ))

    # -- paths --------------------------------------------------------------------------

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

    def said(self, exc: Exception) -> str:
        """A driver's one-line error without the driver name it may start with."""
        return self.unrooted(re.sub(r"^[a-z]+: ", "", str(exc)))

    def glob(self, absolute: str, pattern: str) -> list[Path]:
        return sorted(self.path(absolute).glob(pattern))

    def missing(self, modules: Sequence[str]) -> list[str]:
        """Those of ``modules`` that cannot be imported here."""
        return [m for m in modules if not self.importable((m,))]

    # -- users, groups and permissions --------------------------------------------------

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

    def access_fix(self, path: Path) -> str:
        """How the user gets at ``path``: join its group, or log in again after joining."""
        group = self.owner_group(path)
        if group in (None, "root"):
            if self.shown(path) == PIO:
                return PIO_RULE
            return f"{self.shown(path)} is open to root only: run binclock as root"
        return self.join_fix([group])

    def join_fix(self, names: Sequence[str]) -> str:
        """Add the user to ``names``; for groups they joined since logging in, log in again."""
        user = self.user.name
        listed = [n for n in names if (g := self.group(n)) and user in g.members]
        if listed == list(names):
            return f"{user} was added to {', '.join(names)} since logging in: log out and in again"
        return f"sudo usermod -aG {','.join(names)} $USER, then log out and in again"

    def enable_fix(self, param: str, enable: str) -> str:
        """``enable``, or a reboot when config.txt already turns the interface on."""
        on = re.compile(
            rf"^\s*dtparam\s*=\s*(?:[\w-]+(?:=\w+)?,)*{param}(?:=on)?(?=[,\s]|$)", re.MULTILINE
        )
        for name in BOOT_CONFIGS:
            try:
                text = self.path(name).read_text(errors="replace")
            except OSError:
                continue
            if on.search(text):
                return f"{name} turns it on but it is not active yet: reboot"
        return enable


def not_installed(machine: Machine, requires: Sequence[str], install: str) -> Finding | None:
    """The finding for modules of ``requires`` missing here (``install`` says how to get
    them), or None when all can be imported."""
    missing = machine.missing(requires)
    return Finding(f"not installed: no module {', '.join(missing)}", install) if missing else None


def install_hint(requires: Sequence[str]) -> str:
    """What to do for missing modules when the driver does not say."""
    return f"install the packages providing {', '.join(requires)}"


def quick_look(cls: Any, machine: Machine, options: Any) -> Finding:
    """A driver class's check without one of its own: its libraries (``requires``), then its
    ``unavailable(options)`` if it has one."""
    requires = tuple(getattr(cls, "requires", ()))
    missing = not_installed(machine, requires, install_hint(requires))
    if missing is not None:
        return missing
    hook = getattr(cls, "unavailable", None)
    problem = hook(options) if hook is not None and options is not None else None
    return Finding("not available here", problem) if problem else Finding("ready")


def check(cls: Any, machine: Machine, options: Any) -> list[Finding]:
    """What driver class ``cls`` finds on ``machine`` with ``options`` (None when it has
    none), its own finding first: its ``check`` if it has one, else ``quick_look``."""
    own = getattr(cls, "check", None)
    if options is None or not callable(own):
        return [quick_look(cls, machine, options)]
    found = own(machine, options)
    return [found] if isinstance(found, Finding) else list(found)
