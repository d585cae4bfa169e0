"""The plugin as a user meets it: installed, found by name, and clear when there is no HAT.

These run the ``binclock`` command of the environment the plugin is installed in.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from binclock import registry
from binclock.machine import Machine
from fake_is31fl3731 import absent_bus

from binclock_scrollphathd import ScrollPhatHdDriver, ScrollPhatHdOptions

BINCLOCK = Path(sys.executable).with_name("binclock")


def binclock(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BINCLOCK, *args], capture_output=True, text=True, timeout=60)


def test_the_entry_point_names_the_driver_class():
    assert registry.load(registry.DRIVERS, "scrollphathd") is ScrollPhatHdDriver


def test_list_drivers_shows_it_ready_only_with_its_i2c_bus():
    listing = binclock("--list-drivers").stdout.splitlines()
    row = next(line.split() for line in listing if line.startswith("scrollphathd "))
    ready = "yes" if Path("/dev/i2c-1").exists() else "no"
    assert row[:2] == ["scrollphathd", ready]


def test_without_its_bus_its_check_says_to_enable_i2c():
    finding = ScrollPhatHdDriver.check(Machine(), ScrollPhatHdOptions(bus=absent_bus()))
    assert "raspi-config nonint do_i2c 0" in finding.fix


def test_doctor_gives_it_a_row_like_a_built_in_driver():
    report = binclock("doctor", "--driver", "scrollphathd").stdout.splitlines()
    row = next(line for line in report if "driver scrollphathd (in use)" in line)
    if Path("/dev/i2c-1").exists():
        assert row.split()[0] in ("ok", "fail")  # fail: no permission, said on the next line
    else:
        assert row.split()[0] == "fail" and "no /dev/i2c-1" in row


def test_once_on_a_missing_bus_exits_69_with_one_line():
    result = binclock(
        "--driver", "scrollphathd", "--once", f"--set=drivers.scrollphathd.bus={absent_bus()}"
    )
    assert result.returncode == 69
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("binclock: no I2C bus")


@pytest.mark.skipif(Path("/dev/i2c-1").exists(), reason="this machine has I2C bus 1")
def test_once_on_a_machine_without_i2c_exits_69_with_one_line():
    result = binclock("--driver", "scrollphathd", "--once")
    assert (result.returncode, result.stderr.count("\n")) == (69, 1)


def test_a_misspelt_option_is_a_configuration_error_naming_it(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('driver = "scrollphathd"\n[drivers.scrollphathd]\nadress = 0x75\n')
    result = binclock("check-config", str(path))
    assert result.returncode == 78
    assert "drivers.scrollphathd.adress" in result.stderr
