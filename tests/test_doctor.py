"""binclock doctor: each scenario is a machine laid out under a temporary root."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from dataclasses import replace
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from binclock import config, registry
from binclock.commandline.cli import main
from binclock.commandline.commands import list_plugins
from binclock.commandline.doctor import (
    Group,
    Machine,
    Row,
    Status,
    User,
    diagnose,
    exit_status,
    run,
    table,
)
from binclock.drivers.fake import FakeDriver
from binclock.machine import Reply

PI4 = "Raspberry Pi 4 Model B Rev 1.4"
PI5 = "Raspberry Pi 5 Model B Rev 1.0"
SOURCE = Path("/etc/binclock/config.toml")
GROUPS = (
    Group("root", 0),
    Group("kmem", 15),
    Group("video", 44, frozenset({"pi"})),
    Group("input", 105, frozenset({"pi"})),
    Group("gpio", 997, frozenset({"pi"})),
    Group("i2c", 998, frozenset({"pi"})),
    Group("spi", 999, frozenset({"pi"})),
    Group("pi", 1000),
)
PI_USER = User("pi", 1000, frozenset({"pi", "video", "input", "gpio", "i2c", "spi"}))
ROOT_USER = User("root", 0, frozenset({"root"}))
MODULES = frozenset(
    {
        "gpiozero",
        "lgpio",
        "sense_hat",
        "RTIMU",
        "sense_emu",
        "board",
        "busio",
        "microcontroller",
        "neopixel",
        "neopixel_spi",
        "rpi_ws281x",
        "adafruit_raspberry_pi5_neopixel_write",
        "PIL",
    }
)
GIDS = {group.name: group.gid for group in GROUPS}


class FakeRoot:
    """A machine's files under ``path``; device nodes carry the owner group and mode they
    would have on Raspberry Pi OS (recorded here, as only root may chown)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.nodes: dict[Path, tuple[int, int, int]] = {}
        self.chips: dict[tuple[str, int], Reply] = {}  # what answers where; else silence
        self.probed: list[tuple[str, int]] = []

    def write(self, name: str, text: str = "") -> Path:
        target = self.path / name.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        return target

    def device(self, name: str, group: str = "root", mode: int = 0o660, uid: int = 0) -> Path:
        target = self.write(name)
        self.nodes[target] = (uid, GIDS[group], mode)
        return target

    def chip(self, bus: str, address: int, reply: Reply = Reply.ANSWERS) -> None:
        self.chips[(bus, address)] = reply

    def probe_i2c(self, node: Path, address: int) -> tuple[Reply, str]:
        bus = "/" + str(node.relative_to(self.path))
        self.probed.append((bus, address))
        reply = self.chips.get((bus, address), Reply.SILENT)
        return reply, "not an I2C adapter" if reply is Reply.UNKNOWN else ""

    def stat(self, path: Path) -> os.stat_result:
        if path not in self.nodes:
            return path.stat()
        uid, gid, mode = self.nodes[path]
        return os.stat_result((stat.S_IFCHR | mode, 0, 0, 1, uid, gid, 0, 0, 0, 0))

    def machine(
        self,
        user: User = PI_USER,
        modules: frozenset[str] = MODULES,
        kernel_state: int | None = 0,
        environ: dict[str, str] | None = None,
    ) -> Machine:
        return Machine(
            root=self.path,
            user=user,
            groups=GROUPS,
            environ=environ or {},
            stat=self.stat,
            kernel_state=lambda: kernel_state,
            importable=lambda names: all(name in modules for name in names),
            probe_i2c=self.probe_i2c,
        )


def pi4(root: FakeRoot, spi: bool = True, i2c: bool = True) -> FakeRoot:
    """A Pi 4 as Raspberry Pi OS sets it up (SPI and I2C as asked)."""
    root.write("/proc/device-tree/model", PI4 + "\0")
    root.device("/dev/gpiomem", "gpio")
    root.device("/dev/gpiochip0", "gpio")
    root.device("/dev/mem", "kmem", 0o640)
    if spi:
        root.device("/dev/spidev0.0", "spi")
    if i2c:
        root.device("/dev/i2c-1", "i2c")
    return root


def pi5(root: FakeRoot, pio: bool = True) -> FakeRoot:
    root.write("/proc/device-tree/model", PI5 + "\0")
    root.device("/dev/gpiomem0", "gpio")
    root.device("/dev/gpiochip0", "gpio")
    root.device("/dev/gpiochip4", "gpio")
    root.device("/dev/spidev0.0", "spi")
    root.device("/dev/i2c-1", "i2c")
    if pio:
        root.device("/dev/pio0", "gpio")
    return root


