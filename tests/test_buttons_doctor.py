"""``binclock doctor``'s row for the ``[[controls.buttons]]``, on machines laid out under a
temporary root as in the other doctor tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from test_doctor import MODULES, SOURCE, FakeRoot, User, pi4, pi5, row

from binclock import config
from binclock.commandline.doctor import Row, Status, diagnose, exit_status


def with_buttons(*pins: int, driver: str = "terminal", **more: object):
    """A loader for a config with a button on each of ``pins`` and ``more`` on top."""
    buttons = [{"pin": pin, "press": "next-face"} for pin in pins]
    data = {"driver": driver, "controls": {"buttons": buttons}, **more}
    return lambda: (config.validate(data, SOURCE), SOURCE)


@pytest.fixture
def root(tmp_path: Path) -> FakeRoot:
    return FakeRoot(tmp_path)


def test_no_buttons_no_row(root):
    rows = diagnose(pi4(root).machine(), with_buttons())
    assert not [r for r in rows if r.check == "buttons"]


def test_buttons_with_gpiozero_and_the_gpio_chip_are_ready(root):
    rows = diagnose(pi4(root).machine(), with_buttons(5, 6))
    assert row(rows, "buttons") == Row(
        Status.OK, "buttons", "GPIO5, GPIO6: lgpio on /dev/gpiochip0"
    )


def test_buttons_without_gpiozero_fail_with_the_extra_to_install(root):
    rows = diagnose(pi4(root).machine(modules=MODULES - {"gpiozero"}), with_buttons(5))
    buttons = row(rows, "buttons")
    assert (buttons.status, buttons.found) == (Status.FAIL, "not installed: no module gpiozero")
    assert buttons.fix == "pip install 'binclock[gpio]'"
    assert exit_status(rows) == 1


def test_buttons_without_the_gpio_group_fail_with_usermod(root):
    user = User("alice", 1001, frozenset({"alice"}))
    buttons = row(diagnose(pi4(root).machine(user=user), with_buttons(5)), "buttons")
    assert buttons.status is Status.FAIL
    assert buttons.fix == "sudo usermod -aG gpio $USER, then log out and in again"


def test_buttons_on_a_pi5_need_lgpio(root):
    rows = diagnose(pi5(root).machine(modules=MODULES - {"lgpio"}), with_buttons(5))
    assert row(rows, "buttons").fix.startswith("install lgpio")


def test_buttons_on_a_laptop_fail_and_suggest_mock_pins(root):
    buttons = row(diagnose(root.machine(), with_buttons(5)), "buttons")
    assert buttons.status is Status.FAIL
    assert "GPIOZERO_PIN_FACTORY=mock" in buttons.fix


def test_button_on_a_pin_of_the_gpio_display_fails_naming_both(root):
    rows = diagnose(pi4(root).machine(), with_buttons(5, 17, driver="gpio"))
    buttons = row(rows, "buttons")
    assert buttons.status is Status.FAIL
    assert buttons.found == (
        "GPIO5 (buttons.0) is also a pin of driver gpio;"
        " GPIO17 (buttons.1) is also a pin of driver gpio"
    )
    assert buttons.fix == "move the button to a pin no display takes"


def test_button_beside_the_gpio_display_on_a_free_pin_is_ready(root):
    grid = {"grid": [[16, 22], [17, 23]]}
    rows = diagnose(pi4(root).machine(), with_buttons(5, driver="gpio", drivers={"gpio": grid}))
    assert row(rows, "buttons").status is Status.OK


def test_button_on_the_neopixel_data_pin_fails(root):
    rows = diagnose(pi4(root).machine(), with_buttons(18, driver="neopixel"))
    assert row(rows, "buttons").found == "GPIO18 (buttons.0) is also a pin of driver neopixel"


def test_button_on_a_pin_of_a_named_display_names_that_display(root):
    shelf = {"driver": "servo", "grid": [[20, 21]]}
    loader = with_buttons(21, driver=["terminal", "shelf"], displays={"shelf": shelf})
    rows = diagnose(pi4(root).machine(), loader)
    assert row(rows, "buttons").found == "GPIO21 (buttons.0) is also a pin of display shelf"


def test_buttons_with_mock_pins_are_ready_anywhere(root):
    machine = root.machine(environ={"GPIOZERO_PIN_FACTORY": "mock"})
    buttons = row(diagnose(machine, with_buttons(5)), "buttons")
    assert buttons.status is Status.OK
    assert buttons.found.startswith("GPIO5: GPIOZERO_PIN_FACTORY=mock")


def test_buttons_add_the_lgpio_folder_row_when_no_display_did(root):
    machine = replace(pi4(root).machine(), cwd=Path("/"), writable=lambda path: False)
    rows = diagnose(machine, with_buttons(5))
    assert row(rows, "lgpio folder").status is Status.WARN


def test_buttons_beside_gpio_leds_give_one_lgpio_folder_row(root):
    machine = replace(pi4(root).machine(), cwd=Path("/"), writable=lambda path: False)
    grid = {"grid": [[16, 22]]}
    rows = diagnose(machine, with_buttons(5, driver="gpio", drivers={"gpio": grid}))
    assert len([r for r in rows if r.check == "lgpio folder"]) == 1


def test_button_on_a_pin_of_the_unicorn_hat_minis_own_buttons_fails(root):
    rows = diagnose(pi4(root).machine(), with_buttons(24, driver="unicornhatmini"))
    found = "GPIO24 (buttons.0) is also a pin of driver unicornhatmini"
    assert row(rows, "buttons").found == found


def test_the_unicorn_hat_minis_pins_are_free_when_it_reads_no_buttons(root):
    hat = {"unicornhatmini": {"buttons": False}}
    loader = with_buttons(24, driver="unicornhatmini", drivers=hat)
    assert row(diagnose(pi4(root).machine(), loader), "buttons").status is Status.OK
