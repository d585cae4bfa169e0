"""What the Scroll pHAT HD driver lights, and what it says when it cannot start."""

from __future__ import annotations

import atexit
import errno
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import scrollphathd
import smbus2
from binclock import config
from binclock.driver import DriverUnavailable
from binclock.frame import BLACK, Frame
from binclock.pipeline import build_driver, build_pipeline
from binclock.testing import pattern
from fake_is31fl3731 import FakeIS31FL3731, absent_bus

from binclock_scrollphathd import ScrollPhatHdDriver, ScrollPhatHdOptions

WIDTH, HEIGHT = 17, 7
AT = datetime(2024, 3, 9, 13, 37, 42, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def chip() -> FakeIS31FL3731:
    return FakeIS31FL3731()


@pytest.fixture
def driver(chip):
    driver = ScrollPhatHdDriver(ScrollPhatHdOptions(), i2c=chip)
    yield driver
    driver.close()


def one_pixel(x: int, y: int, colour: tuple[int, int, int]) -> Frame:
    pixels = [BLACK] * (WIDTH * HEIGHT)
    pixels[y * WIDTH + x] = colour
    return Frame(WIDTH, HEIGHT, tuple(pixels))


def grid(chip: FakeIS31FL3731) -> list[list[int]]:
    """The chip's lit levels as rows of pixels, through the vendor library's own wiring map."""
    levels = chip.levels()
    return [
        [levels[scrollphathd._pixel_addr(x, HEIGHT - 1 - y)] for x in range(WIDTH)]
        for y in range(HEIGHT)
    ]


def vendor_shows(frame: Frame, monkeypatch) -> FakeIS31FL3731:
    """A second chip, drawn by the scrollphathd library's own API with the same brightness."""
    chip = FakeIS31FL3731()
    monkeypatch.setattr(scrollphathd, "display", None)  # the library keeps one per process
    monkeypatch.setattr(atexit, "register", lambda function: function)
    scrollphathd.setup(i2c_dev=chip)
    scrollphathd.clear()
    for y, row in enumerate(frame.rows()):
        for x, colour in enumerate(row):
            scrollphathd.set_pixel(x, y, max(colour) / 255)
    scrollphathd.show()
    return chip


# -- what lights ---------------------------------------------------------------------------


def test_lights_the_same_leds_as_the_vendor_library(driver, chip, monkeypatch):
    shades = tuple(((37 * i) % 256, (11 * i) % 256, 0) for i in range(WIDTH * HEIGHT))
    frame = Frame(WIDTH, HEIGHT, shades)
    driver.show(frame)
    assert chip.levels() == vendor_shows(frame, monkeypatch).levels()


def test_the_top_left_pixel_is_the_top_left_led(driver, chip):
    driver.show(one_pixel(0, 0, (255, 255, 255)))
    lit = [(x, y) for y, row in enumerate(grid(chip)) for x, level in enumerate(row) if level]
    assert lit == [(0, 0)]


@pytest.mark.parametrize("colour", [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)])
def test_a_pixel_is_as_bright_as_its_brightest_channel(driver, chip, colour):
    driver.show(one_pixel(3, 2, colour))
    assert grid(chip)[2][3] == 255


def test_dim_pixels_follow_the_vendor_gamma_table(driver, chip):
    driver.show(one_pixel(3, 2, (76, 20, 0)))
    assert grid(chip)[2][3] == scrollphathd._gamma_table[76]


def test_very_dim_pixels_are_dark_as_the_vendor_gamma_table_says(driver, chip):
    driver.show(one_pixel(3, 2, (21, 21, 21)))
    assert chip.levels() == [0] * 144


def test_a_frame_is_uploaded_where_it_is_not_on_show(driver, chip):
    for seed in range(4):
        driver.show(pattern(WIDTH, HEIGHT, seed))
    assert chip.writes_to_shown_frame == 0


def test_the_binary_face_shows_the_time_in_columns_6_8_and_10(chip):
    cfg = config.validate({"driver": "scrollphathd", "face": "binary"})
    driver = build_driver(cfg, i2c=chip)
    driver.show(build_pipeline(cfg, driver).render(AT))
    rows = grid(chip)
    columns = [int("".join("1" if rows[y][x] else "0" for y in range(6)), 2) for x in (6, 8, 10)]
    assert columns == [13, 37, 42]


