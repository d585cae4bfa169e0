"""The time faces: true binary columns and binary-coded decimal digits."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from binclock.bitgrid import BitColumn, BitGrid
from binclock.faces import FaceOptions, caption, display_hour


class _TimeFace:
    """What the two time faces share: their options and the hour, minute, second fields."""

    pure: ClassVar[bool] = True  # the same time always gives the same grid
    Options: ClassVar[type[FaceOptions]] = FaceOptions

    def __init__(
        self, options: FaceOptions | None = None, *, hour12: bool = False, seconds: bool = True
    ) -> None:
        self.hour12 = hour12
        self.seconds = seconds

    def fields(self, now: datetime) -> list[tuple[str, str, int]]:
        """(group, label, value) for hours, minutes and, when shown, seconds."""
        found = [("hours", "H", display_hour(now, self.hour12)), ("minutes", "M", now.minute)]
        if self.seconds:
            found.append(("seconds", "S", now.second))
        return found

    def grid(self, columns: list[BitColumn], now: datetime) -> BitGrid:
        return BitGrid(tuple(columns), caption(now, self.hour12, self.seconds))


class BinaryFace(_TimeFace):
    """True binary: one 6-bit column each for hours, minutes and seconds (the classic build)."""

    name: ClassVar[str] = "binary"
    description: ClassVar[str] = "columns H, M, S of 6 bits each, 32 at the top"
    BITS: ClassVar[int] = 6

    def render(self, now: datetime) -> BitGrid:
        columns = [BitColumn.of(g, label, v, self.BITS) for g, label, v in self.fields(now)]
        return self.grid(columns, now)


class BcdFace(_TimeFace):
    """Binary-coded decimal: a 4-bit column per decimal digit of HH MM SS."""

    name: ClassVar[str] = "bcd"
    description: ClassVar[str] = "one 4-bit column per digit of HH MM SS, 8 at the top"
    BITS: ClassVar[int] = 4

    def render(self, now: datetime) -> BitGrid:
        columns: list[BitColumn] = []
        for group, label, value in self.fields(now):
            for digit in divmod(value, 10):
                columns.append(BitColumn.of(group, label, digit, self.BITS))
        return self.grid(columns, now)
