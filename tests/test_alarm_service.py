"""Alarms in the running clock: the fade and the ring over every display, restarts, clock
steps, and stop and snooze from the control API, ``ctl`` and the buttons."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from binclock import config
from binclock.clock import ManualClock
from binclock.commandline.cli import main
from binclock.control.client import ControlClient
from binclock.control.server import ControlServer
from binclock.control.state import Change, StateFile
from binclock.controls import Control
from binclock.daemon.notify import Notifier
from binclock.daemon.service import Service
from binclock.frame import BLACK, Frame
from binclock.painter import scale
from binclock.sync import SyncCheck
from binclock.timeofday.alarms import WARM_WHITE, sunrise

UTC = ZoneInfo("UTC")
ALARM = '[[alarm]]\ntime = "12:10"\nfade = 10\nring = 10\nsnooze = 1\n'
WAIT = 30.0  # seconds a test waits for a request to reach the clock (not a measurement)

Hook = Callable[[Service, ManualClock], None]


def make(
    tmp_path: Path, start: str, text: str = ALARM, at: dict[str, Hook] | None = None
) -> Service:
    """A clock with ``text`` in its configuration, started at ``start`` (UTC); ``at`` runs a
    hook in the sleep after the frame of each time it names (``HH:MM:SS``) is shown."""
    path = tmp_path / "config.toml"
    path.write_text(f'driver = "fake"\n{text}\n[clock]\ntimezone = "UTC"\n')
    clock = ManualClock(datetime.fromisoformat(f"2026-06-01T{start}.5+00:00"))
    hooks = dict(at or {})

    def sleep(seconds: float) -> None:
        times = service.driver.times
        hook = hooks.pop(f"{times[-1]:%H:%M:%S}", None) if times else None
        if hook is not None:
            hook(service, clock)
        else:
            clock.sleep(seconds)

    service = Service(
        lambda: config.load(path, environ={}),
        clock=clock,
        sleep=sleep,
        notifier=Notifier({}),
        sync=SyncCheck(tmp_path / "none" / "synchronized", lambda: None),
        state_file=StateFile(tmp_path / "state.json"),
    )
    return service


def shown(service: Service) -> list[tuple[str, Frame]]:
    return [
        (f"{t:%H:%M:%S}", f)
        for t, f in zip(service.driver.times, service.driver.frames, strict=False)
    ]


def lit(service: Service, colour: tuple[int, int, int] | None) -> tuple[int, int, int]:
    """``colour`` at the display's brightness (None: black)."""
    return BLACK if colour is None else scale(colour, service.pipeline.painter.brightness)


def whole(frame: Frame) -> tuple[int, int, int] | None:
    """The colour of a frame lit all over in one colour, else None."""
    return frame.pixels[0] if len(set(frame.pixels)) == 1 else None


def step(seconds: float) -> Hook:
    def hook(_service: Service, clock: ManualClock) -> None:
        clock.step(seconds)

    return hook


def press(control: Control) -> Hook:
    def hook(service: Service, _clock: ManualClock) -> None:
        service.press(control)
        service.inbox.collect()

    return hook


class Request:
    """A hook that makes a request to the control API from another thread, as a client
    would, and wakes the clock for it; ``answer`` is what came back."""

    def __init__(self, path: Path, body: dict[str, Any]) -> None:
        self.path, self.body = path, body
        self.answer: dict[str, Any] | None = None

    def ask(self) -> None:
        self.answer = ControlClient(self.path).call("POST", "/api/alarm", self.body)

    def __call__(self, service: Service, _clock: ManualClock) -> None:
        asking = threading.Thread(target=self.ask)
        asking.start()
        deadline = time.monotonic() + WAIT
        while not service.inbox.collect() and time.monotonic() < deadline:
            time.sleep(0.01)
        self.thread = asking


class Ctl(Request):
    """The request made by ``binclock ctl alarm ACTION``; ``code`` is its exit status."""

    def ask(self) -> None:
        self.code = main(["ctl", "--socket", str(self.path), "alarm", self.body["action"]])


