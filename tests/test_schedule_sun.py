"""Schedules relative to the sun, at the clock's place, and weekday masks."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from binclock import config
from binclock.clock import ManualClock
from binclock.commandline.cli import main
from binclock.config import ConfigError
from binclock.control.state import StateFile
from binclock.daemon.notify import Notifier
from binclock.daemon.service import Service
from binclock.sync import SyncCheck
from binclock.timeofday.schedule import Schedule, ScheduleEntry, Timetable
from binclock.timeofday.sun import EVENTS, Place, SunTime, parse

OSLO = ZoneInfo("Europe/Oslo")
LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")
OSLO_PLACE = Place(59.9139, 10.7522)
TROMSO = Place(69.6492, 18.9553)
SVALBARD = Place(78.2232, 15.6267)  # Longyearbyen: the sun stays 6 degrees down all day
SCHEDULE = TypeAdapter(Schedule)


def schedule(*tables: dict) -> tuple[ScheduleEntry, ...]:
    return SCHEDULE.validate_python(list(tables))


def timetable(*tables: dict, place: Place = OSLO_PLACE) -> Timetable:
    """The schedule of ``tables`` at ``place``, on Oslo's clock."""
    return Timetable(schedule(*tables), place, OSLO)


def config_error(data: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        config.validate(data, source=None)
    assert len(caught.value.problems) == 1
    return str(caught.value)


def minute(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


# -- writing sun times -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "event", "offset"),
    [
        ("sunset", "sunset", 0),
        ("sunset-30m", "sunset", -30),
        ("dawn+15m", "dawn", 15),
        ("sunrise+1h30m", "sunrise", 90),
        ("noon-2h", "noon", -120),
        (" Dusk + 90m ", "dusk", 90),
    ],
)
def test_a_sun_time_is_an_event_and_an_offset_in_minutes(text, event, offset):
    assert parse(text) == SunTime(event, offset)


def test_a_sun_time_is_written_back_as_event_and_hours_and_minutes():
    entries = schedule({"from": "sunset - 90m", "to": "sunrise+2h", "off": True})
    dumped = SCHEDULE.dump_python(entries, mode="json", by_alias=True)
    assert (dumped[0]["from"], dumped[0]["to"]) == ("sunset-1h30m", "sunrise+2h")


@pytest.mark.parametrize("bad", ["sunsett", "sunset+", "sunset-30", "sunset+30s", "moonrise"])
def test_a_misspelt_sun_time_is_one_line_naming_the_key(bad):
    line = config_error({"schedule": [{"from": bad, "to": "07:00", "off": True}]})
    assert line.startswith(f"built-in defaults: schedule.0.from = {bad!r}: a sun time is dawn,")


def test_an_offset_of_a_day_or_more_is_refused():
    line = config_error({"schedule": [{"from": "sunset+24h", "to": "07:00", "off": True}]})
    assert line.endswith("an offset from the sun is less than 24h")


def test_a_sun_time_without_a_place_is_one_line_naming_the_key():
    line = config_error(
        {
            "schedule": [
                {"from": "22:00", "to": "07:00", "off": True},
                {"from": "07:00", "to": "dawn+1h", "brightness": 0.5},
            ]
        }
    )
    assert line == (
        "built-in defaults: schedule.1.to = 'dawn+1h': a sun time needs the clock's place:"
        " set clock.latitude and clock.longitude, or clock.city"
    )


def test_a_sun_time_without_a_place_exits_78_in_one_line(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text('[[schedule]]\nfrom = "sunset-30m"\nto = "07:00"\noff = true\n')
    assert main(["check-config", str(path)]) == 78
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{path}: schedule.0.from = 'sunset-30m'" in err


# -- the clock's place -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "message"),
    [
        ({"latitude": 90.5, "longitude": 0}, "clock.latitude = 90.5: Input should be less"),
        ({"latitude": 0, "longitude": -181}, "clock.longitude = -181: Input should be greater"),
        ({"latitude": 59.9}, "clock.latitude = 59.9: give clock.longitude too"),
        ({"longitude": 10.7}, "clock.longitude = 10.7: give clock.latitude too"),
        (
            {"city": "Oslo", "latitude": 1, "longitude": 2},
            "clock.city = 'Oslo': give either clock.city or clock.latitude and clock.longitude",
        ),
        ({"city": "Atlantis"}, "clock.city = 'Atlantis': not a city the sun tables know"),
        ({"city": "Europe"}, "clock.city = 'Europe': a region, not a city"),
    ],
)
def test_a_bad_place_is_one_line_naming_the_key(clock, message):
    assert message in config_error({"clock": clock})


def test_a_city_the_geocoder_knows_is_its_place():
    clock = config.validate({"clock": {"city": "Oslo"}}).clock
    place = clock.place()
    assert place is not None and round(place.latitude, 1) == 59.9


def test_latitude_and_longitude_are_the_place():
    clock = config.validate({"clock": {"latitude": -33.87, "longitude": 151.21}}).clock
    assert clock.place() == Place(-33.87, 151.21)


# -- known sun times -------------------------------------------------------------------------

# astral's documentation (London, 22 April 2009, given in UTC; BST here) and its own tests
# (London, December 2015, from timeanddate.com; New Delhi's dawn), each to the minute.
KNOWN = [
    (Place(51.5, -0.116), LONDON, date(2009, 4, 22), "dawn", "05:13"),
    (Place(51.5, -0.116), LONDON, date(2009, 4, 22), "sunrise", "05:50"),
    (Place(51.5, -0.116), LONDON, date(2009, 4, 22), "noon", "12:59"),
    (Place(51.5, -0.116), LONDON, date(2009, 4, 22), "sunset", "20:09"),
    (Place(51.5, -0.116), LONDON, date(2009, 4, 22), "dusk", "20:46"),
    (Place(51.50853, -0.12574), LONDON, date(2015, 12, 1), "dawn", "07:04"),
    (Place(51.50853, -0.12574), LONDON, date(2015, 12, 1), "sunrise", "07:43"),
    (Place(51.50853, -0.12574), LONDON, date(2015, 12, 1), "noon", "11:49"),
    (Place(51.50853, -0.12574), LONDON, date(2015, 12, 1), "sunset", "15:55"),
    (Place(51.50853, -0.12574), LONDON, date(2015, 12, 25), "sunrise", "08:05"),
    (Place(51.50853, -0.12574), LONDON, date(2015, 12, 25), "dusk", "16:36"),
    (Place(28.61, 77.22), ZoneInfo("Asia/Kolkata"), date(2015, 12, 1), "dawn", "06:30"),
    (Place(28.61, 77.22), ZoneInfo("Asia/Kolkata"), date(2015, 12, 25), "dawn", "06:45"),
]


@pytest.mark.parametrize(("place", "tz", "day", "event", "expected"), KNOWN)
def test_sun_times_agree_with_the_published_ones_to_the_minute(place, tz, day, event, expected):
    hours, minutes = map(int, expected.split(":"))
    assert abs(place.events(day, tz)[event] - (hours * 60 + minutes)) <= 1


def test_a_sunrise_just_before_a_utc_midnight_is_found():
    # Dhaka (UTC+6), 23 March 2026: sunrise is a minute or so before 06:00, so before
    # midnight UTC, and astral, asked for that local day, finds none.
    from astral import Observer
    from astral.sun import sunrise

    dhaka, tz = Place(23.8103, 90.4125), ZoneInfo("Asia/Dhaka")
    observer = Observer(dhaka.latitude, dhaka.longitude)
    around = [sunrise(observer, date(2026, 3, day), tzinfo=tz) for day in (22, 24)]
    found = dhaka.events(date(2026, 3, 23), tz)["sunrise"]
    assert minute(around[1]) <= found <= minute(around[0])


# -- daylight saving time ----------------------------------------------------------------------


def test_sunrise_moves_an_hour_later_on_the_wall_clock_when_the_clocks_go_forward():
    # Oslo, 29 March 2026: 02:00 CET becomes 03:00 CEST. Sunrise comes ~3 minutes earlier
    # each day by the sun, and 60 minutes later by the wall clock.
    before = OSLO_PLACE.events(date(2026, 3, 28), OSLO)["sunrise"]
    after = OSLO_PLACE.events(date(2026, 3, 29), OSLO)["sunrise"]
    assert 55 <= after - before <= 59


def test_sunset_moves_an_hour_earlier_on_the_wall_clock_when_the_clocks_go_back():
    # Oslo, 25 October 2026: 03:00 CEST becomes 02:00 CET.
    before = OSLO_PLACE.events(date(2026, 10, 24), OSLO)["sunset"]
    after = OSLO_PLACE.events(date(2026, 10, 25), OSLO)["sunset"]
    assert 60 <= before - after <= 65


@pytest.mark.parametrize(
    ("evening", "morning"),
    [(date(2026, 3, 28), date(2026, 3, 29)), (date(2026, 10, 24), date(2026, 10, 25))],
)
def test_a_night_across_a_dst_change_ends_at_that_mornings_sunrise(evening, morning):
    table = timetable({"from": "sunset-30m", "to": "sunrise", "off": True})
    sunrise = OSLO_PLACE.events(morning, OSLO)["sunrise"]
    change = table.next_change(
        datetime.combine(evening, datetime.min.time(), OSLO).replace(hour=23)
    )
    assert change is not None and change.date() == morning and minute(change) == sunrise
    assert table.brightness_at(change - timedelta(seconds=1)) == 0.0
    assert table.brightness_at(change) == 1.0


def test_the_next_change_is_the_sun_time_as_an_instant_in_the_zone():
    from astral import Observer
    from astral.sun import sunset

    table = timetable({"from": "sunset-30m", "to": "07:00", "brightness": 0.2})
    day = date(2026, 3, 29)
    change = table.next_change(datetime(2026, 3, 29, 12, tzinfo=OSLO))
    exact = sunset(Observer(OSLO_PLACE.latitude, OSLO_PLACE.longitude), day, tzinfo=OSLO)
    assert change is not None
    assert abs(change.timestamp() - (exact.timestamp() - 30 * 60)) <= 30


def _first_change_by_scanning(table: Timetable, after: datetime) -> datetime | None:
    """The slow, obvious answer: look at every UTC minute of the next week until the
    factor differs (a range may be empty every day of the season)."""
    level = table.brightness_at(after)
    instant = (int(after.timestamp()) // 60 + 1) * 60
    for _ in range(7 * 1440):
        moment = datetime.fromtimestamp(instant, after.tzinfo)
        if table.brightness_at(moment) != level:
            return moment
        instant += 60
    return None


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(EVENTS),
    st.integers(-120, 120),
    st.sampled_from(["01:30", "02:30", "05:00", "23:00"]),
    st.sampled_from([datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)]),
    st.integers(-30 * 3600, 30 * 3600),
)
def test_next_change_agrees_with_scanning_minute_by_minute_around_dst(
    event, offset, fixed, transition, seconds
):
    # In Tromso dawn is at 04:59 on the spring day, so offsets reach into the skipped hour;
    # the fixed ends 01:30 and 02:30 fall in the skipped and the repeated hour.
    table = timetable(
        {"from": str(SunTime(event, offset)), "to": fixed, "brightness": 0.4},
        place=TROMSO,
    )
    after = (transition + timedelta(seconds=seconds)).astimezone(OSLO)
    change, scanned = table.next_change(after), _first_change_by_scanning(table, after)
    assert (change and change.timestamp()) == (scanned and scanned.timestamp())


