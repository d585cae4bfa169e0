"""Several displays at once: each its own size and options, failing and finishing alone,
added and removed on reload, all through the running clock on a manual clock."""

from __future__ import annotations

import io
import json
import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyte
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from binclock import config, exitcodes
from binclock.clock import ManualClock
from binclock.commandline import cli, commands
from binclock.commandline.doctor import Machine, diagnose
from binclock.control.state import Change
from binclock.controls import Control
from binclock.daemon.notify import Notifier
from binclock.daemon.service import Service
from binclock.driver import Finished
from binclock.drivers.terminal import TerminalDriver
from binclock.frame import BLACK
from binclock.sync import SyncCheck
from conftest import Sleeper, clock_of, column_values, decode_binary, send

LONDON = ZoneInfo("Europe/London")
NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

TWO = """\
driver = ["fake", "small"]
[drivers.fake]
width = 8
height = 8
[displays.small]
driver = "fake"
"""


def clock_with(tmp_path: Path, text: str, start: datetime = NOON) -> tuple[Service, Sleeper]:
    path = tmp_path / "config.toml"
    path.write_text(text)
    clock = ManualClock(start)
    sleep = Sleeper(clock)
    service = clock_of(path, clock, sleep)
    sleep.service = service
    return service, sleep


def fakes(service: Service) -> list:
    return [screen.driver for screen in service.screens]


def seconds_shown(driver) -> list[int]:
    return [t.second for t in driver.times]


def fail_always(driver, error: Exception | None = None) -> None:
    def show(frame) -> None:
        raise error or OSError("unplugged")

    driver.show = show


# -- sizes and options -----------------------------------------------------------------------


def test_each_display_gets_the_face_painted_for_its_own_size(tmp_path):
    service, _ = clock_with(tmp_path, TWO)
    service.run(frames=2)
    big, small = fakes(service)
    assert big.last.size == (8, 8)
    assert small.last.size == (3, 6)  # the binary face's own size
    assert decode_binary(small.last) == (12, 0, 1)


def test_the_same_driver_twice_takes_each_display_s_own_options(tmp_path):
    text = 'driver = ["wide", "tall"]\n[displays.wide]\ndriver = "fake"\nwidth = 12\nheight = 8\n'
    text += '[displays.tall]\ndriver = "fake"\nwidth = 8\nheight = 12\n'
    service, _ = clock_with(tmp_path, text)
    service.run(frames=1)
    assert [d.last.size for d in fakes(service)] == [(12, 8), (8, 12)]


def test_a_bad_option_of_a_named_display_names_its_table(tmp_path):
    text = 'driver = ["wide"]\n[displays.wide]\ndriver = "fake"\nwidth = "broad"\n'
    with pytest.raises(config.ConfigError, match=r"displays\.wide\.width"):
        clock_with(tmp_path, text)


