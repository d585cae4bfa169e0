"""Board detection from the device tree, and the spidev buffer size."""

from __future__ import annotations

import pytest

from binclock.drivers.neopixel.host import DEFAULT_SPIDEV_BUFSIZ, Host


def detect(tmp_path, model: bytes | None = None, bufsiz: str | None = None) -> Host:
    model_path = tmp_path / "model"
    if model is not None:
        model_path.write_bytes(model)
    bufsiz_path = tmp_path / "bufsiz"
    if bufsiz is not None:
        bufsiz_path.write_text(bufsiz)
    return Host.detect(model_path=model_path, dev=tmp_path, bufsiz_path=bufsiz_path)


def test_model_is_read_without_the_device_trees_trailing_nul(tmp_path) -> None:
    host = detect(tmp_path, b"Raspberry Pi 4 Model B Rev 1.4\x00")
    assert host.model == "Raspberry Pi 4 Model B Rev 1.4"
    assert host.is_pi and not host.is_pi5


def test_machine_without_a_device_tree_is_not_a_pi(tmp_path) -> None:
    host = detect(tmp_path)
    assert host.model is None
    assert not host.is_pi


def test_other_boards_are_not_a_pi(tmp_path) -> None:
    assert not detect(tmp_path, b"Radxa ROCK 5B\x00").is_pi


@pytest.mark.parametrize(
    "model",
    [
        "Raspberry Pi 5 Model B Rev 1.0",
        "Raspberry Pi 500 Rev 1.0",
        "Raspberry Pi Compute Module 5 Rev 1.0",
    ],
)
def test_pi_5_family_is_recognised(model) -> None:
    assert Host(model).is_pi5


@pytest.mark.parametrize(
    "model",
    [
        "Raspberry Pi 4 Model B Rev 1.5",
        "Raspberry Pi 400 Rev 1.0",
        "Raspberry Pi Zero 2 W Rev 1.0",
        "Raspberry Pi Compute Module 4 Rev 1.0",
        "Raspberry Pi 3 Model B Plus Rev 1.3",
    ],
)
def test_earlier_pis_are_not_a_pi_5(model) -> None:
    host = Host(model)
    assert host.is_pi and not host.is_pi5


def test_spidev_buffer_size_is_read_from_the_module_parameter(tmp_path) -> None:
    assert detect(tmp_path, bufsiz="32768\n").spidev_bufsiz == 32768


def test_spidev_buffer_size_defaults_to_the_kernels(tmp_path) -> None:
    assert detect(tmp_path).spidev_bufsiz == DEFAULT_SPIDEV_BUFSIZ


def test_devices_are_looked_up_in_the_device_directory(tmp_path) -> None:
    (tmp_path / "spidev0.0").touch()
    host = detect(tmp_path)
    assert host.has("spidev0.0")
    assert not host.has("pio0")
