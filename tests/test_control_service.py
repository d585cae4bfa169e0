"""Run-time changes inside the clock: one path for every source, shown at once, persisted."""

from __future__ import annotations

import json
import logging
import queue
import signal
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binclock import config
from binclock.clock import ManualClock
from binclock.config import ConfigError
from binclock.control.api import NotifyRequest
from binclock.control.state import Change, RunState, StateFile
from binclock.controls import Control
from binclock.daemon.notify import Notifier
from binclock.daemon.service import Service
from binclock.driver import DriverUnavailable
from binclock.frame import BLACK
from binclock.sync import SyncCheck
from conftest import decode_binary, send

UTC = ZoneInfo("UTC")
START = datetime(2026, 6, 1, 12, 0, 0, 500000, tzinfo=UTC)


def make(
    tmp_path: Path,
    text: str = "",
    state: RunState | None = None,
    sleep: Callable[[Service, ManualClock, float], None] | None = None,
) -> Service:
    path = tmp_path / "config.toml"
    path.write_text(f'driver = "fake"\n{text}\n[clock]\ntimezone = "UTC"\n')
    state_file = StateFile(tmp_path / "state.json")
    if state is not None:
        state_file.save(state)
    clock = ManualClock(START)
    service = Service(
        lambda: config.load(path, environ={}),
        clock=clock,
        sleep=lambda seconds: sleep(service, clock, seconds) if sleep else clock.sleep(seconds),
        notifier=Notifier({}),
        sync=SyncCheck(tmp_path / "none" / "synchronized", lambda: None),
        state_file=state_file,
    )
    return service


class DimOnce:
    """The clock's sleep, in which the control API asks for half brightness, once: the
    wake-up ends that sleep, as the real one would."""

    def __init__(self) -> None:
        self.asked = False

    def __call__(self, service: Service, clock: ManualClock, seconds: float) -> None:
        if self.asked:
            clock.sleep(seconds)
            return
        self.asked = True
        service.submit(lambda: service.apply(Change({"display": {"brightness": 0.5}})))
        service.inbox.collect()


def test_a_change_is_shown_at_once_for_the_current_second(tmp_path):
    service = make(tmp_path, sleep=DimOnce())
    service.run(frames=2)
    times = [t.strftime("%H:%M:%S") for t in service.driver.times]
    levels = [max(max(p) for p in f.pixels) for f in service.driver.frames]
    assert times == ["12:00:00", "12:00:00", "12:00:01"]
    assert levels[0] > levels[1] == levels[2]


def test_a_submitted_change_wakes_the_loop_and_answers_with_the_state(tmp_path):
    service = make(tmp_path)
    future = service.submit(lambda: service.apply(Change({"face": "bcd"})))
    service.run(frames=1)
    assert future.result(timeout=0)["face"] == "bcd"
    assert service.config.face == "bcd"


def test_a_refused_change_changes_nothing_and_says_why(tmp_path):
    service = make(tmp_path)
    with pytest.raises(ConfigError, match=r"display\.brightness"):
        service.apply(Change({"display": {"brightness": 7}}))
    assert service.state == RunState()
    assert not (tmp_path / "state.json").exists()


def test_a_change_is_kept_in_the_state_file(tmp_path):
    service = make(tmp_path)
    service.apply(Change({"face": "bcd"}, power=False))
    assert StateFile(tmp_path / "state.json").load() == RunState(False, {"face": "bcd"})


def test_the_saved_state_is_restored_at_start(tmp_path):
    service = make(tmp_path, state=RunState(True, {"display": {"brightness": 0.25}}))
    assert service.config.display.brightness == 0.25
    assert service.view()["sources"]["brightness"] == "runtime"


