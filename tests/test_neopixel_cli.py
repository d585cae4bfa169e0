"""``binclock --driver neopixel`` on a machine that is not a Pi: one line and exit 69,
never a traceback or a crash (rpi_ws281x segfaults at exit where it cannot start)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MODEL = Path("/proc/device-tree/model")
ON_A_PI = MODEL.exists() and MODEL.read_bytes().startswith(b"Raspberry Pi")

pytestmark = pytest.mark.skipif(ON_A_PI, reason="on a Pi the driver would reach for real LEDs")


def binclock(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "config.toml"
    config.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BLINKA_", "BINCLOCK_"))}
    env |= {"HOME": str(tmp_path), "BINCLOCK_CONFIG": str(config)}
    return subprocess.run(
        [sys.executable, "-m", "binclock", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
    )


def test_neopixel_driver_off_a_pi_says_so_in_one_line_and_exits_69(tmp_path) -> None:
    result = binclock(tmp_path, "--driver", "neopixel")
    assert result.returncode == 69
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("binclock: neopixel: this is not a Raspberry Pi")


@pytest.mark.parametrize("backend", ["rpi_ws281x", "blinka", "spi"])
def test_every_backend_off_a_pi_exits_69_in_one_line(tmp_path, backend) -> None:
    result = binclock(
        tmp_path, "--driver", "neopixel", "--once", "--set", f"drivers.neopixel.backend={backend}"
    )
    assert result.returncode == 69
    assert result.stderr.count("\n") == 1
    assert "not a Raspberry Pi" in result.stderr


def test_neopixel_is_listed_as_not_ready_off_a_pi(tmp_path) -> None:
    result = binclock(tmp_path, "--list-drivers")
    assert result.returncode == 0
    assert any(line.split()[:2] == ["neopixel", "no"] for line in result.stdout.splitlines())
