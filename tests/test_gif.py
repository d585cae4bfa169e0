"""The gif driver: recordings of round LEDs, decoded back frame by frame with Pillow."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageSequence

from binclock import exitcodes
from binclock.commandline import cli
from binclock.driver import DriverUnavailable, WriteFailed
from binclock.drivers import render
from binclock.drivers.gif import GifDriver, GifOptions, RecordingDone
from binclock.frame import BLACK, RGB, Frame
from binclock.testing import DriverContract, pattern
from conftest import running

T0 = datetime(2026, 3, 14, 13, 37, 42, tzinfo=UTC)


def at(frame: Frame, seconds: float) -> Frame:
    """``frame`` as shown ``seconds`` after T0."""
    return Frame(frame.width, frame.height, frame.pixels, time=T0 + timedelta(seconds=seconds))


def recording(path: Path, style: render.Style) -> list[tuple[list[RGB], int]]:
    """Each GIF frame's LED colours (unlit as black) and duration in milliseconds."""
    out = []
    with Image.open(path) as gif:
        width = (gif.width - style.spacing) // style.pitch
        height = (gif.height - style.spacing) // style.pitch
        for picture in ImageSequence.Iterator(gif):
            leds = render.read_leds(picture, width, height, style)
            colours = [BLACK if c == style.unlit else c for c in leds]
            out.append((colours, picture.info["duration"]))
    return out


def disable_pillow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.delitem(sys.modules, "binclock.drivers.render")


class TestGifContract(DriverContract):
    @pytest.fixture
    def driver(self, tmp_path):
        d = GifDriver(GifOptions(path=tmp_path / "clock.gif"))
        yield d
        d.close()

    def read_back(self, driver):
        driver.save()
        if not driver.path.exists():
            return []
        return recording(driver.path, driver.style)[-1][0]

    def hardware_writes(self, driver):
        driver.save()
        return len(recording(driver.path, driver.style)) if driver.path.exists() else 0

    def build_without_hardware(self):
        with pytest.MonkeyPatch.context() as mp:
            disable_pillow(mp)
            GifDriver(GifOptions())

    # A recording is a record, not a light: see test_close_keeps_the_recording.
    test_close_leaves_the_display_dark = None


class TestGifContractOnAnEightByEightMatrix(TestGifContract):
    @pytest.fixture
    def driver(self, tmp_path):
        d = GifDriver(GifOptions(path=tmp_path / "clock.gif", width=8, height=8))
        yield d
        d.close()


def gif(tmp_path: Path, **options: object) -> GifDriver:
    return GifDriver(GifOptions(path=tmp_path / "clock.gif", **options))


def test_each_second_becomes_a_one_second_frame_with_the_frames_colours(tmp_path):
    driver = gif(tmp_path)
    frames = [at(pattern(3, 6, seed=s), s) for s in range(3)]
    for frame in frames:
        driver.show(frame)
    driver.close()
    assert recording(driver.path, driver.style) == [(list(f.pixels), 1000) for f in frames]


def test_the_frame_completing_the_seconds_raises_recording_done(tmp_path):
    driver = gif(tmp_path, seconds=3)
    driver.show(at(pattern(3, 6, seed=0), 0))
    driver.show(at(pattern(3, 6, seed=1), 1))
    with pytest.raises(RecordingDone):
        driver.show(at(pattern(3, 6, seed=2), 2))


def test_the_file_is_complete_when_recording_done_is_raised(tmp_path):
    driver = gif(tmp_path, seconds=2)
    driver.show(at(pattern(3, 6, seed=0), 0))
    with pytest.raises(RecordingDone):
        driver.show(at(pattern(3, 6, seed=1), 1))
    assert [d for _, d in recording(driver.path, driver.style)] == [1000, 1000]


def test_frames_after_the_end_raise_again_and_are_not_recorded(tmp_path):
    driver = gif(tmp_path, seconds=1)
    with pytest.raises(RecordingDone):
        driver.show(at(pattern(3, 6, seed=0), 0))
    with pytest.raises(RecordingDone):
        driver.show(at(pattern(3, 6, seed=1), 1))
    driver.close()
    assert len(recording(driver.path, driver.style)) == 1


def test_an_unchanged_second_lengthens_the_picture_before_it(tmp_path):
    driver = gif(tmp_path)
    driver.show(at(pattern(3, 6, seed=0), 0))
    driver.show(at(pattern(3, 6, seed=0), 1))
    driver.show(at(pattern(3, 6, seed=1), 2))
    driver.close()
    assert [d for _, d in recording(driver.path, driver.style)] == [2000, 1000]


def test_frame_times_set_how_long_each_picture_lasts(tmp_path):
    driver = gif(tmp_path)
    driver.show(at(pattern(3, 6, seed=0), 0))
    driver.show(at(pattern(3, 6, seed=1), 0.5))
    driver.show(at(pattern(3, 6, seed=2), 2.5))
    driver.close()
    assert [d for _, d in recording(driver.path, driver.style)] == [500, 2000, 1000]


