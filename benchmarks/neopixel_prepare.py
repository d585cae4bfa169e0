"""How long the neopixel driver takes to prepare a 16x16 frame (256 LEDs), next to the
straightforward per-pixel loop most NeoPixel scripts use, measured in the same run.

Preparing is everything between a Frame and the LED words the backend takes: serpentine
layout, gamma 2.2, the current limiter (dimming this frame) and the word packing. The
baseline does the same work pixel by pixel and hands each LED to rpi_ws281x's
``PixelStrip.setPixelColor``. rpi_ws281x's compiled module is replaced by a stand-in that
only stores the words (a real ``PixelStrip`` cannot start off a Pi), so both sides pay the
same Python cost of setPixelColor and nothing else.

Run: python benchmarks/neopixel_prepare.py [--runs N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

from binclock.drivers.neopixel import layout
from binclock.drivers.neopixel.colour import CurrentModel, Limiter, gamma_table
from binclock.drivers.neopixel.options import NeoPixelOptions
from binclock.drivers.neopixel.prepare import Preparer
from binclock.frame import Frame

WIDTH = HEIGHT = 16
TARGET_US = 100.0


def stand_in_for_rpi_ws281x() -> ModuleType:
    """Enough of ``_rpi_ws281x`` for PixelStrip: settings are dropped, LED words stored."""
    ws = ModuleType("_rpi_ws281x")
    ws.WS2811_STRIP_GRB = 0x00081000  # type: ignore[attr-defined]

    def channel_get(strip: dict[str, Any], number: int) -> dict[str, Any]:
        return strip.setdefault(number, {"leds": []})

    def count_set(channel: dict[str, Any], count: int) -> None:
        channel["leds"] = [0] * count

    def led_set(channel: dict[str, Any], n: int, value: int) -> None:
        channel["leds"][n] = value

    def ignore(*_: Any) -> int:
        return 0

    ws.new_ws2811_t = dict  # type: ignore[attr-defined]
    ws.ws2811_channel_get = channel_get  # type: ignore[attr-defined]
    ws.ws2811_channel_t_count_set = count_set  # type: ignore[attr-defined]
    ws.ws2811_led_set = led_set  # type: ignore[attr-defined]
    for name in (
        "ws2811_channel_t_gpionum_set",
        "ws2811_channel_t_invert_set",
        "ws2811_channel_t_brightness_set",
        "ws2811_channel_t_strip_type_set",
        "ws2811_channel_t_gamma_set",
        "ws2811_t_freq_set",
        "ws2811_t_dmanum_set",
        "ws2811_init",
        "ws2811_fini",
        "delete_ws2811_t",
    ):
        setattr(ws, name, ignore)
    return ws


def baseline(frame: Frame, strip: Any, color: Callable[..., int], budget_ma: float) -> None:
    """The usual script: per pixel, find the LED, correct gamma, then dim and set each LED."""
    gamma = GAMMA
    leds = []
    total = 0
    for y in range(frame.height):
        for x in range(frame.width):
            r, g, b = frame.pixels[y * frame.width + x]
            r, g, b = gamma[r], gamma[g], gamma[b]
            led = y * frame.width + (x if y % 2 == 0 else frame.width - 1 - x)
            leds.append((led, r, g, b))
            total += r + g + b
    colour_ma = total * 55 / 765
    room = budget_ma - len(leds) * 1.0
    scale = min(1.0, room / colour_ma) if colour_ma else 1.0
    for led, r, g, b in leds:
        strip.setPixelColor(led, color(int(r * scale), int(g * scale), int(b * scale)))


GAMMA = gamma_table(2.2)


def median_us(work: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        work()
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3000, help="timed runs per measurement")
    runs = parser.parse_args().runs

    sys.modules["_rpi_ws281x"] = stand_in_for_rpi_ws281x()
    from rpi_ws281x import Color, PixelStrip

    leds = WIDTH * HEIGHT
    strip = PixelStrip(leds, 18)
    strip.begin()

    rng = random.Random(42)
    frame = Frame(
        WIDTH,
        HEIGHT,
        tuple((rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(leds)),
    )
    options = NeoPixelOptions(
        width=WIDTH, height=HEIGHT, layout="rows", start="top-left", max_current_ma=3000
    )
    limiter = Limiter(CurrentModel(leds, options.led_ma, options.idle_ma), options.max_current_ma)
    prepare = Preparer(
        layout.for_options(options), leds, gamma=options.gamma, limiter=limiter, white=False
    )
    idle = Preparer(layout.for_options(options), leds, gamma=options.gamma, limiter=None)
    prepare(frame.pixels)
    dimming = prepare.scale < 256

    def prepare_and_send() -> None:
        words = prepare(frame.pixels)
        for led in range(leds):
            strip.setPixelColor(led, words[led])

    # warm up, then measure each side in turns so both see the same machine state
    results: dict[str, list[float]] = {"base": [], "prep": [], "idle": [], "send": []}
    jobs = {
        "base": lambda: baseline(frame, strip, Color, options.max_current_ma),
        "prep": lambda: prepare(frame.pixels),
        "idle": lambda: idle(frame.pixels),
        "send": prepare_and_send,
    }
    for job in jobs.values():
        median_us(job, 50)
    for _ in range(5):
        for key, job in jobs.items():
            results[key].append(median_us(job, runs // 5))
    base, prep, idle_us, send = (statistics.median(results[k]) for k in jobs)

    print(
        f"neopixel_prepare: {leds} LEDs ({WIDTH}x{HEIGHT} serpentine, gamma 2.2,"
        f" limiter {'dimming' if dimming else 'idle'}), median of {runs} runs, Python"
        f" {sys.version.split()[0]}"
    )
    print(f"  baseline: per-pixel loop + setPixelColor  {base:8.1f} us")
    print(
        f"  prepare (layout, gamma, limiter -> words) {prep:8.1f} us"
        f"   {base / prep:4.1f}x faster   target <= {TARGET_US:.0f} us:"
        f" {'met' if prep <= TARGET_US else 'MISSED'}"
    )
    print(f"  prepare, limiter not dimming              {idle_us:8.1f} us   {base / idle_us:4.1f}x")
    print(f"  prepare + setPixelColor for all {leds} LEDs {send:8.1f} us   {base / send:4.1f}x")


if __name__ == "__main__":
    main()
