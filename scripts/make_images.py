"""Regenerates every picture in docs/images from real frames: real faces, painter and drivers.

    python scripts/make_images.py             # rewrite docs/images
    python scripts/make_images.py --out DIR   # write them somewhere else

Everything shows 13:37:42 and no font from the system is used, so running it twice (or on
another machine with the same Pillow and pygame) gives identical files. tests/test_make_images.py
checks that the pictures in docs/images are up to date.

The screenshots of the web page (web-*.png) are taken in headless Chromium from a real clock
and ``binclock web``, and only when Chromium is installed. They are not checked pixel for
pixel: the browser's fonts and anti-aliasing differ between Chromium versions and machines,
and the running clock moves on while the page loads.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyte
from PIL import Image, ImageDraw, ImageFont

from binclock import config
from binclock.driver import Driver
from binclock.drivers.ansi import ANSI16
from binclock.drivers.gif import RecordingDone
from binclock.frame import RGB
from binclock.light.curve import Smoother, brightness_for
from binclock.pipeline import Pipeline, build_driver, build_pipeline
from binclock.timeofday.alarms import AlarmEntry, Alarms

AT = datetime(2026, 3, 14, 13, 37, 42, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"

# How the LED pictures look (options of the png and gif drivers).
SENSE_HAT = {"led_size": 22, "spacing": 6, "background": (20, 20, 20), "unlit": (44, 44, 44)}
NEOPIXEL = {"led_size": 18, "spacing": 14, "background": (6, 6, 6), "unlit": (58, 58, 54)}
UNICORN = {"led_size": 14, "spacing": 10, "background": (14, 14, 16), "unlit": (40, 40, 44)}
GIF_SECONDS = 5

# The terminal picture: screen size in cells, cell size in pixels, then scaled up crisply.
SCREEN = (26, 16)
CELL = (8, 16)
SCALE = 2
TERMINAL_BG: RGB = (24, 24, 28)
TERMINAL_FG: RGB = (204, 204, 204)
TITLE_BAR: RGB = (48, 48, 54)
TITLE_HEIGHT = 20
BUTTONS: tuple[RGB, ...] = ((255, 95, 86), (255, 189, 46), (39, 201, 63))
PYTE_COLOURS = ["black", "red", "green", "brown", "blue", "magenta", "cyan", "white"]
NAMED: dict[str, RGB] = {
    **{name: ANSI16[i] for i, name in enumerate(PYTE_COLOURS)},
    **{f"bright{name}": ANSI16[8 + i] for i, name in enumerate(PYTE_COLOURS)},
}
SHADES = {"░": {0}, "▒": {0, 3}, "▓": {0, 1, 3}}  # dots lit in each 2x2 tile, numbered 0-3

# The luma pictures: the luma driver's options, and how luma's capture device draws them
# (led_matrix: a picture of a real LED per pixel; identity: each pixel scaled up).
LUMA_MAX7219 = ({"device": "max7219", "cascaded": 4, "contrast": 255}, "led_matrix", 2)
LUMA_OLED = {"device": "ssd1306", "contrast": 255}
LUMA_OLED_SCALE = 3


def build(
    driver: str, face: str, options: dict[str, Any], **handles: Any
) -> tuple[Pipeline, Driver]:
    """The pipeline and driver the command line would build for this configuration."""
    cfg = config.validate({"face": face, "driver": driver, "drivers": {driver: options}})
    display = build_driver(cfg, None, **handles)
    return build_pipeline(cfg, display), display


def snapshot(path: Path, face: str, **options: Any) -> Path:
    """The png driver's picture of ``face`` at 13:37:42."""
    pipeline, driver = build("png", face, {"path": str(path), **options})
    try:
        driver.show(pipeline.render(AT))
    finally:
        driver.close()
    return path


