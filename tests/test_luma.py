"""The luma driver: on luma's dummy device, and on luma's real device code over stand-ins
for the kernel's SPI and I2C devices, read back by models of the chips (tests/luma_fakes.py).
"""

from __future__ import annotations

import errno
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from luma.core.device import dummy
from luma_fakes import (
    I2c,
    Max7219Chain,
    Sh1106,
    Spi,
    Ssd1306,
    cells,
    kernel,
    max7219_chain,
    oled,
    read_binary,
)
from pydantic import ValidationError

from binclock.commandline.cli import main
from binclock.driver import DriverUnavailable
from binclock.drivers.luma import LumaDriver, LumaOptions
from binclock.faces.time import BinaryFace
from binclock.frame import Frame
from binclock.painter import Painter
from binclock.testing import DriverContract, pattern

# luma's device code reads images with a call newer Pillow deprecates; not ours to change
pytestmark = pytest.mark.filterwarnings("ignore:Image.Image.getdata:DeprecationWarning")
WHITE = (255, 255, 255)
MIDNIGHT = datetime(2026, 3, 14, tzinfo=UTC)


def as_colours(lit, size):
    w, h = size
    return [WHITE if (x, y) in lit else (0, 0, 0) for y in range(h) for x in range(w)]


def on_dummy(**options) -> LumaDriver:
    opts = LumaOptions(**options)
    w, h = opts.panel()
    return LumaDriver(opts, device=dummy(width=w, height=h, rotate=opts.rotate // 90, mode="1"))


def dummy_lit(driver: LumaDriver) -> set[tuple[int, int]]:
    image = driver.device.image
    w = image.width
    return {(i % w, i // w) for i, value in enumerate(image.convert("L").tobytes()) if value}


def clock_frame(driver: LumaDriver, when: datetime, brightness: float = 1.0) -> Frame:
    """The binary face at ``when``, its columns standing on the display's bottom row."""
    w, h = driver.size
    painter = Painter(size=driver.size, offset=((w - 5) // 2, h - 6), brightness=brightness)
    return painter.paint(BinaryFace().render(when), time=when)


def columns(frame: Frame) -> list[int]:
    return [label.x for label in frame.labels]


# -- the contract, on three layers -------------------------------------------------------


class TestDummyContract(DriverContract):
    """luma's own dummy device: the image the driver hands to ``display()``."""

    @pytest.fixture
    def driver(self):
        return on_dummy()

    def read_back(self, driver):
        return as_colours(dummy_lit(driver), driver.size)


class TestMax7219OverSpiContract(DriverContract):
    """luma's max7219 and spi code; the chips read what spidev was asked to send."""

    @pytest.fixture
    def driver(self, monkeypatch):
        with kernel(monkeypatch) as (spi, _):
            driver = LumaDriver(LumaOptions())
            driver.spi = spi
            yield driver

    def read_back(self, driver):
        return as_colours(max7219_chain(driver.spi, 4).lit(), driver.size)

    def hardware_writes(self, driver):
        return len(driver.spi.transfers)

    def build_without_hardware(self):
        with pytest.MonkeyPatch.context() as monkeypatch, kernel(monkeypatch, Spi(errno.ENOENT)):
            LumaDriver(LumaOptions())


class TestSsd1306OverI2cContract(DriverContract):
    """luma's ssd1306 and i2c code; the display's RAM read from what smbus2 was asked to send."""

    device, model = "ssd1306", Ssd1306

    @pytest.fixture
    def driver(self, monkeypatch):
        with kernel(monkeypatch) as (_, i2c):
            driver = LumaDriver(LumaOptions(device=self.device))
            driver.i2c = i2c
            yield driver

    def read_back(self, driver):
        lit = oled(driver.i2c, self.model).lit()
        return as_colours(cells(lit, driver.size, 8), driver.size)

    def hardware_writes(self, driver):
        return sum(payload[0] == 0x40 for _, payload in driver.i2c.messages)

    def build_without_hardware(self):
        with (
            pytest.MonkeyPatch.context() as monkeypatch,
            kernel(monkeypatch, i2c=I2c(errno.ENOENT)),
        ):
            LumaDriver(LumaOptions(device=self.device))


class TestSh1106OverI2cContract(TestSsd1306OverI2cContract):
    """luma's sh1106 code, page by page; the RAM read from what smbus2 was asked to send."""

    device, model = "sh1106", Sh1106


# -- the time, read back from the bytes --------------------------------------------------

SECONDS = st.lists(st.integers(0, 86399), min_size=1, max_size=20)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seconds=SECONDS)
def test_max7219_chain_receives_the_time_of_each_frame(monkeypatch, seconds):
    with kernel(monkeypatch) as (spi, _):
        driver = LumaDriver(LumaOptions(cascaded=4))
        for second in seconds:
            when = MIDNIGHT + timedelta(seconds=second)
            frame = clock_frame(driver, when)
            driver.show(frame)
            lit = max7219_chain(spi, 4).lit()
            assert read_binary(lit, columns(frame), 8) == (when.hour, when.minute, when.second)
        driver.close()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seconds=SECONDS, shape=st.sampled_from(["square", "round"]), dot=st.sampled_from([4, 8]))
@pytest.mark.parametrize(("device", "model"), [("ssd1306", Ssd1306), ("sh1106", Sh1106)])
def test_oled_ram_holds_the_time_of_each_frame(monkeypatch, device, model, seconds, shape, dot):
    with kernel(monkeypatch) as (_, i2c):
        driver = LumaDriver(LumaOptions(device=device, shape=shape, dot=dot))
        for second in seconds:
            when = MIDNIGHT + timedelta(seconds=second)
            frame = clock_frame(driver, when)
            driver.show(frame)
            shown = cells(oled(i2c, model).lit(), driver.size, dot, driver.origin)
            height = driver.size[1]
            assert read_binary(shown, columns(frame), height) == (
                when.hour,
                when.minute,
                when.second,
            )
        driver.close()


def turned_back(lit, rotate, panel):
    """The panel's lit pixels as the picture's: luma turns the picture ``rotate`` degrees
    clockwise onto a panel of ``panel`` (width, height)."""
    w, h = panel
    back = {
        0: lambda x, y: (x, y),
        90: lambda x, y: (y, w - 1 - x),
        180: lambda x, y: (w - 1 - x, h - 1 - y),
        270: lambda x, y: (h - 1 - y, x),
    }[rotate]
    return {back(x, y) for x, y in lit}


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize(
    ("device", "read", "panel"),
    [
        ("max7219", lambda spi, i2c: max7219_chain(spi, 2).lit(), (16, 8)),
        ("ssd1306", lambda spi, i2c: oled(i2c, Ssd1306).lit(), (128, 64)),
        ("sh1106", lambda spi, i2c: oled(i2c, Sh1106).lit(), (128, 64)),
    ],
)
def test_every_rotation_shows_the_frame_turned_on_the_chip(
    monkeypatch, device, read, panel, rotate
):
    with kernel(monkeypatch) as (spi, i2c):
        options = {"cascaded": 2} if device == "max7219" else {"dot": 4}
        driver = LumaDriver(LumaOptions(device=device, rotate=rotate, **options))
        frame = pattern(*driver.size)
        driver.show(frame)
        picture = turned_back(read(spi, i2c), rotate, panel)
    dot = 1 if device == "max7219" else 4
    w = driver.size[0]
    lit = {(i % w, i // w) for i, rgb in enumerate(frame.pixels) if rgb != (0, 0, 0)}
    assert cells(picture, driver.size, dot, driver.origin) == lit


def test_max7219_is_one_led_per_pixel_over_the_whole_chain():
    assert on_dummy(cascaded=4).size == (32, 8)
    assert on_dummy(cascaded=2, rotate=90).size == (8, 16)


def test_a_quarter_rotation_turns_the_picture_clockwise_on_the_display():
    driver = on_dummy(cascaded=1, rotate=90)
    driver.show(Frame(8, 8, (WHITE,) + ((0, 0, 0),) * 63))
    assert dummy_lit(driver) == {(7, 0)}, "the picture's top-left is the display's top-right"


def test_oled_pixels_are_dots_of_the_configured_size():
    assert on_dummy(device="ssd1306").size == (16, 8)
    assert on_dummy(device="ssd1306", dot=6).size == (21, 10)


def test_round_dots_leave_the_corners_of_their_cell_dark():
    frame = Frame.blank(16, 8, WHITE)
    square, round_ = on_dummy(device="ssd1306"), on_dummy(device="ssd1306", shape="round")
    square.show(frame)
    round_.show(frame)
    assert (0, 0) in dummy_lit(square)
    assert (0, 0) not in dummy_lit(round_)
    assert (3, 3) in dummy_lit(round_)


def test_dots_are_kept_apart_by_a_dark_line():
    driver = on_dummy(device="ssd1306")
    driver.show(Frame.blank(16, 8, WHITE))
    assert (6, 0) in dummy_lit(driver)
    assert (7, 0) not in dummy_lit(driver)


def test_a_dim_colour_lights_a_monochrome_pixel():
    driver = on_dummy(cascaded=1)
    frame = Frame(8, 8, ((3, 0, 0),) + ((0, 0, 0),) * 63)
    driver.show(frame)
    assert dummy_lit(driver) == {(0, 0)}


def test_pixels_at_or_below_the_threshold_stay_dark():
    driver = on_dummy(cascaded=1, threshold=0.5)
    frame = Frame(8, 8, ((60, 60, 60), WHITE) + ((0, 0, 0),) * 62)
    driver.show(frame)
    assert dummy_lit(driver) == {(1, 0)}


def test_half_brightness_halves_the_max7219_intensity(monkeypatch):
    with kernel(monkeypatch) as (spi, _):
        driver = LumaDriver(LumaOptions(contrast=255))
        driver.show(clock_frame(driver, MIDNIGHT + timedelta(hours=13)))
        assert max7219_chain(spi, 4).intensity() == {15}
        driver.show(clock_frame(driver, MIDNIGHT + timedelta(hours=13), brightness=0.5))
        assert max7219_chain(spi, 4).intensity() == {8}  # luma sends contrast 128 >> 4


def test_only_lit_pixels_set_the_intensity(monkeypatch):
    with kernel(monkeypatch) as (spi, _):
        driver = LumaDriver(LumaOptions(cascaded=1, contrast=255, threshold=0.1))
        unlit_blue, lit_grey = (0, 0, 200), (100, 100, 100)
        driver.show(Frame(8, 8, (unlit_blue, lit_grey) + ((0, 0, 0),) * 62))
        assert max7219_chain(spi, 1).lit() == {(1, 0)}
        assert max7219_chain(spi, 1).intensity() == {100 >> 4}


def test_brightness_sets_the_oled_contrast(monkeypatch):
    with kernel(monkeypatch) as (_, i2c):
        driver = LumaDriver(LumaOptions(device="ssd1306", contrast=200))
        driver.show(clock_frame(driver, MIDNIGHT + timedelta(hours=13), brightness=0.5))
        assert oled(i2c, Ssd1306).contrast == 100


def test_close_leaves_the_max7219_chain_dark_and_shut_down(monkeypatch):
    with kernel(monkeypatch) as (spi, _):
        driver = LumaDriver(LumaOptions())
        driver.show(clock_frame(driver, MIDNIGHT + timedelta(hours=23, minutes=59)))
        driver.close()
        chain = max7219_chain(spi, 4)
        assert all(registers[1:9] == [0] * 8 for registers in chain_digits(chain))
        assert chain.lit() == set()
        assert spi.closed


def chain_digits(chain):
    return [[registers[d] for d in range(9)] for registers in chain.registers]


@pytest.mark.parametrize(("device", "model"), [("ssd1306", Ssd1306), ("sh1106", Sh1106)])
def test_close_blanks_the_oled_ram_and_turns_it_off(monkeypatch, device, model):
    with kernel(monkeypatch) as (_, i2c):
        driver = LumaDriver(LumaOptions(device=device))
        driver.show(clock_frame(driver, MIDNIGHT + timedelta(hours=23, minutes=59)))
        assert oled(i2c, model).lit()
        driver.close()
        display = oled(i2c, model)
        assert not display.on
        assert all(byte == 0 for page in display.ram for byte in page)
        assert i2c.closed


def test_the_oled_is_sent_to_its_configured_bus_and_address(monkeypatch):
    with kernel(monkeypatch, i2c=I2c(answers=frozenset({0x3D}))) as (_, i2c):
        LumaDriver(LumaOptions(device="sh1106", i2c_port=3, i2c_address=0x3D)).close()
    assert i2c.port == 3
    assert {address for address, _ in i2c.messages} == {0x3D}


def test_the_max7219_is_sent_to_its_configured_chip_select(monkeypatch):
    with kernel(monkeypatch) as (spi, _):
        LumaDriver(LumaOptions(spi_port=1, spi_device=2)).close()
    assert spi.opened == (1, 2)


# -- without the bus ---------------------------------------------------------------------

ENABLE_SPI = (
    "luma: SPI is not enabled (/dev/spidev0.0 is missing); enable it with"
    " `sudo raspi-config nonint do_spi 0` and reboot"
)
ENABLE_I2C = (
    "luma: I2C is not enabled (/dev/i2c-1 is missing); enable it with"
    " `sudo raspi-config nonint do_i2c 0` and reboot"
)


def unavailable(**options) -> str:
    with pytest.raises(DriverUnavailable) as caught:
        LumaDriver(LumaOptions(**options))
    return str(caught.value)


def test_missing_spi_node_says_how_to_enable_spi(monkeypatch):
    with kernel(monkeypatch, Spi(errno.ENOENT)):
        assert unavailable() == ENABLE_SPI


def test_missing_i2c_node_says_how_to_enable_i2c(monkeypatch):
    with kernel(monkeypatch, i2c=I2c(errno.ENOENT)):
        assert unavailable(device="ssd1306") == ENABLE_I2C


def test_a_bus_other_than_the_first_names_its_own_node(monkeypatch):
    with kernel(monkeypatch, Spi(errno.ENOENT)):
        message = unavailable(spi_port=1, spi_device=1)
    assert "(/dev/spidev1.1 is missing)" in message
    assert "dtoverlay" in message


def test_refused_spi_node_names_the_spi_group(monkeypatch):
    with kernel(monkeypatch, Spi(errno.EACCES)):
        assert unavailable() == (
            "luma: no permission to open /dev/spidev0.0; add the user to the spi group"
            " (sudo usermod -aG spi $USER) and log in again"
        )


def test_refused_i2c_node_names_the_i2c_group(monkeypatch):
    with kernel(monkeypatch, i2c=I2c(errno.EACCES)):
        assert "add the user to the i2c group" in unavailable(device="ssd1306")


def test_an_oled_not_answering_at_its_address_says_so(monkeypatch):
    with kernel(monkeypatch, i2c=I2c(answers=frozenset())) as (_, i2c):
        message = unavailable(device="ssd1306")
    assert message.startswith("luma: no ssd1306 answers at 0x3c on /dev/i2c-1")
    assert i2c.closed


def test_a_bus_failing_while_luma_sets_the_display_up_is_unavailable(monkeypatch):
    with kernel(monkeypatch, Spi(fails_after=3)) as (spi, _):
        message = unavailable()
    assert message == (
        "luma: the max7219 on /dev/spidev0.0 failed while being set up (Input/output error);"
        " check the wiring"
    )
    assert spi.closed


def test_real_spidev_without_the_node_is_unavailable():
    pytest.importorskip("spidev")
    assert "(/dev/spidev6.2 is missing)" in unavailable(spi_port=6, spi_device=2)


def test_real_smbus2_without_the_node_is_unavailable():
    assert "(/dev/i2c-99 is missing)" in unavailable(device="ssd1306", i2c_port=99)


def test_clock_without_spi_exits_69_with_one_line(monkeypatch, capsys):
    with kernel(monkeypatch, Spi(errno.ENOENT)):
        status = main(["--driver", "luma", "--once", "--at", "13:37:42"])
    assert status == 69
    assert capsys.readouterr().err == f"binclock: {ENABLE_SPI}\n"


def test_clock_without_i2c_exits_69_with_one_line(monkeypatch, capsys):
    with kernel(monkeypatch, i2c=I2c(errno.ENOENT)):
        argv = ["--driver", "luma", "--set", "drivers.luma.device=ssd1306", "--once"]
        status = main(argv)
    assert status == 69
    assert capsys.readouterr().err == f"binclock: {ENABLE_I2C}\n"


def test_clock_shows_the_time_on_the_max7219_chain_once_then_darkens_it(monkeypatch):
    with kernel(monkeypatch) as (spi, _):
        assert main(["--driver", "luma", "--once", "--at", "13:37:42"]) == 0
    chain, shown = Max7219Chain(4), []
    for data in spi.transfers:
        chain.transfer(data)
        shown.append(frozenset(chain.lit()))
    at = datetime(2026, 3, 14, 13, 37, 42)
    frame = Painter(size=(32, 8)).paint(BinaryFace().render(at))
    expected = {(i % 32, i // 32) for i, rgb in enumerate(frame.pixels) if rgb != (0, 0, 0)}
    assert expected in shown
    assert shown[-1] == set(), "the chain is dark after the clock exits"


# -- options -----------------------------------------------------------------------------


def test_oled_size_must_be_one_the_controller_has():
    with pytest.raises(ValidationError, match="ssd1306 panels are 128x64, 128x32"):
        LumaOptions(device="ssd1306", width=100, height=50)


def test_max7219_takes_no_width():
    with pytest.raises(ValidationError, match="a max7219 chain is 8 x cascaded wide"):
        LumaOptions(width=32, height=8)


def test_a_dot_larger_than_the_panel_is_refused():
    with pytest.raises(ValidationError, match="a dot of 40 does not fit a 128x32 panel"):
        LumaOptions(device="ssd1306", width=128, height=32, dot=40)


def test_bad_device_in_the_config_exits_78_naming_the_key(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text('driver = "luma"\n[drivers.luma]\ndevice = "st7735"\n')
    assert main(["--config", str(path), "--once"]) == 78
    err = capsys.readouterr().err
    assert str(path) in err and "device" in err and err.count("\n") == 1
