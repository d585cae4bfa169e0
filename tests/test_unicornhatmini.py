"""The Unicorn HAT Mini driver: Pimoroni's library on stand-ins for spidev and RPi.GPIO, its
pictures read back from the LED controllers' registers (tests/unicorn_fakes.py)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from unicorn_fakes import HEIGHT, WIDTH, Hat, install

from binclock import config, exitcodes
from binclock.commandline import cli
from binclock.driver import DriverUnavailable
from binclock.drivers.unicornhatmini import UnicornHatMiniDriver, UnicornHatMiniOptions
from binclock.frame import Frame
from binclock.pipeline import build_driver, build_pipeline
from binclock.testing import DriverContract, pattern

UTC = ZoneInfo("UTC")
AT = datetime(2024, 3, 9, 13, 37, 42, tzinfo=UTC)
NO_BUTTONS = UnicornHatMiniOptions(buttons=False)


@pytest.fixture
def hat(monkeypatch: pytest.MonkeyPatch) -> Hat:
    hat = Hat()
    hat.at_exit = install(monkeypatch, hat)  # type: ignore[attr-defined]
    return hat


def six_bits(frame: Frame) -> list[tuple[int, int, int]]:
    """The frame as the HAT keeps it: 6 bits a channel."""
    return [(r >> 2, g >> 2, b >> 2) for r, g, b in frame.pixels]


def turned(frame: Frame, rotation: int) -> list[tuple[int, int, int]]:
    """Where the HAT shows each pixel of ``frame`` drawn with ``rotation``, read back as a
    17x7 picture: a half turn swaps both ways; a quarter turn (90) puts the frame's top
    row down the right end of the matrix and its left column along the top, three quarters
    (270) its top row up the left end and its left column along the bottom."""
    levels = six_bits(frame)
    picture = [(0, 0, 0)] * (WIDTH * HEIGHT)
    for i, colour in enumerate(levels):
        y, x = divmod(i, frame.width)
        if rotation == 180:
            px, py = WIDTH - 1 - x, HEIGHT - 1 - y
        elif rotation == 90:
            px, py = WIDTH - 1 - y, x
        elif rotation == 270:
            px, py = y, HEIGHT - 1 - x
        else:
            px, py = x, y
        picture[py * WIDTH + px] = colour
    return picture


# -- the conformance suite ---------------------------------------------------------------


class TestUnicornHatMiniContract(DriverContract):
    @pytest.fixture
    def driver(self, hat):
        driver = UnicornHatMiniDriver(NO_BUTTONS)
        driver.bench = hat
        yield driver
        driver.close()

    def read_back(self, driver):
        return driver.bench.image()

    def hardware_writes(self, driver):
        return driver.bench.writes()

    def build_without_hardware(self):
        hat = Hat()
        hat.missing = True
        with pytest.MonkeyPatch.context() as monkeypatch:
            install(monkeypatch, hat)
            UnicornHatMiniDriver(NO_BUTTONS)


# -- pictures ----------------------------------------------------------------------------


def test_is_seventeen_wide_and_seven_high(hat):
    assert UnicornHatMiniDriver(NO_BUTTONS).size == (17, 7)


@settings(max_examples=40, deadline=None)
@given(
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    second=st.integers(0, 59),
    face=st.sampled_from(["binary", "bcd"]),
    brightness=st.sampled_from([1.0, 0.5, 0.2]),
)
def test_the_leds_show_the_frame_painted_for_the_time(hour, minute, second, face, brightness):
    with pytest.MonkeyPatch.context() as monkeypatch:
        hat = Hat()
        install(monkeypatch, hat)
        cfg = config.validate(
            {
                "driver": "unicornhatmini",
                "face": face,
                "display": {"brightness": brightness},
                "drivers": {"unicornhatmini": {"buttons": False}},
            }
        )
        driver = build_driver(cfg)
        frame = build_pipeline(cfg, driver).render(
            AT.replace(hour=hour, minute=minute, second=second)
        )
        driver.show(frame)
        assert hat.image() == six_bits(frame)
        driver.close()


def test_a_half_turn_shows_the_frame_upside_down(hat):
    driver = UnicornHatMiniDriver(UnicornHatMiniOptions(buttons=False, rotation=180))
    frame = pattern(17, 7)
    driver.show(frame)
    assert hat.image() == turned(frame, 180)


@pytest.mark.parametrize("rotation", [90, 270])
def test_a_quarter_turn_makes_a_display_seven_wide_and_seventeen_high(hat, rotation):
    driver = UnicornHatMiniDriver(UnicornHatMiniOptions(buttons=False, rotation=rotation))
    frame = pattern(7, 17)
    driver.show(frame)
    assert driver.size == (7, 17)
    assert hat.image() == turned(frame, rotation)


def test_brightness_sets_both_controllers_led_current(hat):
    UnicornHatMiniDriver(UnicornHatMiniOptions(buttons=False, brightness=0.5))
    assert [chip.brightness for chip in hat.chips.values()] == [31, 31]


def test_a_colour_too_dim_for_the_hat_is_lifted_to_show(hat):
    driver = UnicornHatMiniDriver(NO_BUTTONS)
    driver.show(Frame(17, 7, ((1, 1, 0),) + ((0, 0, 0),) * 118))
    assert hat.image()[0] == (1, 1, 0)


def test_without_keep_visible_a_colour_too_dim_stays_dark(hat):
    driver = UnicornHatMiniDriver(UnicornHatMiniOptions(buttons=False, keep_visible=False))
    driver.show(Frame(17, 7, ((1, 1, 0),) + ((0, 0, 0),) * 118))
    assert hat.image()[0] == (0, 0, 0)


# -- closing -----------------------------------------------------------------------------


def test_closing_switches_both_controllers_off(hat):
    driver = UnicornHatMiniDriver(NO_BUTTONS)
    driver.show(pattern(17, 7))
    driver.close()
    assert [chip.on for chip in hat.chips.values()] == [False, False]


def test_closing_closes_both_spi_devices(hat):
    UnicornHatMiniDriver(NO_BUTTONS).close()
    assert [device.closed for device in hat.devices] == [True, True]


def test_closing_leaves_nothing_for_the_library_to_do_at_exit(hat):
    driver = UnicornHatMiniDriver(NO_BUTTONS)
    assert hat.at_exit, "the library registers its switch-off at exit"
    driver.close()
    assert hat.at_exit == []


# -- a machine without the HAT -----------------------------------------------------------


def test_without_the_library_says_which_extra_installs_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "unicornhatmini", None)
    with pytest.raises(DriverUnavailable, match=r"pip install 'binclock\[unicornhatmini\]'"):
        UnicornHatMiniDriver(NO_BUTTONS)


def run_clock(tmp_path: Path) -> int:
    path = tmp_path / "config.toml"
    path.write_text('driver = "unicornhatmini"\n[drivers.unicornhatmini]\nbuttons = false\n')
    return cli.main(["--config", str(path), "--once"])


def test_without_spi_exits_69_naming_the_device_and_how_to_enable_it(hat, tmp_path, capsys):
    hat.missing = True
    assert run_clock(tmp_path) == exitcodes.UNAVAILABLE
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "/dev/spidev0.0" in err and "sudo raspi-config nonint do_spi 0" in err


def test_without_permission_exits_69_saying_to_join_spi_and_gpio(hat, tmp_path, capsys):
    hat.forbidden = True
    assert run_clock(tmp_path) == exitcodes.UNAVAILABLE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sudo usermod -aG spi,gpio $USER" in err


def test_off_a_pi_exits_69_with_the_pin_librarys_reason(hat, tmp_path, capsys, monkeypatch):
    def refuse(*_: object, **__: object) -> None:
        raise RuntimeError("This module can only be run on a Raspberry Pi!")

    import unicornhatmini

    monkeypatch.setattr(unicornhatmini.GPIO, "setup", refuse)
    assert run_clock(tmp_path) == exitcodes.UNAVAILABLE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "can only be run on a Raspberry Pi" in err


def test_a_set_up_failing_after_the_spi_devices_opened_closes_them(hat, monkeypatch):
    def refuse(*_: object, **__: object) -> None:
        raise RuntimeError("This module can only be run on a Raspberry Pi!")

    import unicornhatmini

    monkeypatch.setattr(unicornhatmini.GPIO, "setup", refuse)
    with pytest.raises(DriverUnavailable):
        UnicornHatMiniDriver(NO_BUTTONS)
    assert [device.closed for device in hat.devices] == [True, True]


def test_chip_select_pins_held_by_the_kernel_exit_69_with_the_reason_unquoted(
    hat, tmp_path, capsys, monkeypatch
):
    class LgpioError(Exception):
        """lgpio.error, as rpi-lgpio raises it for a pin another driver holds."""

    def busy(*_: object, **__: object) -> None:
        raise LgpioError("'GPIO busy'")

    import unicornhatmini

    monkeypatch.setattr(unicornhatmini.GPIO, "setup", busy)
    assert run_clock(tmp_path) == exitcodes.UNAVAILABLE
    assert capsys.readouterr().err == "binclock: the Unicorn HAT Mini cannot be used: GPIO busy\n"
