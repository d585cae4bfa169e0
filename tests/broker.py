"""A real MQTT broker for the bridge's tests: Debian's mosquitto on free loopback ports.

One configuration, four listeners: plain and anonymous; TLS with a test CA made at test
time; TLS that also asks for a client certificate; and one that asks for a user and the
password in a password file made with ``mosquitto_passwd``. The broker can be stopped and
started again on the same ports. ``Listener`` subscribes with paho and keeps what arrives,
so tests wait for messages instead of sleeping."""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webpage import free_port, wait_for

MOSQUITTO = Path("/usr/sbin/mosquitto")
MOSQUITTO_PASSWD = Path("/usr/bin/mosquitto_passwd")
USER = "clock"
PASSWORD = "correct horse battery staple"


def broker_missing() -> str | None:
    """Why no test against a real broker can run here, or None."""
    for path in (MOSQUITTO, MOSQUITTO_PASSWD):
        if not path.exists():
            return f"{path} is missing (apt-get install mosquitto)"
    for module, extra in (("paho.mqtt", "paho-mqtt"), ("trustme", "trustme")):
        try:
            __import__(module)
        except ImportError:
            return f"{extra} is not installed (pip install -e '.[dev]')"
    return None


@dataclass(frozen=True)
class Ports:
    plain: int
    tls: int
    client_cert: int
    password: int


class Broker:
    """mosquitto with the test listeners, its files in ``folder``."""

    def __init__(self, folder: Path) -> None:
        import trustme

        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.ports = Ports(free_port(), free_port(), free_port(), free_port())
        ca = trustme.CA()
        self.ca_file = self._write(ca.cert_pem, "ca.pem")
        self.untrusted_ca_file = self._write(trustme.CA().cert_pem, "untrusted-ca.pem")
        server = ca.issue_cert("127.0.0.1", "localhost")
        server_cert = self._write(server.cert_chain_pems[0], "server.pem")
        server_key = self._write(server.private_key_pem, "server.key")
        client = ca.issue_cert("binclock-client")
        self.cert_file = self._write(client.cert_chain_pems[0], "client.pem")
        self.key_file = self._write(client.private_key_pem, "client.key")
        self.password_file = folder / "password"
        self.password_file.write_text(PASSWORD + "\n")
        passwd = folder / "passwd"
        subprocess.run(
            [MOSQUITTO_PASSWD, "-b", "-c", passwd, USER, PASSWORD],
            check=True,
            capture_output=True,
        )
        tls = f"cafile {self.ca_file}\ncertfile {server_cert}\nkeyfile {server_key}\n"
        self.config = folder / "mosquitto.conf"
        self.config.write_text(
            "per_listener_settings true\n"
            "persistence false\n"
            f"user {pwd.getpwuid(os.getuid()).pw_name}\n"
            "log_dest stderr\n"
            "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
            f"listener {self.ports.plain} 127.0.0.1\nallow_anonymous true\n"
            f"listener {self.ports.tls} 127.0.0.1\nallow_anonymous true\n{tls}"
            f"listener {self.ports.client_cert} 127.0.0.1\nallow_anonymous true\n{tls}"
            "require_certificate true\n"
            f"listener {self.ports.password} 127.0.0.1\nallow_anonymous false\n"
            f"password_file {passwd}\n"
        )
        self.process: subprocess.Popen[bytes] | None = None
        self._log = folder / "mosquitto.log"

    def _write(self, blob: Any, name: str) -> Path:
        path = self.folder / name
        blob.write_to_path(str(path))
        return path

    def start(self) -> None:
        """Start mosquitto and wait until every listener takes connections."""
        with self._log.open("ab") as log:
            self.process = subprocess.Popen(
                [MOSQUITTO, "-c", self.config],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        for port in (self.ports.plain, self.ports.tls, self.ports.client_cert, self.ports.password):
            wait_for(lambda port=port: self._listening(port), f"mosquitto on port {port}")

    def _listening(self, port: int) -> bool:
        if self.process is not None and self.process.poll() is not None:
            tail = self._log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"mosquitto exited with {self.process.returncode}: {tail}")
        with contextlib.closing(socket.socket()) as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    def stop(self) -> None:
        """Stop mosquitto (its retained messages go with it: no persistence)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        return self._log.read_text(errors="replace")


@contextlib.contextmanager
def running_broker(folder: Path) -> Iterator[Broker]:
    broker = Broker(folder)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class Message:
    topic: str
    payload: bytes
    retain: bool

    def json(self) -> Any:
        return json.loads(self.payload)


class Listener:
    """A paho client on the broker's plain listener that keeps every message on
    ``topics`` (wildcards allowed), and subscribes again after the broker comes back."""

    def __init__(self, port: int, *topics: str) -> None:
        import paho.mqtt.client as mqtt

        self.topics = topics
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.on_connect = self._connected
        self.client.on_subscribe = lambda *_: self._subscribed.set()
        self.client.on_message = self._received
        self.client.reconnect_delay_set(1, 1)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        wait_for(self._subscribed.is_set, f"subscribing to {', '.join(topics) or 'nothing'}")

    def _connected(
        self, client: Any, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if reason.is_failure:
            return
        if self.topics:
            client.subscribe([(topic, 1) for topic in self.topics])
        else:
            self._subscribed.set()

    def _received(self, _client: Any, _userdata: Any, msg: Any) -> None:
        with self._lock:
            self.messages.append(Message(msg.topic, bytes(msg.payload), bool(msg.retain)))

    def on(self, topic: str) -> list[Message]:
        """The messages on ``topic`` so far, oldest first."""
        with self._lock:
            return [m for m in self.messages if m.topic == topic]

    def last(self, topic: str) -> Message | None:
        found = self.on(topic)
        return found[-1] if found else None

    def wait(
        self, topic: str, check: Callable[[Message], bool] = lambda _: True, timeout: float = 30
    ) -> Message:
        """The first message on ``topic`` (among all so far) that passes ``check``."""

        def found() -> Message | None:
            return next((m for m in self.on(topic) if check(m)), None)

        return wait_for(found, f"a message on {topic}", timeout)

    def wait_last(
        self, topic: str, check: Callable[[Message], bool], timeout: float = 30
    ) -> Message:
        """The latest message on ``topic``, once it passes ``check``."""

        def found() -> Message | None:
            last = self.last(topic)
            return last if last is not None and check(last) else None

        return wait_for(found, f"the latest message on {topic} to pass", timeout)

    def publish(self, topic: str, payload: bytes | str, retain: bool = False) -> None:
        """Publish and wait until the broker has it (after the broker restarted: once the
        listener is back)."""
        wait_for(self.client.is_connected, "the listener to connect")
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        info.wait_for_publish(10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def retained(port: int, topic: str) -> bytes | None:
    """The payload retained on ``topic`` now (None: nothing retained). A marker published
    after subscribing comes after any retained message, so nothing is waited out."""
    marker = f"binclock-test/marker/{uuid.uuid4().hex}"
    listener = Listener(port, topic, marker)
    try:
        listener.publish(marker, b"")
        listener.wait(marker)
        last = listener.last(topic)
        return last.payload if last is not None and last.retain else None
    finally:
        listener.close()


def retained_json(port: int, topic: str) -> Any:
    """The JSON retained on ``topic`` now; an AssertionError when nothing is."""
    payload = retained(port, topic)
    assert payload is not None, f"nothing is retained on {topic}"
    return json.loads(payload)
