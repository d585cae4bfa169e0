"""The number face: any whole number in binary, from options or from a source."""

import errno
import logging
import os
import shlex
import signal
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from binclock import config, exitcodes
from binclock.clock import ManualClock
from binclock.commandline.cli import main
from binclock.drivers.fake import FakeDriver
from binclock.faces.number import NumberFace, NumberOptions
from binclock.faces.sources import CommandSource
from binclock.pipeline import build_pipeline
from conftest import Sleeper, clock_of, send

NOW = datetime(2025, 11, 27, 13, 37, 42, tzinfo=ZoneInfo("Europe/London"))
PYTHON = shlex.quote(sys.executable)


def read_bits(grid):
    """All LEDs left to right, top to bottom, as one binary number."""
    return int("".join("1" if b else "0" for c in grid.columns for b in c.bits), 2)


def shape(grid):
    return tuple(len(c.bits) for c in grid.columns)


class FakeSource:
    """Gives the values it was made with, one per read, and records when it was asked."""

    def __init__(self, *values):
        self.values = list(values)
        self.asked = []

    def read(self, now):
        self.asked.append(now)
        return self.values.pop(0)


def showing(*values, **options):
    return NumberFace(NumberOptions(value=0, **options), source=FakeSource(*values))


# -- options -------------------------------------------------------------------------------


def test_needs_a_value_or_a_command():
    with pytest.raises(ValidationError, match="set value = N"):
        NumberOptions()


def test_refuses_both_a_value_and_a_command():
    with pytest.raises(ValidationError, match="not both"):
        NumberOptions(value=1, command="true")


def test_refuses_columns_of_four_bits_or_fewer():
    with pytest.raises(ValidationError, match="column_bits"):
        NumberOptions(value=1, column_bits=4)


def test_refuses_a_negative_value():
    with pytest.raises(ValidationError, match="value"):
        NumberOptions(value=-1)


# -- showing numbers ---------------------------------------------------------------------------


@given(st.integers(0, 2**64 - 1))
def test_any_number_reads_back_from_its_leds(value):
    assert read_bits(NumberFace(NumberOptions(value=value)).render(NOW)) == value


