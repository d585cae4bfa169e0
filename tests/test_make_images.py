"""The docs pictures: made by scripts/make_images.py from real frames, and kept up to date."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageSequence

from conftest import load_script

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
SCRIPT = ROOT / "scripts" / "make_images.py"
REGENERATE = "run: python scripts/make_images.py"


@pytest.fixture(scope="module")
def make_images():
    return load_script(SCRIPT)


@pytest.fixture(scope="module")
def fresh(make_images, tmp_path_factory) -> dict[str, Path]:
    """Every picture made now, into a temporary folder, by name."""
    out = tmp_path_factory.mktemp("images")
    return {path.name: path for path in make_images.make_all(out)}


def pictures(path: Path) -> list[tuple[tuple[int, int], bytes, int | None]]:
    """Each frame of an image file as (size, RGB bytes, duration)."""
    with Image.open(path) as image:
        return [
            (frame.size, frame.convert("RGB").tobytes(), frame.info.get("duration"))
            for frame in ImageSequence.Iterator(image)
        ]


EXPECTED = [
    "terminal.png",
    "face-binary.png",
    "face-bcd.png",
    "sensehat-binary.png",
    "sensehat-bcd.png",
    "neopixel-8x8.png",
    "unicornhatmini-binary.png",
    "unicornhatmini-bcd.png",
    "clock.gif",
    "displays-matrix.png",
    "displays-strip.png",
    "luma-max7219.png",
    "luma-ssd1306.png",
    "luma-ssd1306-round.png",
    "wake-up-fade.png",
    "light-curve.png",
    "light-smoothing.png",
]


def test_the_script_makes_every_docs_picture(fresh):
    assert sorted(fresh) == sorted(EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
def test_the_checked_in_picture_is_up_to_date(fresh, name):
    checked_in = IMAGES / name
    assert checked_in.exists(), f"docs/images/{name} is missing; {REGENERATE}"
    assert pictures(checked_in) == pictures(fresh[name]), (
        f"docs/images/{name} is out of date; {REGENERATE}"
    )


def test_every_picture_in_docs_images_comes_from_the_script(make_images, fresh):
    made = {*fresh, *make_images.SCREENSHOTS}
    made_by_hand = {
        p.name for p in IMAGES.iterdir() if p.suffix in (".png", ".gif") and p.name not in made
    }
    assert not made_by_hand, f"add these to scripts/make_images.py: {sorted(made_by_hand)}"


def test_running_it_twice_gives_identical_files(make_images, fresh, tmp_path):
    again = {path.name: path.read_bytes() for path in make_images.make_all(tmp_path)}
    assert again == {name: path.read_bytes() for name, path in fresh.items()}


def test_the_terminal_picture_shows_the_lit_cells_in_the_theme_colours(fresh):
    with Image.open(fresh["terminal.png"]) as image:
        colours = {rgb for _, rgb in image.convert("RGB").getcolors(1 << 16)}
    assert {(255, 72, 40), (48, 220, 96), (56, 136, 255)} <= colours


def test_the_gif_shows_one_second_per_frame_from_13_37_42(make_images, fresh):
    from binclock.drivers import render

    style = render.Style()
    seconds = []
    with Image.open(fresh["clock.gif"]) as gif:
        for frame in ImageSequence.Iterator(gif):
            leds = render.read_leds(frame, 3, 6, style)
            bits = [leds[y * 3 + 2] != style.unlit for y in range(6)]
            seconds.append((sum(b << (5 - y) for y, b in enumerate(bits)), frame.info["duration"]))
    assert seconds == [(42 + i, 1000) for i in range(make_images.GIF_SECONDS)]


def test_the_eight_by_eight_pictures_are_eight_leds_square(make_images, fresh):
    for name, style in (
        ("sensehat-binary.png", make_images.SENSE_HAT),
        ("neopixel-8x8.png", make_images.NEOPIXEL),
    ):
        pitch = style["led_size"] + style["spacing"]
        with Image.open(fresh[name]) as image:
            assert image.size == (8 * pitch + style["spacing"],) * 2, name


def test_the_unicorn_hat_mini_pictures_are_seventeen_leds_by_seven(make_images, fresh):
    pitch = make_images.UNICORN["led_size"] + make_images.UNICORN["spacing"]
    spacing = make_images.UNICORN["spacing"]
    for name in ("unicornhatmini-binary.png", "unicornhatmini-bcd.png"):
        with Image.open(fresh[name]) as image:
            assert image.size == (17 * pitch + spacing, 7 * pitch + spacing), name


def test_the_web_screenshots_are_checked_in_at_their_viewport_sizes(make_images):
    """Browser output is not compared pixel for pixel (see the script's docstring)."""
    for name, size in make_images.SCREENSHOTS.items():
        assert (IMAGES / name).exists(), f"docs/images/{name} is missing; {REGENERATE}"
        with Image.open(IMAGES / name) as image:
            assert image.size == size, name


def test_the_light_curve_picture_draws_the_curve_of_the_default_light_settings(make_images, fresh):
    import math

    from binclock.config import LightConfig
    from binclock.light.curve import brightness_for

    light = LightConfig()
    axes = make_images.Plot((light.dark_lux / 10, light.bright_lux * 10), {}, math.log)
    with Image.open(fresh["light-curve.png"]) as image:
        rgb = image.convert("RGB")
        for lux in (0.5, 3.0, 10.0, 30.0, 100.0, 300.0, 5000.0):
            x, y = axes.x(lux), axes.y(brightness_for(lux, light))
            column = {rgb.getpixel((x, row)) for row in range(y - 1, y + 2)}
            assert make_images.LINE in column, lux
