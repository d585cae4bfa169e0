"""On this machine, ``--list-drivers``, ``doctor`` and opening a driver agree about every
registered driver: one listed as ready opens, and one that cannot open is not listed ready.

Each is run as a user runs it, as a command, from an empty folder (where png and gif write).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from binclock import exitcodes, registry

DRIVERS = sorted(registry.registered(registry.DRIVERS))


def binclock(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GPIOZERO_", "BINCLOCK_"))}
    env["BINCLOCK_CONFIG"] = str(cwd / "none.toml")  # no configuration of the user's
    (cwd / "none.toml").touch()
    command = [sys.executable, "-m", "binclock", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each driver's READY column."""
    listing = binclock("--list-drivers", cwd=tmp_path_factory.mktemp("list")).stdout
    rows = [line.split() for line in listing.splitlines()[1:] if not line.startswith("(")]
    return {name: ready for name, ready, *_ in rows}


def doctor_status(name: str, cwd: Path) -> str:
    """The STATUS doctor gives the driver's row when it is the one in use."""
    report = binclock("doctor", "--driver", name, cwd=cwd).stdout
    line = next(line for line in report.splitlines() if f" driver {name} (in use)" in line)
    return line.split()[0]


@pytest.mark.parametrize("name", DRIVERS)
def test_listing_doctor_and_opening_agree(name, listed, tmp_path):
    opened = binclock("--driver", name, "--once", "--at", "13:37:42", cwd=tmp_path)
    assert opened.returncode in (exitcodes.OK, exitcodes.UNAVAILABLE), opened.stderr
    opens = opened.returncode == exitcodes.OK
    ready, fine = listed[name] == "yes", doctor_status(name, tmp_path) == "ok"
    assert ready == fine == opens, (
        f"--list-drivers: {listed[name]}; doctor ok: {fine}; --once: {opened.stderr.strip()}"
    )
