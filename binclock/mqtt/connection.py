"""The broker connection from ``[mqtt]``: address, protocol, TLS and login.

Files named in the configuration are read before the first try, so a missing or unreadable
one is a configuration error (exit 78) rather than a retry loop; a login or certificate
the broker or the CA refuses is ``Refused`` (exit 77); anything else is the network, and
the caller tries again.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode

from binclock import exitcodes
from binclock.config import ConfigError, MqttConfig, reason, shown
from binclock.mqtt.discovery import OFFLINE

CONNECT_TIMEOUT = 10.0  # seconds for the TCP connection and the TLS handshake
PLAIN_PORT = 1883
TLS_PORT = 8883
# CONNACK reason codes (MQTT 5 numbering; paho maps 3.1.1's 4 and 5 onto these).
BAD_LOGIN = {0x86, 0x87, 0x8C}  # bad user name or password, not authorised, bad auth method
BAD_SETTING = {0x84: "mqtt.protocol", 0x85: "mqtt.client_id"}  # unsupported version, bad id


class Refused(Exception):
    """The broker or TLS said no in a way that trying again cannot change."""

    def __init__(self, message: str, code: int = exitcodes.NOPERM) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Settings:
    """What a connection needs, checked and with its files read."""

    host: str
    port: int
    keepalive: int
    protocol: mqtt.MQTTProtocolVersion
    client_id: str
    username: str | None
    password: str | None = field(repr=False)  # never shown
    tls: ssl.SSLContext | None
    ca_file: Path | None

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def settings(cfg: MqttConfig, host: str, client_id: str, source: Path | None = None) -> Settings:
    """The settings of a connection to ``host``; a ConfigError naming the file (``source``)
    and key of a bad one."""
    where = f"{source}: " if source else ""
    unused = [key for key in ("ca_file", "cert_file", "key_file") if getattr(cfg, key)]
    if unused and not cfg.tls:
        raise ConfigError(f"{where}mqtt.{unused[0]} is set but mqtt.tls is false")
    if cfg.key_file and not cfg.cert_file:
        raise ConfigError(f"{where}mqtt.key_file is set without mqtt.cert_file")
    password = None
    if cfg.password_file is not None:
        if not cfg.username:
            raise ConfigError(f"{where}mqtt.password_file is set without mqtt.username")
        password = _first_line(cfg.password_file, f"{where}mqtt.password_file")
    return Settings(
        host=host,
        port=cfg.port or (TLS_PORT if cfg.tls else PLAIN_PORT),
        keepalive=cfg.keepalive,
        protocol=mqtt.MQTTv5 if cfg.protocol == "5" else mqtt.MQTTv311,
        client_id=client_id,
        username=cfg.username,
        password=password,
        tls=_tls(cfg, where) if cfg.tls else None,
        ca_file=cfg.ca_file,
    )


def _first_line(path: Path, key: str) -> str:
    try:
        text = path.expanduser().read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{key} = {shown(str(path))}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{key} = {shown(str(path))}: not UTF-8 text") from None
    lines = text.splitlines()
    return lines[0] if lines else ""


def _tls(cfg: MqttConfig, where: str) -> ssl.SSLContext:
    """A context that checks the broker's certificate and host name against ``ca_file``
    (or the system's CAs), with the client certificate when there is one."""

    def bad(key: str, path: Path | None, exc: Exception) -> ConfigError:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else reason(exc)
        return ConfigError(f"{where}mqtt.{key} = {shown(str(path))}: cannot load: {why}")

    ca = cfg.ca_file.expanduser() if cfg.ca_file else None
    try:
        context = ssl.create_default_context(cafile=ca)
    except (OSError, ValueError) as exc:
        raise bad("ca_file", ca, exc) from None
    if cfg.cert_file:
        cert = cfg.cert_file.expanduser()
        key = cfg.key_file.expanduser() if cfg.key_file else None
        try:
            # No password prompt on the terminal: an encrypted key fails to load instead.
            context.load_cert_chain(cert, key, password=lambda: b"")
        except (OSError, ValueError) as exc:
            raise bad("cert_file" if key is None else "key_file", key or cert, exc) from None
    return context


def client(s: Settings, will: str | None = None) -> mqtt.Client:
    """A paho client that does not reconnect by itself (its owner decides when); ``will``:
    the topic that says "offline" (retained) when the connection dies."""
    c = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=s.client_id,
        protocol=s.protocol,
        reconnect_on_failure=False,
    )
    c.connect_timeout = CONNECT_TIMEOUT
    if s.username:
        c.username_pw_set(s.username, s.password)
    if s.tls is not None:
        c.tls_set_context(s.tls)
    if will is not None:
        c.will_set(will, OFFLINE, qos=1, retain=True)
    return c


def open_connection(c: mqtt.Client, s: Settings) -> None:
    """Connect and send the login; the broker's answer comes to ``on_connect``. An OSError
    when the broker cannot be reached; ``Refused`` when its certificate is not trusted."""
    try:
        if s.protocol == mqtt.MQTTv5:
            c.connect(s.host, s.port, s.keepalive, clean_start=True)
        else:
            c.connect(s.host, s.port, s.keepalive)
    except ssl.SSLCertVerificationError as exc:
        trusted = f"the CAs in {s.ca_file}" if s.ca_file else "the system's CAs"
        raise Refused(
            f"the broker {s.address} shows a certificate {trusted} do not vouch for:"
            f" {exc.verify_message}"
        ) from None


def refusal(code: ReasonCode, s: Settings) -> Refused | None:
    """What a refused login means: ``Refused`` when trying again cannot help, None when the
    broker may take it later (busy, shutting down)."""
    if code.value in BAD_LOGIN:
        who = f"user {s.username!r}" if s.username else "an anonymous client"
        return Refused(f"the broker {s.address} refused {who}: {code}")
    if code.value in BAD_SETTING:
        key = BAD_SETTING[code.value]
        return Refused(f"the broker {s.address} refused {key}: {code}", exitcodes.CONFIG)
    return None


def unreachable(exc: OSError) -> str:
    """Why the broker could not be reached, in a few words."""
    return exc.strerror or reason(exc)
