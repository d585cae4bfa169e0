"""``binclock mqtt`` before it reaches any broker: configuration problems are one line and
exit 78, a missing paho-mqtt one line and exit 69."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import trustme
from bridged import write_config

import binclock.mqtt
from binclock import exitcodes
from binclock.commandline import cli
from binclock.config import MqttConfig
from binclock.mqtt import connection


def run(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> tuple[int, list[str]]:
    code = cli.main(["mqtt", "--config", str(config), *args])
    return code, capsys.readouterr().err.splitlines()


def test_without_a_host_it_exits_78_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path / "config.toml", {"discovery": True})
    code, lines = run(capsys, config)
    assert code == exitcodes.CONFIG
    assert lines == [f"binclock: {config}: [mqtt] host is not set (the broker's address)"]


def test_forget_without_a_host_exits_78(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path / "config.toml", {})
    code, lines = run(capsys, config, "--forget")
    assert code == exitcodes.CONFIG
    assert len(lines) == 1


@pytest.mark.parametrize(
    ("table", "said"),
    [
        ({"username": "u", "password_file": "/nonexistent/pw"}, "mqtt.password_file = "),
        ({"password_file": "PW"}, "mqtt.password_file is set without mqtt.username"),
        ({"tls": True, "ca_file": "/nonexistent/ca.pem"}, "mqtt.ca_file = '/nonexistent/ca.pem'"),
        ({"ca_file": "CA"}, "mqtt.ca_file is set but mqtt.tls is false"),
        ({"tls": True, "key_file": "KEY"}, "mqtt.key_file is set without mqtt.cert_file"),
        ({"tls": True, "cert_file": "NOT_PEM"}, "mqtt.cert_file = "),
        ({"tls": True, "cert_file": "CERT", "key_file": "NOT_PEM"}, "mqtt.key_file = "),
    ],
    ids=[
        "unreadable password file",
        "password without user",
        "missing CA file",
        "CA without TLS",
        "key without certificate",
        "certificate that is not PEM",
        "key that is not PEM",
    ],
)
def test_bad_connection_setting_exits_78_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: dict[str, object], said: str
) -> None:
    cert = trustme.CA().issue_cert("localhost")
    files = {"PW": tmp_path / "pw", "CA": tmp_path / "ca.pem", "KEY": tmp_path / "key.pem"}
    files |= {"CERT": tmp_path / "cert.pem", "NOT_PEM": tmp_path / "junk.pem"}
    files["PW"].write_text("secret\n")
    files["NOT_PEM"].write_text("not a certificate\n")
    cert.cert_chain_pems[0].write_to_path(str(files["CERT"]))
    cert.private_key_pem.write_to_path(str(files["KEY"]))
    resolved = {k: str(files[v]) if v in files else v for k, v in table.items()}
    config = write_config(tmp_path / "config.toml", {"host": "127.0.0.1", **resolved})
    code, lines = run(capsys, config)
    assert code == exitcodes.CONFIG
    assert len(lines) == 1
    assert said in lines[0]
    assert str(config) in lines[0]


def test_the_password_is_the_first_line_of_its_file(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("hunter2 with spaces \nsecond line\n")
    cfg = MqttConfig(host="broker", username="u", password_file=tmp_path / "pw")
    assert connection.settings(cfg, "broker", "id").password == "hunter2 with spaces "


def test_the_password_is_not_shown_with_the_settings(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("hunter2\n")
    cfg = MqttConfig(host="broker", username="u", password_file=tmp_path / "pw")
    assert "hunter2" not in repr(connection.settings(cfg, "broker", "id"))


def test_without_paho_it_exits_69_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("bridge", "connection"):
        monkeypatch.delattr(binclock.mqtt, name, raising=False)
        monkeypatch.delitem(sys.modules, f"binclock.mqtt.{name}", raising=False)
    for name in [m for m in sys.modules if m.startswith("paho")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "paho", None)
    config = write_config(tmp_path / "config.toml", {"host": "127.0.0.1"})
    code, lines = run(capsys, config)
    assert code == exitcodes.UNAVAILABLE
    assert lines == ["binclock: binclock mqtt needs paho-mqtt: pip install 'binclock[mqtt]'"]