# -- high latitudes ----------------------------------------------------------------------------


def test_in_polar_day_sunrise_is_the_start_and_sunset_the_end_of_the_day():
    events = TROMSO.events(date(2026, 6, 21), OSLO)
    assert (events["dawn"], events["sunrise"], events["sunset"], events["dusk"]) == (
        0,
        0,
        1440,
        1440,
    )


def test_in_polar_day_a_range_from_sunset_to_sunrise_never_darkens():
    table = timetable({"from": "sunset", "to": "sunrise", "off": True}, place=TROMSO)
    start = datetime(2026, 6, 21, tzinfo=OSLO)
    assert {table.brightness_at(start + timedelta(minutes=m)) for m in range(0, 2 * 1440, 7)} == {
        1.0
    }


def test_in_polar_day_offsets_from_the_days_edges_still_apply():
    table = timetable({"from": "sunset-30m", "to": "sunrise+30m", "off": True}, place=TROMSO)
    assert str(table.spans(date(2026, 6, 21))[0]) == "23:30-00:30"


def test_in_polar_night_sunrise_and_sunset_are_solar_noon():
    events = TROMSO.events(date(2026, 12, 21), OSLO)
    assert events["sunrise"] == events["noon"] == events["sunset"]
    assert events["dawn"] < events["noon"] < events["dusk"]  # twilight still comes