def test_frames_without_times_last_a_second_each(tmp_path):
    driver = gif(tmp_path)
    driver.show(pattern(3, 6, seed=0))
    driver.show(pattern(3, 6, seed=0))
    driver.show(pattern(3, 6, seed=1))
    driver.close()
    assert [d for _, d in recording(driver.path, driver.style)] == [2000, 1000]


def test_a_clock_jump_counts_towards_the_seconds(tmp_path):
    driver = gif(tmp_path, seconds=5)
    driver.show(at(pattern(3, 6, seed=0), 0))
    with pytest.raises(RecordingDone):
        driver.show(at(pattern(3, 6, seed=1), 10))


def test_close_keeps_the_recording(tmp_path):
    driver = gif(tmp_path)
    driver.show(at(pattern(3, 6), 0))
    driver.close()
    assert recording(driver.path, driver.style) == [(list(pattern(3, 6).pixels), 1000)]


def test_close_before_anything_was_shown_writes_no_file(tmp_path):
    driver = gif(tmp_path)
    driver.close()
    assert not driver.path.exists()


def test_plays_over_and_over_by_default(tmp_path):
    driver = gif(tmp_path)
    driver.show(pattern(3, 6))
    driver.close()
    with Image.open(driver.path) as image:
        assert image.info["loop"] == 0


def test_plays_once_when_loop_is_off(tmp_path):
    driver = gif(tmp_path, loop=False)
    driver.show(pattern(3, 6))
    driver.close()
    with Image.open(driver.path) as image:
        assert "loop" not in image.info


def test_led_colours_stay_exact_in_the_256_colour_gif_palette(tmp_path):
    colours = tuple(
        ((i * 37) % 200 + 55, (i * 91) % 200 + 55, (i * 53) % 200 + 55) for i in range(200)
    )
    frame = Frame(20, 10, colours)  # with the discs' edge shades, about 1600 colours in all
    driver = gif(tmp_path)
    driver.show(frame)
    driver.close()
    assert recording(driver.path, driver.style)[0][0] == list(colours)


def test_missing_pillow_names_the_extra_to_install(monkeypatch):
    disable_pillow(monkeypatch)
    with pytest.raises(DriverUnavailable, match=r"binclock\[snapshot\]"):
        GifDriver()


def test_a_missing_directory_is_unavailable_with_a_hint(tmp_path):
    with pytest.raises(DriverUnavailable, match=r"drivers\.gif\.path"):
        GifDriver(GifOptions(path=tmp_path / "nowhere" / "clock.gif"))


def test_a_recording_needs_at_least_a_second():
    with pytest.raises(ValueError, match="seconds"):
        GifOptions(seconds=0)


def test_the_command_line_records_one_frame_with_once(tmp_path):
    path = tmp_path / "now.gif"
    argv = ["--driver", "gif", "--once", "--at", "13:37:42", "--set", f"drivers.gif.path={path}"]
    assert cli.main(argv) == exitcodes.OK
    [(colours, duration)] = recording(path, render.Style())
    columns = [sum((colours[y * 3 + x] != BLACK) << (5 - y) for y in range(6)) for x in range(3)]
    assert (columns, duration) == ([13, 37, 42], 1000)


def test_a_clock_frame_looks_the_same_as_in_the_png_driver(tmp_path):
    frame = Frame(3, 2, ((255, 72, 40), BLACK, (48, 220, 96), BLACK, (56, 136, 255), BLACK))
    driver = gif(tmp_path)
    driver.show(frame)
    driver.close()
    with Image.open(driver.path) as image:
        gif_picture = image.convert("RGB")
    png_picture = render.draw(frame, driver.style)
    difference = ImageChops.difference(gif_picture, png_picture).getextrema()
    assert max(high for _, high in difference) <= 1  # smooth edges, within rounding


def test_a_recording_that_cannot_be_written_names_the_file_and_says_it_is_lost(tmp_path, full_disk):
    driver = gif(tmp_path, seconds=2)
    driver.show(at(pattern(3, 2), 0))
    with pytest.raises(WriteFailed) as failed:
        driver.show(at(pattern(3, 2, 1), 1))
    assert str(failed.value) == (
        f"cannot write {driver.path}: No space left on device; the 2 s recording is lost"
    )


def test_the_running_clock_retries_a_failing_recording_then_exits_70(tmp_path, full_disk, caplog):
    service = running(tmp_path, "gif", "seconds = 2\n", max_failures=3)
    with caplog.at_level(logging.WARNING):
        assert service.run() == exitcodes.SOFTWARE
    assert "retrying in" in caplog.text
    assert "the display failed 3 times in a row" in caplog.text
    assert caplog.records[-1].getMessage().endswith("recording is lost")
