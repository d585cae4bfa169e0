"""Run-time controls (the Sense HAT joystick's requests) as changes of the configuration."""

from __future__ import annotations

import logging

import pytest

from binclock import config
from binclock.control.state import Change, layered
from binclock.controls import Control, change, poller
from binclock.drivers.fake import FakeDriver

FACES = ["bcd", "binary"]


def settings(**data: object) -> config.Config:
    return config.validate(dict(data))


def brightness(value: float) -> config.Config:
    return settings(display={"brightness": value})


def apply(settings: config.Config, control: Control, faces: list[str]) -> config.Config:
    """``settings`` with ``control``'s change made, as the clock makes it."""
    return layered(settings, change(settings, control, faces).overrides)


def test_brighter_raises_brightness_by_a_tenth():
    assert apply(brightness(0.5), Control.BRIGHTER, FACES).display.brightness == 0.6


def test_brighter_stops_at_full_brightness():
    assert apply(brightness(0.95), Control.BRIGHTER, FACES).display.brightness == 1.0


def test_dimmer_lowers_brightness_by_a_tenth():
    assert apply(brightness(0.7), Control.DIMMER, FACES).display.brightness == 0.6


def test_dimmer_stops_at_a_tenth():
    assert apply(brightness(0.15), Control.DIMMER, FACES).display.brightness == 0.1


def test_dimmer_never_brightens_a_clock_set_dimmer_than_a_tenth():
    assert apply(brightness(0.05), Control.DIMMER, FACES).display.brightness == 0.05


def test_next_face_moves_to_the_following_face():
    assert apply(settings(face="bcd"), Control.NEXT_FACE, FACES).face == "binary"


def test_next_face_after_the_last_is_the_first():
    assert apply(settings(face="binary"), Control.NEXT_FACE, FACES).face == "bcd"


def test_next_face_from_a_face_not_listed_is_the_first():
    assert apply(settings(face="mine:Face"), Control.NEXT_FACE, FACES).face == "bcd"


def test_next_face_with_no_faces_changes_nothing():
    before = settings(face="binary")
    assert apply(before, Control.NEXT_FACE, []) == before


@pytest.mark.parametrize("seconds", [True, False])
def test_toggle_seconds_flips_the_seconds_setting(seconds):
    after = apply(settings(clock={"seconds": seconds}), Control.TOGGLE_SECONDS, FACES)
    assert after.clock.seconds is not seconds


def test_a_control_leaves_the_other_settings_alone():
    before = settings(face="bcd", display={"brightness": 0.5, "rotation": 90})
    after = apply(before, Control.TOGGLE_SECONDS, FACES)
    assert (after.face, after.display) == (before.face, before.display)


@pytest.mark.parametrize(
    ("control", "message"),
    [
        (Control.BRIGHTER, "brightness 0.50 -> 0.60"),
        (Control.DIMMER, "brightness 0.50 -> 0.40"),
        (Control.NEXT_FACE, "face binary -> bcd"),
        (Control.TOGGLE_SECONDS, "seconds off"),
    ],
)
def test_each_change_is_logged(caplog, control, message):
    with caplog.at_level(logging.INFO, logger="binclock.controls"):
        apply(brightness(0.5), control, FACES)
    assert caplog.messages == [message]


def test_a_driver_without_buttons_asks_for_nothing():
    assert poller(FakeDriver()) is None


def test_a_driver_with_buttons_is_asked_for_its_controls():
    class WithButtons(FakeDriver):
        def poll_controls(self):
            return [Control.DIMMER]

    assert poller(WithButtons())() == [Control.DIMMER]


@pytest.mark.parametrize("power", [True, False])
def test_toggle_power_turns_the_display_the_other_way(power):
    assert change(settings(), Control.TOGGLE_POWER, FACES, power).power is (not power)


def test_toggle_power_is_logged(caplog):
    with caplog.at_level(logging.INFO, logger="binclock.controls"):
        change(settings(), Control.TOGGLE_POWER, FACES, True)
    assert caplog.messages == ["display off"]


def test_quit_changes_no_setting():
    assert change(settings(), Control.QUIT, FACES) == Change()
