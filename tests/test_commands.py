"""The subcommands, and the clock as a process that receives signals."""

from __future__ import annotations

import fcntl
import json
import math
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from datetime import datetime
from pathlib import Path

import pytest

from binclock import config
from binclock.commandline.cli import main
from binclock.daemon.service import Service
from binclock.drivers import ansi
from binclock.frame import Frame
from conftest import column_values


def test_explain_prints_sums_and_the_time(capsys):
    assert main(["explain", "--at", "13:37:42"]) == 0
    out = capsys.readouterr().out
    assert "8+4+1 = 13" in out and "32+4+1 = 37" in out and "32+8+2 = 42" in out
    assert "13:37:42" in out


def test_explain_takes_the_face_option(capsys):
    assert main(["explain", "--face", "bcd", "--at", "13:37:42"]) == 0
    assert "bcd" in capsys.readouterr().out


def test_show_prints_the_number_in_binary(capsys):
    assert main(["show", "42", "--once", "--driver", "jsonl"]) == 0
    record = json.loads(capsys.readouterr().out)
    frame = Frame(record["width"], record["height"], tuple(tuple(p) for p in record["pixels"]))
    assert sum(v << (8 * i) for i, v in enumerate(reversed(column_values(frame)))) == 42


@pytest.fixture
def reads(monkeypatch) -> list[Path]:
    """The configuration files read, in order."""
    read: list[Path] = []
    real = config.read_toml
    monkeypatch.setattr(config, "read_toml", lambda path: read.append(path) or real(path))
    return read


def one_second(monkeypatch) -> None:
    """The clock, once started, shows one second and stops."""
    run = Service.run
    monkeypatch.setattr(Service, "run", lambda service: run(service, frames=1))


@pytest.mark.parametrize("command", [["show", "42"], []], ids=["show", "clock"])
def test_the_running_clock_reads_its_configuration_once(tmp_path, monkeypatch, reads, command):
    config_file = tmp_path / "config.toml"
    config_file.write_text('driver = "jsonl"\n')
    one_second(monkeypatch)
    assert main([*command, "--config", str(config_file)]) == 0
    assert reads == [config_file]


def test_show_printed_once_reads_its_configuration_once(tmp_path, reads, capsys):
    config_file = tmp_path / "config.toml"
    config_file.write_text('driver = "terminal"\n')
    assert main(["show", "42", "--config", str(config_file)]) == 0  # piped: printed once
    assert "●" in capsys.readouterr().out
    assert reads == [config_file]


def test_show_refuses_negative_numbers(capsys):
    assert main(["show", "--once", "--", "-1"]) == 64


def test_test_pattern_lights_each_pixel_in_order_then_columns_then_all(capsys):
    assert main(["test-pattern", "--driver", "jsonl", "--delay", "0"]) == 0
    out, err = capsys.readouterr()
    frames = [json.loads(line) for line in out.splitlines()]
    lit = [[i for i, p in enumerate(f["pixels"]) if p != [0, 0, 0]] for f in frames]
    assert lit[:18] == [[i] for i in range(18)]
    assert lit[18] == [0, 3, 6, 9, 12, 15]
    assert lit[21] == list(range(18)) and lit[22] == []
    assert err.splitlines()[0] == "[ 1/23] pixel 0 at x=0, y=0"


def clock_process(*args: str, driver: str = "jsonl", **popen) -> subprocess.Popen:
    """The clock on ``driver`` as a process, with its stdout and stderr on pipes we read."""
    return subprocess.Popen(
        [sys.executable, "-m", "binclock", "--driver", driver, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HOME": "/nonexistent"},
        **popen,
    )


def test_sigterm_ends_the_process_with_exit_0_within_a_second():
    proc = clock_process()
    try:
        proc.stdout.readline()
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert proc.wait(timeout=5) == 0
        assert time.monotonic() - started < 1.0
    finally:
        proc.kill()


def test_sighup_reloads_the_config_file_in_a_running_process(tmp_path):
    config_file = tmp_path / "config.toml"
    config_file.write_text("[display]\nbrightness = 1.0\n")
    proc = clock_process("--config", str(config_file))
    try:
        first = json.loads(proc.stdout.readline())
        config_file.write_text("[display]\nbrightness = 0.2\n")
        proc.send_signal(signal.SIGHUP)
        peaks = []
        for _ in range(3):
            record = json.loads(proc.stdout.readline())
            peaks.append(max(max(p) for p in record["pixels"]))
        assert max(max(p) for p in first["pixels"]) == 255
        assert peaks[-1] == 51
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def shown_second(line: str) -> int:
    """The second a JSON line shows, as a POSIX timestamp."""
    return int(datetime.fromisoformat(json.loads(line)["time"]).timestamp())


def test_stopped_and_continued_clock_goes_on_from_the_current_second():
    proc = clock_process()
    try:
        shown = [shown_second(proc.stdout.readline())]
        for _ in range(3):
            proc.send_signal(signal.SIGSTOP)
            stopped = time.time()
            time.sleep(1.5)  # past at least one second boundary
            continued = math.floor(time.time())
            proc.send_signal(signal.SIGCONT)
            line = proc.stdout.readline()
            while shown_second(line) <= stopped:  # written before the stop took hold
                shown.append(shown_second(line))
                line = proc.stdout.readline()
            assert shown_second(line) >= continued, "a second passed while stopped was shown"
            shown += [shown_second(line), shown_second(proc.stdout.readline())]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    assert proc.returncode == 0
    assert shown == sorted(set(shown))


def held_signals(pid: int) -> set[signal.Signals]:
    """The stop and reload signals the process blocks now (Linux's /proc)."""
    status = Path(f"/proc/{pid}/status").read_text()
    mask = int(next(ln for ln in status.splitlines() if ln.startswith("SigBlk:")).split()[1], 16)
    return {s for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP) if mask >> (s - 1) & 1}


