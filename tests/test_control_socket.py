"""The control API of a real clock process: requests, events, persistence, bad clients,
permissions, and ``binclock ctl``."""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from binclock.commandline import cli
from binclock.control.client import ClockNotRunning, ControlClient, ControlError

NOBODY = 65534
WAIT = 30.0  # seconds a test waits for a process before giving up (not a measurement)


class Clock:
    """``python -m binclock --driver jsonl`` with its control socket at ``socket``; every
    line it writes is kept in ``lines``."""

    def __init__(self, socket_path: Path, state: Path, *extra: str) -> None:
        self.socket = socket_path
        self.state = state
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "binclock",
                "--driver",
                "jsonl",
                "-v",
                "--set",
                f'control.socket="{socket_path}"',
                "--set",
                f'control.state_file="{state}"',
                *extra,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=no_config(),
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.wait_for(lambda: self.lines and self.socket.exists())

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_for(self, condition, what: str = "the clock") -> None:
        deadline = time.monotonic() + WAIT
        while not condition():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{what}: never happened; stderr: {self.stop()[1]}")
            time.sleep(0.05)

    def client(self) -> ControlClient:
        return ControlClient(self.socket)

    def stop(self) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=WAIT)
        self._reader.join(timeout=WAIT)
        assert self.proc.stderr is not None
        return self.proc.returncode, self.proc.stderr.read()

    def frames(self) -> list[dict]:
        return [json.loads(line) for line in list(self.lines)]


def no_config() -> dict[str, str]:
    """The environment, with no configuration file to find."""
    drop = ("BINCLOCK_CONFIG", "XDG_CONFIG_HOME")
    return {**{k: v for k, v in os.environ.items() if k not in drop}, "HOME": "/nonexistent"}


