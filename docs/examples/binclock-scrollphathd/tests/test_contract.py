"""The Scroll pHAT HD driver passes binclock's driver conformance suite."""

from __future__ import annotations

import pytest
from binclock.testing import DriverContract
from fake_is31fl3731 import FakeIS31FL3731, absent_bus

from binclock_scrollphathd import ScrollPhatHdDriver, ScrollPhatHdOptions


class TestScrollPhatHdContract(DriverContract):
    @pytest.fixture
    def driver(self):
        driver = ScrollPhatHdDriver(ScrollPhatHdOptions(), i2c=FakeIS31FL3731())
        yield driver
        driver.close()

    def read_back(self, driver):
        return [(level, level, level) for level in driver.i2c.levels()]

    def hardware_writes(self, driver):
        return driver.i2c.writes

    def build_without_hardware(self):
        ScrollPhatHdDriver(ScrollPhatHdOptions(bus=absent_bus()))
