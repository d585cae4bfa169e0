"""The running clock: boundaries, DST, clock steps, signals, reloads, failures, systemd."""

from __future__ import annotations

import logging
import os
import signal
import socket
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binclock import config, exitcodes
from binclock.clock import ManualClock
from binclock.controls import Control
from binclock.daemon.notify import Notifier
from binclock.daemon.service import Service
from binclock.driver import Finished
from binclock.sync import TIME_ERROR, SyncCheck
from conftest import Sleeper, decode_binary, send

LONDON = ZoneInfo("Europe/London")


NEW_YORK = ZoneInfo("America/New_York")


def write(path: Path, text: str) -> Path:
    path.write_text('driver = "fake"\n' + text)
    return path


def make_service(
    tmp_path: Path,
    start: datetime,
    text: str = "",
    *,
    environ: dict[str, str] | None = None,
    synced: bool = True,
    under_systemd: bool = False,
) -> tuple[Service, ManualClock, Sleeper]:
    path = write(tmp_path / "config.toml", f'[clock]\ntimezone = "{start.tzinfo}"\n{text}')
    clock = ManualClock(start)
    sleeper = Sleeper(clock)
    service = Service(
        lambda: config.load(path, environ={}),
        clock=clock,
        sleep=sleeper,
        notifier=Notifier(environ or {}),
        sync=SyncCheck(tmp_path / "timesync/synchronized", lambda: 0 if synced else TIME_ERROR),
        environ={"INVOCATION_ID": "x"} if under_systemd else {},
    )
    sleeper.service = service
    return service, clock, sleeper


def shown(service: Service) -> list[str]:
    return [t.strftime("%H:%M:%S %Z") for t in service.driver.times]


# -- on the second, across DST and clock steps ----------------------------------------------


def test_each_second_is_shown_once_at_its_boundary(tmp_path):
    service, _clock, _ = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, 300000, LONDON))
    assert service.run(frames=4) == exitcodes.OK
    assert shown(service) == [f"12:00:0{s} BST" for s in range(4)]
    assert [t.microsecond for t in service.driver.times] == [0] * 4


def test_the_frame_decodes_to_the_wall_clock(tmp_path):
    service, _, _ = make_service(tmp_path, datetime(2026, 6, 1, 13, 37, 41, tzinfo=LONDON))
    service.run(frames=2)
    assert decode_binary(service.driver.last) == (13, 37, 42)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # Europe/London springs forward at 01:00 GMT and falls back at 02:00 BST.
        (
            datetime(2026, 3, 29, 0, 59, 58, tzinfo=LONDON),
            ["00:59:58 GMT", "00:59:59 GMT", "02:00:00 BST"],
        ),
        (
            datetime(2026, 10, 25, 1, 59, 58, tzinfo=LONDON),
            ["01:59:58 BST", "01:59:59 BST", "01:00:00 GMT"],
        ),
        # America/New_York at 02:00 local both ways.
        (
            datetime(2026, 3, 8, 1, 59, 58, tzinfo=NEW_YORK),
            ["01:59:58 EST", "01:59:59 EST", "03:00:00 EDT"],
        ),
        (
            datetime(2026, 11, 1, 1, 59, 58, tzinfo=NEW_YORK),
            ["01:59:58 EDT", "01:59:59 EDT", "01:00:00 EST"],
        ),
    ],
    ids=["london-spring", "london-autumn", "new-york-spring", "new-york-autumn"],
)
def test_dst_changes_show_the_new_local_time_at_once(tmp_path, start, expected):
    service, _, _ = make_service(tmp_path, start)
    service.run(frames=3)
    assert shown(service) == expected
    hours, minutes, seconds = (int(p) for p in expected[-1][:8].split(":"))
    assert decode_binary(service.driver.last) == (hours, minutes, seconds)


