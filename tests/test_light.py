"""Brightness that follows the room: Adafruit's BH1750 and TSL2591 drivers and the sense-hat
library's colour sensor over stand-in buses, the curve, smoothing, hysteresis, a failing
sensor, the schedule's cap, and the running clock."""

from __future__ import annotations

import itertools
import logging
import sys
import types
from datetime import UTC, datetime
from pathlib import Path

import i2c_fakes
import pytest
from hypothesis import given
from hypothesis import strategies as st
from i2c_fakes import Bh1750Chip, Room, StandInI2C, Tcs3400, Tsl2591Chip

from binclock import config
from binclock.clock import ManualClock
from binclock.commandline.ctl import describe
from binclock.config import ConfigError, LightConfig
from binclock.control.api import NotifyRequest
from binclock.daemon.notify import Notifier
from binclock.daemon.service import AHEAD, Service
from binclock.light.curve import Level, brightness_for
from binclock.light.room import RoomLight
from binclock.light.sensors import SenseHatColour, SensorUnavailable, opener
from binclock.sync import SyncCheck
from binclock.timeofday.alarms import WARM_WHITE, sunrise
from conftest import Sleeper

CURVE = LightConfig(sensor="bh1750", smoothing=30.0, hysteresis=0.03, interval=2.0)
CHIPS = {"bh1750": Bh1750Chip, "tsl2591": Tsl2591Chip}


def room_light(sensor: str, room: Room, **settings: float) -> tuple[RoomLight, StandInI2C]:
    """A room light on ``sensor`` (Adafruit's driver) over a stand-in bus in ``room``."""
    bus = StandInI2C(CHIPS[sensor](room))
    light_config = CURVE.model_copy(update={"sensor": sensor, **settings})
    return RoomLight(light_config, opener(light_config, i2c=bus)), bus


def follow(light: RoomLight, room: Room, start: float, luxes: list[float]) -> list[float]:
    """Read ``luxes`` one per interval from ``start``; the brightness shown after each."""
    levels = []
    for n, lux in enumerate(luxes):
        now = start + n * light.config.interval
        room.lux = lux
        light.poll(now)  # asks for a reading
        assert light.reader.settle()
        light.poll(now)  # takes it
        assert light.level is not None
        levels.append(light.level.level)
    return levels


# -- the curve --------------------------------------------------------------------------------


@given(
    st.floats(0, 200_000, allow_nan=False),
    st.floats(0, 200_000, allow_nan=False),
    st.floats(0.01, 1.0),
    st.floats(0.01, 1.0),
)
def test_the_curve_rises_with_the_light_and_stays_within_its_limits(a, b, low, high):
    low, high = min(low, high), max(low, high)
    curve = LightConfig(min_brightness=low, max_brightness=high, dark_lux=2, bright_lux=2000)
    lo, hi = sorted((a, b))
    assert low <= brightness_for(lo, curve) <= brightness_for(hi, curve) <= high


def test_the_curve_is_logarithmic_between_its_lux_points():
    curve = LightConfig(min_brightness=0.1, max_brightness=0.9, dark_lux=1, bright_lux=10_000)
    assert brightness_for(1, curve) == pytest.approx(0.1)
    assert brightness_for(100, curve) == pytest.approx(0.5)  # halfway in decades
    assert brightness_for(10_000, curve) == pytest.approx(0.9)


def test_the_schedule_caps_the_light_but_never_below_the_floor_unless_off():
    level = Level(0.8, floor=0.05)
    assert level.cap(1.0) == 0.8
    assert level.cap(0.3) == 0.3
    assert level.cap(0.01) == 0.05
    assert level.cap(0.0) == 0.0


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ("min_brightness = 0", "light.min_brightness = 0"),
        ("min_brightness = 0.8\nmax_brightness = 0.5", "light.min_brightness = 0.8"),
        ("dark_lux = 500\nbright_lux = 100", "light.dark_lux = 500"),
        ('sensor = "photocell"', "light.sensor = 'photocell'"),
    ],
)
def test_a_bad_light_setting_is_one_line_naming_it(tmp_path, settings, key):
    path = tmp_path / "config.toml"
    path.write_text(f"[light]\n{settings}\n")
    with pytest.raises(ConfigError) as caught:
        config.load(path, environ={})
    assert key in str(caught.value) and "\n" not in str(caught.value)


