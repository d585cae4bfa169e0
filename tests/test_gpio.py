"""The gpio driver on gpiozero's mock pins: which pins are high, PWM duty, writes, close."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import gpiozero
import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from binclock import exitcodes
from binclock.commandline import cli
from binclock.daemon.transition import can_animate
from binclock.driver import DriverUnavailable
from binclock.drivers.gpio import GpioDriver, GpioOptions
from binclock.drivers.pins import is_raspberry_pi
from binclock.faces.time import BinaryFace
from binclock.frame import Frame
from binclock.painter import Painter, Theme
from binclock.testing import DriverContract

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)


class CountingPWMPin(MockPWMPin):
    """gpiozero's mock PWM pin, also counting writes (its history records changes only)."""

    def __init__(self, factory: MockFactory, info: object) -> None:
        super().__init__(factory, info)
        self.writes = 0

    def _set_state(self, value: float) -> None:
        self.writes += 1
        super()._set_state(value)


@pytest.fixture
def factory() -> MockFactory:
    return MockFactory(pin_class=CountingPWMPin)


def lit_pins(factory: MockFactory, driver: GpioDriver) -> set[int]:
    """The pins whose LED is lit now, read from the mock pins' levels."""
    return {pin for _, pin in driver.layout.wired() if is_lit(factory, driver, pin)}


def is_lit(factory: MockFactory, driver: GpioDriver, pin: int) -> bool:
    mock = factory.pin(pin)
    if mock.function != "output":
        return False
    return mock.state > 0 if driver.options.active_high else mock.state < 1


def writes(factory: MockFactory, pin: int) -> int:
    return factory.pin(pin).writes


def binary_frame(hour: int, minute: int, second: int, brightness: float = 1.0) -> Frame:
    """What the pipeline hands the driver for the binary face on a 3x6 display."""
    now = datetime(2026, 3, 14, hour, minute, second)
    painter = Painter(theme=Theme(), brightness=brightness, size=(3, 6))
    return painter.paint(BinaryFace().render(now), time=now)


class TestGpioContract(DriverContract):
    @pytest.fixture
    def driver(self):
        self.factory = MockFactory(pin_class=CountingPWMPin)
        driver = GpioDriver(self.options(), pin_factory=self.factory)
        yield driver
        driver.close()

    def options(self) -> GpioOptions:
        return GpioOptions()

    def read_back(self, driver):
        return [
            WHITE if is_lit(self.factory, driver, pin) else BLACK
            for _, pin in driver.layout.wired()
        ]

    def hardware_writes(self, driver):
        return sum(writes(self.factory, pin) for _, pin in driver.layout.wired())

    def build_without_hardware(self):
        with pytest.MonkeyPatch.context() as mp:
            mp.setitem(sys.modules, "gpiozero", None)
            GpioDriver(GpioOptions())


class TestGpioActiveLowPwmContract(TestGpioContract):
    def options(self) -> GpioOptions:
        return GpioOptions(active_high=False, pwm=True)


# -- which LEDs light ---------------------------------------------------------------------


def test_the_default_wiring_lights_the_pins_of_the_time_shown(factory):
    driver = GpioDriver(GpioOptions(), pin_factory=factory)
    driver.show(binary_frame(13, 37, 42))
    # 13 = 01101 on GPIO4-13, 37 = 100101 on GPIO16-21, 42 = 101010 on GPIO22-27
    assert lit_pins(factory, driver) == {5, 6, 13, 16, 19, 21, 22, 24, 26}
    assert factory.pin(5).state == 1 and factory.pin(4).state == 0


def test_active_low_leds_are_lit_by_a_low_pin(factory):
    driver = GpioDriver(GpioOptions(active_high=False), pin_factory=factory)
    driver.show(binary_frame(13, 37, 42))
    assert factory.pin(5).state == 0  # lit
    assert factory.pin(4).state == 1  # dark


def test_unlit_leds_are_off_from_the_start(factory):
    driver = GpioDriver(GpioOptions(active_high=False), pin_factory=factory)
    assert all(factory.pin(pin).state == 1 for _, pin in driver.layout.wired())


@pytest.mark.parametrize("pwm", [False, True])
def test_only_the_pins_that_change_are_written(factory, pwm):
    driver = GpioDriver(GpioOptions(pwm=pwm), pin_factory=factory)
    driver.show(binary_frame(13, 37, 42))
    before = {pin: writes(factory, pin) for _, pin in driver.layout.wired()}
    driver.show(binary_frame(13, 37, 43))
    after = {pin: writes(factory, pin) for _, pin in driver.layout.wired()}
    assert {pin for pin in after if after[pin] != before[pin]} == {27}
    assert factory.pin(27).state == 1


def test_named_columns_light_their_own_pins(factory):
    options = GpioOptions(
        columns={"hours": ["-", 4, 5, 6, 12, 13], "minutes": [16, 17, 18, 19, 20, 21]},
        bit_order="msb-first",
    )
    driver = GpioDriver(options, pin_factory=factory)
    now = datetime(2026, 3, 14, 13, 37)
    frame = Painter(size=(2, 6)).paint(BinaryFace(seconds=False).render(now))
    driver.show(frame)
    assert lit_pins(factory, driver) == {5, 6, 13, 16, 19, 21}


def test_the_threshold_decides_which_colours_count_as_lit(factory):
    driver = GpioDriver(GpioOptions(grid=[[4, 5, 6]], threshold=0.1), pin_factory=factory)
    driver.show(Frame(3, 1, ((20, 20, 20), (255, 72, 40), BLACK)))
    assert lit_pins(factory, driver) == {5}


