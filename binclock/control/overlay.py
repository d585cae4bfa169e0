"""Notifications shown over the clock for a while: the highest priority shows, a higher one
replaces it at once, the rest wait their turn (equal priorities in the order sent)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from binclock.frame import Frame

# The frame for a second counted from the first one shown, given the clock's own frame.
Draw = Callable[[int, Frame], Frame]


@dataclass
class Note:
    id: int
    priority: int
    seconds: int
    draw: Draw
    about: dict[str, Any] = field(default_factory=dict)
    started: int | None = None  # the wall-clock second it first showed


class Overlay:
    def __init__(self) -> None:
        self.showing: Note | None = None
        self.waiting: list[Note] = []
        self._next_id = 1

    def add(
        self, priority: int, seconds: int, draw: Draw, about: dict[str, Any] | None = None
    ) -> Note:
        """Queue a note, or show it at once over one of a lower priority (dropped)."""
        note = Note(self._next_id, priority, seconds, draw, about or {})
        self._next_id += 1
        if self.showing is None or priority > self.showing.priority:
            self.showing = note
        else:
            self.waiting.append(note)
            self.waiting.sort(key=lambda n: (-n.priority, n.id))
        return note

    def clear(self) -> int:
        """Drop every note; how many there were."""
        count = len(self.waiting) + (self.showing is not None)
        self.showing, self.waiting = None, []
        return count

    def frame(self, second: int, clock: Frame) -> Frame | None:
        """What to show at ``second`` instead of the clock's frame ``clock`` (None: that)."""
        while self.showing is not None:
            note = self.showing
            if note.started is None:
                note.started = second
            if second - note.started < note.seconds:
                return note.draw(second - note.started, clock)
            self.showing = self.waiting.pop(0) if self.waiting else None
        return None

    def describe(self) -> dict[str, Any] | None:
        note = self.showing
        if note is None:
            return None
        return {"id": note.id, "priority": note.priority, "seconds": note.seconds, **note.about}
