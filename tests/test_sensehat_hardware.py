"""The Sense HAT driver's ``hardware`` backend, with a fake ``SenseHat`` at the constructor.

The fake records what the driver asks of the HAT; its gamma tables are the firmware's, as
``sense_emu`` ships them. Import failures use the real ``sense-hat`` package.
"""

from __future__ import annotations

import errno
import logging
import sys
import time
import tomllib
import types
import warnings
from pathlib import Path

import pytest
from sense_emu.screen import GAMMA_DEFAULT, GAMMA_LOW
from sense_emu.stick import InputEvent

from binclock import config, registry
from binclock.controls import Control, Controllable
from binclock.driver import DriverUnavailable
from binclock.drivers.sensehat import (
    SenseHatDriver,
    SenseHatOptions,
    visibility_threshold,
    visible,
)
from binclock.drivers.sensehat_backends import find_framebuffer
from binclock.drivers.sensehat_joystick import as_seen
from binclock.frame import Frame
from binclock.testing import DriverContract

BLACK = (0, 0, 0)


class FakeStick:
    """The joystick: events queued by ``press``, handed out once by ``get_events``."""

    def __init__(self) -> None:
        self.events: list[InputEvent] = []
        self.reads = 0
        self.closed = False
        self.fail: OSError | None = None

    def press(self, direction: str, action: str = "pressed") -> None:
        self.events.append(InputEvent(time.time(), direction, action))

    def get_events(self) -> list[InputEvent]:
        self.reads += 1
        if self.fail is not None:
            raise self.fail
        events, self.events = self.events, []
        return events

    def close(self) -> None:
        self.closed = True


class FakeSenseHat:
    """What ``sense_hat.SenseHat`` offers the driver, recording every call."""

    def __init__(self, low_light: bool = False, gamma: list[int] | None = None) -> None:
        self.gamma = list(gamma or (GAMMA_LOW if low_light else GAMMA_DEFAULT))
        self.pixels: list[tuple[int, int, int]] = [BLACK] * 64
        self.writes: list[list[tuple[int, int, int]]] = []
        self.rotations: list[tuple[int, bool]] = []
        self.low_light_sets: list[bool] = []
        self.stick = FakeStick()
        self.write_error: OSError | None = None

    def set_pixels(self, pixel_list: list) -> None:
        if self.write_error is not None:
            raise self.write_error
        assert len(pixel_list) == 64
        assert all(len(p) == 3 and all(0 <= c <= 255 for c in p) for p in pixel_list)
        self.pixels = [tuple(p) for p in pixel_list]
        self.writes.append(self.pixels)

    def set_pixel(self, *args: object) -> None:
        raise AssertionError("set_pixel reopens the framebuffer for every pixel")

    def clear(self, *colour: object) -> None:
        self.set_pixels([BLACK] * 64)

    def set_rotation(self, r: int = 0, redraw: bool = True) -> None:
        self.rotations.append((r, redraw))

    @property
    def low_light(self) -> bool:
        return self.gamma == list(GAMMA_LOW)

    @low_light.setter
    def low_light(self, value: bool) -> None:
        self.low_light_sets.append(value)
        self.gamma = list(GAMMA_LOW if value else GAMMA_DEFAULT)


def build(fake: FakeSenseHat | None = None, **options: object) -> SenseHatDriver:
    return SenseHatDriver(
        SenseHatOptions(backend="hardware", **options), sense=fake or FakeSenseHat()
    )


def one_pixel(colour: tuple[int, int, int], index: int = 0) -> Frame:
    pixels = [BLACK] * 64
    pixels[index] = colour
    return Frame(8, 8, tuple(pixels))


def fake_module(name: str, **attributes: object) -> types.ModuleType:
    module = types.ModuleType(name)
    for key, value in attributes.items():
        setattr(module, key, value)
    return module


class TestHardwareBackendContract(DriverContract):
    @pytest.fixture
    def driver(self):
        d = build()
        yield d
        d.close()

    def read_back(self, driver):
        return driver.sense.pixels

    def hardware_writes(self, driver):
        return len(driver.sense.writes)

    def build_without_hardware(self):
        with pytest.MonkeyPatch.context() as mp:
            mp.setitem(sys.modules, "sense_hat", None)
            SenseHatDriver(SenseHatOptions(backend="hardware"))


# -- writing the matrix ------------------------------------------------------------------