def sense_hat(root: FakeRoot) -> FakeRoot:
    """The HAT's framebuffer (fb1, after the HDMI one) and joystick, as the overlay makes them."""
    root.write("/sys/class/graphics/fb0/name", "simple\n")
    root.write("/sys/class/graphics/fb1/name", "RPi-Sense FB\n")
    root.device("/dev/fb0", "video")
    root.device("/dev/fb1", "video")
    root.write("/sys/class/input/event0/device/name", "Logitech USB Keyboard\n")
    root.write("/sys/class/input/event2/device/name", "Raspberry Pi Sense HAT Joystick\n")
    root.device("/dev/input/event2", "input")
    return root


def using(driver: str = "terminal", face: str = "binary", **tables: dict):
    """A loader for a config file selecting ``driver`` with ``[drivers.NAME]`` ``tables``."""
    data = {"driver": driver, "face": face, "drivers": tables}
    return lambda: (config.validate(data, SOURCE), SOURCE)


def row(rows: list[Row], check: str) -> Row:
    found = [r for r in rows if r.check == check or r.check.startswith(check + " (")]
    assert len(found) == 1, f"no single {check!r} row in {[r.check for r in rows]}"
    return found[0]


@pytest.fixture
def root(tmp_path: Path) -> FakeRoot:
    return FakeRoot(tmp_path)


# -- the board --------------------------------------------------------------------------


def test_board_row_names_the_pi_model(root):
    rows = diagnose(pi4(root).machine(), using())
    assert row(rows, "board") == Row(Status.OK, "board", PI4)


def test_laptop_board_is_not_applicable_and_says_where_to_look(root):
    rows = diagnose(root.machine(), using())
    board = row(rows, "board")
    assert board.status is Status.NA
    assert "not a Raspberry Pi" in board.found
    assert "terminal" in board.fix


def test_laptop_gets_no_device_or_group_rows(root):
    checks = {r.check for r in diagnose(root.machine(), using())}
    assert not checks & {"GPIO chips", "GPIO memory", "SPI", "I2C", "groups"}


def test_laptop_with_the_terminal_driver_passes(root):
    rows = diagnose(root.machine(), using("terminal"))
    assert row(rows, "driver terminal") == Row(Status.OK, "driver terminal (in use)", "ready")
    assert exit_status(rows) == 0


def test_laptop_with_a_hardware_driver_in_use_fails(root):
    rows = diagnose(root.machine(), using("neopixel"))
    neopixel = row(rows, "driver neopixel")
    assert neopixel.status is Status.FAIL
    assert "not a Raspberry Pi" in neopixel.fix
    assert exit_status(rows) == 1


def test_hardware_drivers_not_in_use_on_a_laptop_are_not_applicable(root):
    rows = diagnose(root.machine(), using("terminal"))
    assert row(rows, "driver neopixel").status is Status.NA
    assert row(rows, "driver gpio").status is Status.NA


def test_board_and_the_neopixel_check_read_the_same_model(root):
    """A board that names itself only in cpuinfo is a Pi 4 to the doctor and the driver alike."""
    root.write("/proc/cpuinfo", f"processor\t: 0\nModel\t\t: {PI4}\n")
    root.device("/dev/mem", "kmem", 0o640)
    rows = diagnose(root.machine(user=ROOT_USER), using("neopixel"))
    assert row(rows, "board") == Row(Status.OK, "board", PI4)
    assert row(rows, "driver neopixel").found.startswith("rpi_ws281x on GPIO 18")


def test_importing_doctor_imports_no_driver():
    code = (
        "import sys, binclock.commandline.doctor; "
        "print(sorted(m for m in sys.modules if 'drivers' in m))"
    )
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert imported.stdout.strip() == "[]", imported.stderr


# -- the clock --------------------------------------------------------------------------


def test_clock_synchronised_by_timesyncd(root):
    root.write("/run/systemd/timesync/synchronized")
    rows = diagnose(root.machine(kernel_state=5), using())
    assert row(rows, "clock") == Row(Status.OK, "clock", "synchronised (systemd-timesyncd)")


def test_clock_synchronised_by_the_kernel_for_chrony_or_ntpd(root):
    rows = diagnose(root.machine(kernel_state=0), using())
    assert row(rows, "clock") == Row(Status.OK, "clock", "synchronised (the kernel's NTP status)")


def test_unsynchronised_clock_warns_with_how_to_check_ntp(root):
    rows = diagnose(root.machine(kernel_state=5), using())
    clock = row(rows, "clock")
    assert clock.status is Status.WARN
    assert "timedatectl" in clock.fix