# -- Adafruit's drivers over the stand-in bus -----------------------------------------------


@pytest.mark.parametrize("sensor", ["bh1750", "tsl2591"])
def test_the_brightness_follows_dark_dusk_daylight_and_back(sensor):
    room = Room()
    light, _ = room_light(sensor, room)
    try:
        dark = follow(light, room, 0, [0.2] * 10)
        dusk = follow(light, room, 20, [30.0] * 60)
        day = follow(light, room, 140, [20_000.0] * 60)
        night = follow(light, room, 260, [0.2] * 90)
    finally:
        light.close()
    assert dark == [CURVE.min_brightness] * 10
    assert dusk == sorted(dusk) and dusk[-1] == pytest.approx(brightness_for(30, CURVE), abs=0.03)
    assert day == sorted(day) and day[-1] >= CURVE.max_brightness - 0.03
    assert night == sorted(night, reverse=True) and night[-1] <= CURVE.min_brightness + 0.03


@pytest.mark.parametrize("sensor", ["bh1750", "tsl2591"])
def test_a_flash_of_one_reading_barely_moves_the_brightness(sensor):
    room = Room()
    light, _ = room_light(sensor, room)
    try:
        levels = follow(light, room, 0, [0.2] * 5 + [20_000.0] + [0.2] * 80)
    finally:
        light.close()
    assert max(levels) - CURVE.min_brightness < 0.1
    assert levels[-1] == CURVE.min_brightness  # and back where it was


def test_light_wavering_around_a_level_does_not_flicker_the_clock():
    room = Room()
    light, _ = room_light("bh1750", room, smoothing=0.0)
    try:
        follow(light, room, 0, [30.0] * 5)
        wavering = follow(light, room, 300, [26.0, 34.0] * 60)
    finally:
        light.close()
    assert len(set(wavering)) == 1


def test_without_hysteresis_the_same_wavering_moves_it():
    room = Room()
    light, _ = room_light("bh1750", room, smoothing=0.0, hysteresis=0.0)
    try:
        follow(light, room, 0, [30.0] * 5)
        wavering = follow(light, room, 300, [26.0, 34.0] * 60)
    finally:
        light.close()
    assert len(set(wavering)) > 1


def test_a_failing_sensor_is_logged_once_keeps_the_brightness_and_is_retried_less_often(caplog):
    room = Room(lux=30.0)
    light, bus = room_light("bh1750", room, smoothing=0.0, max_backoff=30.0)
    try:
        kept = follow(light, room, 0, [30.0])[-1]
        bus.broken = True
        tries = []
        with caplog.at_level(logging.INFO, logger="binclock.light"):
            for second in range(2, 200):
                before = bus.transfers
                light.poll(second)
                assert light.reader.settle()
                light.poll(second)
                if bus.transfers > before:
                    tries.append(second)
                assert light.level is not None and light.level.level == kept
            warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
            assert len(warnings) == 1 and "bh1750" in warnings[0].getMessage()
            assert light.view()["working"] is False
            gaps = [b - a for a, b in itertools.pairwise(tries)]
            assert gaps == sorted(gaps) and gaps[0] < gaps[-1] == 30
            bus.broken = False
            room.lux = 20_000.0
            for second in range(200, 240):
                light.poll(second)
                assert light.reader.settle()
                light.poll(second)
            assert (
                "works again" in caplog.records[-2].getMessage() + caplog.records[-1].getMessage()
            )
        assert light.level.level == CURVE.max_brightness
        assert light.view()["working"] is True
    finally:
        light.close()


def test_a_sensor_that_is_not_there_counts_as_failing():
    room = Room()
    light_config = CURVE.model_copy(update={"address": 0x5C})
    light = RoomLight(light_config, opener(light_config, i2c=StandInI2C(Bh1750Chip(room))))
    try:
        light.poll(0)
        assert light.reader.settle()
        light.poll(0)
    finally:
        light.close()
    assert light.level is None and light.reader.failures == 1