def test_the_matrix_is_8_by_8():
    assert build().size == (8, 8)


def test_opening_leaves_the_matrix_dark():
    fake = FakeSenseHat()
    fake.pixels = [(255, 255, 255)] * 64
    build(fake)
    assert fake.pixels == [BLACK] * 64


def test_each_changed_frame_is_one_set_pixels_call():
    fake = FakeSenseHat()
    driver = build(fake)
    for i in range(3):
        driver.show(one_pixel((200, 100, 50), index=i))
    assert len(fake.writes) == 1 + 3  # the clear on opening, then one per frame


def test_frame_pixels_go_to_the_hat_in_row_major_order():
    fake = FakeSenseHat()
    build(fake).show(one_pixel((200, 100, 50), index=8 * 2 + 5))
    assert fake.pixels.index((200, 100, 50)) == 21


def test_rotation_is_set_on_the_hat_without_a_redraw():
    fake = FakeSenseHat()
    build(fake, rotation=270)
    assert fake.rotations == [(270, False)]


def test_low_light_option_turns_on_the_hats_low_light_mode():
    fake = FakeSenseHat()
    build(fake, low_light=True)
    assert fake.low_light


def test_close_puts_the_hat_back_out_of_low_light():
    fake = FakeSenseHat()
    driver = build(fake, low_light=True)
    driver.close()
    assert not fake.low_light


def test_gamma_is_left_alone_when_low_light_already_matches():
    custom = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] + [31] * 16
    fake = FakeSenseHat(gamma=custom)
    build(fake).close()
    assert fake.low_light_sets == []
    assert fake.gamma == custom


# -- the visibility threshold ----------------------------------------------------------


def test_default_gamma_lights_channels_from_48():
    assert visibility_threshold(GAMMA_DEFAULT) == 48


def test_low_light_gamma_lights_channels_from_8():
    assert visibility_threshold(GAMMA_LOW) == 8


def test_a_dim_colour_is_lifted_until_its_brightest_channel_reaches_the_threshold():
    assert visible((10, 5, 0), 48) == (48, 24, 0)


def test_lifting_never_leaves_the_brightest_channel_below_the_threshold():
    assert max(visible((7, 3, 1), 48)) == 48


def test_black_is_not_lifted():
    assert visible(BLACK, 48) == BLACK


def test_a_colour_bright_enough_is_unchanged():
    assert visible((48, 2, 1), 48) == (48, 2, 1)


def test_dim_pixels_are_written_lifted():
    fake = FakeSenseHat()
    build(fake).show(one_pixel((12, 6, 3)))
    assert fake.pixels[0] == (48, 24, 12)


def test_in_low_light_dim_pixels_are_lifted_only_to_8():
    fake = FakeSenseHat()
    build(fake, low_light=True).show(one_pixel((2, 1, 0)))
    assert fake.pixels[0] == (8, 4, 0)


def test_keep_visible_off_writes_dim_pixels_as_given():
    fake = FakeSenseHat()
    build(fake, keep_visible=False).show(one_pixel((12, 6, 3)))
    assert fake.pixels[0] == (12, 6, 3)


# -- opening, and what goes wrong -----------------------------------------------------


def sysfs_with(tmp_path: Path, **names: str) -> Path:
    for fb, name in names.items():
        (tmp_path / fb).mkdir()
        (tmp_path / fb / "name").write_text(name + "\n")
    return tmp_path


def test_the_hats_framebuffer_is_found_by_its_name(tmp_path):
    sysfs = sysfs_with(tmp_path, fb0="BCM2708 FB", fb1="RPi-Sense FB")
    assert find_framebuffer(sysfs) == Path("/dev/fb1")


def test_no_framebuffer_by_that_name_is_none(tmp_path):
    assert find_framebuffer(sysfs_with(tmp_path, fb0="BCM2708 FB")) is None


