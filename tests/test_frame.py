"""Frames are immutable pixel grids that compare by their pixels."""

from __future__ import annotations

from datetime import datetime

import pytest

from binclock.frame import Frame


def test_frames_with_the_same_pixels_are_equal_whatever_their_time():
    a = Frame(1, 1, ((1, 2, 3),), time=datetime(2026, 1, 1, 0, 0, 0))
    b = Frame(1, 1, ((1, 2, 3),), time=datetime(2026, 1, 1, 0, 0, 1))
    assert a == b


def test_frames_with_different_pixels_differ():
    assert Frame(1, 1, ((1, 2, 3),)) != Frame(1, 1, ((1, 2, 4),))


def test_a_frame_cannot_be_changed():
    frame = Frame.blank(2, 2)
    with pytest.raises(AttributeError):
        frame.width = 3  # type: ignore[misc]


def test_pixel_count_must_match_the_size():
    with pytest.raises(ValueError, match="needs 4 pixels, got 3"):
        Frame(2, 2, ((0, 0, 0),) * 3)


def test_pixels_are_row_major_from_the_top_left():
    frame = Frame(2, 2, ((1, 1, 1), (2, 2, 2), (3, 3, 3), (4, 4, 4)))
    assert frame.pixel(1, 0) == (2, 2, 2)
    assert frame.pixel(0, 1) == (3, 3, 3)
    assert list(frame.rows()) == [((1, 1, 1), (2, 2, 2)), ((3, 3, 3), (4, 4, 4))]


def test_pixel_outside_the_frame_is_an_error():
    with pytest.raises(IndexError):
        Frame.blank(2, 2).pixel(2, 0)


def test_blank_frame_is_dark():
    assert Frame.blank(3, 6).is_dark()
    assert not Frame(1, 1, ((0, 0, 1),)).is_dark()
