"""Frame pixels to LED words: the fast path gives what a plain per-pixel loop would."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from binclock.drivers.neopixel.colour import FULL, CurrentModel, Limiter, gamma_table
from binclock.drivers.neopixel.layout import NO_PIXEL, strip
from binclock.drivers.neopixel.prepare import Preparer

channel = st.integers(min_value=0, max_value=255)
rgb = st.tuples(channel, channel, channel)


def reference(pixels, layout, gamma=1.0, limiter=None, white=False) -> list[int]:
    """The obvious per-LED computation the Preparer must agree with."""
    table = gamma_table(gamma)
    leds = [[table[c] for c in (pixels[p] if p != NO_PIXEL else (0, 0, 0))] for p in layout]
    if limiter is not None:
        scale = limiter.scale(sum(sum(led) for led in leds))
        if scale < FULL:
            leds = [[c * scale >> 8 for c in led] for led in leds]
    words = []
    for r, g, b in leds:
        w = min(r, g, b) if white else 0
        words.append(w << 24 | (r - w) << 16 | (g - w) << 8 | (b - w))
    return words


def test_word_holds_red_green_blue_from_high_to_low() -> None:
    prepare = Preparer([0], pixels=1)
    assert prepare([(0x12, 0x34, 0x56)]) == [0x123456]


def test_leds_follow_the_layout() -> None:
    prepare = Preparer([2, 0, 1], pixels=3)
    assert prepare([(1, 0, 0), (2, 0, 0), (3, 0, 0)]) == [0x030000, 0x010000, 0x020000]


def test_led_without_a_pixel_stays_dark() -> None:
    prepare = Preparer([0, NO_PIXEL], pixels=1)
    assert prepare([(255, 255, 255)]) == [0xFFFFFF, 0]


def test_gamma_is_applied_to_each_channel() -> None:
    prepare = Preparer([0], pixels=1, gamma=2.2)
    assert prepare([(255, 128, 0)]) == [0xFF3800]


def test_white_led_takes_the_grey_part_of_the_colour() -> None:
    prepare = Preparer([0], pixels=1, white=True)
    assert prepare([(200, 150, 100)]) == [100 << 24 | 100 << 16 | 50 << 8 | 0]


def test_frame_over_budget_is_dimmed_and_says_so() -> None:
    limiter = Limiter(CurrentModel(leds=18), budget_ma=500)
    prepare = Preparer(range(18), pixels=18, limiter=limiter)
    words = prepare([(255, 255, 255)] * 18)
    assert prepare.scale == 124
    assert words[0] == 0x7B7B7B  # 255 * 124 // 256 = 123


def test_frame_within_budget_is_sent_as_it_is() -> None:
    limiter = Limiter(CurrentModel(leds=18), budget_ma=500)
    prepare = Preparer(range(18), pixels=18, limiter=limiter)
    assert prepare([(10, 10, 10)] * 18)[0] == 0x0A0A0A
    assert prepare.scale == FULL


def test_dark_words_are_all_zero() -> None:
    assert Preparer([0, 1, NO_PIXEL], pixels=2).dark() == [0, 0, 0]


@st.composite
def strips(draw):
    width = draw(st.integers(min_value=1, max_value=8))
    height = draw(st.integers(min_value=1, max_value=8))
    layout = list(strip(width, height, along="columns", start="bottom-left", serpentine=True))
    layout += [NO_PIXEL] * draw(st.integers(min_value=0, max_value=3))
    pixels = draw(st.lists(rgb, min_size=width * height, max_size=width * height))
    return layout, pixels


@given(
    strips(),
    st.sampled_from([1.0, 2.2, 2.8]),
    st.one_of(st.none(), st.integers(min_value=50, max_value=3000)),
    st.booleans(),
)
def test_fast_path_agrees_with_the_per_pixel_loop(laid, gamma, budget, white) -> None:
    layout, pixels = laid
    limiter = None
    if budget is not None:
        limiter = Limiter(CurrentModel(leds=len(layout)), budget_ma=budget + len(layout))
    prepare = Preparer(layout, len(pixels), gamma=gamma, limiter=limiter, white=white)
    assert prepare(pixels) == reference(pixels, layout, gamma, limiter, white)
