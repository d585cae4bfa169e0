"""The spi backend: Adafruit's real neopixel_spi on Blinka's OS-agnostic board, with the
bytes sent on the SPI bus decoded back to LED bytes (order, gamma, brightness)."""

from __future__ import annotations

import os

import pytest
from neopixel_fakes import PI4, PI5, decode_spi, make_host, triples

from binclock.drivers.neopixel import NeoPixelDriver, NeoPixelOptions
from binclock.drivers.neopixel.host import Host
from binclock.frame import Frame
from binclock.testing import DriverContract


@pytest.fixture
def build(wire, tmp_path):
    drivers = []

    def build(model: str = PI4, bufsiz: int = 4096, **options) -> NeoPixelDriver:
        options.setdefault("backend", "spi")
        host = make_host(tmp_path, model, bufsiz=bufsiz)
        driver = NeoPixelDriver(NeoPixelOptions(**options), host=host)
        drivers.append(driver)
        return driver

    yield build
    for driver in drivers:
        driver.close()


class TestSpiContract(DriverContract):
    @pytest.fixture
    def driver(self, wire, tmp_path):
        self.wire = wire
        driver = NeoPixelDriver(NeoPixelOptions(backend="spi"), host=make_host(tmp_path, PI4))
        yield driver
        driver.close()

    def read_back(self, driver):
        return triples(decode_spi(self.wire.spi[-1])) if self.wire.spi else []

    def hardware_writes(self, driver):
        return len(self.wire.spi)

    def build_without_hardware(self):
        NeoPixelDriver(NeoPixelOptions(backend="spi"), host=Host(PI4))


def test_bits_become_spi_bytes_in_grb_order(build, wire) -> None:
    build(width=1, height=1, gamma=1.0).show(Frame(1, 1, ((0x0F, 0xF0, 0x81),)))
    assert decode_spi(wire.spi[-1]) == bytes([0xF0, 0x0F, 0x81])


def test_bytes_are_gamma_corrected(build, wire) -> None:
    build(width=1, height=1).show(Frame(1, 1, ((255, 128, 0),)))
    assert decode_spi(wire.spi[-1]) == bytes([56, 255, 0])


def test_bytes_are_dimmed_to_the_current_budget(build, wire) -> None:
    build(gamma=1.0, max_current_ma=500).show(Frame.blank(3, 6, (255, 255, 255)))
    assert set(triples(decode_spi(wire.spi[-1]))) == {(123, 123, 123)}


def test_spi_runs_at_eight_times_the_led_data_rate(build, wire) -> None:
    driver = build(frequency=400000, gamma=1.0)
    driver.show(Frame.blank(3, 6, (1, 1, 1)))
    # the 80 us resets are a byte per eight bit-times: 3.2 MHz * 80 us / 8 = 32 bytes
    assert decode_spi(wire.spi[-1], reset=32) == bytes([1, 1, 1] * 18)


def test_rgbw_strip_gets_four_bytes_with_white(build, wire) -> None:
    build(width=1, height=1, colour_order="GRBW", gamma=1.0).show(Frame(1, 1, ((90, 60, 30),)))
    assert decode_spi(wire.spi[-1]) == bytes([30, 60, 0, 30])


def test_works_on_a_pi_5(build, wire) -> None:
    build(model=PI5, width=1, height=1, gamma=1.0).show(Frame(1, 1, ((1, 2, 3),)))
    assert decode_spi(wire.spi[-1]) == bytes([2, 1, 3])


def test_big_matrix_is_sent_in_one_transfer_when_spidev_allows(build, wire, monkeypatch) -> None:
    monkeypatch.delenv("SPI_BUFSIZE", raising=False)
    build(bufsiz=32768, width=16, height=16, gamma=1.0).show(Frame.blank(16, 16, (1, 1, 1)))
    assert os.environ["SPI_BUFSIZE"] == "32768"  # Adafruit_PureIO's chunk size
    assert len(wire.spi[-1]) == 8 * 256 * 3 + 2 * 64


def test_close_leaves_every_led_dark(build, wire) -> None:
    driver = build()
    driver.show(Frame.blank(3, 6, (255, 255, 255)))
    driver.close()
    assert decode_spi(wire.spi[-1]) == bytes(18 * 3)
