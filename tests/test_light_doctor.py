"""``binclock doctor``'s row for the light sensor."""

from __future__ import annotations

import pytest
from test_doctor import MODULES, SOURCE, FakeRoot, pi4, row

from binclock import config
from binclock.doctor import Row, Status, diagnose

ADAFRUIT = MODULES | {"busio", "adafruit_bh1750", "adafruit_tsl2591", "smbus"}


def with_light(**light: object):
    return lambda: (config.validate({"driver": "terminal", "light": light}, SOURCE), SOURCE)


@pytest.fixture
def root(tmp_path) -> FakeRoot:
    return FakeRoot(tmp_path)


def test_no_sensor_no_row(root):
    rows = diagnose(pi4(root).machine(modules=ADAFRUIT), with_light())
    assert not [r for r in rows if r.check == "light sensor"]


@pytest.mark.parametrize("sensor", ["bh1750", "tsl2591", "sensehat"])
def test_a_sensor_with_its_library_and_i2c_is_ready(root, sensor):
    rows = diagnose(pi4(root).machine(modules=ADAFRUIT), with_light(sensor=sensor))
    assert row(rows, "light sensor") == Row(Status.OK, "light sensor", f"{sensor} on /dev/i2c-1")


def test_a_missing_driver_library_says_what_to_install(root):
    machine = pi4(root).machine(modules=ADAFRUIT - {"adafruit_tsl2591"})
    found = row(diagnose(machine, with_light(sensor="tsl2591")), "light sensor")
    assert found.status is Status.WARN
    assert "adafruit_tsl2591" in found.found and "binclock[light]" in found.fix


def test_i2c_off_says_how_to_enable_it(root):
    machine = pi4(root, i2c=False).machine(modules=ADAFRUIT)
    found = row(diagnose(machine, with_light(sensor="bh1750")), "light sensor")
    assert found.status is Status.WARN
    assert "I2C is not enabled" in found.found and "do_i2c 0" in found.fix