def test_in_polar_night_a_range_from_sunset_to_sunrise_lasts_all_day():
    table = timetable({"from": "sunset", "to": "sunrise", "brightness": 0.1}, place=TROMSO)
    start = datetime(2026, 12, 21, tzinfo=OSLO)
    assert {table.brightness_at(start + timedelta(minutes=m)) for m in range(0, 1440, 7)} == {0.1}


def test_a_sun_that_stays_just_below_the_horizon_at_noon_does_not_rise():
    # 74 degrees north on 2 February: at noon the sun's centre is 0.7 degrees down, so its
    # top stays under the horizon (as the sun tables say), though not by much.
    events = Place(74.0, 0.0).events(date(2001, 2, 2), UTC)
    assert events["sunrise"] == events["noon"] == events["sunset"]


def test_where_even_twilight_never_comes_dawn_and_dusk_are_solar_noon():
    events = SVALBARD.events(date(2026, 12, 21), OSLO)
    assert len({events[event] for event in EVENTS}) == 1


def test_in_white_nights_dusk_is_the_end_of_the_day():
    # Oslo at midsummer: the sun sets, but civil dusk would come after midnight.
    events = OSLO_PLACE.events(date(2026, 6, 21), OSLO)
    assert events["sunset"] < 1440 and events["dusk"] == 1440


