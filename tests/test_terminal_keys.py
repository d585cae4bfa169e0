"""Keys typed on the terminal clock: read without polling, handed to the clock, said on the
screen's last line; the terminal given back as it was."""

from __future__ import annotations

import fcntl
import os
import queue
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pyte
import pytest
from test_terminal import NOW, POWERED, SCHEDULED, Screen, dark, frame, terminal

from binclock.config import Config
from binclock.control import state_path
from binclock.control.state import StateFile
from binclock.controls import Control
from binclock.drivers import ansi
from binclock.drivers.keys import HELP, POWER_ON, help_line
from conftest import send

ANSWER_WAIT = 30.0  # seconds a slow machine may take to answer a key


@pytest.fixture
def keyboard(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """stdin is a pseudo-terminal: the master end to type on."""
    master, slave = os.openpty()
    monkeypatch.setattr(sys, "stdin", os.fdopen(slave, "r"))
    yield master
    sys.stdin.close()
    os.close(master)


def key_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "binclock keys"]


def test_each_key_is_handed_to_the_clock_as_its_control(keyboard):
    got: queue.Queue[Control] = queue.Queue()
    driver = terminal(Screen())
    driver.push_controls(got.put)
    driver.show(frame())
    os.write(keyboard, b"fx+-soq")
    keys = [got.get(timeout=ANSWER_WAIT) for _ in range(6)]
    driver.close()
    assert keys == [
        Control.NEXT_FACE,
        Control.BRIGHTER,
        Control.DIMMER,
        Control.TOGGLE_SECONDS,
        Control.TOGGLE_POWER,
        Control.QUIT,
    ]


def test_the_keys_are_read_by_a_thread_that_ends_when_the_display_closes(keyboard):
    driver = terminal(Screen())
    driver.push_controls(print)
    driver.show(frame())
    assert len(key_threads()) == 1
    driver.close()
    assert key_threads() == []


def test_keys_still_come_after_ctrl_z_and_fg(keyboard):
    got: queue.Queue[Control] = queue.Queue()
    driver = terminal(Screen(), stop=lambda: None)
    driver.push_controls(got.put)
    driver.show(frame())
    send(signal.SIGTSTP)
    send(signal.SIGCONT)
    driver.show(frame(NOW.replace(second=43)))
    os.write(keyboard, b"s")
    key = got.get(timeout=ANSWER_WAIT)
    driver.close()
    assert key is Control.TOGGLE_SECONDS


def test_the_key_thread_leaves_every_signal_to_the_main_thread(keyboard):
    driver = terminal(Screen())
    driver.push_controls(print)
    driver.show(frame())
    (thread,) = key_threads()
    status = Path(f"/proc/self/task/{thread.native_id}/status").read_text()
    driver.close()
    blocked = int(re.search(r"SigBlk:\s*([0-9a-f]+)", status).group(1), 16)  # type: ignore[union-attr]
    watched = (signal.SIGTSTP, signal.SIGCONT, signal.SIGWINCH, signal.SIGTERM, signal.SIGUSR1)
    assert all(blocked >> (sig - 1) & 1 for sig in watched)


def test_the_last_line_of_the_screen_says_the_keys(keyboard):
    screen = Screen(80, 24)
    driver = terminal(screen)
    driver.push_controls(print)
    driver.show(frame())
    driver.close()
    screen.stream.feed(screen.out.getvalue().rsplit(ansi.RESET + ansi.SHOW_CURSOR, 1)[0])
    assert screen.screen.display[23].strip() == HELP[0]
    assert screen.find("13:37:42")


def test_without_keys_there_is_no_help_line(keyboard):
    screen = Screen(60, 24)
    driver = terminal(screen)
    driver.show(frame())
    screen.feed()
    driver.close()
    assert screen.screen.display[23].strip() == ""
    assert key_threads() == []


def test_stdin_that_is_not_a_terminal_gives_no_keys_and_no_help(monkeypatch):
    read, write = os.pipe()
    monkeypatch.setattr(sys, "stdin", os.fdopen(read, "r"))
    screen = Screen(60, 24)
    driver = terminal(screen)
    driver.push_controls(print)
    try:
        driver.show(frame())
        screen.feed()
        assert key_threads() == []
        assert screen.screen.display[23].strip() == ""
    finally:
        driver.close()
        sys.stdin.close()
        os.close(write)


def test_the_help_is_said_again_after_a_resize(keyboard):
    screen = Screen(60, 24)
    driver = terminal(screen)
    driver.push_controls(print)
    driver.show(frame())
    screen.feed()
    screen.resize(44, 20)
    driver.show(frame())
    screen.feed()
    driver.close()
    assert screen.screen.display[19].strip() == help_line(44)


def test_the_clock_keeps_its_spacing_rather_than_make_room_for_the_help(keyboard):
    screen = Screen(40, 14)  # the spaced-out clock takes all 14 lines
    driver = terminal(screen)
    driver.push_controls(print)
    driver.show(frame())
    screen.feed()
    driver.close()
    assert screen.find("13:37:42")[0] == 13


@pytest.mark.parametrize(("columns", "said"), [(80, HELP[0]), (56, HELP[1]), (12, HELP[2])])
def test_the_help_is_said_as_fully_as_the_width_allows(columns, said):
    assert help_line(columns) == said


