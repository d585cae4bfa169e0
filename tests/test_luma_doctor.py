"""The luma driver's own check, as ``doctor`` and ``--list-drivers`` ask it."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_doctor import MODULES, FakeRoot, User, pi4, row, using

from binclock.commandline.doctor import Status, diagnose, here
from binclock.drivers.luma import LumaDriver, LumaOptions

LUMA = MODULES | set(LumaDriver.requires) | {"spidev", "smbus2"}


@pytest.fixture
def root(tmp_path: Path) -> FakeRoot:
    return FakeRoot(tmp_path)


def test_max7219_is_ready_on_a_pi_with_spi(root):
    rows = diagnose(pi4(root).machine(modules=LUMA), using("luma"))
    luma = row(rows, "driver luma")
    assert (luma.status, luma.found) == (Status.OK, "max7219 on /dev/spidev0.0")


def test_max7219_without_spi_fails_saying_how_to_enable_it(root):
    rows = diagnose(pi4(root, spi=False).machine(modules=LUMA), using("luma"))
    luma = row(rows, "driver luma")
    assert (luma.status, luma.found) == (Status.FAIL, "/dev/spidev0.0 is missing")
    assert "sudo raspi-config nonint do_spi 0" in luma.fix


def test_spi_turned_on_in_config_txt_but_missing_asks_for_a_reboot(root):
    root.write("/boot/firmware/config.txt", "dtparam=spi=on\n")
    rows = diagnose(pi4(root, spi=False).machine(modules=LUMA), using("luma"))
    assert "reboot" in row(rows, "driver luma").fix
    assert "raspi-config" not in row(rows, "driver luma").fix


def test_a_second_spi_bus_missing_asks_for_its_overlay_though_spi0_is_on(root):
    root.write("/boot/firmware/config.txt", "dtparam=spi=on\n")
    rows = diagnose(pi4(root).machine(modules=LUMA), using("luma", luma={"spi_port": 1}))
    luma = row(rows, "driver luma")
    assert luma.found == "/dev/spidev1.0 is missing"
    assert "dtoverlay" in luma.fix


def test_oled_checks_the_i2c_bus_it_is_configured_on(root):
    oled = {"device": "ssd1306", "i2c_port": 3}
    rows = diagnose(pi4(root).machine(modules=LUMA), using("luma", luma=oled))
    luma = row(rows, "driver luma")
    assert (luma.status, luma.found) == (Status.FAIL, "/dev/i2c-3 is missing")


def test_oled_on_i2c_1_is_ready(root):
    rows = diagnose(pi4(root).machine(modules=LUMA), using("luma", luma={"device": "sh1106"}))
    assert row(rows, "driver luma").found == "sh1106 on /dev/i2c-1"


def test_user_outside_the_spi_group_is_told_to_join_it(root):
    outsider = User("alice", 1001, frozenset({"alice"}))
    rows = diagnose(pi4(root).machine(user=outsider, modules=LUMA), using("luma"))
    luma = row(rows, "driver luma")
    assert luma.found == "/dev/spidev0.0: may not open it"
    assert luma.fix == "sudo usermod -aG spi $USER, then log out and in again"


def test_without_luma_installed_the_extra_is_named(root):
    rows = diagnose(pi4(root).machine(), using("luma"))
    assert row(rows, "driver luma").fix == "pip install 'binclock[luma]'"


def test_without_spidev_a_max7219_is_not_ready(root):
    rows = diagnose(pi4(root).machine(modules=LUMA - {"spidev"}), using("luma"))
    luma = row(rows, "driver luma")
    assert (luma.status, luma.fix) == (Status.FAIL, "pip install 'binclock[luma]'")
    assert "spidev" in luma.found


def test_list_drivers_calls_luma_ready_only_where_its_bus_is(root):
    assert here("luma", pi4(root, spi=False).machine(modules=LUMA)).fix
    assert here("luma", pi4(root).machine(modules=LUMA)).fix == ""


def test_check_is_a_classmethod_taking_machine_and_options(root):
    finding = LumaDriver.check(pi4(root).machine(modules=LUMA), LumaOptions(spi_device=1))
    assert finding.found == "/dev/spidev0.1 is missing"
