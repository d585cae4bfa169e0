"""A real systemd, booted in a container from this machine's own /usr, to run the shipped unit.

``systemd-nspawn --volatile=yes`` gives the container an empty root in memory with this
machine's /usr read-only; the checkout (with its virtualenv) and the Python it was made from
are bound in read-only at the same paths, so the installed ``binclock`` runs there unchanged.
Units go in the container's /run/systemd/system; commands run in it through ``nsenter``.
Nothing the container does outlives it.

The container is adapted, never the unit: it may not read the clock's state by default
(nspawn filters adjtimex() unless allowed; setting the clock stays refused as the container
has no CAP_SYS_TIME), and its /root is made traversable when the Python lives there.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
BOOT_TIMEOUT = 60
HOMES = (Path("/home"), Path("/root"))


def unavailable() -> str | None:
    """Why no container can boot here, or None."""
    if os.geteuid() != 0:
        return "booting a systemd container needs root"
    for tool, package in (("systemd-nspawn", "systemd-container"), ("nsenter", "util-linux")):
        if shutil.which(tool) is None:
            return f"{tool} is missing (apt-get install {package})"
    if not any(Path(p).exists() for p in ("/usr/lib/systemd/systemd", "/lib/systemd/systemd")):
        return "systemd is not installed"
    hidden = [folder for folder in ("/tmp", "/var/tmp") if CHECKOUT.is_relative_to(folder)]
    if hidden:
        return f"the checkout is under {hidden[0]}, which the unit's PrivateTmp= hides"
    return None


def bound_paths() -> list[Path]:
    """The checkout, the virtualenv and the Python behind it, outside /usr (already there)."""
    paths = {CHECKOUT}
    for prefix in (sys.prefix, sys.base_prefix):
        path = Path(prefix).resolve()
        if not path.is_relative_to("/usr") and not path.is_relative_to(CHECKOUT):
            paths.add(path)
    return sorted(paths)


def in_a_home(paths: list[Path]) -> bool:
    return any(path.is_relative_to(home) for path in paths for home in HOMES)


class Container:
    """A booted container: run commands in it and reach its files from here."""

    def __init__(self, log: Path) -> None:
        self.binds = bound_paths()
        args = [
            "systemd-nspawn",
            "--quiet",
            "--keep-unit",
            "--register=no",
            "--directory=/",
            "--volatile=yes",
            "--private-network",
            "--system-call-filter=adjtimex clock_adjtime",
            *(f"--bind-ro={path}" for path in self.binds),
            "--boot",
            "systemd.firstboot=off",
        ]
        self.log = log
        self.cgroups = own_cgroups(f"binclock-test-{os.getpid()}")
        with log.open("w") as out:
            self.nspawn = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=lambda: enter(self.cgroups),
            )
        self.pid = 0

    def boot(self) -> str | None:
        """Wait for the container's systemd to finish booting; why it did not, or None."""
        deadline = time.monotonic() + BOOT_TIMEOUT
        while not self.pid and time.monotonic() < deadline:
            if self.nspawn.poll() is not None:
                return f"systemd-nspawn exited with {self.nspawn.returncode}: {self.tail()}"
            self.pid = self._init_pid()
            time.sleep(0.1)
        if not self.pid:
            return f"no init process in the container after {BOOT_TIMEOUT}s: {self.tail()}"
        while time.monotonic() < deadline:
            state = self.run("systemctl", "is-system-running", "--wait", check=False)
            if state.stdout.strip() in ("running", "degraded"):
                self._open_homes()
                return None
            time.sleep(0.5)
        return f"the container did not finish booting: {state.stdout.strip()} {self.tail()}"

    def tail(self) -> str:
        return " | ".join(self.log.read_text(errors="replace").splitlines()[-5:])

    def _init_pid(self) -> int:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.nspawn.pid:
                    return int(entry.name)
        return 0

    def _open_homes(self) -> None:
        """Let the service's user reach a Python bound under /root (0700 in the container)."""
        for bound in self.binds:
            for folder in bound.parents:
                inside = self.path(folder)
                if folder != Path("/") and not inside.stat().st_mode & 0o001:
                    inside.chmod(inside.stat().st_mode | 0o001)

    def path(self, absolute: str | Path) -> Path:
        """A path in the container, as this machine reaches it."""
        return Path(f"/proc/{self.pid}/root") / str(absolute).lstrip("/")

    def run(
        self, *args: str, check: bool = True, timeout: float = 60
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["nsenter", "-t", str(self.pid), "-a", "--", *args],
            capture_output=True,
            text=True,
            check=check,
            timeout=timeout,
        )

    def systemctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.run("systemctl", *args, check=check)

    def show(self, unit: str, *properties: str) -> dict[str, str]:
        out = self.systemctl("show", unit, "-p", ",".join(properties)).stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def cursor(self) -> str:
        out = self.run("journalctl", "-n", "0", "--show-cursor").stdout
        return out.rsplit("cursor: ", 1)[1].strip()

    def journal(self, unit: str, after: str) -> str:
        return self.run(
            "journalctl", "-u", unit, "-o", "cat", "--no-pager", f"--after-cursor={after}"
        ).stdout

    def start_transient(self, unit: str, *command: str, properties: tuple[str, ...] = ()) -> None:
        """Start ``command`` as ``unit`` with ``properties`` (``DynamicUser=yes``...); a failed
        start says why (systemd-run's words and the unit's journal) and leaves no failed unit
        behind to refuse the next start."""
        settings = [arg for setting in ("Type=exec", *properties) for arg in ("-p", setting)]
        started = self.run("systemd-run", f"--unit={unit}", *settings, *command, check=False)
        if started.returncode:
            journal = self.run("journalctl", "-u", unit, "-n", "20", "--no-pager").stdout
            self.systemctl("reset-failed", unit, check=False)
            raise AssertionError(f"systemd-run {unit}: {started.stderr.strip()}\n{journal}")

    def close(self) -> None:
        if self.pid:
            with contextlib.suppress(subprocess.SubprocessError):
                self.run("systemctl", "poweroff", check=False, timeout=10)
        try:
            self.nspawn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.nspawn.kill()
            self.nspawn.wait()
        for cgroup in self.cgroups:
            remove_cgroup(cgroup)


