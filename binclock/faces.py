"""Faces: pure functions from a local time to a BitGrid. No I/O, no colour."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Protocol

from binclock.bitgrid import BitColumn, BitGrid


class Face(Protocol):
    """Turns a local time into bits. Found through the ``binclock.faces`` entry points."""

    name: ClassVar[str]
    description: ClassVar[str]

    def render(self, now: datetime) -> BitGrid: ...


def display_hour(now: datetime, hour12: bool) -> int:
    """The hour as shown: 0-23, or 1-12 on a 12-hour clock."""
    if not hour12:
        return now.hour
    return now.hour % 12 or 12


def caption(now: datetime, hour12: bool, seconds: bool) -> str:
    """The time as people write it: "13:37:42", or "01:37:42 PM" on a 12-hour clock."""
    text = f"{display_hour(now, hour12):02d}:{now.minute:02d}"
    if seconds:
        text += f":{now.second:02d}"
    return f"{text} {'AM' if now.hour < 12 else 'PM'}" if hour12 else text


class BinaryFace:
    """True binary: one 6-bit column each for hours, minutes and seconds (the classic build)."""

    name: ClassVar[str] = "binary"
    description: ClassVar[str] = "columns H, M, S of 6 bits each, 32 at the top"
    BITS: ClassVar[int] = 6

    def __init__(self, *, hour12: bool = False, seconds: bool = True) -> None:
        self.hour12 = hour12
        self.seconds = seconds

    def render(self, now: datetime) -> BitGrid:
        columns = [
            BitColumn.of("hours", "H", display_hour(now, self.hour12), self.BITS),
            BitColumn.of("minutes", "M", now.minute, self.BITS),
        ]
        if self.seconds:
            columns.append(BitColumn.of("seconds", "S", now.second, self.BITS))
        return BitGrid(tuple(columns), caption(now, self.hour12, self.seconds))


class BcdFace:
    """Binary-coded decimal: a 4-bit column per decimal digit of HH MM SS."""

    name: ClassVar[str] = "bcd"
    description: ClassVar[str] = "one 4-bit column per digit of HH MM SS, 8 at the top"
    BITS: ClassVar[int] = 4

    def __init__(self, *, hour12: bool = False, seconds: bool = True) -> None:
        self.hour12 = hour12
        self.seconds = seconds

    def render(self, now: datetime) -> BitGrid:
        fields = [("hours", "H", display_hour(now, self.hour12)), ("minutes", "M", now.minute)]
        if self.seconds:
            fields.append(("seconds", "S", now.second))
        columns: list[BitColumn] = []
        for group, label, value in fields:
            tens, units = divmod(value, 10)
            columns.append(BitColumn.of(group, label, tens, self.BITS))
            columns.append(BitColumn.of(group, label, units, self.BITS))
        return BitGrid(tuple(columns), caption(now, self.hour12, self.seconds))