@pytest.fixture
def place() -> Iterator[Path]:
    """A short folder others may enter (0755), for the socket and the state."""
    folder = Path(tempfile.mkdtemp(prefix="bcs-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=False)


@pytest.fixture
def clock(place: Path) -> Iterator[Clock]:
    running = Clock(place / "control.sock", place / "state.json")
    yield running
    running.stop()


def raw(path: Path, data: bytes) -> bytes:
    """Send ``data`` on a fresh connection and read the answer until the server closes
    (which it may do before taking all of ``data``)."""
    answer = b""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(WAIT)
        s.connect(str(path))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        with contextlib.suppress(ConnectionResetError):
            while chunk := s.recv(65536):
                answer += chunk
    return answer


@contextlib.contextmanager
def as_user(uid: int) -> Iterator[None]:
    """Act as ``uid`` for file permissions (root only), then as root again."""
    os.seteuid(uid)
    try:
        yield
    finally:
        os.seteuid(0)


def brightest(record: dict) -> int:
    return max(max(p) for p in record["pixels"])


# -- requests -------------------------------------------------------------------------------


def test_get_state_answers_with_the_api_version(clock):
    state = clock.client().call("GET", "/api/state")
    assert (state["api"], state["driver"], state["power"]) == (1, "jsonl", "on")


def test_a_patched_brightness_reaches_the_display(clock):
    before = brightest(clock.frames()[-1])
    answer = clock.client().call("PATCH", "/api/state", {"brightness": 0.25})
    assert answer["brightness"] == 0.25 and answer["sources"]["brightness"] == "runtime"
    clock.wait_for(lambda: brightest(clock.frames()[-1]) < before, "the dimmer frame")


def test_the_changed_second_is_shown_again_at_once(clock):
    count = len(clock.lines)
    clock.client().call("PATCH", "/api/state", {"power": "off"})
    clock.wait_for(
        lambda: any(all(p == [0, 0, 0] for p in f["pixels"]) for f in clock.frames()[count:])
    )
    frames = clock.frames()
    dark = next(i for i in range(count, len(frames)) if brightest(frames[i]) == 0)
    # The dark frame is either the current second shown again, or (had the change come
    # just as a second began) that next second: never one later.
    assert frames[dark]["time"] in (frames[dark - 1]["time"], next_second(frames[dark - 1]))


def next_second(record: dict) -> str:
    return datetime.fromtimestamp(
        datetime.fromisoformat(record["time"]).timestamp() + 1,
        datetime.fromisoformat(record["time"]).tzinfo,
    ).isoformat()


def test_frame_is_the_jsonl_line_shown(clock):
    frame = clock.client().call("GET", "/api/frame")
    assert set(frame) == {"time", "width", "height", "pixels"}
    assert frame["time"] in [f["time"] for f in clock.frames()]


def test_events_stream_the_state_then_frames_and_changes(clock):
    stream = clock.client()
    events = stream.events()
    first = next(events)
    clock.client().call("PATCH", "/api/state", {"face": "bcd"})
    names = [first[0]]
    for name, data in events:
        names.append(name)
        if name == "frame" and data["width"] == 6:  # the bcd face's frame
            break
    stream.close()
    assert names[0] == "state" and names[-1] == "frame"
    assert "state" in names[1:]


def test_notify_answers_with_an_id_and_whether_it_waits(clock):
    client = clock.client()
    first = client.call("POST", "/api/notify", {"number": 42, "seconds": 60})
    second = client.call("POST", "/api/notify", {"colour": "#ff0000", "seconds": 5})
    assert (first["queued"], second["queued"]) == (False, True)
    assert client.call("GET", "/api/state")["notify"]["number"] == 42
    assert client.call("DELETE", "/api/notify") == {"cleared": 2}


def test_the_socket_file_is_removed_when_the_clock_stops(clock):
    assert clock.stop()[0] == 0
    assert not clock.socket.exists()


# -- persistence ----------------------------------------------------------------------------


def test_run_time_changes_survive_a_restart(place):
    first = Clock(place / "control.sock", place / "state.json")
    first.client().call("PATCH", "/api/state", {"face": "bcd", "brightness": 0.5})
    first.stop()
    second = Clock(place / "control.sock", place / "state.json")
    try:
        state = second.client().call("GET", "/api/state")
    finally:
        second.stop()
    assert (state["face"], state["brightness"], state["sources"]["face"]) == ("bcd", 0.5, "runtime")


def test_reset_drops_the_saved_changes(clock):
    client = clock.client()
    client.call("PATCH", "/api/state", {"face": "bcd"})
    state = client.call("DELETE", "/api/state/overrides")
    assert (state["face"], state["overrides"]) == ("binary", {})
    assert json.loads(clock.state.read_text())["overrides"] == {}


def test_a_corrupt_state_file_is_logged_in_one_line_and_the_clock_runs(place):
    (place / "state.json").write_text("{half a file")
    running = Clock(place / "control.sock", place / "state.json")
    state = running.client().call("GET", "/api/state")
    code, stderr = running.stop()
    assert state["overrides"] == {} and code == 0
    assert [line for line in stderr.splitlines() if "state" in line and "WARNING" in line] == [
        next(line for line in stderr.splitlines() if "ignoring the saved run-time state" in line)
    ]


# -- bad requests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("PATCH", "/api/state", b"{not json", 400),
        ("PATCH", "/api/state", b'{"brightnes": 0.3}', 422),
        ("PATCH", "/api/state", b'{"brightness": 7}', 422),
        ("PATCH", "/api/state", b'{"face": "os:system"}', 400),
        ("PATCH", "/api/state", b'{"driver": "binclock.drivers.fake:FakeDriver"}', 400),
        ("PATCH", "/api/state", b"[1, 2]", 400),
        ("POST", "/api/notify", b'{"number": 1, "colour": "#ff0000"}', 422),
        ("POST", "/api/notify", b'{"number": 1, "seconds": 99999}', 422),
        ("GET", "/api/nothing", None, 404),
        ("PUT", "/api/state", b"{}", 405),
    ],
)
def test_a_bad_request_gets_a_4xx_with_a_one_line_reason(clock, method, path, body, status):
    client = clock.client()
    headers = {"Content-Type": "application/json"} if body is not None else {}
    client.request(method, path, body=body, headers=headers)
    response = client.getresponse()
    answer = json.loads(response.read())
    assert response.status == status
    assert set(answer) == {"error"} and answer["error"] and "\n" not in answer["error"]
    assert response.getheader("Binclock-API") == "1"


def test_a_body_over_the_limit_is_refused_unread(clock):
    answer = raw(
        clock.socket,
        b"PATCH /api/state HTTP/1.1\r\nHost: binclock\r\n"
        b"Content-Type: application/json\r\nContent-Length: 102400\r\n\r\n" + b" " * 102400,
    )
    assert answer.startswith(b"HTTP/1.1 413")


def test_a_body_that_is_not_json_is_refused(clock):
    answer = raw(
        clock.socket,
        b"PATCH /api/state HTTP/1.1\r\nHost: binclock\r\n"
        b"Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}",
    )
    assert answer.startswith(b"HTTP/1.1 415")


def test_a_client_that_stalls_halfway_is_cut_off_while_others_are_served(clock):
    with socket.socket(socket.AF_UNIX) as slow:
        slow.settimeout(WAIT)
        slow.connect(str(clock.socket))
        slow.sendall(b"PATCH /api/state HTTP/1.1\r\nContent-Length: 50\r\n")
        assert clock.client().call("GET", "/api/state")["api"] == 1
        assert slow.recv(65536) == b""  # the server gave up on it and closed


