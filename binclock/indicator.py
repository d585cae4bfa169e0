"""Marks drawn over a face: the not-synchronised mark and the PM pixel."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from binclock.frame import BLACK, RGB, Frame


def mark_unsynced(frame: Frame, colour: RGB, mode: str, second: int, index: int = 0) -> Frame:
    """``frame`` with pixel ``index`` set to ``colour`` (every other second for ``blink``).

    The service passes the pixel of the face's first, most significant bit: the hours' 32
    (binary) or 8 (bcd), which a time of day never lights, wherever rotation and mirroring
    put it. A black mark (brightness 0, the display off by schedule) is not drawn.
    """
    if mode == "off" or not frame.pixels or colour == BLACK:
        return frame
    if mode == "blink" and second % 2:
        return frame
    pixels = list(frame.pixels)
    pixels[index] = colour
    return replace(frame, pixels=tuple(pixels))


def mark_pm(frame: Frame, now: datetime, colour: RGB, index: int) -> Frame:
    """``frame`` with pixel ``index`` in ``colour`` from noon to midnight and dark before
    noon: the 12-hour clock's AM/PM pixel."""
    pixels = list(frame.pixels)
    pixels[index] = colour if now.hour >= 12 else BLACK
    return replace(frame, pixels=tuple(pixels))