def test_clock_stepped_forward_is_shown_at_the_next_wake(tmp_path):
    service, clock, sleeper = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))
    sleeper.actions[2] = lambda: clock.step(3600.4)
    service.run(frames=4)
    assert shown(service) == ["12:00:00 BST", "12:00:01 BST", "13:00:02 BST", "13:00:03 BST"]


def test_clock_stepped_back_is_shown_without_freezing(tmp_path):
    service, clock, sleeper = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))
    sleeper.actions[2] = lambda: clock.step(-3600)
    service.run(frames=4)
    assert shown(service) == ["12:00:00 BST", "12:00:01 BST", "11:00:02 BST", "11:00:03 BST"]
    assert sleeper.count == 3  # one sleep per second: no busy loop after the step


# -- signals ---------------------------------------------------------------------------------


def test_sigterm_stops_with_exit_0_and_leaves_the_display_dark(tmp_path):
    service, _, sleeper = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))
    sleeper.actions[3] = lambda: send(signal.SIGTERM)
    assert service.run() == exitcodes.OK
    assert len(service.driver.history) == 3
    service.driver.assert_dark()
    assert service.driver.closed


def test_sigint_stops_like_sigterm(tmp_path):
    service, _, sleeper = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))
    sleeper.actions[1] = lambda: send(signal.SIGINT)
    assert service.run() == exitcodes.OK
    service.driver.assert_dark()


def test_signal_handlers_are_restored_after_the_run(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    service, _, _ = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))
    service.run(frames=1)
    assert signal.getsignal(signal.SIGTERM) is before


def test_sighup_with_a_good_config_takes_effect_on_the_next_second(tmp_path):
    service, _, sleeper = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))

    def reconfigure() -> None:
        write(tmp_path / "config.toml", '[clock]\ntimezone = "UTC"\n[display]\nbrightness = 0.5\n')
        send(signal.SIGHUP)

    sleeper.actions[2] = reconfigure
    service.run(frames=4)
    assert shown(service) == ["12:00:00 BST", "12:00:01 BST", "11:00:02 UTC", "11:00:03 UTC"]
    lit = [p for p in service.driver.frames[2].pixels if p != (0, 0, 0)]
    assert max(max(p) for p in lit) <= 128


def test_sighup_with_a_bad_config_keeps_the_old_one_and_logs_one_line(tmp_path, caplog):
    service, _, sleeper = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))

    def break_config() -> None:
        write(tmp_path / "config.toml", "[display]\nbrightness = 9\n")
        send(signal.SIGHUP)

    sleeper.actions[1] = break_config
    with caplog.at_level(logging.ERROR):
        assert service.run(frames=3) == exitcodes.OK
    assert shown(service) == ["12:00:00 BST", "12:00:01 BST", "12:00:02 BST"]
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "display.brightness = 9" in errors[0] and "\n" not in errors[0]


# -- a failing display -------------------------------------------------------------------------


def failing_show(service: Service, fail_from: int = 0) -> list[str]:
    """Make the display fail from its ``fail_from``-th frame; return the times tried."""
    tried: list[str] = []
    real = service.driver.show

    def show(frame) -> None:
        tried.append(frame.time.strftime("%H:%M:%S"))
        if len(tried) > fail_from:
            raise OSError("SPI bus busy")
        real(frame)

    service.driver.show = show  # type: ignore[method-assign]
    return tried


def test_failing_display_is_retried_with_backoff_while_the_clock_runs(tmp_path, caplog):
    service, _, _ = make_service(
        tmp_path,
        datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON),
        "[service]\nmax_failures = 10\nmax_backoff = 8\n",
    )
    tried = failing_show(service)
    with caplog.at_level(logging.WARNING):
        service.run(frames=16)
    assert tried == ["12:00:00", "12:00:01", "12:00:03", "12:00:07", "12:00:15"]
    assert "SPI bus busy" in caplog.text