def test_junk_on_the_socket_never_costs_the_clock_a_second(clock):
    junk = [
        b"\x00\xff" * 500,
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
        b"PATCH /api/state HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"PATCH /api/state HTTP/1.1\r\nContent-Type: application/json\r\n"
        b'Content-Length: 11\r\n\r\n{"face": 7}',
        b"POST /api/notify HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        b"GET /api/state HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n",
        b"\r\n\r\n\r\n",
    ]
    start = len(clock.lines)
    target = start + 6
    sent = 0
    while len(clock.lines) < target:
        for data in junk:
            raw(clock.socket, data)
            sent += 1
        assert clock.proc.poll() is None
    seconds = [int(datetime.fromisoformat(f["time"]).timestamp()) for f in clock.frames()[start:]]
    assert sent >= len(junk)
    assert all(b - a in (0, 1) for a, b in itertools.pairwise(seconds)), seconds


# -- who may connect ------------------------------------------------------------------------


def test_the_socket_is_for_its_owner_or_its_group_only(clock):
    mode = stat.S_IMODE(clock.socket.stat().st_mode)
    assert mode & 0o007 == 0
    assert mode in (0o600, 0o660)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to connect as another user")
def test_another_user_is_refused_by_the_socket_s_permissions(clock):
    with as_user(NOBODY), socket.socket(socket.AF_UNIX) as s, pytest.raises(OSError) as caught:
        s.connect(str(clock.socket))
    assert caught.value.errno == errno.EACCES


# -- binclock ctl ---------------------------------------------------------------------------


def ctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "binclock", "ctl", *args],
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )


def test_ctl_changes_the_clock_and_state_says_where_values_come_from(clock):
    assert ctl("--socket", str(clock.socket), "brightness", "0.3").returncode == 0
    state = ctl("--socket", str(clock.socket), "state")
    brightness = next(line for line in state.stdout.splitlines() if line.startswith("brightness"))
    assert brightness.split() == ["brightness", "0.3", "runtime"]


@pytest.mark.parametrize(
    ("args", "key", "value"),
    [
        (["off"], "power", "off"),
        (["face", "bcd"], "face", "bcd"),
        (["set", "theme.on.hours=#ff0000"], "theme", {"hours": "#ff0000"}),
    ],
)
def test_ctl_actions_change_the_state(clock, args, key, value):
    assert ctl("--socket", str(clock.socket), *args).returncode == 0
    got = clock.client().call("GET", "/api/state")[key]
    assert got == value or value.items() <= got["on"].items()


def test_ctl_notify_shows_a_number(clock):
    result = ctl("--socket", str(clock.socket), "notify", "42", "--for", "10s", "--priority", "2")
    assert result.returncode == 0
    assert clock.client().call("GET", "/api/state")["notify"]["number"] == 42


def test_ctl_reset_goes_back_to_the_configuration(clock):
    ctl("--socket", str(clock.socket), "face", "bcd")
    assert ctl("--socket", str(clock.socket), "reset").returncode == 0
    assert clock.client().call("GET", "/api/state")["face"] == "binary"


def test_ctl_watch_prints_frames_as_the_terminal_does(clock):
    proc = subprocess.Popen(
        [sys.executable, "-m", "binclock", "ctl", "--socket", str(clock.socket), "watch"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [proc.stdout.readline() for _ in range(7)]
    finally:
        proc.terminate()
        proc.wait(timeout=WAIT)
    assert lines[6].strip().count(":") == 2  # the time under the grid


def test_ctl_watch_stops_with_0_when_its_reader_goes_away_while_the_picture_stays_dark(clock):
    assert ctl("--socket", str(clock.socket), "off").returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "binclock", "ctl", "--socket", str(clock.socket), "watch"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        proc.stdout.readline()
        proc.stdout.close()  # as `binclock ctl watch | head -1` does after its line
        assert proc.wait(timeout=WAIT) == 0
    finally:
        proc.kill()
        proc.wait()


def test_ctl_a_refused_request_is_exit_64_in_one_line(clock):
    result = ctl("--socket", str(clock.socket), "face", "os:system")
    assert result.returncode == 64
    assert result.stderr.count("\n") == 1 and "not an installed face" in result.stderr


def test_ctl_without_a_clock_is_exit_69(tmp_path):
    result = ctl("--socket", str(tmp_path / "none.sock"), "state")
    assert result.returncode == 69
    assert result.stderr.count("\n") == 1 and "no clock is running" in result.stderr


def test_ctl_on_a_socket_it_may_not_use_is_exit_77(place, capsys):
    path = place / "locked.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        server.listen()
        path.chmod(0)
        user = as_user(NOBODY) if os.geteuid() == 0 else contextlib.nullcontext()
        with user:
            code = cli.main(["ctl", "--socket", str(path), "state"])
    assert code == 77
    assert capsys.readouterr().err.count("\n") == 1


def test_client_errors_carry_the_status(clock):
    with pytest.raises(ControlError) as caught:
        clock.client().call("PATCH", "/api/state", {"brightness": 2})
    assert caught.value.status == 422


def test_client_without_a_clock_raises_clock_not_running(tmp_path):
    with pytest.raises(ClockNotRunning):
        ControlClient(tmp_path / "none.sock").call("GET", "/api/state")
