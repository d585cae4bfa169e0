"""The rpi_ws281x backend, on rpi_ws281x's real Python code over a stand-in for its compiled
module: the exact LED words sent at each render, and the strip's settings."""

from __future__ import annotations

import atexit
import logging

import pytest
from neopixel_fakes import (
    PI4,
    WS281X_CONSTANTS,
    FakeAtexit,
    install_fake_ws281x,
    make_host,
    words_to_rgbw,
)

from binclock.driver import DriverUnavailable
from binclock.drivers.neopixel import NeoPixelDriver, NeoPixelOptions
from binclock.drivers.neopixel.host import Host
from binclock.frame import Frame
from binclock.testing import DriverContract

# pixel index of each LED in the classic build: up the hours, down the minutes, up the seconds
CLASSIC_ORDER = [15, 12, 9, 6, 3, 0, 1, 4, 7, 10, 13, 16, 17, 14, 11, 8, 5, 2]


def numbered(width: int = 3, height: int = 6) -> Frame:
    """Each pixel's red channel is its own index, so words show which pixel an LED got."""
    return Frame(width, height, tuple((p, 0, 0) for p in range(width * height)))


@pytest.fixture
def chip(monkeypatch):
    return install_fake_ws281x(monkeypatch)


@pytest.fixture
def build(chip, tmp_path):
    drivers = []

    def build(**options) -> NeoPixelDriver:
        options.setdefault("backend", "rpi_ws281x")
        driver = NeoPixelDriver(NeoPixelOptions(**options), host=make_host(tmp_path, PI4))
        drivers.append(driver)
        return driver

    yield build
    for driver in drivers:
        driver.close()


class TestRpiWs281xContract(DriverContract):
    @pytest.fixture
    def driver(self, monkeypatch, tmp_path):
        self.chip = install_fake_ws281x(monkeypatch)
        options = NeoPixelOptions(backend="rpi_ws281x")
        driver = NeoPixelDriver(options, host=make_host(tmp_path, PI4))
        yield driver
        driver.close()

    def read_back(self, driver):
        return [words_to_rgbw(word)[:3] for word in self.chip.shown] if self.chip.renders else []

    def hardware_writes(self, driver):
        return len(self.chip.renders)

    def build_without_hardware(self):
        NeoPixelDriver(NeoPixelOptions(backend="rpi_ws281x"), host=Host(None))


def test_words_follow_the_classic_zig_zag(build, chip) -> None:
    build(gamma=1.0, max_current_ma=0).show(numbered())
    assert chip.shown == tuple(p << 16 for p in CLASSIC_ORDER)


def test_words_are_gamma_corrected(build, chip) -> None:
    build(width=1, height=1, max_current_ma=0).show(Frame(1, 1, ((255, 128, 0),)))
    assert chip.shown == (0xFF3800,)


def test_words_are_dimmed_to_the_current_budget(build, chip) -> None:
    build(gamma=1.0, max_current_ma=500).show(Frame.blank(3, 6, (255, 255, 255)))
    assert chip.shown == (0x7B7B7B,) * 18


def test_strip_gets_the_configured_settings(build, chip) -> None:
    build(pin=12, dma=11, frequency=400000, invert=True)
    channel = chip.channel
    assert (channel.count, channel.gpionum, channel.invert) == (18, 12, 1)
    assert (chip.controller.freq, chip.controller.dma) == (400000, 11)


def test_library_brightness_and_gamma_stay_neutral(build, chip) -> None:
    build()
    assert chip.channel.brightness == 255
    assert chip.channel.gamma == list(range(256))


@pytest.mark.parametrize(
    ("order", "constant"),
    [("GRB", "WS2811_STRIP_GRB"), ("RGB", "WS2811_STRIP_RGB"), ("GRBW", "SK6812_STRIP_GRBW")],
)
def test_colour_order_becomes_the_strip_type(build, chip, order, constant) -> None:
    build(colour_order=order)
    assert chip.channel.strip_type == WS281X_CONSTANTS[constant]


def test_rgbw_strip_gets_the_white_byte(build, chip) -> None:
    build(width=1, height=1, colour_order="GRBW", gamma=1.0).show(Frame(1, 1, ((90, 60, 30),)))
    assert chip.shown == (30 << 24 | 60 << 16 | 30 << 8,)


