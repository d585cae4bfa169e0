"""docs/home-assistant.md shows what the bridge really sends, for its own example clock."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from test_control_service import make

from binclock import config, registry
from binclock.config import MqttConfig
from binclock.control.api import NotifyRequest, StatePatch, change_of
from binclock.mqtt.discovery import announcements
from binclock.mqtt.payload import notify_of, patch_of, state_payload
from binclock.mqtt.topics import device_name, topics

DOC = Path(__file__).resolve().parent.parent / "docs" / "home-assistant.md"
HOSTNAME = "kitchen"  # the doc's example Pi


def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def example_config() -> MqttConfig:
    """The ``[mqtt]`` table the doc sets up, validated as the clock would."""
    found = re.search(r"```toml\n(\[mqtt\]\n.*?)```", doc(), re.DOTALL)
    assert found, "docs/home-assistant.md has no ```toml block starting with [mqtt]"
    return config.validate(tomllib.loads(found[1])).mqtt


def as_shown(messages: dict[str, dict]) -> str:
    """Discovery messages as the doc shows them: each topic in backquotes, then its JSON."""
    return "\n".join(
        f"`{topic}`:\n\n```json\n{json.dumps(payload, indent=2)}\n```\n"
        for topic, payload in messages.items()
    )


def version_shown() -> str:
    """The binclock version the doc's discovery messages carry: any release's, so that
    the page needs no edit at each version bump (the messages must still agree on it)."""
    found = re.search(r'"sw_version": "([^"]+)"', doc())
    assert found, "docs/home-assistant.md shows no sw_version"
    assert re.fullmatch(r"\d+(\.\d+)+[a-z0-9.+-]*", found[1]), f"not a version: {found[1]!r}"
    return found[1]


def built_in_faces() -> list[str]:
    """The faces binclock itself installs, as the running clock lists them."""
    faces = registry.registered(registry.FACES).items()
    return [name for name, ep in faces if ep.dist is not None and ep.dist.name == "binclock"]


def test_the_discovery_messages_shown_are_those_the_example_clock_announces():
    cfg = example_config()
    ids = topics(cfg, HOSTNAME)
    view = {"faces": built_in_faces()}
    expected = announcements(ids, view, device_name(cfg, HOSTNAME), version_shown())
    shown = as_shown(expected)
    assert shown in doc(), f"docs/home-assistant.md: the discovery messages are now\n{shown}"


def test_the_topic_reference_names_every_topic_of_the_example_clock():
    ids = topics(example_config(), HOSTNAME)
    table = doc().split("## Topics", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"^\| `([^`]+)`", table, re.M))
    wanted = {
        ids.state,
        ids.set,
        ids.availability,
        ids.notify,
        ids.time,
        ids.fleet,
        ids.birth,
        ids.light_config,
        ids.synchronised_config,
        ids.time_config,
    }
    assert wanted <= named, f"missing from the topic reference: {sorted(wanted - named)}"


def test_the_state_shown_is_what_the_bridge_publishes_for_such_a_clock(tmp_path):
    service = make(tmp_path, "[display]\nbrightness = 0.4\n")
    service.run(frames=1)
    view = service.view() | {"synchronised": True}
    section = doc().split("## Topics", 1)[1]
    shown = re.search(r"```json\n(\{\"state\".*?)\n```", section, re.DOTALL)
    assert shown, "no example state in the topic reference"
    assert json.loads(shown[1]) == state_payload(view)


def shown_commands() -> list[tuple[str, bytes]]:
    """Every (topic, message) the doc publishes: mosquitto_pub lines and mqtt.publish."""
    text = doc()
    pub = re.findall(r"-t (\S+) -m '([^']*)'", text)
    automation = re.findall(r"topic: (\S+)\n\s+payload: '([^']*)'", text)
    return [(topic, message.encode()) for topic, message in pub + automation]


def test_every_command_shown_is_one_the_bridge_accepts(tmp_path):
    service = make(tmp_path)
    service.run(frames=1)
    view = service.view()
    ids = topics(example_config(), HOSTNAME)
    commands = shown_commands()
    assert {topic for topic, _ in commands} == {ids.set, ids.fleet, ids.notify}
    for topic, message in commands:
        if topic == ids.notify:
            service.notify(NotifyRequest.model_validate(notify_of(message)))
        else:
            patch = StatePatch.model_validate(patch_of(message, view))
            service.apply(change_of(patch, view["face"]))
