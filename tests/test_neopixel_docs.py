"""The configuration examples in docs/neopixel.md are valid and mean what the page says."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from binclock import config
from binclock.drivers.neopixel.layout import for_options
from binclock.drivers.neopixel.options import NeoPixelOptions

PAGE = Path(__file__).parent.parent / "docs" / "neopixel.md"
EXAMPLES = re.findall(r"```toml\n(.*?)```", PAGE.read_text(), flags=re.DOTALL)


def neopixel_table(example: str) -> NeoPixelOptions:
    data = tomllib.loads(example)
    cfg = config.validate(data)
    return NeoPixelOptions.model_validate(cfg.drivers["neopixel"])


def test_page_has_the_promised_examples() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_is_a_valid_configuration(example) -> None:
    neopixel_table(example)


def test_classic_example_spells_out_the_defaults() -> None:
    options = neopixel_table(EXAMPLES[0])
    assert options == NeoPixelOptions(pin=18)


def test_classic_example_leaves_everything_else_at_its_default() -> None:
    written = config.validate(tomllib.loads(EXAMPLES[0]))
    defaults = config.validate({"driver": "neopixel"})
    assert written.model_copy(update={"drivers": {}}) == defaults.model_copy(update={"drivers": {}})


def test_matrix_examples_are_8x8_and_16x16() -> None:
    sizes = {(o.width, o.height) for o in map(neopixel_table, EXAMPLES)}
    assert {(8, 8), (16, 16)} <= sizes


def test_index_map_example_leaves_the_top_hours_bit_without_an_led() -> None:
    options = neopixel_table(EXAMPLES[3])
    assert options.led_count == 17
    assert -1 not in for_options(options)
