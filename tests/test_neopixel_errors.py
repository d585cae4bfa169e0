"""The errors users actually hit: one line each saying what to do, raised before any
hardware is touched; and what the auto backend picks."""

from __future__ import annotations

import sys
import tomllib

import pytest
from neopixel_fakes import PI4, PI5, PI_ZERO, install_fake_ws281x, make_host

from binclock import config, registry
from binclock.driver import DriverUnavailable
from binclock.drivers.neopixel import NeoPixelDriver, NeoPixelOptions
from binclock.drivers.neopixel.backend import vendor
from binclock.drivers.neopixel.host import Host
from binclock.drivers.neopixel.preflight import choose


def refusal(host: Host, **options) -> str:
    with pytest.raises(DriverUnavailable) as caught:
        NeoPixelDriver(NeoPixelOptions(**options), host=host)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("neopixel: ")
    return message


@pytest.mark.parametrize("backend", ["auto", "rpi_ws281x", "blinka", "spi"])
def test_a_pc_is_not_a_raspberry_pi(backend) -> None:
    message = refusal(Host(None), backend=backend)
    assert "this is not a Raspberry Pi (no /proc/device-tree/model)" in message
    assert "--driver terminal" in message


def test_another_board_is_named_in_the_refusal() -> None:
    assert "'Radxa ROCK 5B'" in refusal(Host("Radxa ROCK 5B"))


def test_rpi_ws281x_on_a_pi_5_points_to_blinka_and_spi(tmp_path) -> None:
    message = refusal(make_host(tmp_path, PI5), backend="rpi_ws281x")
    assert "does not support the Raspberry Pi 5" in message
    assert '"blinka"' in message and '"spi"' in message


def test_pwm_without_root_suggests_spi_and_the_root_drop_in(tmp_path) -> None:
    message = refusal(make_host(tmp_path, PI4, denied=["mem"]), backend="rpi_ws281x")
    assert "GPIO 18 by PWM and DMA, which needs root (/dev/mem)" in message
    assert "root drop-in" in message and "GPIO 10" in message and '"spi"' in message


@pytest.mark.parametrize(
    ("text", "table", "key"),
    [
        ('[drivers.neopixel]\nbackend = "rpi_ws281x"\n', None, "drivers.neopixel.backend"),
        (
            '[displays.strip]\ndriver = "neopixel"\nbackend = "rpi_ws281x"\n',
            ("displays", "strip"),
            "displays.strip.backend",
        ),
    ],
)
def test_the_hint_names_the_backend_key_of_the_table_the_options_came_from(
    tmp_path, text, table, key
) -> None:
    cfg = config.validate(tomllib.loads(text))
    options = registry.configure(registry.DRIVERS, "neopixel", cfg, None, table).options
    with pytest.raises(DriverUnavailable) as caught:
        NeoPixelDriver(options, host=make_host(tmp_path, PI4, denied=["mem"]))
    assert f'set {key} = "spi"' in str(caught.value)


def test_pcm_without_root_is_named_pcm(tmp_path) -> None:
    message = refusal(make_host(tmp_path, PI4, denied=["mem"]), backend="rpi_ws281x", pin=21)
    assert "GPIO 21 by PCM" in message


def test_auto_without_root_keeps_the_wired_pin_and_says_what_to_change(tmp_path) -> None:
    message = refusal(make_host(tmp_path, PI_ZERO, denied=["mem"]))
    assert "needs root" in message and "GPIO 10" in message


def test_spi_not_enabled_says_how_to_enable_it(tmp_path) -> None:
    host = make_host(tmp_path, PI4, devices=["mem"])
    message = refusal(host, backend="spi")
    assert f"SPI is not enabled ({tmp_path / 'dev' / 'spidev0.0'} is missing)" in message
    assert "raspi-config nonint do_spi 0" in message and "dtparam=spi=on" in message


def test_spi_without_permission_says_which_group(tmp_path) -> None:
    message = refusal(make_host(tmp_path, PI4, denied=["spidev0.0"]), backend="spi")
    assert "no permission to open" in message and "spi group" in message


def test_rpi_ws281x_on_gpio_10_needs_spi_enabled_too(tmp_path) -> None:
    message = refusal(make_host(tmp_path, PI4, devices=["mem"]), backend="rpi_ws281x", pin=10)
    assert "SPI is not enabled" in message


def test_matrix_too_big_for_the_spi_buffer_says_how_to_raise_it(tmp_path) -> None:
    message = refusal(make_host(tmp_path, PI4), backend="spi", width=16, height=16)
    assert "256 LEDs need a 6272-byte SPI transfer but spidev takes at most 4096" in message
    assert "spidev.bufsiz=32768" in message


def test_rpi_ws281x_names_the_pins_it_can_use(tmp_path) -> None:
    message = refusal(make_host(tmp_path, PI4), backend="rpi_ws281x", pin=17)
    assert "GPIO 17 cannot carry NeoPixel data with the rpi_ws281x backend" in message
    assert "18 or 12 (PWM0), 13 or 19 (PWM1), 21 (PCM) or 10 (SPI)" in message


