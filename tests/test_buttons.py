"""GPIO push buttons on gpiozero's mock pins: presses, long presses, chatter, and the clock."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import gpiozero
import pytest
from gpiozero.pins.mock import MockFactory

from binclock import config, exitcodes
from binclock.clock import ManualClock
from binclock.commandline import cli
from binclock.config import ControlsConfig
from binclock.controls import BY_NAME, Control
from binclock.daemon.service import Service
from binclock.driver import DriverUnavailable
from binclock.drivers.buttons import Buttons, open_buttons
from conftest import clock_of

UTC = ZoneInfo("UTC")
PIN = 17
WAKE_WAIT = 60.0  # seconds a step that presses may take to wake the clock (a slow machine)


class SteppedPins(MockFactory):
    """gpiozero's mock pins on a clock the test moves (its ``ticks()``, which the
    debouncing reads), so no test waits for time to pass."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 100.0
        self.follow: Callable[[], float] | None = None  # another clock to read instead

    def ticks(self) -> float:
        return self.follow() if self.follow is not None else self.now

    def pass_(self, seconds: float) -> None:
        self.now += seconds


def controls(*buttons: dict[str, object]) -> ControlsConfig:
    return config.validate({"controls": {"buttons": list(buttons)}}).controls


@pytest.fixture
def factory() -> SteppedPins:
    return SteppedPins()


class Bench:
    """Buttons on mock pins, with the controls they sent."""

    def __init__(self, factory: SteppedPins, *buttons: dict[str, object]) -> None:
        self.factory = factory
        self.sent: list[Control] = []
        self.buttons = Buttons(controls(*buttons), self.sent.append, pin_factory=factory)

    def down(self, pin: int = PIN) -> None:
        self.factory.pin(pin).drive_low()

    def up(self, pin: int = PIN) -> None:
        self.factory.pin(pin).drive_high()

    def click(self, pin: int = PIN) -> None:
        self.down(pin)
        self.factory.pass_(0.2)
        self.up(pin)
        self.factory.pass_(0.2)


def test_every_action_a_button_can_take_is_a_control():
    actions = ControlsConfig.model_fields["buttons"].annotation.__args__[0]
    assert set(BY_NAME) == set(actions.model_fields["press"].annotation.__args__)


def test_a_press_sends_its_action_as_the_button_goes_down(factory):
    bench = Bench(factory, {"pin": PIN, "press": "brighter"})
    bench.down()
    assert bench.sent == [Control.BRIGHTER]
    bench.factory.pass_(0.2)
    bench.up()
    assert bench.sent == [Control.BRIGHTER]


def test_each_button_sends_its_own_action(factory):
    bench = Bench(factory, {"pin": 5, "press": "dimmer"}, {"pin": 6, "press": "next-face"})
    bench.click(6)
    bench.click(5)
    assert bench.sent == [Control.NEXT_FACE, Control.DIMMER]


def test_a_button_wired_to_3v3_is_pressed_when_its_pin_goes_high(factory):
    bench = Bench(factory, {"pin": PIN, "press": "brighter", "pull_up": False})
    bench.up()
    assert bench.sent == [Control.BRIGHTER]


def test_chatter_within_the_bounce_time_is_one_press(factory):
    bench = Bench(factory, {"pin": PIN, "press": "brighter", "bounce_time": 0.05})
    for _ in range(3):
        bench.down()
        bench.factory.pass_(0.001)
        bench.up()
        bench.factory.pass_(0.001)
    bench.down()
    assert bench.sent == [Control.BRIGHTER]


def test_presses_further_apart_than_the_bounce_time_all_count(factory):
    bench = Bench(factory, {"pin": PIN, "press": "brighter", "bounce_time": 0.05})
    for _ in range(3):
        bench.click()
    assert bench.sent == [Control.BRIGHTER] * 3


def test_with_no_bounce_time_every_edge_counts(factory):
    bench = Bench(factory, {"pin": PIN, "press": "brighter", "bounce_time": 0})
    for _ in range(3):
        bench.down()
        bench.up()
    assert bench.sent == [Control.BRIGHTER] * 3


def test_a_press_after_chatter_that_ended_released_still_counts(factory):
    bench = Bench(factory, {"pin": PIN, "press": "brighter", "bounce_time": 0.05})
    bench.down()
    bench.factory.pass_(0.01)
    bench.up()  # within the bounce time: dropped, though the button stays up
    bench.factory.pass_(1)
    bench.down()
    assert bench.sent == [Control.BRIGHTER] * 2


def test_with_a_long_press_a_short_press_acts_when_let_go(factory):
    bench = Bench(factory, {"pin": PIN, "press": "next-face", "long_press": "toggle-power"})
    bench.down()
    assert bench.sent == []
    bench.factory.pass_(0.2)
    bench.up()
    assert bench.sent == [Control.NEXT_FACE]


