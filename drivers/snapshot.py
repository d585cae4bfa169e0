"""What the png and gif drivers share: their picture options, loading Pillow, safe file writes."""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import IO

from pydantic import Field, model_validator

from binclock.config import Colour
from binclock.driver import DriverOptions, DriverUnavailable, Side, WriteFailed
from binclock.machine import Finding, Machine, not_installed

INSTALL_HINT = "pip install 'binclock[snapshot]'"
MAX_IMAGE_SIDE = 4096  # image pixels a side: a picture of any real display fits


class SnapshotOptions(DriverOptions):
    """The look of the picture and the display it stands for."""

    width: Side | None = Field(
        None, description="pixels across, e.g. 8 for an 8x8 matrix; unset: the face's width"
    )
    height: Side | None = Field(
        None, description="pixels down, e.g. 8 for an 8x8 matrix; unset: the face's height"
    )
    led_size: int = Field(24, ge=4, le=512, description="diameter of each LED in image pixels")
    spacing: int = Field(
        8, ge=0, le=512, description="image pixels between LEDs and around the edge"
    )
    background: Colour = Field((16, 16, 16), description="colour behind the LEDs")
    unlit: Colour = Field(
        (40, 40, 40),
        description="colour of an LED that is off (the background's colour hides them)",
    )

    @model_validator(mode="after")
    def _both_or_neither(self) -> SnapshotOptions:
        if (self.width is None) != (self.height is None):
            raise ValueError("set both width and height, or neither")
        return self

    @model_validator(mode="after")
    def _fits_an_image(self) -> SnapshotOptions:
        longest = max(self.width or 0, self.height or 0)
        if longest * (self.led_size + self.spacing) + self.spacing > MAX_IMAGE_SIDE:
            raise ValueError(
                f"the picture would be over {MAX_IMAGE_SIDE} image pixels a side:"
                " make led_size, spacing or the display smaller"
            )
        return self


def declared_size(options: SnapshotOptions) -> tuple[int, int] | None:
    """The fixed display size the options ask for, or None for the face's own size."""
    if options.width is None or options.height is None:
        return None
    return (options.width, options.height)


def load_renderer(driver: str) -> ModuleType:
    """The Pillow renderer, or DriverUnavailable saying which extra to install."""
    try:
        return importlib.import_module("binclock.drivers.render")
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.partition(".")[0] != "PIL":
            raise
        raise DriverUnavailable(f"the {driver} driver needs Pillow: {INSTALL_HINT}") from None


def output_path(path: Path, path_key: str) -> Path:
    """``path`` made absolute; DriverUnavailable when its directory cannot take the file
    (saying to set ``path_key``, the option as the configuration names it)."""
    target = path.expanduser().absolute()
    folder = target.parent
    fix = f"create it or set {path_key}"
    if not folder.is_dir():
        raise DriverUnavailable(f"cannot write {target}: no directory {folder} ({fix})")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DriverUnavailable(f"cannot write {target}: {folder} is not writable for you ({fix})")
    if target.is_dir():
        raise DriverUnavailable(f"cannot write {target}: it is a directory ({fix} to a file)")
    return target


def check(cls: type, machine: Machine, options: SnapshotOptions) -> Finding:
    """Pillow, then the file's folder there and writable, as the driver checks it when it
    opens (a classmethod of the png and gif drivers)."""
    missing = not_installed(machine, ("PIL",), INSTALL_HINT)
    if missing is not None:
        return missing
    target = options.path.expanduser().absolute()  # type: ignore[attr-defined]
    path_key = options.key(cls.name, "path")  # type: ignore[attr-defined]
    try:
        output_path(machine.path(target), path_key)
    except DriverUnavailable as exc:
        found = f"cannot write {target}"
        return Finding(found, machine.said(exc).removeprefix(f"{found}: "))
    return Finding(f"writes {target}")


def new_file_mode() -> int:
    """The permissions a newly created file gets here (0666 less the umask)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def replace(path: Path, write: Callable[[IO[bytes]], None], mode: int, then: str = "") -> None:
    """Write a new ``path`` beside it, then rename it over the old one.

    Whoever reads the file (a web page, an image viewer) sees the old picture or the new
    one, never half of one. A failure (a full disk, a folder that takes no new files) is a
    WriteFailed naming ``path``; ``then`` is added to its reason (what the failure cost).
    """
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise WriteFailed.of(exc, path, then) from exc
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            os.fchmod(f.fileno(), mode)
        Path(temporary).replace(path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise WriteFailed.of(exc, path, then) from exc
        raise
