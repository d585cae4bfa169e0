"""Where the number face's value comes from: a constant, or a command run when due."""

import logging
import shlex
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from binclock.faces.sources import CommandSource, Constant, first_number

NOW = datetime(2025, 11, 27, 13, 37, 42, tzinfo=ZoneInfo("Europe/London"))
PYTHON = shlex.quote(sys.executable)


class FakeRunner:
    """Stands in for subprocess.run: prints the given outputs in turn and records each call."""

    def __init__(self, *outputs, returncode=0, stderr=""):
        self.outputs = list(outputs)
        self.returncode = returncode
        self.stderr = stderr
        self.calls = []

    def __call__(self, argv, **kwargs):
        self.calls.append((argv, kwargs))
        out = self.outputs.pop(0) if len(self.outputs) > 1 else self.outputs[0]
        if isinstance(out, BaseException):
            raise out
        return subprocess.CompletedProcess(argv, self.returncode, out, self.stderr)


def source(runner, every=10.0, **kwargs):
    return CommandSource("read-the-value --now", every, runner=runner, **kwargs)


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
    runner = FakeRunner("1")
    CommandSource("sh -c 'vcgencmd measure_temp | cut -c6-'", 10, runner=runner).read(NOW)
    argv, kwargs = runner.calls[0]
    assert argv == ["sh", "-c", "vcgencmd measure_temp | cut -c6-"]
    assert "shell" not in kwargs


def test_runs_the_command_at_the_first_read():
    assert source(FakeRunner("48")).read(NOW) == 48


def test_keeps_the_value_until_the_command_is_due_again():
    runner = FakeRunner("48", "50")
    temperature = source(runner, every=10)
    temperature.read(NOW)
    assert temperature.read(NOW + timedelta(seconds=9)) == 48
    assert len(runner.calls) == 1


def test_runs_again_every_so_many_seconds_of_the_time_it_is_given():
    runner = FakeRunner("48", "50")
    temperature = source(runner, every=10)
    temperature.read(NOW)
    assert temperature.read(NOW + timedelta(seconds=10)) == 50


def test_runs_again_when_the_clock_goes_back():
    runner = FakeRunner("48", "50")
    temperature = source(runner, every=10)
    temperature.read(NOW)
    assert temperature.read(NOW - timedelta(hours=1)) == 50


def test_stops_the_command_after_the_timeout():
    runner = FakeRunner("1")
    source(runner, timeout=0.5).read(NOW)
    assert runner.calls[0][1]["timeout"] == 0.5


# -- failures are logged, not raised ------------------------------------------------------------


def failing_then(output, caplog):
    """Read once with good output, then once with ``output``; return the second value."""
    temperature = source(FakeRunner("48", output), every=1)
    temperature.read(NOW)
    with caplog.at_level(logging.WARNING, logger="binclock.faces.sources"):
        return temperature.read(NOW + timedelta(seconds=1))


def test_a_command_that_prints_no_number_keeps_the_last_value_and_warns(caplog):
    assert failing_then("n/a", caplog) == 48
    assert "printed no number: 'n/a'" in caplog.text
    assert "still showing 48" in caplog.text


def test_a_command_that_fails_keeps_the_last_value_and_warns_with_its_error(caplog):
    runner = FakeRunner("48")
    temperature = source(runner, every=1)
    temperature.read(NOW)
    runner.returncode, runner.stderr = 1, "VCHI initialization failed\n"
    with caplog.at_level(logging.WARNING, logger="binclock.faces.sources"):
        assert temperature.read(NOW + timedelta(seconds=1)) == 48
    assert "exited with status 1: VCHI initialization failed" in caplog.text


def test_a_command_that_hangs_is_reported_as_too_slow(caplog):
    timeout = subprocess.TimeoutExpired("read-the-value", 2)
    assert failing_then(timeout, caplog) == 48
    assert "took longer than 2 s" in caplog.text


def test_a_command_that_cannot_start_gives_no_value_and_warns(caplog):
    runner = FakeRunner(FileNotFoundError(2, "No such file or directory"))
    with caplog.at_level(logging.WARNING, logger="binclock.faces.sources"):
        assert source(runner).read(NOW) is None
    assert "cannot run 'read-the-value --now': No such file or directory" in caplog.text


def test_the_same_failure_again_is_not_warned_twice(caplog):
    runner = FakeRunner("n/a")
    temperature = source(runner, every=1)
    with caplog.at_level(logging.WARNING, logger="binclock.faces.sources"):
        for i in range(3):
            temperature.read(NOW + timedelta(seconds=i))
    assert len(caplog.records) == 1


def test_a_failure_waits_for_the_next_due_time_before_trying_again():
    runner = FakeRunner("n/a")
    temperature = source(runner, every=10)
    temperature.read(NOW)
    temperature.read(NOW + timedelta(seconds=5))
    assert len(runner.calls) == 1


# -- real processes -----------------------------------------------------------------------------


def test_reads_a_real_commands_output():
    command = f"{PYTHON} -c 'print(\"temp=48.3C\")'"
    assert CommandSource(command, 10).read(NOW) == 48


def test_a_real_command_that_outlives_its_timeout_is_stopped_and_reported(caplog):
    command = f"{PYTHON} -c 'import time; time.sleep(30)'"
    with caplog.at_level(logging.WARNING, logger="binclock.faces.sources"):
        assert CommandSource(command, 10, timeout=0.3).read(NOW) is None
    assert "took longer than 0.3 s" in caplog.text


def test_a_missing_program_is_reported(caplog):
    with caplog.at_level(logging.WARNING, logger="binclock.faces.sources"):
        assert CommandSource("/nonexistent/binclock-sensor", 10).read(NOW) is None
    assert "cannot run '/nonexistent/binclock-sensor'" in caplog.text