def test_backoff_does_not_freeze_the_display_when_the_clock_steps_back(tmp_path):
    service, clock, sleeper = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))
    tried = failing_show(service, fail_from=1)
    sleeper.actions[2] = lambda: clock.step(-3600)
    service.run(frames=4)
    assert tried[:3] == ["12:00:00", "12:00:01", "11:00:02"]


def test_display_that_keeps_failing_ends_the_run_with_exit_70(tmp_path):
    service, _, _ = make_service(
        tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON), "[service]\nmax_failures = 3\n"
    )
    failing_show(service)
    assert service.run() == exitcodes.SOFTWARE
    service.driver.assert_dark()


def test_display_that_recovers_resets_the_failure_count(tmp_path):
    service, _, _ = make_service(
        tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON), "[service]\nmax_failures = 2\n"
    )
    tried: list[int] = []
    real = service.driver.show

    def show(frame) -> None:
        tried.append(frame.time.second)
        if frame.time.second % 2 == 0:
            raise OSError("loose wire")
        real(frame)

    service.driver.show = show  # type: ignore[method-assign]
    assert service.run(frames=6) == exitcodes.OK


def test_finished_driver_stops_the_run_with_exit_0(tmp_path):
    service, _, _ = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))

    def show(frame) -> None:
        raise Finished("recording complete")

    service.driver.show = show  # type: ignore[method-assign]
    assert service.run() == exitcodes.OK


def test_a_closed_pipe_on_the_display_s_output_stops_the_run_with_exit_0(tmp_path):
    service, _, _ = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))

    def show(frame) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    service.driver.show = show  # type: ignore[method-assign]
    assert service.run(frames=60) == exitcodes.OK
    assert service.failures == 0


# -- systemd notify ------------------------------------------------------------------------------


