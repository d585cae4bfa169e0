"""The wiring test: which pixels light, in what order, with what printed, through the fake."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from binclock.clock import ManualClock
from binclock.commandline.testpattern import WHITE, PatternStep, run, steps
from binclock.drivers.fake import FakeDriver, FakeOptions
from binclock.frame import BLACK

sizes = st.tuples(st.integers(1, 9), st.integers(1, 9))


def lit_positions(step: PatternStep) -> set[tuple[int, int]]:
    frame = step.frame
    return {
        (x, y)
        for y in range(frame.height)
        for x in range(frame.width)
        if frame.pixel(x, y) != BLACK
    }


def fake(width: int, height: int) -> FakeDriver:
    return FakeDriver(FakeOptions(width=width, height=height))


def play(pattern: list[PatternStep], **kwargs) -> tuple[FakeDriver, str, ManualClock, bool]:
    """Run the pattern on a fake display of its size; returns what each part saw."""
    width, height = pattern[0].frame.size
    driver, out, clock = fake(width, height), io.StringIO(), ManualClock(0.0)
    finished = run(driver, pattern, clock, out=out, **kwargs)
    return driver, out.getvalue(), clock, finished


# -- the steps ---------------------------------------------------------------------------


def test_the_steps_are_pixels_then_columns_then_all_then_dark():
    kinds = [s.kind for s in steps((3, 2))]
    assert kinds == ["pixel"] * 6 + ["column"] * 3 + ["full", "dark"]


def test_pixels_light_one_at_a_time_row_by_row_from_the_top_left():
    pixels = [s for s in steps((3, 2)) if s.kind == "pixel"]
    assert [lit_positions(s) for s in pixels] == [
        {(0, 0)},
        {(1, 0)},
        {(2, 0)},
        {(0, 1)},
        {(1, 1)},
        {(2, 1)},
    ]


def test_each_pixel_step_says_its_index_and_position():
    fifth = [s for s in steps((3, 2)) if s.kind == "pixel"][4]
    assert (fifth.index, fifth.x, fifth.y) == (4, 1, 1)
    assert fifth.description == "pixel 4 at x=1, y=1"


def test_a_drivers_pixel_names_are_added():
    pins = {(0, 0): "GPIO17", (1, 0): "GPIO27"}
    described = [s.description for s in steps((2, 1), describe_pixel=lambda x, y: pins[x, y])]
    assert described[:2] == ["pixel 0 at x=0, y=0: GPIO17", "pixel 1 at x=1, y=0: GPIO27"]


def test_columns_light_whole_columns_left_to_right():
    columns = [s for s in steps((3, 2)) if s.kind == "column"]
    assert [lit_positions(s) for s in columns] == [
        {(0, 0), (0, 1)},
        {(1, 0), (1, 1)},
        {(2, 0), (2, 1)},
    ]
    assert columns[1].description == "column 1 (x=1), 2 pixels"


def test_the_full_step_lights_every_pixel_at_the_given_brightness():
    full = next(s for s in steps((3, 2), brightness=0.2) if s.kind == "full")
    assert set(full.frame.pixels) == {(51, 51, 51)}
    assert full.description == "all 6 pixels at brightness 0.2"


def test_every_lit_pixel_uses_the_given_brightness():
    lit = {p for s in steps((3, 2), brightness=0.5) for p in s.frame.pixels if p != BLACK}
    assert lit == {(128, 128, 128)}


def test_a_colour_other_than_white_can_be_used():
    first = next(iter(steps((2, 2), colour=(255, 0, 0))))
    assert first.frame.pixel(0, 0) == (255, 0, 0)


def test_the_last_step_is_dark():
    last = list(steps((3, 2)))[-1]
    assert last.frame.is_dark() and last.description == "all dark"


def test_each_frame_carries_its_description_as_the_caption():
    assert all(s.frame.caption == s.description for s in steps((3, 2)))


def test_by_default_the_pattern_is_white_at_full_brightness():
    full = next(s for s in steps((2, 2)) if s.kind == "full")
    assert set(full.frame.pixels) == {WHITE} == {(255, 255, 255)}


@pytest.mark.parametrize("size", [(0, 3), (3, 0)])
def test_refuses_a_display_without_pixels(size):
    with pytest.raises(ValueError, match="at least 1x1"):
        list(steps(size))


def test_refuses_a_brightness_outside_zero_to_one():
    with pytest.raises(ValueError, match="between 0 and 1"):
        list(steps((3, 2), brightness=1.5))


@given(sizes)
def test_every_pixel_is_lit_exactly_once_and_in_index_order(size):
    width, height = size
    pixels = [s for s in steps(size) if s.kind == "pixel"]
    assert [s.index for s in pixels] == list(range(width * height))
    for s in pixels:
        assert lit_positions(s) == {(s.x, s.y)}
        assert s.index == s.y * width + s.x


@given(sizes)
def test_there_is_one_step_per_pixel_and_column_plus_all_and_dark(size):
    width, height = size
    assert len(list(steps(size))) == width * height + width + 2


# -- running it ----------------------------------------------------------------------------


def test_the_fake_display_receives_every_step_in_order():
    pattern = list(steps((3, 2)))
    driver, *_ = play(pattern, delay=0.0)
    assert driver.frames == [s.frame for s in pattern]


def test_each_step_is_printed_with_its_number():
    _, printed, *_ = play(list(steps((2, 1))), delay=0.0)
    assert printed.splitlines() == [
        "[1/6] pixel 0 at x=0, y=0",
        "[2/6] pixel 1 at x=1, y=0",
        "[3/6] column 0 (x=0), 1 pixel",
        "[4/6] column 1 (x=1), 1 pixel",
        "[5/6] all 2 pixels at brightness 1",
        "[6/6] all dark",
    ]


def test_steps_follow_each_other_after_the_delay():
    pattern = list(steps((2, 2)))
    _, _, clock, finished = play(pattern, delay=0.25)
    assert clock.sleeps == [0.25] * (len(pattern) - 1)
    assert finished


def test_step_mode_waits_for_enter_before_each_next_step():
    pattern = list(steps((2, 1)))
    shown_when_asked: list[int] = []

    def enter() -> str:
        shown_when_asked.append(len(driver.frames))
        return "\n"

    driver = fake(2, 1)
    finished = run(driver, pattern, ManualClock(0.0), step=True, read_line=enter, out=io.StringIO())
    assert shown_when_asked == list(range(1, len(pattern)))
    assert len(driver.frames) == len(pattern) and finished


def test_step_mode_does_not_sleep():
    answers = iter(["\n"] * 10)
    _, _, clock, _ = play(list(steps((2, 1))), step=True, read_line=lambda: next(answers))
    assert clock.sleeps == []


def test_step_mode_stops_at_q():
    answers = iter(["\n", "q\n"])
    driver, _, _, finished = play(list(steps((2, 2))), step=True, read_line=lambda: next(answers))
    assert len(driver.frames) == 2 and not finished


def test_step_mode_stops_at_the_end_of_input():
    driver, _, _, finished = play(list(steps((2, 2))), step=True, read_line=lambda: "")
    assert len(driver.frames) == 1 and not finished


def test_step_mode_prompts_for_enter():
    answers = iter(["\n"] * 10)
    _, printed, *_ = play(list(steps((1, 1))), step=True, read_line=lambda: next(answers))
    assert "[Enter: next, q: stop]" in printed


def test_a_negative_delay_is_refused():
    with pytest.raises(ValueError, match="delay"):
        play(list(steps((1, 1))), delay=-1.0)


def test_the_display_is_dark_after_a_complete_run():
    driver, *_ = play(list(steps((3, 2))), delay=0.0)
    driver.assert_dark()
