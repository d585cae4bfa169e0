"""binclock doctor on the Unicorn HAT Mini: the driver's own check, on Pis laid out under a
temporary root (the scenarios of test_doctor)."""

from __future__ import annotations

from test_doctor import MODULES, FakeRoot, User, pi4, pi5, root, row, using

from binclock.commandline.doctor import Status, diagnose, here

__all__ = ["root"]  # the fixture, from test_doctor

HAT_MODULES = MODULES | {"unicornhatmini", "spidev", "RPi"}


def hat(root: FakeRoot) -> FakeRoot:
    """A Pi 4 with SPI on: both chip selects' devices."""
    pi4(root)
    root.device("/dev/spidev0.1", "spi")
    return root


def unicorn(root: FakeRoot, **machine: object):
    rows = diagnose(root.machine(**machine), using("unicornhatmini"))  # type: ignore[arg-type]
    return row(rows, "driver unicornhatmini")


def test_ready_with_spi_and_the_groups(root):
    found = unicorn(hat(root), modules=HAT_MODULES)
    assert found.status is Status.OK
    assert found.found == "/dev/spidev0.0, /dev/spidev0.1; lgpio on /dev/gpiochip0"


def test_without_its_libraries_names_the_extra(root):
    found = unicorn(hat(root))
    assert found.status is Status.FAIL
    assert found.fix == "pip install 'binclock[unicornhatmini]'"


def test_with_spi_off_says_how_to_enable_it(root):
    found = unicorn(pi4(root, spi=False), modules=HAT_MODULES)
    assert found.status is Status.FAIL
    assert found.found == "no /dev/spidev0.0: SPI is off"
    assert found.fix == "enable SPI: sudo raspi-config nonint do_spi 0"


def test_outside_the_spi_group_says_to_join_it(root):
    user = User("alice", 1001, frozenset({"alice", "gpio"}))
    found = unicorn(hat(root), modules=HAT_MODULES, user=user)
    assert found.status is Status.FAIL
    assert found.fix == "sudo usermod -aG spi $USER, then log out and in again"


def test_outside_the_gpio_group_says_to_join_it(root):
    user = User("alice", 1001, frozenset({"alice", "spi"}))
    found = unicorn(hat(root), modules=HAT_MODULES, user=user)
    assert found.status is Status.FAIL
    assert found.fix == "sudo usermod -aG gpio $USER, then log out and in again"


def test_on_a_pi_5_it_is_not_ready_as_the_library_cannot_drive_the_chip_selects(root):
    pi5(root).device("/dev/spidev0.1", "spi")
    found = unicorn(root, modules=HAT_MODULES)
    assert found.status is Status.FAIL
    assert "Raspberry Pi 5" in found.found and "GPIO 8 and 7" in found.found
    assert here("unicornhatmini", root.machine(modules=HAT_MODULES)).fix


def test_list_drivers_calls_it_ready_with_spi_on(root):
    assert here("unicornhatmini", hat(root).machine(modules=HAT_MODULES)).fix == ""


def test_list_drivers_calls_it_not_ready_with_spi_off(root):
    assert here("unicornhatmini", pi4(root, spi=False).machine(modules=HAT_MODULES)).fix


def test_list_drivers_keeps_its_columns_aligned_past_a_long_name(root):
    from binclock import registry
    from binclock.commandline.commands import list_plugins

    lines = list_plugins(registry.DRIVERS, root.machine()).splitlines()
    ready_at = lines[0].index("READY")
    unicorn = next(line for line in lines if line.startswith("unicornhatmini "))
    assert unicorn[ready_at - 1] == " " and unicorn[ready_at:].split()[0] in ("yes", "no")
