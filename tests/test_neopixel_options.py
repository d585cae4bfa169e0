"""The [drivers.neopixel] table: defaults for the classic build, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from binclock import config
from binclock.drivers.neopixel.options import NeoPixelOptions


def table_error(tmp_path: Path, table: str) -> str:
    """The ConfigError a config file with this [drivers.neopixel] table gives."""
    path = tmp_path / "config.toml"
    path.write_text(f'driver = "neopixel"\n[drivers.neopixel]\n{table}\n')
    cfg, source = config.load(path, environ={})
    with pytest.raises(config.ConfigError) as caught:
        config.plugin_options(cfg, "drivers", "neopixel", NeoPixelOptions, source)
    return str(caught.value)


def test_defaults_fit_the_classic_3x6_clock() -> None:
    options = NeoPixelOptions()
    assert (options.width, options.height, options.led_count) == (3, 6, 18)
    assert (options.backend, options.colour_order, options.gamma) == ("auto", "GRB", 2.2)


def test_every_option_is_described() -> None:
    assert all(f.description for f in NeoPixelOptions.model_fields.values())


def test_pin_defaults_to_18_and_to_10_for_spi() -> None:
    assert NeoPixelOptions().data_pin("rpi_ws281x") == 18
    assert NeoPixelOptions().data_pin("spi") == 10
    assert NeoPixelOptions(pin=12).data_pin("spi") == 12


def test_index_map_sets_the_strip_length() -> None:
    assert NeoPixelOptions(width=2, height=1, index_map=[0, 4]).led_count == 5


def test_index_map_of_the_wrong_length_names_both_sizes(tmp_path) -> None:
    message = table_error(tmp_path, "index_map = [0, 1, 2]")
    assert "index_map has 3 entries but a 3x6 display has 18 pixels" in message
    assert message.startswith(str(tmp_path / "config.toml"))
    assert "\n" not in message


def test_led_given_to_two_pixels_is_refused(tmp_path) -> None:
    message = table_error(tmp_path, "width = 2\nheight = 1\nindex_map = [1, 1]")
    assert "drivers.neopixel.index_map" in message
    assert "LED 1 is given to more than one pixel" in message


def test_led_numbers_below_minus_one_are_refused() -> None:
    with pytest.raises(ValidationError, match="-1 for a pixel without an LED"):
        NeoPixelOptions(width=2, height=1, index_map=[0, -2])


def test_map_without_any_led_is_refused() -> None:
    with pytest.raises(ValidationError, match="gives no pixel an LED"):
        NeoPixelOptions(width=2, height=1, index_map=[-1, -1])


def test_strip_shorter_than_the_layout_is_refused() -> None:
    with pytest.raises(ValidationError, match="leds = 10 but the layout uses 18 LEDs"):
        NeoPixelOptions(leds=10)


def test_dma_channel_5_is_refused_because_it_corrupts_the_sd_card(tmp_path) -> None:
    assert "corrupts it" in table_error(tmp_path, "dma = 5")


def test_budget_below_the_idle_draw_is_refused() -> None:
    with pytest.raises(ValidationError, match="does not even cover the 256 mA"):
        NeoPixelOptions(width=16, height=16, max_current_ma=200)


def test_budget_zero_turns_the_limiter_off() -> None:
    assert NeoPixelOptions(width=16, height=16, max_current_ma=0).max_current_ma == 0


def test_unknown_colour_order_is_refused(tmp_path) -> None:
    assert "drivers.neopixel.colour_order = 'RGGB'" in table_error(
        tmp_path, 'colour_order = "RGGB"'
    )


def test_unknown_key_is_refused(tmp_path) -> None:
    assert "drivers.neopixel.brightnes: unknown key" in table_error(tmp_path, "brightnes = 1")


def test_rgbw_orders_have_a_white_channel() -> None:
    assert NeoPixelOptions(colour_order="GRBW").rgbw
    assert not NeoPixelOptions(colour_order="GRB").rgbw