def test_a_held_button_takes_the_long_action_and_nothing_when_let_go(factory):
    bench = Bench(
        factory,
        {"pin": PIN, "press": "next-face", "long_press": "toggle-power", "hold_time": 0.01},
    )
    held = threading.Event()
    bench.buttons.devices[0].when_held = lambda: (bench.buttons.buttons[0].held(), held.set())
    bench.down()
    assert held.wait(WAKE_WAIT)
    bench.factory.pass_(0.2)
    bench.up()
    assert bench.sent == [Control.TOGGLE_POWER]


def test_closing_lets_the_pins_go(factory):
    bench = Bench(factory, {"pin": PIN, "press": "brighter"}, {"pin": 5, "press": "dimmer"})
    bench.buttons.close()
    gpiozero.Button(PIN, pin_factory=factory).close()  # would be refused while still held
    gpiozero.Button(5, pin_factory=factory).close()


def test_a_pin_already_in_use_is_unavailable_naming_the_button(factory):
    led = gpiozero.LED(PIN, pin_factory=factory)
    with pytest.raises(DriverUnavailable, match=r"^the buttons in \[controls\]: .*GPIO17.*in use"):
        Buttons(controls({"pin": PIN, "press": "brighter"}), print, pin_factory=factory)
    led.close()


def test_the_buttons_before_a_pin_in_use_are_let_go(factory):
    led = gpiozero.LED(6, pin_factory=factory)
    wanted = controls({"pin": 5, "press": "brighter"}, {"pin": 6, "press": "dimmer"})
    with pytest.raises(DriverUnavailable):
        Buttons(wanted, print, pin_factory=factory)
    led.close()
    gpiozero.Button(5, pin_factory=factory).close()


def test_without_buttons_gpiozero_is_not_needed(monkeypatch):
    monkeypatch.setitem(sys.modules, "gpiozero", None)
    assert open_buttons(ControlsConfig(), print) is None


def test_buttons_without_gpiozero_say_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "gpiozero", None)
    with pytest.raises(DriverUnavailable, match=r"\[controls\].*pip install 'binclock\[gpio\]'"):
        open_buttons(controls({"pin": PIN, "press": "brighter"}), print)


# -- through the running clock ---------------------------------------------------------------


@pytest.fixture
def mock_pins(monkeypatch: pytest.MonkeyPatch) -> SteppedPins:
    """The mock pins as the pins every device gets, as GPIOZERO_PIN_FACTORY=mock does."""
    factory = SteppedPins()
    monkeypatch.setattr(gpiozero.Device, "pin_factory", factory)
    return factory


Step = tuple[Callable[[], None], bool]  # what the finger does; whether it wakes the clock


class Finger:
    """The clock's sleep, in which a finger works the mock pins a quarter of a second in:
    each step in a thread of its own, as gpiozero's callbacks come on a real Pi. A step
    that wakes the clock ends that sleep through the clock's own wait for signals; any
    other lets the rest of the second pass."""

    def __init__(self, steps: list[Step]) -> None:
        self.steps = steps
        self.service: Service | None = None

    def __call__(self, clock: ManualClock, seconds: float) -> None:
        assert self.service is not None
        if not self.steps:
            clock.sleep(seconds)
            return
        step, wakes = self.steps.pop(0)
        lead = min(seconds, 0.25)
        clock.sleep(lead)
        finger = threading.Thread(target=step)
        finger.start()
        finger.join()
        if wakes:
            self.service.inbox.sleep(WAKE_WAIT)
            assert self.service.inbox.received(), "the button did not wake the clock"
        else:
            clock.sleep(seconds - lead)


def clock_with_buttons(tmp_path: Path, buttons: str, steps: list[Step]) -> Service:
    path = tmp_path / "config.toml"
    path.write_text(f'driver = "fake"\n[clock]\ntimezone = "UTC"\n{buttons}')
    clock = ManualClock(datetime(2026, 6, 1, 12, 0, 0, 500000, tzinfo=UTC))
    finger = Finger(steps)
    service = clock_of(path, clock, lambda seconds: finger(clock, seconds))
    finger.service = service
    pins = gpiozero.Device.pin_factory
    if isinstance(pins, SteppedPins):
        pins.follow = clock.time  # the debouncing sees the time the clock's seconds take
    return service


def button(press: str, pin: int = PIN, **more: object) -> str:
    extra = "".join(f"{k} = {config.toml_value(v)}\n" for k, v in more.items())
    return f'[[controls.buttons]]\npin = {pin}\npress = "{press}"\n{extra}'


def down(factory: MockFactory) -> Callable[[], None]:
    return factory.pin(PIN).drive_low


def up(factory: MockFactory) -> Callable[[], None]:
    return factory.pin(PIN).drive_high


def test_a_press_changes_the_clock_at_once(tmp_path, mock_pins):
    steps = [(down(mock_pins), True), (up(mock_pins), False)]
    service = clock_with_buttons(tmp_path, button("dimmer"), steps)
    service.run(frames=3)
    times = [t.strftime("%H:%M:%S") for t in service.driver.times]
    assert service.config.display.brightness == 0.9
    assert times[:2] == ["12:00:00", "12:00:00"]  # the change is shown in the same second