# -- across midnight ---------------------------------------------------------------------------


def test_a_range_that_crosses_midnight_at_the_equinox_runs_to_the_next_days_time():
    table = timetable({"from": "22:00", "to": "sunrise", "off": True})
    span = table.spans(date(2026, 12, 1))[0]
    assert (
        span is not None
        and span.end == 1440 + OSLO_PLACE.events(date(2026, 12, 2), OSLO)["sunrise"]
    )


def test_a_range_that_does_not_cross_midnight_at_the_equinox_is_empty_when_its_times_swap():
    # Sunset is after 22:00 in Oslo in June: "from sunset to 22:00" has nothing to cover.
    table = timetable({"from": "sunset", "to": "22:00", "brightness": 0.3})
    assert table.spans(date(2026, 6, 21)) == (None,)
    assert table.spans(date(2026, 12, 21))[0] is not None
    assert table.today(date(2026, 6, 21)) == ["sunset-22:00: empty today"]


def test_where_sun_ranges_overlap_the_earlier_table_wins():
    table = timetable(
        {"from": "sunset", "to": "07:00", "brightness": 0.3},
        {"from": "22:00", "to": "sunrise", "off": True},
    )
    assert table.brightness_at(datetime(2026, 12, 1, 23, tzinfo=OSLO)) == 0.3
    assert table.brightness_at(datetime(2026, 12, 2, 8, tzinfo=OSLO)) == 0.0  # before sunrise


