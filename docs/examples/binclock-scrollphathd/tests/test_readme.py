"""The pictures in the README are what the driver lights on the chip."""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from binclock import config
from binclock.pipeline import build_driver, build_pipeline
from fake_is31fl3731 import FakeIS31FL3731
from scrollphathd import _pixel_addr

from binclock_scrollphathd import ScrollPhatHdOptions

README = Path(__file__).resolve().parent.parent / "README.md"
AT = datetime(2024, 3, 9, 13, 37, 42, tzinfo=ZoneInfo("UTC"))
WIDTH, HEIGHT = 17, 7


def readme_picture(face: str) -> list[str]:
    match = re.search(rf"<!-- {face} 13:37:42 -->\n```text\n(.*?)```", README.read_text(), re.S)
    assert match, f"the README has no picture of the {face} face"
    return match.group(1).splitlines()


def lit_on_chip(face: str) -> list[str]:
    chip = FakeIS31FL3731()
    cfg = config.validate({"driver": "scrollphathd", "face": face})
    driver = build_driver(cfg, i2c=chip)
    driver.show(build_pipeline(cfg, driver).render(AT))
    levels = chip.levels()
    return [
        " ".join("●" if levels[_pixel_addr(x, HEIGHT - 1 - y)] else "·" for x in range(WIDTH))
        for y in range(HEIGHT)
    ]


@pytest.mark.parametrize("face", ["binary", "bcd"])
def test_the_readme_shows_what_the_hat_lights(face):
    assert readme_picture(face) == lit_on_chip(face)


def test_the_readme_configuration_is_valid():
    example = re.search(r"## Configuration\n\n```toml\n(.*?)```", README.read_text(), re.S)
    assert example, "the README has no configuration example"
    cfg = config.validate(tomllib.loads(example.group(1)))
    options = ScrollPhatHdOptions.model_validate(cfg.drivers["scrollphathd"])
    assert (cfg.driver, options.bus, options.address) == ("scrollphathd", 1, 0x74)
