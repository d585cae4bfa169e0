"""The subcommands, and the clock as a process that receives signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from binclock.cli import main
from binclock.frame import Frame
from conftest import column_values


def test_explain_prints_sums_and_the_time(capsys):
    assert main(["explain", "--at", "13:37:42"]) == 0
    out = capsys.readouterr().out
    assert "8+4+1 = 13" in out and "32+4+1 = 37" in out and "32+8+2 = 42" in out
    assert "13:37:42" in out


def test_explain_takes_the_face_option(capsys):
    assert main(["explain", "--face", "bcd", "--at", "13:37:42"]) == 0
    assert "bcd" in capsys.readouterr().out


def test_show_prints_the_number_in_binary(capsys):
    assert main(["show", "42", "--once", "--driver", "jsonl"]) == 0
    record = json.loads(capsys.readouterr().out)
    frame = Frame(record["width"], record["height"], tuple(tuple(p) for p in record["pixels"]))
    assert sum(v << (8 * i) for i, v in enumerate(reversed(column_values(frame)))) == 42


def test_show_refuses_negative_numbers(capsys):
    assert main(["show", "--once", "--", "-1"]) == 64


def test_test_pattern_lights_each_pixel_in_order_then_columns_then_all(capsys):
    assert main(["test-pattern", "--driver", "jsonl", "--delay", "0"]) == 0
    out, err = capsys.readouterr()
    frames = [json.loads(line) for line in out.splitlines()]
    lit = [[i for i, p in enumerate(f["pixels"]) if p != [0, 0, 0]] for f in frames]
    assert lit[:18] == [[i] for i in range(18)]
    assert lit[18] == [0, 3, 6, 9, 12, 15]
    assert lit[21] == list(range(18)) and lit[22] == []
    assert err.splitlines()[0] == "[ 1/23] pixel 0 at x=0, y=0"


def clock_process(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "binclock", "--driver", "jsonl", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HOME": "/nonexistent"},
    )


def test_sigterm_ends_the_process_with_exit_0_within_a_second():
    proc = clock_process()
    try:
        proc.stdout.readline()
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert proc.wait(timeout=5) == 0
        assert time.monotonic() - started < 1.0
    finally:
        proc.kill()


def test_sighup_reloads_the_config_file_in_a_running_process(tmp_path):
    config_file = tmp_path / "config.toml"
    config_file.write_text("[display]\nbrightness = 1.0\n")
    proc = clock_process("--config", str(config_file))
    try:
        first = json.loads(proc.stdout.readline())
        config_file.write_text("[display]\nbrightness = 0.2\n")
        proc.send_signal(signal.SIGHUP)
        peaks = []
        for _ in range(3):
            record = json.loads(proc.stdout.readline())
            peaks.append(max(max(p) for p in record["pixels"]))
        assert max(max(p) for p in first["pixels"]) == 255
        assert peaks[-1] == 51
    finally:
        proc.terminate()
        proc.wait(timeout=5)