def test_unsynchronised_clock_does_not_fail_doctor(root):
    assert exit_status(diagnose(root.machine(kernel_state=5), using())) == 0


def test_clock_that_cannot_be_asked_is_not_applicable(root):
    rows = diagnose(root.machine(kernel_state=None), using())
    assert row(rows, "clock").status is Status.NA


# -- the configuration ------------------------------------------------------------------


def test_config_row_names_the_file_driver_and_face(root):
    rows = diagnose(root.machine(), using("jsonl", "bcd"))
    assert row(rows, "config") == Row(Status.OK, "config", f"{SOURCE} (driver jsonl, face bcd)")


def test_config_row_says_when_no_file_was_found(root):
    rows = diagnose(root.machine(), lambda: (config.Config(), None))
    assert row(rows, "config").found == "no file: built-in defaults (driver terminal, face binary)"


def test_invalid_config_fails_with_its_one_line_error(root):
    path = root.write("/etc/binclock/config.toml", "[display]\nbrightness = 2\n")
    rows = diagnose(root.machine(), lambda: config.load(path))
    bad = row(rows, "config")
    assert bad.status is Status.FAIL
    assert bad.fix.startswith(f"{path}: display.brightness = 2:")
    assert exit_status(rows) == 1


def test_unknown_driver_in_config_fails_and_lists_the_drivers(root):
    rows = diagnose(root.machine(), using("blinkt"))
    bad = row(rows, "config")
    assert bad.status is Status.FAIL
    assert "unknown driver 'blinkt'" in bad.fix and "terminal" in bad.fix


def test_invalid_face_options_fail_the_config(root):
    data = {"face": "date", "faces": {"date": {"no_such_key": 1}}}
    rows = diagnose(root.machine(), lambda: (config.validate(data, SOURCE), SOURCE))
    bad = row(rows, "config")
    assert bad.status is Status.FAIL
    assert "faces.date.no_such_key: unknown key" in bad.fix


def test_invalid_table_of_the_driver_in_use_fails_its_row(root):
    rows = diagnose(pi4(root).machine(), using("neopixel", neopixel={"width": 0}))
    bad = row(rows, "driver neopixel")
    assert bad.status is Status.FAIL
    assert bad.found == "invalid [drivers.neopixel] table"
    assert "drivers.neopixel.width = 0" in bad.fix


# -- devices and groups on a Pi ---------------------------------------------------------


def test_pi4_with_spi_off_says_how_to_enable_it(root):
    rows = diagnose(pi4(root, spi=False).machine(), using())
    spi = row(rows, "SPI")
    assert spi.status is Status.NA
    assert spi.found == "/dev/spidev0.0 is missing"
    assert spi.fix == "enable SPI: sudo raspi-config nonint do_spi 0"


def test_spi_turned_on_in_config_txt_but_absent_asks_for_a_reboot(root):
    pi4(root, spi=False).write("/boot/firmware/config.txt", "dtparam=audio=on\ndtparam=spi=on\n")
    spi = row(diagnose(root.machine(), using()), "SPI")
    assert spi.fix == "/boot/firmware/config.txt turns it on but it is not active yet: reboot"


def test_spi_commented_out_in_config_txt_still_needs_enabling(root):
    pi4(root, spi=False).write("/boot/firmware/config.txt", "#dtparam=spi=on\ndtparam=spi=off\n")
    assert row(diagnose(root.machine(), using()), "SPI").fix.startswith("enable SPI")


def test_pi4_with_spi_off_passes_when_nothing_needs_spi(root):
    assert exit_status(diagnose(pi4(root, spi=False).machine(), using("terminal"))) == 0


def test_pi4_with_spi_off_fails_the_neopixel_spi_backend_in_use(root):
    rows = diagnose(pi4(root, spi=False).machine(), using("neopixel", neopixel={"backend": "spi"}))
    neopixel = row(rows, "driver neopixel")
    assert neopixel.status is Status.FAIL
    assert neopixel.found == "spi on GPIO 10"
    assert neopixel.fix.startswith("SPI is not enabled (/dev/spidev0.0 is missing)")
    assert "sudo raspi-config nonint do_spi 0" in neopixel.fix
    assert exit_status(rows) == 1


def test_i2c_off_says_how_to_enable_it(root):
    i2c = row(diagnose(pi4(root, i2c=False).machine(), using()), "I2C")
    assert (i2c.status, i2c.fix) == (Status.NA, "enable I2C: sudo raspi-config nonint do_i2c 0")