def test_a_short_press_with_a_long_press_set_takes_the_short_action(tmp_path, mock_pins):
    steps = [(down(mock_pins), False), (up(mock_pins), True)]
    setting = button("toggle-seconds", long_press="toggle-power", hold_time=10)
    service = clock_with_buttons(tmp_path, setting, steps)
    service.run(frames=4)
    assert (service.config.clock.seconds, service.state.power) == (False, True)


def test_a_long_press_turns_the_display_off_and_another_on(tmp_path, mock_pins):
    presses = [(down(mock_pins), True), (up(mock_pins), False)]
    setting = button("toggle-seconds", long_press="toggle-power", hold_time=0.01)
    service = clock_with_buttons(tmp_path, setting, presses * 2)
    service.run(frames=5)
    dark = [frame.is_dark() for frame in service.driver.frames]
    assert dark == [False, True, True, False, False, False, False]  # off, then on at once
    assert service.config.clock.seconds is True


def test_chatter_on_a_press_changes_the_clock_once(tmp_path, mock_pins):
    def chatter() -> None:
        for _ in range(3):
            mock_pins.pin(PIN).drive_low()
            mock_pins.pin(PIN).drive_high()
        mock_pins.pin(PIN).drive_low()

    steps = [(chatter, True), (up(mock_pins), False)]
    service = clock_with_buttons(tmp_path, button("dimmer", bounce_time=1.0), steps)
    service.run(frames=3)
    assert service.config.display.brightness == 0.9


def test_the_clock_lets_the_buttons_go_when_it_stops(tmp_path, mock_pins):
    service = clock_with_buttons(tmp_path, button("dimmer"), [])
    service.run(frames=1)
    gpiozero.Button(PIN, pin_factory=mock_pins).close()  # refused while the clock held it


def test_a_reload_with_other_buttons_takes_their_pins(tmp_path, mock_pins):
    service = clock_with_buttons(tmp_path, button("dimmer"), [])
    path = tmp_path / "config.toml"
    path.write_text(path.read_text().replace(f"pin = {PIN}", "pin = 5"))
    assert service.reload()
    gpiozero.Button(PIN, pin_factory=mock_pins).close()
    with pytest.raises(gpiozero.GPIOPinInUse):
        gpiozero.Button(5, pin_factory=mock_pins)
    service.run(frames=1)


def test_a_reload_whose_buttons_cannot_be_had_keeps_the_old_ones(tmp_path, mock_pins, caplog):
    service = clock_with_buttons(tmp_path, button("dimmer"), [])
    led = gpiozero.LED(5, pin_factory=mock_pins)
    path = tmp_path / "config.toml"
    path.write_text(path.read_text().replace(f"pin = {PIN}", "pin = 5"))
    service.reload()
    assert "GPIO5" in caplog.text and "keeping the buttons as they were" in caplog.text
    with pytest.raises(gpiozero.GPIOPinInUse):
        gpiozero.Button(PIN, pin_factory=mock_pins)
    led.close()
    service.run(frames=1)


def test_a_reload_once_the_pin_is_free_takes_the_buttons_refused_before(tmp_path, mock_pins):
    service = clock_with_buttons(tmp_path, button("dimmer"), [])
    led = gpiozero.LED(5, pin_factory=mock_pins)
    path = tmp_path / "config.toml"
    path.write_text(path.read_text().replace(f"pin = {PIN}", "pin = 5"))
    service.reload()
    led.close()
    service.reload()  # the same file again, now that GPIO5 is free
    gpiozero.Button(PIN, pin_factory=mock_pins).close()
    with pytest.raises(gpiozero.GPIOPinInUse):
        gpiozero.Button(5, pin_factory=mock_pins)
    service.run(frames=1)


# -- the command line -------------------------------------------------------------------------


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_a_button_on_a_pin_the_display_uses_is_one_line_and_exit_69(tmp_path, capsys, mock_pins):
    path = config_file(tmp_path, f'driver = "gpio"\n{button("dimmer", pin=4)}')
    assert cli.main(["--config", str(path)]) == exitcodes.UNAVAILABLE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "GPIO4" in err and "in use" in err


def test_buttons_without_gpiozero_are_one_line_and_exit_69(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "gpiozero", None)
    path = config_file(tmp_path, f'driver = "jsonl"\n{button("dimmer")}')
    assert cli.main(["--config", str(path)]) == exitcodes.UNAVAILABLE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install" in err


def test_a_bad_button_is_a_configuration_error_naming_the_key(tmp_path, capsys):
    path = config_file(tmp_path, button("louder"))
    assert cli.main(["--config", str(path), "check-config"]) == exitcodes.CONFIG
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "controls.buttons.0.press = 'louder'" in err


def test_a_button_on_an_alarm_buzzers_pin_is_a_configuration_error_naming_both(tmp_path, capsys):
    alarm = f'[[alarm]]\ntime = "07:00"\nbuzzer = {PIN}\n'
    path = config_file(tmp_path, button("alarm-stop") + alarm)
    assert cli.main(["--config", str(path), "check-config"]) == exitcodes.CONFIG
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"alarm.0.buzzer = {PIN}: GPIO{PIN} is already the pin of buttons.0" in err
