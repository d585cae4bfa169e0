"""What this machine is and lets us open: the board model, device nodes, the SPI buffer."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

MODEL = Path("/proc/device-tree/model")
DEV = Path("/dev")
SPIDEV_BUFSIZ = Path("/sys/module/spidev/parameters/bufsiz")
DEFAULT_SPIDEV_BUFSIZ = 4096  # the kernel's default, also Adafruit_PureIO's chunk size

_PI = re.compile(r"Raspberry Pi\b")
_PI5 = re.compile(r"Raspberry Pi (5|500|Compute Module 5)\b")


def read_write(path: Path) -> bool:
    """True when this process may open ``path`` for reading and writing."""
    return os.access(path, os.R_OK | os.W_OK)


@dataclass(frozen=True)
class Host:
    """The board and its devices, as seen by this process.

    ``model`` is the device tree's model string (None where there is none, as on a PC);
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
        try:
            model: str | None = model_path.read_bytes().decode(errors="replace").strip("\0 \n")
        except OSError:
            model = None
        try:
            bufsiz = int(bufsiz_path.read_text().strip())
        except (OSError, ValueError):
            bufsiz = DEFAULT_SPIDEV_BUFSIZ
        return cls(model or None, dev, bufsiz)

    @property
    def is_pi(self) -> bool:
        return self.model is not None and _PI.match(self.model) is not None

    @property
    def is_pi5(self) -> bool:
        """A Raspberry Pi 5, 500 or Compute Module 5 (RP1 I/O: no rpi_ws281x, PIO instead)."""
        return self.model is not None and _PI5.match(self.model) is not None

    def device(self, name: str) -> Path:
        return self.dev / name

    def has(self, name: str) -> bool:
        """The device node ``name`` (such as ``spidev0.0``) exists."""
        return self.device(name).exists()

    def may_open(self, name: str) -> bool:
        """This process may read and write the device node ``name``."""
        return self.access(self.device(name))