def recording(path: Path, face: str, seconds: int, **options: Any) -> Path:
    """The gif driver's recording of ``face`` from 13:37:42, one frame per second until done."""
    pipeline, driver = build("gif", face, {"path": str(path), "seconds": seconds, **options})
    try:
        with contextlib.suppress(RecordingDone):
            for second in itertools.count():
                driver.show(pipeline.render(AT + timedelta(seconds=second)))
    finally:
        driver.close()
    return path


# Several displays at once: one clock, a square matrix and a 3x6 strip, both png displays.
SEVERAL = {"matrix": {"width": 8, "height": 8}, "strip": {"width": 3, "height": 6}}


def several(out: Path) -> list[Path]:
    """What one ``binclock --once`` shows at 13:37:42 on each of the displays in SEVERAL,
    run as a user would, with ``[displays.NAME]`` tables naming the png driver twice."""
    paths = [out / f"displays-{name}.png" for name in SEVERAL]
    tables = [
        f'[displays.{name}]\ndriver = "png"\npath = "{path}"\n'
        + "".join(f"{key} = {value}\n" for key, value in size.items())
        for (name, size), path in zip(SEVERAL.items(), paths, strict=True)
    ]
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "config.toml"
        file.write_text(f"driver = {list(SEVERAL)!r}\n\n" + "\n".join(tables))
        at = AT.strftime("%H:%M:%S")
        command = [sys.executable, "-m", "binclock", "--config", str(file), "--at", at, "--once"]
        subprocess.run(command, check=True, env=os.environ | {"TZ": "UTC"})
    return paths


def luma(path: Path, face: str, options: dict[str, Any], transform: str, scale: int) -> Path:
    """The luma driver's image at 13:37:42, as luma's own capture device saves it."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from luma.emulator.device import capture

    from binclock.drivers.luma import LumaOptions

    width, height = LumaOptions(**options).panel()
    with tempfile.TemporaryDirectory() as tmp:
        saved = Path(tmp)
        device = capture(
            width=width,
            height=height,
            mode="1",
            transform=transform,
            scale=scale,
            file_template=str(saved / "{0:06}.png"),
        )
        pipeline, driver = build("luma", face, options, device=device)
        try:
            driver.show(pipeline.render(AT))
            shown = max(saved.glob("*.png"))  # the last image luma saved: this frame
            Image.open(shown).save(path, format="PNG")
        finally:
            driver.close()
    return path


def terminal(path: Path) -> Path:
    """The terminal driver's real output at 13:37:42, run through a VT emulator and drawn."""
    stream = io.StringIO()
    pipeline, driver = build(
        "terminal",
        "binary",
        {"colour": "truecolor", "fullscreen": True},
        stream=stream,
        environ={},
        terminal_size=lambda: os.terminal_size(SCREEN),
    )
    try:
        driver.show(pipeline.render(AT))
        screen = pyte.Screen(*SCREEN)
        pyte.Stream(screen).feed(stream.getvalue())
    finally:
        driver.close()
    draw_screen(screen).save(path, format="PNG")
    return path