# -- once a day, not every second --------------------------------------------------------------


class CountingPlace(Place):
    def events(self, day, tz):
        self.asked.append(day)
        return super().events(day, tz)


def test_a_days_sun_times_are_worked_out_once_however_often_the_clock_asks():
    place = CountingPlace(59.9139, 10.7522)
    object.__setattr__(place, "asked", [])
    table = timetable({"from": "sunset-30m", "to": "sunrise", "off": True}, place=place)
    place.asked.clear()  # the equinox, asked once when the timetable is made
    start = datetime(2026, 12, 1, 22, tzinfo=OSLO)
    for second in range(0, 4 * 3600, 1):
        table.brightness_at(start + timedelta(seconds=second))
    assert sorted(place.asked) == [
        date(2026, 11, 30),
        date(2026, 12, 1),
        date(2026, 12, 2),
        date(2026, 12, 3),
    ]
    assert len(place.asked) == len(set(place.asked))


# -- weekday masks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "weekdays"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("sat,sun", {5, 6}),
        ("mon-wed,fri", {0, 1, 2, 4}),
        ("fri-mon", {4, 5, 6, 0}),
        (" Sat ", {5}),
    ],
)
def test_days_name_the_weekdays_a_range_starts_on(days, weekdays):
    entry = schedule({"from": "22:00", "to": "23:00", "off": True, "days": days})[0]
    monday = date(2026, 11, 30)
    assert {n for n in range(7) if entry.on(monday + timedelta(days=n))} == weekdays


@pytest.mark.parametrize("bad", ["", "mon-fry", "weekdays", "mon,,tue", "mon-", "1-5"])
def test_a_bad_weekday_mask_is_one_line_naming_the_key(bad):
    line = config_error({"schedule": [{"from": "22:00", "to": "07:00", "off": True, "days": bad}]})
    assert line.startswith(f"built-in defaults: schedule.0.days = {bad!r}: expected weekdays")


def test_a_range_across_midnight_belongs_to_the_day_it_starts():
    table = Timetable(schedule({"from": "22:00", "to": "07:00", "off": True, "days": "fri"}))
    friday = datetime(2026, 12, 4, tzinfo=OSLO)
    assert table.brightness_at(friday.replace(hour=3)) == 1.0  # Thursday night's: not set
    assert table.brightness_at(friday.replace(hour=23)) == 0.0
    assert table.brightness_at(friday + timedelta(days=1, hours=3)) == 0.0  # Saturday morning
    assert table.brightness_at(friday + timedelta(days=1, hours=23)) == 1.0


def test_the_next_change_of_a_weekend_range_on_a_monday_is_saturdays_start():
    table = Timetable(schedule({"from": "08:00", "to": "10:00", "off": True, "days": "sat"}))
    monday = datetime(2026, 11, 30, 12, tzinfo=OSLO)
    assert table.next_change(monday) == datetime(2026, 12, 5, 8, tzinfo=OSLO)


def test_the_log_names_the_weekday_of_a_change_more_than_a_day_away():
    table = Timetable(schedule({"from": "23:30", "to": "09:00", "off": True, "days": "sat"}))
    monday = datetime(2026, 11, 30, 9, tzinfo=OSLO)
    assert table.summary(monday) == "normal brightness until Sat 23:30"


def test_the_log_gives_only_the_time_of_a_change_within_a_day():
    table = Timetable(schedule({"from": "23:30", "to": "09:00", "off": True, "days": "sat"}))
    saturday_night = datetime(2026, 12, 5, 23, 30, tzinfo=OSLO)
    assert table.summary(saturday_night).endswith("until 09:00")


def test_fixed_ranges_on_different_days_may_share_their_times():
    schedule(
        {"from": "22:00", "to": "07:00", "off": True, "days": "mon-fri"},
        {"from": "23:30", "to": "09:00", "brightness": 0.2, "days": "sat,sun"},
    )


