"""The png display: each frame as a picture of round LEDs, for web pages, docs and chat bots."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import IO, Any, ClassVar

from pydantic import Field

from binclock.driver import BaseDriver, DriverOptions
from binclock.drivers import snapshot
from binclock.frame import Frame

log = logging.getLogger(__name__)


class PngOptions(snapshot.SnapshotOptions):
    path: Path = Field(
        Path("binclock.png"),
        description="file to write (relative to the working directory); replaced at each change",
    )


class PngDriver(BaseDriver):
    """Writes the frame as a PNG whenever it changes, replacing the file atomically.

    The file is a record, not a light: ``close()`` leaves the last picture in place (so
    ``--once`` leaves its snapshot behind).
    """

    name: ClassVar[str] = "png"
    description: ClassVar[str] = "a PNG picture of round LEDs, rewritten when the frame changes"
    Options: ClassVar[type[DriverOptions]] = PngOptions
    animates = False  # one picture per second; fades would only churn the file
    requires: ClassVar[tuple[str, ...]] = ("PIL",)
    check = classmethod(snapshot.check)

    def __init__(self, options: PngOptions | None = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        opts: PngOptions = self.options  # type: ignore[assignment]
        self._render = snapshot.load_renderer(self.name)
        self.size = snapshot.declared_size(opts)
        self.path = snapshot.output_path(opts.path, opts.key(self.name, "path"))
        self.style = self._render.Style(opts.led_size, opts.spacing, opts.background, opts.unlit)
        self.saved = 0  # pictures written so far
        self._mode = snapshot.new_file_mode()
        log.info("writing snapshots to %s", self.path)

    def _draw(self, frame: Frame) -> None:
        image = self._render.draw(frame, self.style)

        def write(f: IO[bytes]) -> None:
            image.save(f, format="PNG")

        snapshot.replace(self.path, write, self._mode)
        self.saved += 1

    def _dark(self) -> None:
        """The picture stays: a file has no light to turn off."""
