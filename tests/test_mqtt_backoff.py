"""The bridge's waits between tries: exponential back-off with full jitter, never shorter
than a tenth of a second, never longer than a minute, from the start after a success."""

from __future__ import annotations

import random

from binclock.mqtt.bridge import LONGEST_WAIT, SHORTEST_WAIT, Backoff


class Highest(random.Random):
    """Draws the top of every range."""

    def uniform(self, a: float, b: float) -> float:
        return b


class Lowest(random.Random):
    """Draws the bottom of every range."""

    def uniform(self, a: float, b: float) -> float:
        return a


def test_the_ceiling_doubles_from_one_second_to_a_minute() -> None:
    backoff = Backoff(Highest())
    assert [backoff.next() for _ in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_the_ceiling_stays_a_minute_however_many_tries() -> None:
    backoff = Backoff(Highest())
    assert {backoff.next() for _ in range(200)} >= {LONGEST_WAIT}
    assert backoff.next() == LONGEST_WAIT


def test_a_draw_of_nothing_still_waits_the_shortest_wait() -> None:
    backoff = Backoff(Lowest())
    assert [backoff.next() for _ in range(3)] == [SHORTEST_WAIT] * 3


def test_waits_are_drawn_anywhere_up_to_the_ceiling() -> None:
    backoff = Backoff(random.Random(14))
    waits = [backoff.next() for _ in range(12)]
    assert all(SHORTEST_WAIT <= wait <= LONGEST_WAIT for wait in waits)
    assert len(set(waits)) == len(waits)
    assert any(wait < min(LONGEST_WAIT, 2**n) / 2 for n, wait in enumerate(waits))


def test_reset_starts_again_from_the_first_ceiling() -> None:
    backoff = Backoff(Highest())
    for _ in range(5):
        backoff.next()
    backoff.reset()
    assert backoff.next() == 1