def own_cgroups(name: str) -> list[Path]:
    """A new cgroup ``name`` under this process's own, in each hierarchy systemd-nspawn
    places a container by (the named systemd one and the unified one).

    With --keep-unit, nspawn puts the container's systemd in the cgroup it was started in
    (its ``payload`` child on a legacy or hybrid host): without one of its own, containers
    booted at the same time by two test sessions share ``system.slice/<unit>``, and one's
    systemd removes the cgroup the other is starting a unit in ("Failed to attach to
    cgroup ... No such file or directory", the start job failing). None where cgroups
    cannot be made here: the container then shares its caller's, as before.
    """
    mounts = {}
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        kind, options = line.split(" - ", 1)[1].split()[0], line.rsplit(" ", 1)[-1]
        if kind == "cgroup2":
            mounts.setdefault("0", Path(fields[4]))
        elif kind == "cgroup" and "name=systemd" in options.split(","):
            mounts["name=systemd"] = Path(fields[4])
    made = []
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        number, controllers, path = line.split(":", 2)
        mount = mounts.get("0" if number == "0" else controllers)
        if mount is None:
            continue
        cgroup = mount / path.lstrip("/") / name
        try:
            cgroup.mkdir(exist_ok=True)
        except OSError:
            continue
        made.append(cgroup)
    return made


def enter(cgroups: list[Path]) -> None:
    """Move this process into ``cgroups`` (run in systemd-nspawn's process before it starts)."""
    for cgroup in cgroups:
        (cgroup / "cgroup.procs").write_text(str(os.getpid()))


def remove_cgroup(cgroup: Path) -> None:
    """Remove ``cgroup`` and what the container left in it, deepest first."""
    for folder, _, _ in sorted(os.walk(cgroup), key=lambda entry: -len(entry[0])):
        with contextlib.suppress(OSError):
            Path(folder).rmdir()


@contextlib.contextmanager
def booted(log: Path) -> Iterator[Container | str]:
    """A booted container, or the reason none could be booted here."""
    reason = unavailable()
    if reason:
        yield reason
        return
    container = Container(log)
    try:
        yield container.boot() or container
    finally:
        container.close()


def wait_until(condition: Callable[[], object], timeout: float = 30, every: float = 0.2) -> object:
    """``condition()`` once it is true; its last value when ``timeout`` runs out."""
    deadline = time.monotonic() + timeout
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(every)
    return value