def test_a_friday_night_range_overlaps_a_saturday_morning_one():
    with pytest.raises(ValidationError, match="22:00-07:00 fri and 06:00-08:00 sat overlap"):
        schedule(
            {"from": "22:00", "to": "07:00", "off": True, "days": "fri"},
            {"from": "06:00", "to": "08:00", "brightness": 0.5, "days": "sat"},
        )


def test_a_sunday_night_range_overlaps_a_monday_morning_one():
    with pytest.raises(ValidationError, match="overlap"):
        schedule(
            {"from": "22:00", "to": "07:00", "off": True, "days": "sun"},
            {"from": "06:00", "to": "08:00", "brightness": 0.5, "days": "mon"},
        )


# -- properties over dates and places ----------------------------------------------------------

DAYS = st.dates(date(1990, 1, 1), date(2090, 12, 31))
LATITUDES = st.floats(-89.5, 89.5)
LONGITUDES = st.floats(-179.5, 179.5)


def zone_of(longitude: float) -> timezone:
    """The whole-hour zone nearest to a place's solar time, as real zones roughly are."""
    return timezone(timedelta(hours=round(longitude / 15)))


@settings(max_examples=300, deadline=None)
@given(DAYS, LATITUDES, LONGITUDES)
def test_the_days_sun_times_are_in_order_and_inside_the_day(day, latitude, longitude):
    events = Place(latitude, longitude).events(day, zone_of(longitude))
    times = [events[event] for event in EVENTS]
    assert times == sorted(times)
    assert times[0] >= 0 and times[-1] <= 1440


@settings(max_examples=200, deadline=None)
@given(DAYS, LATITUDES, LONGITUDES)
def test_each_sun_time_is_astrals_or_a_documented_fallback(day, latitude, longitude):
    from astral import Observer
    from astral import sun as astral_sun

    tz = zone_of(longitude)
    events = Place(latitude, longitude).events(day, tz)
    observer = Observer(latitude, longitude)
    for event in ("dawn", "sunrise", "sunset", "dusk"):
        fallbacks = {events["noon"], 0 if event in ("dawn", "sunrise") else 1440}
        try:
            moment = getattr(astral_sun, event)(observer, day, tzinfo=tz)
        except ValueError as exc:
            # "Unable to find" is astral missing an event near a UTC midnight (see the
            # Dhaka test); otherwise the sun does not cross this horizon in astral's UTC
            # day, though it may in the part of the local day that lies in the next or the
            # previous UTC day (a white night's last dip below the horizon).
            found = events[event] in fallbacks or "Unable to find" in str(exc)
            near = [abs(events[event] - m) <= 0.5 for m in neighbours(observer, event, day, tz)]
            assert found or any(near), event
            continue
        assert abs(events[event] - minutes(moment, tz)) <= 0.5 or events[event] in fallbacks, event


def minutes(moment: datetime, tz: tzinfo) -> float:
    """``moment`` as minutes of its local day in ``tz``."""
    local = moment.astimezone(tz)
    return local.hour * 60 + local.minute + local.second / 60


def neighbours(observer, event: str, day: date, tz: tzinfo) -> list[float]:
    """The minutes of ``day`` in ``tz`` at which astral finds ``event`` when asked about the
    UTC days either side."""
    from astral import sun as astral_sun

    found = []
    for other in (day - timedelta(days=1), day + timedelta(days=1)):
        with contextlib.suppress(ValueError):
            moment = getattr(astral_sun, event)(observer, other)  # that UTC day's
            if moment.astimezone(tz).date() == day:
                found.append(minutes(moment, tz))
    return found


