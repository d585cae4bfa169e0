"""The number face: any whole number in binary, from the config or from a command."""

from __future__ import annotations

import shlex
import weakref
from datetime import datetime
from typing import ClassVar, Self

from pydantic import Field, field_validator, model_validator

from binclock.bitgrid import BitColumn, BitGrid
from binclock.faces import FaceOptions
from binclock.faces.sources import CommandSource, Constant, Source

GROUP = "number"
LABEL = "N"


class NumberOptions(FaceOptions):
    """``[faces.number]``: where the number comes from and how many LEDs show it."""

    value: int | None = Field(None, ge=0, le=2**64 - 1, description="the number to show")
    command: str | None = Field(
        None,
        min_length=1,
        description="a command whose output's first number is shown, e.g."
        " 'cat /sys/class/thermal/thermal_zone0/temp' (no shell: use sh -c '...' for pipes)",
    )
    every: float = Field(10.0, gt=0, description="seconds between runs of the command")
    timeout: float = Field(
        2.0, gt=0, le=60, description="seconds the command may take before it is stopped"
    )
    divide: int = Field(
        1, ge=1, description="divide the command's number by this, rounding (1000: milli- to units)"
    )
    unit: str = Field("", max_length=8, description="text after the number in the caption, e.g. °C")
    column_bits: int = Field(
        8, ge=5, le=16, description="LEDs per column; a longer number continues in more columns"
    )
    bits: int | None = Field(
        None,
        ge=1,
        le=64,
        description="LEDs in all, for a fixed-size display; unset: whole columns, as many"
        " as the number needs; a number too big for them lights them all",
    )

    @field_validator("command")
    @classmethod
    def _splits(cls, command: str | None) -> str | None:
        """The command is split as a shell would split it: refuse what cannot be split."""
        if command is not None:
            try:
                words = shlex.split(command)
            except ValueError as exc:
                raise ValueError(f"cannot be split into words: {exc}") from None
            if not words:
                raise ValueError("the command is empty")
        return command

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if self.value is None and self.command is None:
            raise ValueError("set value = N, or command = '...' to show a command's output")
        if self.value is not None and self.command is not None:
            raise ValueError("set value or command, not both")
        return self


class NumberFace:
    """A number in binary, least significant bit bottom right.

    A number longer than ``column_bits`` continues in the columns to its left, as one
    long binary number split into equal columns: the bottom LED of the second column from
    the right is worth 256 when columns are 8 tall. The face keeps the same size for every
    number when ``bits`` is set; otherwise it uses as many whole columns as the number needs.
    """

    name: ClassVar[str] = "number"
    description: ClassVar[str] = "any whole number in binary (a value, or a command's output)"
    Options: ClassVar[type[FaceOptions]] = NumberOptions

    def __init__(
        self,
        options: NumberOptions,
        *,
        hour12: bool = False,
        seconds: bool = True,
        source: Source | None = None,
    ) -> None:
        self.options = options
        self.source = source if source is not None else _source(options)

    def render(self, now: datetime) -> BitGrid:
        value = self.source.read(now)
        if value is None:
            return BitGrid(self._columns(0, self._bits(0)), "no value yet")
        shown = max(value, 0)
        bits = self._bits(shown)
        top = (1 << bits) - 1
        text = f"{value}{self.options.unit}"
        if shown > top:
            shown, text = top, f"{text} (over {top}: all lit)"
        elif value < 0:
            text += " (below 0: none lit)"
        return BitGrid(self._columns(shown, bits), text)

    def _bits(self, value: int) -> int:
        """How many LEDs show ``value``."""
        if self.options.bits is not None:
            return self.options.bits
        per = self.options.column_bits
        return per * max(1, -(-value.bit_length() // per))

    def _columns(self, value: int, bits: int) -> tuple[BitColumn, ...]:
        per = self.options.column_bits
        columns: list[BitColumn] = []
        while bits > 0:
            width = min(per, bits)
            columns.append(BitColumn.of(GROUP, LABEL, value & ((1 << width) - 1), width))
            value >>= width
            bits -= width
        return tuple(reversed(columns))


# Faces with the same command share one reader of it while any of them is alive: the clock
# builds its face twice (once only to lay it out), and a reload builds a new one while the old
# one still shows. One reader keeps one value, runs the command once at a time and warns once
# about each problem; once no face uses it, it is dropped and a run still going is killed.
_readers: weakref.WeakValueDictionary[tuple[str, float, float, int], CommandSource] = (
    weakref.WeakValueDictionary()
)


def _source(options: NumberOptions) -> Source:
    if options.command is None:
        return Constant(options.value or 0)
    key = (options.command, options.every, options.timeout, options.divide)
    reader = _readers.get(key)
    if reader is None:
        reader = CommandSource(
            options.command, options.every, timeout=options.timeout, divide=options.divide
        )
        _readers[key] = reader
    return reader
