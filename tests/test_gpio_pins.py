"""Pin names, pin grids in config and getting pins from gpiozero (shared by gpio and servo)."""

from __future__ import annotations

import sys
from pathlib import Path

import gpiozero
import pytest
from gpiozero.pins.mock import MockFactory

from binclock import config, pinnames
from binclock.driver import DriverUnavailable
from binclock.drivers import pins
from binclock.drivers.gpio import GpioOptions


def load_options(tmp_path: Path, toml: str) -> GpioOptions:
    """The [drivers.gpio] table of a config file, validated as the CLI does."""
    path = tmp_path / "config.toml"
    path.write_text(toml)
    cfg, source = config.load(path)
    return config.plugin_options(cfg, "drivers", "gpio", GpioOptions, source)  # type: ignore[return-value]


def config_error(tmp_path: Path, toml: str) -> str:
    with pytest.raises(config.ConfigError) as caught:
        load_options(tmp_path, toml)
    message = str(caught.value)
    assert "\n" not in message
    return message


# -- pin names ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [17, "17", "GPIO17", "gpio17", "BCM17", "BOARD11", "J8:11"])
def test_a_pin_can_be_named_as_gpiozero_names_it(name):
    assert pins.parse_pin(name) == 17


@pytest.mark.parametrize("name", ["-", None])
def test_a_dash_means_nothing_is_wired(name):
    assert pins.parse_pin(name) is None


def test_a_bcm_number_off_the_header_is_refused():
    with pytest.raises(ValueError, match="GPIO28 is not on the 40-pin header"):
        pins.parse_pin(28)


def test_a_supply_pin_of_the_header_is_refused():
    with pytest.raises(ValueError, match="header pin 2 is 5V, not a GPIO"):
        pins.parse_pin("BOARD2")


@pytest.mark.parametrize("value", [True, 17.0, "LED1", [17]])
def test_anything_else_is_not_a_pin(value):
    with pytest.raises(ValueError, match="a pin is a BCM number"):
        pins.parse_pin(value)


def test_the_header_table_agrees_with_gpiozero():
    header = MockFactory().board_info.headers["J8"].pins
    ours = {n: f"GPIO{p}" if isinstance(p, int) else p for n, p in pinnames.HEADER.items()}
    assert ours == {n: info.name for n, info in header.items()}


# -- grids and columns --------------------------------------------------------------------


def test_the_default_grid_is_the_binary_face_with_no_led_for_hours_32():
    layout = GpioOptions().layout()
    assert layout.size == (3, 6)
    assert layout.pin(0, 0) is None
    assert [layout.pin(x, 5) for x in range(3)] == [13, 21, 27]
    assert len(layout.wired()) == 17


def test_grid_rows_are_read_top_down_and_left_to_right(tmp_path):
    opts = load_options(tmp_path, '[drivers.gpio]\ngrid = [[17, "-"], ["GPIO27", "BOARD15"]]\n')
    layout = opts.layout()
    assert layout.size == (2, 2)
    assert layout.pins == (17, None, 27, 22)


def test_named_columns_msb_first_run_top_down_with_short_columns_at_the_bottom(tmp_path):
    opts = load_options(
        tmp_path,
        '[drivers.gpio]\nbit_order = "msb-first"\n'
        "[drivers.gpio.columns]\nhours = [4, 5]\nminutes = [6, 12, 13]\n",
    )
    layout = opts.layout()
    assert layout.size == (2, 3)
    assert [layout.pin(0, y) for y in range(3)] == [None, 4, 5]
    assert [layout.pin(1, y) for y in range(3)] == [6, 12, 13]


def test_named_columns_lsb_first_start_at_the_bottom(tmp_path):
    opts = load_options(
        tmp_path,
        '[drivers.gpio]\nbit_order = "lsb-first"\n'
        "[drivers.gpio.columns]\nhours = [4, 5]\nminutes = [6, 12, 13]\n",
    )
    layout = opts.layout()
    assert [layout.pin(0, y) for y in range(3)] == [None, 5, 4]
    assert [layout.pin(1, y) for y in range(3)] == [13, 12, 6]


def test_named_columns_are_named_in_pixel_descriptions(tmp_path):
    opts = load_options(
        tmp_path,
        '[drivers.gpio]\nbit_order = "lsb-first"\n'
        "[drivers.gpio.columns]\nhours = [4]\nsecs = [5]\n",
    )
    assert opts.layout().describe(1, 0) == "GPIO5 (secs)"


def test_a_pin_off_the_header_names_its_cell(tmp_path):
    message = config_error(tmp_path, "[drivers.gpio]\ngrid = [[17, 27], [22, 40]]\n")
    assert "drivers.gpio.grid.1.1 = 40: GPIO40 is not on the 40-pin header" in message


def test_a_pin_used_twice_names_both_cells(tmp_path):
    message = config_error(tmp_path, '[drivers.gpio]\ngrid = [[17, 27], ["GPIO17", 22]]\n')
    assert "drivers.gpio.grid.1.0 = 17: GPIO17 is already used at grid.0.0" in message


def test_a_pin_used_twice_across_columns_names_both(tmp_path):
    message = config_error(
        tmp_path,
        '[drivers.gpio]\nbit_order = "msb-first"\n[drivers.gpio.columns]\nh = [4, 5]\nm = [6, 4]\n',
    )
    assert "drivers.gpio.columns.m.1 = 4: GPIO4 is already used at columns.h.0" in message


