"""The ticker wakes once per wall-clock second, following clock steps."""

from __future__ import annotations

from binclock.clock import ManualClock
from binclock.daemon.ticker import Ticker


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


def test_interrupted_wait_returns_none_instead_of_sleeping(clock):
    ticker = Ticker(clock, interrupted=lambda: True)
    ticker.wait()
    assert ticker.wait() is None
    assert clock.sleeps == []
