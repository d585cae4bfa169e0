"""An alarm's buzzer in the running clock, on gpiozero's mock pins: silent in the fade,
sounding while it rings, silent once stopped, snoozed, taken out or closed; the hour
chimed in binary."""

from __future__ import annotations

import sys

import gpiozero
import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from binclock.controls import Control
from binclock.daemon.service import Service
from binclock.driver import DriverUnavailable
from binclock.drivers.buzzer import chime_bit
from tests.test_alarm_service import ALARM, make, press

PIN = 18
BEEPS = ALARM + f"buzzer = {PIN}\n"
HOURS = '[[alarm]]\ntime = "07:00"\nring = 1\nchime = "hour"\n' + f"buzzer = {PIN}\n"


class Heard(MockPWMPin):
    """A mock pin that keeps each sound started on it: its frequency (None on a plain
    buzzer), as its state goes up from silence."""

    def __init__(self, factory: MockFactory, info: object) -> None:
        super().__init__(factory, info)
        self.sounds: list[float | None] = []

    def _set_state(self, value: float) -> None:
        if value and not self.state:
            self.sounds.append(self.frequency)
        super()._set_state(value)


@pytest.fixture
def pins(monkeypatch: pytest.MonkeyPatch) -> MockFactory:
    factory = MockFactory(pin_class=Heard)
    monkeypatch.setattr(gpiozero.Device, "pin_factory", factory)
    return factory


def listened(service: Service, pins: MockFactory) -> dict[str, int]:
    """The clock's sleep, noting after each second is shown how many sounds the buzzer had
    started by then (by the second's ``HH:MM:SS``)."""
    heard: dict[str, int] = {}
    sleep = service.ticker.sleep

    def noting(seconds: float) -> None:
        heard[f"{service.driver.times[-1]:%H:%M:%S}"] = len(pins.pin(PIN).sounds)
        sleep(seconds)

    service.ticker.sleep = noting
    return heard


def test_the_buzzer_is_silent_in_the_fade_and_beeps_each_second_it_rings(tmp_path, pins):
    service = make(tmp_path, "12:09:58", BEEPS)
    heard = listened(service, pins)
    service.run(frames=6)
    assert heard["12:09:59"] == 0
    assert [heard[s] for s in ("12:10:00", "12:10:01", "12:10:02")] == [1, 2, 3]


def test_stopping_the_alarm_silences_its_buzzer_at_once(tmp_path, pins):
    service = make(tmp_path, "12:10:00", BEEPS, at={"12:10:01": press(Control.ALARM_STOP)})
    heard = listened(service, pins)
    service.run(frames=5)
    assert pins.pin(PIN).state == 0
    assert heard["12:10:03"] == heard["12:10:01"] == 2


def test_snoozing_the_alarm_silences_its_buzzer(tmp_path, pins):
    service = make(tmp_path, "12:10:00", BEEPS, at={"12:10:00": press(Control.ALARM_SNOOZE)})
    heard = listened(service, pins)
    service.run(frames=4)
    assert pins.pin(PIN).state == 0
    assert heard["12:10:02"] == 1


def test_the_buzzer_is_silent_after_the_ring_ends(tmp_path, pins):
    service = make(tmp_path, "07:00:58", HOURS)
    heard = listened(service, pins)
    service.run(frames=5)
    assert heard["07:01:01"] == heard["07:00:59"]


def test_a_reload_that_takes_the_alarm_out_silences_its_buzzer(tmp_path, pins):
    def reload(service: Service, _clock: object) -> None:
        (tmp_path / "config.toml").write_text('driver = "fake"\n[clock]\ntimezone = "UTC"\n')
        service.reload()

    service = make(tmp_path, "12:10:00", BEEPS, at={"12:10:01": reload})
    heard = listened(service, pins)
    service.run(frames=5)
    assert service.buzzers is None
    assert heard["12:10:03"] == 2
    gpiozero.Buzzer(PIN, pin_factory=pins).close()  # refused were the pin still held


def test_the_buzzer_is_silent_and_let_go_when_the_clock_stops(tmp_path, pins):
    service = make(tmp_path, "12:10:00", BEEPS)
    service.run(frames=2)
    assert pins.pin(PIN).state == 0
    gpiozero.Buzzer(PIN, pin_factory=pins).close()


def test_seven_oclock_is_chimed_low_high_high_high_then_two_silent_seconds(tmp_path, pins):
    service = make(tmp_path, "07:00:00", HOURS)
    service.run(frames=8)
    low, high = 220.0, 880.0  # an octave either side of gpiozero's mid tone, A4
    assert pins.pin(PIN).sounds == [low, high, high, high, low, high]


@pytest.mark.parametrize(
    ("hour", "bits"), [(7, [0, 1, 1, 1]), (19, [0, 1, 1, 1]), (0, [1, 1, 0, 0]), (1, [0, 0, 0, 1])]
)
def test_the_hour_is_chimed_on_a_twelve_hour_clock_in_four_bits(hour, bits):
    assert [chime_bit(hour, s) for s in range(6)] == [*map(bool, bits), None, None]


def test_a_buzzer_on_a_pin_in_use_is_unavailable_naming_it(tmp_path, pins):
    led = gpiozero.LED(PIN, pin_factory=pins)
    with pytest.raises(DriverUnavailable, match=f"buzzer in \\[\\[alarm\\]\\].*GPIO{PIN}"):
        make(tmp_path, "08:00:00", BEEPS)
    led.close()


def test_a_buzzer_without_gpiozero_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "gpiozero", None)
    with pytest.raises(DriverUnavailable, match="pip install"):
        make(tmp_path, "08:00:00", BEEPS)


def test_a_reload_asking_for_a_buzzer_on_a_pin_in_use_says_so_and_rings_without(
    tmp_path, pins, caplog
):
    service = make(tmp_path, "12:10:00", ALARM)
    led = gpiozero.LED(PIN, pin_factory=pins)
    (tmp_path / "config.toml").write_text(f'driver = "fake"\n{BEEPS}\n[clock]\ntimezone = "UTC"\n')
    assert service.reload()
    assert service.buzzers is None
    assert f"buzzer on GPIO{PIN} is in use" in caplog.text
    assert service.run(frames=1) == 0
    led.close()
