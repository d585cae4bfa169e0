"""The I2C probe behind ``binclock doctor``'s light sensor row: one read at one address, as
i2cdetect asks. With no I2C adapter here, the kernel's answers are given to the real
function by replacing ``ioctl`` and ``read``, the two calls it makes on the node."""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

import pytest

from binclock import machine
from binclock.machine import I2C_SLAVE, Reply, probe_i2c


@pytest.fixture
def node(tmp_path: Path) -> Path:
    path = tmp_path / "i2c-1"
    path.write_bytes(b"\x00")
    return path


def failing(code: int):
    def call(*args: object) -> None:
        raise OSError(code, os.strerror(code))

    return call


def test_a_node_that_is_not_an_i2c_adapter_cannot_be_probed(node):
    reply, reason = probe_i2c(node, 0x23)
    assert reply is Reply.UNKNOWN
    assert reason == f"not an I2C adapter ({os.strerror(errno.ENOTTY)})"


def test_a_missing_node_cannot_be_probed(tmp_path):
    assert probe_i2c(tmp_path / "i2c-9", 0x23) == (
        Reply.UNKNOWN,
        f"cannot open it ({os.strerror(errno.ENOENT)})",
    )


def test_the_probe_addresses_the_chip_without_forcing_and_reads_one_byte(node, monkeypatch):
    calls = []
    monkeypatch.setattr(fcntl, "ioctl", lambda fd, request, arg: calls.append((request, arg)))
    real_read = os.read
    monkeypatch.setattr(
        machine.os, "read", lambda fd, n: calls.append(("read", n)) or real_read(fd, n)
    )
    assert probe_i2c(node, 0x23) == (Reply.ANSWERS, "")
    assert calls == [(I2C_SLAVE, 0x23), ("read", 1)]


@pytest.mark.parametrize("code", [errno.ENXIO, errno.EREMOTEIO, errno.EIO])
def test_a_read_nobody_acknowledges_means_nothing_answers(node, monkeypatch, code):
    monkeypatch.setattr(fcntl, "ioctl", lambda fd, request, arg: None)
    monkeypatch.setattr(machine.os, "read", failing(code))
    assert probe_i2c(node, 0x23) == (Reply.SILENT, "")


def test_an_address_a_kernel_driver_holds_is_busy_and_not_read(node, monkeypatch):
    monkeypatch.setattr(fcntl, "ioctl", failing(errno.EBUSY))
    monkeypatch.setattr(machine.os, "read", failing(errno.EPERM))  # would be UNKNOWN
    assert probe_i2c(node, 0x29) == (Reply.BUSY, "")


def test_another_read_error_cannot_be_probed_and_says_why(node, monkeypatch):
    monkeypatch.setattr(fcntl, "ioctl", lambda fd, request, arg: None)
    monkeypatch.setattr(machine.os, "read", failing(errno.ETIMEDOUT))
    reply, reason = probe_i2c(node, 0x23)
    assert (reply, reason) == (Reply.UNKNOWN, f"the read failed ({os.strerror(errno.ETIMEDOUT)})")


def test_the_node_is_closed_after_the_probe(node, monkeypatch):
    opened = []
    real_open = os.open
    monkeypatch.setattr(machine.os, "open", lambda *a: opened.append(real_open(*a)) or opened[-1])
    probe_i2c(node, 0x23)
    with pytest.raises(OSError):
        os.fstat(opened[0])
