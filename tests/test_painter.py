"""The painter colours, dims, places and turns a face's bits."""

from __future__ import annotations

from datetime import datetime

import pytest

from binclock.bitgrid import BitColumn, BitGrid
from binclock.faces.time import BinaryFace
from binclock.frame import BLACK
from binclock.painter import DEFAULT_ON, Painter, PlacementError, Theme
from conftest import column_values, decode_binary

NOW = datetime(2026, 1, 1, 13, 37, 42)
GRID = BinaryFace().render(NOW)
# A 2-column, 3-row grid that looks different after every turn and flip:
# column A = 0b101 (red), column B = 0b011 (green); upright it reads R. / .G / RG.
SMALL = BitGrid((BitColumn.of("hours", "A", 5, 3), BitColumn.of("minutes", "B", 3, 3)))
RED, GREEN = (255, 0, 0), (0, 255, 0)
SMALL_THEME = Theme(on={"hours": RED, "minutes": GREEN}, off={"default": BLACK})


def picture(frame) -> list[str]:
    """Rows as letters: R red, G green, . dark."""
    names = {RED: "R", GREEN: "G", BLACK: "."}
    return ["".join(names[p] for p in row) for row in frame.rows()]


def test_natural_size_is_one_pixel_per_bit():
    frame = Painter().paint(GRID)
    assert frame.size == (3, 6)
    assert decode_binary(frame) == (13, 37, 42)


def test_default_on_colours_differ_per_column_and_off_is_black():
    frame = Painter().paint(GRID)
    hours, minutes, seconds = (frame.pixel(x, 5) for x in range(3))  # 13, 37 odd; 42 even
    assert hours == DEFAULT_ON["hours"] and minutes == DEFAULT_ON["minutes"]
    assert seconds == BLACK
    assert len({DEFAULT_ON["hours"], DEFAULT_ON["minutes"], DEFAULT_ON["seconds"]}) == 3


def test_theme_sets_on_and_off_colours_per_group():
    theme = Theme(on={"default": (1, 2, 3)}, off={"seconds": (9, 9, 9), "default": BLACK})
    frame = Painter(theme=theme).paint(GRID)
    assert frame.pixel(0, 5) == (1, 2, 3)
    assert frame.pixel(2, 5) == (9, 9, 9)
    assert frame.pixel(0, 0) == BLACK


def test_brightness_scales_every_channel():
    frame = Painter(theme=SMALL_THEME, brightness=0.5).paint(SMALL)
    assert frame.pixel(0, 0) == (128, 0, 0)


def test_zero_brightness_is_dark():
    assert Painter(brightness=0.0).paint(GRID).is_dark()


def test_face_is_centred_on_a_larger_display():
    frame = Painter(theme=SMALL_THEME, size=(6, 5), gap=0).paint(SMALL)
    assert picture(frame) == ["......", "..R...", "...G..", "..RG..", "......"]


def test_offset_places_the_top_left_corner():
    frame = Painter(theme=SMALL_THEME, size=(4, 4), offset=(0, 1), gap=0).paint(SMALL)
    assert picture(frame) == ["....", "R...", ".G..", "RG.."]


def test_automatic_gap_separates_columns_where_the_display_has_room():
    frame = Painter(size=(8, 8)).paint(GRID)
    assert column_values(frame, [1, 3, 5]) == [13 << 1, 37 << 1, 42 << 1]  # rows 1-6 of 8
    assert column_values(frame, [0, 2, 4, 6, 7]) == [0, 0, 0, 0, 0]


def test_automatic_gap_is_dropped_when_it_would_not_fit():
    grid = BitGrid(tuple(BitColumn.of("x", "", 1, 4) for _ in range(6)))
    assert Painter(size=(8, 8)).layout(grid).width == 8  # 6 columns, no gaps, centred


def test_face_too_big_for_the_display_is_a_placement_error():
    with pytest.raises(PlacementError, match=r"needs 3x6 pixels .* display is 2x2"):
        Painter(size=(2, 2)).paint(GRID)


@pytest.mark.parametrize(
    ("rotation", "mirror", "expected"),
    [
        (0, False, ["R.", ".G", "RG"]),
        (90, False, ["R.R", "GG."]),
        (180, False, ["GR", "G.", ".R"]),
        (270, False, [".GG", "R.R"]),
        (0, True, [".R", "G.", "GR"]),
        (90, True, ["GG.", "R.R"]),
    ],
)
def test_rotation_turns_clockwise_and_mirror_flips_first(rotation, mirror, expected):
    frame = Painter(theme=SMALL_THEME, rotation=rotation, mirror=mirror).paint(SMALL)
    assert picture(frame) == expected


def test_labels_name_the_pixel_column_of_each_face_column():
    frame = Painter(size=(8, 8)).paint(GRID)
    assert [(label.x, label.text) for label in frame.labels] == [(1, "H"), (3, "M"), (5, "S")]


def test_labels_follow_a_mirrored_face():
    frame = Painter(mirror=True).paint(GRID)
    assert [(label.x, label.text) for label in frame.labels] == [(2, "H"), (1, "M"), (0, "S")]


def test_frame_carries_the_time_and_caption():
    frame = Painter().paint(GRID, time=NOW)
    assert frame.time == NOW
    assert frame.caption == "13:37:42"
