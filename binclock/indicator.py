"""The mark shown while the system clock is not yet synchronised."""

from __future__ import annotations

from dataclasses import replace

from binclock.frame import RGB, Frame


def mark_unsynced(frame: Frame, colour: RGB, mode: str, second: int) -> Frame:
    """``frame`` with its top-left pixel set to ``colour`` (every other second for ``blink``).

    The top-left pixel is the most significant hours bit of both time faces, which never
    lights for a time of day, so the mark does not hide the time on an upright display.
    """
    if mode == "off" or frame.width == 0 or frame.height == 0:
        return frame
    if mode == "blink" and second % 2:
        return frame
    return replace(frame, pixels=(colour, *frame.pixels[1:]))