@pytest.fixture(params=["path", "abstract"])
def notify_socket(request, tmp_path):
    """A real datagram socket standing in for systemd; yields (environ, receive)."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if request.param == "path":
        address = str(tmp_path / "notify")
        server.bind(address)
        name = address
    else:
        name = f"@binclock-test-{os.getpid()}-{id(server)}"
        server.bind("\0" + name[1:])
    server.setblocking(False)

    def receive() -> list[str]:
        messages = []
        while True:
            try:
                messages.append(server.recv(4096).decode())
            except BlockingIOError:
                return messages

    yield {"NOTIFY_SOCKET": name}, receive
    server.close()


def test_ready_is_sent_after_the_first_frame_with_a_status(tmp_path, notify_socket):
    environ, receive = notify_socket
    service, _, _ = make_service(
        tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON), environ=environ
    )
    service.run(frames=2)
    messages = receive()
    assert messages[0] == "READY=1\nSTATUS=showing the binary face on the fake driver"
    assert messages[-1] == "STOPPING=1"


def test_reload_is_announced_and_followed_by_ready(tmp_path, notify_socket):
    environ, receive = notify_socket
    service, _, sleeper = make_service(
        tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON), environ=environ
    )
    sleeper.actions[1] = lambda: send(signal.SIGHUP)
    service.run(frames=2)
    messages = receive()
    assert messages[1].startswith("RELOADING=1\nMONOTONIC_USEC=")
    assert messages[2].startswith("READY=1")


def test_watchdog_is_fed_at_half_its_interval_while_frames_are_delivered(tmp_path, notify_socket):
    environ, receive = notify_socket
    environ = {**environ, "WATCHDOG_USEC": "4000000"}
    service, _, _ = make_service(
        tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON), environ=environ
    )
    service.run(frames=7)
    assert receive().count("WATCHDOG=1") == 4  # at 0, 2, 4 and 6 s


def test_watchdog_pings_stop_when_the_display_keeps_failing(tmp_path, notify_socket):
    environ, receive = notify_socket
    environ = {**environ, "WATCHDOG_USEC": "2000000"}
    service, _, _ = make_service(
        tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON), environ=environ
    )
    failing_show(service, fail_from=3)
    service.run(frames=30)
    assert receive().count("WATCHDOG=1") == 3


def test_watchdog_for_another_process_is_ignored():
    assert Notifier({"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"}).watchdog_interval is None


def test_without_notify_socket_nothing_is_sent():
    assert not Notifier({}).send(READY="1")


# -- clock not yet synchronised ---------------------------------------------------------------

MARK = (96, 0, 0)


def unsynchronised(
    tmp_path: Path, text: str = "", mark: str = "pixel"
) -> tuple[Service, ManualClock, Sleeper]:
    """A service at noon whose clock is not synchronised, marked as ``mark`` says;
    ``text`` adds configuration tables."""
    return make_service(
        tmp_path,
        datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON),
        f'\nunsynced_indicator = "{mark}"\n{text}',
        synced=False,
    )


def test_unsynchronised_clock_lights_the_top_left_pixel(tmp_path):
    service, _, _ = unsynchronised(tmp_path)
    service.run(frames=2)
    assert [f.pixel(0, 0) for f in service.driver.frames] == [MARK, MARK]


def test_mark_goes_when_the_clock_synchronises_and_both_changes_are_logged_once(tmp_path, caplog):
    service, _, sleeper = unsynchronised(tmp_path)

    def timesyncd_synchronises() -> None:
        (tmp_path / "timesync").mkdir()
        (tmp_path / "timesync/synchronized").touch()

    sleeper.actions[2] = timesyncd_synchronises
    with caplog.at_level(logging.INFO):
        service.run(frames=5)
    assert [f.pixel(0, 0) for f in service.driver.frames] == [
        MARK,
        MARK,
        (0, 0, 0),
        (0, 0, 0),
        (0, 0, 0),
    ]
    assert caplog.text.count("not synchronised yet") == 1
    assert caplog.text.count("is synchronised") == 1


def test_blinking_mark_lights_every_other_second(tmp_path):
    service, _, _ = unsynchronised(tmp_path, mark="blink")
    service.run(frames=4)
    assert [f.pixel(0, 0) == MARK for f in service.driver.frames] == [True, False, True, False]


def test_automatic_mark_is_shown_only_under_systemd(tmp_path):
    start = datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON)
    laptop, _, _ = make_service(tmp_path, start, synced=False)
    laptop.run(frames=1)
    service, _, _ = make_service(tmp_path, start, synced=False, under_systemd=True)
    service.run(frames=1)
    assert laptop.driver.last.pixel(0, 0) == (0, 0, 0)
    assert service.driver.last.pixel(0, 0) == MARK


def test_timesyncd_flag_means_synchronised_whatever_the_kernel_says(tmp_path):
    (tmp_path / "synchronized").touch()
    assert SyncCheck(tmp_path / "synchronized", lambda: TIME_ERROR).state() is True


def test_timesyncd_running_without_its_flag_means_not_yet(tmp_path):
    assert SyncCheck(tmp_path / "synchronized", lambda: 0).state() is False


def test_kernel_state_decides_without_timesyncd(tmp_path):
    flag = tmp_path / "timesync/synchronized"
    assert SyncCheck(flag, lambda: 0).state() is True
    assert SyncCheck(flag, lambda: TIME_ERROR).state() is False


def test_state_is_unknown_where_the_kernel_cannot_be_asked(tmp_path):
    check = SyncCheck(tmp_path / "timesync/synchronized", lambda: None)
    assert check.state() is None
    assert not check.synchronised()


def test_unknown_sync_state_does_not_mark_the_display(tmp_path):
    service, _, _ = make_service(
        tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON), '\nunsynced_indicator = "pixel"\n'
    )
    service.sync = SyncCheck(tmp_path / "timesync/synchronized", lambda: None)
    service.run(frames=1)
    assert service.driver.last.pixel(0, 0) == (0, 0, 0)


def test_mark_is_dimmed_with_the_display(tmp_path):
    service, _, _ = unsynchronised(tmp_path, "[display]\nbrightness = 0.5\n")
    service.run(frames=1)
    assert service.driver.last.pixel(0, 0) == (48, 0, 0)


def test_mark_follows_the_face_s_first_bit_when_the_display_is_turned(tmp_path):
    service, _, _ = unsynchronised(tmp_path, "[display]\nrotation = 180\n")
    service.run(frames=1)
    frame = service.driver.last
    assert frame.pixel(2, 5) == MARK  # the hours' 32 bit, bottom-right after a half turn
    assert frame.pixel(0, 0) != MARK


# -- schedule, fades and display buttons ------------------------------------------------------


def test_schedule_dims_from_the_first_second_of_its_range(tmp_path):
    text = '[[schedule]]\nfrom = "22:30"\nto = "07:00"\nbrightness = 0.5\n'
    service, _, _ = make_service(tmp_path, datetime(2026, 6, 1, 22, 29, 59, tzinfo=LONDON), text)
    service.run(frames=2)
    before, after = (max(max(p) for p in f.pixels) for f in service.driver.frames)
    assert before == 255 and after == 128


def test_a_schedule_range_that_turns_the_display_off_says_so_on_the_frame(tmp_path):
    text = '[[schedule]]\nfrom = "23:00"\nto = "07:00"\noff = true\n'
    service, _, _ = make_service(tmp_path, datetime(2026, 6, 1, 22, 59, 59, tzinfo=LONDON), text)
    service.run(frames=2)
    before, after = service.driver.frames
    assert before.off == ""
    assert after.is_dark() and after.off == "off (schedule 23:00-07:00)"


def test_a_schedule_range_that_dims_says_nothing_on_the_frame(tmp_path):
    text = '[[schedule]]\nfrom = "22:30"\nto = "07:00"\nbrightness = 0.5\n'
    service, _, _ = make_service(tmp_path, datetime(2026, 6, 1, 23, 0, tzinfo=LONDON), text)
    service.run(frames=1)
    assert service.driver.last.off == ""


def test_fades_lead_into_each_second_and_end_on_its_exact_frame(tmp_path):
    text = "[transition]\nduration = 0.5\nfps = 4\n"
    service, clock, _ = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON), text)
    seen = []
    real = service.driver.show

    def show(frame) -> None:
        seen.append((clock.time(), frame))
        real(frame)

    service.driver.show = show  # type: ignore[method-assign]
    service.run(frames=3)
    on_the_second = [(t, f) for t, f in seen if t == int(t)]
    for t, frame in on_the_second:
        assert frame == service.pipeline.render(datetime.fromtimestamp(t, LONDON))
    assert sorted({int(t) % 60 for t, _ in on_the_second}) == [0, 1, 2, 3]
    between = [t % 1 for t, _ in seen if t != int(t)]
    assert between and all(0.5 <= part < 1 for part in between)


def test_the_next_minute_is_handed_to_the_driver_to_prepare_in_one_batch(tmp_path):
    service, _, _ = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))
    service.run(frames=3)
    (batch,) = service.driver.prepared
    assert [f.time.strftime("%H:%M:%S") for f in batch[:3]] == ["12:00:01", "12:00:02", "12:00:03"]
    assert len(batch) == 60
    shown = service.driver.frames[1:]
    assert all(s is p for s, p in zip(shown, batch[: len(shown)], strict=True))


def test_frames_are_not_prepared_when_a_fade_comes_between(tmp_path):
    text = "[transition]\nduration = 0.5\nfps = 4\n"
    service, _, _ = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON), text)
    service.run(frames=3)
    assert service.driver.prepared == []


def test_frames_are_not_prepared_while_the_sync_mark_goes_on_them(tmp_path):
    service, _, _ = unsynchronised(tmp_path)
    service.run(frames=3)
    assert service.driver.prepared == []


def test_a_driver_that_fails_to_prepare_is_retried_like_a_failed_frame(tmp_path, caplog):
    service, _, _ = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))

    def broken(frames) -> None:
        raise OSError("SPI bus busy")

    service.driver.prepare = broken  # type: ignore[method-assign]
    assert service.run(frames=3) == exitcodes.OK
    assert "the display failed (SPI bus busy)" in caplog.text
    assert len(service.driver.frames) >= 2


def press(service: Service, requests: list[list[Control]]) -> None:
    """Give the service's display buttons that make ``requests``, one list per second."""
    # type: ignore[attr-defined]
    service.driver.poll_controls = lambda: requests.pop(0) if requests else []
    service.driver = service.driver  # a driver's buttons are looked up when it is taken on


