"""The bridge's names on the broker: device id, topics, client id and device name."""

from __future__ import annotations

import re
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from binclock.config import MqttConfig
from binclock.mqtt.topics import Topics, client_id, device_id, device_name, topics

# the pattern [mqtt] device_id must match (binclock/config.py)
DEVICE_ID = re.compile(r"^[a-z0-9_-]{1,64}$")


def test_a_host_name_becomes_a_lower_case_id_with_underscores():
    assert device_id("Kitchen.Clock local") == "kitchen_clock_local"


def test_runs_of_other_characters_become_one_underscore_and_none_is_left_at_the_ends():
    assert device_id("..pi  zero!!2..") == "pi_zero_2"


def test_hyphens_and_digits_are_kept():
    assert device_id("pi-4-b") == "pi-4-b"


def test_an_id_is_at_most_64_characters_and_does_not_end_in_an_underscore():
    ident = device_id("a" * 63 + ".b")
    assert len(ident) <= 64
    assert ident == "a" * 63


def test_a_host_name_with_nothing_usable_gives_binclock():
    assert device_id("") == "binclock"
    assert device_id("...éé...") == "binclock"


@given(st.text())
def test_every_host_name_gives_an_id_the_configuration_would_accept(hostname):
    ident = device_id(hostname)
    assert DEVICE_ID.fullmatch(ident)
    assert MqttConfig(device_id=ident).device_id == ident


def tidy(ident: str) -> bool:
    return "__" not in ident and not ident.startswith("_") and not ident.endswith("_")


@given(st.from_regex(DEVICE_ID, fullmatch=True).filter(tidy))
def test_an_id_already_tidy_is_kept(ident):
    assert device_id(ident) == ident


def test_default_topics_live_under_binclock_and_the_device_id():
    ids = topics(MqttConfig(host="broker"), "Den")
    assert ids == Topics(
        base="binclock/den",
        state="binclock/den/state",
        set="binclock/den/set",
        availability="binclock/den/availability",
        notify="binclock/den/notify",
        time="binclock/den/time",
        fleet="binclock/all/set",
        birth="homeassistant/status",
        light_config="homeassistant/light/den/config",
        synchronised_config="homeassistant/binary_sensor/den/synchronised/config",
        time_config="homeassistant/sensor/den/time/config",
        device_id="den",
    )


def test_a_configured_device_id_wins_over_the_host_name():
    ids = topics(MqttConfig(device_id="hall"), "Den")
    assert ids.device_id == "hall"
    assert ids.state == "binclock/hall/state"


def test_a_configured_base_topic_moves_the_clocks_own_topics_but_not_discovery():
    ids = topics(MqttConfig(base_topic="house/clocks/hall", device_id="hall"), "x")
    assert ids.set == "house/clocks/hall/set"
    assert ids.light_config == "homeassistant/light/hall/config"


def test_an_empty_fleet_topic_means_no_fleet_topic():
    assert topics(MqttConfig(fleet_topic=""), "x").fleet is None


def test_the_discovery_prefix_moves_the_discovery_and_birth_topics():
    ids = topics(MqttConfig(discovery_prefix="ha"), "x")
    assert ids.birth == "ha/status"
    assert ids.time_config == "ha/sensor/x/time/config"


def test_the_host_name_is_this_machines_when_not_given(monkeypatch):
    monkeypatch.setattr("socket.gethostname", lambda: "Attic")
    assert topics(MqttConfig()).device_id == "attic"
    assert device_name(MqttConfig()) == "binclock Attic"


def test_the_client_id_is_binclock_and_the_device_id_unless_configured():
    ids = topics(MqttConfig(), "den")
    assert client_id(MqttConfig(), ids) == "binclock-den"
    assert client_id(MqttConfig(client_id="clock-7"), ids) == "clock-7"


def test_the_device_name_is_binclock_and_the_host_name_unless_configured():
    assert device_name(MqttConfig(), "Den") == "binclock Den"
    assert device_name(MqttConfig(name="Hall clock"), "Den") == "Hall clock"


def test_the_bridges_core_needs_no_mqtt_client():
    code = (
        "import sys\n"
        "import binclock.mqtt.discovery, binclock.mqtt.payload, binclock.mqtt.topics\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('paho', 'jinja2')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