def test_rows_of_different_lengths_name_the_row(tmp_path):
    message = config_error(tmp_path, "[drivers.gpio]\ngrid = [[17, 27], [22]]\n")
    assert "drivers.gpio.grid.1 = [22]: every row needs 2 cells like the first" in message


def test_a_grid_with_no_pins_is_refused(tmp_path):
    message = config_error(tmp_path, '[drivers.gpio]\ngrid = [["-", "-"]]\n')
    assert "drivers.gpio.grid" in message and "no pins" in message


def test_columns_need_a_stated_bit_order(tmp_path):
    message = config_error(tmp_path, "[drivers.gpio.columns]\nhours = [4, 5]\n")
    assert "drivers.gpio.bit_order" in message and "'msb-first' or 'lsb-first'" in message


def test_grid_and_columns_together_are_refused(tmp_path):
    message = config_error(
        tmp_path,
        '[drivers.gpio]\ngrid = [[4]]\nbit_order = "msb-first"\n[drivers.gpio.columns]\nh = [5]\n',
    )
    assert "drivers.gpio.columns" in message and "not both" in message


def test_a_bit_order_without_columns_is_refused(tmp_path):
    message = config_error(tmp_path, '[drivers.gpio]\nbit_order = "msb-first"\n')
    assert "drivers.gpio.bit_order = 'msb-first': only used with columns" in message


# -- colours ------------------------------------------------------------------------------


def test_luminance_weighs_green_most_and_blue_least():
    assert pins.luminance((255, 255, 255)) == pytest.approx(1.0)
    assert pins.luminance((0, 255, 0)) > pins.luminance((255, 0, 0)) > pins.luminance((0, 0, 255))
    assert pins.luminance((0, 0, 0)) == 0.0


# -- gpiozero -----------------------------------------------------------------------------


def test_missing_gpiozero_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "gpiozero", None)
    with pytest.raises(DriverUnavailable, match=r"pip install 'binclock\[gpio\]'"):
        pins.import_gpiozero()


def test_a_given_pin_factory_is_used_as_it_is():
    factory = MockFactory()
    assert pins.pin_factory(gpiozero, factory) is factory


def test_an_unusable_gpiozero_pin_factory_setting_is_named(monkeypatch):
    monkeypatch.setattr(gpiozero.Device, "pin_factory", None)
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "nosuchfactory")
    with pytest.raises(DriverUnavailable) as caught:
        pins.pin_factory(gpiozero)
    assert str(caught.value).startswith("GPIOZERO_PIN_FACTORY=nosuchfactory cannot be used here")


def test_the_mock_factory_from_the_environment_is_gpiozeros_choice(monkeypatch):
    monkeypatch.setattr(gpiozero.Device, "pin_factory", None)
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    assert isinstance(pins.pin_factory(gpiozero), MockFactory)


def fake_proc(tmp_path: Path, model: str | None) -> Path:
    if model is not None:
        (tmp_path / "device-tree").mkdir()
        (tmp_path / "device-tree" / "model").write_text(model + "\0")
    return tmp_path


def test_no_factory_off_a_pi_suggests_the_mock_factory(tmp_path):
    message = pins.no_factory(
        gpiozero.BadPinFactory("Unable to load any default pin factory!"),
        ["Falling back from lgpio: No module named 'lgpio'"],
        {},
        fake_proc(tmp_path, None),
    )
    assert "not a Raspberry Pi" in message and "GPIOZERO_PIN_FACTORY=mock" in message


def test_no_factory_on_a_pi_says_to_install_lgpio(tmp_path):
    message = pins.no_factory(
        gpiozero.BadPinFactory("Unable to load any default pin factory!"),
        ["Falling back from lgpio: No module named 'lgpio'"],
        {},
        fake_proc(tmp_path, "Raspberry Pi 5 Model B Rev 1.0"),
    )
    assert "install lgpio" in message and "python3-lgpio" in message


def test_no_permission_says_to_join_the_gpio_group(tmp_path):
    message = pins.no_factory(
        gpiozero.BadPinFactory("Unable to load any default pin factory!"),
        ["Falling back from native: [Errno 13] Permission denied: '/dev/gpiomem'"],
        {},
        fake_proc(tmp_path, "Raspberry Pi 4 Model B Rev 1.4"),
    )
    assert message == pins.GPIO_GROUP
    assert "gpio group" in message


def test_lgpio_unable_to_open_the_gpio_chip_of_a_pi_is_the_gpio_group(tmp_path):
    message = pins.no_factory(
        gpiozero.BadPinFactory("Unable to load any default pin factory!"),
        ["Falling back from lgpio: 'can not open gpiochip'", "Falling back from native: ..."],
        {},
        fake_proc(tmp_path, "Raspberry Pi 5 Model B Rev 1.0"),
    )
    assert message == pins.GPIO_GROUP


def test_a_named_pin_factory_that_fails_is_named_with_its_error(tmp_path):
    message = pins.no_factory(
        ImportError("No module named 'pigpio'"), [], {"GPIOZERO_PIN_FACTORY": "pigpio"}, tmp_path
    )
    assert message == "GPIOZERO_PIN_FACTORY=pigpio cannot be used here: No module named 'pigpio'"