def test_auto_uses_the_hat_when_its_framebuffer_exists(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sense_hat", fake_module("sense_hat", SenseHat=FakeSenseHat))
    sysfs = sysfs_with(tmp_path, fb1="RPi-Sense FB")
    driver = SenseHatDriver(SenseHatOptions(backend="auto"), sysfs=sysfs)
    assert driver.backend == "hardware"


def test_auto_without_a_hat_says_how_to_use_the_emulator(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sense_hat", fake_module("sense_hat", SenseHat=FakeSenseHat))
    monkeypatch.setitem(sys.modules, "sense_emu", None)  # must not be needed to say so
    with pytest.raises(DriverUnavailable, match="sense_emu_gui") as caught:
        SenseHatDriver(SenseHatOptions(backend="auto"), sysfs=tmp_path)
    assert 'backend="emulator"' in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_named_display_without_a_hat_is_told_to_set_its_own_backend(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sense_hat", fake_module("sense_hat", SenseHat=FakeSenseHat))
    cfg = config.validate(tomllib.loads('[displays.desk]\ndriver = "sensehat"\n'))
    table = ("displays", "desk")
    options = registry.configure(registry.DRIVERS, "sensehat", cfg, None, table).options
    with pytest.raises(DriverUnavailable) as caught:
        SenseHatDriver(options, sysfs=tmp_path)
    assert 'set displays.desk.backend="emulator"' in str(caught.value)


def test_missing_sense_hat_library_says_to_install_it_with_apt(monkeypatch):
    monkeypatch.setitem(sys.modules, "sense_hat", None)
    with pytest.raises(DriverUnavailable, match="apt install python3-sense-hat") as caught:
        SenseHatDriver(SenseHatOptions(backend="hardware"))
    assert "--system-site-packages" in str(caught.value)


def test_auto_without_the_library_or_a_hat_says_to_install_the_library(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sense_hat", None)
    with pytest.raises(DriverUnavailable, match="apt install python3-sense-hat") as caught:
        SenseHatDriver(SenseHatOptions(backend="auto"), sysfs=tmp_path)
    assert "framebuffer" not in str(caught.value)


def forget_sense_hat(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "sense_hat" or m.startswith("sense_hat.")]:
        monkeypatch.delitem(sys.modules, name)


def test_missing_rtimu_names_it_and_says_how_to_get_it(monkeypatch):
    forget_sense_hat(monkeypatch)
    monkeypatch.setitem(sys.modules, "RTIMU", None)  # as on any machine without the apt package
    with pytest.raises(DriverUnavailable, match="RTIMU") as caught:
        SenseHatDriver(SenseHatOptions(backend="hardware"))
    message = str(caught.value)
    assert "python3-sense-hat" in message and "--system-site-packages" in message
    assert "\n" not in message


def stub_rtimu() -> types.ModuleType:
    """Enough of RTIMU for ``sense_hat.SenseHat()`` to get past its IMU set-up."""

    class Stub:
        def __init__(self, *args: object) -> None:
            pass

    return fake_module("RTIMU", Settings=Stub, RTIMU=Stub, RTPressure=Stub, RTHumidity=Stub)


@pytest.mark.skipif(find_framebuffer() is not None, reason="this machine has a Sense HAT")
def test_missing_framebuffer_is_reported_as_no_hat(tmp_path, monkeypatch):
    forget_sense_hat(monkeypatch)
    monkeypatch.setitem(sys.modules, "RTIMU", stub_rtimu())
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(DriverUnavailable, match="no Sense HAT found") as caught:
        SenseHatDriver(SenseHatOptions(backend="hardware"), sysfs=tmp_path)
    assert "RPi-Sense FB" in str(caught.value)


def test_permission_denied_on_the_framebuffer_names_the_video_group():
    fake = FakeSenseHat()
    fake.write_error = PermissionError(errno.EACCES, "Permission denied", "/dev/fb1")
    with pytest.raises(DriverUnavailable, match="/dev/fb1") as caught:
        build(fake)
    assert "'video' group" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_permission_denied_on_the_joystick_names_the_input_group(monkeypatch):
    def refuse() -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "/dev/input/event2")

    monkeypatch.setitem(sys.modules, "sense_hat", fake_module("sense_hat", SenseHat=refuse))
    with pytest.raises(DriverUnavailable, match="'input' group"):
        SenseHatDriver(SenseHatOptions(backend="hardware"))


def test_a_failed_opening_lets_go_of_the_joystick():
    fake = FakeSenseHat()
    fake.write_error = PermissionError(errno.EACCES, "Permission denied", "/dev/fb1")
    with pytest.raises(DriverUnavailable):
        build(fake)
    assert fake.stick.closed


def test_missing_emulator_library_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "sense_emu", None)
    with pytest.raises(DriverUnavailable, match="pip install sense-emu"):
        SenseHatDriver(SenseHatOptions(backend="emulator"))


def test_no_emulator_running_and_no_gui_to_start_says_to_start_it(monkeypatch):
    import sense_emu

    def no_gui() -> None:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", "sense_emu_gui")

    monkeypatch.setattr(sense_emu, "SenseHat", no_gui)
    with pytest.raises(DriverUnavailable, match="start sense_emu_gui") as caught:
        SenseHatDriver(SenseHatOptions(backend="emulator"))
    assert "sense-emu-tools" in str(caught.value)


def test_the_emulator_starting_its_gui_is_logged_and_nothing_else(monkeypatch, caplog):
    import sense_emu

    def starting_gui() -> FakeSenseHat:
        warnings.warn(Warning("No emulator detected; spawning sense_emu_gui"), stacklevel=1)
        warnings.warn("Image.getdata is deprecated", DeprecationWarning, stacklevel=1)
        return FakeSenseHat()

    monkeypatch.setattr(sense_emu, "SenseHat", starting_gui)
    with caplog.at_level(logging.WARNING):
        SenseHatDriver(SenseHatOptions(backend="emulator"))
    assert caplog.messages == ["sense_emu: No emulator detected; spawning sense_emu_gui"]


# -- the joystick ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "control"),
    [
        ("middle", Control.NEXT_FACE),
        ("up", Control.BRIGHTER),
        ("down", Control.DIMMER),
        ("left", Control.TOGGLE_SECONDS),
        ("right", Control.TOGGLE_SECONDS),
    ],
)
def test_a_joystick_press_asks_for_its_control(direction, control):
    fake = FakeSenseHat()
    driver = build(fake)
    fake.stick.press(direction)
    assert driver.poll_controls() == [control]


def test_releases_and_held_repeats_ask_for_nothing():
    fake = FakeSenseHat()
    driver = build(fake)
    fake.stick.press("up", "held")
    fake.stick.press("up", "released")
    assert driver.poll_controls() == []


def test_presses_are_returned_once_in_the_order_made():
    fake = FakeSenseHat()
    driver = build(fake)
    fake.stick.press("up")
    fake.stick.press("middle")
    assert driver.poll_controls() == [Control.BRIGHTER, Control.NEXT_FACE]
    assert driver.poll_controls() == []


def test_each_press_is_logged(caplog):
    fake = FakeSenseHat()
    driver = build(fake)
    fake.stick.press("down")
    with caplog.at_level(logging.INFO, logger="binclock.drivers.sensehat_joystick"):
        driver.poll_controls()
    assert "joystick down: dimmer" in caplog.messages


def test_a_disabled_joystick_is_never_read():
    fake = FakeSenseHat()
    driver = build(fake, joystick=False)
    fake.stick.press("up")
    assert driver.poll_controls() == []
    assert fake.stick.reads == 0


def test_on_a_hat_turned_90_degrees_a_push_reported_right_is_up():
    fake = FakeSenseHat()
    driver = build(fake, rotation=90)
    fake.stick.press("right")
    assert driver.poll_controls() == [Control.BRIGHTER]


@pytest.mark.parametrize(
    ("rotation", "reported", "seen"),
    [
        (0, "up", "up"),
        (90, "up", "left"),
        (90, "left", "down"),
        (180, "up", "down"),
        (180, "left", "right"),
        (270, "right", "down"),
        (270, "up", "right"),
        (90, "middle", "middle"),
    ],
)
def test_pushes_are_turned_with_the_picture(rotation, reported, seen):
    assert as_seen(reported, rotation) == seen


def test_a_failing_joystick_is_logged_once_and_then_ignored(caplog):
    fake = FakeSenseHat()
    driver = build(fake)
    fake.stick.fail = OSError(errno.ENODEV, "No such device")
    with caplog.at_level(logging.WARNING):
        assert driver.poll_controls() == []
        assert driver.poll_controls() == []
    assert fake.stick.reads == 1
    assert len(caplog.records) == 1


def test_a_hat_without_a_joystick_asks_for_nothing():
    fake = FakeSenseHat()
    del fake.stick
    assert build(fake).poll_controls() == []


def test_close_lets_go_of_the_joystick():
    fake = FakeSenseHat()
    build(fake).close()
    assert fake.stick.closed


def test_the_driver_offers_controls_to_the_run_loop():
    assert isinstance(build(), Controllable)
