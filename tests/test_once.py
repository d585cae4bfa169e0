"""``--once``: one frame, shown as the running clock shows it, and a failing display as one
line with a documented exit code, never a traceback."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from binclock import config, exitcodes
from binclock.commandline import cli, commands
from binclock.drivers.fake import FakeDriver
from binclock.sync import SyncCheck


def once(*args: str, **run: object) -> subprocess.CompletedProcess[str]:
    """``binclock --once ARGS`` as a process, with no configuration file."""
    environ = {**os.environ, "HOME": "/nonexistent"}
    environ.pop("BINCLOCK_CONFIG", None)
    run.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-m", "binclock", "--once", *args],
        stderr=subprocess.PIPE,
        text=True,
        env=environ,
        timeout=60,
        **run,  # type: ignore[arg-type]
    )


def one_line(stderr: str) -> str:
    assert stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
    return stderr


def test_jsonl_with_stdout_closed_is_unavailable_in_one_line():
    result = once("--driver", "jsonl", preexec_fn=lambda: os.close(1), stdout=None)
    assert result.returncode == exitcodes.UNAVAILABLE
    assert "standard output is closed" in one_line(result.stderr)


def test_jsonl_on_a_full_device_is_a_display_failure_in_one_line():
    with Path("/dev/full").open("w") as full:
        result = once("--driver", "jsonl", stdout=full)
    assert result.returncode == exitcodes.SOFTWARE
    assert "standard output: No space left on device" in one_line(result.stderr)


def test_png_in_a_folder_that_takes_no_files_fails_in_one_line_naming_the_file():
    result = once("--driver", "png", "--set", "drivers.png.path=/proc/binclock.png")
    # /proc refuses new files; only root passes the writable-folder check made on opening.
    expected = exitcodes.SOFTWARE if os.access("/proc", os.W_OK) else exitcodes.UNAVAILABLE
    assert result.returncode == expected
    assert "cannot write /proc/binclock.png" in one_line(result.stderr)


def test_png_on_a_full_filesystem_is_a_display_failure(tmp_path, full_disk, caplog):
    path = tmp_path / "now.png"
    with caplog.at_level(logging.ERROR):
        assert cli.main(["--driver", "png", "--once", "--set", f"drivers.png.path={path}"]) == 70
    assert [r.getMessage() for r in caplog.records] == [
        f"the display failed: cannot write {path}: No space left on device"
    ]
    assert list(tmp_path.iterdir()) == []


def test_gif_on_a_full_filesystem_says_the_recording_is_lost(tmp_path, full_disk, caplog):
    path = tmp_path / "now.gif"
    with caplog.at_level(logging.ERROR):
        assert cli.main(["--driver", "gif", "--once", "--set", f"drivers.gif.path={path}"]) == 70
    [record] = caplog.records
    assert f"cannot write {path}: No space left on device" in record.getMessage()
    assert "recording is lost" in record.getMessage()


def test_a_written_snapshot_is_exit_0(tmp_path: Path):
    result = once("--driver", "png", "--set", f"drivers.png.path={tmp_path / 'now.png'}")
    assert (result.returncode, result.stderr) == (exitcodes.OK, "")


def unsynchronised(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The system clock here is not synchronised: timesyncd runs without its flag."""
    (tmp_path / "timesync").mkdir()
    flag = tmp_path / "timesync" / "synchronized"
    monkeypatch.setattr(commands, "SyncCheck", lambda: SyncCheck(flag, lambda: None))


def test_an_unsynchronised_clock_is_marked_as_the_running_clock_marks_it(
    monkeypatch, tmp_path, capsys
):
    unsynchronised(monkeypatch, tmp_path)
    argv = ["--driver", "jsonl", "--once", "--at", "13:37:42"]
    assert cli.main([*argv, "--set", 'clock.unsynced_indicator="pixel"']) == exitcodes.OK
    pixels = json.loads(capsys.readouterr().out)["pixels"]
    assert tuple(pixels[0]) == config.Config().clock.unsynced_colour


def test_the_mark_is_left_off_outside_systemd_by_default(monkeypatch, tmp_path, capsys):
    unsynchronised(monkeypatch, tmp_path)
    monkeypatch.delenv("INVOCATION_ID", raising=False)
    assert cli.main(["--driver", "jsonl", "--once", "--at", "13:37:42"]) == exitcodes.OK
    assert json.loads(capsys.readouterr().out)["pixels"][0] == [0, 0, 0]


class SlowToSettle(FakeDriver):
    """A display still finishing its frame when Ctrl-C comes."""

    def settle(self) -> None:
        raise KeyboardInterrupt


def test_ctrl_c_while_the_frame_settles_closes_the_display_and_exits_0(monkeypatch):
    closed = []
    monkeypatch.setattr(SlowToSettle, "_release", lambda self: closed.append(self))
    try:
        code = cli.main(["--driver", "test_once:SlowToSettle", "--once"])
    except KeyboardInterrupt:  # escaping, it would stop the test run
        code = None
    assert (code, len(closed)) == (exitcodes.OK, 1)


def test_a_reader_gone_before_the_frame_is_written_ends_once_with_0():
    read, write = os.pipe()
    os.close(read)
    with os.fdopen(write, "w") as closed_pipe:
        result = once("--driver", "terminal", "--at", "13:37:42", stdout=closed_pipe)
    assert result.returncode == exitcodes.OK
    assert "Traceback" not in result.stderr
