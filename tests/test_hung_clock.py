"""A clock that hangs with its socket open (here: a real clock stopped with SIGSTOP) is a
clock lost: its event stream goes silent, pings included, and after ``silence`` seconds
the MQTT bridge says "offline" and the web page's stream says so, as when the clock stops.
When it continues (SIGCONT) both follow it again. The silence is a few seconds here
instead of three pings' worth, so the tests do not wait for minutes. A clock whose loop is
stuck (a display that hangs) while its process runs on sends no pings either, and a stream
opened meanwhile not even its state."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from bridged import mqtt_table
from broker import Broker, Listener, retained
from webpage import pid_of, running_clock

from binclock.config import MqttConfig
from binclock.control import server as control_server
from binclock.control.server import ControlServer, Hub
from binclock.mqtt import connection, topics
from binclock.mqtt.bridge import Bridge
from binclock.web import access, app
from conftest import running

SILENCE = 5.0  # seconds: well over the second between frames of a running clock
DEADLINE = 60.0  # seconds before a test gives up on a stream that never ends
QUIET = 2.0  # seconds of nothing that stand for "no ping", with a ping every 0.05 s


@contextlib.contextmanager
def stopped(socket_path: Path) -> Iterator[None]:
    """The clock at ``socket_path`` stopped (SIGSTOP) until the block ends: hung, its
    socket still open."""
    pid = pid_of(socket_path)
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


@contextlib.contextmanager
def bridge_for(broker: Broker, socket_path: Path) -> Iterator[tuple[Bridge, Listener]]:
    """A bridge in this process for the clock at ``socket_path`` (its silence ``SILENCE``),
    and a listener on its availability topic, once that says "online"."""
    cfg = MqttConfig.model_validate(mqtt_table(broker.ports.plain))
    ids = topics.topics(cfg)
    settings = connection.settings(cfg, "127.0.0.1", topics.client_id(cfg, ids))
    bridge = Bridge(cfg, ids, socket_path, settings, silence=SILENCE)
    listener = Listener(broker.ports.plain, ids.availability)
    bridge.start()
    try:
        listener.wait_last(ids.availability, lambda m: m.payload == b"online")
        yield bridge, listener
    finally:
        bridge.stop()
        listener.close()


def test_a_stopped_clock_is_offline_on_mqtt(broker: Broker, tmp_path: Path) -> None:
    with (
        running_clock(tmp_path) as clock,
        bridge_for(broker, clock) as (bridge, listener),
        stopped(clock),
    ):
        listener.wait_last(bridge.ids.availability, lambda m: m.payload == b"offline", DEADLINE)
        assert retained(broker.ports.plain, bridge.ids.availability) == b"offline"


def test_a_stopped_clock_that_continues_is_online_on_mqtt_again(
    broker: Broker, tmp_path: Path
) -> None:
    with running_clock(tmp_path) as clock, bridge_for(broker, clock) as (bridge, listener):
        with stopped(clock):
            listener.wait_last(bridge.ids.availability, lambda m: m.payload == b"offline", DEADLINE)
        listener.wait_last(bridge.ids.availability, lambda m: m.payload == b"online", DEADLINE)


async def next_frame(lines: asyncio.StreamReader) -> None:
    """Read the stream up to its next frame event."""
    while (line := await lines.readline()) != b"event: frame\n":
        assert line, "the stream ended before a frame"


async def rest_of(lines: asyncio.StreamReader) -> bytes:
    """What the stream sends until it ends."""
    return await asyncio.wait_for(lines.read(), DEADLINE)


def web_for(socket_path: Path) -> TestClient:
    """The web app in this process for the clock at ``socket_path``, with ``SILENCE``."""
    settings = access.Settings(socket=socket_path, hosts=access.host_names("127.0.0.1"), token=None)
    return TestClient(TestServer(app.make_app(settings, silence=SILENCE), host="127.0.0.1"))


def test_the_web_pages_stream_ends_saying_so_when_the_clock_is_stopped(tmp_path: Path) -> None:
    async def go(clock: Path) -> bytes:
        async with web_for(clock) as client, client.get("/api/events") as answer:
            await asyncio.wait_for(next_frame(answer.content), DEADLINE)
            with stopped(clock):
                return await rest_of(answer.content)

    with running_clock(tmp_path) as clock:
        rest = asyncio.run(go(clock))
    name, data = rest.decode().strip().split("\n\n")[-1].split("\n")
    assert name == "event: error"
    assert json.loads(data.removeprefix("data: ")) == {"error": "the clock did not answer in time"}


def test_the_web_pages_stream_follows_a_stopped_clock_again_when_it_continues(
    tmp_path: Path,
) -> None:
    async def go(clock: Path) -> None:
        async with web_for(clock) as client:
            async with client.get("/api/events") as answer:
                with stopped(clock):
                    await rest_of(answer.content)
            async with client.get("/api/events") as answer:
                await asyncio.wait_for(next_frame(answer.content), DEADLINE)

    with running_clock(tmp_path) as clock:
        asyncio.run(go(clock))


class StillCore:
    """What the control server needs of a clock whose loop turns only when ``beat`` says so."""

    def __init__(self) -> None:
        self.hub = Hub()

    def view(self) -> dict[str, Any]:
        return {}


@contextlib.contextmanager
def raw_events(tmp_path: Path, core: StillCore, wait: float) -> Iterator[Iterator[bytes]]:
    """The lines of an event stream from a control server for ``core`` that pings after
    0.05 s of quiet (while the loop turns); a line not there after ``wait`` seconds is a
    TimeoutError."""
    path = tmp_path / "control.sock"
    server = ControlServer(path, core)  # type: ignore[arg-type]
    try:
        with contextlib.closing(socket.socket(socket.AF_UNIX)) as sock:
            sock.connect(str(path))
            sock.sendall(b"GET /api/events HTTP/1.1\r\nHost: binclock\r\n\r\n")
            sock.settimeout(wait)
            lines = iter(sock.makefile("rb").readline, b"")
            next(line for line in lines if not line.strip())  # the end of the headers
            yield lines
    finally:
        server.close()


def said(lines: Iterator[bytes]) -> bytes:
    """The next line of the stream that is not blank."""
    return next(line for line in lines if line.strip())


def test_a_stream_opened_while_the_loop_is_stuck_sends_nothing_not_even_its_state(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(control_server, "PING_EVERY", 0.05)
    with raw_events(tmp_path, StillCore(), QUIET) as lines, pytest.raises(TimeoutError):
        sent = said(lines)
        pytest.fail(f"the stream sent {sent!r}")


@contextlib.contextmanager
def turning(core: StillCore) -> Iterator[None]:
    """``core``'s loop turning every 0.01 s until the block ends."""
    done = threading.Event()

    def turn() -> None:
        while not done.wait(0.01):
            core.hub.beat()

    threading.Thread(target=turn, daemon=True).start()
    try:
        yield
    finally:
        done.set()


def test_a_clock_whose_loop_turns_sends_its_state_then_pings(tmp_path, monkeypatch):
    monkeypatch.setattr(control_server, "PING_EVERY", 0.05)
    core = StillCore()
    with turning(core), raw_events(tmp_path, core, DEADLINE) as lines:
        assert said(lines) == b"event: state\n"
        assert said(lines) == b"data: {}\n"
        assert said(lines) == b": ping\n"


def test_a_stream_opened_as_the_loop_shows_a_frame_sends_the_state_then_the_frame(tmp_path):
    core = StillCore()
    with raw_events(tmp_path, core, DEADLINE) as lines:
        deadline = time.monotonic() + DEADLINE
        while not core.hub.subscribers and time.monotonic() < deadline:
            time.sleep(0.01)
        core.hub.publish("frame", '{"time":null}')
        assert [said(lines) for _ in range(4)] == [
            b"event: state\n",
            b"data: {}\n",
            b"event: frame\n",
            b'data: {"time":null}\n',
        ]


def test_the_running_clocks_loop_keeps_the_pings_going_every_second(tmp_path):
    service = running(tmp_path, "png")
    service.run(frames=3)
    assert service.hub.beats == 3
