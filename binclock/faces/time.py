"""The time faces: true binary columns and binary-coded decimal digits."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from binclock.bitgrid import BitColumn, BitGrid
from binclock.faces import FaceOptions, caption, display_hour


class BinaryFace:
    """True binary: one 6-bit column each for hours, minutes and seconds (the classic build)."""

    name: ClassVar[str] = "binary"
    description: ClassVar[str] = "columns H, M, S of 6 bits each, 32 at the top"
    pure: ClassVar[bool] = True  # the same time always gives the same grid
    BITS: ClassVar[int] = 6

    Options: ClassVar[type[FaceOptions]] = FaceOptions

    def __init__(
        self, options: FaceOptions | None = None, *, hour12: bool = False, seconds: bool = True
    ) -> None:
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
    pure: ClassVar[bool] = True  # the same time always gives the same grid
    BITS: ClassVar[int] = 4

    Options: ClassVar[type[FaceOptions]] = FaceOptions

    def __init__(
        self, options: FaceOptions | None = None, *, hour12: bool = False, seconds: bool = True
    ) -> None:
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