def through_the_api(
    tmp_path: Path,
    action: str,
    frames: int,
    kind: type[Request] = Request,
    start: str = "12:10:00",
    when: str = "12:10:01",
) -> tuple[Service, Request]:
    """A clock whose alarm rings at 12:10, started at ``start`` and asked to ``action`` it
    at ``when`` through its control socket, run for ``frames`` seconds."""
    path = tmp_path / "control.sock"
    request = kind(path, {"action": action})
    service = make(tmp_path, start, at={when: request})
    server = ControlServer(path, service, group="nobody-such-group")
    try:
        service.run(frames=frames)
    finally:
        server.close()
    request.thread.join(WAIT)
    return service, request


# -- the fade and the ring ---------------------------------------------------------------------


def test_the_fade_shows_the_sunrise_colours_in_order_up_to_the_alarm_time(tmp_path):
    service = make(tmp_path, "12:00:00")
    service.run(frames=600)
    frames = [frame for _, frame in shown(service)]
    assert [whole(f) for f in frames] == [lit(service, sunrise(n / 600)) for n in range(600)]


def test_at_the_alarm_time_the_fade_gives_way_to_the_blink(tmp_path):
    service = make(tmp_path, "12:09:58")
    service.run(frames=5)
    colours = [whole(frame) for _, frame in shown(service)]
    assert colours[2:] == [lit(service, WARM_WHITE), BLACK, lit(service, WARM_WHITE)]
    assert colours[0] == lit(service, sunrise(598 / 600))


def test_after_its_ring_minutes_the_clock_shows_again(tmp_path):
    service = make(tmp_path, "12:19:58")
    service.run(frames=3)
    colours = [whole(frame) for _, frame in shown(service)]
    assert colours[:2] == [lit(service, WARM_WHITE), BLACK]
    assert colours[2] is None  # the binary face, not one colour


def test_an_alarm_shows_with_the_display_off(tmp_path):
    service = make(tmp_path, "12:09:59")
    service.apply(Change(power=False))
    service.run(frames=3)
    assert [whole(f) for f in service.driver.frames] == [
        lit(service, sunrise(599 / 600)),
        lit(service, WARM_WHITE),
        BLACK,
    ]


def test_an_alarm_may_show_a_face_once_it_rings(tmp_path):
    service = make(tmp_path, "12:09:59", ALARM + 'then = "bcd"\n')
    service.run(frames=2)
    fade, ringing = service.driver.frames
    assert whole(fade) is not None and whole(ringing) is None
    assert ringing.pixels != service.pipeline.render(service.driver.times[-1]).pixels  # not binary


def test_the_state_says_which_alarm_shows_and_what_it_does(tmp_path):
    service = make(tmp_path, "12:05:00")
    service.run(frames=1)
    alarm = service.view()["alarm"]
    assert alarm == {
        "alarm": "12:10",
        "phase": "fade",
        "rings": "2026-06-01T12:10:00+00:00",
        "snoozed_until": None,
        "seconds_left": 300,
    }


def test_an_alarm_whose_face_does_not_fit_the_display_blinks_instead(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="binclock.daemon.service")
    small = "[drivers.fake]\nwidth = 3\nheight = 6\n"  # the binary face fits, bcd does not
    service = make(tmp_path, "12:10:00", ALARM + 'then = "bcd"\n' + small)
    service.run(frames=2)
    assert [whole(f) for f in service.driver.frames] == [lit(service, WARM_WHITE), BLACK]
    assert f"alarm 12:10 blinks instead: {tmp_path / 'config.toml'}: " in caplog.text


# -- restarts and clock steps ---------------------------------------------------------------------


