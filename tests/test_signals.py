"""The signal inbox: SIGTERM, SIGINT and SIGHUP held for the clock and taken between frames."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from binclock.daemon.signals import SignalInbox
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


class KernelAnswers:
    """A stand-in for ``signal.sigtimedwait`` that gives these answers in turn, then None."""

    def __init__(self, *answers: signal.struct_siginfo | None) -> None:
        self.answers = list(answers)
        self.timeouts: list[float] = []

    def __call__(self, _signals, timeout: float) -> signal.struct_siginfo | None:
        self.timeouts.append(timeout)
        return self.answers.pop(0) if self.answers else None


def siginfo(signo: int) -> signal.struct_siginfo:
    return signal.struct_siginfo((signo, 0, 0, 0, 0, 0, 0))


GARBAGE = -883881552  # what an interrupted wait past its deadline can hand back


def test_a_wait_that_hands_back_garbage_ends_the_sleep_without_a_signal():
    inbox = SignalInbox(wait=KernelAnswers(siginfo(GARBAGE)))
    inbox.sleep(1.0)
    assert inbox.take() == []


def test_after_a_wait_that_hands_back_garbage_the_kernel_is_asked_again_at_once():
    answers = KernelAnswers(siginfo(GARBAGE), siginfo(signal.SIGTERM))
    inbox = SignalInbox(wait=answers)
    inbox.sleep(1.0)
    assert answers.timeouts == [1.0, 0, 0]
    assert inbox.received()


def test_a_number_that_is_not_a_watched_signal_is_not_taken_for_one():
    inbox = SignalInbox(wait=KernelAnswers(siginfo(signal.SIGWINCH), siginfo(0)))
    inbox.sleep(1.0)
    assert inbox.take() == []
