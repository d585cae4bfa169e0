"""Alarms as a pure function of the wall clock: when each rings, its fade, days, DST days,
stop and snooze, and their configuration."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter

from binclock import config
from binclock.commandline.cli import main
from binclock.config import ConfigError
from binclock.timeofday.alarms import (
    SUNRISE,
    WARM_WHITE,
    Alarms,
    AlarmTables,
    Held,
    daybreak,
    instant,
    sunrise,
)
from binclock.timeofday.sun import Place

OSLO = ZoneInfo("Europe/Oslo")
OSLO_PLACE = Place(59.9139, 10.7522)
TABLES = TypeAdapter(AlarmTables)
SPRING_FORWARD = date(2026, 3, 29)  # a Sunday: 02:00 CET becomes 03:00 CEST
FALL_BACK = date(2026, 10, 25)  # a Sunday: 03:00 CEST becomes 02:00 CET


def alarms(*tables: dict, place: Place | None = None) -> Alarms:
    return Alarms(TABLES.validate_python(list(tables)), place, OSLO)


def second(text: str) -> int:
    """An Oslo wall-clock time as an epoch second (the first, if the clocks repeat it)."""
    return int(datetime.fromisoformat(text).replace(tzinfo=OSLO).timestamp())


def rings_in(clock: Alarms, start: date, days: int, step: int = 20) -> list[datetime]:
    """When each alarm rang, sampling every ``step`` seconds through ``days`` days."""
    first = second(f"{start}T00:00:00")
    last = second(f"{start + timedelta(days=days)}T00:00:00")
    seen: dict[tuple[int, int], datetime] = {}
    for now in range(first, last, step):
        phase = clock.phase(now)
        if phase is not None and phase.kind == "ring":
            seen.setdefault(phase.occurrence, datetime.fromtimestamp(phase.at, OSLO))
    return sorted(seen.values())


def config_error(data: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        config.validate(data, source=None)
    assert len(caught.value.problems) == 1
    return str(caught.value)


# -- the sunrise -------------------------------------------------------------------------


def test_the_sunrise_goes_from_dark_red_through_orange_to_warm_white():
    start, middle, end = sunrise(0.0), sunrise(0.5), sunrise(1.0)
    assert start[0] > 0 and start[1] == start[2] == 0
    assert middle[0] > middle[1] > middle[2] == 0
    assert end == WARM_WHITE == SUNRISE[-1][1]


def test_the_sunrise_brightens_all_the_way():
    levels = [sum(sunrise(n / 100)) for n in range(101)]
    assert levels == sorted(levels) and len(set(levels)) == len(levels)


def test_on_lit_or_dark_pixels_the_fade_lights_the_bottom_row_first_each_row_from_the_middle():
    width, height = 5, 2
    order = []
    for n in range(1, width * height + 1):
        lit = daybreak(n / (width * height), width, height)
        order += [i for i, on in enumerate(lit) if on and i not in order]
    assert order == [7, 6, 8, 5, 9, 2, 1, 3, 0, 4]  # (x, y) = (2, 1), (1, 1), (3, 1), ...


def test_the_fade_ends_as_the_alarm_rings():
    clock = alarms({"time": "07:00", "fade": 30})
    at = second("2026-06-01T07:00:00")
    assert clock.phase(at - 30 * 60 - 1) is None
    first, last, ringing = clock.phase(at - 30 * 60), clock.phase(at - 1), clock.phase(at)
    assert (first.kind, first.elapsed, first.length) == ("fade", 0, 1800)
    assert (last.kind, last.elapsed) == ("fade", 1799)
    assert (ringing.kind, ringing.elapsed) == ("ring", 0)


def test_the_fade_colour_depends_only_on_the_second():
    clock = alarms({"time": "07:00", "fade": 10})
    at = second("2026-06-01T07:00:00")
    colours = [clock.phase(s).fade("colour", 1, 1, 1.0) for s in range(at - 600, at)]
    assert colours == [(sunrise(n / 600),) for n in range(600)]
    assert [clock.phase(s).fade("colour", 1, 1, 1.0) for s in range(at - 600, at)] == colours


def test_the_blink_lights_every_other_second_for_its_minutes():
    clock = alarms({"time": "07:00", "ring": 2})
    at = second("2026-06-01T07:00:00")
    assert [clock.phase(at + n).blink() for n in range(4)] == [WARM_WHITE, None] * 2
    assert clock.phase(at + 119) is not None and clock.phase(at + 120) is None


def test_a_fade_before_midnight_belongs_to_the_alarm_after_it():
    clock = alarms({"time": "00:10", "fade": 30, "days": "tue"})
    phase = clock.phase(second("2026-06-01T23:50:00"))  # a Monday evening
    assert phase.kind == "fade" and phase.elapsed == 600


# -- which days ----------------------------------------------------------------------------


def test_an_alarm_rings_only_on_its_days():
    rang = rings_in(alarms({"time": "06:45", "days": "mon-fri", "ring": 1}), date(2026, 6, 1), 7)
    assert [(r.strftime("%a %H:%M")) for r in rang] == [
        f"{day} 06:45" for day in ("Mon", "Tue", "Wed", "Thu", "Fri")
    ]


def test_a_sun_time_alarm_follows_the_sunrise_each_day():
    clock = alarms({"time": "sunrise+10m", "ring": 1}, place=OSLO_PLACE)
    for day in (date(2026, 3, 1), date(2026, 6, 21)):
        sunrise_minute = OSLO_PLACE.events(day, OSLO)["sunrise"]
        ((_, at),) = clock.rings(day)
        assert at == instant(day, sunrise_minute + 10, OSLO)


# -- DST days --------------------------------------------------------------------------------


def test_through_the_spring_forward_week_it_rings_once_a_day_and_at_03_00_on_the_day():
    clock = alarms({"time": "02:30", "ring": 1})
    rang = rings_in(clock, SPRING_FORWARD - timedelta(days=3), 7)
    assert [r.date() for r in rang] == [SPRING_FORWARD + timedelta(days=n) for n in range(-3, 4)]
    assert [r.strftime("%H:%M") for r in rang] == ["02:30"] * 3 + ["03:00"] + ["02:30"] * 3


def test_through_the_fall_back_week_it_rings_once_a_day_the_first_time_round():
    clock = alarms({"time": "02:30", "ring": 1})
    rang = rings_in(clock, FALL_BACK - timedelta(days=3), 7)
    assert [r.date() for r in rang] == [FALL_BACK + timedelta(days=n) for n in range(-3, 4)]
    assert all(r.strftime("%H:%M") == "02:30" for r in rang)
    on_the_day = rang[3]
    assert on_the_day.utcoffset() == timedelta(hours=2)  # summer time: the first 02:30


def test_on_the_fall_back_day_the_repeated_hour_does_not_ring_again():
    clock = alarms({"time": "02:30", "ring": 1})
    first = instant(FALL_BACK, 150, OSLO)
    assert clock.phase(first).kind == "ring"
    assert clock.phase(first + 3600) is None  # 02:30 again, an hour later


def test_a_fade_across_the_spring_forward_jump_lasts_its_minutes():
    clock = alarms({"time": "03:10", "fade": 20})
    at = instant(SPRING_FORWARD, 190, OSLO)
    assert clock.phase(at - 1200).kind == "fade"  # 01:50 CET, before the jump
    assert clock.phase(at - 1201) is None


# -- stop and snooze ----------------------------------------------------------------------------


def test_a_stopped_alarm_shows_nothing_more_that_day_even_after_a_step_back():
    clock = alarms({"time": "07:00", "fade": 10})
    at = second("2026-06-01T07:00:00")
    held = Held().stop(clock.phase(at + 5).occurrence)
    assert clock.phase(at + 6, held) is None
    assert clock.phase(at - 300, held) is None  # the clock stepped back into the fade
    assert clock.phase(at + 86400, held).kind == "ring"  # tomorrow's


def test_a_snoozed_alarm_rings_again_after_its_snooze_minutes():
    clock = alarms({"time": "07:00", "snooze": 5, "ring": 10})
    at = second("2026-06-01T07:00:00")
    held = Held().snooze(clock.phase(at + 30).occurrence, at + 30 + 300)
    assert clock.phase(at + 31, held) is None
    again = clock.phase(at + 330, held)
    assert (again.kind, again.elapsed, again.blink()) == ("ring", 0, WARM_WHITE)
    assert clock.phase(at + 330 + 600, held) is None


def test_an_alarm_snoozed_past_midnight_rings_the_next_day():
    clock = alarms({"time": "23:55", "ring": 1, "snooze": 60})
    at = second("2026-06-01T23:55:00")
    held = Held().snooze(clock.phase(at).occurrence, at + 3600)
    again = clock.phase(second("2026-06-02T00:55:30"), held)
    assert (again.kind, again.at, again.elapsed) == ("ring", at, 30)


def test_stopping_a_snoozed_alarm_stops_it():
    clock = alarms({"time": "07:00", "snooze": 5})
    at = second("2026-06-01T07:00:00")
    held = Held().snooze((0, at), at + 300).stop((0, at))
    assert clock.phase(at + 300, held) is None


def test_alarms_stopped_days_ago_are_forgotten():
    held = Held().stop((0, 1_000_000)).snooze((0, 2_000_000), 2_000_300)
    assert held.stopped == frozenset() and list(held.snoozed) == [(0, 2_000_000)]


# -- configuration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "line"),
    [
        ({"time": "7:61"}, "alarm.0.time = '7:61': expected a time of day"),
        ({"time": "07:00", "days": "mon-fry"}, "alarm.0.days = 'mon-fry': expected weekdays"),
        ({"time": "07:00", "fade": 500}, "alarm.0.fade = 500:"),
        ({"time": "07:00", "then": "disco"}, "alarm.0.then = 'disco': expected \"blink\""),
        ({"time": "07:00", "ring": 0}, "alarm.0.ring = 0:"),
        ({"time": "07:00", "volume": 11}, "alarm.0.volume"),
    ],
)
def test_a_bad_alarm_is_one_line_naming_the_key_and_value(table, line):
    assert line in config_error({"alarm": [table]})


def test_an_alarm_at_a_sun_time_needs_the_clock_s_place():
    line = config_error({"alarm": [{"time": "sunrise"}]})
    assert line.startswith("built-in defaults: alarm.0.time = 'sunrise': a sun time needs")


def test_a_bad_alarm_exits_78_in_one_line(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text('[[alarm]]\ntime = "07:00"\nthen = "disco"\n')
    assert main(["check-config", str(path)]) == 78
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{path}: alarm.0.then = 'disco'" in err
