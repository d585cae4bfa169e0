"""The blinka backend: Adafruit's real neopixel code on Blinka's OS-agnostic board, with the
bytes handed to the board's neopixel_write checked for order, gamma and brightness."""

from __future__ import annotations

import pytest
from neopixel_fakes import PI5, make_host, triples

from binclock.drivers.neopixel import NeoPixelDriver, NeoPixelOptions
from binclock.drivers.neopixel.host import Host
from binclock.frame import Frame
from binclock.testing import DriverContract

AGNOSTIC_NEOPIXEL_PIN = 6  # the OS-agnostic board's NEOPIXEL pin is D6


@pytest.fixture
def build(wire, tmp_path):
    drivers = []

    def build(**options) -> NeoPixelDriver:
        options = {"backend": "blinka", "pin": AGNOSTIC_NEOPIXEL_PIN, **options}
        driver = NeoPixelDriver(NeoPixelOptions(**options), host=make_host(tmp_path, PI5))
        drivers.append(driver)
        return driver

    yield build
    for driver in drivers:
        driver.close()


class TestBlinkaContract(DriverContract):
    @pytest.fixture
    def driver(self, wire, tmp_path):
        self.wire = wire
        options = NeoPixelOptions(backend="blinka", pin=AGNOSTIC_NEOPIXEL_PIN)
        driver = NeoPixelDriver(options, host=make_host(tmp_path, PI5))
        yield driver
        driver.close()

    def read_back(self, driver):
        return triples(self.wire.neopixel[-1]) if self.wire.neopixel else []

    def hardware_writes(self, driver):
        return len(self.wire.neopixel)

    def build_without_hardware(self):
        NeoPixelDriver(NeoPixelOptions(backend="blinka"), host=Host(PI5))


def one_pixel(rgb) -> Frame:
    return Frame(1, 1, (rgb,))


def test_bytes_go_out_in_grb_order(build, wire) -> None:
    build(width=1, height=1, gamma=1.0).show(one_pixel((10, 20, 30)))
    assert wire.neopixel[-1] == bytes([20, 10, 30])


def test_bytes_go_out_in_the_configured_order(build, wire) -> None:
    build(width=1, height=1, gamma=1.0, colour_order="BRG").show(one_pixel((10, 20, 30)))
    assert wire.neopixel[-1] == bytes([30, 10, 20])


def test_bytes_are_gamma_corrected(build, wire) -> None:
    build(width=1, height=1).show(one_pixel((255, 128, 0)))
    assert wire.neopixel[-1] == bytes([56, 255, 0])


def test_painter_brightness_is_not_applied_a_second_time(build, wire) -> None:
    # the painter already scaled (255, 255, 255) to half: the strip must get exactly that
    build(width=1, height=1, gamma=1.0).show(one_pixel((128, 128, 128)))
    assert wire.neopixel[-1] == bytes([128, 128, 128])


def test_bytes_are_dimmed_to_the_current_budget(build, wire) -> None:
    build(gamma=1.0, max_current_ma=500).show(Frame.blank(3, 6, (255, 255, 255)))
    assert set(triples(wire.neopixel[-1])) == {(123, 123, 123)}


def test_leds_follow_the_layout(build, wire) -> None:
    frame = Frame(2, 1, ((255, 0, 0), (0, 0, 255)))
    build(width=2, height=1, layout="rows", start="top-right", gamma=1.0).show(frame)
    assert triples(wire.neopixel[-1]) == [(0, 0, 255), (0, 255, 0)]


def test_rgbw_strip_gets_four_bytes_with_white(build, wire) -> None:
    build(width=1, height=1, colour_order="GRBW", gamma=1.0).show(one_pixel((90, 60, 30)))
    assert wire.neopixel[-1] == bytes([30, 60, 0, 30])


def test_whole_strip_is_sent_when_one_led_changes(build, wire) -> None:
    driver = build(gamma=1.0, max_current_ma=0)
    driver.show(Frame.blank(3, 6, (5, 5, 5)))
    pixels = list(Frame.blank(3, 6, (5, 5, 5)).pixels)
    pixels[0] = (7, 7, 7)
    driver.show(Frame(3, 6, tuple(pixels)))
    assert sorted(set(triples(wire.neopixel[-1]))) == [(5, 5, 5), (7, 7, 7)]
    assert len(wire.neopixel[-1]) == 18 * 3


def test_close_leaves_every_led_dark(build, wire) -> None:
    driver = build()
    driver.show(Frame.blank(3, 6, (255, 255, 255)))
    driver.close()
    assert wire.neopixel[-1] == bytes(18 * 3)