def test_a_clock_restarted_mid_fade_resumes_it_where_it_was(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    whole_run = make(tmp_path / "a", "12:00:00")
    whole_run.run(frames=600)
    restarted = make(tmp_path / "b", "12:05:00")
    restarted.run(frames=300)
    assert shown(restarted) == shown(whole_run)[300:]


def stop_then_restart(tmp_path: Path, action: str, start: str, frames: int) -> Service:
    """A clock asked to ``action`` its alarm at 12:10:01, then restarted over the same state
    file at ``start`` and run for ``frames`` seconds."""
    first = make(tmp_path, "12:10:00", at={"12:10:01": lambda s, _c: s.alarm(action)})
    first.run(frames=3)
    restarted = make(tmp_path, start)
    restarted.run(frames=frames)
    return restarted


def test_an_alarm_stopped_while_ringing_stays_stopped_after_a_restart(tmp_path):
    restarted = stop_then_restart(tmp_path, "stop", "12:12:00", frames=3)
    assert [whole(f) for _, f in shown(restarted)] == [None] * 3
    assert restarted.view()["alarm"] is None


def test_a_snooze_survives_a_restart_and_rings_at_the_snooze_time(tmp_path):
    restarted = stop_then_restart(tmp_path, "snooze", "12:10:30", frames=40)
    frames = dict(shown(restarted))
    assert whole(frames["12:10:40"]) is None
    assert whole(frames["12:11:01"]) == lit(restarted, WARM_WHITE)
    assert restarted.view()["alarm"]["snoozed_until"] == "2026-06-01T12:11:01+00:00"


def saved_stop(tmp_path: Path, alarm: dict[str, Any], at: str) -> None:
    """A state file holding ``alarm`` as stopped as it rang at ``at``."""
    record = {"alarm": alarm, "at": int(datetime.fromisoformat(at).timestamp())}
    state = {"power": "on", "overrides": {}, "alarms": [record]}
    (tmp_path / "state.json").write_text(json.dumps(state))


def the_alarm(tmp_path: Path) -> dict[str, Any]:
    return make(tmp_path, "08:00:00").alarms.entries[0].model_dump(mode="json")


def test_a_stop_saved_for_an_alarm_since_changed_is_ignored(tmp_path):
    saved_stop(tmp_path, the_alarm(tmp_path) | {"snooze": 5}, "2026-06-01T12:10:00+00:00")
    service = make(tmp_path, "12:11:00")
    service.run(frames=1)
    assert whole(shown(service)[0][1]) == lit(service, WARM_WHITE)


def test_a_stop_saved_longer_ago_than_alarms_are_kept_is_ignored(tmp_path):
    saved_stop(tmp_path, the_alarm(tmp_path), "2026-05-28T12:10:00+00:00")
    service = make(tmp_path, "12:11:00")
    assert service.held.stopped == frozenset()


def test_saved_alarms_that_make_no_sense_are_ignored_in_one_line(tmp_path, caplog):
    state = {"power": "on", "overrides": {}, "alarms": [{"alarm": 1, "at": "noon"}]}
    (tmp_path / "state.json").write_text(json.dumps(state))
    service = make(tmp_path, "12:11:00")
    service.run(frames=1)
    assert whole(shown(service)[0][1]) == lit(service, WARM_WHITE)
    assert [r.message for r in caplog.records if "stopped or snoozed" in r.message] == [
        f"ignoring the saved alarms stopped or snoozed: {tmp_path / 'state.json'}: "
        "'alarms' is not a list of {'alarm', 'at', 'snoozed_until'}"
    ]


def test_a_state_file_from_before_alarms_were_kept_still_loads(tmp_path):
    state = {"power": "on", "overrides": {"display": {"brightness": 0.5}}}
    (tmp_path / "state.json").write_text(json.dumps(state))
    service = make(tmp_path, "08:00:00")
    assert service.config.display.brightness == 0.5
    assert service.state.alarms == []


def test_a_small_step_back_while_ringing_does_not_ring_it_again(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="binclock.daemon.service")
    service = make(tmp_path, "12:09:58", at={"12:10:02": step(-5)})
    service.run(frames=10)
    times = [t for t, _ in shown(service)]
    assert times[:6] == ["12:09:58", "12:09:59", "12:10:00", "12:10:01", "12:10:02", "12:09:57"]
    assert [r.message for r in caplog.records].count("alarm 12:10 ringing") == 1


def test_a_small_step_forward_across_the_alarm_time_still_rings_it(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="binclock.daemon.service")
    service = make(tmp_path, "12:09:55", at={"12:09:57": step(10)})
    service.run(frames=5)
    times = [t for t, _ in shown(service)]
    assert times == ["12:09:55", "12:09:56", "12:09:57", "12:10:07", "12:10:08"]
    assert whole(service.driver.frames[-1]) == lit(service, WARM_WHITE)
    assert [r.message for r in caplog.records].count("alarm 12:10 ringing") == 1


def test_on_the_spring_forward_day_an_alarm_in_the_skipped_hour_rings_once_at_03_00(
    tmp_path, caplog
):
    caplog.set_level(logging.INFO, logger="binclock.daemon.service")
    path = tmp_path / "config.toml"
    path.write_text(
        'driver = "fake"\n[[alarm]]\ntime = "02:30"\nring = 1\n[clock]\ntimezone = "Europe/Oslo"\n'
    )
    oslo = ZoneInfo("Europe/Oslo")
    clock = ManualClock(datetime(2026, 3, 29, 1, 59, 0, 500000, tzinfo=oslo))
    service = Service(
        lambda: config.load(path, environ={}),
        clock=clock,
        sleep=clock.sleep,
        notifier=Notifier({}),
        sync=SyncCheck(tmp_path / "none" / "synchronized", lambda: None),
        state_file=StateFile(tmp_path / "state.json"),
    )
    service.run(frames=180)
    ringing = [
        t for t, f in zip(service.driver.times, service.driver.frames, strict=False) if whole(f)
    ]
    assert f"{ringing[0]:%H:%M:%S %Z}" == "03:00:00 CEST" and len(ringing) == 60
    assert [r.message for r in caplog.records].count("alarm 02:30 ringing") == 1


# -- stop and snooze -----------------------------------------------------------------------------


def test_stop_through_the_control_api_brings_the_clock_back(tmp_path):
    service, request = through_the_api(tmp_path, "stop", frames=4)
    assert request.answer == {"done": True, "snoozed_until": None, "alarm": None}
    colours = [whole(f) for _, f in shown(service)]
    assert colours[:2] == [lit(service, WARM_WHITE), BLACK]
    assert colours[2:] == [None] * (len(colours) - 2)


def test_snooze_through_the_control_api_rings_again_after_its_minutes(tmp_path):
    service, request = through_the_api(tmp_path, "snooze", frames=65)
    assert request.answer["done"] is True
    assert request.answer["snoozed_until"] == "2026-06-01T12:11:01+00:00"
    frames = dict(shown(service))  # the last frame of each second
    assert whole(frames["12:10:30"]) is None
    assert whole(frames["12:11:01"]) == lit(service, WARM_WHITE)


def test_stop_with_no_alarm_showing_changes_nothing(tmp_path):
    service = make(tmp_path, "08:00:00")
    service.run(frames=1)
    assert service.alarm("stop") == {"done": False, "snoozed_until": None, "alarm": None}


def test_the_alarm_snooze_button_snoozes_it(tmp_path):
    service = make(tmp_path, "12:10:00", at={"12:10:00": press(Control.ALARM_SNOOZE)})
    service.run(frames=3)
    assert whole(service.driver.frames[-1]) is None
    assert service.held.snoozed


def test_any_button_stops_a_showing_alarm_instead_of_its_own_action(tmp_path):
    service = make(tmp_path, "12:05:00", at={"12:05:00": press(Control.NEXT_FACE)})
    service.run(frames=3)
    assert whole(service.driver.frames[-1]) is None
    assert service.config.face == "binary" and service.held.stopped


def test_ctl_alarm_snooze_says_until_when(tmp_path, capsys):
    service, request = through_the_api(tmp_path, "snooze", frames=3, kind=Ctl)
    assert request.code == 0
    assert capsys.readouterr().out == "alarm snoozed until 2026-06-01T12:11:01+00:00\n"
    assert whole(service.driver.frames[-1]) is None


def test_ctl_alarm_stop_with_none_showing_says_so(tmp_path, capsys):
    _, request = through_the_api(tmp_path, "stop", 2, Ctl, start="08:00:00", when="08:00:00")
    assert (request.code, capsys.readouterr().out) == (0, "no alarm is showing\n")


def test_the_night_schedule_does_not_darken_an_alarm_that_shows_a_face(tmp_path):
    night = '[[schedule]]\nfrom = "11:00"\nto = "13:00"\noff = true\n'
    service = make(tmp_path, "12:10:00", ALARM + 'then = "bcd"\n' + night)
    service.run(frames=1)
    brightest = max(max(pixel) for pixel in service.driver.frames[-1].pixels)
    assert brightest == round(255 * service.pipeline.painter.brightness)  # the theme's


def test_a_snoozed_alarm_taken_out_of_the_configuration_does_not_ring_as_another(tmp_path):
    later = '[[alarm]]\ntime = "12:30"\n'

    def snooze(service: Service, _clock: ManualClock) -> None:
        service.alarm("snooze")

    def drop_the_first(service: Service, _clock: ManualClock) -> None:
        (tmp_path / "config.toml").write_text(
            f'driver = "fake"\n{later}[clock]\ntimezone = "UTC"\n'
        )
        assert service.reload()

    hooks = {"12:10:01": snooze, "12:10:05": drop_the_first}
    service = make(tmp_path, "12:10:00", ALARM + later, at=hooks)
    service.run(frames=64)  # to 12:11:03, past the snooze's minute
    assert shown(service)[-1][0] == "12:11:03"
    assert service.view()["alarm"] is None


def test_a_snoozed_alarm_still_rings_after_a_reload_adds_one_before_it(tmp_path):
    earlier = '[[alarm]]\ntime = "06:00"\n'

    def snooze(service: Service, _clock: ManualClock) -> None:
        service.alarm("snooze")

    def add_one(service: Service, _clock: ManualClock) -> None:
        text = f'driver = "fake"\n{earlier}{ALARM}[clock]\ntimezone = "UTC"\n'
        (tmp_path / "config.toml").write_text(text)
        assert service.reload()

    hooks = {"12:10:01": snooze, "12:10:05": add_one}
    service = make(tmp_path, "12:10:00", at=hooks)
    service.run(frames=64)  # to 12:11:03, past the snooze's minute
    assert service.view()["alarm"]["snoozed_until"] == "2026-06-01T12:11:01+00:00"
    assert service.view()["alarm"]["alarm"] == "12:10"


def test_a_snooze_during_the_fade_never_rings_it_before_its_time(tmp_path):
    service = make(tmp_path, "12:05:00")  # the fade runs from 12:00; the snooze is 1 minute
    service.run(frames=1)
    answer = service.alarm("snooze")
    assert answer["snoozed_until"] == "2026-06-01T12:10:00+00:00"


def test_the_state_stream_tells_each_change_of_the_alarm_showing_as_it_shows(tmp_path):
    states: list[str | None] = []

    def take(_service: Service, _clock: ManualClock | None = None) -> None:
        """Read the events so far (the stream holds a minute's frames at most)."""
        while not events.empty():
            kind, data = events.get_nowait()
            if kind == "state":
                alarm = json.loads(data)["alarm"]
                states.append(alarm and alarm["phase"])

    ringing = ALARM.replace("ring = 10", "ring = 1")
    service = make(tmp_path, "12:09:58", ringing, at={"12:10:30": take})
    events = service.hub.subscribe()
    service.run(frames=65)  # the fade's end, the ring's minute, the clock again
    take(service)
    assert states == ["fade", "ring", None]
