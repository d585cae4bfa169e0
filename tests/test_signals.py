"""The signal inbox: SIGTERM, SIGINT and SIGHUP held for the clock and taken between frames."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from binclock.signals import SignalInbox
from conftest import send

FOREVER = 30.0  # a sleep that would fail the test run by its length if a signal did not end it


@pytest.fixture
def inbox() -> Iterator[SignalInbox]:
    with SignalInbox() as held:
        yield held


def test_a_signal_ends_a_sleep_at_once(inbox):
    send(signal.SIGHUP)
    inbox.sleep(FOREVER)
    assert inbox.take() == [signal.SIGHUP]


def test_a_signal_after_a_sleep_ran_out_ends_the_next_sleep_at_once(inbox):
    inbox.sleep(0.001)
    send(signal.SIGTERM)
    inbox.sleep(FOREVER)
    assert inbox.received()


def test_waiting_sees_a_signal_that_came_while_no_sleep_ran(inbox):
    send(signal.SIGINT)
    assert inbox.waiting()


def test_after_a_sleep_ran_out_the_first_check_trusts_it_and_the_next_asks(inbox):
    inbox.sleep(0.001)
    send(signal.SIGTERM)
    assert not inbox.waiting()  # the next sleep or check will see it
    assert inbox.waiting()


def test_signals_are_taken_oldest_first_and_once(inbox):
    send(signal.SIGHUP)
    inbox.collect()
    send(signal.SIGTERM)
    assert inbox.take() == [signal.SIGHUP, signal.SIGTERM]
    assert inbox.take() == []


def test_received_does_not_count_signals_not_yet_collected(inbox):
    send(signal.SIGHUP)
    assert not inbox.received()
    assert inbox.collect()
    assert inbox.received()


def test_closing_gives_the_signals_back_to_their_handlers():
    before = signal.getsignal(signal.SIGHUP)
    with SignalInbox():
        assert signal.getsignal(signal.SIGHUP) != before
    assert signal.getsignal(signal.SIGHUP) == before
    assert signal.SIGHUP not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
