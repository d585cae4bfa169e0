"""Which pixel each LED shows: strips along rows or columns, zig-zag or not, index maps."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from binclock.drivers.neopixel.layout import NO_PIXEL, for_options, from_index_map, strip
from binclock.drivers.neopixel.options import NeoPixelOptions

CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
sizes = st.integers(min_value=1, max_value=12)
corners = st.sampled_from(CORNERS)
alongs = st.sampled_from(("rows", "columns"))


def xy(pixel: int, width: int) -> tuple[int, int]:
    return pixel % width, pixel // width


def test_progressive_rows_from_the_top_left_read_like_the_frame() -> None:
    assert strip(3, 2, along="rows", start="top-left") == (0, 1, 2, 3, 4, 5)


def test_serpentine_rows_run_back_on_every_second_row() -> None:
    assert strip(3, 2, along="rows", start="top-left", serpentine=True) == (0, 1, 2, 5, 4, 3)


def test_classic_3x6_clock_snakes_up_down_up_from_the_bottom_left() -> None:
    # LED 0 at the bottom of the hours column, up it, down the minutes, up the seconds
    order = strip(3, 6, along="columns", start="bottom-left", serpentine=True)
    assert [xy(p, 3) for p in order[:7]] == [(0, 5), (0, 4), (0, 3), (0, 2), (0, 1), (0, 0), (1, 0)]
    assert [xy(p, 3) for p in order[12:]] == [(2, 5), (2, 4), (2, 3), (2, 2), (2, 1), (2, 0)]


def test_progressive_columns_all_start_on_the_start_side() -> None:
    order = strip(2, 3, along="columns", start="top-right")
    assert [xy(p, 2) for p in order] == [(1, 0), (1, 1), (1, 2), (0, 0), (0, 1), (0, 2)]


def test_bottom_right_rows_start_at_the_last_pixel() -> None:
    assert strip(2, 2, along="rows", start="bottom-right") == (3, 2, 1, 0)


@given(sizes, sizes, alongs, corners, st.booleans())
def test_every_pixel_gets_exactly_one_led(width, height, along, start, serpentine) -> None:
    order = strip(width, height, along=along, start=start, serpentine=serpentine)
    assert sorted(order) == list(range(width * height))


@given(sizes, sizes, alongs, corners, st.booleans())
def test_led_zero_is_in_the_start_corner(width, height, along, start, serpentine) -> None:
    x, y = xy(strip(width, height, along=along, start=start, serpentine=serpentine)[0], width)
    assert x == (0 if start.endswith("left") else width - 1)
    assert y == (0 if start.startswith("top") else height - 1)


@given(sizes, sizes, alongs, corners)
def test_serpentine_neighbours_on_the_strip_are_neighbours_on_the_grid(
    width, height, along, start
) -> None:
    order = strip(width, height, along=along, start=start, serpentine=True)
    for a, b in pairwise(order):
        (ax, ay), (bx, by) = xy(a, width), xy(b, width)
        assert abs(ax - bx) + abs(ay - by) == 1


@given(sizes, sizes, alongs, corners)
def test_progressive_lines_all_run_the_same_way(width, height, along, start) -> None:
    order = strip(width, height, along=along, start=start)
    line = width if along == "rows" else height
    firsts = [xy(p, width) for p in order[::line]]
    if along == "rows":
        assert len({x for x, _ in firsts}) == 1
    else:
        assert len({y for _, y in firsts}) == 1


def test_index_map_puts_each_led_on_its_pixel_and_leaves_gaps_dark() -> None:
    # pixels 0..3 wired to LEDs 2, none, 0, 1; LED 3 is on the strip but shows nothing
    assert from_index_map([2, -1, 0, 1], leds=4) == (2, 3, 0, NO_PIXEL)


@given(st.permutations(range(9)))
def test_index_map_is_the_inverse_of_the_layout(index_map) -> None:
    layout = from_index_map(index_map, leds=9)
    assert all(index_map[pixel] == led for led, pixel in enumerate(layout))


def test_options_layout_pads_a_longer_strip_with_dark_leds() -> None:
    options = NeoPixelOptions(width=2, height=1, layout="rows", start="top-left", leds=4)
    assert for_options(options) == (0, 1, NO_PIXEL, NO_PIXEL)


def test_options_index_map_given_as_rows_is_read_row_by_row() -> None:
    options = NeoPixelOptions(width=2, height=2, index_map=[[3, 2], [-1, 0]])
    assert for_options(options) == (3, NO_PIXEL, 1, 0)


@pytest.mark.parametrize("start", CORNERS)
def test_options_use_the_configured_corner(start) -> None:
    options = NeoPixelOptions(width=2, height=2, layout="rows", start=start, serpentine=False)
    assert for_options(options) == strip(2, 2, along="rows", start=start)