@settings(max_examples=200, deadline=None)
@given(
    DAYS,
    st.sampled_from(
        [
            (OSLO_PLACE, OSLO),
            (TROMSO, OSLO),
            (Place(51.5, -0.12), LONDON),
            (Place(-33.87, 151.21), ZoneInfo("Australia/Sydney")),
        ]
    ),
    st.sampled_from(EVENTS),
    st.sampled_from(EVENTS),
    st.integers(-180, 180),
)
def test_sun_ranges_resolve_inside_their_day_and_the_next(day, where, first, last, offset):
    place, tz = where
    entries = (
        schedule({"from": str(SunTime(first, offset)), "to": last, "brightness": 0.5})
        if SunTime(first, offset) != SunTime(last)
        else ()
    )
    table = Timetable(entries, place, tz)
    for span in table.spans(day):
        if span is not None:
            assert 0 <= span.start < span.end <= 2 * 1440


# -- shown to the user -------------------------------------------------------------------------

SUN_CONFIG = """driver = "fake"
[clock]
timezone = "Europe/Oslo"
latitude = 59.9139
longitude = 10.7522

[[schedule]]
from = "sunset-30m"
to = "07:00"
brightness = 0.2

[[schedule]]
from = "07:00"
to = "08:00"
brightness = 0.5
days = "sat,sun"
"""


def test_the_state_view_names_the_sun_range_with_todays_times(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(SUN_CONFIG)
    start = datetime(2026, 12, 1, 18, 0, 0, 500000, tzinfo=OSLO)
    service = Service(
        lambda: config.load(path, environ={}),
        clock=ManualClock(start),
        notifier=Notifier({}),
        sync=SyncCheck(tmp_path / "none" / "synchronized", lambda: None),
        state_file=StateFile(tmp_path / "state.json"),
    )
    service.run(frames=1)
    begins = OSLO_PLACE.events(date(2026, 12, 1), OSLO)["sunset"] - 30
    assert service.view()["schedule_now"] == {
        "brightness": 0.2,
        "entry": f"sunset-30m-07:00 ({begins // 60:02d}:{begins % 60:02d}-07:00)",
    }


def test_the_summary_for_the_log_gives_the_sun_range_and_its_times():
    table = timetable({"from": "sunset-30m", "to": "07:00", "brightness": 0.2})
    begins = OSLO_PLACE.events(date(2026, 12, 1), OSLO)["sunset"] - 30
    assert table.summary(datetime(2026, 12, 1, 23, tzinfo=OSLO)) == (
        f"brightness 20% of normal (schedule sunset-30m-07:00 at"
        f" {begins // 60:02d}:{begins % 60:02d}-07:00) until 07:00"
    )


def test_check_config_prints_each_range_with_todays_times(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text(SUN_CONFIG)
    assert main(["check-config", str(path)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"\n# the schedule today, \w{3} \d{4}-\d\d-\d\d \(Europe/Oslo\):\n", out)
    assert re.search(r"\n# sunset-30m-07:00: \d\d:\d\d-07:00\n", out)
    assert re.search(r"\n# 07:00-08:00 sat,sun: (07:00-08:00|not today)\n", out)


def test_the_sun_tables_are_imported_only_when_a_schedule_uses_the_sun():
    script = (
        "import sys\n"
        "from datetime import datetime\n"
        "from binclock import config\n"
        "from binclock.pipeline import timetable\n"
        "fixed = config.validate({'clock': {'city': None, 'latitude': 59.9, 'longitude': 10.7},"
        " 'schedule': [{'from': '22:00', 'to': '07:00', 'off': True}]})\n"
        "timetable(fixed).brightness_at(datetime(2026, 12, 1, 23))\n"
        "print('astral' in sys.modules)\n"
        "sunny = fixed.model_copy(update={'schedule': config.validate("
        "{'clock': fixed.clock.model_dump(), 'schedule': [{'from': 'sunset', 'to': '07:00',"
        " 'off': True}]}).schedule})\n"
        "timetable(sunny).brightness_at(datetime(2026, 12, 1, 23))\n"
        "print('astral' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["False", "True"]