def test_a_clock_stepped_back_goes_on_reading_the_sensor():
    room = Room(lux=30.0)
    light, _ = room_light("bh1750", room, smoothing=0.0)
    try:
        start = 1_800_000_000.0
        follow(light, room, start, [30.0])
        later = follow(light, room, start - 3600, [20_000.0])  # NTP stepped it back an hour
    finally:
        light.close()
    assert later == [CURVE.max_brightness]


# -- the Sense HAT's colour sensor, over a stand-in for smbus ---------------------------------


@pytest.fixture
def sense_hat_bus(monkeypatch):
    """The Sense HAT v2's colour sensor behind ``smbus``; RTIMU (the IMU library the
    sense-hat package imports and the light sensor does not use) as an empty module."""
    room = Room()
    chip = Tcs3400(room)
    monkeypatch.setitem(sys.modules, "smbus", chip.module())
    if "RTIMU" not in sys.modules:
        monkeypatch.setitem(sys.modules, "RTIMU", types.ModuleType("RTIMU"))
    return room, chip


@pytest.mark.parametrize("lux", [2.0, 40.0, 300.0])
def test_the_sense_hat_colour_sensor_reads_the_room_in_lux(sense_hat_bus, lux):
    room, _ = sense_hat_bus
    room.lux = lux
    assert SenseHatColour().lux() == pytest.approx(lux, rel=0.05, abs=0.5)


def test_a_sense_hat_without_the_colour_sensor_is_unavailable(sense_hat_bus):
    _, chip = sense_hat_bus
    chip.ADDRESS = 0x10
    with pytest.raises(SensorUnavailable, match="colour sensor"):
        SenseHatColour()


# -- the running clock ------------------------------------------------------------------------


class SettlingSleeper(Sleeper):
    """The service's sleep, letting the sensor's thread finish the reading asked for first,
    so each second sees the readings made before it."""

    def __call__(self, seconds: float) -> None:
        if self.service is not None and self.service.light is not None:
            assert self.service.light.reader.settle()
        super().__call__(seconds)