def test_devices_open_to_the_user_are_ok(root):
    rows = diagnose(pi4(root).machine(), using())
    assert row(rows, "GPIO chips") == Row(Status.OK, "GPIO chips", "/dev/gpiochip0")
    assert row(rows, "GPIO memory") == Row(Status.OK, "GPIO memory", "/dev/gpiomem")
    assert row(rows, "SPI") == Row(Status.OK, "SPI", "/dev/spidev0.0")


def test_device_of_a_group_the_user_is_not_in_warns_with_usermod(root):
    pi4(root)
    user = User("alice", 1001, frozenset({"alice", "gpio"}))
    spi = row(diagnose(root.machine(user=user), using()), "SPI")
    assert spi.status is Status.WARN
    assert spi.found == "/dev/spidev0.0: alice may not open /dev/spidev0.0"
    assert spi.fix == "sudo usermod -aG spi $USER, then log out and in again"


def test_group_joined_since_logging_in_asks_to_log_in_again(root):
    pi4(root)
    user = User("pi", 1000, frozenset({"pi", "gpio"}))  # /etc/group lists pi in spi already
    spi = row(diagnose(root.machine(user=user), using()), "SPI")
    assert spi.fix == "pi was added to spi since logging in: log out and in again"


def test_device_open_to_everyone_is_ok_for_anyone(root):
    pi4(root).device("/dev/spidev0.0", "spi", 0o666)
    user = User("alice", 1001, frozenset({"alice"}))
    assert row(diagnose(root.machine(user=user), using()), "SPI").status is Status.OK


def test_group_member_follows_the_group_bits(root):
    pi4(root).device("/dev/spidev0.0", "spi", 0o600)  # root alone, though the group is spi
    assert row(diagnose(root.machine(), using()), "SPI").status is Status.WARN


def test_device_owned_by_the_user_follows_the_owner_bits(root):
    pi4(root).device("/dev/spidev0.0", "spi", 0o066, uid=1000)  # owner may not, group may
    assert row(diagnose(root.machine(), using()), "SPI").status is Status.WARN


def test_pi4_checks_gpiomem_and_dev_mem(root):
    checks = [r.check for r in diagnose(pi4(root).machine(), using())]
    assert "GPIO memory" in checks and "/dev/mem" in checks and "PIO" not in checks


def test_dev_mem_is_root_only_for_a_user(root):
    mem = row(diagnose(pi4(root).machine(), using()), "/dev/mem")
    assert mem.status is Status.NA
    assert "root" in mem.found


def test_dev_mem_is_ok_for_root(root):
    mem = row(diagnose(pi4(root).machine(user=ROOT_USER), using()), "/dev/mem")
    assert mem.status is Status.OK


def test_pi5_checks_gpiomem0_and_pio(root):
    rows = diagnose(pi5(root).machine(), using())
    assert row(rows, "GPIO memory") == Row(Status.OK, "GPIO memory", "/dev/gpiomem0")
    assert row(rows, "PIO") == Row(Status.OK, "PIO", "/dev/pio0")
    assert row(rows, "GPIO chips").found == "/dev/gpiochip0, /dev/gpiochip4"
    assert "/dev/mem" not in [r.check for r in rows]


def test_pi5_pio_left_to_root_needs_the_udev_rule(root):
    pi5(root).device("/dev/pio0", "root", 0o600)
    pio = row(diagnose(root.machine(), using()), "PIO")
    assert pio.status is Status.WARN
    assert 'SUBSYSTEM=="*-pio", GROUP="gpio"' in pio.fix


def test_pi5_without_pio_says_to_update(root):
    pio = row(diagnose(pi5(root, pio=False).machine(), using()), "PIO")
    assert pio.status is Status.NA
    assert "sudo apt full-upgrade" in pio.fix


def test_user_in_every_device_group_is_ok(root):
    groups = row(diagnose(pi4(root).machine(), using()), "groups")
    assert groups == Row(Status.OK, "groups", "pi is in gpio, spi, i2c, video, input")


def test_missing_groups_are_joined_in_one_command(root):
    user = User("alice", 1001, frozenset({"alice", "gpio", "spi"}))
    groups = row(diagnose(pi4(root).machine(user=user), using()), "groups")
    assert groups.status is Status.WARN
    assert groups.found == "alice is not in i2c, video, input"
    assert groups.fix == "sudo usermod -aG i2c,video,input $USER, then log out and in again"


def test_root_needs_no_groups(root):
    groups = row(diagnose(pi4(root).machine(user=ROOT_USER), using()), "groups")
    assert groups.status is Status.OK


# -- the Sense HAT ----------------------------------------------------------------------


