"""Where the number face's value comes from: a constant, or a command run when due."""

import gc
import logging
import shlex
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from binclock.faces import rendering
from binclock.faces.sources import CommandSource, Constant, first_number

NOW = datetime(2025, 11, 27, 13, 37, 42, tzinfo=ZoneInfo("Europe/London"))
PYTHON = shlex.quote(sys.executable)


class FakeCommand:
    """Stands in for subprocess.Popen: each run prints the next of the given outputs (the
    last again once they run out; an exception is raised by the start, or by the wait when
    it is a TimeoutExpired) and is recorded. With ``held``, a run goes on until ``release()``."""

    def __init__(self, *outputs, returncode=0, stderr="", held=False):
        self.outputs = list(outputs)
        self.returncode = returncode
        self.stderr = stderr
        self.calls = []
        self.waits = []
        self.released = threading.Event()
        if not held:
            self.released.set()

    def release(self):
        self.released.set()

    def __call__(self, argv, **kwargs):
        self.calls.append((argv, kwargs))
        out = self.outputs.pop(0) if len(self.outputs) > 1 else self.outputs[0]
        if isinstance(out, OSError):
            raise out
        return FakeChild(self, out)


class FakeChild:
    """One run of a FakeCommand."""

    def __init__(self, command, out):
        self.command = command
        self.out = out
        self.returncode = None

    def communicate(self, timeout=None):
        self.command.waits.append(timeout)
        self.command.released.wait(30)  # a bound so a broken test fails instead of hanging
        if isinstance(self.out, subprocess.TimeoutExpired):
            self.out, timed_out = "", self.out
            raise timed_out
        self.returncode = self.command.returncode
        return self.out, self.command.stderr

    def poll(self):
        return self.returncode

    def kill(self):
        self.returncode = -9

    def wait(self, timeout=None):
        return self.returncode


def source(command, every=10.0, **kwargs):
    return CommandSource("read-the-value --now", every, popen=command, **kwargs)


def ran(reader, now):
    """Read at ``now``, let the run it started end, and read again: the value it gave."""
    reader.read(now)
    assert reader.settle(30)
    return reader.read(now)


def started():
    """A real Popen that records the children it starts, and says when one has."""
    children = []
    one = threading.Event()

    def popen(*args, **kwargs):
        children.append(subprocess.Popen(*args, **kwargs))
        one.set()
        return children[-1]

    popen.children, popen.one = children, one
    return popen


SLEEPER = f"{PYTHON} -c 'import time; time.sleep(30)'"


# -- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "divide", "value"),
    [
        ("42\n", 1, 42),
        ("temp=48.6'C\n", 1, 49),
        ("48312\n", 1000, 48),
        ("48500\n", 1000, 49),
        ("-5 degrees", 1, -5),
        ("load 3 of 4", 1, 3),
    ],
)
def test_takes_the_first_number_divided_and_rounded_half_up(text, divide, value):
    assert first_number(text, divide) == value


def test_finds_no_number_in_text_without_digits():
    assert first_number("unknown") is None


# -- when the command runs ----------------------------------------------------------------------


def test_a_constant_is_always_its_value():
    assert Constant(42).read(NOW) == 42


def test_runs_the_command_split_like_a_shell_without_one():
    command = FakeCommand("1")
    reader = CommandSource("sh -c 'vcgencmd measure_temp | cut -c6-'", 10, popen=command)
    ran(reader, NOW)
    argv, kwargs = command.calls[0]
    assert argv == ["sh", "-c", "vcgencmd measure_temp | cut -c6-"]
    assert "shell" not in kwargs


def test_runs_the_command_at_the_first_read():
    assert ran(source(FakeCommand("48")), NOW) == 48


def test_a_read_does_not_wait_for_a_command_still_running():
    command = FakeCommand("48", held=True)
    reader = source(command)
    assert reader.read(NOW) is None
    assert reader.running
    command.release()


def test_the_value_appears_once_the_run_ends():
    command = FakeCommand("48", held=True)
    reader = source(command)
    reader.read(NOW)
    command.release()
    assert reader.settle(30)
    assert reader.read(NOW + timedelta(seconds=1)) == 48


def test_a_run_still_going_when_the_next_is_due_is_not_doubled():
    command = FakeCommand("48", held=True)
    reader = source(command, every=10)
    reader.read(NOW)
    reader.read(NOW + timedelta(seconds=20))
    command.release()
    assert len(command.calls) == 1


def test_keeps_the_value_until_the_command_is_due_again():
    command = FakeCommand("48", "50")
    temperature = source(command, every=10)
    ran(temperature, NOW)
    assert ran(temperature, NOW + timedelta(seconds=9)) == 48
    assert len(command.calls) == 1