def test_blinka_before_the_pi_5_has_rpi_ws281x_pins(tmp_path) -> None:
    assert "GPIO 4 cannot carry" in refusal(make_host(tmp_path, PI4), backend="blinka", pin=4)


def test_spi_backend_wants_gpio_10(tmp_path) -> None:
    message = refusal(make_host(tmp_path, PI4), backend="spi", pin=18)
    assert "sends on GPIO 10 (SPI0 MOSI), not GPIO 18" in message


def test_pin_of_the_other_pwm_channel_is_refused(tmp_path) -> None:
    message = refusal(make_host(tmp_path, PI4), backend="rpi_ws281x", pin=13, channel=0)
    assert "GPIO 13 belongs to rpi_ws281x channel 1, not 0" in message


def test_pi_5_without_pio_says_to_update(tmp_path) -> None:
    message = refusal(make_host(tmp_path, PI5, devices=["spidev0.0"]), backend="blinka")
    assert "pio0 is missing" in message and "sudo apt full-upgrade" in message


def test_pi_5_pio_without_permission_gives_the_udev_rule(tmp_path) -> None:
    message = refusal(make_host(tmp_path, PI5, denied=["pio0"]), backend="blinka")
    assert 'SUBSYSTEM=="*-pio", GROUP="gpio", MODE="0660"' in message


def test_blinka_refuses_400_khz(tmp_path) -> None:
    message = refusal(make_host(tmp_path, PI5), backend="blinka", frequency=400000)
    assert "800 kHz only" in message


def test_missing_rpi_ws281x_names_the_extra(tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "rpi_ws281x", None)
    message = refusal(make_host(tmp_path, PI4), backend="rpi_ws281x")
    assert "the rpi_ws281x library is not installed" in message
    assert "pip install 'binclock[neopixel]'" in message


def test_missing_adafruit_neopixel_names_its_package(tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "neopixel", None)
    monkeypatch.setenv("BLINKA_SKIP_DEPENDENCY_CHECK", "1")  # restored afterwards
    message = refusal(make_host(tmp_path, PI5), backend="blinka")
    assert "the adafruit-circuitpython-neopixel library is not installed" in message


def test_missing_neopixel_spi_names_its_package(tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "neopixel_spi", None)
    monkeypatch.setenv("BLINKA_SKIP_DEPENDENCY_CHECK", "1")  # restored afterwards
    message = refusal(make_host(tmp_path, PI4), backend="spi")
    assert "the adafruit-circuitpython-neopixel-spi library is not installed" in message


def test_a_platform_library_blinka_misses_is_named(tmp_path, monkeypatch) -> None:
    # Blinka turns a missing platform library into a RuntimeError caused by the import
    (tmp_path / "blinka_like.py").write_text(
        "try:\n"
        "    import gpiod_not_here\n"
        "except ModuleNotFoundError as error:\n"
        "    raise RuntimeError('The platform library was not found.\\nTry pip') from error\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(DriverUnavailable, match=r"no module 'gpiod_not_here'.*binclock"):
        vendor("blinka_like")


def test_pin_is_checked_before_rpi_ws281x_is_touched(tmp_path, monkeypatch) -> None:
    chip = install_fake_ws281x(monkeypatch)
    refusal(make_host(tmp_path, PI4), backend="rpi_ws281x", pin=17)
    assert chip.controllers == []


# -- auto ----------------------------------------------------------------------------------


def test_auto_picks_rpi_ws281x_for_root_on_a_pi_4(tmp_path) -> None:
    backend, why = choose(make_host(tmp_path, PI4), NeoPixelOptions())
    assert backend == "rpi_ws281x" and "/dev/mem" in why


def test_auto_picks_spi_for_gpio_10_without_root(tmp_path) -> None:
    backend, why = choose(make_host(tmp_path, PI4, denied=["mem"]), NeoPixelOptions(pin=10))
    assert backend == "spi" and "no root" in why


def test_auto_picks_blinka_on_a_pi_5(tmp_path) -> None:
    backend, why = choose(make_host(tmp_path, PI5, denied=["mem"]), NeoPixelOptions())
    assert backend == "blinka" and "PIO" in why


def test_auto_picks_spi_on_a_pi_5_wired_to_gpio_10(tmp_path) -> None:
    assert choose(make_host(tmp_path, PI5), NeoPixelOptions(pin=10))[0] == "spi"


def test_auto_logs_what_it_picked_and_why(tmp_path, monkeypatch, caplog) -> None:
    install_fake_ws281x(monkeypatch)
    caplog.set_level("INFO", logger="binclock.drivers.neopixel")
    driver = NeoPixelDriver(NeoPixelOptions(), host=make_host(tmp_path, PI4))
    driver.close()
    assert "the auto backend chose rpi_ws281x: this process may use /dev/mem" in caplog.text