def test_saved_overrides_the_configuration_now_refuses_are_ignored_in_one_line(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        service = make(tmp_path, state=RunState(True, {"face": "no-such-face", "nope": 1}))
    assert service.config.face == "binary"
    assert len(caplog.records) == 1


def test_power_off_shows_a_dark_frame_each_second(tmp_path):
    service = make(tmp_path)
    service.apply(Change(power=False))
    service.run(frames=2)
    assert [f.is_dark() for f in service.driver.frames[:2]] == [True, True]


def test_power_off_says_how_to_turn_it_on_to_displays_that_print_text(tmp_path):
    service = make(tmp_path)
    service.apply(Change(power=False))
    service.run(frames=1)
    assert service.driver.frames[0].off == "off — binclock ctl on"


def test_power_off_in_a_schedules_off_range_says_the_schedule_keeps_it_dark(tmp_path):
    service = make(tmp_path, '[[schedule]]\nfrom = "11:00"\nto = "13:00"\noff = true\n')
    service.apply(Change(power=False))
    service.run(frames=1)
    assert service.driver.frames[0].off == "off (schedule 11:00-13:00)"


def test_power_on_shows_the_clock_again(tmp_path):
    service = make(tmp_path, state=RunState(power=False))
    service.apply(Change(power=True))
    service.run(frames=1)
    assert not service.driver.frames[0].is_dark()


def test_reload_keeps_the_run_time_overrides(tmp_path):
    service = make(tmp_path)
    service.apply(Change({"display": {"brightness": 0.5}}))
    (tmp_path / "config.toml").write_text('driver = "fake"\nface = "bcd"\n')
    assert service.reload()
    assert (service.config.face, service.config.display.brightness) == ("bcd", 0.5)


def test_reset_goes_back_to_the_file(tmp_path):
    service = make(tmp_path, 'face = "bcd"\n', state=RunState(True, {"face": "binary"}))
    service.apply(Change(reset=True))
    assert service.config.face == "bcd"


def test_reset_lights_a_clock_that_was_off(tmp_path):
    service = make(tmp_path, state=RunState(False, {"face": "bcd"}))
    service.apply(Change(reset=True))
    service.run(frames=1)
    assert not service.driver.frames[0].is_dark()
    assert StateFile(tmp_path / "state.json").load() == RunState()


def test_the_joystick_makes_the_same_persisted_change(tmp_path):
    service = make(tmp_path)
    service._handle_controls(lambda: [Control.DIMMER])
    assert StateFile(tmp_path / "state.json").load() == RunState(
        True, {"display": {"brightness": 0.9}}
    )


def test_a_notified_number_shows_over_the_clock_for_its_seconds(tmp_path):
    service = make(tmp_path)
    service.notify(NotifyRequest(number=5, seconds=2))
    service.run(frames=3)
    shown = [decode_binary(f) for f in service.driver.frames]
    assert shown[0] == shown[1] != shown[2]
    assert shown[2] == (12, 0, 2)


def test_the_end_of_a_notification_is_told_after_the_clock_s_frame_is_back(tmp_path):
    service = make(tmp_path)
    service.notify(NotifyRequest(number=5, seconds=2))
    events = service.hub.subscribe()
    service.run(frames=3)
    told = [events.get_nowait() for _ in range(events.qsize())]
    names = [name for name, _ in told]
    assert names == ["frame", "frame", "frame", "state"]
    assert json.loads(told[-1][1])["notify"] is None


def test_a_blinking_colour_is_lit_every_other_second(tmp_path):
    service = make(tmp_path)
    service.notify(NotifyRequest(colour="#ff0000", blink=True, seconds=3))
    service.run(frames=3)
    lit = [set(f.pixels) for f in service.driver.frames]
    assert lit == [{(255, 0, 0)}, {BLACK}, {(255, 0, 0)}]


@pytest.mark.parametrize(
    "request_", [NotifyRequest(colour="#ff0000"), NotifyRequest(number=5)], ids=["colour", "number"]
)
def test_a_notification_in_a_schedules_off_range_is_dark_and_says_why(tmp_path, request_):
    service = make(tmp_path, '[[schedule]]\nfrom = "11:00"\nto = "13:00"\noff = true\n')
    service.notify(request_)
    service.run(frames=1)
    shown = service.driver.frames[0]
    assert shown.is_dark() and shown.off == "off (schedule 11:00-13:00)"


def test_a_higher_priority_replaces_the_one_showing(tmp_path):
    service = make(tmp_path)
    service.notify(NotifyRequest(colour="#0000ff", seconds=60))
    answer = service.notify(NotifyRequest(colour="#ff0000", seconds=1, priority=1))
    service.run(frames=2)
    assert answer["queued"] is False
    assert [set(f.pixels) for f in service.driver.frames[:1]] == [{(255, 0, 0)}]
    assert not service.driver.frames[1].is_dark() and decode_binary(service.driver.frames[1])


def test_an_equal_priority_waits_its_turn(tmp_path):
    service = make(tmp_path)
    service.notify(NotifyRequest(colour="#0000ff", seconds=1))
    answer = service.notify(NotifyRequest(colour="#ff0000", seconds=1))
    service.run(frames=3)
    assert answer["queued"] is True
    colours = [set(f.pixels) for f in service.driver.frames[:2]]
    assert colours == [{(0, 0, 255)}, {(255, 0, 0)}]


def test_clearing_notifications_returns_to_the_clock(tmp_path):
    service = make(tmp_path)
    service.notify(NotifyRequest(colour="#0000ff", seconds=60))
    assert service.clear_notifications() == {"cleared": 1}
    service.run(frames=1)
    assert decode_binary(service.driver.last) == (12, 0, 0)


def test_frames_are_published_only_to_subscribers(tmp_path):
    service = make(tmp_path)
    events = service.hub.subscribe()
    service.run(frames=1)
    name, data = events.get_nowait()
    assert name == "frame" and '"pixels"' in data


def test_a_request_to_a_stopped_clock_is_refused_without_a_wake_up(tmp_path):
    service = make(tmp_path)
    service.run(frames=1)
    with pytest.raises(DriverUnavailable, match="stopping"):
        service.submit(lambda: service.apply(Change(power=False))).result(timeout=0)


def test_sigusr1_alone_does_not_stop_the_clock(tmp_path):
    service = make(tmp_path)
    service.inbox.open()
    try:
        send(signal.SIGUSR1)
        assert service._handle_signals() is False
    finally:
        service.inbox.close()


class AnswerWatched:
    """The clock's sleep, in which the control API asks for the bcd face, once; what the
    API could read (the frame, the events) when the request is answered is kept."""

    def __init__(self) -> None:
        self.seen: list[tuple[dict | None, list[str]]] = []
        self.events: queue.Queue[tuple[str, str]] | None = None

    def __call__(self, service: Service, clock: ManualClock, seconds: float) -> None:
        if self.events is not None:
            clock.sleep(seconds)
            return
        self.events = service.hub.subscribe()
        future = service.submit(lambda: service.apply(Change({"face": "bcd"})))
        future.add_done_callback(lambda _: self.seen.append(self.readable(service)))
        service.inbox.collect()

    def readable(self, service: Service) -> tuple[dict | None, list[str]]:
        assert self.events is not None
        published = []
        while not self.events.empty():
            published.append(self.events.get_nowait()[1])
        return service.frame_view(), published


def test_a_change_is_answered_once_its_frame_is_shown_and_published(tmp_path):
    watch = AnswerWatched()
    service = make(tmp_path, sleep=watch)
    service.run(frames=2)
    [(frame, published)] = watch.seen
    before, shown = service.driver.frames[:2]
    assert (before.width, before.height) != (shown.width, shown.height)
    assert (frame["width"], frame["height"]) == (shown.width, shown.height)
    assert json.dumps(frame, separators=(",", ":")) in published


def test_a_change_waiting_as_a_second_begins_shows_that_second_once(tmp_path):
    service = make(tmp_path)
    service.submit(lambda: service.apply(Change({"face": "bcd"})))
    service.run(frames=2)
    times = [t.strftime("%H:%M:%S") for t in service.driver.times]
    assert times == ["12:00:00", "12:00:01"]