def test_joystick_request_changes_the_setting_on_the_next_second(tmp_path):
    service, _, _ = make_service(
        tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON), "[display]\nbrightness = 0.5\n"
    )
    requests = [[], [Control.BRIGHTER], []]
    press(service, requests)
    service.run(frames=3)
    peaks = [max(max(p) for p in f.pixels) for f in service.driver.frames]
    assert peaks == [128, 153, 153]


def test_brightness_from_the_joystick_keeps_a_running_countdown(tmp_path):
    service, _, _ = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))
    write(
        tmp_path / "config.toml",
        'face = "countdown"\n[faces.countdown]\nduration = "25m"\n'
        '[clock]\ntimezone = "Europe/London"\n',
    )
    assert service.reload()
    requests = [[], [], [Control.BRIGHTER], []]
    press(service, requests)
    service.run(frames=4)
    assert [f.caption for f in service.driver.frames] == [
        "00:25:00 left",
        "00:24:59 left",
        "00:24:58 left",
        "00:24:57 left",
    ]


def test_reload_with_new_gpio_options_reopens_the_pins(tmp_path, monkeypatch):
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory, MockPWMPin

    monkeypatch.setattr(Device, "pin_factory", MockFactory(pin_class=MockPWMPin))
    path = tmp_path / "config.toml"
    path.write_text('driver = "gpio"\n[clock]\ntimezone = "UTC"\n')
    clock = ManualClock(datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))
    service = Service(
        lambda: config.load(path, environ={}),
        clock=clock,
        sleep=clock.sleep,
        notifier=Notifier({}),
        sync=SyncCheck(tmp_path / "x/y", lambda: 0),
        environ={},
    )
    try:
        service.run(frames=1)
        path.write_text(path.read_text() + "[drivers.gpio]\nactive_high = false\n")
        assert service.reload()
        assert service.driver.options.active_high is False
    finally:
        service.driver.close()


