"""binclock web: who may use it, and the API passed through to a real running clock."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from webpage import (
    environment,
    port_of,
    request,
    running_clock,
    running_web,
    unix_get,
    wait_for,
)

from binclock.web import access, app

TOKEN = "s3cret-token"


def settings(tmp_path: Path, token: str | None = None) -> access.Settings:
    """Settings for an app in this process; no clock answers on its socket."""
    return access.Settings(
        socket=tmp_path / "no-clock.sock", hosts=access.host_names("127.0.0.1"), token=token
    )


def call(cfg: access.Settings, method: str, path: str, **kwargs) -> tuple[int, dict]:
    """One request to the web app, served in this process; the status and the JSON answer."""

    async def go() -> tuple[int, dict]:
        async with TestClient(TestServer(app.make_app(cfg))) as client:
            answer = await client.request(method, path, **kwargs)
            return answer.status, await answer.json(content_type=None)

    return asyncio.run(go())


def test_an_api_call_without_the_token_is_refused_when_one_is_required(tmp_path):
    status, body = call(settings(tmp_path, TOKEN), "GET", "/api/state")
    assert status == 401
    assert "token" in body["error"]


def test_an_api_call_with_a_wrong_token_is_refused(tmp_path):
    headers = {"Authorization": "Bearer nope"}
    assert call(settings(tmp_path, TOKEN), "GET", "/api/state", headers=headers)[0] == 401


@pytest.mark.parametrize("name", ["token", "access_token", "auth"])
def test_a_token_in_the_query_string_is_not_accepted(tmp_path, name):
    assert call(settings(tmp_path, TOKEN), "GET", f"/api/state?{name}={TOKEN}")[0] == 401


def test_the_right_token_passes_on_to_the_clock(tmp_path):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    status, body = call(settings(tmp_path, TOKEN), "GET", "/api/state", headers=headers)
    assert (status, body["error"]) == (
        503,
        f"the clock is not running (nothing answers on {tmp_path / 'no-clock.sock'})",
    )


def test_the_page_itself_loads_without_the_token_so_that_it_can_ask_for_it(tmp_path):
    async def go() -> tuple[int, str]:
        async with TestClient(TestServer(app.make_app(settings(tmp_path, TOKEN)))) as client:
            answer = await client.get("/")
            return answer.status, await answer.text()

    status, text = asyncio.run(go())
    assert status == 200
    assert 'id="token-dialog"' in text


@pytest.mark.parametrize("path", ["/", "/api/state", "/static/app.js"])
def test_a_request_for_another_host_name_is_refused(tmp_path, path):
    status, body = call(settings(tmp_path), "GET", path, headers={"Host": "evil.example:8780"})
    assert status == 421
    assert body["error"] == "this page is not served as 'evil.example'"


def test_a_configured_host_name_is_served(tmp_path):
    cfg = access.Settings(tmp_path / "none.sock", access.host_names("127.0.0.1", ["clock"]), None)
    assert call(cfg, "GET", "/api/state", headers={"Host": "clock:8780"})[0] == 503


def test_a_body_over_the_limit_is_refused(tmp_path):
    body = b'{"number": 1, "pad": "' + b"x" * app.MAX_BODY + b'"}'
    headers = {"Content-Type": "application/json"}
    status, answer = call(settings(tmp_path), "POST", "/api/notify", data=body, headers=headers)
    assert status == 413
    assert answer["error"] == "the request body is larger than 64 KiB"


def test_an_unknown_api_path_is_a_json_404(tmp_path):
    assert call(settings(tmp_path), "GET", "/api/nothing") == (404, {"error": "Not Found"})


def test_every_answer_forbids_framing_and_sniffing(tmp_path):
    async def go():
        async with TestClient(TestServer(app.make_app(settings(tmp_path)))) as client:
            return (await client.get("/")).headers

    headers = asyncio.run(go())
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


# Against a real clock: python -m binclock --driver jsonl with its control socket in tmp.


@pytest.fixture(scope="module")
def clock(control_socket) -> Path:
    return control_socket


@pytest.fixture(scope="module")
def port(web_url) -> int:
    return port_of(web_url)


@pytest.fixture
def fresh(clock, port):
    """The clock without run-time overrides or notifications before and after the test."""
    request(port, "DELETE", "/api/state/overrides")
    request(port, "DELETE", "/api/notify")
    yield
    request(port, "DELETE", "/api/state/overrides")
    request(port, "DELETE", "/api/notify")


def test_the_state_is_the_clocks(clock, port, fresh):
    answer = request(port, "GET", "/api/state")
    assert answer.status == 200
    assert answer.headers["Binclock-API"] == "1"
    assert answer.json()["faces"] == unix_get(clock, "/api/state")["faces"]


def test_a_patch_changes_the_clock(clock, port, fresh):
    answer = request(port, "PATCH", "/api/state", {"brightness": 0.25})
    assert (answer.status, answer.json()["brightness"]) == (200, 0.25)
    assert unix_get(clock, "/api/state")["brightness"] == 0.25


def test_the_clocks_refusal_comes_back_as_it_is(port, fresh):
    answer = request(port, "PATCH", "/api/state", {"face": "os:system"})
    assert 400 <= answer.status < 500
    assert list(answer.json()) == ["error"]


def test_clearing_the_overrides_goes_back_to_the_file(clock, port, fresh):
    request(port, "PATCH", "/api/state", {"brightness": 0.25})
    answer = request(port, "DELETE", "/api/state/overrides")
    assert (answer.status, answer.json()["brightness"]) == (200, 1.0)
    assert unix_get(clock, "/api/state")["overrides"] == {}


def test_a_notification_is_sent_and_cleared(clock, port, fresh):
    answer = request(port, "POST", "/api/notify", {"number": 5, "seconds": 30})
    assert answer.status == 202
    assert set(answer.json()) >= {"id", "queued"}
    assert unix_get(clock, "/api/state")["notify"] is not None
    assert request(port, "DELETE", "/api/notify").status < 300
    assert unix_get(clock, "/api/state")["notify"] is None


def test_the_frame_is_the_clocks(clock, port):
    frame = request(port, "GET", "/api/frame").json()
    shown = unix_get(clock, "/api/frame")
    assert (frame["width"], frame["height"]) == (shown["width"], shown["height"])
    assert len(frame["pixels"]) == frame["width"] * frame["height"]


def first_frame(port: int) -> tuple[http.client.HTTPConnection, dict]:
    """An event stream opened through the web process, read up to its first frame."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/api/events")
    answer = conn.getresponse()
    assert answer.headers["Content-Type"].startswith("text/event-stream")
    lines = iter(answer.readline, b"")
    next(line for line in lines if line == b"event: frame\n")
    return conn, json.loads(next(lines).removeprefix(b"data:"))


