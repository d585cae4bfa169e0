"""The gif display: records the clock for a number of seconds as an animated GIF, then stops it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, ClassVar

from pydantic import Field

from binclock.driver import BaseDriver, DriverOptions, Finished
from binclock.drivers import snapshot
from binclock.frame import Frame

log = logging.getLogger(__name__)

SECOND_MS = 1000
LONGEST_MS = 655_350  # a GIF frame's delay is 16 bits of hundredths of a second


class GifOptions(snapshot.SnapshotOptions):
    path: Path = Field(
        Path("binclock.gif"),
        description="file to write (relative to the working directory) when the recording ends",
    )
    seconds: int = Field(
        10,
        ge=1,
        le=3_600,
        description="seconds to record (at most an hour: every picture is kept in memory until"
        " the file is written); then the file is written and the clock stops",
    )
    loop: bool = Field(True, description="play the GIF over and over (false: play it once)")


class RecordingDone(Finished):
    """The recording has all its seconds and is written: the run loop should stop (exit 0).

    ``show()`` raises it for the frame that completes the recording and for every frame
    after; the file is already complete when it is raised.
    """


@dataclass
class _Shot:
    """One picture of the recording: first shown at ``start``, then ``shows`` times in all."""

    frame: Frame
    start: datetime | None
    shows: int = 1


class GifDriver(BaseDriver):
    """Keeps each changed frame with the time it was shown; writes the GIF when done or closed.

    A frame lasts until the next one's time (one second per frame without times), so an
    unchanged second lengthens the picture before it instead of adding a copy.
    """

    name: ClassVar[str] = "gif"
    description: ClassVar[str] = "records N seconds as an animated GIF of round LEDs, then stops"
    Options: ClassVar[type[DriverOptions]] = GifOptions
    animates = False  # one picture per second; fades would only churn the file
    requires: ClassVar[tuple[str, ...]] = ("PIL",)
    check = classmethod(snapshot.check)

    def __init__(self, options: GifOptions | None = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        opts: GifOptions = self.options  # type: ignore[assignment]
        self._render = snapshot.load_renderer(self.name)
        self.size = snapshot.declared_size(opts)
        self.path = snapshot.output_path(opts.path, opts.key(self.name, "path"))
        self.style = self._render.Style(opts.led_size, opts.spacing, opts.background, opts.unlit)
        self.done = False
        self.saved = 0  # times the file was written
        self._shots: list[_Shot] = []
        self._settled_ms = 0  # the length of every picture but the last
        self._latest: datetime | None = None
        self._mode = snapshot.new_file_mode()
        log.info("recording %d s to %s", opts.seconds, self.path)

    # -- recording -----------------------------------------------------------------------

    def _draw(self, frame: Frame) -> None:
        self._refuse_when_done()
        if self._shots:
            self._settled_ms += self._duration(self._shots[-1], frame.time)
        self._shots.append(_Shot(frame, frame.time))
        self._recorded(frame)

    def _unchanged(self, frame: Frame) -> None:
        self._refuse_when_done()
        self._shots[-1].shows += 1
        self._recorded(frame)

    def _refuse_when_done(self) -> None:
        if self.done:
            raise RecordingDone(f"the recording in {self.path} is complete")

    def _recorded(self, frame: Frame) -> None:
        self._latest = frame.time
        seconds: int = self.options.seconds  # type: ignore[attr-defined]
        if self.recorded_ms() >= seconds * SECOND_MS:
            self.save()
            self.done = True
            log.info("recorded %d s to %s", seconds, self.path)
            raise RecordingDone(f"recorded {seconds} s to {self.path}")

    def recorded_ms(self) -> int:
        """How long the recording so far plays, in milliseconds."""
        return self._settled_ms + self._last_duration(self._shots[-1]) if self._shots else 0

    def durations(self) -> list[int]:
        """Milliseconds each picture of the recording lasts."""
        if not self._shots:
            return []
        ends = [shot.start for shot in self._shots[1:]]
        out = [self._duration(shot, end) for shot, end in zip(self._shots[:-1], ends, strict=True)]
        return [*out, self._last_duration(self._shots[-1])]

    def _duration(self, shot: _Shot, end: datetime | None) -> int:
        if shot.start is not None and end is not None and end > shot.start:
            return _clamp((end - shot.start).total_seconds() * SECOND_MS)
        return _clamp(shot.shows * SECOND_MS)

    def _last_duration(self, shot: _Shot) -> int:
        if shot.start is not None and self._latest is not None and self._latest >= shot.start:
            return _clamp((self._latest - shot.start).total_seconds() * SECOND_MS + SECOND_MS)
        return _clamp(shot.shows * SECOND_MS)

    # -- the file ------------------------------------------------------------------------

    def save(self) -> None:
        """Write what has been recorded so far (nothing when no frame was shown); a failure
        is a WriteFailed that says the recording is lost (it was only in memory)."""
        if not self._shots:
            return
        pictures = [self._render.draw_indexed(shot.frame, self.style) for shot in self._shots]
        extra = {"loop": 0} if self.options.loop else {}  # type: ignore[attr-defined]
        durations = self.durations()

        def write(f: IO[bytes]) -> None:
            pictures[0].save(
                f,
                format="GIF",
                save_all=True,
                append_images=pictures[1:],
                duration=durations,
                **extra,
            )

        lost = f"; the {self.recorded_ms() / SECOND_MS:.0f} s recording is lost"
        snapshot.replace(self.path, write, self._mode, then=lost)
        self.saved += 1

    def _dark(self) -> None:
        """The recording stays: a file has no light to turn off."""

    def _release(self) -> None:
        """Stopped before the end (Ctrl-C, ``--once``): keep what was recorded."""
        if self.done or not self._shots:
            return
        self.save()
        log.info("stopped early: wrote %.0f s to %s", self.recorded_ms() / SECOND_MS, self.path)


def _clamp(ms: float) -> int:
    return min(max(round(ms), 10), LONGEST_MS)
