"""The bridge against a real broker and a real clock: discovery, state, commands, the fleet.

Each test runs a clock (jsonl display), ``binclock mqtt`` for it and a listener on the
session's mosquitto; what the clock does is read from its own control socket."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from bridged import Bridged, bridged, ids_of, mqtt_table
from broker import Broker, Listener, retained, retained_json
from webpage import running_clock, wait_for

from binclock.control.client import ControlClient

pytestmark = pytest.mark.usefixtures("broker")


@pytest.fixture
def clock(tmp_path: Path) -> Iterator[Path]:
    """A running clock's control socket."""
    with running_clock(tmp_path / "clock") as socket:
        yield socket


@pytest.fixture
def rig(broker: Broker, clock: Path, tmp_path: Path) -> Iterator[Bridged]:
    """The clock bridged to the broker, once its availability says online."""
    with bridged(broker, tmp_path / "bridge", clock) as running:
        yield running


@pytest.fixture(scope="module")
def quiet(broker: Broker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridged]:
    """A bridged clock that no test changes (the tests that only read share it)."""
    folder = tmp_path_factory.mktemp("quiet")
    with running_clock(folder / "clock") as socket, bridged(broker, folder, socket) as running:
        yield running


@pytest.fixture
def listener(broker: Broker) -> Iterator[Listener]:
    """A client of the broker, to publish with."""
    client = Listener(broker.ports.plain)
    yield client
    client.close()


def lit(frame: dict) -> list[list[int]]:
    return [p for p in frame["pixels"] if p != [0, 0, 0]]


def test_discovery_announces_a_json_schema_light_retained(broker: Broker, quiet: Bridged) -> None:
    config = retained_json(broker.ports.plain, quiet.ids.light_config)
    assert config["schema"] == "json"
    assert config["command_topic"] == quiet.ids.set
    assert config["state_topic"] == quiet.ids.state
    assert config["availability_topic"] == quiet.ids.availability
    assert config["unique_id"] == f"binclock_{quiet.ids.device_id}_light"
    assert config["supported_color_modes"] == ["rgb"]
    assert config["effect_list"] == quiet.state()["faces"]
    assert config["device"]["identifiers"] == [f"binclock_{quiet.ids.device_id}"]
    assert config["device"]["name"] == quiet.table["name"]


def test_discovery_announces_the_synchronised_and_time_sensors_retained(
    broker: Broker, quiet: Bridged
) -> None:
    synchronised = retained_json(broker.ports.plain, quiet.ids.synchronised_config)
    time_shown = retained_json(broker.ports.plain, quiet.ids.time_config)
    assert synchronised["state_topic"] == quiet.ids.state
    assert time_shown["state_topic"] == quiet.ids.time
    for config in (synchronised, time_shown):
        assert config["availability_topic"] == quiet.ids.availability
        assert config["device"]["identifiers"] == [f"binclock_{quiet.ids.device_id}"]


def test_home_assistant_birth_message_announces_again(quiet: Bridged) -> None:
    topic = quiet.ids.light_config
    before = len(quiet.listener.on(topic))
    quiet.send(b"online", quiet.ids.birth)
    wait_for(lambda: len(quiet.listener.on(topic)) > before, "the light announced again")
    assert (
        quiet.listener.on(topic)[-1].json()["unique_id"] == f"binclock_{quiet.ids.device_id}_light"
    )


def test_state_is_retained_and_says_what_the_clock_shows(broker: Broker, quiet: Bridged) -> None:
    state = retained_json(broker.ports.plain, quiet.ids.state)
    view = quiet.state()
    assert state["state"] == "ON"
    assert state["effect"] == view["face"]
    assert state["brightness"] == round(view["brightness"] * 255)


def test_availability_is_retained_online(broker: Broker, quiet: Bridged) -> None:
    assert retained(broker.ports.plain, quiet.ids.availability) == b"online"


def test_time_shown_is_published_as_hours_and_minutes(quiet: Bridged) -> None:
    def agrees() -> bool:
        last = quiet.listener.last(quiet.ids.time)
        return last is not None and last.payload.decode() == quiet.frame()["time"][11:16]

    wait_for(agrees, "the time shown on the display, HH:MM")


