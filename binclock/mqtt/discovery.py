"""Home Assistant MQTT discovery: the retained config messages that make the clock a
device with three entities, a light (power, brightness, colour of the lit bits, the face
as its effect), a "Synchronised" binary sensor and a "Time shown" sensor.

Keys are Home Assistant's full names (no abbreviations), as its MQTT integration
validates them (the JSON light schema, binary_sensor, sensor, and the shared device,
origin and availability schemas).
"""

from __future__ import annotations

import re
from typing import Any

from binclock.mqtt.payload import SCALE
from binclock.mqtt.topics import Topics

SYNCHRONISED = (
    "{{ 'None' if value_json.synchronised is none"
    " else 'ON' if value_json.synchronised else 'OFF' }}"
)
ONLINE = "online"
OFFLINE = "offline"


def announcements(ids: Topics, view: dict, name: str, version: str) -> dict[str, dict]:
    """Each discovery topic and its config payload (published retained). ``view`` is the
    clock's state view (its installed faces become the light's effects), ``name`` the
    device's name in Home Assistant and ``version`` binclock's version."""
    ident = ids.device_id
    device = {
        "identifiers": [f"binclock_{ident}"],
        "name": name,
        "manufacturer": "binclock",
        "model": "binclock",
        "sw_version": version,
    }
    common: dict[str, Any] = {
        "availability_topic": ids.availability,
        "payload_available": ONLINE,
        "payload_not_available": OFFLINE,
        "device": device,
    }
    light = {
        "name": None,  # the entity is the device itself: it takes the device's name
        "unique_id": f"binclock_{ident}_light",
        # Home Assistant's successor to object_id (deprecated in 2025.10, gone in 2026.4)
        "default_entity_id": f"light.{entity_slug(ident)}",
        "schema": "json",
        "command_topic": ids.set,
        "state_topic": ids.state,
        "brightness": True,
        "brightness_scale": SCALE,
        "supported_color_modes": ["rgb"],
        "effect": True,
        "effect_list": list(view["faces"]),
        # Home Assistant would otherwise offer flashing and send "flash", which the
        # clock has no use for
        "flash": False,
        **common,
        "origin": {"name": "binclock", "sw_version": version},
    }
    synchronised = {
        "name": "Synchronised",
        "unique_id": f"binclock_{ident}_synchronised",
        "state_topic": ids.state,
        # "None" is Home Assistant's word for unknown: a clock that cannot tell
        "value_template": SYNCHRONISED,
        "entity_category": "diagnostic",
        **common,
    }
    time_shown = {
        "name": "Time shown",
        "unique_id": f"binclock_{ident}_time",
        "state_topic": ids.time,
        "icon": "mdi:clock-digital",
        **common,
    }
    return {
        ids.light_config: light,
        ids.synchronised_config: synchronised,
        ids.time_config: time_shown,
    }


def entity_slug(ident: str) -> str:
    """``binclock_DEVICE_ID`` as Home Assistant allows in an entity id: no ``-``, no
    ``__``, no ``_`` at either end."""
    return re.sub(r"_+", "_", f"binclock_{ident}".replace("-", "_")).strip("_")


def forgotten(ids: Topics) -> list[str]:
    """The retained topics ``binclock mqtt --forget`` empties: the three discovery
    topics, state, time and availability."""
    return [
        ids.light_config,
        ids.synchronised_config,
        ids.time_config,
        ids.state,
        ids.time,
        ids.availability,
    ]