def test_without_pwm_a_dimmed_led_is_fully_on(factory):
    driver = GpioDriver(GpioOptions(grid=[[4]]), pin_factory=factory)
    driver.show(Frame(1, 1, ((10, 3, 2),)))
    assert factory.pin(4).state == 1


# -- PWM ----------------------------------------------------------------------------------


def test_pwm_duty_follows_the_frames_brightness(factory):
    driver = GpioDriver(GpioOptions(grid=[[4, 5]], pwm=True, gamma=1.0), pin_factory=factory)
    driver.show(Frame(2, 1, (WHITE, (128, 64, 0))))
    assert factory.pin(4).state == pytest.approx(1.0)
    assert factory.pin(5).state == pytest.approx(128 / 255)


def test_pwm_duty_is_gamma_corrected(factory):
    driver = GpioDriver(GpioOptions(grid=[[4]], pwm=True), pin_factory=factory)
    driver.show(Frame(1, 1, ((128, 128, 128),)))
    assert factory.pin(4).state == pytest.approx((128 / 255) ** 2.2)


def test_night_dimming_dims_pwm_leds_without_turning_them_off(factory):
    driver = GpioDriver(GpioOptions(pwm=True, gamma=1.0), pin_factory=factory)
    driver.show(binary_frame(13, 37, 42, brightness=0.1))
    assert lit_pins(factory, driver) == {5, 6, 13, 16, 19, 21, 22, 24, 26}
    assert factory.pin(5).state == pytest.approx(26 / 255)  # hours' red, 255 * 0.1


def test_active_low_pwm_inverts_the_duty(factory):
    options = GpioOptions(grid=[[4]], pwm=True, gamma=1.0, active_high=False)
    driver = GpioDriver(options, pin_factory=factory)
    driver.show(Frame(1, 1, ((64, 64, 64),)))
    assert factory.pin(4).state == pytest.approx(1 - 64 / 255)


@pytest.mark.parametrize("pwm", [False, True])
def test_only_pwm_leds_are_sent_fades(factory, pwm):
    assert can_animate(GpioDriver(GpioOptions(pwm=pwm), pin_factory=factory)) is pwm


def test_pwm_on_a_pin_library_without_pwm_is_unavailable():
    with pytest.raises(DriverUnavailable, match="cannot do PWM"):
        GpioDriver(GpioOptions(pwm=True), pin_factory=MockFactory())


# -- close and pins -----------------------------------------------------------------------


def test_close_turns_every_led_off_then_releases_the_pins(factory):
    driver = GpioDriver(GpioOptions(), pin_factory=factory)
    driver.show(Frame.blank(3, 6, WHITE))
    pins = [pin for _, pin in driver.layout.wired()]
    before_release: dict[int, float] = {}
    release = driver._release

    def note_then_release() -> None:
        before_release.update({pin: factory.pin(pin).state for pin in pins})
        release()

    driver._release = note_then_release  # type: ignore[method-assign]
    driver.close()
    assert before_release == dict.fromkeys(pins, 0), "LEDs were still lit when released"
    for pin in pins:
        assert factory.pin(pin).function == "input"
    gpiozero.LEDBoard(*(pin for _, pin in driver.layout.wired()), pin_factory=factory).close()


def test_a_pin_already_in_use_makes_the_driver_unavailable(factory):
    led = gpiozero.LED(17, pin_factory=factory)
    with pytest.raises(DriverUnavailable, match="in use"):
        GpioDriver(GpioOptions(), pin_factory=factory)
    led.close()


def test_each_pixel_is_described_by_its_pin_for_the_wiring_test(factory):
    driver = GpioDriver(GpioOptions(), pin_factory=factory)
    assert driver.describe_pixel(1, 0) == "GPIO16"
    assert driver.describe_pixel(0, 0) == "no pin"


# -- the command line ---------------------------------------------------------------------


@pytest.fixture
def no_config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text("")
    return path


@pytest.mark.skipif(is_raspberry_pi(), reason="a Pi has GPIO pins")
@pytest.mark.parametrize("name", ["gpio", "servo"])
def test_off_a_pi_the_cli_says_so_in_one_line_and_exits_69(name, no_config, monkeypatch, capsys):
    monkeypatch.setattr(gpiozero.Device, "pin_factory", None)
    monkeypatch.delenv("GPIOZERO_PIN_FACTORY", raising=False)
    code = cli.main(["--config", str(no_config), "--driver", name, "--once"])
    err = capsys.readouterr().err
    assert code == exitcodes.UNAVAILABLE
    assert err.count("\n") == 1 and "not a Raspberry Pi" in err


def test_the_cli_runs_on_gpiozeros_mock_pins_from_the_environment(no_config, monkeypatch):
    monkeypatch.setattr(gpiozero.Device, "pin_factory", None)
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    monkeypatch.setenv("GPIOZERO_MOCK_PIN_CLASS", "mockpwmpin")
    code = cli.main(["--config", str(no_config), "--driver", "gpio", "--once", "--at", "13:37:42"])
    assert code == exitcodes.OK
    factory = gpiozero.Device.pin_factory
    assert [s.state for s in factory.pin(5).states][1:] == [1, 0]  # lit, then dark on close
    assert [s.state for s in factory.pin(4).states][1:] == []  # never lit


def test_a_bad_grid_is_a_configuration_error_naming_the_key(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text('driver = "gpio"\n[drivers.gpio]\ngrid = [[17, 17]]\n')
    assert cli.main(["--config", str(path), "--once"]) == exitcodes.CONFIG
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "drivers.gpio.grid.0.1 = 17" in err