def test_command_turns_the_display_off_and_on(rig: Bridged) -> None:
    rig.send({"state": "OFF"})
    rig.wait_state(lambda s: s["power"] == "off", "the clock to turn off")
    wait_for(lambda: not lit(rig.frame()), "a dark display")
    rig.send({"state": "on"})
    rig.wait_state(lambda s: s["power"] == "on", "the clock to turn on")
    wait_for(lambda: lit(rig.frame()), "a lit display")


def test_command_sets_the_brightness(rig: Bridged) -> None:
    rig.send({"brightness": 51})
    state = rig.wait_state(lambda s: s["brightness"] == pytest.approx(0.2), "brightness 0.2")
    assert state["power"] == "on"


def test_command_sets_the_colour_of_the_lit_bits(rig: Bridged) -> None:
    rig.send({"color": {"r": 0, "g": 255, "b": 0}})
    state = rig.wait_state(lambda s: s["theme"]["on"]["hours"] == "#00ff00", "a green theme")
    assert set(state["theme"]["on"].values()) == {"#00ff00"}
    wait_for(lambda: lit(rig.frame()) and all(p[0] == 0 for p in lit(rig.frame())), "green LEDs")


def test_command_changes_the_face(rig: Bridged) -> None:
    before = rig.frame()["width"]
    rig.send({"effect": "bcd"})
    rig.wait_state(lambda s: s["face"] == "bcd", "the bcd face")
    assert wait_for(lambda: rig.frame()["width"] != before, "the bcd face's frame")


def test_command_is_confirmed_on_the_state_topic_retained(broker: Broker, rig: Bridged) -> None:
    rig.send({"brightness": 128})
    rig.listener.wait_last(rig.ids.state, lambda m: m.json()["brightness"] == 128)
    assert retained_json(broker.ports.plain, rig.ids.state)["brightness"] == 128


def test_notify_topic_shows_a_notification(rig: Bridged) -> None:
    rig.send({"number": 5, "seconds": 30}, rig.ids.notify)
    state = rig.wait_state(lambda s: s["notify"] is not None, "a notification")
    assert state["notify"]["number"] == 5


def test_a_change_made_through_the_control_api_is_published(rig: Bridged) -> None:
    with contextlib.closing(ControlClient(rig.socket)) as client:
        client.call("PATCH", "/api/state", {"brightness": 0.5})
    rig.listener.wait_last(rig.ids.state, lambda m: m.json()["brightness"] == 128)


def test_a_command_left_retained_on_the_broker_is_not_obeyed(
    broker: Broker, clock: Path, tmp_path: Path, listener: Listener
) -> None:
    table = mqtt_table(broker.ports.plain)
    left = ids_of(table).set
    listener.publish(left, b'{"state": "OFF"}', retain=True)
    try:
        with bridged(broker, tmp_path / "bridge", clock, **table) as rig:
            rig.wait_logged(f"{left}: a retained message is not obeyed")
            assert rig.state()["power"] == "on"
    finally:
        listener.publish(left, b"", retain=True)


def test_fleet_topic_reaches_every_clock(broker: Broker, tmp_path: Path) -> None:
    fleet = f"fleet-{tmp_path.name}/set"
    with contextlib.ExitStack() as stack:
        rigs = []
        for n in range(2):
            socket = stack.enter_context(running_clock(tmp_path / f"clock{n}"))
            rigs.append(
                stack.enter_context(
                    bridged(broker, tmp_path / f"bridge{n}", socket, fleet_topic=fleet)
                )
            )
        rigs[0].send({"brightness": 26}, fleet)
        for rig in rigs:
            rig.wait_state(lambda s: s["brightness"] == pytest.approx(26 / 255), "dimming")


def test_sigterm_says_offline_and_exits_0(rig: Bridged) -> None:
    rig.bridge.send_signal(signal.SIGTERM)
    assert rig.bridge.wait(30) == 0
    rig.listener.wait_last(rig.ids.availability, lambda m: m.payload == b"offline")
