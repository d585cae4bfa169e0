"""The bridge's names on the broker: this clock's id, its topics, its client id and name.

Everything here follows from the ``[mqtt]`` table and the host name, so two clocks with
the same configuration file still get topics of their own.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass

from binclock.config import MqttConfig

MAX_ID = 64
_NOT_ID = re.compile(r"[^a-z0-9_-]")
_UNDERSCORES = re.compile(r"_{2,}")


def device_id(hostname: str) -> str:
    """``hostname`` as an id for topics and Home Assistant (``[a-z0-9_-]``, 1-64 long):
    lower-cased, every other character as ``_``, runs of ``_`` as one, none at either
    end; ``binclock`` when nothing is left."""
    text = _UNDERSCORES.sub("_", _NOT_ID.sub("_", hostname.lower())).strip("_")
    return text[:MAX_ID].rstrip("_") or "binclock"


@dataclass(frozen=True)
class Topics:
    """Every topic the bridge publishes to or listens on. Under ``base``: ``state`` (the
    clock's state, retained), ``set`` (commands), ``availability`` (``online`` or
    ``offline``, retained), ``notify`` (notifications) and ``time`` (the time shown,
    retained). ``fleet`` is the set topic every clock obeys, None when ``fleet_topic`` is
    empty. Under ``discovery_prefix``: ``birth``, where Home Assistant says it (re)started,
    and the three discovery topics ``*_config``."""

    base: str
    state: str
    set: str
    availability: str
    notify: str
    time: str
    fleet: str | None
    birth: str
    light_config: str
    synchronised_config: str
    time_config: str
    device_id: str


def topics(cfg: MqttConfig, hostname: str | None = None) -> Topics:
    """This clock's topics from ``[mqtt]``; ``hostname`` (default: this machine's) gives
    the device id when ``device_id`` is not set."""
    ident = cfg.device_id or device_id(_host(hostname))
    base = cfg.base_topic or f"binclock/{ident}"
    prefix = cfg.discovery_prefix
    return Topics(
        base=base,
        state=f"{base}/state",
        set=f"{base}/set",
        availability=f"{base}/availability",
        notify=f"{base}/notify",
        time=f"{base}/time",
        fleet=cfg.fleet_topic or None,
        birth=f"{prefix}/status",
        light_config=f"{prefix}/light/{ident}/config",
        synchronised_config=f"{prefix}/binary_sensor/{ident}/synchronised/config",
        time_config=f"{prefix}/sensor/{ident}/time/config",
        device_id=ident,
    )


def client_id(cfg: MqttConfig, ids: Topics) -> str:
    """The client id given to the broker: ``client_id``, else ``binclock-DEVICE_ID``."""
    return cfg.client_id or f"binclock-{ids.device_id}"


def device_name(cfg: MqttConfig, hostname: str | None = None) -> str:
    """This clock's name in Home Assistant: ``name``, else ``binclock HOSTNAME``."""
    return cfg.name or f"binclock {_host(hostname)}"


def _host(hostname: str | None) -> str:
    return socket.gethostname() if hostname is None else hostname
