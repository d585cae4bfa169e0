"""The bridge's messages: the clock's state as Home Assistant's JSON light state, and
``…/set`` and ``…/notify`` messages as control API requests, refused in one line when
they are anything else."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_control_fuzz import values
from test_control_service import make

from binclock.control.api import StatePatch, change_of
from binclock.mqtt.payload import MAX_PAYLOAD, BadCommand, notify_of, patch_of, state_payload

VIEW = {
    "power": "on",
    "brightness": 0.5,
    "face": "binary",
    "faces": ["binary", "bcd", "countdown"],
    "theme": {
        "on": {"hours": "#ff4828", "minutes": "#30dc60", "seconds": "#3888ff"},
        "off": {"default": "#000000"},
    },
    "notify": None,
    "synchronised": True,
    "time": "2026-06-01T12:00:00+00:00",
}


def message(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def refusal(data: bytes, view: dict = VIEW) -> str:
    with pytest.raises(BadCommand) as caught:
        patch_of(data, view)
    return str(caught.value)


# -- the state published -----------------------------------------------------------------


def test_the_state_of_a_running_clock_is_a_json_light_state(tmp_path):
    service = make(tmp_path, '[display]\nbrightness = 0.4\n[theme.on]\nhours = "#102030"\n')
    service.run(frames=1)
    view = service.view()
    assert state_payload(view) == {
        "state": "ON",
        "brightness": 102,
        "color_mode": "rgb",
        "color": {"r": 0x10, "g": 0x20, "b": 0x30},
        "effect": "binary",
        "notify": None,
        "synchronised": view["synchronised"],
        "time": view["time"],
    }


def test_a_dark_clock_is_off():
    assert state_payload(VIEW | {"power": "off"})["state"] == "OFF"


def test_without_an_hours_colour_the_first_groups_colour_is_the_lit_colour():
    view = VIEW | {"theme": {"on": {"minutes": "#010203", "default": "#ffffff"}, "off": {}}}
    assert state_payload(view)["color"] == {"r": 1, "g": 2, "b": 3}


def test_a_notification_showing_is_in_the_state():
    note = {"id": 3, "priority": 0, "seconds": 10, "number": 42}
    assert state_payload(VIEW | {"notify": note})["notify"] == note


def test_the_state_is_json():
    assert json.loads(json.dumps(state_payload(VIEW))) == state_payload(VIEW)


# -- commands ----------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["ON", "on", "On", "oN"])
def test_state_on_in_any_case_turns_the_display_on(word):
    assert patch_of(message(state=word), VIEW) == {"power": "on"}


def test_state_off_turns_the_display_off():
    assert patch_of(message(state="OFF"), VIEW) == {"power": "off"}


def test_brightness_255_is_full_brightness_and_0_is_none():
    assert patch_of(message(brightness=255), VIEW) == {"brightness": 1.0}
    assert patch_of(message(brightness=0), VIEW) == {"brightness": 0.0}


@given(st.integers(min_value=0, max_value=255))
def test_a_brightness_sent_comes_back_in_the_state_unchanged(level):
    patch = patch_of(message(brightness=level), VIEW)
    assert state_payload(VIEW | {"brightness": patch["brightness"]})["brightness"] == level


def test_a_brightness_sent_to_a_running_clock_comes_back_unchanged(tmp_path):
    service = make(tmp_path)
    service.run(frames=1)
    for level in (0, 1, 77, 128, 254, 255):
        patch = StatePatch.model_validate(patch_of(message(brightness=level), service.view()))
        service.apply(change_of(patch, service.view()["face"]))
        assert state_payload(service.view())["brightness"] == level


def test_a_colour_lights_every_group_of_the_theme_in_it():
    patch = patch_of(message(color={"r": 255, "g": 0, "b": 16}), VIEW)
    assert patch == {"theme": {"on": {g: "#ff0010" for g in ("hours", "minutes", "seconds")}}}


def test_a_colour_sent_to_a_running_clock_is_the_colour_in_its_state(tmp_path):
    service = make(tmp_path)
    service.run(frames=1)
    patch = StatePatch.model_validate(
        patch_of(message(color={"r": 1, "g": 2, "b": 3}), service.view())
    )
    service.apply(change_of(patch, service.view()["face"]))
    assert state_payload(service.view())["color"] == {"r": 1, "g": 2, "b": 3}


def test_an_installed_face_as_effect_picks_that_face():
    assert patch_of(message(effect="bcd"), VIEW) == {"face": "bcd"}


def test_a_whole_command_from_home_assistant_becomes_one_patch():
    data = message(
        state="ON",
        brightness=51,
        color={"r": 0, "g": 0, "b": 255},
        effect="countdown",
        transition=2.5,
        color_mode="rgb",
    )
    patch = patch_of(data, VIEW)
    assert patch["power"] == "on"
    assert patch["brightness"] == pytest.approx(0.2)
    assert patch["face"] == "countdown"
    assert set(patch["theme"]["on"].values()) == {"#0000ff"}


def test_transition_and_color_mode_are_accepted_and_ignored():
    assert patch_of(message(state="OFF", transition=1, color_mode="rgb"), VIEW) == {"power": "off"}


def test_every_patch_is_a_body_the_control_api_accepts():
    data = message(state="off", brightness=3, color={"r": 9, "g": 8, "b": 7}, effect="bcd")
    patch = StatePatch.model_validate(patch_of(data, VIEW))
    assert patch.model_dump(exclude_unset=True) == patch_of(data, VIEW)


# -- commands refused ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not JSON"),
        (b"{", "not JSON"),
        (b"ON", "not JSON"),
        (b'{"brightness": NaN}', "NaN is not a number"),
        (b'{"brightness": Infinity}', "Infinity is not a number"),
        (b'{"transition": -Infinity}', "-Infinity is not a number"),
        (b'{"transition": 1e999}', "1e999 is out of range"),
        (b'{"state": "ON", "state": "OFF"}', "key 'state' given twice"),
        (b"[1, 2]", "expected a JSON object, not an array"),
        (b'"ON"', "expected a JSON object, not a string"),
        (b"255", "expected a JSON object, not a number"),
        (b"true", "expected a JSON object, not true or false"),
        (b"null", "expected a JSON object, not null"),
        (b"\xff\xfe{}", "not UTF-8: byte 0 is 0xff"),
        (b'{"state": "\xed\xa0\x80"}', "not UTF-8"),  # a surrogate encoded is no UTF-8
        (b'{"state": "\\ud800"}', "lone UTF-16 surrogate"),
        (b'{"\\udfff": 1}', "lone UTF-16 surrogate"),
        (b"{}", "nothing to change"),
        (b'{"transition": 3}', "nothing to change"),
    ],
)
def test_a_message_that_is_no_json_object_is_refused(data, reason):
    assert reason in refusal(data)


def test_json_nested_past_the_recursion_limit_is_refused():
    data = b'{"color": ' + b"[" * 30_000 + b"]" * 30_000 + b"}"
    assert len(data) <= MAX_PAYLOAD
    assert refusal(data) == "not JSON: nested too deeply"


def test_a_message_over_64_kib_is_refused_unread():
    data = message(effect="x" * MAX_PAYLOAD)
    assert refusal(data) == f"the message has {len(data)} bytes, over the 65536 allowed"


def test_a_message_of_exactly_64_kib_is_read():
    padding = MAX_PAYLOAD - len(message(state="ON", color_mode=""))
    data = message(state="ON", color_mode="x" * padding)
    assert len(data) == MAX_PAYLOAD
    assert patch_of(data, VIEW) == {"power": "on"}


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"brightness": True}, "brightness = True: Input should be a valid integer"),
        ({"brightness": 127.5}, "brightness = 127.5: Input should be a valid integer"),
        ({"brightness": "128"}, "brightness = '128': Input should be a valid integer"),
        ({"brightness": 256}, "brightness = 256: Input should be less than or equal to 255"),
        ({"brightness": -1}, "brightness = -1: Input should be greater than or equal to 0"),
        ({"state": "maybe"}, "state = 'maybe': expected ON or OFF"),
        ({"state": True}, "state = True: Input should be a valid string"),
        ({"state": None}, "state = null: give a value, or leave the key out"),
        ({"color": {"r": 1, "g": 2}}, "color.b: missing"),
        ({"color": {"r": 1, "g": 2, "b": 3, "w": 4}}, "color.w: unknown key"),
        ({"color": {"r": 1, "g": 2, "b": False}}, "color.b = False"),
        ({"color": {"r": 1, "g": 2, "b": 300}}, "color.b = 300"),
        ({"color": [1, 2, 3]}, "color = [1, 2, 3]"),
        ({"color": "#ff0000"}, "color = '#ff0000'"),
        ({"effect": 1}, "effect = 1: Input should be a valid string"),
        ({"transition": "slow"}, "transition = 'slow'"),
        ({"transition": -1}, "transition = -1"),
        ({"transition": False}, "transition = False"),
        ({"color_mode": ["rgb"]}, "color_mode = ['rgb']"),
    ],
)
def test_a_value_of_the_wrong_type_or_range_is_refused_naming_key_and_value(fields, reason):
    assert refusal(message(**fields)).startswith(reason)


def test_an_unknown_key_is_refused_with_a_suggestion():
    assert (
        refusal(message(brigthness=3)) == "'brigthness': unknown key (did you mean 'brightness'?)"
    )


def test_an_unknown_key_is_refused_listing_the_known_ones():
    assert refusal(message(volume=3)) == (
        "'volume': unknown key (known: state, brightness, color, effect, transition, color_mode)"
    )


@pytest.mark.parametrize("spec", ["os:system", "binclock.faces.time:BinaryFace", "m:Class", "BCD"])
def test_only_an_installed_faces_name_is_taken_as_effect(spec):
    assert f"effect = {spec!r}: not an installed face" in refusal(message(effect=spec))


def test_a_misspelt_face_is_refused_with_a_suggestion():
    assert refusal(message(effect="bdc")) == (
        "effect = 'bdc': not an installed face (did you mean 'bcd'?)"
    )


def test_a_face_not_installed_is_refused_listing_the_installed_ones():
    assert refusal(message(effect="clockwork")) == (
        "effect = 'clockwork': not an installed face (installed: binary, bcd, countdown)"
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"effect": "é" * 5000},
        {"é" * 5000: 1},
        {"color_mode": ["x" * 5000]},
        {"color": {"r": 1, "g": 2, "b": 3, "é" * 5000: 4}},
    ],
)
def test_a_refusal_quotes_at_most_60_characters_of_a_value(fields):
    reason = refusal(message(**fields))
    assert "é" * 60 not in reason
    assert "x" * 60 not in reason
    assert len(reason) < 300


# -- anything at all -----------------------------------------------------------------------

keys = st.sampled_from(["state", "brightness", "color", "effect", "transition", "color_mode"])
commands = st.dictionaries(keys | st.text(max_size=6), values, max_size=5)


def assert_one_line_of_text(reason: str) -> None:
    assert reason
    assert "\n" not in reason
    reason.encode("utf-8")  # a log can write it


@given(st.binary(max_size=200))
def test_any_bytes_give_a_patch_or_a_one_line_refusal(data):
    try:
        patch_of(data, VIEW)
    except BadCommand as exc:
        assert_one_line_of_text(str(exc))


@given(commands)
def test_any_json_object_gives_a_patch_the_api_accepts_or_a_one_line_refusal(command):
    try:
        patch = patch_of(json.dumps(command).encode(), VIEW)
    except BadCommand as exc:
        assert_one_line_of_text(str(exc))
    else:
        StatePatch.model_validate(patch)


@given(values)
def test_any_json_value_gives_a_patch_or_a_one_line_refusal(value):
    try:
        patch_of(json.dumps(value).encode(), VIEW)
    except BadCommand as exc:
        assert_one_line_of_text(str(exc))


@given(st.text(max_size=30))
def test_any_text_gives_a_patch_or_a_one_line_refusal(text):
    try:
        patch_of(text.encode("utf-8", "surrogatepass"), VIEW)
    except BadCommand as exc:
        assert_one_line_of_text(str(exc))


# -- notifications -------------------------------------------------------------------------


def test_a_notification_is_passed_on_as_it_came():
    note = {"number": 42, "seconds": 5, "priority": 3}
    assert notify_of(json.dumps(note).encode()) == note


def test_a_notification_is_passed_on_for_the_clock_to_judge():
    assert notify_of(b'{"face": "os:system"}') == {"face": "os:system"}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"[]", "expected a JSON object, not an array"),
        (b"\xc3", "not UTF-8"),
        (b'{"number": NaN}', "NaN is not a number"),
        (b'{"colour": "\\ud83d"}', "lone UTF-16 surrogate"),
        (b"[" * 5000 + b"]" * 5000, "nested too deeply"),
        (b" " * (MAX_PAYLOAD + 1), "over the 65536 allowed"),
    ],
)
def test_a_notification_that_is_no_json_object_is_refused(data, reason):
    with pytest.raises(BadCommand, match=reason):
        notify_of(data)


@given(st.binary(max_size=200) | values.map(lambda v: json.dumps(v).encode()))
def test_any_notification_gives_an_object_or_a_one_line_refusal(data):
    try:
        assert isinstance(notify_of(data), dict)
    except BadCommand as exc:
        assert_one_line_of_text(str(exc))
