"""``binclock explain``: a face's bits with their place values, added up, and read back.

Works from the BitGrid alone, so it explains any face. Neighbouring columns with the same
group and label are one number (``readings``): when they are all at most 4 bits tall they
are its decimal digits in binary (binary-coded decimal, as the bcd face draws them);
otherwise they continue one long binary number, the right-hand column holding the
lowest bits (as the number face draws a number too long for one column).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime

from binclock.bitgrid import BitColumn, BitGrid

BCD_BITS = 4
WIDTH = 72
_KEEP = "\N{NO-BREAK SPACE}"  # stands in for spaces textwrap must not break at
DIGIT_NAMES = ("units", "tens", "hundreds", "thousands")
TIME_GROUPS = ("hours", "minutes", "seconds")


@dataclass(frozen=True)
class Reading:
    """One number a face shows, in one column or spread over neighbouring ones."""

    group: str
    label: str
    columns: tuple[BitColumn, ...]

    @property
    def decimal(self) -> bool:
        """True when the columns are decimal digits (BCD) rather than one binary number."""
        return len(self.columns) > 1 and all(len(c.bits) <= BCD_BITS for c in self.columns)

    def scale(self, index: int) -> int:
        """What one unit of column ``index`` is worth in the whole number."""
        later = self.columns[index + 1 :]
        if self.decimal:
            return 10 ** len(later)
        return 1 << sum(len(c.bits) for c in later)

    def role(self, index: int) -> str:
        """How column ``index`` counts: "tens", "x256", or "" for a column of its own."""
        if len(self.columns) == 1:
            return ""
        if self.decimal:
            place = len(self.columns) - 1 - index
            return DIGIT_NAMES[place] if place < len(DIGIT_NAMES) else f"x10^{place}"
        return f"x{self.scale(index)}"

    @property
    def value(self) -> int:
        return sum(c.value * self.scale(i) for i, c in enumerate(self.columns))


def readings(grid: BitGrid) -> tuple[Reading, ...]:
    """The numbers in ``grid``, left to right."""
    found: list[Reading] = []
    for column in grid.columns:
        last = found[-1] if found else None
        if last is not None and (last.group, last.label) == (column.group, column.label):
            found[-1] = Reading(last.group, last.label, (*last.columns, column))
        else:
            found.append(Reading(column.group, column.label, (column,)))
    return tuple(found)


def together(grid: BitGrid) -> str:
    """The numbers read as one value: "13:37:42" for times, "42" for a single number,
    else each by name: "month 11, day 27"."""
    found = readings(grid)
    groups = tuple(r.group for r in found)
    if 2 <= len(groups) <= 3 and groups == TIME_GROUPS[: len(groups)]:
        return ":".join(f"{r.value:02d}" for r in found)
    if len(found) == 1:
        return str(found[0].value)
    return ", ".join(f"{r.group} {r.value}" for r in found)


def explain(grid: BitGrid, now: datetime | None = None, *, face: str = "") -> str:
    """The grid with each lit LED's value, each column added up, the numbers read back,
    and a paragraph on reading binary. ``now`` and ``face`` only name what is shown."""
    parts = [_title(face, now), _picture(grid), _sums(grid), _summary(grid), _lesson(grid)]
    return "\n\n".join(p for p in parts if p) + "\n"


def _title(face: str, now: datetime | None) -> str:
    title = f"The {face} face" if face else "This face"
    if now is not None:
        title += f" at {now:%H:%M:%S} on {now:%A} {now.day} {now:%B %Y}"
    return title + ":"


def _picture(grid: BitGrid) -> str:
    """Rows of the grid, top first: a lit LED shows its value, a dark one a dot."""
    height = grid.height
    if not height:
        return "(no LEDs)"
    cell = max(len(str(1 << (height - 1))), *(len(c.label) for c in grid.columns))
    margin = len(str(1 << (height - 1)))
    lines = [" " * margin + "".join(f"  {c.label:>{cell}}" for c in grid.columns)]
    for row in range(height):
        weight = 1 << (height - 1 - row)
        cells = []
        for column in grid.columns:
            index = row - (height - len(column.bits))
            text = "" if index < 0 else str(weight) if column.bits[index] else "."
            cells.append(f"  {text:>{cell}}")
        lines.append(f"{weight:>{margin}}" + "".join(cells).rstrip())
    return "\n".join(lines)


def _sum(column: BitColumn) -> str:
    """``32+8+2 = 42``; a single lit LED is just its value, none lit is 0."""
    terms = [str(w) for w, lit in zip(column.weights, column.bits, strict=True) if lit]
    if len(terms) > 1:
        return f"{'+'.join(terms)} = {column.value}"
    return terms[0] if terms else "0"


def _sums(grid: BitGrid) -> str:
    rows: list[tuple[str, str, str]] = []
    for reading in readings(grid):
        for i, column in enumerate(reading.columns):
            role = reading.role(i)
            what = f"{reading.group} {role}" if role else reading.group
            total = _sum(column)
            if role.startswith("x") and reading.scale(i) > 1:
                total += f", {role} = {column.value * reading.scale(i)}"
            rows.append((column.label, what, total))
    if not rows:
        return ""
    label_w = max(len(r[0]) for r in rows)
    what_w = max(len(r[1]) for r in rows)
    return "\n".join(f"{a:<{label_w}}  {b:<{what_w}}  {c}" for a, b, c in rows)


def _combined(reading: Reading) -> str:
    """``1x10 + 3 = 13`` for a number spread over several columns."""
    terms = [
        f"{c.value}x{reading.scale(i)}" if reading.scale(i) > 1 else str(c.value)
        for i, c in enumerate(reading.columns)
    ]
    return f"{' + '.join(terms)} = {reading.value}"


def _summary(grid: BitGrid) -> str:
    found = readings(grid)
    if not found:
        return ""
    lines = [f"{r.group}: {_combined(r)}" for r in found if len(r.columns) > 1]
    text = together(grid)
    if grid.caption and grid.caption != text:
        text += f' (shown as "{grid.caption}")'
    lines.append(f"Read together: {text}")
    return "\n".join(lines)


def _lesson(grid: BitGrid) -> str:
    """One paragraph on reading binary, with examples from this grid."""
    text = (
        "How to read it: each column is a number in binary. Its LEDs stand for 1, 2, 4, 8"
        " and so on, doubling from the bottom up, just as the places of a decimal number"
        " stand for 1, 10, 100. Add up the values of the lit LEDs and ignore the dark ones"
    )
    busiest = max(grid.columns, key=lambda c: (sum(c.bits), len(c.bits)), default=None)
    if busiest is not None and sum(busiest.bits) > 1:
        digits = "".join("1" if b else "0" for b in busiest.bits).lstrip("0")
        text += f": {_unbroken(_sum(busiest))}, which is {digits} in binary."
    else:
        text += "; a column with nothing lit is 0."
    found = readings(grid)
    decimal = next((r for r in found if r.decimal), None)
    if decimal is not None:
        text += (
            " Columns that share a label are the decimal digits of one number, each"
            f" digit in binary (binary-coded decimal): {_unbroken(_combined(decimal))}."
        )
    long = next((r for r in found if len(r.columns) > 1 and not r.decimal), None)
    if long is not None:
        text += (
            " Columns that share a label continue one long binary number: a column"
            f" counts {1 << len(long.columns[-1].bits)} times as much as the one to its"
            f" right, so {_unbroken(_combined(long))}."
        )
    return textwrap.fill(text, WIDTH).replace(_KEEP, " ")


def _unbroken(text: str) -> str:
    """``text`` kept on one line by the paragraph wrapping."""
    return text.replace(" ", _KEEP)
