"""The ticker wakes once per wall-clock second, following clock steps."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from conftest import decode_binary

from binclock.clock import ManualClock
from binclock.drivers.fake import FakeDriver
from binclock.faces.time import BinaryFace
from binclock.painter import Painter
from binclock.pipeline import Pipeline
from binclock.run import run
from binclock.ticker import Ticker

UTC = ZoneInfo("UTC")


def test_first_wait_returns_the_current_second_at_once(clock):
    assert Ticker(clock).wait() == int(clock.time())
    assert clock.sleeps == []


def test_next_wait_sleeps_exactly_to_the_next_boundary(clock):
    ticker = Ticker(clock)
    first = ticker.wait()
    assert ticker.wait() == first + 1
    assert clock.sleeps == [0.75]
    assert clock.time() == first + 1


def test_no_second_is_returned_twice_even_after_an_early_wake():
    clock = ManualClock(100.0)
    ticker = Ticker(clock)
    ticker.wait()
    clock.sleep = lambda s: ManualClock.sleep(clock, s / 2)  # type: ignore[method-assign]
    assert ticker.wait() == 101


def test_clock_stepped_back_is_followed_at_once(clock):
    ticker = Ticker(clock)
    first = ticker.wait()
    clock.step(-3600)
    assert ticker.wait() == first - 3600


def test_clock_stepped_forward_is_followed_at_once(clock):
    ticker = Ticker(clock)
    first = ticker.wait()
    clock.step(+90.5)
    assert ticker.wait() == first + 90


def test_run_shows_consecutive_seconds_on_the_driver(clock):
    driver = FakeDriver()
    run(Pipeline(BinaryFace(), Painter()), driver, clock, frames=3)
    driver.assert_times(["13:37:41", "13:37:42", "13:37:43"])
    assert decode_binary(driver.last) == (13, 37, 43)


def test_run_shows_whole_seconds_not_the_moment_of_waking(clock):
    driver = FakeDriver()
    run(Pipeline(BinaryFace(), Painter()), driver, clock, frames=2)
    assert [t.microsecond for t in driver.times] == [0, 0]


def test_run_shows_local_time_across_a_dst_change():
    london = ZoneInfo("Europe/London")
    clock = ManualClock(datetime(2026, 3, 29, 0, 59, 59, tzinfo=london))
    driver = FakeDriver()
    run(Pipeline(BinaryFace(), Painter()), driver, clock, frames=2)
    driver.assert_times(["00:59:59", "02:00:00"])
