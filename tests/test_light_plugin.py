"""A light sensor of one's own (``[light] sensor = "module:function"``) is loaded when the
configuration is read, as a driver spec is: ``check-config``, a start and a reload with a
spec that does not give a sensor function say so in one line (exit 78; a reload keeps the
running configuration), instead of the sensor's thread finding out later."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from webpage import environment, pid_of, running_clock, unix_get, wait_for

from binclock.commandline.cli import main

MODULE = "own_light_sensors"


@pytest.fixture
def own_sensors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A module of sensors of one's own, importable here; the folder it is in."""
    folder = tmp_path / "sensors"
    folder.mkdir()
    (folder / f"{MODULE}.py").write_text(
        "class Steady:\n"
        "    def lux(self):\n"
        "        return 50.0\n"
        "def steady(config):\n"
        "    return Steady()\n"
        "def two_arguments(config, bus):\n"
        "    return Steady()\n"
        "LUX = 50.0\n"
    )
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, MODULE, raising=False)
    return folder


def light_config(path: Path, sensor: str) -> Path:
    path.write_text(f'[light]\nsensor = "{sensor}"\n')
    return path


@pytest.mark.parametrize(
    ("sensor", "why"),
    [
        ("no_such_module:lux", "cannot import 'no_such_module'"),
        (f"{MODULE}:no_such_function", f"module '{MODULE}' has no 'no_such_function'"),
        (f"{MODULE}:LUX", "not a light sensor function: it is a float"),
        (f"{MODULE}:two_arguments", "cannot be called with the [light] section alone"),
    ],
)
def test_check_config_says_in_one_line_why_a_sensor_spec_gives_no_sensor(
    tmp_path, capsys, own_sensors, sensor, why
):
    path = light_config(tmp_path / "config.toml", sensor)
    assert main(["check-config", str(path)]) == 78
    err = capsys.readouterr().err
    assert err.startswith(f"binclock: {path}: light.sensor = '{sensor}': ")
    assert why in err
    assert err.count("\n") == 1


def test_check_config_takes_a_sensor_function_of_ones_own(tmp_path, own_sensors):
    path = light_config(tmp_path / "config.toml", f"{MODULE}:steady")
    assert main(["check-config", str(path)]) == 0


def test_a_clock_started_with_a_sensor_spec_that_does_not_import_exits_78_in_one_line(tmp_path):
    path = light_config(tmp_path / "config.toml", "no_such_module:lux")
    no_api = ("--set", 'control.socket=""')  # a start that went wrong serves no socket
    done = subprocess.run(
        [sys.executable, "-m", "binclock", "--driver", "jsonl", "--config", str(path), *no_api],
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,  # a clock that starts runs until stopped: this ends the test
    )
    assert done.returncode == 78
    assert done.stderr.startswith(f"binclock: {path}: light.sensor = 'no_such_module:lux': ")
    assert done.stderr.count("\n") == 1


def test_a_reload_with_a_sensor_spec_that_does_not_import_keeps_the_running_configuration(
    tmp_path,
):
    path = tmp_path / "config.toml"
    path.write_text("[display]\nbrightness = 0.5\n")
    log = tmp_path / "clock" / "clock.log"
    with running_clock(tmp_path / "clock", "--config", str(path)) as socket:
        path.write_text('[display]\nbrightness = 0.25\n[light]\nsensor = "no_such_module:lux"\n')
        os.kill(pid_of(socket), signal.SIGHUP)
        wait_for(lambda: "reload failed" in log.read_text(), "the reload to be refused")
        assert unix_get(socket, "/api/state")["brightness"] == 0.5
    refused = [line for line in log.read_text().splitlines() if "reload failed" in line]
    assert len(refused) == 1
    assert f"{path}: light.sensor = 'no_such_module:lux'" in refused[0]
