"""The conformance suite over the built-in drivers that run anywhere, plus their specifics."""

from __future__ import annotations

import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from binclock.drivers.fake import FakeDriver, FakeOptions
from binclock.drivers.jsonl import JsonlDriver, JsonlOptions
from binclock.drivers.terminal import LIT, TerminalDriver, TerminalOptions
from binclock.frame import Frame
from binclock.testing import DriverContract, pattern


class TestFakeContract(DriverContract):
    @pytest.fixture
    def driver(self):
        return FakeDriver(FakeOptions(width=3, height=6))

    def read_back(self, driver):
        return driver.pixels.pixels if driver.pixels else []


class TestJsonlContract(DriverContract):
    @pytest.fixture
    def driver(self):
        return JsonlDriver(JsonlOptions(every_second=False), stream=io.StringIO())

    def hardware_writes(self, driver):
        return driver.stream.getvalue().count("\n")


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class TestTerminalContract(DriverContract):
    @pytest.fixture
    def driver(self):
        opts = TerminalOptions(colour="truecolor", fullscreen=True)
        return TerminalDriver(opts, stream=Tty(), environ={})

    def hardware_writes(self, driver):
        return driver.stream.getvalue().count(LIT)


def test_jsonl_writes_one_flushed_object_per_frame_row_major():
    out = io.StringIO()
    when = datetime(2026, 3, 29, 2, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    frame = Frame(2, 1, ((1, 2, 3), (4, 5, 6)), time=when)
    JsonlDriver(stream=out).show(frame)
    assert json.loads(out.getvalue()) == {
        "time": when.isoformat(),
        "width": 2,
        "height": 1,
        "pixels": [[1, 2, 3], [4, 5, 6]],
    }


def test_jsonl_repeats_unchanged_frames_each_second_by_default():
    out = io.StringIO()
    driver = JsonlDriver(stream=out)
    driver.show(pattern(3, 6))
    driver.show(pattern(3, 6))
    assert out.getvalue().count("\n") == 2


def test_jsonl_declares_a_size_when_configured():
    assert JsonlDriver(JsonlOptions(width=8, height=8)).size == (8, 8)


def test_jsonl_options_need_both_width_and_height():
    with pytest.raises(ValueError, match="both width and height"):
        JsonlOptions(width=8)


def test_fake_records_every_frame_with_its_time():
    driver = FakeDriver()
    times = [datetime(2026, 1, 1, 0, 0, s) for s in range(3)]
    for t in times:
        driver.show(Frame(1, 1, ((0, 0, 0),), time=t))
    assert driver.times == times
    driver.assert_times(["00:00:00", "00:00:01", "00:00:02"])


def test_fake_assert_times_reports_what_was_shown():
    driver = FakeDriver()
    driver.show(Frame(1, 1, ((0, 0, 0),), time=datetime(2026, 1, 1, 0, 0, 5)))
    with pytest.raises(AssertionError, match=r"frames showed \['00:00:05'\]"):
        driver.assert_times(["00:00:06"])


def test_fake_is_dark_after_close():
    driver = FakeDriver()
    driver.show(pattern(3, 6))
    with pytest.raises(AssertionError, match="still lit"):
        driver.assert_dark()
    driver.close()
    driver.assert_dark()
    assert driver.closed


def test_a_closed_driver_refuses_frames():
    driver = FakeDriver()
    driver.close()
    with pytest.raises(RuntimeError, match="closed"):
        driver.show(pattern(3, 6))


class Keeping(FakeDriver):
    """Keeps each prepared frame's first pixel, as a driver keeps its converted frames."""

    def _prepare(self, frames: list[Frame]) -> None:
        super()._prepare(frames)
        for frame in frames:
            self._keep(frame, frame.pixels[0])


def test_work_prepared_for_a_frame_is_taken_once_by_that_very_frame():
    driver = Keeping()
    frame = pattern(3, 6)
    driver.prepare([frame])
    assert driver._take_prepared(pattern(3, 6)) is None  # equal, but another frame
    assert driver._take_prepared(frame) == frame.pixels[0]
    assert driver._take_prepared(frame) is None


def test_preparing_again_drops_what_was_prepared_before():
    driver = Keeping()
    first, second = pattern(3, 6), pattern(3, 6, seed=1)
    driver.prepare([first])
    driver.prepare([second])
    assert driver._take_prepared(first) is None


def test_frames_after_one_of_another_size_are_not_prepared():
    driver = Keeping(FakeOptions(width=3, height=6))
    fitting, other, after = pattern(3, 6), pattern(4, 6), pattern(3, 6, seed=1)
    driver.prepare([fitting, other, after])
    assert driver.prepared == [[fitting]]
