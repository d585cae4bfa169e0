"""Home Assistant discovery: the config messages are ones Home Assistant's MQTT integration
accepts, and they make one device with a light, a binary sensor and a sensor."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2.sandbox import ImmutableSandboxedEnvironment
from test_mqtt_payload import VIEW
from test_mqtt_topics import DEVICE_ID

from binclock.config import MqttConfig
from binclock.mqtt.discovery import announcements, forgotten
from binclock.mqtt.payload import SCALE, state_payload
from binclock.mqtt.topics import topics

# -- what Home Assistant accepts (home-assistant/core, homeassistant/components/mqtt/) ---------
# A discovery payload is validated by the platform's DISCOVERY_SCHEMA, which is its
# PLATFORM_SCHEMA_MODERN with unknown keys dropped: a key outside these sets is lost.

# config.py: MQTT_BASE_SCHEMA, MQTT_RO_SCHEMA (sensors), MQTT_RW_SCHEMA (lights)
BASE = {"qos", "encoding", "group"}
READ_ONLY = BASE | {"state_topic", "value_template"}
READ_WRITE = BASE | {"command_topic", "optimistic", "retain", "state_topic"}
# schemas.py: MQTT_AVAILABILITY_SCHEMA and MQTT_ENTITY_COMMON_SCHEMA; const.py's
# default_entity_id and entity_picture joined them in 2025.10 (object_id's successor)
AVAILABILITY = {
    "availability_topic",
    "availability_template",
    "payload_available",
    "payload_not_available",
    "availability_mode",
    "availability",
}
ENTITY_COMMON = AVAILABILITY | {
    "device",
    "origin",
    "enabled_by_default",
    "entity_category",
    "icon",
    "json_attributes_topic",
    "json_attributes_template",
    "object_id",
    "default_entity_id",
    "entity_picture",
    "unique_id",
}
ACCEPTED = {
    # light/schema_json.py: _PLATFORM_SCHEMA_BASE, with light/schema.py's "schema"
    "light": READ_WRITE
    | ENTITY_COMMON
    | {
        "schema",
        "brightness",
        "brightness_scale",
        "color_temp_kelvin",
        "effect",
        "effect_list",
        "flash",
        "flash_time_long",
        "flash_time_short",
        "max_mireds",
        "min_mireds",
        "max_kelvin",
        "min_kelvin",
        "name",
        "supported_color_modes",
        "transition",
        "white_scale",
    },
    # binary_sensor.py: PLATFORM_SCHEMA_MODERN
    "binary_sensor": READ_ONLY
    | ENTITY_COMMON
    | {
        "device_class",
        "expire_after",
        "force_update",
        "name",
        "off_delay",
        "payload_off",
        "payload_on",
    },
    # sensor.py: _PLATFORM_SCHEMA_BASE
    "sensor": READ_ONLY
    | ENTITY_COMMON
    | {
        "device_class",
        "expire_after",
        "force_update",
        "last_reset_value_template",
        "name",
        "options",
        "suggested_display_precision",
        "state_class",
        "unit_of_measurement",
    },
}
REQUIRED = {"light": {"command_topic"}, "binary_sensor": {"state_topic"}, "sensor": {"state_topic"}}
# Keys Home Assistant has deprecated or removed: light/schema_json.py's cv.removed() list,
# and object_id (a warning since 2025.10, no longer honoured from 2026.4)
DEPRECATED = {"object_id", "color_mode", "color_temp", "hs", "rgb", "xy", "white_value"}
# schemas.py: MQTT_ENTITY_DEVICE_INFO_SCHEMA (needs identifiers or connections) and
# MQTT_ORIGIN_INFO_SCHEMA (needs name)
DEVICE = {
    "identifiers",
    "connections",
    "manufacturer",
    "model",
    "model_id",
    "name",
    "hw_version",
    "serial_number",
    "sw_version",
    "via_device",
    "suggested_area",
    "configuration_url",
}
ORIGIN = {"name", "sw_version", "support_url"}
# light/__init__.py: VALID_COLOR_MODES; valid_supported_color_modes() refuses onoff or
# brightness together with another mode
COLOR_MODES = {"onoff", "brightness", "color_temp", "hs", "xy", "rgb", "rgbw", "rgbww", "white"}
# helpers/entity.py: ENTITY_CATEGORIES_SCHEMA
ENTITY_CATEGORIES = {"config", "diagnostic"}
# discovery.py: TOPIC_MATCHER, applied to a topic after the discovery prefix
TOPIC_MATCHER = re.compile(
    r"(?P<component>\w+)/(?:(?P<node_id>[a-zA-Z0-9_-]+)/)?(?P<object_id>[a-zA-Z0-9_-]+)/config"
)
# core.py: VALID_ENTITY_ID
VALID_ENTITY_ID = re.compile(r"^(?!.+__)(?!_)[\da-z_]+(?<!_)\.(?!_)[\da-z_]+(?<!_)$")
# light/schema_json.py reads these keys of a state message (others are left alone)
JSON_LIGHT_STATE = {"state", "brightness", "color_mode", "color", "effect"}

IDS = topics(MqttConfig(host="broker"), "Den")
SENT = announcements(IDS, VIEW, "binclock Den", "1.2.3")


def platform(topic: str) -> str:
    return topic.removeprefix("homeassistant/").split("/")[0]


ENTITIES = sorted(SENT.items())


@pytest.fixture(params=[t for t, _ in ENTITIES], ids=[platform(t) for t, _ in ENTITIES])
def entity(request) -> tuple[str, dict]:
    return platform(request.param), SENT[request.param]


# -- Home Assistant accepts them -----------------------------------------------------------


def test_there_is_a_light_a_binary_sensor_and_a_sensor():
    assert sorted(platform(t) for t in SENT) == ["binary_sensor", "light", "sensor"]


def test_each_is_announced_on_its_platforms_discovery_topic():
    for topic in SENT:
        found = TOPIC_MATCHER.fullmatch(topic.removeprefix("homeassistant/"))
        assert found, topic
        assert found["component"] == platform(topic)
    assert set(SENT) == {IDS.light_config, IDS.synchronised_config, IDS.time_config}


def test_every_key_sent_is_one_home_assistant_accepts(entity):
    kind, config = entity
    assert set(config) <= ACCEPTED[kind]


def test_the_keys_home_assistant_requires_are_there(entity):
    kind, config = entity
    assert set(config) >= REQUIRED[kind]


def test_no_deprecated_key_is_sent(entity):
    _, config = entity
    assert not set(config) & DEPRECATED


def test_every_entity_has_an_id_of_its_own_across_the_device():
    ids = [config["unique_id"] for config in SENT.values()]
    assert len(set(ids)) == 3


def test_two_clocks_never_share_an_entity_id():
    other = announcements(topics(MqttConfig(), "Hall"), VIEW, "binclock Hall", "1.2.3")
    mine = {c["unique_id"] for c in SENT.values()}
    assert not mine & {c["unique_id"] for c in other.values()}


def test_one_device_block_groups_all_three():
    devices = [config["device"] for config in SENT.values()]
    assert devices[0] == devices[1] == devices[2]
    assert devices[0]["identifiers"] == ["binclock_den"]


def test_the_device_block_says_name_model_and_version():
    device = SENT[IDS.light_config]["device"]
    assert set(device) <= DEVICE
    assert device["identifiers"] or device.get("connections")
    assert device == {
        "identifiers": ["binclock_den"],
        "name": "binclock Den",
        "manufacturer": "binclock",
        "model": "binclock",
        "sw_version": "1.2.3",
    }


def test_the_origin_names_binclock_and_its_version():
    origin = SENT[IDS.light_config]["origin"]
    assert set(origin) <= ORIGIN
    assert origin == {"name": "binclock", "sw_version": "1.2.3"}


def test_every_entity_is_unavailable_when_the_availability_topic_says_offline(entity):
    _, config = entity
    assert config["availability_topic"] == IDS.availability
    assert (config["payload_available"], config["payload_not_available"]) == ("online", "offline")


def test_the_supported_colour_modes_are_valid():
    modes = SENT[IDS.light_config]["supported_color_modes"]
    assert modes == ["rgb"]
    assert set(modes) <= COLOR_MODES
    assert len(set(modes)) == len(modes)
    assert not ({"onoff", "brightness"} & set(modes) and len(modes) > 1)


def test_the_entity_category_is_one_home_assistant_knows(entity):
    _, config = entity
    assert config.get("entity_category", "config") in ENTITY_CATEGORIES


def test_the_icon_is_a_material_design_icon(entity):
    _, config = entity
    assert re.fullmatch(r"mdi:[a-z0-9-]+", config.get("icon", "mdi:x"))


def test_the_announcements_are_json():
    for config in SENT.values():
        assert json.loads(json.dumps(config)) == config


# -- the light -----------------------------------------------------------------------------


def test_the_light_speaks_the_json_schema_on_the_clocks_topics():
    light = SENT[IDS.light_config]
    assert light["schema"] == "json"
    assert light["command_topic"] == IDS.set
    assert light["state_topic"] == IDS.state


def test_the_light_takes_the_devices_name():
    assert SENT[IDS.light_config]["name"] is None


def test_the_light_offers_brightness_on_the_scale_the_payloads_use():
    light = SENT[IDS.light_config]
    assert light["brightness"] is True
    assert light["brightness_scale"] == SCALE


def test_the_lights_effects_are_the_installed_faces():
    light = SENT[IDS.light_config]
    assert light["effect"] is True
    assert light["effect_list"] == VIEW["faces"]
    other = announcements(IDS, VIEW | {"faces": ["binary"]}, "x", "1")
    assert other[IDS.light_config]["effect_list"] == ["binary"]


def test_the_light_does_not_offer_flashing_which_the_commands_refuse():
    assert SENT[IDS.light_config]["flash"] is False


@given(st.from_regex(DEVICE_ID, fullmatch=True))
def test_the_lights_default_entity_id_is_valid_for_any_device_id(ident):
    ids = topics(MqttConfig(device_id=ident), "x")
    default = announcements(ids, VIEW, "x", "1")[ids.light_config]["default_entity_id"]
    assert VALID_ENTITY_ID.fullmatch(default)
    assert default.startswith("light.binclock")


def test_the_lights_default_entity_id_is_binclock_and_the_device_id():
    assert SENT[IDS.light_config]["default_entity_id"] == "light.binclock_den"


def test_the_state_published_is_what_the_json_light_reads():
    state = state_payload(VIEW)
    assert set(state) >= JSON_LIGHT_STATE
    assert state["color_mode"] in SENT[IDS.light_config]["supported_color_modes"]
    assert state["effect"] in SENT[IDS.light_config]["effect_list"]


# -- the sensors ---------------------------------------------------------------------------


def render(template: str, payload: dict) -> str:
    """``template`` as Home Assistant renders a value template: Jinja in a sandbox, the
    message's JSON as ``value_json``."""
    return ImmutableSandboxedEnvironment().from_string(template).render(value_json=payload)


