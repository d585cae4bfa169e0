"""What a face produces: named columns of bits, most significant bit first (top)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@lru_cache(maxsize=256)
def _bits(value: int, width: int) -> tuple[bool, ...]:
    # Cached: a clock asks for the same few dozen bit patterns every second.
    return tuple(bool(value >> i & 1) for i in reversed(range(width)))


@dataclass(frozen=True, slots=True)
class BitColumn:
    """One column of bits.

    ``group`` says what the column counts ("hours", "minutes", "seconds", ...) and picks
    its theme colour; ``label`` is the short text printed under it.
    """

    group: str
    label: str
    bits: tuple[bool, ...]

    @classmethod
    def of(cls, group: str, label: str, value: int, width: int) -> BitColumn:
        """``value`` as ``width`` bits, MSB first."""
        if not 0 <= value < 1 << width:
            raise ValueError(f"{value} does not fit in {width} bits")
        return cls(group, label, _bits(value, width))

    @property
    def value(self) -> int:
        """The number the bits spell."""
        n = 0
        for bit in self.bits:
            n = n << 1 | bit
        return n

    @property
    def weights(self) -> tuple[int, ...]:
        """The place value of each bit, top to bottom (32, 16, ... 1)."""
        return tuple(1 << i for i in reversed(range(len(self.bits))))


@dataclass(frozen=True, slots=True)
class BitGrid:
    """Columns left to right; shorter columns sit on the bottom row (their LSB aligns).

    ``caption`` is the same value for people ("13:37:42"), for drivers that can print text.
    """

    columns: tuple[BitColumn, ...]
    caption: str = ""

    @property
    def width(self) -> int:
        return len(self.columns)

    @property
    def height(self) -> int:
        return max((len(c.bits) for c in self.columns), default=0)

    def values(self) -> tuple[int, ...]:
        """Each column's number, left to right."""
        return tuple(c.value for c in self.columns)
