"""The bridge through failures: its own death, the clock stopping and coming back, the
broker down at start or restarting. It keeps trying, logs one line per change of
condition, and says on …/availability whether the clock can be reached."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bridged import bridged, ids_of, mqtt_table, running_bridge, write_config
from broker import Broker, retained
from webpage import running_clock, wait_for

from binclock.control.client import ControlClient

pytestmark = pytest.mark.usefixtures("broker")


# CONNACK, MQTT 3.1.1: return code 3, "server unavailable": a broker that may take us later
UNAVAILABLE = b"\x20\x02\x00\x03"


@contextlib.contextmanager
def unavailable_broker() -> Iterator[tuple[int, list[int]]]:
    """A loopback port whose every login is answered "server unavailable", then closed;
    yields the port and a list that grows by one per login answered."""
    server = socket.create_server(("127.0.0.1", 0))
    logins: list[int] = []

    def answer() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.recv(4096)
                conn.sendall(UNAVAILABLE)
            logins.append(1)

    threading.Thread(target=answer, daemon=True).start()
    try:
        yield server.getsockname()[1], logins
    finally:
        server.close()


class Cable:
    """A loopback port wired to the broker's, that can swallow what passes (the network
    gone quiet), be cut, and refuse new connections until it is plugged in again."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.quiet = threading.Event()
        self.plugged = threading.Event()
        self.plugged.set()
        self.swallowed = 0  # bytes that went nowhere while quiet
        self.ends: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                near, _ = self.server.accept()
            except OSError:
                return
            if not self.plugged.is_set():
                near.close()
                continue
            far = socket.create_connection(("127.0.0.1", self.target))
            self.ends += [near, far]
            for a, b in ((near, far), (far, near)):
                threading.Thread(target=self._pass, args=(a, b), daemon=True).start()

    def _pass(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if self.quiet.is_set():
                    self.swallowed += len(data)
                else:
                    sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Cut every connection and take no new one until ``plug``."""
        self.plugged.clear()
        for end in self.ends:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
        self.ends.clear()

    def plug(self) -> None:
        self.quiet.clear()
        self.plugged.set()

    def close(self) -> None:
        self.cut()
        self.server.close()


def says(broker: Broker, topic: str, payload: bytes) -> bool:
    return retained(broker.ports.plain, topic) == payload


def test_killed_bridge_leaves_its_last_will_offline(broker: Broker, tmp_path: Path) -> None:
    with running_clock(tmp_path / "clock") as socket, bridged(broker, tmp_path, socket) as rig:
        rig.bridge.kill()
        rig.bridge.wait(30)
        rig.listener.wait_last(rig.ids.availability, lambda m: m.payload == b"offline")
        assert says(broker, rig.ids.availability, b"offline")


def test_clock_stopping_says_offline_and_coming_back_says_online(
    broker: Broker, tmp_path: Path
) -> None:
    clock = tmp_path / "clock"
    with bridged(broker, tmp_path / "bridge", clock / "control.sock", online=False) as rig:
        with running_clock(clock):
            rig.wait_online()
            stopped = len(rig.log_lines())
        rig.listener.wait_last(rig.ids.availability, lambda m: m.payload == b"offline")
        rig.wait_logged("the clock is not answering", after=stopped)
        with running_clock(clock):
            rig.wait_online()
            assert len(rig.wait_logged("the clock is not answering", after=stopped)) == 1
            assert len(rig.wait_logged("following the clock", after=stopped)) == 1


def test_bridge_waits_for_a_clock_that_is_not_there_yet(broker: Broker, tmp_path: Path) -> None:
    clock = tmp_path / "clock"
    with bridged(broker, tmp_path / "bridge", clock / "control.sock", online=False) as rig:
        rig.listener.wait_last(rig.ids.availability, lambda m: m.payload == b"offline")
        rig.wait_logged("the clock is not answering")
        with running_clock(clock):
            rig.wait_online()
            rig.send({"brightness": 51})
            rig.wait_state(lambda s: s["brightness"] == pytest.approx(0.2), "brightness 0.2")


def test_bridge_waits_for_a_broker_down_at_start(broker: Broker, tmp_path: Path) -> None:
    table = mqtt_table(broker.ports.plain)
    ids = ids_of(table)
    config = write_config(tmp_path / "config.toml", table)
    log = tmp_path / "bridge" / "mqtt.log"
    broker.stop()
    try:
        with (
            running_clock(tmp_path / "clock") as socket,
            running_bridge(tmp_path / "bridge", socket, config),
        ):
            wait_for(lambda: "cannot reach the broker" in log.read_text(), "a complaint")
            broker.start()
            wait_for(lambda: says(broker, ids.availability, b"online"), "online")
    finally:
        if broker.process is None:
            broker.start()
    lines = log.read_text().splitlines()
    assert len([line for line in lines if "cannot reach the broker" in line]) == 1
    assert len([line for line in lines if "connected to the broker" in line]) == 1


def test_bridge_publishes_everything_again_after_a_broker_restart(
    broker: Broker, tmp_path: Path
) -> None:
    with running_clock(tmp_path / "clock") as socket, bridged(broker, tmp_path, socket) as rig:
        broker.restart()  # without persistence: every retained message is gone
        for topic in (rig.ids.light_config, rig.ids.state, rig.ids.time):
            wait_for(lambda t=topic: retained(broker.ports.plain, t), f"{topic} again")
        wait_for(lambda: says(broker, rig.ids.availability, b"online"), "online again")
        rig.send({"state": "OFF"})
        rig.wait_state(lambda s: s["power"] == "off", "the command after the restart")
        rig.wait_logged("lost the broker")
        assert len(rig.wait_logged("connected to the broker")) == 2


def test_a_broker_that_keeps_refusing_for_now_is_one_line_not_one_per_try(tmp_path: Path) -> None:
    with unavailable_broker() as (port, logins):
        config = write_config(tmp_path / "config.toml", mqtt_table(port))
        log = tmp_path / "bridge" / "mqtt.log"
        with running_bridge(tmp_path / "bridge", tmp_path / "no.sock", config):
            wait_for(lambda: len(logins) >= 3, "three tries")
            wait_for(lambda: "refused" in log.read_text(), "a complaint")
    lines = [line for line in log.read_text().splitlines() if "the broker 127.0.0.1" in line]
    assert len(lines) == 1, lines


def test_a_state_lost_with_the_network_does_not_outlive_the_newer_one(
    broker: Broker, tmp_path: Path
) -> None:
    cable = Cable(broker.ports.plain)
    try:
        with (
            running_clock(tmp_path / "clock") as socket_path,
            bridged(broker, tmp_path, socket_path, port=cable.port) as rig,
        ):
            clock = ControlClient(socket_path)
            cable.quiet.set()
            clock.call("PATCH", "/api/state", {"brightness": 0.2})  # 51: not acknowledged
            wait_for(lambda: cable.swallowed > 0, "the bridge to publish into the void")
            cable.cut()
            rig.wait_logged("lost the broker")
            clock.call("PATCH", "/api/state", {"brightness": 0.4})  # 102, while away
            cable.plug()

            def brightness(m: Any) -> int:
                return json.loads(m.payload)["brightness"]

            seen = len(rig.listener.on(rig.ids.state))
            wait_for(
                lambda: {51, 102} <= {brightness(m) for m in rig.listener.on(rig.ids.state)[seen:]},
                "the bridge to publish both after it is back",
            )
            assert brightness(rig.listener.last(rig.ids.state)) == 102
    finally:
        cable.close()
