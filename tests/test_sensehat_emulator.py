"""The Sense HAT driver on the real ``sense_emu`` emulator, run headless.

The emulator's screen memory, lock and joystick socket are files shared by every process
on the machine, so each test here holds a file lock (no two of them run at once, even in
parallel pytest workers) and holds ``EmulatorLock('sense_emu')`` so that ``sense_emu``
takes this process for its GUI and never starts one. The screen keeps RGB565 (5 bits of
red and blue, 6 of green), so colours read back are compared quantised.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import sense_emu
from sense_emu.lock import EmulatorLock
from sense_emu.screen import GAMMA_DEFAULT, GAMMA_LOW, init_screen, screen_filename
from sense_emu.stick import SenseStick, stick_address

from binclock import config
from binclock.clock import local_zone
from binclock.commandline import cli
from binclock.controls import Control
from binclock.drivers.sensehat import SenseHatDriver, SenseHatOptions
from binclock.faces.time import BinaryFace
from binclock.frame import RGB, Frame
from binclock.painter import Painter
from binclock.pipeline import Pipeline, build_driver, build_pipeline
from binclock.testing import DriverContract

AT = datetime(2024, 3, 9, 13, 37, 42, tzinfo=ZoneInfo("UTC"))
BLACK = (0, 0, 0)


# -- the emulator's screen memory ------------------------------------------------------


def screen_memory(path: Path | None = None) -> tuple[tuple[int, ...], bytes]:
    """The 64 RGB565 words of the matrix, row-major, and the 32-entry gamma table (of this
    machine's emulator, or the one whose screen file is ``path``)."""
    data = (path or Path(screen_filename())).read_bytes()
    return struct.unpack("64H", data[:128]), data[128:160]


def shown() -> list[RGB]:
    """The matrix as ``SenseHat.get_pixels`` decodes it."""
    words, _ = screen_memory()
    return [(w >> 11 << 3, (w >> 5 & 0x3F) << 2, (w & 0x1F) << 3) for w in words]


def lit(path: Path | None = None) -> list[bool]:
    """Which LEDs the HAT lights: 5 bits a channel, looked up in its gamma table."""
    words, gamma = screen_memory(path)
    return [any(gamma[c] for c in (w >> 11, w >> 6 & 0x1F, w & 0x1F)) for w in words]


def rgb565(colour: RGB) -> RGB:
    r, g, b = colour
    return (r & 0xF8, g & 0xFC, b & 0xF8)


def binary_time(leds: list[bool]) -> tuple[int, int, int]:
    """H, M, S from the binary face as placed on the 8x8 matrix: columns 1, 3, 5, rows 1-6."""

    def column(x: int) -> int:
        return sum(1 << (6 - row) for row in range(1, 7) if leds[row * 8 + x])

    return column(1), column(3), column(5)


def lit_outside(leds: list[bool], xs: range, ys: range) -> list[int]:
    return [i for i, on in enumerate(leds) if on and not (i % 8 in xs and i // 8 in ys)]


# -- fixtures --------------------------------------------------------------------------


@contextlib.contextmanager
def one_test_at_a_time() -> Iterator[None]:
    with (Path(tempfile.gettempdir()) / "binclock-sense-emu-tests.lock").open("w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def forget_stick_client(pid: int) -> None:
    """Remove the joystick socket ``sense_emu`` leaves behind for process ``pid``."""
    folder = Path(stick_address()[2]).parent
    (folder / f"rpi-sense-emu-client-{pid}").unlink(missing_ok=True)


@pytest.fixture
def emulator(tmp_path, monkeypatch):
    """A dark emulated matrix with the default gamma, driven by this process alone."""
    monkeypatch.setenv("HOME", str(tmp_path))  # sense_emu keeps IMU settings in ~/.config
    with one_test_at_a_time():
        lock = EmulatorLock("sense_emu")
        try:
            lock.acquire()
        except FileExistsError:
            pytest.skip("a Sense HAT emulator is running here; close it to run these tests")
        try:
            with init_screen() as screen:
                screen.seek(0)
                screen.write(bytes(128) + bytes(GAMMA_DEFAULT))
            yield
        finally:
            lock.release()
            forget_stick_client(os.getpid())


def emulated(**options: object) -> SenseHatDriver:
    return SenseHatDriver(SenseHatOptions(backend="emulator", **options))


def one_pixel(colour: RGB, index: int = 0) -> Frame:
    pixels = [BLACK] * 64
    pixels[index] = colour
    return Frame(8, 8, tuple(pixels))


def clock_frame(brightness: float = 1.0) -> Frame:
    return Pipeline(BinaryFace(), Painter(size=(8, 8), brightness=brightness)).render(AT)


class TestEmulatorBackendContract(DriverContract):
    @pytest.fixture
    def driver(self, emulator):
        d = emulated()
        with mock.patch.object(d.sense, "set_pixels", wraps=d.sense.set_pixels):
            yield d
            d.close()

    def read_back(self, driver):
        return shown()

    def hardware_writes(self, driver):
        return driver.sense.set_pixels.call_count

    def build_without_hardware(self):
        with pytest.MonkeyPatch.context() as mp:
            mp.setitem(sys.modules, "sense_emu", None)
            emulated()


# -- pictures on the matrix ------------------------------------------------------------


def settings(face: str) -> config.Config:
    return config.validate(
        {"face": face, "driver": "sensehat", "drivers": {"sensehat": {"backend": "emulator"}}}
    )


def test_binary_face_is_columns_1_3_5_with_dark_columns_between(emulator):
    cfg = settings("binary")
    driver = build_driver(cfg)
    driver.show(build_pipeline(cfg, driver).render(AT))
    leds = lit()
    assert binary_time(leds) == (13, 37, 42)
    assert lit_outside(leds, xs=range(1, 6, 2), ys=range(1, 7)) == []


def test_bcd_face_is_centred_in_columns_1_to_6_rows_2_to_5(emulator):
    cfg = settings("bcd")
    driver = build_driver(cfg)
    driver.show(build_pipeline(cfg, driver).render(AT))
    leds = lit()
    digits = [sum(1 << (5 - y) for y in range(2, 6) if leds[y * 8 + x]) for x in range(1, 7)]
    assert digits == [1, 3, 3, 7, 4, 2]
    assert lit_outside(leds, xs=range(1, 7), ys=range(2, 6)) == []


def test_colours_arrive_quantised_to_rgb565(emulator):
    frame = clock_frame()
    emulated().show(frame)
    assert shown() == [rgb565(p) for p in frame.pixels]


def test_a_dimmed_clock_still_lights_every_lit_pixel(emulator):
    frame = clock_frame(brightness=0.05)
    emulated().show(frame)
    assert lit() == [p != BLACK for p in frame.pixels]


def test_without_keep_visible_a_dimmed_clock_goes_dark(emulator):
    emulated(keep_visible=False).show(clock_frame(brightness=0.05))
    assert not any(lit())


def test_low_light_selects_the_hats_low_light_gamma(emulator):
    emulated(low_light=True)
    assert screen_memory()[1] == bytes(GAMMA_LOW)


def test_close_restores_the_default_gamma_after_low_light(emulator):
    emulated(low_light=True).close()
    assert screen_memory()[1] == bytes(GAMMA_DEFAULT)


def test_in_low_light_a_faint_pixel_lights_at_8(emulator):
    emulated(low_light=True).show(one_pixel((2, 1, 0)))
    assert shown()[0] == (8, 4, 0)
    assert lit()[0]


def test_rotation_90_puts_the_top_left_pixel_top_right(emulator):
    emulated(rotation=90).show(one_pixel((255, 255, 255)))
    assert [i for i, on in enumerate(lit()) if on] == [7]


# -- the emulated joystick -------------------------------------------------------------


class Stick:
    """The emulator GUI's end of the joystick socket (as ``sense_emu.stick.StickServer``),
    waiting for the client's hello so that no event is sent before anyone listens."""

    def __init__(self) -> None:
        family, kind, self.address = stick_address()
        with contextlib.suppress(FileNotFoundError):
            Path(self.address).unlink()
        self.sock = socket.socket(family, kind)
        self.sock.bind(self.address)
        self.sock.settimeout(5)
        self.client: str | None = None

    def wait_for_client(self) -> None:
        data = b""
        while data != b"hello":
            data, self.client = self.sock.recvfrom(64)

    def push(self, key: int, state: int = SenseStick.STATE_PRESS) -> None:
        seconds, micros = divmod(time.time_ns() // 1000, 1_000_000)
        event = struct.pack(SenseStick.EVENT_FORMAT, seconds, micros, SenseStick.EV_KEY, key, state)
        self.sock.sendto(event, self.client)

    def close(self) -> None:
        self.sock.close()
        Path(self.address).unlink()


@pytest.fixture
def stick(emulator):
    server = Stick()
    yield server
    server.close()


def test_an_emulated_middle_press_asks_for_the_next_face(stick):
    driver = emulated()
    stick.wait_for_client()
    stick.push(SenseStick.KEY_ENTER)
    stick.push(SenseStick.KEY_ENTER, SenseStick.STATE_RELEASE)
    assert driver.poll_controls() == [Control.NEXT_FACE]


def test_emulated_presses_arrive_in_order(stick):
    driver = emulated()
    stick.wait_for_client()
    for key in (SenseStick.KEY_UP, SenseStick.KEY_LEFT, SenseStick.KEY_DOWN):
        stick.push(key)
    assert driver.poll_controls() == [Control.BRIGHTER, Control.TOGGLE_SECONDS, Control.DIMMER]


def test_polling_an_idle_emulated_joystick_returns_at_once(stick):
    driver = emulated()
    stick.wait_for_client()
    assert driver.poll_controls() == []


# -- the binclock command on the emulator ----------------------------------------------


def test_once_writes_the_time_into_the_emulators_screen_memory(emulator, monkeypatch):
    screens: list[list[bool]] = []
    write = sense_emu.SenseHat.set_pixels

    def write_and_look(self, pixel_list):
        write(self, pixel_list)
        screens.append(lit())

    monkeypatch.setattr(sense_emu.SenseHat, "set_pixels", write_and_look)
    argv = ["--driver", "sensehat", "--set", "drivers.sensehat.backend=emulator"]
    assert cli.main([*argv, "--at", "13:37:42", "--once"]) == 0
    assert [binary_time(s) for s in screens if any(s)] == [(13, 37, 42)]
    assert not any(lit()), "the matrix was left lit"


def next_half_second() -> None:
    time.sleep((0.5 - time.time() % 1) % 1 or 1)


def wall_second(t: float) -> tuple[int, int, int]:
    now = datetime.fromtimestamp(t, local_zone())
    return (now.hour, now.minute, now.second)


def read_clock() -> tuple[tuple[int, int, int], set[tuple[int, int, int]]]:
    """What the matrix shows, and the wall-clock seconds it may rightly show: the second
    at any moment of the read, or the one before if the read began within 0.25 s of a
    new second (the clock writes just after each boundary)."""
    before = time.time()
    shown = binary_time(lit())
    after = time.time()
    allowed = {wall_second(before), wall_second(after)}
    if before % 1 < 0.25:
        allowed.add(wall_second(before - 1))
    return shown, allowed


def test_the_running_clock_shows_each_second_in_the_emulators_screen_memory(emulator, tmp_path):
    unwanted = {"BINCLOCK_CONFIG", "INVOCATION_ID", "JOURNAL_STREAM"}  # no config, no systemd
    env = {k: v for k, v in os.environ.items() if k not in unwanted}
    env["HOME"] = str(tmp_path)
    argv = ["--driver", "sensehat", "--set", "drivers.sensehat.backend=emulator"]
    clock = subprocess.Popen(
        [sys.executable, "-m", "binclock", *argv], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 20
        while not any(lit()) and clock.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        readings = []
        for _ in range(3):
            next_half_second()
            readings.append(read_clock())
        clock.send_signal(signal.SIGTERM)
        _, errors = clock.communicate(timeout=10)
    finally:
        clock.kill()
        forget_stick_client(clock.pid)
    assert all(shown in allowed for shown, allowed in readings), readings
    assert len({shown for shown, _ in readings}) == 3, "the clock did not move on each second"
    assert clock.returncode == 0, errors
    assert not any(lit()), "the matrix was left lit after SIGTERM"