# -- a bad configuration on SIGHUP never ends the clock --------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a = " + "[" * 50_000,
        'face = "os:system"',
        'face = "nonexistent_mod:X"',
        '[light]\nsensor = "nonexistent_mod:lux"',
        'face = "number"\n[faces.number]\ncommand = "sh -c \'x"',
        "[drivers.fake]\nwidth = 100000",
    ],
)
def test_reload_of_a_bad_config_keeps_the_running_one(tmp_path, caplog, text):
    service, _, _ = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))
    write(tmp_path / "config.toml", text + "\n")
    with caplog.at_level(logging.ERROR):
        assert service.reload() is False
    assert service.config.face == "binary"
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "\n" not in errors[0]
    assert service.run(frames=2) == exitcodes.OK


def test_reload_when_the_config_became_a_fifo_keeps_the_running_one(tmp_path):
    service, _, _ = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))
    (tmp_path / "config.toml").unlink()
    os.mkfifo(tmp_path / "config.toml")
    assert service.reload() is False
    assert service.run(frames=2) == exitcodes.OK


def test_reload_to_a_face_whose_constructor_fails_keeps_the_running_one(tmp_path, grumpy_face):
    service, _, _ = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))
    write(tmp_path / "config.toml", f'face = "{grumpy_face}"\n')
    assert service.reload() is False
    assert service.run(frames=2) == exitcodes.OK