def test_sense_hat_without_video_group_fails_the_sensehat_driver_in_use(root):
    user = User("alice", 1001, frozenset({"alice", "input", "i2c"}))
    rows = diagnose(sense_hat(pi4(root)).machine(user=user), using("sensehat"))
    driver = row(rows, "driver sensehat")
    assert driver.status is Status.FAIL
    assert driver.fix == "sudo usermod -aG video $USER, then log out and in again"
    assert exit_status(rows) == 1


def test_sensehat_driver_is_ready_with_the_hat_and_its_groups(root):
    driver = row(diagnose(sense_hat(pi4(root)).machine(), using("sensehat")), "driver sensehat")
    assert driver == Row(Status.OK, "driver sensehat (in use)", "Sense HAT on /dev/fb1")


def test_sensehat_driver_needs_i2c(root):
    rows = diagnose(sense_hat(pi4(root, i2c=False)).machine(), using("sensehat"))
    driver = row(rows, "driver sensehat")
    assert driver.status is Status.FAIL
    assert driver.fix == "enable I2C: sudo raspi-config nonint do_i2c 0"


def test_sensehat_driver_needs_to_read_the_joystick(root):
    user = User("alice", 1001, frozenset({"alice", "video", "i2c"}))
    driver = row(
        diagnose(sense_hat(pi4(root)).machine(user=user), using("sensehat")), "driver sensehat"
    )
    assert driver.found == "/dev/input/event2: may not read it"
    assert driver.fix == "sudo usermod -aG input $USER, then log out and in again"


def test_sensehat_without_a_hat_suggests_the_emulator(root):
    driver = row(diagnose(pi4(root).machine(), using("sensehat")), "driver sensehat")
    assert driver.status is Status.FAIL
    assert "dtoverlay=rpi-sense" in driver.fix and '"emulator"' in driver.fix


def test_sensehat_without_rtimu_gives_the_apt_package(root):
    modules = MODULES - {"RTIMU"}
    driver = row(
        diagnose(sense_hat(pi4(root)).machine(modules=modules), using("sensehat")),
        "driver sensehat",
    )
    assert driver.found == "not installed: no module RTIMU"
    assert "sudo apt install python3-sense-hat" in driver.fix


def test_sensehat_emulator_runs_on_a_laptop_with_sense_emu(root):
    rows = diagnose(root.machine(), using("sensehat", sensehat={"backend": "emulator"}))
    assert row(rows, "driver sensehat").status is Status.OK


def test_sensehat_emulator_without_sense_emu_says_how_to_install_it(root):
    modules = MODULES - {"sense_emu"}
    rows = diagnose(
        root.machine(modules=modules), using("sensehat", sensehat={"backend": "emulator"})
    )
    assert "pip install sense-emu" in row(rows, "driver sensehat").fix


# -- NeoPixels --------------------------------------------------------------------------


def test_neopixel_on_pwm_pin_without_root_fails_with_the_drivers_own_advice(root):
    rows = diagnose(pi4(root).machine(), using("neopixel"))
    neopixel = row(rows, "driver neopixel")
    assert neopixel.status is Status.FAIL
    assert neopixel.found == "auto on GPIO 18"
    assert neopixel.fix.startswith("rpi_ws281x drives GPIO 18 by PWM and DMA, which needs root")


def test_neopixel_as_root_on_a_pi4_chooses_rpi_ws281x(root):
    rows = diagnose(pi4(root).machine(user=ROOT_USER), using("neopixel"))
    neopixel = row(rows, "driver neopixel")
    assert neopixel.status is Status.OK
    assert neopixel.found.startswith("rpi_ws281x on GPIO 18 (")


def test_neopixel_spi_backend_with_spi_group_is_ready(root):
    rows = diagnose(pi4(root).machine(), using("neopixel", neopixel={"backend": "spi"}))
    assert row(rows, "driver neopixel") == Row(
        Status.OK, "driver neopixel (in use)", "spi on GPIO 10"
    )


def test_neopixel_on_a_pi5_goes_through_the_pio(root):
    rows = diagnose(pi5(root).machine(), using("neopixel"))
    neopixel = row(rows, "driver neopixel")
    assert neopixel.status is Status.OK
    assert neopixel.found.startswith("blinka on GPIO 18 (a Raspberry Pi 5 drives GPIO 18")


def test_neopixel_on_a_pi5_without_pio_fails(root):
    rows = diagnose(pi5(root, pio=False).machine(), using("neopixel"))
    neopixel = row(rows, "driver neopixel")
    assert neopixel.status is Status.FAIL
    assert "pio0 is missing" in neopixel.fix


