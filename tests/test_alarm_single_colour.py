"""The wake-up fade on each kind of display, through the running clock: the sunrise colours
where a display shows colours, the fade's brightness alone where it shows one colour (PWM
LEDs and luma's monochrome devices dimmed, on/off LEDs and flip-discs lit a share at a
time). The hardware is gpiozero's mock pins and luma's dummy device."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import gpiozero
import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin
from luma.core.device import dummy

from binclock.clock import ManualClock
from binclock.daemon.service import Service
from binclock.driver import tones
from binclock.drivers import luma
from binclock.drivers.gpio import GpioOptions
from binclock.drivers.servo import ServoOptions
from binclock.timeofday.alarms import WARM_WHITE, rise, sunrise
from conftest import clock_of

# luma's device code reads images with a call newer Pillow deprecates; not ours to change
pytestmark = pytest.mark.filterwarnings("ignore:Image.Image.getdata:DeprecationWarning")

UTC = ZoneInfo("UTC")
FADE = 120  # seconds: the alarm below rings at 12:10 after a two-minute fade
ALARM = '[[alarm]]\ntime = "12:10"\nfade = 2\n[clock]\ntimezone = "UTC"\n'
PINS = [pin for _, pin in GpioOptions().layout().wired()]  # the default wiring's LEDs
BOTTOM_MIDDLE = 21  # the default wiring's pin at the middle of its bottom row


def watched(tmp_path: Path, text: str, look: Callable[[Service], Any]) -> list[Any]:
    """Run a clock with ``text`` (and the alarm) in its configuration from the first second
    of the fade to the alarm time; what ``look`` saw after each second was shown, in order:
    the fade's seconds, then the alarm time's."""
    path = tmp_path / "config.toml"
    path.write_text(text + ALARM)
    clock = ManualClock(datetime(2026, 6, 1, 12, 8, 0, 500000, tzinfo=UTC))
    seen: dict[int, Any] = {}

    def sleep(seconds: float) -> None:
        seen[math.floor(clock.time())] = look(service)
        clock.sleep(seconds)

    service = clock_of(path, clock, sleep)
    service.run(frames=FADE + 2)  # the sleep after the alarm time's frame looks at it
    return [seen[second] for second in sorted(seen)]


@pytest.fixture
def pins(monkeypatch: pytest.MonkeyPatch) -> MockFactory:
    """gpiozero's mock PWM pins, which the drivers the clock opens take."""
    factory = MockFactory(pin_class=MockPWMPin)
    monkeypatch.setattr(gpiozero.Device, "pin_factory", factory)
    return factory


def duties(factory: MockFactory) -> Callable[[Service], tuple[float, ...]]:
    """A look at the default wiring's LEDs: each one's duty cycle (0 or 1 without PWM)."""
    return lambda _service: tuple(float(factory.pin(pin).state) for pin in PINS)


def grey_duty(second: int, gamma: float = 2.2) -> float:
    """The duty cycle of a PWM LED showing the fade's brightness ``second`` into the fade."""
    return (round(255 * rise(second / FADE)) / 255) ** gamma


# -- LEDs on GPIO pins -------------------------------------------------------------------------


def test_pwm_leds_all_show_the_fades_brightness_each_second(tmp_path, pins):
    seen = watched(tmp_path, 'driver = "gpio"\n[drivers.gpio]\npwm = true\n', duties(pins))
    assert seen[:FADE] == [(pytest.approx(grey_duty(n)),) * len(PINS) for n in range(FADE)]


def test_the_pwm_duty_rises_every_second_to_full_at_the_alarm_time(tmp_path, pins):
    seen = watched(tmp_path, 'driver = "gpio"\n[drivers.gpio]\npwm = true\n', duties(pins))
    levels = [duty[0] for duty in seen]
    assert all(earlier < later for earlier, later in pairwise(levels))
    assert levels[-1] == 1.0


def test_on_off_leds_begin_the_fade_with_the_bottom_middle_one_alone(tmp_path, pins):
    seen = watched(tmp_path, 'driver = "gpio"\n', duties(pins))
    assert {pin for pin, duty in zip(PINS, seen[0], strict=True) if duty} == {BOTTOM_MIDDLE}


def test_on_off_leds_light_one_at_a_time_until_all_are_lit_as_the_alarm_rings(tmp_path, pins):
    seen = watched(tmp_path, 'driver = "gpio"\n', duties(pins))
    lit = [{pin for pin, duty in zip(PINS, shown, strict=True) if duty} for shown in seen]
    assert all(before <= after and len(after - before) <= 1 for before, after in pairwise(lit))
    assert len({len(shown) for shown in lit}) == len(PINS)  # each count of LEDs lit shows
    assert lit[-1] == set(PINS)


# -- flip-discs --------------------------------------------------------------------------------


def sides(factory: MockFactory) -> Callable[[Service], tuple[str | None, ...]]:
    """A look at the default wiring's discs: the side each shows by the last pulse sent to
    its servo ("on", "off"; None before the first)."""
    options = ServoOptions()

    def side(pin: int) -> str | None:
        sent = [s.state for s in factory.pin(pin).states if s.state]  # detaching sends 0
        if not sent:
            return None
        on = options.max_pulse_ms / options.frame_ms  # the on angle is the servo's last
        return "on" if math.isclose(sent[-1], on) else "off"

    return lambda _service: tuple(side(pin) for pin in PINS)


