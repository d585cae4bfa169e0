"""The binclock command, as users and scripts run it."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from binclock import __version__
from binclock.commandline.cli import main
from binclock.control.state import RunState, StateFile
from binclock.frame import Frame
from conftest import decode_bcd, decode_binary


def binclock(*args: str, env: dict[str, str] | None = None, home: Path | None = None):
    environ = {**os.environ, "HOME": str(home or "/nonexistent"), **(env or {})}
    environ.pop("BINCLOCK_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "binclock", *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
    )


def jsonl_frame(line: str) -> tuple[dict, Frame]:
    record = json.loads(line)
    pixels = tuple(tuple(p) for p in record["pixels"])
    return record, Frame(record["width"], record["height"], pixels)


def test_jsonl_once_at_a_time_prints_one_line_that_decodes_to_it():
    result = binclock("--driver", "jsonl", "--once", "--at", "13:37:42")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    record, frame = jsonl_frame(lines[0])
    assert (record["width"], record["height"]) == (3, 6)
    assert decode_binary(frame) == (13, 37, 42)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT13:37:42[+-]\d\d:\d\d", record["time"])


def test_jsonl_once_with_the_bcd_face_decodes_to_the_time():
    result = binclock("--driver", "jsonl", "--face", "bcd", "--once", "--at", "13:37:42")
    record, frame = jsonl_frame(result.stdout)
    assert (record["width"], record["height"]) == (6, 4)
    assert decode_bcd(frame) == (13, 37, 42)


def test_at_takes_an_iso_time_with_offset_and_shows_it_in_the_configured_zone():
    result = binclock(
        "--driver",
        "jsonl",
        "--once",
        "--at",
        "2026-07-01T12:00:00+00:00",
        "--set",
        'clock.timezone="Europe/London"',
    )
    record, frame = jsonl_frame(result.stdout)
    assert record["time"] == "2026-07-01T13:00:00+01:00"
    assert decode_binary(frame) == (13, 0, 0)


def test_jsonl_runs_the_clock_and_changes_at_each_second():
    proc = subprocess.Popen(
        [sys.executable, "-m", "binclock", "--driver", "jsonl"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "HOME": "/nonexistent"},
    )
    try:
        lines = [proc.stdout.readline() for _ in range(3)]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    seconds = [decode_binary(jsonl_frame(line)[1])[2] for line in lines]
    assert [(b - a) % 60 for a, b in itertools.pairwise(seconds)] == [1, 1]
    assert proc.returncode == 0


def test_unknown_driver_exits_64_listing_the_drivers():
    result = binclock("--driver", "nope")
    assert result.returncode == 64
    assert result.stderr.count("\n") == 1
    assert "unknown driver 'nope'" in result.stderr and "terminal" in result.stderr


def test_unknown_face_exits_64():
    result = binclock("--face", "nope", "--once")
    assert result.returncode == 64 and "unknown face 'nope'" in result.stderr


def test_unknown_option_exits_64_in_one_line():
    result = binclock("--frobnicate")
    assert result.returncode == 64
    assert result.stderr.startswith("binclock: unrecognized arguments: --frobnicate")
    assert result.stderr.count("\n") == 1


def test_bad_at_exits_64():
    result = binclock("--once", "--at", "25:99")
    assert result.returncode == 64 and "--at '25:99'" in result.stderr


def test_bad_config_value_exits_78_naming_file_and_key(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[display]\nbrightness = 7\n")
    result = binclock("--config", str(path), "--once")
    assert result.returncode == 78
    assert (
        result.stderr
        == f"binclock: {path}: display.brightness = 7: Input should be less than or equal to 1\n"
    )


def test_unknown_driver_in_the_config_file_exits_78(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('driver = "nope"\n')
    result = binclock("--config", str(path), "--once")
    assert result.returncode == 78
    assert f"{path}: driver = 'nope': unknown driver" in result.stderr


def test_bad_driver_option_exits_78_naming_the_key():
    result = binclock("--driver", "jsonl", "--once", "--set", "drivers.jsonl.width=0")
    assert result.returncode == 78 and "drivers.jsonl.width = 0" in result.stderr


def test_face_that_does_not_fit_the_display_exits_78():
    result = binclock(
        "--driver",
        "jsonl",
        "--once",
        "--set",
        "drivers.jsonl.width=2",
        "--set",
        "drivers.jsonl.height=2",
    )
    assert result.returncode == 78 and "does not fit" in result.stderr


def test_list_drivers_says_which_are_ready(capsys):
    assert main(["--list-drivers"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split()[1] for line in out.splitlines()[1:]}
    assert rows["terminal"] == "yes" and rows["jsonl"] == "yes"


def test_list_faces_names_binary_and_bcd(capsys):
    assert main(["--list-faces"]) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert {"binary", "bcd"} <= set(names)


def test_version_prints_the_version():
    result = binclock("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"binclock {__version__}"


def test_check_config_prints_the_effective_config(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text('face = "bcd"\n[display]\nbrightness = 0.5\n')
    assert main(["check-config", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# {path}: valid\n")
    assert 'face = "bcd"' in out and "brightness = 0.5" in out


def test_check_config_shows_the_run_time_changes_kept_over_the_file(tmp_path, capsys):
    state = tmp_path / "state.json"
    StateFile(state).save(RunState(False, {"display": {"brightness": 0.3}}))
    path = tmp_path / "config.toml"
    path.write_text(f'[control]\nstate_file = "{state}"\n')
    assert main(["check-config", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"run-time changes over it, kept in {state}" in out
    assert "# power = off\n# display.brightness = 0.3\n" in out


def test_check_config_without_run_time_changes_shows_none(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text(f'[control]\nstate_file = "{tmp_path / "state.json"}"\n')
    assert main(["check-config", str(path)]) == 0
    assert "run-time" not in capsys.readouterr().out


def test_check_config_validates_driver_tables(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text('[drivers.terminal]\ncolour = "rainbow"\n')
    assert main(["check-config", str(path)]) == 78
    assert "drivers.terminal.colour = 'rainbow'" in capsys.readouterr().err


def test_terminal_once_when_piped_prints_plain_text():
    result = binclock("--driver", "terminal", "--once", "--at", "13:37:42")
    assert result.returncode == 0
    assert "\x1b" not in result.stdout
    assert result.stdout.splitlines()[6:8] == ["H M S", "13:37:42"]


@pytest.mark.parametrize("module_spec", ["binclock.drivers.jsonl:JsonlDriver"])
def test_driver_given_as_module_class_runs(module_spec):
    result = binclock("--driver", module_spec, "--once", "--at", "01:02:03")
    assert decode_binary(jsonl_frame(result.stdout)[1]) == (1, 2, 3)


def test_once_shows_a_whole_second_like_the_running_clock():
    record, _ = jsonl_frame(binclock("--driver", "jsonl", "--once").stdout)
    assert "." not in record["time"]


def test_at_a_wall_time_skipped_by_dst_shows_the_time_it_really_is():
    result = binclock(
        "--driver",
        "jsonl",
        "--once",
        "--at",
        "2026-03-29T01:30:00",
        "--set",
        'clock.timezone="Europe/London"',
    )
    assert jsonl_frame(result.stdout)[0]["time"] == "2026-03-29T02:30:00+01:00"


def test_check_config_warns_about_a_table_for_a_driver_that_is_not_installed(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text("[drivers.jsnol]\nwidth = 8\n")
    assert main(["check-config", str(path)]) == 0
    assert "[drivers.jsnol]: no such driver installed" in capsys.readouterr().err


def test_show_piped_prints_the_number_once_and_exits():
    result = binclock("show", "42")
    assert result.returncode == 0
    assert result.stdout.split()[-2:] == ["N", "42"]
    assert result.stdout.count("42") == 1


@pytest.mark.parametrize("option", [["--face", "bcd"], ["--at", "12:00:00"]])
def test_show_rejects_an_option_it_would_ignore(option):
    result = binclock("show", "42", *option)
    assert result.returncode == 64
    assert result.stderr.startswith(f"binclock: show takes no {option[0]}: ")
    assert result.stderr.count("\n") == 1


def test_an_unavailable_display_under_systemd_says_how_to_start_the_service_again(tmp_path):
    result = binclock(
        "--driver",
        "png",
        "--set",
        f"drivers.png.path={tmp_path}/missing/now.png",
        env={"NOTIFY_SOCKET": str(tmp_path / "notify")},
    )
    assert result.returncode == 69
    first, second = result.stderr.splitlines()
    assert "drivers.png.path" in first
    assert second.endswith("sudo systemctl reset-failed binclock; sudo systemctl start binclock")


# -- bad configurations: exit 78, a line per problem, never a traceback -------------------


def check(tmp_path: Path, text: str, capsys, *args: str) -> tuple[int, list[str]]:
    path = tmp_path / "config.toml"
    path.write_text(text)
    code = main(["check-config", str(path), *args])
    return code, capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(
    "text",
    [
        'face = "os:system"',
        'face = "os.path:join"',
        'face = ":"',
        'face = "binclock.config:load"',
        'driver = "builtins:print"',
        'face = "nonexistent_mod:X"',
        'face = "binclock.faces.time:Nope"',
    ],
)
def test_a_plugin_spec_that_is_not_a_plugin_is_a_config_error(tmp_path, capsys, text):
    code, err = check(tmp_path, text + "\n", capsys)
    assert code == 78 and len(err) == 1 and "config.toml: " in err[0]


def test_a_plugin_spec_that_is_not_a_plugin_on_the_command_line_is_a_usage_error():
    assert main(["--face", "os:system", "--once", "--driver", "jsonl"]) == 64


def test_check_config_reports_every_problem_a_line_each(tmp_path, capsys):
    code, err = check(
        tmp_path,
        'driver = "jsonl"\n[drivers.jsonl]\nwidth = 0\nheight = 0\n'
        '[faces.number]\ncommand = "sh -c \'x"\n',
        capsys,
    )
    assert code == 78
    assert [line.split(": ")[2] for line in err] == [
        "drivers.jsonl.width = 0",
        "drivers.jsonl.height = 0",
        'faces.number.command = "sh -c \'x"',
    ]


def test_check_config_reports_a_bad_face_and_a_bad_driver_together(tmp_path, capsys):
    code, err = check(tmp_path, 'face = "os:system"\ndriver = "neopixl"\n', capsys)
    assert code == 78 and len(err) == 2
    assert "did you mean 'neopixel'?" in err[1]


def test_check_config_suggests_the_nearest_driver_table(tmp_path, capsys):
    code, err = check(tmp_path, "[drivers.neopixl]\nwidth = 8\n", capsys)
    assert code == 0 and "did you mean 'neopixel'?" in err[0]


def test_an_unsplittable_number_command_is_a_config_error(tmp_path, capsys):
    code, err = check(tmp_path, 'face = "number"\n[faces.number]\ncommand = "sh -c \'x"\n', capsys)
    assert code == 78 and "cannot be split into words: No closing quotation" in err[0]


def test_a_set_error_in_a_driver_table_names_the_key_and_set(capsys):
    assert main(["check-config", "--set", "drivers.jsonl.width=0", "--driver", "jsonl"]) == 78
    assert capsys.readouterr().err.startswith("binclock: --set: drivers.jsonl.width = 0: ")


def test_check_config_prints_the_default_theme_colours(tmp_path, capsys):
    path = tmp_path / "config.toml"
    path.write_text("[theme.on]\nhours = [1, 2, 3]\n")
    assert main(["check-config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "seconds = [56, 136, 255]" in out and "default = [255, 190, 64]" in out


def test_a_fifo_as_the_config_exits_78_at_start(tmp_path):
    os.mkfifo(tmp_path / "config.toml")
    result = binclock("--once", "--driver", "jsonl", "--config", str(tmp_path / "config.toml"))
    assert result.returncode == 78 and result.stderr.count("\n") == 1
    assert "not a regular file (a FIFO)" in result.stderr


def test_a_huge_jsonl_size_is_refused_before_anything_is_drawn():
    result = binclock("--once", "--driver", "jsonl", "--set", "drivers.jsonl.width=100000")
    assert result.returncode == 78 and "less than or equal to 256" in result.stderr


def test_a_face_whose_constructor_fails_is_a_config_error(tmp_path, grumpy_face, capsys):
    (tmp_path / "config.toml").write_text(f'face = "{grumpy_face}"\n')
    assert main(["--once", "--driver", "jsonl", "--config", str(tmp_path / "config.toml")]) == 78
    assert "face = 'grumpy_face:Grumpy': will not" in capsys.readouterr().err
