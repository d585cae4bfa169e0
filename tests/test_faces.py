"""The binary and BCD faces encode every second of the day exactly."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from binclock.faces.time import BcdFace, BinaryFace

MIDNIGHT = datetime(2026, 6, 1)
DAY = [MIDNIGHT + timedelta(seconds=s) for s in range(86_400)]


def twelve_hour(hour: int) -> int:
    return hour % 12 or 12


@pytest.mark.parametrize("hour12", [False, True], ids=["24h", "12h"])
def test_binary_face_decodes_to_the_time_for_every_second_of_the_day(hour12):
    face = BinaryFace(hour12=hour12)
    for now in DAY:
        hours = twelve_hour(now.hour) if hour12 else now.hour
        assert face.render(now).values() == (hours, now.minute, now.second), now


@pytest.mark.parametrize("hour12", [False, True], ids=["24h", "12h"])
def test_bcd_face_decodes_to_the_time_for_every_second_of_the_day(hour12):
    face = BcdFace(hour12=hour12)
    for now in DAY:
        hours = twelve_hour(now.hour) if hour12 else now.hour
        d = face.render(now).values()
        assert (10 * d[0] + d[1], 10 * d[2] + d[3], 10 * d[4] + d[5]) == (
            hours,
            now.minute,
            now.second,
        ), now


def test_binary_face_has_columns_h_m_s_of_six_bits_msb_first():
    grid = BinaryFace().render(datetime(2026, 1, 1, 13, 37, 42))
    assert [c.label for c in grid.columns] == ["H", "M", "S"]
    assert [c.group for c in grid.columns] == ["hours", "minutes", "seconds"]
    assert grid.height == 6
    assert grid.columns[0].bits == (False, False, True, True, False, True)  # 13 = 8+4+1
    assert grid.columns[0].weights == (32, 16, 8, 4, 2, 1)


def test_bcd_face_has_a_four_bit_column_per_digit_msb_first():
    grid = BcdFace().render(datetime(2026, 1, 1, 13, 37, 42))
    assert [c.label for c in grid.columns] == ["H", "H", "M", "M", "S", "S"]
    assert grid.values() == (1, 3, 3, 7, 4, 2)
    assert grid.height == 4
    assert grid.columns[5].bits == (False, False, True, False)  # 2


def test_hiding_seconds_drops_the_seconds_columns():
    now = datetime(2026, 1, 1, 9, 5, 59)
    assert BinaryFace(seconds=False).render(now).values() == (9, 5)
    assert BcdFace(seconds=False).render(now).values() == (0, 9, 0, 5)


def test_twelve_hour_clock_shows_twelve_at_midnight_and_noon():
    face = BinaryFace(hour12=True)
    assert face.render(datetime(2026, 1, 1, 0, 0, 0)).values()[0] == 12
    assert face.render(datetime(2026, 1, 1, 12, 0, 0)).values()[0] == 12
    assert face.render(datetime(2026, 1, 1, 13, 0, 0)).values()[0] == 1


def test_caption_reads_the_time_in_digits():
    now = datetime(2026, 1, 1, 13, 37, 42)
    assert BinaryFace().render(now).caption == "13:37:42"
    assert BinaryFace(hour12=True).render(now).caption == "01:37:42 PM"
    assert BcdFace(seconds=False).render(now).caption == "13:37"
