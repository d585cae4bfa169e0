"""Fades between frames: the blend, the steps, their timing on an injected clock."""

from __future__ import annotations

import math
from datetime import datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError

from binclock.clock import ManualClock
from binclock.daemon.ticker import Ticker
from binclock.daemon.transition import (
    TransitionOptions,
    blend,
    can_animate,
    fade_steps,
    lead_in,
    play,
)
from binclock.drivers.fake import FakeDriver, FakeOptions
from binclock.faces.time import BinaryFace
from binclock.frame import Frame, Label
from binclock.painter import Painter

UTC = ZoneInfo("UTC")
OFF = Frame(2, 1, ((0, 0, 0), (10, 20, 30)))
ON = Frame(2, 1, ((200, 100, 50), (10, 20, 30)), caption="on", labels=(Label(0, "S"),))

channels = st.integers(0, 255)
colours = st.tuples(channels, channels, channels)


@st.composite
def frame_pairs(draw: st.DrawFn) -> tuple[Frame, Frame]:
    width, height = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    pixels = st.lists(colours, min_size=width * height, max_size=width * height).map(tuple)
    return Frame(width, height, draw(pixels)), Frame(width, height, draw(pixels))


# -- blend -------------------------------------------------------------------------------


def test_blend_at_zero_shows_the_previous_pixels():
    assert blend(OFF, ON, 0.0).pixels == OFF.pixels


def test_blend_at_one_is_the_target_itself():
    assert blend(OFF, ON, 1.0) is ON


def test_blend_halfway_is_the_mean_colour():
    assert blend(OFF, ON, 0.5).pixel(0, 0) == (100, 50, 25)


def test_blend_rounds_to_the_nearest_channel_value():
    assert blend(Frame.blank(1, 1), Frame.blank(1, 1, (10, 10, 10)), 0.87).pixels == ((9, 9, 9),)


def test_blend_leaves_unchanged_pixels_alone():
    assert blend(OFF, ON, 0.3).pixel(1, 0) == (10, 20, 30)


def test_blend_carries_the_targets_caption_and_labels():
    mixed = blend(OFF, ON, 0.5)
    assert (mixed.caption, mixed.labels) == ("on", ON.labels)


def test_blend_refuses_frames_of_different_sizes():
    with pytest.raises(ValueError, match="2x1 frame into a 1x2"):
        blend(OFF, Frame.blank(1, 2), 0.5)


@pytest.mark.parametrize("progress", [-0.1, 1.1, math.nan])
def test_blend_refuses_progress_outside_zero_to_one(progress):
    with pytest.raises(ValueError, match="between 0 and 1"):
        blend(OFF, ON, progress)


@given(frame_pairs(), st.floats(0.0, 1.0))
def test_every_blended_channel_lies_between_the_two_frames(pair, progress):
    previous, target = pair
    mixed = blend(previous, target, progress)
    for a, m, b in zip(previous.pixels, mixed.pixels, target.pixels, strict=True):
        for ca, cm, cb in zip(a, m, b, strict=True):
            assert min(ca, cb) <= cm <= max(ca, cb)


@given(frame_pairs(), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_a_later_blend_is_never_further_from_the_target(pair, p, q):
    previous, target = pair
    early, late = blend(previous, target, min(p, q)), blend(previous, target, max(p, q))
    for e, la, t in zip(early.pixels, late.pixels, target.pixels, strict=True):
        for ce, cl, ct in zip(e, la, t, strict=True):
            assert abs(ct - cl) <= abs(ct - ce)


# -- the steps of a fade -----------------------------------------------------------------


def test_fade_steps_are_spaced_by_the_frame_rate():
    steps = fade_steps(OFF, ON, fps=10, duration=0.5)
    assert [offset for offset, _ in steps] == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5])


def test_fade_steps_do_not_repeat_the_frame_already_shown():
    first_offset, first = fade_steps(OFF, ON, fps=10, duration=0.5)[0]
    assert first_offset > 0 and first != OFF


def test_fade_steps_brighten_evenly():
    steps = fade_steps(OFF, ON, fps=4, duration=1.0)
    assert [frame.pixel(0, 0)[0] for _, frame in steps] == [50, 100, 150, 200]