def test_the_events_relay_the_clocks_frames(port):
    conn, frame = first_frame(port)
    conn.close()
    assert set(frame) >= {"width", "height", "pixels"}


def connections_to(socket_path: Path) -> int:
    """Connections the clock has accepted on its socket (each one is listed under its name)."""
    lines = Path("/proc/net/unix").read_text().splitlines()[1:]
    return sum(line.endswith(f" {socket_path}") for line in lines) - 1


def test_every_browser_shares_one_event_stream_from_the_clock(tmp_path):
    with running_clock(tmp_path / "clock") as clock:
        wait_for(lambda: connections_to(clock) == 0, "the clock's first client to go")
        with running_web(tmp_path / "web", clock) as url:
            streams = [first_frame(port_of(url))[0] for _ in range(3)]
            try:
                assert connections_to(clock) == 1
            finally:
                for conn in streams:
                    conn.close()


def test_a_token_made_by_binclock_web_token_opens_the_api(clock, tmp_path):
    env = environment(tmp_path)
    shown = subprocess.run(
        [sys.executable, "-m", "binclock", "web", "token"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    with running_web(tmp_path, clock, "--set", "web.require_token=true") as url:
        port = port_of(url)
        assert request(port, "GET", "/api/state").status == 401
        bearer = {"Authorization": f"Bearer {shown}"}
        assert request(port, "GET", "/api/state", headers=bearer).status == 200


def binclock(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "binclock", *args], env=env, capture_output=True, text=True
    )


def test_the_clock_never_loads_aiohttp(tmp_path):
    probe = "import sys, binclock.commandline.cli; print('aiohttp' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], env=environment(tmp_path), capture_output=True, text=True
    )
    assert done.stdout.strip() == "False"


def test_an_address_in_use_is_a_one_line_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = binclock("web", "--listen", f"127.0.0.1:{port}", env=environment(tmp_path))
    assert done.returncode == 69
    assert done.stderr.startswith(f"binclock: cannot listen on 127.0.0.1:{port}: ")
    assert len(done.stderr.splitlines()) == 1


def test_a_listen_address_without_a_port_is_a_usage_error(tmp_path):
    done = binclock("web", "--listen", "127.0.0.1", env=environment(tmp_path))
    assert done.returncode == 64
    assert "--listen 127.0.0.1: expected host:port" in done.stderr


def test_binclock_web_token_prints_the_same_token_each_time(tmp_path):
    env = environment(tmp_path)
    first = binclock("web", "token", env=env).stdout
    assert first.strip() and binclock("web", "token", env=env).stdout == first