def test_flip_discs_turn_to_their_lit_side_one_at_a_time_and_once_through_the_fade(tmp_path, pins):
    every_disc_at_once = "max_moving = 64\ntravel_s = 0.01\n"
    seen = watched(
        tmp_path, f'driver = "servo"\n[drivers.servo]\n{every_disc_at_once}', sides(pins)
    )
    turned = {}
    for k, pin in enumerate(PINS):
        shown = [sides[k] for sides in seen]
        turned[pin] = shown.index("on")
        assert set(shown[: turned[pin]]) <= {"off"} and set(shown[turned[pin] :]) == {"on"}
    assert len(set(turned.values())) == len(PINS)  # each at a second of its own


# -- luma's monochrome devices -----------------------------------------------------------------


class ContrastDummy(dummy):
    """luma's dummy device, keeping each contrast it is set to."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.contrasts: list[int] = []

    def contrast(self, level: int) -> None:
        super().contrast(level)
        self.contrasts.append(level)


@pytest.fixture
def luma_dummy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Have the luma driver open luma's dummy device, as a MAX7219 chain's size, in a mode."""
    mode = {"mode": "1"}
    opened = lambda options: ContrastDummy(width=32, height=8, mode=mode["mode"])  # noqa: E731
    monkeypatch.setattr(luma, "open_device", opened)
    yield lambda wanted: mode.update(mode=wanted)


def lit_and_contrast(service: Service) -> tuple[int, int]:
    """How many of the device's pixels are lit, and its contrast."""
    device = service.driver.device  # type: ignore[attr-defined]
    return sum(1 for value in device.image.convert("L").tobytes() if value), device.contrasts[-1]


def test_a_monochrome_luma_device_is_lit_all_over_through_the_fade(tmp_path, luma_dummy):
    seen = watched(tmp_path, 'driver = "luma"\n', lit_and_contrast)
    assert {lit for lit, _ in seen} == {32 * 8}


def test_a_monochrome_luma_devices_contrast_follows_the_fades_brightness(tmp_path, luma_dummy):
    seen = watched(tmp_path, 'driver = "luma"\n', lit_and_contrast)
    full = luma.DEFAULT_CONTRAST["max7219"]
    fade = [round(full * round(255 * rise(n / FADE)) / 255) for n in range(FADE)]
    assert [contrast for _, contrast in seen] == [*fade, full]


def test_a_luma_device_in_colour_shows_the_sunrise_colours(tmp_path, luma_dummy):
    luma_dummy("RGB")

    def colours(service: Service) -> set[tuple[int, int, int]]:
        return set(service.driver.device.image.getdata())  # type: ignore[attr-defined]

    seen = watched(tmp_path, 'driver = "luma"\n', colours)
    assert seen[:FADE] == [{sunrise(n / FADE)} for n in range(FADE)]


# -- several displays, and drivers of other packages --------------------------------------------


def test_each_display_shows_the_fade_its_own_way(tmp_path, pins):
    text = 'driver = ["fake", "leds"]\n[displays.leds]\ndriver = "gpio"\npwm = true\n'

    def both(service: Service) -> tuple[set[tuple[int, int, int]], tuple[float, ...]]:
        # type: ignore[union-attr]
        return set(service.screens[0].last_frame.pixels), duties(pins)(service)

    strip, leds = zip(*watched(tmp_path, text, both), strict=True)
    assert list(strip[:FADE]) == [{sunrise(n / FADE)} for n in range(FADE)]
    assert [duty[0] for duty in leds[:FADE]] == pytest.approx([grey_duty(n) for n in range(FADE)])
    assert strip[-1] == {WARM_WHITE}


PLUGIN = """
class Plain:
    name = "plain"
    size = (3, 6)

    def __init__(self):
        self.frames = []

    def show(self, frame):
        self.frames.append(frame)

    def close(self):
        pass


class Shades(Plain):
    name = "shades"
    tones = "grey"
"""


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A module with drivers of the driver protocol, not BaseDriver: ``Plain`` says nothing
    of what it shows of a colour, ``Shades`` says it shows shades of one."""
    (tmp_path / "plugin_displays.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "plugin_displays"
    sys.modules.pop("plugin_displays", None)


def first_pixel(service: Service) -> tuple[int, int, int]:
    return service.driver.frames[-1].pixels[0]  # type: ignore[attr-defined]


def test_a_driver_that_does_not_say_what_it_shows_gets_the_sunrise_colours(tmp_path, plugin):
    seen = watched(tmp_path, f'driver = "{plugin}:Plain"\n', first_pixel)
    assert seen[:FADE] == [sunrise(n / FADE) for n in range(FADE)]


def test_a_driver_of_another_package_saying_it_shows_shades_gets_the_brightness(tmp_path, plugin):
    seen = watched(tmp_path, f'driver = "{plugin}:Shades"\n', first_pixel)
    grey = [round(255 * rise(n / FADE)) for n in range(FADE)]
    assert seen[:FADE] == [(g, g, g) for g in grey]


def test_a_driver_saying_something_else_of_its_tones_is_taken_for_colour():
    class Sepia:
        name, size, tones = "sepia", None, "sepia"

        def show(self, frame: object) -> None: ...

        def close(self) -> None: ...

    assert tones(Sepia()) == "colour"
