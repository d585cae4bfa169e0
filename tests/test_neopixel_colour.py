"""Gamma correction and the brightness limiter's current model (WLED's)."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from binclock.drivers.neopixel.colour import (
    FULL,
    CurrentModel,
    Limiter,
    gamma_table,
    scale_table,
)


def test_gamma_one_leaves_values_alone() -> None:
    assert gamma_table(1.0) == bytes(range(256))


def test_gamma_keeps_black_and_full_and_darkens_the_middle() -> None:
    table = gamma_table(2.2)
    assert (table[0], table[128], table[255]) == (0, 56, 255)


@given(st.floats(min_value=1.0, max_value=4.0))
def test_gamma_never_reverses_two_values(gamma) -> None:
    table = gamma_table(gamma)
    assert all(a <= b for a, b in pairwise(table))


def test_scale_table_rounds_down() -> None:
    assert scale_table(128)[255] == 127
    assert scale_table(128)[1] == 0


def test_full_white_led_draws_its_rated_current_plus_idle() -> None:
    model = CurrentModel(leds=18, led_ma=55, idle_ma=1)
    assert model.milliamps(18 * 3 * 255) == 18 + 18 * 55


def test_dark_strip_draws_only_the_idle_current() -> None:
    assert CurrentModel(leds=256, idle_ma=1).milliamps(0) == 256


def test_frame_within_budget_is_not_dimmed() -> None:
    limiter = Limiter(CurrentModel(leds=18), budget_ma=2000)
    assert limiter.scale(18 * 3 * 255) == FULL


def test_frame_over_budget_is_dimmed_by_the_ratio_of_what_is_left() -> None:
    # 18 white LEDs want 990 mA of colour; 500 - 18 idle leaves 482: 256 * 482 / 990 = 124.6
    limiter = Limiter(CurrentModel(leds=18), budget_ma=500)
    assert limiter.scale(18 * 3 * 255) == 124


@given(
    st.lists(st.integers(min_value=0, max_value=255), min_size=3, max_size=300),
    st.integers(min_value=100, max_value=20000),
)
def test_limited_frame_stays_within_budget(channels, budget) -> None:
    model = CurrentModel(leds=len(channels) // 3)
    limiter = Limiter(model, budget_ma=budget + model.leds * model.idle_ma)
    scale = limiter.scale(sum(channels))
    sent = bytes(channels).translate(scale_table(scale)) if scale < FULL else bytes(channels)
    assert model.milliamps(sum(sent)) <= limiter.budget_ma