def test_pwm1_pin_uses_channel_1(build, chip) -> None:
    build(pin=13)
    assert chip.controller.channels[1].gpionum == 13
    assert chip.controller.channels[0].count == 0


def test_only_changed_leds_are_set(build, chip) -> None:
    driver = build(gamma=1.0, max_current_ma=0)
    driver.show(Frame.blank(3, 6, (9, 9, 9)))
    before = chip.led_sets
    pixels = list(Frame.blank(3, 6, (9, 9, 9)).pixels)
    pixels[0] = (1, 2, 3)
    driver.show(Frame(3, 6, tuple(pixels)))
    assert chip.led_sets == before + 1
    assert chip.shown[CLASSIC_ORDER.index(0)] == 0x010203


def test_frame_that_changes_no_led_is_not_sent(build, chip) -> None:
    driver = build(index_map=[0] + [-1] * 17)
    driver.show(Frame.blank(3, 6))
    pixels = [(0, 0, 0)] * 18
    pixels[5] = (255, 0, 0)  # a pixel without an LED
    driver.show(Frame(3, 6, tuple(pixels)))
    assert chip.renders == []


def test_test_pattern_names_the_led_of_each_pixel(build) -> None:
    driver = build()
    assert driver.describe_pixel(0, 5) == "LED 0"
    assert driver.describe_pixel(1, 0) == "LED 6"


def test_test_pattern_names_pixels_without_an_led(build) -> None:
    assert build(index_map=[0] + [-1] * 17).describe_pixel(1, 0) == "no LED"


def test_close_darkens_every_led_and_stops_the_library(build, chip) -> None:
    driver = build()
    driver.show(Frame.blank(3, 6, (255, 255, 255)))
    driver.close()
    assert chip.shown == (0,) * 18
    assert chip.controller.finished


def test_exit_darkens_a_strip_that_was_never_closed(chip, tmp_path, monkeypatch) -> None:
    hooks = FakeAtexit()
    monkeypatch.setattr(atexit, "register", hooks.register)
    monkeypatch.setattr(atexit, "unregister", hooks.unregister)
    driver = NeoPixelDriver(NeoPixelOptions(backend="rpi_ws281x"), host=make_host(tmp_path, PI4))
    driver.show(Frame.blank(3, 6, (255, 255, 255)))
    hooks.run()
    assert chip.shown == (0,) * 18
    assert chip.controller.finished


def test_limiter_warns_once_when_it_starts(build, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="binclock.drivers.neopixel")
    driver = build(max_current_ma=300)
    driver.show(Frame.blank(3, 6, (255, 255, 255)))
    driver.show(Frame.blank(3, 6, (255, 255, 254)))
    warnings = [r for r in caplog.records if "max_current_ma = 300" in r.getMessage()]
    assert len(warnings) == 1


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (-5, "needs root (/dev/mem)"),
        (-3, "pip install -U rpi_ws281x"),
        (-8, "dtparam=audio=off"),
        (-10, "DMA channel 10 is busy"),
        (-1, "could not start: ws2811_init failed with code -1"),
    ],
)
def test_failed_start_is_explained(monkeypatch, tmp_path, code, says) -> None:
    install_fake_ws281x(monkeypatch, init_result=code)
    with pytest.raises(DriverUnavailable, match=r"^neopixel: .*") as caught:
        NeoPixelDriver(NeoPixelOptions(backend="rpi_ws281x"), host=make_host(tmp_path, PI4))
    assert says in str(caught.value)


def test_failed_start_leaves_no_exit_hook_that_would_crash(monkeypatch, tmp_path) -> None:
    hooks = FakeAtexit()
    monkeypatch.setattr(atexit, "register", hooks.register)
    monkeypatch.setattr(atexit, "unregister", hooks.unregister)
    install_fake_ws281x(monkeypatch, init_result=-5)
    with pytest.raises(DriverUnavailable):
        NeoPixelDriver(NeoPixelOptions(backend="rpi_ws281x"), host=make_host(tmp_path, PI4))
    hooks.run()  # the stand-in's ws2811_fini raises for a strip that never started