def test_fade_steps_end_on_the_target_at_the_duration():
    offset, frame = fade_steps(OFF, ON, fps=30, duration=0.3)[-1]
    assert offset == 0.3 and frame is ON


def test_float_noise_does_not_add_a_step():
    # 0.28 s at 25 fps is 7 steps although 0.28 * 25 is a hair over 7 in floating point.
    assert len(fade_steps(OFF, ON, fps=25, duration=0.28)) == 7


def test_without_a_previous_frame_only_the_target_is_shown():
    assert fade_steps(None, ON, fps=30, duration=0.3) == [(0.3, ON)]


def test_an_unchanged_frame_is_not_faded():
    assert fade_steps(ON, ON, fps=30, duration=0.3) == [(0.3, ON)]


def test_a_frame_of_another_size_is_not_faded():
    big = Frame.blank(3, 1)
    assert fade_steps(OFF, big, fps=30, duration=0.3) == [(0.3, big)]


def test_a_zero_duration_is_just_the_target():
    assert fade_steps(OFF, ON, fps=30, duration=0.0) == [(0.0, ON)]


@pytest.mark.parametrize(("fps", "duration"), [(0, 0.3), (-5, 0.3), (30, -0.1)])
def test_fade_steps_refuse_impossible_timings(fps, duration):
    with pytest.raises(ValueError, match=r"fps|duration"):
        fade_steps(OFF, ON, fps=fps, duration=duration)


@given(frame_pairs(), st.integers(1, 120), st.floats(0.0, 0.99))
def test_every_fade_ends_exactly_on_the_target(pair, fps, duration):
    previous, target = pair
    offset, frame = fade_steps(previous, target, fps, duration)[-1]
    assert offset == duration
    assert frame is target


@given(frame_pairs(), st.integers(1, 120), st.floats(0.01, 0.99))
def test_a_fade_never_leaves_more_than_a_frame_interval_between_steps(pair, fps, duration):
    previous, target = pair
    assume(previous != target)
    offsets = [0.0] + [offset for offset, _ in fade_steps(previous, target, fps, duration)]
    gaps = [b - a for a, b in pairwise(offsets)]
    assert all(0 < gap <= 1 / fps + 1e-9 for gap in gaps)


# -- on the clock ------------------------------------------------------------------------


def test_options_are_off_by_default():
    assert not TransitionOptions().enabled


def test_options_refuse_a_fade_of_a_second_or_more():
    with pytest.raises(ValidationError, match="less than 1"):
        TransitionOptions(duration=1.0)


def test_options_refuse_unknown_keys():
    with pytest.raises(ValidationError, match="Extra inputs"):
        TransitionOptions(length=0.3)  # type: ignore[call-arg]


def test_every_option_has_a_description():
    assert all(f.description for f in TransitionOptions.model_fields.values())


def test_lead_in_ends_on_the_target_at_the_boundary():
    steps = lead_in(OFF, ON, 1_700_000_000.0, TransitionOptions(duration=0.3, fps=10))
    assert steps[-1] == (1_700_000_000.0, ON)
    assert [t for t, _ in steps] == pytest.approx([1_699_999_999.8, 1_699_999_999.9, 1.7e9])


@given(st.integers(0, 4_000_000_000), st.floats(0.0, 0.99), st.integers(1, 120))
def test_the_last_step_lands_exactly_on_the_second(second, duration, fps):
    options = TransitionOptions(duration=duration, fps=fps)
    instant, frame = lead_in(OFF, ON, float(second), options)[-1]
    assert instant == second and frame is ON


def test_drivers_animate_unless_they_say_not():
    class Servo:
        animates = False

    assert can_animate(FakeDriver()) and not can_animate(Servo())