@pytest.mark.parametrize(("synchronised", "shown"), [(True, "ON"), (False, "OFF"), (None, "None")])
def test_the_binary_sensor_reads_synchronised_from_the_state(synchronised, shown):
    sensor = SENT[IDS.synchronised_config]
    assert sensor["state_topic"] == IDS.state
    state = state_payload(VIEW | {"synchronised": synchronised})
    assert render(sensor["value_template"], state) == shown


def test_the_binary_sensor_is_a_diagnostic():
    sensor = SENT[IDS.synchronised_config]
    assert sensor["name"] == "Synchronised"
    assert sensor["entity_category"] == "diagnostic"


def test_the_time_sensor_reads_the_time_topic():
    sensor = SENT[IDS.time_config]
    assert sensor["name"] == "Time shown"
    assert sensor["state_topic"] == IDS.time
    assert sensor["icon"] == "mdi:clock-digital"


# -- forgetting ----------------------------------------------------------------------------


def test_forgetting_empties_the_discovery_topics_and_the_retained_state():
    assert sorted(forgotten(IDS)) == sorted([*SENT, IDS.state, IDS.time, IDS.availability])


def test_forgetting_leaves_the_command_topics_alone():
    assert not {IDS.set, IDS.notify, IDS.fleet} & set(forgotten(IDS))