@pytest.mark.parametrize("attempt", range(3))
def test_a_hangup_and_sigterm_during_start_up_wait_for_the_clock(attempt):
    proc = clock_process()
    os.setpriority(os.PRIO_PROCESS, proc.pid, 10)  # start-up is slower than our look
    try:
        while len(held_signals(proc.pid)) < 3:
            assert proc.poll() is None, "the clock ended before holding the signals"
        loaded = Path(f"/proc/{proc.pid}/maps").read_text()
        proc.send_signal(signal.SIGHUP)
        proc.send_signal(signal.SIGTERM)
        assert "_pydantic_core" not in loaded, "the signals were held only after the imports"
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()


def prompting_test_pattern() -> subprocess.Popen:
    """``binclock test-pattern --step`` waiting at its first step for Enter."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "binclock", "test-pattern", "--step"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HOME": "/nonexistent"},
    )
    assert "pixel 0" in proc.stderr.readline()
    return proc


def test_ctrl_c_ends_a_command_other_than_the_clock_quietly_with_130():
    proc = prompting_test_pattern()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "Traceback" not in err


def test_sigterm_ends_a_command_other_than_the_clock():
    proc = prompting_test_pattern()
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGTERM


@pytest.mark.parametrize("driver", ["terminal", "jsonl"])
def test_the_clock_stops_with_0_when_the_reader_of_its_output_goes_away(driver):
    proc = clock_process(driver=driver)
    proc.stdout.readline()
    proc.stdout.close()  # as `binclock | head -1` does after its line
    assert proc.wait(timeout=30) == 0
    assert proc.stderr.read() == ""


@pytest.mark.parametrize(
    ("driver", "options"),
    [("terminal", ()), ("jsonl", ("--set", "drivers.jsonl.every_second=false"))],
)
def test_the_clock_stops_when_the_reader_goes_away_while_its_picture_stays_the_same(
    driver, options
):
    proc = clock_process("--face", "date", *options, driver=driver)
    try:
        proc.stdout.readline()
        proc.stdout.close()  # as `binclock --face date | head -1` does after its line
        assert proc.wait(timeout=30) == 0
        assert proc.stderr.read() == ""
    finally:
        proc.kill()
        proc.wait()


def read_until(fd: int, wanted: bytes, seen: bytearray) -> bytes:
    """Read a pseudo-terminal into ``seen`` until ``wanted`` comes; what came up to it."""
    while (end := seen.find(wanted)) < 0:
        ready, _, _ = select.select([fd], [], [], 30)
        assert ready, f"{wanted!r} never came; got {bytes(seen[-200:])!r}"
        seen += os.read(fd, 65536)
    taken = bytes(seen[: end + len(wanted)])
    del seen[: end + len(wanted)]
    return taken


def process_state(pid: int) -> str:
    """R, S, T (stopped), ... from /proc."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


@pytest.mark.parametrize(
    "options",
    [(), ("--face", "date"), ("--set", "clock.seconds=false")],
    ids=["every-second-drawn", "a-date", "no-seconds"],
)
def test_the_terminal_clock_stops_with_0_when_its_terminal_hangs_up(options):
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "binclock", *options],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HOME": "/nonexistent", "TERM": "xterm-256color"},
    )
    os.close(slave)
    try:
        read_until(master, ansi.ALT_SCREEN.encode(), bytearray())
        os.close(master)  # the terminal's window is closed, or its ssh connection lost:
        proc.send_signal(signal.SIGHUP)  # the system hangs it up and says so
        assert proc.wait(timeout=30) == 0
        assert "failed" not in proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()


def test_ctrl_z_stops_the_terminal_clock_and_fg_brings_it_back_whole():
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "binclock"],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "HOME": "/nonexistent", "TERM": "xterm-256color"},
        process_group=0,  # a job of our session, as a shell starts it
    )
    os.close(slave)
    out = bytearray()
    try:
        read_until(master, ansi.ALT_SCREEN.encode(), out)
        read_until(master, b"H  M  S", out)
        proc.send_signal(signal.SIGTSTP)
        left = read_until(master, ansi.MAIN_SCREEN.encode(), out)
        while process_state(proc.pid) != "T":
            assert proc.poll() is None, "the clock ended instead of stopping"
            time.sleep(0.01)
        assert left.endswith((ansi.SHOW_CURSOR + ansi.MAIN_SCREEN).encode())
        proc.send_signal(signal.SIGCONT)
        read_until(master, (ansi.ALT_SCREEN + ansi.HIDE_CURSOR).encode(), out)
        assert ansi.CLEAR.encode() in read_until(master, b"H  M  S", out)  # drawn whole
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()
        os.close(master)