def test_runs_again_every_so_many_seconds_of_the_time_it_is_given():
    temperature = source(FakeCommand("48", "50"), every=10)
    ran(temperature, NOW)
    assert ran(temperature, NOW + timedelta(seconds=10)) == 50


def test_runs_again_when_the_clock_goes_back():
    temperature = source(FakeCommand("48", "50"), every=10)
    ran(temperature, NOW)
    assert ran(temperature, NOW - timedelta(hours=1)) == 50


def test_stops_the_command_after_the_timeout():
    command = FakeCommand("1")
    ran(source(command, timeout=0.5), NOW)
    assert command.waits == [0.5]


def test_a_frame_only_laid_out_starts_no_run():
    command = FakeCommand("48")
    with rendering("layout"):
        source(command).read(NOW)
    assert command.calls == []


def test_a_single_frame_waits_for_the_first_value():
    with rendering("one frame"):
        assert source(FakeCommand("48")).read(NOW) == 48


# -- failures are logged, not raised ------------------------------------------------------------


def failing_then(output, caplog):
    """Read once with good output, then once with ``output``; return the second value."""
    temperature = source(FakeCommand("48", output), every=1)
    ran(temperature, NOW)
    with caplog.at_level(logging.WARNING, logger="binclock.faces.sources"):
        return ran(temperature, NOW + timedelta(seconds=1))


def test_a_command_that_prints_no_number_keeps_the_last_value_and_warns(caplog):
    assert failing_then("n/a", caplog) == 48
    assert "printed no number: 'n/a'" in caplog.text
    assert "still showing 48" in caplog.text


def test_a_command_that_fails_keeps_the_last_value_and_warns_with_its_error(caplog):
    command = FakeCommand("48")
    temperature = source(command, every=1)
    ran(temperature, NOW)
    command.returncode, command.stderr = 1, "VCHI initialization failed\n"
    with caplog.at_level(logging.WARNING, logger="binclock.faces.sources"):
        assert ran(temperature, NOW + timedelta(seconds=1)) == 48
    assert "exited with status 1: VCHI initialization failed" in caplog.text


def test_a_command_that_hangs_is_reported_as_too_slow(caplog):
    timeout = subprocess.TimeoutExpired("read-the-value", 2)
    assert failing_then(timeout, caplog) == 48
    assert "took longer than 2 s" in caplog.text


def test_a_command_that_cannot_start_gives_no_value_and_warns(caplog):
    command = FakeCommand(FileNotFoundError(2, "No such file or directory"))
    with caplog.at_level(logging.WARNING, logger="binclock.faces.sources"):
        assert ran(source(command), NOW) is None
    assert "cannot run 'read-the-value --now': No such file or directory" in caplog.text


def test_the_same_failure_again_is_not_warned_twice(caplog):
    temperature = source(FakeCommand("n/a"), every=1)
    with caplog.at_level(logging.WARNING, logger="binclock.faces.sources"):
        for i in range(3):
            ran(temperature, NOW + timedelta(seconds=i))
    assert len(caplog.records) == 1


def test_a_failure_waits_for_the_next_due_time_before_trying_again():
    command = FakeCommand("n/a")
    temperature = source(command, every=10)
    ran(temperature, NOW)
    ran(temperature, NOW + timedelta(seconds=5))
    assert len(command.calls) == 1


# -- real processes -----------------------------------------------------------------------------


def test_reads_a_real_commands_output():
    command = f"{PYTHON} -c 'print(\"temp=48.3C\")'"
    assert ran(CommandSource(command, 10), NOW) == 48


def test_a_real_command_that_outlives_its_timeout_is_stopped_and_reported(caplog):
    with caplog.at_level(logging.WARNING, logger="binclock.faces.sources"):
        assert ran(CommandSource(SLEEPER, 10, timeout=0.3), NOW) is None
    assert "took longer than 0.3 s" in caplog.text


def test_a_missing_program_is_reported(caplog):
    with caplog.at_level(logging.WARNING, logger="binclock.faces.sources"):
        assert ran(CommandSource("/nonexistent/binclock-sensor", 10), NOW) is None
    assert "cannot run '/nonexistent/binclock-sensor'" in caplog.text


def test_closing_kills_a_command_still_running():
    popen = started()
    reader = CommandSource(SLEEPER, 10, timeout=60, popen=popen)
    reader.read(NOW)
    assert popen.one.wait(30)
    reader.close()
    assert popen.children[0].wait(30) == -signal.SIGKILL


def test_a_reader_no_face_uses_any_more_kills_its_command():
    popen = started()
    reader = CommandSource(SLEEPER, 10, timeout=60, popen=popen)
    reader.read(NOW)
    assert popen.one.wait(30)
    del reader
    gc.collect()
    assert popen.children[0].wait(30) == -signal.SIGKILL