# -- closing ------------------------------------------------------------------------------------


def test_close_puts_the_chip_into_shutdown(driver, chip):
    driver.show(pattern(WIDTH, HEIGHT))
    driver.close()
    assert not chip.awake


def test_close_leaves_a_bus_it_was_given_open(driver, chip):
    driver.close()
    assert not chip.closed


def test_close_closes_the_bus_it_opened(monkeypatch):
    chip = FakeIS31FL3731()
    monkeypatch.setattr(smbus2, "SMBus", lambda number: chip)
    ScrollPhatHdDriver(ScrollPhatHdOptions()).close()
    assert chip.closed


# -- options -------------------------------------------------------------------------------


def test_opens_the_configured_bus(monkeypatch):
    opened = []
    monkeypatch.setattr(smbus2, "SMBus", lambda number: opened.append(number) or FakeIS31FL3731())
    ScrollPhatHdDriver(ScrollPhatHdOptions(bus=3)).close()
    assert opened == [3]


def test_talks_to_the_configured_address():
    chip = FakeIS31FL3731(address=0x77)
    driver = ScrollPhatHdDriver(ScrollPhatHdOptions(address=0x77), i2c=chip)
    driver.show(pattern(WIDTH, HEIGHT))
    assert any(chip.levels())


def test_an_address_beyond_7_bits_is_refused():
    with pytest.raises(ValueError, match="address"):
        ScrollPhatHdOptions(address=0x80)


# -- when it cannot start ---------------------------------------------------------------------


def test_a_missing_bus_says_to_enable_i2c():
    with pytest.raises(DriverUnavailable, match="raspi-config nonint do_i2c 0"):
        ScrollPhatHdDriver(ScrollPhatHdOptions(bus=absent_bus()))


def test_a_bus_without_permission_says_to_join_the_i2c_group(monkeypatch):
    def refuse(number: int) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", f"/dev/i2c-{number}")

    monkeypatch.setattr(smbus2, "SMBus", refuse)
    with pytest.raises(DriverUnavailable, match="usermod -aG i2c"):
        ScrollPhatHdDriver(ScrollPhatHdOptions())


def test_nothing_at_the_address_says_to_check_the_hat():
    with pytest.raises(DriverUnavailable, match=r"no Scroll pHAT HD answers at 0x75 .*i2cdetect"):
        ScrollPhatHdDriver(ScrollPhatHdOptions(address=0x75), i2c=FakeIS31FL3731(address=0x74))


def test_another_bus_error_is_named_on_one_line():
    class TimingOut(FakeIS31FL3731):
        def _transfer(self, address, *, write=True):
            raise OSError(errno.ETIMEDOUT, "Connection timed out")

    with pytest.raises(DriverUnavailable) as caught:
        ScrollPhatHdDriver(ScrollPhatHdOptions(), i2c=TimingOut())
    assert str(caught.value) == (
        "the Scroll pHAT HD at 0x74 on I2C bus 1 cannot be used: Connection timed out"
    )


def test_a_bus_that_will_not_open_is_named_on_one_line(monkeypatch):
    def unusable(number: int) -> None:
        raise OSError(errno.ENOTTY, "Inappropriate ioctl for device")

    monkeypatch.setattr(smbus2, "SMBus", unusable)
    with pytest.raises(DriverUnavailable, match=r"^cannot open /dev/i2c-1: Inappropriate ioctl"):
        ScrollPhatHdDriver(ScrollPhatHdOptions())


def test_a_failed_start_closes_the_bus_it_opened(monkeypatch):
    chip = FakeIS31FL3731(address=0x75)
    monkeypatch.setattr(smbus2, "SMBus", lambda number: chip)
    with pytest.raises(DriverUnavailable):
        ScrollPhatHdDriver(ScrollPhatHdOptions())
    assert chip.closed


def test_a_missing_library_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "scrollphathd", None)
    with pytest.raises(DriverUnavailable, match="pip install scrollphathd"):
        ScrollPhatHdDriver(ScrollPhatHdOptions(), i2c=FakeIS31FL3731())


def test_importing_the_plugin_leaves_the_hardware_libraries_alone():
    code = "import sys, binclock_scrollphathd; print(*sys.modules, sep='\\n')"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = set(result.stdout.splitlines())
    assert not loaded & {"scrollphathd", "smbus2", "numpy"}
