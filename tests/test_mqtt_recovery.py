"""The bridge through failures: its own death, the clock stopping and coming back, the
broker down at start or restarting. It keeps trying, logs one line per change of
condition, and says on …/availability whether the clock can be reached."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from bridged import bridged, ids_of, mqtt_table, running_bridge, write_config
from broker import Broker, retained
from webpage import running_clock, wait_for

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
