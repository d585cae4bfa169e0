"""A display for the service tests that hangs while ``/run/binclock-stall`` exists, as a
wedged bus would: frames stop reaching it, so the clock stops feeding systemd's watchdog."""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from binclock.driver import BaseDriver
from binclock.frame import Frame

STALL = Path("/run/binclock-stall")


class StallingDriver(BaseDriver):
    name: ClassVar[str] = "stalling"
    description: ClassVar[str] = "takes frames until /run/binclock-stall exists, then hangs"

    def _draw(self, frame: Frame) -> None:
        while STALL.exists():
            time.sleep(0.1)

    def _dark(self) -> None:
        """Nothing is lit: there are no LEDs."""