def clock_in_room(
    tmp_path: Path, text: str = "", sensor: str = "i2c_fakes:bh1750_in_room"
) -> tuple[Service, SettlingSleeper]:
    path = tmp_path / "config.toml"
    path.write_text(
        'driver = "fake"\n[clock]\ntimezone = "UTC"\n[light]\n'
        f'sensor = "{sensor}"\nsmoothing = 0\n' + text
    )
    clock = ManualClock(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    sleeper = SettlingSleeper(clock)
    service = Service(
        lambda: config.load(path, environ={}),
        clock=clock,
        sleep=sleeper,
        notifier=Notifier({}),
        sync=SyncCheck(tmp_path / "synchronized", lambda: 0),
    )
    sleeper.service = service
    return service, sleeper


def brightest(service: Service) -> int:
    return max(max(pixel) for pixel in service.driver.last.pixels)


def test_the_running_clock_shows_the_brightness_the_room_asks_for(tmp_path):
    i2c_fakes.ROOM.lux = 20_000.0
    service, sleeper = clock_in_room(tmp_path)
    levels = []
    for n in range(1, 30):
        sleeper.actions[n] = lambda n=n: levels.append(brightest(service))
    sleeper.actions[12] = lambda: (
        levels.append(brightest(service)),
        setattr(i2c_fakes.ROOM, "lux", 0.0),
    )
    service.run(frames=30)
    assert levels[2] == 255  # daylight: full brightness once the first reading is in
    assert levels[-1] == round(255 * LightConfig().min_brightness)
    assert service.view()["light"] == {
        "sensor": "i2c_fakes:bh1750_in_room",
        "lux": 0.0,
        "brightness": LightConfig().min_brightness,
        "working": True,
    }


def test_the_schedule_caps_the_brightness_of_a_bright_room(tmp_path):
    i2c_fakes.ROOM.lux = 20_000.0
    schedule = '[[schedule]]\nfrom = "11:00"\nto = "13:00"\nbrightness = 0.25\n'
    service, _ = clock_in_room(tmp_path, schedule)
    service.run(frames=6)
    assert brightest(service) == round(255 * 0.25)


def test_ctl_state_shows_the_light_when_there_is_a_sensor(tmp_path):
    i2c_fakes.ROOM.lux = 30.0
    service, _ = clock_in_room(tmp_path)
    service.run(frames=3)
    lines = describe(service.view()).splitlines()
    assert [line.split()[0] for line in lines].count("light") == 1
    assert '"lux": 30.0' in next(line for line in lines if line.startswith("light"))


def test_a_reload_that_drops_the_sensor_gives_back_the_configured_brightness(tmp_path):
    i2c_fakes.ROOM.lux = 0.0
    service, sleeper = clock_in_room(tmp_path)
    path = tmp_path / "config.toml"
    seen = []

    def drop_sensor() -> None:
        seen.append(brightest(service))
        path.write_text('driver = "fake"\n[clock]\ntimezone = "UTC"\n')
        service.reload()

    sleeper.actions[5] = drop_sensor
    service.run(frames=8)
    assert seen == [round(255 * LightConfig().min_brightness)]
    assert service.light is None and brightest(service) == 255


def test_a_reload_that_changes_the_light_settings_keeps_the_brightness_until_a_new_reading(
    tmp_path,
):
    i2c_fakes.ROOM.lux = 0.0
    service, sleeper = clock_in_room(tmp_path)
    path = tmp_path / "config.toml"
    seen = []
    for n in range(3, 9):
        sleeper.actions[n] = lambda: seen.append(brightest(service))

    def change_interval() -> None:
        path.write_text(path.read_text() + "interval = 3\n")
        assert service.reload()

    sleeper.actions[5] = lambda: (seen.append(brightest(service)), change_interval())
    service.run(frames=9)
    assert seen == [round(255 * LightConfig().min_brightness)] * 6


def test_the_not_synchronised_mark_is_dimmed_with_the_room(tmp_path):
    i2c_fakes.ROOM.lux = 0.0
    service, _ = clock_in_room(tmp_path)
    path = tmp_path / "config.toml"
    marked = (
        '[clock]\ntimezone = "UTC"\nunsynced_indicator = "pixel"\nunsynced_colour = "#ff0000"\n'
    )
    path.write_text(path.read_text().replace('[clock]\ntimezone = "UTC"\n', marked))
    assert service.reload()
    service.run(frames=5)
    assert service.synced is False
    assert brightest(service) == round(255 * LightConfig().min_brightness)


def test_an_alarm_fade_in_a_dark_room_still_ends_at_full_brightness(tmp_path):
    i2c_fakes.ROOM.lux = 0.0  # the room asks for the least brightness
    service, _ = clock_in_room(tmp_path, '[[alarm]]\ntime = "12:01"\nfade = 1\n')
    service.run(frames=61)
    assert service.light is not None and service.light.level is not None
    assert service.light.level.level == LightConfig().min_brightness
    assert service.driver.frames[-2].pixels[0] == sunrise(59 / 60)
    assert service.driver.frames[-1].pixels[0] == WARM_WHITE  # ringing, at full brightness


DIM = round(255 * LightConfig().min_brightness)  # full white in the darkest room


def notified(tmp_path: Path, request: NotifyRequest, lux: float, text: str = "") -> list[int]:
    """The brightest channel of each frame of the notification ``request`` shown by a clock
    in a room of ``lux`` with ``text`` in its configuration, once it has read the room."""
    i2c_fakes.ROOM.lux = lux
    service, sleeper = clock_in_room(tmp_path, text)
    sleeper.actions[3] = lambda: service.notify(request)
    service.run(frames=6)
    shown = service.driver.frames[3:]  # from the second after it was asked for
    return [max(max(pixel) for pixel in frame.pixels) for frame in shown]


@pytest.mark.parametrize(
    "request_",
    [NotifyRequest(number=63), NotifyRequest(face="bcd"), NotifyRequest(colour="#ffffff")],
    ids=["number", "face", "colour"],
)
def test_a_notification_in_a_dark_room_is_as_dim_as_the_clock(tmp_path, request_):
    assert notified(tmp_path, request_, lux=0.0) == [DIM] * 3


def test_a_colour_notification_is_capped_by_the_schedule_as_the_clock_is(tmp_path):
    schedule = '[[schedule]]\nfrom = "11:00"\nto = "13:00"\nbrightness = 0.25\n'
    shown = notified(tmp_path, NotifyRequest(colour="#ffffff"), 20_000.0, schedule)
    assert shown == [round(255 * 0.25)] * 3


def test_a_notification_follows_the_room_as_its_light_changes(tmp_path):
    i2c_fakes.ROOM.lux = 0.0
    service, sleeper = clock_in_room(tmp_path)
    sleeper.actions[3] = lambda: service.notify(NotifyRequest(colour="#ffffff", seconds=30))
    sleeper.actions[5] = lambda: setattr(i2c_fakes.ROOM, "lux", 20_000.0)
    service.run(frames=10)
    first, last = service.driver.frames[3], service.driver.frames[-1]
    assert service.overlay.showing is not None
    assert set(first.pixels) == {(DIM,) * 3} and set(last.pixels) == {(255, 255, 255)}


def frames_prepared(service: Service) -> list[int]:
    """How many frames the display was handed to prepare ahead, batch by batch."""
    return [len(batch) for batch in service.driver.prepared]


def changing_light(sleeper: SettlingSleeper, seconds: int) -> None:
    """Have the room's light move at every reading (one each 2 s) for ``seconds``, among
    10, 110 and 210 lux, ending at 10."""
    for n in range(1, seconds + 1):
        sleeper.actions[n] = lambda n=n: setattr(i2c_fakes.ROOM, "lux", 10.0 + 100 * (n // 2 % 3))


def test_a_room_whose_light_keeps_changing_has_each_second_rendered_about_once(tmp_path):
    i2c_fakes.ROOM.lux = 10.0
    service, sleeper = clock_in_room(tmp_path)
    changing_light(sleeper, 180)
    service.run(frames=180)
    assert sum(frames_prepared(service)) <= 181


def test_once_the_room_light_holds_the_minute_is_rendered_ahead_again(tmp_path):
    i2c_fakes.ROOM.lux = 10.0
    service, sleeper = clock_in_room(tmp_path)
    changing_light(sleeper, 19)
    service.run(frames=150)
    assert frames_prepared(service)[-1] == AHEAD
    assert brightest(service) == round(255 * brightness_for(10.0, LightConfig()))


def test_a_reload_that_adds_a_sensor_renders_no_minute_ahead_before_its_first_reading(tmp_path):
    i2c_fakes.ROOM.lux = 30.0
    service, sleeper = clock_in_room(tmp_path, sensor="none")
    path = tmp_path / "config.toml"
    before = []

    def add_sensor() -> None:
        before.append(len(service.driver.prepared))
        path.write_text(path.read_text().replace('"none"', '"i2c_fakes:bh1750_in_room"'))
        assert service.reload()

    sleeper.actions[70] = add_sensor
    service.run(frames=100)
    assert frames_prepared(service)[before[0]] == 1


def test_after_the_clock_is_stepped_back_the_minute_is_rendered_ahead_again_as_the_light_holds(
    tmp_path,
):
    i2c_fakes.ROOM.lux = 10.0
    service, sleeper = clock_in_room(tmp_path)
    sleeper.actions[70] = lambda: service.clock.step(-3600)  # type: ignore[attr-defined]
    service.run(frames=200)
    assert frames_prepared(service)[-1] == AHEAD


def test_the_minute_before_the_first_reading_is_not_rendered_ahead_to_be_thrown_away(tmp_path):
    i2c_fakes.ROOM.lux = 30.0
    service, _ = clock_in_room(tmp_path)
    service.run(frames=30)
    assert sum(frames_prepared(service)) <= AHEAD