def draw_screen(screen: pyte.Screen) -> Image.Image:
    """A terminal window showing the emulator's cells: their colours, blocks as filled cells."""
    cw, ch = CELL
    width, height = screen.columns * cw, screen.lines * ch
    image = Image.new("RGB", (width, TITLE_HEIGHT + height), TERMINAL_BG)
    pen = ImageDraw.Draw(image)
    font = getattr(ImageFont, "load_default_imagefont", ImageFont.load_default)()
    pen.rectangle((0, 0, width - 1, TITLE_HEIGHT - 1), fill=TITLE_BAR)
    for i, colour in enumerate(BUTTONS):
        x = 8 + i * 14
        pen.ellipse((x, 5, x + 9, 14), fill=colour)
    title = "binclock"
    pen.text(((width - 6 * len(title)) // 2, 4), title, fill=(170, 170, 176), font=font)
    for row in range(screen.lines):
        for col in range(screen.columns):
            cell = screen.buffer[row][col]
            fg = _colour(cell.fg, TERMINAL_FG)
            bg = _colour(cell.bg, TERMINAL_BG)
            if cell.reverse:
                fg, bg = bg, fg
            left, top = col * cw, TITLE_HEIGHT + row * ch
            box = (left, top, left + cw - 1, top + ch - 1)
            pen.rectangle(box, fill=bg)
            if cell.data == "█":
                pen.rectangle(box, fill=fg)
            elif cell.data in SHADES:
                _shade(pen, box, fg, SHADES[cell.data])
            elif cell.data.strip():
                pen.text((left + 1, top + 2), cell.data, fill=fg, font=font)
    return image.resize((image.width * SCALE, image.height * SCALE), Image.Resampling.NEAREST)


def _shade(
    pen: ImageDraw.ImageDraw, box: tuple[int, int, int, int], fg: RGB, dots: set[int]
) -> None:
    """A shade glyph as a regular pattern of dots, as terminals draw it."""
    left, top, right, bottom = box
    for y in range(top, bottom + 1):
        for x in range(left, right + 1):
            if (x % 2) + 2 * (y % 2) in dots:
                pen.point((x, y), fill=fg)


def _colour(name: str, default: RGB) -> RGB:
    """A pyte cell colour: "default", a name such as "red", or six hex digits."""
    if name == "default":
        return default
    if name in NAMED:
        return NAMED[name]
    n = int(name, 16)
    return (n >> 16, n >> 8 & 255, n & 255)


def wake_up(path: Path, minutes: int = 20, width: int = 600) -> Path:
    """The wake-up light's fade as ``Alarms`` shows it, left (the fade begins) to right (the
    alarm rings): on a colour display, on a single-colour one that dims, the minutes before
    the alarm, and under each mark a 3x6 display of on/off LEDs or flip-discs then."""
    alarm = AlarmEntry.model_validate({"time": "07:00", "fade": minutes})
    alarms = Alarms((alarm,), tz=UTC)
    rings = int(datetime(2026, 6, 1, 7, tzinfo=UTC).timestamp())
    band, gap, cell = 40, 4, 8  # each band's height, the dark line between, an LED's cell
    ticks = 2 * band + gap
    grids = ticks + 20
    image = Image.new("RGB", (width, grids + 6 * cell + gap), (32, 32, 32))
    draw = ImageDraw.Draw(image)
    for x in range(width):
        phase = alarms.phase(rings - minutes * 60 + x * minutes * 60 // width)
        if phase is None:
            continue
        colour, grey = (phase.fade(tones, 1, 1, 1.0)[0] for tones in ("colour", "grey"))
        draw.line([(x, 0), (x, band - 1)], fill=colour)
        draw.line([(x, band + gap), (x, ticks - 1)], fill=grey)
    for left in range(minutes, -1, -5):
        x = min((minutes - left) * (width - 1) // minutes, width - 1)
        draw.line([(x, ticks), (x, ticks + 4)], fill=(200, 200, 200))
        label = f"-{left} min" if left else "alarm"
        draw.text((min(x + 2, width - 40), ticks + 5), label, fill=(200, 200, 200))
        phase = alarms.phase(rings - max(left * 60, 1))  # the fade's last second at the alarm
        if phase is None:
            continue
        leds = phase.fade("on-off", 3, 6, 1.0)
        for i, lit in enumerate(leds):
            cx, cy = min(x + 2, width - 40) + i % 3 * cell, grids + i // 3 * cell
            dot = (cx + 1, cy + 1, cx + cell - 2, cy + cell - 2)
            draw.ellipse(dot, fill=lit if lit != (0, 0, 0) else (64, 64, 64))
    image.save(path)
    return path


# The light pictures: a plot's size, margins (left, top, right, bottom) and colours.
PLOT = (600, 240)
MARGINS = (44, 12, 16, 30)
PLOT_BG: RGB = (32, 32, 32)
AXES: RGB = (200, 200, 200)
GRID: RGB = (64, 64, 64)
LINE: RGB = (255, 189, 46)
MARK: RGB = (120, 170, 255)
STEP_AT = 10.0  # seconds into the smoothing picture when the room goes from dark to daylight
ROOM = (0.5, 20000.0)  # lux: a dark bedroom, daylight by a window


class Plot:
    """Axes on an image: x over ``xs``, spaced evenly in what ``to_x`` makes of it (``math.log``
    for a logarithmic scale), y brightness 0-1, with a faint grid line and label at each x
    tick and y 0, 0.5 and 1."""

    def __init__(
        self, xs: tuple[float, float], ticks: dict[float, str], to_x: Callable[[float], float]
    ) -> None:
        self.image = Image.new("RGB", PLOT, PLOT_BG)
        self.pen = ImageDraw.Draw(self.image)
        self.font = getattr(ImageFont, "load_default_imagefont", ImageFont.load_default)()
        self.to_x = to_x
        self.xs = (to_x(xs[0]), to_x(xs[1]))
        left, top, right, bottom = MARGINS
        self.box = (left, top, PLOT[0] - right, PLOT[1] - bottom)
        for value in (0.0, 0.5, 1.0):
            y = self.y(value)
            self.pen.line([(self.box[0], y), (self.box[2], y)], fill=GRID)
            self.pen.text((4, y - 5), f"{value:.1f}", fill=AXES, font=self.font)
        for value, label in ticks.items():
            x = self.x(value)
            self.pen.line([(x, self.box[1]), (x, self.box[3])], fill=GRID)
            self.label(x, label, AXES)
        self.pen.rectangle(self.box, outline=AXES)

    def x(self, value: float) -> int:
        """The pixel column of ``value`` on the x axis."""
        share = (self.to_x(value) - self.xs[0]) / (self.xs[1] - self.xs[0])
        return round(self.box[0] + share * (self.box[2] - self.box[0]))

    def y(self, brightness: float) -> int:
        """The pixel row of ``brightness``."""
        return round(self.box[3] - brightness * (self.box[3] - self.box[1]))

    def label(self, x: int, text: str, colour: RGB) -> None:
        """``text`` centred below the x axis at column ``x``, kept inside the picture."""
        left = min(x - 3 * len(text), PLOT[0] - 6 * len(text) - 2)  # the font is 6 pixels wide
        self.pen.text((left, self.box[3] + 4), text, fill=colour, font=self.font)

    def mark(self, value: float, text: str) -> None:
        """A dashed vertical line at ``value``, named at its top."""
        x = self.x(value)
        for y in range(self.box[1], self.box[3], 6):
            self.pen.line([(x, y), (x, min(y + 3, self.box[3]))], fill=MARK)
        self.pen.text((x + 3, self.box[1] + 2), text, fill=MARK, font=self.font)

    def curve(self, points: list[tuple[float, float]], path: Path) -> Path:
        """Draws ``points`` (x, brightness) joined by lines and saves the picture."""
        line = [(self.x(x), self.y(b)) for x, b in points]
        self.pen.line(line, fill=LINE, width=2)
        self.image.save(path)
        return path


def light_curve(path: Path) -> Path:
    """The brightness ``brightness_for`` gives with the default ``[light]`` settings, over lux
    on a logarithmic scale from a tenth of ``dark_lux`` to ten times ``bright_lux``."""
    light = config.LightConfig()
    low, high = light.dark_lux / 10, light.bright_lux * 10
    decades = range(round(math.log10(low)), round(math.log10(high)) + 1)
    ticks = {10.0**d: f"{10.0**d:g} lux" if d == decades[-1] else f"{10.0**d:g}" for d in decades}
    plot = Plot((low, high), ticks, math.log)
    plot.mark(light.dark_lux, "dark_lux")
    plot.mark(light.bright_lux, "bright_lux")
    columns = plot.box[2] - plot.box[0]
    lux = [low * (high / low) ** (i / columns) for i in range(columns + 1)]
    return plot.curve([(x, brightness_for(x, light)) for x in lux], path)


def light_smoothing(path: Path, seconds: int = 100) -> Path:
    """The brightness a ``Smoother`` with the default ``[light]`` settings shows, reading the
    sensor every ``interval``, as a dark room turns to daylight ``STEP_AT`` seconds in."""
    light = config.LightConfig()
    smoother = Smoother(light)
    ticks = {float(t): f"{t} s" if t == seconds else f"{t}" for t in range(0, seconds + 1, 20)}
    plot = Plot((0.0, float(seconds)), ticks, float)
    plot.mark(STEP_AT, "daylight")
    plot.mark(STEP_AT + light.smoothing, "+ smoothing")
    points: list[tuple[float, float]] = []
    readings = int(seconds / light.interval)
    for at in (i * light.interval for i in range(readings + 1)):
        smoother.update(ROOM[at >= STEP_AT], at)
        shown = smoother.shown if smoother.shown is not None else 0.0
        if points:
            points.append((at, points[-1][1]))  # held until the reading
        points.append((at, shown))
    return plot.curve(points, path)


def make_all(out: Path) -> list[Path]:
    """Every docs picture, written into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    return [
        terminal(out / "terminal.png"),
        snapshot(out / "face-binary.png", "binary"),
        snapshot(out / "face-bcd.png", "bcd"),
        snapshot(out / "sensehat-binary.png", "binary", width=8, height=8, **SENSE_HAT),
        snapshot(out / "sensehat-bcd.png", "bcd", width=8, height=8, **SENSE_HAT),
        snapshot(out / "neopixel-8x8.png", "binary", width=8, height=8, **NEOPIXEL),
        snapshot(out / "unicornhatmini-binary.png", "binary", width=17, height=7, **UNICORN),
        snapshot(out / "unicornhatmini-bcd.png", "bcd", width=17, height=7, **UNICORN),
        recording(out / "clock.gif", "binary", GIF_SECONDS),
        *several(out),
        luma(out / "luma-max7219.png", "binary", *LUMA_MAX7219),
        luma(out / "luma-ssd1306.png", "binary", LUMA_OLED, "identity", LUMA_OLED_SCALE),
        luma(
            out / "luma-ssd1306-round.png",
            "bcd",
            {**LUMA_OLED, "shape": "round"},
            "identity",
            LUMA_OLED_SCALE,
        ),
        wake_up(out / "wake-up-fade.png"),
        light_curve(out / "light-curve.png"),
        light_smoothing(out / "light-smoothing.png"),
    ]


# The web page's screenshots: file name and viewport (CSS pixels) of a desktop and a phone.
SCREENSHOTS = {"web-desktop.png": (1280, 800), "web-phone.png": (390, 844)}
WEB_CLOCK = ("--at", "13:37:42", "--set", 'schedule=[{from="22:30", to="07:00", brightness=0.2}]')


def screenshots(out: Path) -> list[Path]:
    """The web page in headless Chromium, against a clock started at 13:37:42; nothing
    when Chromium is not installed (said on stderr)."""
    sys.path.insert(0, str(ROOT / "tests"))
    import webpage  # the tests' own harness: a real clock, binclock web and Chromium

    missing = webpage.browser_missing()
    if missing:
        print(f"make_images: no screenshots of the web page: {missing}", file=sys.stderr)
        return []
    made = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with (
            webpage.running_clock(folder / "clock", *WEB_CLOCK) as socket,
            webpage.running_web(folder / "web", socket) as url,
        ):
            for name, (width, height) in SCREENSHOTS.items():
                browser = webpage.chromium(folder / f"profile-{width}", width, height)
                try:
                    browser.get(url)
                    webpage.wait_for(lambda b=browser: webpage.drawn(b)["frame"], "a frame")
                    browser.save_screenshot(str(out / name))
                finally:
                    browser.quit()
                made.append(out / name)
    return made


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=IMAGES, help="folder to write into (default: docs/images)"
    )
    args = parser.parse_args(argv)
    for path in make_all(args.out) + screenshots(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