def test_neopixel_on_a_pi5_needs_the_pi5_writer(root):
    modules = MODULES - {"adafruit_raspberry_pi5_neopixel_write"}
    rows = diagnose(pi5(root).machine(modules=modules), using("neopixel"))
    neopixel = row(rows, "driver neopixel")
    assert neopixel.found == "blinka on GPIO 18: no module adafruit_raspberry_pi5_neopixel_write"
    assert "pip install 'binclock[neopixel]'" in neopixel.fix


def test_rpi_ws281x_backend_on_a_pi5_fails(root):
    rows = diagnose(pi5(root).machine(), using("neopixel", neopixel={"backend": "rpi_ws281x"}))
    assert "does not support the Raspberry Pi 5" in row(rows, "driver neopixel").fix


def test_rpi_ws281x_backend_without_its_library_names_the_extra(root):
    modules = MODULES - {"rpi_ws281x"}
    rows = diagnose(
        pi4(root).machine(user=ROOT_USER, modules=modules),
        using("neopixel", neopixel={"backend": "rpi_ws281x"}),
    )
    neopixel = row(rows, "driver neopixel")
    assert neopixel.found == "rpi_ws281x on GPIO 18: no module rpi_ws281x"
    assert neopixel.fix.endswith("install it with: pip install 'binclock[neopixel]'")


def test_driver_with_a_table_but_not_in_use_only_warns(root):
    rows = diagnose(pi4(root).machine(), using("terminal", neopixel={"width": 8, "height": 8}))
    assert row(rows, "driver neopixel").status is Status.WARN
    assert exit_status(rows) == 0


# -- GPIO pins --------------------------------------------------------------------------


def test_gpio_with_lgpio_and_the_gpio_group_is_ready(root):
    rows = diagnose(pi4(root).machine(), using("gpio"))
    assert row(rows, "driver gpio") == Row(
        Status.OK, "driver gpio (in use)", "lgpio on /dev/gpiochip0"
    )


def test_gpio_without_the_gpio_group_fails(root):
    user = User("alice", 1001, frozenset({"alice"}))
    gpio = row(diagnose(pi4(root).machine(user=user), using("gpio")), "driver gpio")
    assert gpio.status is Status.FAIL
    assert gpio.fix == "sudo usermod -aG gpio $USER, then log out and in again"


def test_gpio_on_a_pi5_without_lgpio_fails(root):
    rows = diagnose(pi5(root).machine(modules=MODULES - {"lgpio"}), using("gpio"))
    gpio = row(rows, "driver gpio")
    assert gpio.status is Status.FAIL
    assert gpio.fix.startswith("install lgpio: sudo apt install python3-lgpio")


def test_gpio_on_a_pi4_without_a_pin_library_uses_native_pins(root):
    rows = diagnose(pi4(root).machine(modules=MODULES - {"lgpio"}), using("gpio"))
    gpio = row(rows, "driver gpio")
    assert gpio.status is Status.OK
    assert gpio.found == "gpiozero's native pins (no PWM) on /dev/gpiomem"


def test_servo_on_a_pi4_without_a_pwm_pin_library_fails(root):
    rows = diagnose(pi4(root).machine(modules=MODULES - {"lgpio"}), using("servo"))
    assert row(rows, "driver servo").fix.startswith("install lgpio")


def test_gpio_on_a_pi4_uses_rpi_gpio_when_lgpio_is_missing(root):
    modules = (MODULES - {"lgpio"}) | {"RPi"}
    rows = diagnose(pi4(root).machine(modules=modules), using("servo"))
    assert row(rows, "driver servo").found == "RPi.GPIO on /dev/gpiomem"


def test_gpio_mock_pins_are_ready_anywhere(root):
    machine = root.machine(environ={"GPIOZERO_PIN_FACTORY": "mock"})
    gpio = row(diagnose(machine, using("gpio")), "driver gpio")
    assert gpio.status is Status.OK
    assert "simulated pins" in gpio.found


# -- lgpio's working directory -----------------------------------------------------------


def lgpio_machine(root: FakeRoot, writable: set[str], cwd: str = "/", **env: str) -> Machine:
    """A Pi 4 where only the folders in ``writable`` may be written, working in ``cwd``."""
    machine = pi4(root).machine(environ=env)
    return replace(machine, cwd=Path(cwd), writable=lambda p: machine.shown(p) in writable)


def test_gpio_with_lgpio_in_a_read_only_working_directory_warns(root):
    rows = diagnose(lgpio_machine(root, writable=set()), using("gpio"))
    folder = row(rows, "lgpio folder")
    assert folder.status is Status.WARN
    assert folder.found.startswith("/ is not writable")
    assert "LG_WD" in folder.fix
    assert exit_status(rows) == 0