@given(st.integers(0, 2**64 - 1), st.integers(5, 16))
def test_uses_whole_columns_as_many_as_the_number_needs(value, column_bits):
    grid = NumberFace(NumberOptions(value=value, column_bits=column_bits)).render(NOW)
    needed = max(1, -(-value.bit_length() // column_bits))
    assert shape(grid) == (column_bits,) * needed


@given(st.integers(1, 64), st.integers(0, 2**64 - 1))
def test_a_fixed_number_of_bits_keeps_the_face_one_size(bits, value):
    grid = showing(value, bits=bits).render(NOW)
    assert sum(shape(grid)) == bits
    assert max(shape(grid)) <= 8


def test_a_fixed_width_splits_from_the_right_into_full_columns():
    assert shape(showing(5, bits=12).render(NOW)) == (4, 8)


def test_columns_are_the_number_group_labelled_n():
    grid = showing(300).render(NOW)
    assert {(c.group, c.label) for c in grid.columns} == {("number", "N")}


def test_caption_is_the_number_and_its_unit():
    assert showing(48, unit="°C").render(NOW).caption == "48°C"


def test_a_number_too_big_for_its_bits_lights_them_all_and_says_so():
    grid = showing(300, bits=8).render(NOW)
    assert read_bits(grid) == 255
    assert grid.caption == "300 (over 255: all lit)"


def test_a_negative_number_lights_nothing_and_says_so():
    grid = showing(-3, bits=8).render(NOW)
    assert read_bits(grid) == 0
    assert grid.caption == "-3 (below 0: none lit)"


def test_no_value_yet_is_dark_and_says_so():
    grid = showing(None).render(NOW)
    assert (read_bits(grid), shape(grid)) == (0, (8,))
    assert grid.caption == "no value yet"


def test_asks_its_source_at_the_time_it_is_shown():
    source = FakeSource(1, 2)
    face = NumberFace(NumberOptions(value=0), source=source)
    face.render(NOW)
    face.render(NOW + timedelta(seconds=1))
    assert source.asked == [NOW, NOW + timedelta(seconds=1)]


def test_a_command_option_reads_the_number_from_the_command():
    command = f"{PYTHON} -c 'print(48312)'"
    face = NumberFace(NumberOptions(command=command, divide=1000))
    assert isinstance(face.source, CommandSource)
    face.render(NOW)
    assert face.source.settle(30)
    assert read_bits(face.render(NOW)) == 48


def test_faces_with_the_same_command_share_one_reader_of_it():
    options = NumberOptions(command="true")
    assert NumberFace(options).source is NumberFace(options).source


def test_laying_the_face_out_runs_no_command():
    options = {"command": f"{PYTHON} -c 'print(42)'"}
    cfg = config.validate({"face": "number", "driver": "fake", "faces": {"number": options}})
    pipeline = build_pipeline(cfg, FakeDriver())
    assert pipeline.face.source.last_run is None


def test_once_shows_the_commands_number(capsys):
    command = f"{PYTHON} -c 'print(42)'"
    argv = ["--face", "number", "--set", f"faces.number.command={command!r}", "--driver"]
    assert main([*argv, "terminal", "--once"]) == 0
    assert "42" in capsys.readouterr().out.split()


def test_explain_shows_the_commands_number(capsys):
    command = f"{PYTHON} -c 'print(42)'"
    argv = ["explain", "--face", "number", "--set", f"faces.number.command={command!r}"]
    assert main(argv) == 0
    assert "32+8+2 = 42" in capsys.readouterr().out


def writer(fifo):
    """The writing end of ``fifo``, once a reader has it open (tried for up to 30 s)."""
    for _ in range(600):
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                raise
            time.sleep(0.05)
    raise AssertionError(f"nothing reads {fifo}")


def number_clock(tmp_path, table):
    """A clock on a manual clock showing the number face with ``table`` as its options,
    on the fake display; its config file and sleep."""
    path = tmp_path / "config.toml"
    path.write_text(f'driver = "fake"\nface = "number"\n[faces.number]\n{table}')
    clock = ManualClock(NOW)
    sleeper = Sleeper(clock)
    service = sleeper.service = clock_of(path, clock, sleeper)
    return service, path, sleeper


def test_the_clock_keeps_ticking_while_the_command_runs(tmp_path):
    fifo = tmp_path / "value"
    os.mkfifo(fifo)  # the command reads it: it runs until the test writes the number
    service, _, sleeper = number_clock(tmp_path, f'command = "cat {fifo}"\ntimeout = 5\n')

    def the_number_comes():
        fd = writer(fifo)  # only while the command still runs and reads it
        os.write(fd, b"42\n")
        os.close(fd)
        assert service.screens[0].pipeline.face.source.settle(30)

    sleeper.actions[3] = the_number_comes
    assert service.run(frames=5) == exitcodes.OK
    captions = [frame.caption for frame in service.driver.frames]
    assert (len(captions), captions[0], captions[-1]) == (5, "no value yet", "42")


def gone(pid):
    """Whether process ``pid`` has ended and been reaped (waited for up to 30 s)."""
    for _ in range(600):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_a_reload_that_changes_the_command_kills_the_old_one_still_running(tmp_path):
    pid_file = tmp_path / "pid"
    table = f"command = \"sh -c 'echo $$ > {pid_file}; exec sleep 300'\"\ntimeout = 60\n"
    service, path, sleeper = number_clock(tmp_path, table)

    def change_the_command():
        for _ in range(600):  # the command has started once it wrote its pid
            if pid_file.exists() and pid_file.read_text().strip():
                break
            time.sleep(0.05)
        path.write_text(path.read_text().replace(str(pid_file), f"{pid_file}.new"))
        send(signal.SIGHUP)

    sleeper.actions[2] = change_the_command
    assert service.run(frames=4) == exitcodes.OK
    assert gone(int(pid_file.read_text()))


def test_a_failing_command_is_reported_once_with_once(capsys, caplog):
    argv = ["--face", "number", "--set", 'faces.number.command="false"', "--driver", "jsonl"]
    with caplog.at_level(logging.WARNING):
        assert main([*argv, "--once"]) == 0
    assert [r.getMessage() for r in caplog.records] == ["'false' exited with status 1"]


def test_ignores_the_clock_options():
    assert NumberFace(NumberOptions(value=7), hour12=True, seconds=False).render(NOW).values() == (
        7,
    )
