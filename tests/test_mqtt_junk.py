"""Malformed and hostile messages: each is one line in the bridge's log, the clock is left
alone, and the bridge goes on obeying the next good command."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

import pytest
from bridged import Bridged, bridged
from broker import Broker
from webpage import running_clock

from binclock.mqtt.bridge import INBOX

pytestmark = pytest.mark.usefixtures("broker")

LONGEST_ECHO = 60  # characters of a payload a log line may repeat

SET_JUNK = {
    "bad JSON": b'{"state": "ON"',
    "not UTF-8": b'{"state": "\xff\xfe"}',
    "not an object": b'["ON"]',
    "a string for a number": b'{"brightness": "high"}',
    "true for a number": b'{"brightness": true}',
    "brightness out of range": b'{"brightness": 256}',
    "a number for the state": b'{"state": 1}',
    "a colour with a part missing": b'{"color": {"r": 1, "g": 2}}',
    "an unknown key": b'{"state": "ON", "volume": 11}',
    "a face given as module:Class": b'{"effect": "os:system"}',
    "a face that is not installed": b'{"effect": "binclock.faces.time:BinaryFace"}',
    "an empty command": b"{}",
    "a huge payload": b'{"state": "' + b"x" * 1_000_000 + b'"}',
    "nesting past the recursion limit": b"[" * 50_000,
    "NaN": b'{"brightness": NaN}',
}
NOTIFY_JUNK = {
    "bad JSON": b"number=5",
    "a notification the clock refuses": b'{"number": -1}',
    "a face the clock does not have": b'{"face": "os:system"}',
    "a huge payload": b'{"colour": "' + b"y" * 1_000_000 + b'"}',
    "a long unknown key": b'{"' + b"z" * 3_000 + b'": 1}',
}
brightness = itertools.count(1)


@pytest.fixture(scope="module")
def rig(broker: Broker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridged]:
    folder = tmp_path_factory.mktemp("junk")
    with running_clock(folder / "clock") as socket, bridged(broker, folder, socket) as running:
        yield running


def still_obeys(rig: Bridged) -> None:
    """A good command still reaches the clock."""
    level = next(brightness)
    rig.send({"brightness": level})
    rig.wait_state(lambda s: round(s["brightness"] * 255) == level, f"brightness {level}")


def one_line_about(rig: Bridged, topic: str, junk: bytes) -> str:
    """Publish ``junk`` on ``topic``: the one log line it makes, once a good command has
    been obeyed after it."""
    before = len(rig.log_lines())
    rig.send(junk, topic)
    rig.wait_logged(f"{topic}: ", after=before)
    still_obeys(rig)
    lines = rig.log_lines()[before:]
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("junk", SET_JUNK.values(), ids=SET_JUNK.keys())
def test_junk_command_is_one_line_and_ignored(rig: Bridged, junk: bytes) -> None:
    before = rig.state()
    line = one_line_about(rig, rig.ids.set, junk)
    assert "ignored" in line
    after = rig.state()
    assert (after["power"], after["face"], after["theme"]) == (
        before["power"],
        before["face"],
        before["theme"],
    )


@pytest.mark.parametrize("junk", NOTIFY_JUNK.values(), ids=NOTIFY_JUNK.keys())
def test_junk_notification_is_one_line_and_ignored(rig: Bridged, junk: bytes) -> None:
    line = one_line_about(rig, rig.ids.notify, junk)
    assert rig.state()["notify"] is None
    assert "Traceback" not in line


def test_junk_on_the_fleet_topic_is_one_line_and_ignored(rig: Bridged) -> None:
    line = one_line_about(rig, rig.table["fleet_topic"], b'{"effect": "os:system"}')
    assert rig.state()["face"] == "binary"
    assert "ignored" in line


@pytest.mark.parametrize(
    ("topic", "junk"),
    [
        ("set", SET_JUNK["a huge payload"]),
        ("notify", NOTIFY_JUNK["a huge payload"]),
        ("notify", NOTIFY_JUNK["a long unknown key"]),
    ],
)
def test_log_line_never_repeats_much_of_a_payload(rig: Bridged, topic: str, junk: bytes) -> None:
    line = one_line_about(rig, getattr(rig.ids, topic), junk)
    filler = max(set(junk), key=junk.count)  # the byte the payload is made long with
    assert bytes([filler]) * LONGEST_ECHO not in line.encode()


def test_a_flood_of_commands_is_one_line_and_the_newest_command_is_obeyed(rig: Bridged) -> None:
    before = len(rig.log_lines())
    flood = json.dumps({"brightness": 250})  # not a level still_obeys asks for
    for _ in range(20 * INBOX):
        rig.listener.client.publish(rig.ids.set, flood, qos=0)
    rig.wait_logged("the oldest are dropped", after=before)
    still_obeys(rig)
    lines = rig.log_lines()[before:]
    assert len([line for line in lines if "dropped" in line]) == 1
    assert len([line for line in lines if "taken again" in line]) == 1
