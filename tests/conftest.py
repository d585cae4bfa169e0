"""Shared fixtures: a fake display, a clock the test moves, and frame decoding."""

from __future__ import annotations

import errno
import importlib.util
import io
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
from broker import Broker, broker_missing, running_broker
from neopixel_fakes import Wire, agnostic_blinka

from binclock import config, control
from binclock.clock import ManualClock
from binclock.daemon.notify import Notifier
from binclock.daemon.service import Service
from binclock.drivers.fake import FakeDriver
from binclock.frame import BLACK, Frame
from binclock.sync import SyncCheck

UTC = ZoneInfo("UTC")


@pytest.fixture(autouse=True)
def private_runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test's clocks keep their control socket and run-time state in folders of
    their own (short, as a socket path must be), never the user's; clients never find
    this machine's own clock service."""
    folder = Path(tempfile.mkdtemp(prefix="bc-", dir="/tmp"))
    monkeypatch.setattr(control, "SERVICE_SOCKET", folder / "service" / "control.sock")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder / "run"))
    monkeypatch.setenv("XDG_STATE_HOME", str(folder / "state"))
    for name in ("RUNTIME_DIRECTORY", "STATE_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def fake() -> FakeDriver:
    return FakeDriver()


@pytest.fixture
def grumpy_face(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The spec of a face class, importable from a file, whose constructor always fails."""
    (tmp_path / "grumpy_face.py").write_text(
        "from binclock.faces.time import BinaryFace\n"
        "class Grumpy(BinaryFace):\n"
        "    def __init__(self, *args, **kwargs):\n"
        "        raise RuntimeError('will not')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "grumpy_face:Grumpy"
    sys.modules.pop("grumpy_face", None)


@pytest.fixture
def clock() -> ManualClock:
    """A clock at 2026-03-14 13:37:41.250 UTC that moves only when slept or stepped."""
    return ManualClock(datetime(2026, 3, 14, 13, 37, 41, 250000, tzinfo=UTC))


@pytest.fixture(scope="module")
def control_socket(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A real clock on the jsonl display, its control socket and state in a temporary folder."""
    from webpage import running_clock

    with running_clock(tmp_path_factory.mktemp("clock")) as socket:
        yield socket


@pytest.fixture(scope="module")
def web_url(control_socket: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``binclock web`` on loopback for ``control_socket``: the page's URL."""
    from webpage import running_web

    with running_web(tmp_path_factory.mktemp("web"), control_socket) as url:
        yield url


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """Debian's mosquitto for the session, on free loopback ports (see tests/broker.py);
    the test is skipped, saying why, where it is not installed."""
    missing = broker_missing()
    if missing:
        pytest.skip(missing)
    with running_broker(tmp_path_factory.mktemp("broker")) as running:
        yield running


def column_values(frame: Frame, xs: Sequence[int] | None = None) -> list[int]:
    """Read each pixel column as a binary number, top row most significant; lit = not black."""
    values = []
    for x in xs if xs is not None else range(frame.width):
        n = 0
        for y in range(frame.height):
            n = n << 1 | (frame.pixel(x, y) != BLACK)
        values.append(n)
    return values


def decode_binary(frame: Frame) -> tuple[int, ...]:
    """(hours, minutes, seconds) from a frame of the binary face in its natural layout."""
    return tuple(column_values(frame))


def decode_bcd(frame: Frame) -> tuple[int, ...]:
    """(hours, minutes, seconds) from a frame of the BCD face in its natural layout."""
    digits = column_values(frame)
    return tuple(10 * digits[i] + digits[i + 1] for i in range(0, len(digits), 2))


def send(sig: signal.Signals) -> None:
    """Signal the main thread, where the service runs (other threads may linger in tests)."""
    signal.pthread_kill(threading.main_thread().ident, sig)  # type: ignore[arg-type]


def load_script(path: Path) -> ModuleType:
    """A script under scripts/ imported as a module named after its file."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Iterator[Wire]:
    """Blinka's OS-agnostic board, recording what Adafruit's neopixel code sends."""
    with agnostic_blinka(monkeypatch) as recorded:
        yield recorded


class FullDiskFile(io.FileIO):
    """A file on a full filesystem: opening works, writing fails with ENOSPC."""

    def write(self, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class FullDiskOs:
    """The ``os`` module, but files opened by descriptor are on a full filesystem."""

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)

    @staticmethod
    def fdopen(fd: int, mode: str = "r", *args: object, **kwargs: object) -> FullDiskFile:
        return FullDiskFile(fd, mode.replace("b", ""))


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The png and gif drivers write their pictures onto a full filesystem."""
    from binclock.drivers import snapshot

    monkeypatch.setattr(snapshot, "os", FullDiskOs())


class Sleeper:
    """The service's sleep on a manual clock, with actions to run at given sleeps (1 = the
    first). As the real sleep does, it returns at once when a signal is waiting."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.count = 0
        self.actions: dict[int, Callable[[], None]] = {}
        self.service: Service | None = None

    def __call__(self, seconds: float) -> None:
        self.count += 1
        if self.count in self.actions:
            self.actions[self.count]()
        if self.service is not None and self.service.inbox.collect():
            return
        self.clock.sleep(seconds)


def running(tmp_path: Path, driver: str, table: str = "", **service: int) -> Service:
    """A clock showing on the ``driver`` display writing ``clock.<driver>`` in ``tmp_path``,
    on a manual clock, with ``table`` added to ``[drivers.<driver>]`` and ``service`` as
    ``[service]`` settings."""
    settings = "".join(f"{key} = {value}\n" for key, value in service.items())
    path = tmp_path / "config.toml"
    path.write_text(
        f'driver = "{driver}"\n[service]\n{settings}'
        f'[drivers.{driver}]\npath = "{tmp_path / f"clock.{driver}"}"\n{table}'
    )
    return clock_of(path, ManualClock(datetime(2026, 6, 1, 12, 0, tzinfo=UTC)))


def clock_of(
    path: Path, clock: ManualClock, sleep: Callable[[float], None] | None = None
) -> Service:
    """The clock the configuration file ``path`` asks for, on ``clock`` (slept with
    ``sleep``, else ``clock.sleep``), with systemd and the clock's synchronisation out of
    the picture."""
    return Service(
        lambda: config.load(path, environ={}),
        clock=clock,
        sleep=sleep or clock.sleep,
        notifier=Notifier({}),
        sync=SyncCheck(path.parent / "no-timesyncd" / "synchronized", lambda: None),
    )
