"""The board as the NeoPixel driver needs it: the model, device nodes, the SPI buffer.

The model and the buffer size are read by ``binclock.machine``, as for every driver and for
``binclock doctor``, so they can never disagree.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from binclock import machine
from binclock.machine import DEFAULT_SPIDEV_BUFSIZ, MODEL, SPIDEV_BUFSIZ, Machine

DEV = Path("/dev")


def read_write(path: Path) -> bool:
    """True when this process may open ``path`` for reading and writing."""
    return os.access(path, os.R_OK | os.W_OK)


@dataclass(frozen=True)
class Host:
    """The board and its devices, as seen by this process.

    ``model`` is the board's model string (None where there is none, as on a PC);
    ``dev`` is where device nodes live and ``access`` says whether one may be opened.
    """

    model: str | None
    dev: Path = DEV
    spidev_bufsiz: int = DEFAULT_SPIDEV_BUFSIZ
    access: Callable[[Path], bool] = field(default=read_write, compare=False)

    @classmethod
    def detect(
        cls,
        model_path: Path = MODEL,
        dev: Path = DEV,
        bufsiz_path: Path = SPIDEV_BUFSIZ,
    ) -> Host:
        """Read the board model and spidev's buffer size from this machine."""
        cpuinfo = model_path.parents[1] / "cpuinfo"  # /proc/device-tree/model: /proc/cpuinfo
        model = machine.read_model(model_path, cpuinfo)
        return cls(model, dev, machine.read_spidev_bufsiz(bufsiz_path))

    @classmethod
    def of(cls, seen: Machine) -> Host:
        """The board of ``seen``, with its device permissions judged as ``seen`` judges them."""
        return cls(seen.model, seen.path(DEV), seen.spidev_bufsiz, seen.may_open)

    @property
    def is_pi(self) -> bool:
        return machine.is_pi(self.model)

    @property
    def is_pi5(self) -> bool:
        """A Raspberry Pi 5, 500 or Compute Module 5 (RP1 I/O: no rpi_ws281x, PIO instead)."""
        return machine.is_pi5(self.model)

    def device(self, name: str) -> Path:
        return self.dev / name

    def has(self, name: str) -> bool:
        """The device node ``name`` (such as ``spidev0.0``) exists."""
        return self.device(name).exists()

    def may_open(self, name: str) -> bool:
        """This process may read and write the device node ``name``."""
        return self.access(self.device(name))