def test_lgpio_folder_is_lg_wd_when_set(root):
    machine = lgpio_machine(root, writable={"/var/lib/binclock"}, LG_WD="/var/lib/binclock")
    rows = diagnose(machine, using("servo"))
    assert row(rows, "lgpio folder") == Row(
        Status.OK, "lgpio folder", "/var/lib/binclock is writable"
    )


def test_lgpio_folder_is_the_working_directory_without_lg_wd(root):
    machine = lgpio_machine(root, writable={"/home/pi"}, cwd="/home/pi")
    assert row(diagnose(machine, using("gpio")), "lgpio folder").status is Status.OK


def test_no_lgpio_folder_row_with_mock_pins(root):
    machine = lgpio_machine(root, writable=set(), GPIOZERO_PIN_FACTORY="mock")
    assert "lgpio folder" not in {r.check for r in diagnose(machine, using("gpio"))}


def test_no_lgpio_folder_row_for_a_driver_without_pins(root):
    rows = diagnose(lgpio_machine(root, writable=set()), using("terminal"))
    assert "lgpio folder" not in {r.check for r in rows}


# -- drivers in general -----------------------------------------------------------------


def test_missing_library_of_the_driver_in_use_fails_with_the_extra(root):
    rows = diagnose(pi4(root).machine(modules=MODULES - {"gpiozero"}), using("gpio"))
    gpio = row(rows, "driver gpio")
    assert gpio == Row(
        Status.FAIL,
        "driver gpio (in use)",
        "not installed: no module gpiozero",
        "pip install 'binclock[gpio]'",
    )


def test_missing_library_of_a_driver_not_in_use_is_not_applicable(root):
    rows = diagnose(root.machine(modules=MODULES - {"PIL"}), using("terminal"))
    png = row(rows, "driver png")
    assert (png.status, png.fix) == (Status.NA, "pip install 'binclock[snapshot]'")


def test_every_installed_driver_gets_a_row(root):
    checks = {r.check for r in diagnose(root.machine(), using())}
    for name in registry.registered(registry.DRIVERS):
        assert any(c.startswith(f"driver {name}") for c in checks)


def test_module_class_driver_in_use_gets_a_row(root):
    rows = diagnose(root.machine(), using("binclock.drivers.fake:FakeDriver"))
    assert row(rows, "driver binclock.drivers.fake:FakeDriver").status is Status.OK


def test_driver_that_fails_to_load_is_reported(root, monkeypatch):
    real = registry.registered

    def with_broken(group: str) -> dict[str, EntryPoint]:
        found = dict(real(group))
        if group == registry.DRIVERS:
            found["broken"] = EntryPoint("broken", "binclock_no_such_module:Driver", group)
        return found

    monkeypatch.setattr(registry, "registered", with_broken)
    broken = row(diagnose(root.machine(), using()), "driver broken")
    assert (broken.status, broken.found) == (Status.NA, "fails to load")
    assert "binclock_no_such_module" in broken.fix


class NoBusDriver(FakeDriver):
    """A plugin driver whose quick look at the machine finds its bus missing."""

    @classmethod
    def unavailable(cls, options: object) -> str | None:
        return "no bus 7: enable it"


def test_a_plugin_drivers_own_look_at_the_machine_is_its_row(root):
    rows = diagnose(root.machine(), using("test_doctor:NoBusDriver"))
    assert row(rows, "driver test_doctor:NoBusDriver") == Row(
        Status.FAIL, "driver test_doctor:NoBusDriver (in use)", "not available here",
        "no bus 7: enable it",
    )  # fmt: skip


# -- png and gif: the folder they write to ------------------------------------------------


def test_png_in_a_missing_folder_fails_saying_which(root):
    rows = diagnose(root.machine(), using("png", png={"path": "/nonexistent/x.png"}))
    png = row(rows, "driver png")
    assert (png.status, png.found) == (Status.FAIL, "cannot write /nonexistent/x.png")
    assert png.fix == "no directory /nonexistent (create it or set drivers.png.path)"


def test_gif_in_an_existing_folder_is_ok(root):
    root.write("/srv/clock/.keep")
    rows = diagnose(root.machine(), using("gif", gif={"path": "/srv/clock/x.gif"}))
    assert row(rows, "driver gif") == Row(
        Status.OK, "driver gif (in use)", "writes /srv/clock/x.gif"
    )


# -- --list-drivers: READY when the doctor finds nothing to fix ---------------------------


def ready(listing: str) -> dict[str, str]:
    """Each driver's READY column."""
    rows = [line.split() for line in listing.splitlines()[1:] if not line.startswith("(")]
    return {name: ready for name, ready, *_ in rows}