def test_a_display_named_twice_is_a_configuration_error(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('driver = ["fake", "fake"]\n')
    with pytest.raises(config.ConfigError, match="fake named more than once"):
        config.load(path, environ={})


def test_a_display_table_without_a_driver_is_a_configuration_error(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('driver = ["porch"]\n[displays.porch]\nwidth = 8\n')
    with pytest.raises(config.ConfigError, match=r"\[displays.porch\] needs driver"):
        config.load(path, environ={})


# -- one failing, finishing, the others running ------------------------------------------------


def test_a_display_that_keeps_failing_leaves_the_others_showing_every_second(tmp_path):
    service, _ = clock_with(tmp_path, TWO + "[service]\nmax_failures = 3\n")
    big, small = fakes(service)
    fail_always(big)
    assert service.run(frames=12) == exitcodes.OK
    assert seconds_shown(small) == list(range(12))
    assert service.screens[0].gave_up and big.closed


def test_the_clock_exits_70_only_when_every_display_keeps_failing(tmp_path):
    service, _ = clock_with(tmp_path, TWO + "[service]\nmax_failures = 3\n")
    for driver in fakes(service):
        fail_always(driver)
    assert service.run(frames=60) == exitcodes.SOFTWARE


def test_backoff_is_per_display(tmp_path):
    service, _ = clock_with(tmp_path, TWO + "[service]\nmax_failures = 100\n")
    big, small = fakes(service)
    fail_always(big)
    service.run(frames=8)
    assert service.screens[0].failures == 4  # tried at 0, 1, 3, 7: backing off
    assert service.screens[1].failures == 0
    assert seconds_shown(small) == list(range(8))


def test_a_display_that_finishes_leaves_the_others_running(tmp_path):
    service, _ = clock_with(tmp_path, TWO)
    big, small = fakes(service)
    fail_always(big, Finished("recording complete"))
    assert service.run(frames=5) == exitcodes.OK
    assert seconds_shown(small) == list(range(5))
    assert service.screens[0].finished and not service.screens[1].finished


def test_the_clock_stops_with_0_when_every_display_has_finished(tmp_path):
    service, _ = clock_with(tmp_path, TWO)
    for driver in fakes(service):
        fail_always(driver, Finished("recording complete"))
    assert service.run() == exitcodes.OK


def test_the_watchdog_is_fed_while_one_display_delivers(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(TWO + "[service]\nmax_failures = 3\n")
    pings = []

    class Watched(Notifier):
        def watchdog(self) -> None:
            pings.append(clock.time())

    notifier = Watched({})
    notifier.watchdog_interval = 2.0
    clock = ManualClock(NOON)
    service = Service(
        lambda: config.load(path, environ={}),
        clock=clock,
        sleep=clock.sleep,
        notifier=notifier,
        sync=SyncCheck(tmp_path / "none", lambda: None),
    )
    fail_always(fakes(service)[0])
    service.run(frames=7)
    assert len(pings) == 4  # at 0, 2, 4 and 6 s


def test_sigterm_darkens_every_display(tmp_path):
    service, sleep = clock_with(tmp_path, TWO)
    sleep.actions[3] = lambda: send(signal.SIGTERM)
    assert service.run() == exitcodes.OK
    for driver in fakes(service):
        assert driver.closed
        assert set(driver.pixels.pixels) == {BLACK}


def test_buttons_of_the_second_display_change_the_setting(tmp_path):
    service, _ = clock_with(tmp_path, TWO + "[display]\nbrightness = 0.5\n")
    requests = [[], [Control.BRIGHTER], []]
    small = service.screens[1].driver
    small.poll_controls = lambda: requests.pop(0) if requests else []
    service._refresh()
    service.run(frames=3)
    assert service.config.display.brightness == pytest.approx(0.6)


def test_a_display_reopened_after_a_refused_change_is_not_asked_through_its_closed_driver(
    tmp_path,
):
    service, _ = clock_with(tmp_path, TWO)
    asked = []
    service.screens[1].driver.poll_controls = lambda: asked.append(True) or []
    service._refresh()
    with pytest.raises(config.ConfigError, match="does not fit"):
        service.apply(Change(overrides={"displays": {"small": {"width": 1, "height": 1}}}))
    service.run(frames=2)
    assert asked == []


# -- reload ------------------------------------------------------------------------------------


def test_a_reload_adds_a_display(tmp_path):
    service, sleep = clock_with(tmp_path, 'driver = "fake"\n')
    path = tmp_path / "config.toml"

    def add() -> None:
        path.write_text(TWO)
        send(signal.SIGHUP)

    sleep.actions[3] = add
    service.run(frames=5)
    assert [s.display.name for s in service.screens] == ["fake", "small"]
    assert seconds_shown(service.screens[1].driver) == [3, 4]  # from the reload on


def test_a_reload_removes_a_display_and_darkens_it(tmp_path):
    service, sleep = clock_with(tmp_path, TWO)
    path = tmp_path / "config.toml"
    small = service.screens[1].driver

    def remove() -> None:
        path.write_text(TWO.replace('driver = ["fake", "small"]', 'driver = ["fake"]'))
        send(signal.SIGHUP)

    sleep.actions[3] = remove
    service.run(frames=5)
    assert [s.display.name for s in service.screens] == ["fake"]
    assert small.closed
    assert seconds_shown(service.screens[0].driver) == list(range(5))


def test_a_reload_keeps_an_unchanged_display_open(tmp_path):
    service, sleep = clock_with(tmp_path, TWO)
    big = service.screens[0].driver
    sleep.actions[2] = lambda: send(signal.SIGHUP)
    service.run(frames=3)
    assert service.screens[0].driver is big
    assert seconds_shown(big) == [0, 1, 2]


# -- the control API, the command line -----------------------------------------------------------


def test_the_state_view_lists_the_displays(tmp_path):
    service, _ = clock_with(tmp_path, TWO)
    assert service.view()["driver"] == ["fake", "small"]


def test_the_status_names_every_display(tmp_path):
    service, _ = clock_with(tmp_path, TWO)
    assert service.status() == "showing the binary face on the fake, small drivers"


def test_driver_with_commas_on_the_command_line_is_a_list_of_displays():
    args = cli.parser().parse_args(["--driver", "fake,jsonl"])
    assert commands.overrides(args) == ['driver=["fake", "jsonl"]']


def test_a_single_driver_on_the_command_line_stays_a_name():
    args = cli.parser().parse_args(["--driver", "fake"])
    assert commands.overrides(args) == ['driver="fake"']


def test_once_shows_the_time_on_every_display(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text('driver = ["jsonl", "copy"]\n[displays.copy]\ndriver = "jsonl"\n')
    code = cli.main(["--config", str(path), "--once", "--at", "13:37:42"])
    lines = capsys.readouterr().out.splitlines()
    assert code == exitcodes.OK
    assert [json.loads(line)["time"][11:19] for line in lines] == ["13:37:42"] * 2


# -- the terminal and a jsonl display together, the terminal read back under pyte ---------------


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_terminal_and_a_jsonl_display_show_the_same_second(tmp_path, monkeypatch):
    out, lines = Tty(), io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    size = os.terminal_size((40, 20))
    monkeypatch.setattr(TerminalDriver, "_stream_size", lambda self: size)
    text = 'driver = ["terminal", "jsonl"]\n[drivers.terminal]\ncolour = "none"\n'
    service, _ = clock_with(tmp_path, text)
    service.screens[1].driver.stream = lines
    service.run(frames=3)
    screen = pyte.Screen(40, 20)
    pyte.Stream(screen).feed(out.getvalue())
    assert any("12:00:02" in row for row in screen.display)
    assert json.loads(lines.getvalue().splitlines()[-1])["time"].startswith("2026-06-01T12:00:02")


def test_the_terminal_of_a_clock_turned_off_says_so_while_the_other_display_stays_dark(
    tmp_path, monkeypatch
):
    out = Tty()
    monkeypatch.setattr("sys.stdout", out)
    size = os.terminal_size((40, 20))
    monkeypatch.setattr(TerminalDriver, "_stream_size", lambda self: size)
    service, _ = clock_with(tmp_path, 'driver = ["terminal", "fake"]\n')
    service.apply(Change(power=False))
    service.run(frames=2)
    screen = pyte.Screen(40, 20)
    pyte.Stream(screen).feed(out.getvalue())
    assert any(row.strip() == "off — binclock ctl on" for row in screen.display)
    assert all(frame.is_dark() for frame in service.screens[1].driver.frames)


# -- the wall clock on every display through a DST day ------------------------------------------


DST_DAY = datetime(2026, 10, 25, tzinfo=LONDON)  # 25 hours: 01:00-02:00 twice


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(offset=st.integers(min_value=0, max_value=25 * 3600 - 4))
def test_every_display_shows_the_wall_clock_at_every_second_of_a_dst_day(tmp_path, offset):
    start = (DST_DAY.astimezone(UTC) + timedelta(seconds=offset)).astimezone(LONDON)
    text = TWO + '[clock]\ntimezone = "Europe/London"\n'
    service, _ = clock_with(tmp_path, text, start)
    service.run(frames=3)
    big, small = fakes(service)
    wall = [(start + timedelta(seconds=s)).astimezone(LONDON) for s in range(3)]
    expected = [(t.hour, t.minute, t.second) for t in wall]
    assert [decode_binary(f) for f in small.frames] == expected
    # On the 8x8 display the columns H, M, S are at x 1, 3 and 5, a row down from the top.
    assert [tuple(v >> 1 for v in column_values(f, [1, 3, 5])) for f in big.frames] == expected


def test_fades_play_on_every_display_at_the_same_instants(tmp_path):
    service, sleep = clock_with(tmp_path, TWO + "[transition]\nduration = 0.5\nfps = 4\n")
    seen: dict[int, list[float]] = {0: [], 1: []}
    for index, screen in enumerate(service.screens):
        real = screen.driver.show

        def show(frame, real=real, index=index) -> None:
            seen[index].append(sleep.clock.time())
            real(frame)

        screen.driver.show = show
    service.run(frames=3)
    between = [t for t in seen[0] if t != int(t)]
    assert between and all(0.5 <= t % 1 < 1 for t in between)
    assert seen[0] == seen[1]


def test_check_config_names_a_bad_option_of_a_named_display(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text('driver = ["porch"]\n[displays.porch]\ndriver = "fake"\nwidth = "broad"\n')
    assert cli.main(["check-config", str(path)]) == exitcodes.CONFIG
    assert "displays.porch.width" in capsys.readouterr().err


def test_a_named_display_that_cannot_open_says_which_key_of_its_table_to_set(tmp_path, capsys):
    path = tmp_path / "config.toml"
    missing = tmp_path / "gone" / "left.png"
    path.write_text(f'driver = ["left"]\n[displays.left]\ndriver = "png"\npath = "{missing}"\n')
    assert cli.main(["--config", str(path), "--once"]) == exitcodes.UNAVAILABLE
    err = capsys.readouterr().err
    assert "create it or set displays.left.path" in err and "drivers.png" not in err


def test_doctor_tells_a_named_display_which_key_of_its_table_to_set(tmp_path):
    path = tmp_path / "config.toml"
    missing = tmp_path / "gone" / "b.png"
    path.write_text(f'driver = ["b"]\n[displays.b]\ndriver = "png"\npath = "{missing}"\n')
    rows = diagnose(Machine(root=tmp_path), lambda: config.load(path, environ={}))
    [found] = [r for r in rows if r.check == "display b (driver png)"]
    assert found.fix.endswith("(create it or set displays.b.path)")


def test_an_unknown_name_among_several_on_the_command_line_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text("")
    code = cli.main(["--config", str(path), "--driver", "fake,nosuch", "--once"])
    assert code == exitcodes.USAGE
    assert "nosuch" in capsys.readouterr().err


def test_doctor_checks_every_display(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('driver = ["terminal", "porch"]\n[displays.porch]\ndriver = "jsonl"\n')
    rows = diagnose(Machine(root=tmp_path), lambda: config.load(path, environ={}))
    in_use = sorted(r.check for r in rows if r.check.endswith("(in use)") or "display" in r.check)
    assert in_use == ["display porch (driver jsonl)", "driver terminal (in use)"]


def test_doctor_checks_a_named_display_with_its_own_table(tmp_path):
    path = tmp_path / "config.toml"
    missing = tmp_path / "gone" / "b.png"
    path.write_text(f'driver = ["b"]\n[displays.b]\ndriver = "png"\npath = "{missing}"\n')
    rows = diagnose(Machine(root=tmp_path), lambda: config.load(path, environ={}))
    found = [r for r in rows if r.check == "display b (driver png)"]
    assert [(r.status.value, r.found) for r in found] == [("fail", f"cannot write {missing}")]


def test_doctor_fails_a_named_display_whose_table_is_invalid(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('driver = ["b"]\n[displays.b]\ndriver = "jsonl"\ncolour = "red"\n')
    rows = diagnose(Machine(root=tmp_path), lambda: config.load(path, environ={}))
    found = [r for r in rows if r.check == "display b (driver jsonl)"]
    assert [(r.status.value, r.found) for r in found] == [("fail", "invalid [displays.b] table")]
    assert "displays.b.colour" in found[0].fix


def test_two_displays_on_standard_output_in_the_file_are_a_configuration_error(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text('driver = ["terminal", "jsonl"]\n')
    assert cli.main(["check-config", str(path)]) == exitcodes.CONFIG
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "terminal and jsonl both write to standard output" in err


def test_two_displays_on_standard_output_on_the_command_line_are_a_usage_error(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text("")
    code = cli.main(["check-config", str(path), "--driver", "terminal,jsonl"])
    assert code == exitcodes.USAGE
    assert "both write to standard output" in capsys.readouterr().err


def test_once_shows_displays_on_standard_output_in_turn(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text('driver = ["terminal", "jsonl"]\n[drivers.terminal]\ncolour = "none"\n')
    assert cli.main(["--config", str(path), "--once", "--at", "13:37:42"]) == exitcodes.OK
    last = capsys.readouterr().out.splitlines()[-1]
    assert json.loads(last)["time"][11:19] == "13:37:42"


def test_the_same_stream_driver_twice_is_a_configuration_error(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text(
        'driver = ["a", "b"]\n[displays.a]\ndriver = "jsonl"\n[displays.b]\ndriver = "jsonl"\n'
    )
    assert cli.main(["check-config", str(path)]) == exitcodes.CONFIG
    assert "a and b both write to standard output" in capsys.readouterr().err


def test_doctor_fails_the_config_with_two_displays_on_standard_output(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('driver = ["terminal", "jsonl"]\n')
    rows = diagnose(Machine(root=tmp_path), lambda: config.load(path, environ={}))
    found = next(r for r in rows if r.check == "config")
    assert found.status.value == "fail"
    assert "terminal and jsonl both write to standard output" in found.fix


def test_a_run_time_change_to_two_displays_on_standard_output_is_refused(tmp_path):
    service, _ = clock_with(tmp_path, 'driver = "jsonl"\n')
    with pytest.raises(config.ConfigError, match="jsonl and terminal both write to standard"):
        service.apply(Change(overrides={"driver": ["jsonl", "terminal"]}))
    assert [screen.display.name for screen in service.screens] == ["jsonl"]
