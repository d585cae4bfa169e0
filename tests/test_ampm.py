"""The 12-hour clock's AM/PM pixel: lit from noon to midnight, on every display."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from binclock import config, exitcodes
from binclock.clock import ManualClock
from binclock.commandline import cli
from binclock.config import ConfigError
from binclock.drivers.fake import FakeDriver, FakeOptions
from binclock.frame import BLACK
from binclock.pipeline import Pipeline, build_pipeline
from conftest import clock_of

UTC = ZoneInfo("UTC")
GOLD = (255, 190, 64)


def pipeline(size: tuple[int, int] | None = (8, 8), **settings: object) -> Pipeline:
    cfg = config.validate({"driver": "fake", **settings})
    options = FakeOptions(width=size[0], height=size[1]) if size else FakeOptions()
    return build_pipeline(cfg, FakeDriver(options))


def twelve_hour(pixel: list[int], **display: object) -> dict[str, object]:
    return {"clock": {"hour12": True}, "display": {"ampm_pixel": pixel, **display}}


def test_the_pixel_is_lit_exactly_from_noon_to_midnight_and_the_face_is_untouched():
    with_pm = pipeline(**twelve_hour([7, 7]))
    face_only = pipeline(clock={"hour12": True})
    corner = 7 * 8 + 7
    day = datetime(2026, 3, 29, tzinfo=UTC)
    for second in range(86_400):
        now = day + timedelta(seconds=second)
        shown, face = with_pm.render(now).pixels, face_only.render(now).pixels
        assert shown[corner] == (GOLD if second >= 12 * 3600 else BLACK), now
        assert shown[:corner] + shown[corner + 1 :] == face[:corner] + face[corner + 1 :], now


def test_the_pixel_takes_its_configured_colour():
    frame = pipeline(**twelve_hour([0, 0], ampm_colour="#00ff00")).render(
        datetime(2026, 1, 1, 18, 0, tzinfo=UTC)
    )
    assert frame.pixel(0, 0) == (0, 255, 0)


def test_the_pixel_is_dimmed_with_the_display():
    frame = pipeline(**twelve_hour([0, 0], brightness=0.5)).render(
        datetime(2026, 1, 1, 18, 0, tzinfo=UTC)
    )
    assert frame.pixel(0, 0) == (128, 95, 32)


def test_the_pixel_is_dimmed_by_the_night_schedule():
    settings = twelve_hour([0, 0])
    settings["schedule"] = [{"from": "18:00", "to": "07:00", "brightness": 0.5}]
    frame = pipeline(**settings).render(datetime(2026, 1, 1, 20, 0, tzinfo=UTC))
    assert frame.pixel(0, 0) == (128, 95, 32)


def test_a_24_hour_clock_has_no_pm_pixel():
    settings = {"display": {"ampm_pixel": [7, 7]}}
    frame = pipeline(**settings).render(datetime(2026, 1, 1, 18, 0, tzinfo=UTC))
    assert frame.pixel(7, 7) == BLACK


def test_on_a_display_of_any_size_the_pixel_goes_on_the_faces_own_frame():
    # the binary face's 16 of the hours, which a 12-hour clock never lights
    frame = pipeline(None, **twelve_hour([0, 1])).render(datetime(2026, 1, 1, 13, 0, tzinfo=UTC))
    assert frame.size == (3, 6) and frame.pixel(0, 1) == GOLD


@pytest.mark.parametrize("pixel", [[8, 0], [0, 8]])
def test_a_pixel_off_the_display_is_a_configuration_error_naming_the_key(pixel):
    with pytest.raises(ConfigError, match=r"display\.ampm_pixel = .*outside the 8x8 display"):
        pipeline(**twelve_hour(pixel))


def test_a_negative_pixel_is_refused_by_the_configuration():
    with pytest.raises(ConfigError, match=r"display\.ampm_pixel\.0 = -1"):
        config.validate(twelve_hour([-1, 0]))


def test_the_running_clock_shows_the_pm_pixel(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text(
        'driver = "fake"\n[drivers.fake]\nwidth = 8\nheight = 8\n'
        '[clock]\ntimezone = "UTC"\nhour12 = true\n[display]\nampm_pixel = [7, 0]\n'
    )
    service = clock_of(path, ManualClock(datetime(2026, 6, 1, 11, 59, 59, tzinfo=UTC)))
    service.run(frames=2)
    assert [f.pixel(7, 0) for f in service.driver.frames] == [BLACK, GOLD]  # 11:59:59, 12:00:00


def test_the_command_line_says_a_pixel_off_the_display_in_one_line_with_78(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text("[clock]\nhour12 = true\n[display]\nampm_pixel = [3, 0]\n")
    code = cli.main(["--config", str(path), "--driver", "jsonl", "--once"])
    err = capsys.readouterr().err
    assert code == exitcodes.CONFIG
    assert err.count("\n") == 1 and "display.ampm_pixel = [3, 0]: outside the 3x6" in err
