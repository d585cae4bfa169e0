"""The date face: month and day of the month in binary, and optionally the weekday."""

from __future__ import annotations

import calendar
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from binclock.bitgrid import BitColumn, BitGrid
from binclock.faces import FaceOptions

MONTH_BITS = 4  # 1-12
DAY_BITS = 5  # 1-31
WEEKDAY_BITS = 3  # 1-7


class DateOptions(FaceOptions):
    """``[faces.date]``: column order and the weekday column."""

    order: Literal["month-day", "day-month"] = Field(
        "month-day", description="which column comes first: month-day (11 27) or day-month"
    )
    weekday: bool = Field(
        False, description="add a column for the weekday, Monday 1 to Sunday 7 (ISO 8601)"
    )


class DateFace:
    """Month (4 bits, 8 at the top), day (5 bits, 16 at the top), weekday (3 bits, 4 at the top).

    The columns are ordered as ``order`` says, with the weekday last; clock options
    (12-hour, seconds) do not apply.
    """

    name: ClassVar[str] = "date"
    description: ClassVar[str] = "month and day columns (and the weekday, 1 = Monday)"
    pure: ClassVar[bool] = True  # the same time always gives the same grid
    Options: ClassVar[type[FaceOptions]] = DateOptions

    def __init__(
        self, options: DateOptions | None = None, *, hour12: bool = False, seconds: bool = True
    ) -> None:
        self.options = options or DateOptions()

    def render(self, now: datetime) -> BitGrid:
        month = BitColumn.of("month", "M", now.month, MONTH_BITS)
        day = BitColumn.of("day", "D", now.day, DAY_BITS)
        month_name = calendar.month_abbr[now.month]
        if self.options.order == "month-day":
            columns, text = [month, day], f"{month_name} {now.day}"
        else:
            columns, text = [day, month], f"{now.day} {month_name}"
        if self.options.weekday:
            columns.append(BitColumn.of("weekday", "W", now.isoweekday(), WEEKDAY_BITS))
            text = f"{calendar.day_abbr[now.weekday()]} {text}"
        return BitGrid(tuple(columns), text)
