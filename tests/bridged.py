"""A real clock and a real ``binclock mqtt`` on the test broker, for the bridge's tests.

The clock is ``webpage.running_clock`` (``python -m binclock --driver jsonl`` with its
control socket in a temporary folder); the bridge is ``python -m binclock mqtt -v`` with a
configuration of its own: a device id, discovery prefix and fleet topic unique to the test,
so the session's one broker keeps tests apart."""

from __future__ import annotations

import contextlib
import json
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from broker import Broker, Listener
from webpage import process, unix_get, wait_for

from binclock.config import MqttConfig
from binclock.mqtt.topics import Topics, topics


def mqtt_table(port: int, **keys: Any) -> dict[str, Any]:
    """An ``[mqtt]`` table for the broker's listener on ``port``, with ids unique to one test."""
    ident = f"t{uuid.uuid4().hex[:10]}"
    table: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "device_id": ident,
        "name": f"test clock {ident}",
        "discovery_prefix": f"ha-{ident}",
        "fleet_topic": f"fleet-{ident}/set",
    }
    return table | keys


def write_config(path: Path, table: dict[str, Any]) -> Path:
    """``table`` written as the ``[mqtt]`` table of a configuration file at ``path``."""
    lines = ["[mqtt]"] + [f"{key} = {json.dumps(value)}" for key, value in table.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass
class Bridged:
    """A clock, its bridge and a listener on the broker's plain port for all its topics."""

    folder: Path
    socket: Path
    config: Path
    ids: Topics
    listener: Listener
    bridge: subprocess.Popen[bytes]
    table: dict[str, Any]

    @property
    def log(self) -> Path:
        return self.folder / "mqtt" / "mqtt.log"

    def state(self) -> dict[str, Any]:
        """The clock's own state view, from its control socket."""
        return unix_get(self.socket, "/api/state")

    def frame(self) -> dict[str, Any]:
        """The frame the clock's display shows now."""
        return unix_get(self.socket, "/api/frame")

    def send(self, message: Any, topic: str | None = None) -> None:
        """Publish ``message`` (JSON unless bytes) on ``topic`` (default: …/set)."""
        data = message if isinstance(message, bytes) else json.dumps(message).encode()
        self.listener.publish(topic or self.ids.set, data)

    def wait_state(self, check: Any, what: str) -> dict[str, Any]:
        """The clock's state once ``check(state)`` holds."""
        return wait_for(lambda: s if check(s := self.state()) else None, what)

    def wait_online(self) -> None:
        self.listener.wait_last(self.ids.availability, lambda m: m.payload == b"online")

    def log_lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines()

    def wait_logged(self, text: str, after: int = 0) -> list[str]:
        """The log lines (from line ``after`` on) that contain ``text``, once there is one."""
        return wait_for(
            lambda: [line for line in self.log_lines()[after:] if text in line],
            f"the bridge to log {text!r}",
        )


def ids_of(table: dict[str, Any]) -> Topics:
    return topics(MqttConfig.model_validate(table))


@contextlib.contextmanager
def running_bridge(
    folder: Path, socket: Path, config: Path, *args: str
) -> Iterator[subprocess.Popen[bytes]]:
    """``binclock mqtt -v`` for the clock at ``socket``; its log is ``folder/mqtt.log``."""
    command = ["mqtt", "-v", "--config", str(config), "--socket", str(socket), *args]
    with process(command, folder, "mqtt") as proc:
        yield proc


@contextlib.contextmanager
def bridged(
    broker: Broker, folder: Path, socket: Path, online: bool = True, **keys: Any
) -> Iterator[Bridged]:
    """A bridge for the clock at ``socket`` on the broker's plain port (``keys`` change its
    ``[mqtt]`` table), with a listener subscribed to everything it publishes."""
    table = mqtt_table(broker.ports.plain) | keys
    ids = ids_of(table)
    config = write_config(folder / "config.toml", table)
    prefix = table["discovery_prefix"]
    listener = Listener(broker.ports.plain, f"{ids.base}/#", f"{prefix}/#")
    try:
        with running_bridge(folder / "mqtt", socket, config) as proc:
            rig = Bridged(folder, socket, config, ids, listener, proc, table)
            if online:
                rig.wait_online()
            yield rig
    finally:
        listener.close()
