"""The png driver: pictures of round LEDs, decoded back with Pillow."""

from __future__ import annotations

import logging
import os
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from pydantic import ValidationError

from binclock import exitcodes
from binclock.commandline import cli
from binclock.driver import DriverUnavailable
from binclock.drivers import render
from binclock.drivers.png import PngDriver, PngOptions
from binclock.faces.time import BinaryFace
from binclock.frame import BLACK, Frame
from binclock.painter import Painter
from binclock.testing import DriverContract, pattern
from conftest import running

AT = datetime(2026, 3, 14, 13, 37, 42, tzinfo=UTC)
RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def decoded(driver: PngDriver) -> list[tuple[int, int, int]]:
    """The LED colours in the file, with unlit LEDs as black (as the frame has them)."""
    if not driver.path.exists():
        return []
    with Image.open(driver.path) as image:
        width, height = leds_across(image, driver.style)
        colours = render.read_leds(image, width, height, driver.style)
    return [BLACK if c == driver.style.unlit else c for c in colours]


def leds_across(image: Image.Image, style: render.Style) -> tuple[int, int]:
    """How many LEDs wide and high the picture is."""
    return (
        (image.width - style.spacing) // style.pitch,
        (image.height - style.spacing) // style.pitch,
    )


def disable_pillow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import PIL`` fail, as on a machine without Pillow."""
    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.delitem(sys.modules, "binclock.drivers.render")


class TestPngContract(DriverContract):
    @pytest.fixture
    def driver(self, tmp_path):
        d = PngDriver(PngOptions(path=tmp_path / "clock.png"))
        yield d
        d.close()

    def read_back(self, driver):
        return decoded(driver)

    def hardware_writes(self, driver):
        return driver.saved

    def build_without_hardware(self):
        with pytest.MonkeyPatch.context() as mp:
            disable_pillow(mp)
            PngDriver(PngOptions())

    # A picture is a record, not a light: see test_close_keeps_the_last_picture.
    test_close_leaves_the_display_dark = None


class TestPngContractOnAnEightByEightMatrix(TestPngContract):
    @pytest.fixture
    def driver(self, tmp_path):
        d = PngDriver(PngOptions(path=tmp_path / "clock.png", width=8, height=8))
        yield d
        d.close()


@pytest.fixture
def png(tmp_path: Path) -> PngDriver:
    return PngDriver(PngOptions(path=tmp_path / "clock.png"))


def test_led_centres_have_the_frame_colours(png):
    frame = pattern(4, 5)
    png.show(frame)
    assert decoded(png) == list(frame.pixels)


def test_unlit_pixels_are_drawn_in_the_unlit_colour(tmp_path):
    driver = PngDriver(PngOptions(path=tmp_path / "c.png", unlit="#303030"))
    driver.show(Frame(2, 1, (BLACK, RED)))
    with Image.open(driver.path) as image:
        assert render.read_leds(image, 2, 1, driver.style) == [(48, 48, 48), RED]


def test_background_fills_the_space_between_leds(tmp_path):
    driver = PngDriver(PngOptions(path=tmp_path / "c.png", background="#0a0b0c", spacing=10))
    driver.show(Frame(2, 1, (RED, RED)))
    with Image.open(driver.path) as image:
        between = (10 + driver.style.led_size + 5, 10 + driver.style.led_size // 2)
        assert image.convert("RGB").getpixel(between) == (10, 11, 12)


def test_leds_are_round(png):
    png.show(Frame(1, 1, (GREEN,)))
    style = png.style
    with Image.open(png.path) as image:
        rgb = image.convert("RGB")
        corner = (style.spacing + 1, style.spacing + 1)  # inside the LED's square, outside its disc
        assert rgb.getpixel(render.centre(0, 0, style)) == GREEN
        assert rgb.getpixel(corner) == style.background


def test_picture_size_follows_led_size_and_spacing(tmp_path):
    driver = PngDriver(PngOptions(path=tmp_path / "c.png", led_size=10, spacing=4))
    driver.show(pattern(3, 6))
    with Image.open(driver.path) as image:
        assert image.size == (3 * 14 + 4, 6 * 14 + 4)


def test_writes_binclock_png_in_the_working_directory_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    PngDriver().show(pattern(3, 6))
    with Image.open(tmp_path / "binclock.png") as image:
        assert image.format == "PNG"


def test_a_declared_size_makes_the_painter_centre_the_face(tmp_path):
    driver = PngDriver(PngOptions(path=tmp_path / "c.png", width=8, height=8))
    painter = Painter(size=driver.size)
    driver.show(painter.paint(BinaryFace().render(AT), time=AT))
    with Image.open(driver.path) as image:
        assert leds_across(image, driver.style) == (8, 8)


def test_replacing_the_file_never_shows_half_a_picture(png):
    png.show(pattern(3, 6))
    with png.path.open("rb") as reader:  # a viewer that opened the old picture
        png.show(pattern(3, 6, seed=1))
        old = Image.open(reader)
        old.load()
    assert render.read_leds(old, 3, 6, png.style) == [
        png.style.unlit if p == BLACK else p for p in pattern(3, 6).pixels
    ]
    assert decoded(png) == list(pattern(3, 6, seed=1).pixels)


def test_no_temporary_files_are_left_behind(png):
    png.show(pattern(3, 6))
    png.show(pattern(3, 6, seed=1))
    assert [p.name for p in png.path.parent.iterdir()] == ["clock.png"]


def test_an_unchanged_frame_leaves_the_file_alone(png):
    png.show(pattern(3, 6))
    before = png.path.stat()
    png.show(pattern(3, 6))
    after = png.path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_the_picture_gets_the_permissions_the_umask_gives_new_files(tmp_path):
    previous = os.umask(0o027)
    try:
        driver = PngDriver(PngOptions(path=tmp_path / "c.png"))
        driver.show(pattern(3, 6))
    finally:
        os.umask(previous)
    assert stat.S_IMODE(driver.path.stat().st_mode) == 0o640


def test_close_keeps_the_last_picture(png):
    png.show(pattern(3, 6))
    png.close()
    assert decoded(png) == list(pattern(3, 6).pixels)


def test_missing_pillow_names_the_extra_to_install(monkeypatch):
    disable_pillow(monkeypatch)
    with pytest.raises(DriverUnavailable, match=r"binclock\[snapshot\]"):
        PngDriver()


def test_a_missing_directory_is_unavailable_with_a_hint(tmp_path):
    with pytest.raises(DriverUnavailable, match=r"no directory .*drivers\.png\.path"):
        PngDriver(PngOptions(path=tmp_path / "nowhere" / "clock.png"))


def test_a_directory_as_path_is_unavailable(tmp_path):
    with pytest.raises(DriverUnavailable, match="is a directory"):
        PngDriver(PngOptions(path=tmp_path))


def test_colours_may_be_written_as_hex():
    assert PngOptions(background="#102030").background == (16, 32, 48)


def test_leds_smaller_than_four_pixels_are_refused():
    with pytest.raises(ValueError, match="led_size"):
        PngOptions(led_size=3)


def test_width_needs_height():
    with pytest.raises(ValueError, match="both width and height"):
        PngOptions(width=8)


def test_the_command_line_writes_one_snapshot_with_once(tmp_path):
    path = tmp_path / "now.png"
    argv = ["--driver", "png", "--once", "--at", "13:37:42", "--set", f"drivers.png.path={path}"]
    assert cli.main(argv) == exitcodes.OK
    with Image.open(path) as image:
        style = render.Style()
        lit = [c != style.unlit for c in render.read_leds(image, 3, 6, style)]
    columns = [sum(lit[y * 3 + x] << (5 - y) for y in range(6)) for x in range(3)]
    assert columns == [13, 37, 42]


def test_the_command_line_says_what_to_do_when_the_directory_is_missing(tmp_path, capsys):
    path = tmp_path / "missing" / "now.png"
    argv = ["--driver", "png", "--once", "--set", f"drivers.png.path={path}"]
    assert cli.main(argv) == exitcodes.UNAVAILABLE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "drivers.png.path" in err


def test_the_command_line_says_to_install_the_extra_without_pillow(monkeypatch, capsys):
    disable_pillow(monkeypatch)
    assert cli.main(["--driver", "png", "--once"]) == exitcodes.UNAVAILABLE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "binclock[snapshot]" in err


def test_the_running_clock_retries_a_failing_picture_then_exits_70(tmp_path, full_disk, caplog):
    service = running(tmp_path, "png", max_failures=3)
    with caplog.at_level(logging.WARNING):
        assert service.run() == exitcodes.SOFTWARE
    retries = [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 2 and "No space left on device" in retries[0]


def test_a_declared_size_whose_picture_would_be_huge_is_refused():
    with pytest.raises(ValidationError, match="over 4096 image pixels a side"):
        PngOptions(width=64, height=64, led_size=512)


def test_a_display_side_over_the_largest_is_refused():
    with pytest.raises(ValidationError, match="less than or equal to 256"):
        PngOptions(width=100_000, height=8)