def test_turned_off_while_keys_are_read_the_clock_names_its_key(keyboard):
    screen = Screen()
    driver = terminal(screen)
    driver.push_controls(print)
    driver.show(frame())
    driver.show(dark(POWERED))
    screen.feed()
    driver.close()
    label_row, _ = screen.find("H  M  S")
    assert screen.screen.display[label_row + 1].strip() == POWER_ON


def test_turned_off_with_stdin_not_a_terminal_the_clock_names_binclock_ctl(monkeypatch):
    read, write = os.pipe()
    monkeypatch.setattr(sys, "stdin", os.fdopen(read, "r"))
    screen = Screen()
    driver = terminal(screen)
    driver.push_controls(print)
    try:
        driver.show(dark(POWERED))
        screen.feed()
        label_row, _ = screen.find("H  M  S")
        assert screen.screen.display[label_row + 1].strip() == POWERED
    finally:
        driver.close()
        sys.stdin.close()
        os.close(write)


def test_in_a_schedule_s_off_range_keys_do_not_change_why_it_is_off(keyboard):
    screen = Screen()
    driver = terminal(screen)
    driver.push_controls(print)
    driver.show(dark(SCHEDULED))
    screen.feed()
    driver.close()
    label_row, _ = screen.find("H  M  S")
    assert screen.screen.display[label_row + 1].strip() == SCHEDULED


# -- the clock in a pseudo-terminal ------------------------------------------------------------


class PtyClock:
    """``binclock`` run in an 80x24 pseudo-terminal, read through a VT emulator; its stdin
    the terminal too, or (``keyboard=False``) nothing."""

    def __init__(self, *args: str, keyboard: bool = True) -> None:
        self.master, self.slave = os.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.modes = termios.tcgetattr(self.slave)
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.output = bytearray()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "binclock", *args],
            stdin=self.slave if keyboard else subprocess.DEVNULL,
            stdout=self.slave,
            stderr=subprocess.PIPE,
            env={**os.environ, "HOME": "/nonexistent", "TERM": "xterm-256color", "TZ": "UTC"},
            process_group=0,  # a job of our session, as a shell starts it
        )

    def until(self, shown: Callable[[list[str]], bool]) -> list[str]:
        """Read what the clock draws until the screen's lines satisfy ``shown``."""
        while not shown(self.screen.display):
            ready, _, _ = select.select([self.master], [], [], ANSWER_WAIT)
            lines = "\n".join(self.screen.display)
            assert ready, f"the screen never became as expected:\n{lines}"
            data = os.read(self.master, 65536)
            self.output += data
            self.stream.feed(data)
        return self.screen.display

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stderr.close()  # type: ignore[union-attr]
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def pty_clock() -> Iterator[Callable[..., PtyClock]]:
    started: list[PtyClock] = []

    def start(*args: str, keyboard: bool = True) -> PtyClock:
        started.append(PtyClock(*args, keyboard=keyboard))
        return started[-1]

    yield start
    for clock in started:
        clock.close()


def on_screen(text: str) -> Callable[[list[str]], bool]:
    return lambda lines: any(text in line for line in lines)


def showing_time(lines: list[str]) -> bool:
    """Whether the clock shows a time in digits."""
    return any(re.search(r"\d\d:\d\d:\d\d", line) for line in lines)


def labels(text: str) -> Callable[[list[str]], bool]:
    """Whether the clock's column labels read ``text``."""
    return lambda lines: any(line.strip() == text for line in lines)


def test_keys_change_the_running_clock(pty_clock):
    clock = pty_clock("--face", "bcd")
    lines = clock.until(on_screen("q quit"))
    assert lines[23].strip() == HELP[0]
    assert labels("H  H  M  M  S  S")(lines)
    clock.type(b"s")
    clock.until(labels("H  H  M  M"))
    clock.type(b"f")
    clock.until(labels("H  M"))  # the next face, binary, still without seconds


def test_o_turns_the_running_clock_off_and_on_as_a_button_does(pty_clock):
    clock = pty_clock()
    clock.until(on_screen("q quit"))
    clock.type(b"o")
    clock.until(on_screen(POWER_ON))
    saved = StateFile(state_path(Config())).load()
    assert saved is not None and saved.power is False  # kept, as every power change is
    clock.type(b"o")
    lines = clock.until(showing_time)
    assert not any(POWER_ON in line for line in lines)


def test_q_stops_the_clock_with_0_and_gives_the_terminal_back(pty_clock):
    clock = pty_clock()
    clock.until(on_screen("q quit"))
    clock.type(b"q")
    assert clock.proc.wait(timeout=ANSWER_WAIT) == 0
    assert clock.proc.stderr.read() == b""  # type: ignore[union-attr]
    clock.until(lambda lines: clock.output.endswith(ansi.MAIN_SCREEN.encode()))
    assert clock.output.endswith((ansi.SHOW_CURSOR + ansi.MAIN_SCREEN).encode())
    assert termios.tcgetattr(clock.slave) == clock.modes  # echo and line editing back


def test_sigterm_with_keys_on_gives_the_terminal_back_too(pty_clock):
    clock = pty_clock()
    clock.until(on_screen("q quit"))
    clock.proc.send_signal(signal.SIGTERM)
    assert clock.proc.wait(timeout=ANSWER_WAIT) == 0
    assert termios.tcgetattr(clock.slave) == clock.modes


def test_with_stdin_not_a_terminal_the_running_clock_shows_no_help(pty_clock):
    clock = pty_clock(keyboard=False)
    lines = clock.until(showing_time)
    assert lines[23].strip() == ""