class Recorder:
    """A ``show`` that notes the clock reading at each frame."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.shown: list[tuple[float, Frame]] = []

    def __call__(self, frame: Frame) -> None:
        self.shown.append((self.clock.time(), frame))


def test_play_shows_each_step_at_its_instant():
    clock = ManualClock(100.0)
    show = Recorder(clock)
    steps = lead_in(OFF, ON, 101.0, TransitionOptions(duration=0.5, fps=4))
    assert play(steps, clock, show) == len(steps) == 2
    assert [t for t, _ in show.shown] == pytest.approx([100.75, 101.0])
    assert show.shown[-1][1] is ON


def test_play_drops_steps_it_is_too_late_for():
    clock = ManualClock(100.9)
    show = Recorder(clock)
    steps = lead_in(OFF, ON, 101.0, TransitionOptions(duration=0.5, fps=10))
    play(steps, clock, show)
    assert [t for t, _ in show.shown] == pytest.approx([100.9, 101.0])


def test_play_stops_when_the_clock_has_stepped_back():
    clock = ManualClock(100.0 - 3600)
    show = Recorder(clock)
    assert play(lead_in(OFF, ON, 101.0, TransitionOptions(duration=0.5)), clock, show) == 0
    assert clock.sleeps == []


def test_play_stops_when_the_clock_is_a_second_past_the_fade():
    clock = ManualClock(102.0)
    show = Recorder(clock)
    assert play(lead_in(OFF, ON, 101.0, TransitionOptions(duration=0.5)), clock, show) == 0


def test_play_stops_when_its_sleep_is_cut_short():
    clock = ManualClock(100.0)
    show = Recorder(clock)
    steps = lead_in(OFF, ON, 101.0, TransitionOptions(duration=0.5, fps=4))
    assert play(steps, clock, show, sleep=lambda seconds: clock.sleep(seconds / 2)) == 0


def test_play_sleeps_with_the_sleep_it_is_given():
    clock = ManualClock(100.0)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.sleep(seconds)

    steps = lead_in(OFF, ON, 101.0, TransitionOptions(duration=0.5, fps=4))
    play(steps, clock, Recorder(clock), sleep=sleep)
    assert slept == pytest.approx([0.75, 0.25])


def test_play_of_nothing_shows_nothing():
    assert play([], ManualClock(0.0), Recorder(ManualClock(0.0))) == 0


NOON = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)


def true_frame(second: float) -> Frame:
    now = datetime.fromtimestamp(second, UTC)
    return Painter().paint(BinaryFace().render(now), time=now)


def run_with_fades(
    driver: FakeDriver, options: TransitionOptions, seconds: int
) -> list[tuple[float, Frame]]:
    """The run loop with fades, as docs/schedule.md describes it, from noon on a manual clock.

    Returns each frame the driver was given with the clock reading at that moment.
    """
    clock = ManualClock(NOON)
    ticker = Ticker(clock)
    shown: list[tuple[float, Frame]] = []

    def show(frame: Frame) -> None:
        shown.append((clock.time(), frame))
        driver.show(frame)

    for _ in range(seconds):
        second = ticker.wait()
        frame = true_frame(second)
        show(frame)
        if options.enabled and can_animate(driver):
            play(lead_in(frame, true_frame(second + 1), second + 1, options), clock, show)
    return shown


def test_with_fades_the_frame_at_each_whole_second_is_that_seconds_frame():
    shown = run_with_fades(FakeDriver(), TransitionOptions(duration=0.25, fps=20), 3)
    start = NOON.timestamp()
    on_the_second = [(t, f) for t, f in shown if abs(t - round(t)) < 1e-6]
    assert sorted({round(t - start) for t, _ in on_the_second}) == [0, 1, 2, 3]
    for t, frame in on_the_second:
        assert frame.pixels == true_frame(round(t)).pixels


def test_with_fades_the_in_between_frames_come_in_the_last_quarter_second():
    shown = run_with_fades(FakeDriver(), TransitionOptions(duration=0.25, fps=20), 2)
    fractions = sorted({round(t % 1, 6) for t, _ in shown} - {0.0, 1.0})
    assert fractions == [0.8, 0.85, 0.9, 0.95]


def test_without_fades_one_frame_is_shown_per_second():
    shown = run_with_fades(FakeDriver(), TransitionOptions(), 3)
    assert [t - NOON.timestamp() for t, _ in shown] == [0.0, 1.0, 2.0]


def test_a_driver_that_cannot_animate_gets_only_whole_seconds():
    class StillFake(FakeDriver):
        animates = False

    driver = StillFake(FakeOptions())
    run_with_fades(driver, TransitionOptions(duration=0.5, fps=30), 3)
    assert [f.caption for f in driver.frames] == ["12:00:00", "12:00:01", "12:00:02"]
