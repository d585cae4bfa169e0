"""The Unicorn HAT Mini's buttons A, B, X and Y on gpiozero's mock pins: each one's action,
the long press, and presses reaching the running clock."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import gpiozero
import pytest
from test_buttons import WAKE_WAIT, Finger, SteppedPins
from unicorn_fakes import Hat, install

from binclock import exitcodes
from binclock.clock import ManualClock
from binclock.commandline import cli
from binclock.controls import Control
from binclock.daemon.service import Service
from binclock.driver import DriverUnavailable
from binclock.drivers.unicornhatmini import PINS, UnicornHatMiniDriver, UnicornHatMiniOptions
from conftest import clock_of

A, B, X, Y = (PINS[letter] for letter in "abxy")
UTC = ZoneInfo("UTC")


@pytest.fixture
def hat(monkeypatch: pytest.MonkeyPatch) -> Hat:
    hat = Hat()
    install(monkeypatch, hat)
    return hat


@pytest.fixture
def pins(monkeypatch: pytest.MonkeyPatch) -> SteppedPins:
    """The mock pins as the pins every device gets, as GPIOZERO_PIN_FACTORY=mock does."""
    factory = SteppedPins()
    monkeypatch.setattr(gpiozero.Device, "pin_factory", factory)
    return factory


class Bench:
    """The driver on the HAT and mock pins, with the controls its buttons sent."""

    def __init__(self, pins: SteppedPins, **options: object) -> None:
        self.pins = pins
        self.sent: list[Control] = []
        self.driver = UnicornHatMiniDriver(UnicornHatMiniOptions(**options))
        self.driver.push_controls(self.sent.append)

    def click(self, pin: int) -> None:
        self.pins.pin(pin).drive_low()
        self.pins.pass_(0.2)
        self.pins.pin(pin).drive_high()
        self.pins.pass_(0.2)


@pytest.mark.parametrize(
    ("pin", "control"),
    [
        (A, Control.NEXT_FACE),
        (B, Control.TOGGLE_SECONDS),
        (X, Control.BRIGHTER),
        (Y, Control.DIMMER),
    ],
)
def test_each_button_asks_for_its_own_change(hat, pins, pin, control):
    bench = Bench(pins)
    bench.click(pin)
    assert bench.sent == [control]


def test_the_buttons_are_on_gpio_5_6_16_and_24():
    assert (A, B, X, Y) == (5, 6, 16, 24)


def test_b_x_and_y_act_as_they_go_down(hat, pins):
    bench = Bench(pins)
    for pin in (B, X, Y):
        pins.pin(pin).drive_low()
    assert bench.sent == [Control.TOGGLE_SECONDS, Control.BRIGHTER, Control.DIMMER]


def test_holding_a_turns_the_display_off_and_on(hat, pins):
    bench = Bench(pins, hold_time=0.01)
    held = threading.Event()
    device = next(d for d in bench.driver.buttons.devices if d.pin.info.name == f"GPIO{A}")
    action = device.when_held
    device.when_held = lambda: (action(), held.set())
    pins.pin(A).drive_low()
    assert held.wait(WAKE_WAIT)
    pins.pass_(0.2)
    pins.pin(A).drive_high()
    assert bench.sent == [Control.TOGGLE_POWER]


def test_a_button_can_be_given_another_action(hat, pins):
    bench = Bench(pins, y="next-face")
    bench.click(Y)
    assert bench.sent == [Control.NEXT_FACE]


def test_a_button_set_to_none_leaves_its_pin_alone(hat, pins):
    Bench(pins, x="none")
    gpiozero.Button(X, pin_factory=pins).close()  # refused while the driver held it


def test_without_buttons_no_pin_is_taken(hat, pins):
    Bench(pins, buttons=False)
    for pin in (A, B, X, Y):
        gpiozero.Button(pin, pin_factory=pins).close()


def test_closing_lets_the_pins_go(hat, pins):
    Bench(pins).driver.close()
    for pin in (A, B, X, Y):
        gpiozero.Button(pin, pin_factory=pins).close()


def test_presses_before_the_clock_takes_the_driver_are_dropped(hat, pins):
    driver = UnicornHatMiniDriver(UnicornHatMiniOptions())
    pins.pin(Y).drive_low()
    sent: list[Control] = []
    driver.push_controls(sent.append)
    pins.pass_(0.2)
    pins.pin(Y).drive_high()
    assert sent == []


def test_a_button_pin_in_use_is_unavailable_in_one_line_and_closes_the_hat(hat, pins):
    led = gpiozero.LED(X, pin_factory=pins)
    with pytest.raises(DriverUnavailable) as caught:
        UnicornHatMiniDriver(UnicornHatMiniOptions())
    led.close()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("the Unicorn HAT Mini's buttons (buttons = false does without them)")
    assert "GPIO16" in message and "in use" in message
    assert [device.closed for device in hat.devices] == [True, True]


# -- through the running clock -----------------------------------------------------------


def clock_with_hat(tmp_path: Path, pins: SteppedPins, steps: list, table: str = "") -> Service:
    path = tmp_path / "config.toml"
    path.write_text(
        f'driver = "unicornhatmini"\n[clock]\ntimezone = "UTC"\n[drivers.unicornhatmini]\n{table}'
    )
    clock = ManualClock(datetime(2026, 6, 1, 12, 0, 0, 500000, tzinfo=UTC))
    finger = Finger(steps)
    service = clock_of(path, clock, lambda seconds: finger(clock, seconds))
    finger.service = service
    pins.follow = clock.time  # the debouncing sees the time the clock's seconds take
    return service


def test_pressing_y_dims_the_clock_at_once(tmp_path, hat, pins):
    steps = [(pins.pin(Y).drive_low, True), (pins.pin(Y).drive_high, False)]
    service = clock_with_hat(tmp_path, pins, steps)
    service.run(frames=3)
    assert service.config.display.brightness == 0.9


def test_holding_a_turns_the_display_off(tmp_path, hat, pins):
    steps = [(pins.pin(A).drive_low, True), (pins.pin(A).drive_high, False)]
    service = clock_with_hat(tmp_path, pins, steps, "hold_time = 0.01\n")
    shown: list[bool] = []
    show = service.driver.show
    service.driver.show = lambda frame: (show(frame), shown.append(any(map(any, hat.image()))))
    service.run(frames=2)
    assert service.state.power is False
    assert shown[0] and not shown[-1]


def test_the_clock_lets_the_hat_and_its_buttons_go_when_it_stops(tmp_path, hat, pins):
    service = clock_with_hat(tmp_path, pins, [])
    service.run(frames=1)
    assert not any(chip.on for chip in hat.chips.values())
    gpiozero.Button(A, pin_factory=pins).close()


def test_a_button_pin_taken_by_controls_buttons_exits_69_in_one_line(tmp_path, hat, pins, capsys):
    path = tmp_path / "config.toml"
    path.write_text('driver = "unicornhatmini"\n[[controls.buttons]]\npin = 5\npress = "dimmer"\n')
    assert cli.main(["--config", str(path)]) == exitcodes.UNAVAILABLE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "GPIO5" in err and "in use" in err


def test_a_reload_with_other_actions_takes_the_buttons_over(tmp_path, hat, pins):
    steps = [(pins.pin(Y).drive_low, True), (pins.pin(Y).drive_high, False)]
    service = clock_with_hat(tmp_path, pins, steps)
    path = tmp_path / "config.toml"
    path.write_text(path.read_text() + 'y = "toggle-seconds"\n')
    assert service.reload()
    service.run(frames=3)
    assert service.config.clock.seconds is False
    assert service.config.display.brightness == 1.0
