"""JSON Lines on stdout: one object per frame, for scripts in any language."""

from __future__ import annotations

import json
import sys
from typing import IO, Any, ClassVar

from pydantic import Field, model_validator

from binclock.driver import (
    BaseDriver,
    DriverOptions,
    DriverUnavailable,
    Finished,
    Side,
    WriteFailed,
)
from binclock.frame import Frame, record


class JsonlOptions(DriverOptions):
    width: Side | None = Field(None, description="frame width; unset: the face's own width")
    height: Side | None = Field(None, description="frame height; unset: the face's own height")
    every_second: bool = Field(
        True, description="write a line every second even when the pixels did not change"
    )

    @model_validator(mode="after")
    def _both_or_neither(self) -> JsonlOptions:
        if (self.width is None) != (self.height is None):
            raise ValueError("set both width and height, or neither")
        return self


class JsonlDriver(BaseDriver):
    """``{"time", "width", "height", "pixels": [[r, g, b], ...]}`` per line, row-major, flushed."""

    name: ClassVar[str] = "jsonl"
    description: ClassVar[str] = "one JSON object per frame on stdout (for scripts)"
    Options: ClassVar[type[DriverOptions]] = JsonlOptions
    stdout: ClassVar[bool] = True
    animates = False  # a line per fade step would flood the reader

    def __init__(
        self, options: JsonlOptions | None = None, *, stream: IO[str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(options, **kwargs)
        opts: JsonlOptions = self.options  # type: ignore[assignment]
        self.size = (opts.width, opts.height) if opts.width and opts.height else None
        self.stream = stream if stream is not None else sys.stdout
        if self.stream is None:  # started with stdout closed
            raise DriverUnavailable("standard output is closed: nowhere to write the JSON lines")

    def _draw(self, frame: Frame) -> None:
        try:
            self.stream.write(json.dumps(record(frame), separators=(",", ":")) + "\n")
            self.stream.flush()
        except BrokenPipeError:
            raise Finished("the reader of the JSON lines went away") from None
        except OSError as exc:
            raise WriteFailed.of(exc, "the JSON lines to standard output") from exc

    def _unchanged(self, frame: Frame) -> None:
        if self.options.every_second:  # type: ignore[attr-defined]
            self._draw(frame)

    def _dark(self) -> None:
        """A stream has nothing lit to turn off."""