def test_off_a_pi_the_hardware_drivers_are_not_ready_even_with_their_libraries(
    root, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # where png and gif write by default
    root.write(str(tmp_path / ".keep"))
    listing = ready(list_plugins(registry.DRIVERS, root.machine()))
    assert {name: listing[name] for name in ("neopixel", "gpio", "servo", "sensehat")} == {
        "neopixel": "no", "gpio": "no", "servo": "no", "sensehat": "no",
    }  # fmt: skip
    assert {name: listing[name] for name in ("terminal", "jsonl", "fake", "png")} == {
        "terminal": "yes", "jsonl": "yes", "fake": "yes", "png": "yes",
    }  # fmt: skip


def test_on_a_pi_with_its_devices_the_hardware_drivers_are_ready(root, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    machine = sense_hat(pi4(root)).machine(user=ROOT_USER)  # root: NeoPixels on PWM by default
    listing = ready(list_plugins(registry.DRIVERS, machine))
    assert [listing[name] for name in ("neopixel", "gpio", "servo", "sensehat")] == ["yes"] * 4


@pytest.mark.skipif(Path("/proc/device-tree/model").exists(), reason="this machine may be a Pi")
def test_the_listing_on_this_machine_says_its_hardware_drivers_are_not_ready(monkeypatch, capsys):
    monkeypatch.delenv("GPIOZERO_PIN_FACTORY", raising=False)
    assert main(["--list-drivers"]) == 0
    listing = ready(capsys.readouterr().out)
    assert [listing[name] for name in ("neopixel", "gpio", "servo", "sensehat")] == ["no"] * 4


# -- the table and the exit status ------------------------------------------------------


ROWS = [
    Row(Status.OK, "board", PI4),
    Row(Status.FAIL, "driver neopixel (in use)", "auto on GPIO 18", "run as root " * 12),
    Row(Status.WARN, "clock", "not synchronised yet"),
]


def test_table_aligns_the_columns():
    lines = table(ROWS).splitlines()
    assert lines[0] == "STATUS  CHECK                     FOUND"
    assert lines[1] == f"ok      board                     {PI4}"
    assert lines[2] == "fail    driver neopixel (in use)  auto on GPIO 18"


def test_table_puts_each_fix_under_what_it_fixes_wrapped_to_the_width():
    lines = table(ROWS, width=80).splitlines()
    fix = [line for line in lines if line.strip().startswith(("fix:", "run as root"))]
    assert fix[0].startswith(" " * 34 + "fix: run as root")
    assert all(len(line) <= 80 for line in lines)
    assert len(fix) > 1 and fix[1].startswith(" " * 39 + "run as root")


def test_table_ends_with_the_count_of_failures_and_warnings():
    assert table(ROWS).splitlines()[-1] == "1 failed, 1 warning: fix the failures to run the clock"


def test_exit_status_is_zero_when_nothing_fails():
    assert (
        exit_status([Row(Status.OK, "a", ""), Row(Status.WARN, "b", ""), Row(Status.NA, "c", "")])
        == 0
    )


def test_exit_status_is_one_when_a_row_fails():
    assert exit_status(ROWS) == 1


def test_run_prints_the_table_and_returns_the_exit_status(root):
    out = io.StringIO()
    status = run(using("neopixel"), pi4(root, spi=False).machine(), out)
    assert status == 1
    assert out.getvalue().startswith("STATUS  CHECK")
    assert "fail    driver neopixel (in use)" in out.getvalue()


# -- this machine -----------------------------------------------------------------------


def test_current_user_is_this_process():
    user = User.current()
    assert user.uid == os.geteuid()
    assert user.groups


def test_this_machine_can_be_examined_with_the_defaults():
    rows = diagnose(Machine(), lambda: (config.Config(), None))
    assert [r.check for r in rows][:3] == ["board", "clock", "config"]
    assert row(rows, "driver terminal").status is Status.OK


def test_sense_hat_emulator_needs_neither_sense_hat_nor_rtimu(root):
    machine = root.machine(modules=MODULES - {"sense_hat", "RTIMU"})
    rows = diagnose(machine, using("sensehat", sensehat={"backend": "emulator"}))
    assert row(rows, "driver sensehat").status is Status.OK


def test_sense_hat_hardware_without_rtimu_fails_with_the_apt_hint(root):
    machine = pi4(root).machine(modules=MODULES - {"RTIMU"})
    found = row(
        diagnose(machine, using("sensehat", sensehat={"backend": "hardware"})), "driver sensehat"
    )
    assert (found.status, found.found) == (Status.FAIL, "not installed: no module RTIMU")
    assert "python3-sense-hat" in found.fix
