"""How the bridge connects: TLS with the test CA and with a client certificate, a user and
password from a file, MQTT 5; what a refusal looks like (one line, exit 77); and
``binclock mqtt --forget``."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bridged import Bridged, bridged, ids_of, mqtt_table, write_config
from broker import PASSWORD, USER, Broker, retained
from webpage import environment, free_port, running_clock

from binclock import exitcodes
from binclock.mqtt.discovery import forgotten

pytestmark = pytest.mark.usefixtures("broker")
TIMEOUT = 60


@pytest.fixture(scope="module")
def clock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with running_clock(tmp_path_factory.mktemp("clock")) as socket:
        yield socket


def obeys(rig: Bridged) -> None:
    rig.send({"brightness": 77})
    rig.wait_state(lambda s: round(s["brightness"] * 255) == 77, "brightness 77")


def run(folder: Path, socket: Path, table: dict[str, Any], *args: str) -> tuple[int, list[str]]:
    """``binclock mqtt`` with ``table`` as [mqtt] until it exits: its status and stderr."""
    config = write_config(folder / "config.toml", table)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "binclock",
            "mqtt",
            "--config",
            str(config),
            "--socket",
            str(socket),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=environment(folder),
    )
    return done.returncode, done.stderr.splitlines()


def test_tls_with_the_test_ca(broker: Broker, clock: Path, tmp_path: Path) -> None:
    tls = {"port": broker.ports.tls, "tls": True, "ca_file": str(broker.ca_file)}
    with bridged(broker, tmp_path, clock, **tls) as rig:
        obeys(rig)


def test_tls_with_a_client_certificate(broker: Broker, clock: Path, tmp_path: Path) -> None:
    tls = {
        "port": broker.ports.client_cert,
        "tls": True,
        "ca_file": str(broker.ca_file),
        "cert_file": str(broker.cert_file),
        "key_file": str(broker.key_file),
    }
    with bridged(broker, tmp_path, clock, **tls) as rig:
        obeys(rig)


def test_tls_refuses_a_broker_the_ca_does_not_vouch_for(
    broker: Broker, clock: Path, tmp_path: Path
) -> None:
    table = mqtt_table(broker.ports.tls, tls=True, ca_file=str(broker.untrusted_ca_file))
    code, lines = run(tmp_path, clock, table)
    assert code == exitcodes.NOPERM
    assert len(lines) == 1
    assert "certificate" in lines[0]
    assert str(broker.untrusted_ca_file) in lines[0]


def test_password_from_a_file(broker: Broker, clock: Path, tmp_path: Path) -> None:
    login = {
        "port": broker.ports.password,
        "username": USER,
        "password_file": str(broker.password_file),
    }
    with bridged(broker, tmp_path, clock, **login) as rig:
        obeys(rig)


def test_wrong_password_exits_77_in_one_line(broker: Broker, clock: Path, tmp_path: Path) -> None:
    (tmp_path / "wrong").write_text("not " + PASSWORD + "\n")
    table = mqtt_table(broker.ports.password, username=USER, password_file=str(tmp_path / "wrong"))
    code, lines = run(tmp_path, clock, table)
    assert code == exitcodes.NOPERM
    assert len(lines) == 1
    assert f"refused user {USER!r}" in lines[0]
    assert PASSWORD not in lines[0]


def test_no_login_where_one_is_needed_exits_77(broker: Broker, clock: Path, tmp_path: Path) -> None:
    code, lines = run(tmp_path, clock, mqtt_table(broker.ports.password))
    assert code == exitcodes.NOPERM
    assert len(lines) == 1
    assert "refused an anonymous client" in lines[0]


def test_mqtt_5(broker: Broker, clock: Path, tmp_path: Path) -> None:
    with bridged(broker, tmp_path, clock, protocol="5") as rig:
        obeys(rig)
        rig.bridge.kill()
        rig.listener.wait_last(rig.ids.availability, lambda m: m.payload == b"offline")


def test_forget_empties_the_retained_topics(broker: Broker, clock: Path, tmp_path: Path) -> None:
    table = mqtt_table(broker.ports.plain)
    ids = ids_of(table)
    with bridged(broker, tmp_path / "bridge", clock, **table) as rig:
        rig.bridge.send_signal(signal.SIGTERM)
        rig.bridge.wait(TIMEOUT)
    assert retained(broker.ports.plain, ids.light_config) is not None
    code, lines = run(tmp_path, clock, table, "--forget")
    assert (code, lines) == (exitcodes.OK, [])
    for topic in forgotten(ids):
        assert retained(broker.ports.plain, topic) is None, topic


def test_forget_without_a_broker_exits_69_in_one_line(clock: Path, tmp_path: Path) -> None:
    code, lines = run(tmp_path, clock, mqtt_table(free_port()), "--forget")
    assert code == exitcodes.UNAVAILABLE
    assert len(lines) == 1
    assert "cannot reach the broker" in lines[0]
