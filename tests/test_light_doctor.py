"""``binclock doctor``'s row for the light sensor."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_doctor import MODULES, SOURCE, FakeRoot, pi4, row

from binclock import config
from binclock.commandline.doctor import Row, Status, diagnose
from binclock.machine import Reply, probe_i2c

ADAFRUIT = MODULES | {"busio", "adafruit_bh1750", "adafruit_tsl2591", "smbus"}


def with_light(**light: object):
    return lambda: (config.validate({"driver": "terminal", "light": light}, SOURCE), SOURCE)


@pytest.fixture
def root(tmp_path) -> FakeRoot:
    return FakeRoot(tmp_path)


def test_no_sensor_no_row(root):
    rows = diagnose(pi4(root).machine(modules=ADAFRUIT), with_light())
    assert not [r for r in rows if r.check == "light sensor"]


@pytest.mark.parametrize(
    ("sensor", "address"), [("bh1750", "0x23"), ("tsl2591", "0x29"), ("sensehat", "0x39")]
)
def test_a_sensor_that_answers_at_its_address_is_ready(root, sensor, address):
    pi4(root).chip("/dev/i2c-1", int(address, 16))
    rows = diagnose(root.machine(modules=ADAFRUIT), with_light(sensor=sensor))
    found = f"{sensor} answers at {address} on /dev/i2c-1"
    assert row(rows, "light sensor") == Row(Status.OK, "light sensor", found)


def test_a_configured_address_and_bus_are_the_ones_probed(root):
    pi4(root).device("/dev/i2c-3", "i2c")
    root.chip("/dev/i2c-3", 0x5C)
    rows = diagnose(
        root.machine(modules=ADAFRUIT), with_light(sensor="bh1750", bus=3, address=0x5C)
    )
    assert row(rows, "light sensor").found == "bh1750 answers at 0x5c on /dev/i2c-3"


def test_doctor_probes_the_sensors_address_and_no_other(root):
    pi4(root).chip("/dev/i2c-1", 0x23)
    diagnose(root.machine(modules=ADAFRUIT), with_light(sensor="bh1750"))
    assert root.probed == [("/dev/i2c-1", 0x23)]


def test_a_silent_address_warns_with_how_to_look_at_the_bus(root):
    pi4(root)
    found = row(
        diagnose(root.machine(modules=ADAFRUIT), with_light(sensor="bh1750")), "light sensor"
    )
    assert found == Row(
        Status.WARN,
        "light sensor",
        "nothing answers at 0x23 on /dev/i2c-1",
        "check the wiring and the sensor's ADDR pin; i2cdetect -y 1 lists what answers",
    )


def test_a_silent_sense_hat_names_both_addresses_it_tried(root):
    pi4(root)
    found = row(
        diagnose(root.machine(modules=ADAFRUIT), with_light(sensor="sensehat")), "light sensor"
    )
    assert found.status is Status.WARN
    assert found.found == "nothing answers at 0x29 or 0x39 on /dev/i2c-1"
    assert found.fix.startswith("check that the HAT is a v2")
    assert root.probed == [("/dev/i2c-1", 0x29), ("/dev/i2c-1", 0x39)]


def test_an_address_held_by_a_kernel_driver_says_so(root):
    pi4(root).chip("/dev/i2c-1", 0x29, Reply.BUSY)
    found = row(
        diagnose(root.machine(modules=ADAFRUIT), with_light(sensor="tsl2591")), "light sensor"
    )
    assert found.status is Status.WARN
    assert found.found.startswith("0x29 on /dev/i2c-1 is held by a kernel driver")
    assert "dtoverlay" in found.fix


def test_a_bus_that_cannot_be_probed_warns_with_the_reason(root):
    pi4(root).chip("/dev/i2c-1", 0x23, Reply.UNKNOWN)
    found = row(
        diagnose(root.machine(modules=ADAFRUIT), with_light(sensor="bh1750")), "light sensor"
    )
    assert found == Row(
        Status.WARN, "light sensor", "could not probe 0x23 on /dev/i2c-1: not an I2C adapter"
    )


def test_no_probe_when_the_user_may_not_open_the_bus(root):
    pi4(root).device("/dev/i2c-1", "i2c", 0o600)
    found = row(
        diagnose(root.machine(modules=ADAFRUIT), with_light(sensor="bh1750")), "light sensor"
    )
    assert "may not open /dev/i2c-1" in found.found
    assert root.probed == []


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


def test_the_real_probe_on_a_node_that_is_no_i2c_adapter_gives_a_row(root):
    machine = replace(pi4(root).machine(modules=ADAFRUIT), probe_i2c=probe_i2c)
    found = row(diagnose(machine, with_light(sensor="bh1750")), "light sensor")
    assert found.status is Status.WARN
    assert found.found.startswith("could not probe 0x23 on /dev/i2c-1: not an I2C adapter")
