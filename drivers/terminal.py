"""The terminal display: coloured block glyphs, redrawn in place, for any laptop.

Drawn full screen with keys typed on a terminal (``f``, ``+``, ``-``, ``s``, ``o``, ``q``),
it hands them to the running clock as controls (``push_controls``), and says so on its
footer line.
"""

from __future__ import annotations

import atexit
import codecs
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from types import FrameType
from typing import IO, Any, ClassVar, Literal, NamedTuple

from pydantic import Field

from binclock.controls import POWER_OFF, Press
from binclock.driver import BaseDriver, DriverOptions
from binclock.drivers import ansi
from binclock.drivers.keys import POWER_ON, KeyReader, help_line
from binclock.frame import BLACK, RGB, Frame, Label

LIT = "██"
UNLIT = "░░"
UNLIT_COLOUR: RGB = (72, 72, 72)


class TerminalOptions(DriverOptions):
    colour: Literal["auto", "truecolor", "256", "16", "none"] = Field(
        "auto", description="colour depth; auto reads NO_COLOR, COLORTERM and TERM"
    )
    labels: bool = Field(True, description="print the column labels (H M S) under the grid")
    show_time: bool = Field(True, description="print the time in digits under the grid")
    fullscreen: bool | None = Field(
        None,
        description="redraw in place on the alternate screen; unset: when output is a terminal",
    )


class _Update(NamedTuple):
    """The text that turns ``before`` into the frame it was prepared for, on a screen of
    this size."""

    before: Frame
    screen: os.terminal_size
    text: str
    footer: list[str]


class TerminalDriver(BaseDriver):
    """Draws each frame with block glyphs; on a terminal, only changed cells are rewritten."""

    name: ClassVar[str] = "terminal"
    description: ClassVar[str] = "this terminal, in colour (the laptop clock)"
    Options: ClassVar[type[DriverOptions]] = TerminalOptions
    stdout: ClassVar[bool] = True
    size = None

    def __init__(
        self,
        options: TerminalOptions | None = None,
        *,
        stream: IO[str] | None = None,
        environ: Mapping[str, str] | None = None,
        terminal_size: Callable[[], os.terminal_size] | None = None,
        stop: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(options, **kwargs)
        opts: TerminalOptions = self.options  # type: ignore[assignment]
        self.stream = stream if stream is not None else sys.stdout
        environ = os.environ if environ is None else environ
        tty = _isatty(self.stream)
        self.fullscreen = tty if opts.fullscreen is None else opts.fullscreen
        if opts.colour != "auto":
            self.mode: ansi.ColourMode = opts.colour
        else:
            self.mode = ansi.detect(environ) if tty else "none"
        self._terminal_size = terminal_size or self._stream_size
        self._plain = not tty and opts.colour == "auto"
        self._glyphs = _plain_glyphs(self.stream) if self._plain else (LIT, UNLIT)
        self._encoding = _encoding(self.stream)
        self._pitch = len(self._glyphs[0]) + 1  # text columns per pixel, with the space
        self._cells: dict[RGB, str] = {}
        self._footer_drawn: list[str] = []
        self._screen: os.terminal_size | None = None
        self._size_known = False  # _screen is the terminal's size (no SIGWINCH since)
        self._watching = False  # SIGWINCH, SIGTSTP and SIGCONT are handled here
        self._previous: dict[signal.Signals, Any] = {}  # their handlers before
        self._origin = (0, 0)
        self._stride = 2
        self._drawn: Frame | None = None
        self._taken = False  # the terminal is in the clock's state: alternate screen, ...
        self._tty_state: tuple[int, list[Any]] | None = None  # stdin's modes before that
        self._drawing = False
        self._suspend_asked = False
        self._stop = stop or _stop_process
        self._press: Press | None = None  # where typed keys go, once the clock asks for them
        self._keys: KeyReader | None = None
        self._help = False  # the keys' help is on the screen's last line
        atexit.register(self.close)

    def push_controls(self, press: Press) -> None:
        """Hand the keys typed on the terminal to ``press`` while the clock is drawn full
        screen and read from a terminal (from the first frame on)."""
        if self.fullscreen:
            self._press = press

    # -- drawing -------------------------------------------------------------------------

    def _draw(self, frame: Frame) -> None:
        if self.fullscreen:
            self._draw_in_place(frame)
        else:
            self._write("\n".join(self._lines(frame)) + "\n\n")

    def _unchanged(self, frame: Frame) -> None:
        if self.fullscreen and not self._size_known:
            screen = self._current_screen()
            if screen != self._screen:
                self._draw_in_place(frame, screen)

    def _cell(self, rgb: RGB) -> str:
        """The glyph for a pixel, with its colour (kept: a clock has a handful of colours)."""
        cell = self._cells.get(rgb)
        if cell is None:
            lit = rgb != BLACK
            cell = self._glyphs[0] if lit else self._glyphs[1]
            if self.mode != "none":
                cell = ansi.foreground(rgb if lit else UNLIT_COLOUR, self.mode) + cell
            self._cells[rgb] = cell
        return cell

    def _lines(self, frame: Frame) -> list[str]:
        """The frame as text lines: the grid, then labels and the time when enabled."""
        reset = ansi.RESET if self.mode != "none" else ""
        lines = [" ".join(self._cell(p) for p in row) + reset for row in frame.rows()]
        return lines + self._footer(frame)

    def _footer(self, frame: Frame) -> list[str]:
        """The labels and the time; for a display that is off, why, instead of a time that
        would stand still (a dark frame like the last is not drawn again). Turned off
        while keys are read, it names the key that turns it on."""
        opts: TerminalOptions = self.options  # type: ignore[assignment]
        width = self._text_width(frame)
        footer = []
        if opts.labels and frame.labels:
            footer.append(self._label_row(frame.labels, width))
        off = POWER_ON if frame.off == POWER_OFF and self._keys is not None else frame.off
        text = off or (frame.caption if opts.show_time else "")
        if text:
            footer.append(_encodable(text, self._encoding).center(width).rstrip())
        return footer

    @lru_cache(maxsize=8)  # noqa: B019 - a few label rows per driver, freed with it
    def _label_row(self, labels: tuple[Label, ...], width: int) -> str:
        row = [" "] * width
        for label in labels:
            for i, ch in enumerate(label.text[: self._pitch - 1]):
                row[self._pitch * label.x + i] = ch
        return "".join(row).rstrip()

    def _prepare(self, frames: list[Frame]) -> None:
        """Compose the update to each of ``frames`` from the one before it, in one go."""
        before, screen = self._drawn, self._screen
        if not self.fullscreen or screen is None or before is None:
            return
        footer = self._footer_drawn
        for frame in frames:
            if frame.size != before.size or len(self._footer(frame)) != len(footer):
                break  # laid out anew (_update)
            if frame == before:  # shown as unchanged: nothing is drawn
                continue
            text, footer = self._changes(before, frame, footer)
            self._keep(frame, _Update(before, screen, text, footer))
            before = frame

    def _draw_in_place(self, frame: Frame, screen: os.terminal_size | None = None) -> None:
        """Draw the frame, then stop if Ctrl-Z came meanwhile."""
        self._drawing = True
        try:
            self._redraw(frame, screen)
        finally:
            self._drawing = False
        if self._suspend_asked:
            self._suspend()

    def _redraw(self, frame: Frame, screen: os.terminal_size | None) -> None:
        """Write only what changed since the last frame; everything after a resize or a stop."""
        start = ""
        if not self._taken:
            self._take()  # first: it starts watching SIGWINCH before the size is asked
            start = ansi.ALT_SCREEN + ansi.HIDE_CURSOR
        if screen is None:
            screen = self._screen if self._size_known and self._screen else self._current_screen()
        ready: _Update | None = self._take_prepared(frame)
        # Prepared for this screen, and the clock is still laid out for it (after a resize
        # there and back, updates prepared before it are for a layout no longer drawn).
        if (
            ready is not None
            and ready.before is self._drawn
            and ready.screen == screen == self._screen
        ):
            text, footer = ready.text, ready.footer
        else:
            text, footer = self._update(frame, screen)
        self._write(start + text)
        self._drawn = frame
        self._footer_drawn = footer

    def _update(self, frame: Frame, screen: os.terminal_size) -> tuple[str, list[str]]:
        """The changes to ``frame``, after clearing and placing the clock anew when the
        screen or the frame's size changed."""
        clear = ""
        previous = self._drawn
        if (
            screen != self._screen
            or previous is None
            or previous.size != frame.size
            or len(self._footer(previous)) != len(self._footer(frame))  # the off line came
        ):
            self._screen = screen
            self._place(frame, screen)
            clear = ansi.RESET + ansi.CLEAR + self._help_line(screen)
            previous = None
        text, footer = self._changes(previous, frame, self._footer_drawn)
        return clear + text, footer

    def _changes(
        self, previous: Frame | None, frame: Frame, footer_drawn: list[str]
    ) -> tuple[str, list[str]]:
        """The text that turns ``previous`` (None: a blank screen) into ``frame``, given the
        footer lines drawn with ``previous``, and the footer lines it leaves drawn."""
        if self._stride == 0:
            return self._too_small(frame), []
        out: list[str] = []
        top, left = self._origin
        width = frame.width
        if previous is None:
            changed: Iterable[int] = range(len(frame.pixels))
        else:
            pairs = enumerate(zip(previous.pixels, frame.pixels, strict=True))
            changed = [i for i, (was, now) in pairs if was != now]
        for i in changed:
            y, x = divmod(i, width)
            at = ansi.move(top + y * self._stride, left + self._pitch * x)
            out.append(at + self._cell(frame.pixels[i]))
        out.append(ansi.RESET)
        footer_row = top + (frame.height - 1) * self._stride + 2
        pad = self._text_width(frame)
        old = footer_drawn if previous is not None else []
        footer = self._footer(frame)
        for n, text in enumerate(footer):
            if n >= len(old) or old[n] != text:
                was = old[n] if n < len(old) else ""
                out.append(self._footer_line(footer_row + n, left, pad, text, was))
        return "".join(out), footer

    def _footer_line(self, row: int, left: int, pad: int, text: str, was: str) -> str:
        """Footer ``text`` on ``row``: in the ``pad`` columns under the grid from ``left``,
        centred beyond them when wider (why the display is off), over all of the line that
        ``was`` there; cut at the screen's edges."""

        def start(line: str) -> int:
            return left - max(len(line) - pad, 0) // 2

        first = min(start(text), start(was))
        end = max(start(line) + max(len(line), pad) for line in (text, was))
        line = (" " * (start(text) - first) + text).ljust(end - first)
        if first < 0:
            line, first = line[-first:], 0
        columns = self._screen.columns if self._screen is not None else end
        return ansi.move(row, first) + line[: max(columns - first, 0)]

    def _place(self, frame: Frame, screen: os.terminal_size) -> None:
        """Centre the clock; a blank row between pixel rows when the terminal is tall enough.
        With keys, above the last line, which says them, when there is room for both."""
        width = self._text_width(frame)
        for stride in (2, 1):
            height = self._height(frame, stride)
            for spare in (1, 0) if self._keys is not None else (0,):
                lines = screen.lines - spare
                if height <= lines and width <= screen.columns:
                    self._stride, self._help = stride, bool(spare)
                    self._origin = ((lines - height) // 2, (screen.columns - width) // 2)
                    return
        self._stride, self._help = 0, False

    def _help_line(self, screen: os.terminal_size) -> str:
        """The keys said on the screen's last line, centred, when the clock left it free."""
        text = help_line(screen.columns) if self._help else ""
        if not text:
            return ""
        return ansi.move(screen.lines - 1, (screen.columns - len(text)) // 2) + text

    def _height(self, frame: Frame, stride: int) -> int:
        """Lines the clock takes with ``stride`` lines per pixel row (its footer included)."""
        footer = len(self._footer(frame))
        return (frame.height - 1) * stride + 1 + (footer + 1 if footer else 0)

    def _too_small(self, frame: Frame) -> str:
        """The size the clock needs, said as fully as this screen has room for, centred."""
        screen = self._screen or os.terminal_size((0, 0))
        needed = f"{self._text_width(frame)}x{self._height(frame, 1)}"
        for text in (f"enlarge the terminal to {needed}", f"↔ {needed}", needed, "↔"):
            if len(text) <= screen.columns:
                row, column = max(screen.lines - 1, 0) // 2, (screen.columns - len(text)) // 2
                return ansi.move(row, column) + text
        return ""

    def _text_width(self, frame: Frame) -> int:
        return max(self._pitch * frame.width - 1, 0)

    # -- terminal state ------------------------------------------------------------------

    def _current_screen(self) -> os.terminal_size:
        """The terminal's size, asked now. Until SIGWINCH says it changed, the size the clock
        was placed for is taken as current (where SIGWINCH cannot be watched, never)."""
        self._size_known = self._watching  # before asking: a resize meanwhile clears it
        return self._terminal_size()

    def _on_resize(self, _signum: int, _frame: FrameType | None) -> None:
        self._size_known = False

    def _take(self) -> None:
        """Watch for resizes and stops (from the first time on); stop typed keys from
        echoing over the clock."""
        self._taken = True
        if not self._watching:
            self._watch()
        with contextlib.suppress(ImportError, OSError, ValueError):
            import termios

            if self._tty_state is None:
                fd = sys.stdin.fileno()
                if not os.isatty(fd):
                    return
                self._tty_state = (fd, termios.tcgetattr(fd))
            fd, saved = self._tty_state
            quiet = [*saved[:3], saved[3] & ~(termios.ECHO | termios.ICANON), *saved[4:]]
            termios.tcsetattr(fd, termios.TCSANOW, quiet)
            if self._press is not None and self._keys is None:
                self._keys = KeyReader(fd, self._press)

    def _leave(self) -> None:
        """Give the terminal back as it was: the normal screen, the cursor, typed keys
        echoing."""
        self._forget_layout()  # nothing of the clock stays on the screen
        if self._taken:
            self._taken = False
            # A closed pipe, a terminal that hung up (EIO): nobody is left to see it.
            with contextlib.suppress(OSError):
                self._write(ansi.RESET + ansi.SHOW_CURSOR + ansi.MAIN_SCREEN)
        if self._tty_state is not None:
            import termios

            fd, saved = self._tty_state
            with contextlib.suppress(OSError, termios.error):
                termios.tcsetattr(fd, termios.TCSANOW, saved)

    def _watch(self) -> None:
        handlers = {
            signal.SIGWINCH: self._on_resize,
            signal.SIGTSTP: self._on_suspend,
            signal.SIGCONT: self._on_continue,
        }
        if signal.getsignal(signal.SIGTSTP) == signal.SIG_IGN:
            del handlers[signal.SIGTSTP]  # whoever started us asked for Ctrl-Z to do nothing
        with contextlib.suppress(ValueError):  # only the main thread can; others poll the size
            for sig, handler in handlers.items():
                self._previous[sig] = signal.signal(sig, handler)
            self._watching = True

    def _on_suspend(self, _signum: int, _frame: FrameType | None) -> None:
        """Ctrl-Z: give the terminal back and stop, at once or when the frame being drawn
        is done."""
        if self._drawing:
            self._suspend_asked = True
        else:
            self._suspend()

    def _suspend(self) -> None:
        self._suspend_asked = False
        self._leave()
        self._stop()

    def _on_continue(self, _signum: int, _frame: FrameType | None) -> None:
        """Back from a stop (``fg``): the next second takes the terminal again and draws the
        whole clock, whatever the screen shows now."""
        self._taken = False
        self._forget_layout()

    def _forget_layout(self) -> None:
        """Lay the clock out afresh, for the size asked anew, at the next frame."""
        self._screen = None
        self._size_known = False

    def _dark(self) -> None:
        self._leave()

    def _release(self) -> None:
        atexit.unregister(self.close)
        if self._keys is not None:
            self._keys.close()
            self._keys = None
        with contextlib.suppress(ValueError):
            for sig, handler in self._previous.items():
                signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        self._previous.clear()
        self._watching = False

    def _write(self, text: str) -> None:
        """Write ``text`` at once. A closed pipe raises BrokenPipeError, on which the clock
        stops with 0 (``binclock | head -1``)."""
        try:
            self.stream.write(text)
            self.stream.flush()
        except ValueError:
            pass  # the stream was closed here; there is nobody left to draw for

    def _stream_size(self) -> os.terminal_size:
        try:
            return os.get_terminal_size(self.stream.fileno())
        except (OSError, ValueError, AttributeError):
            return os.terminal_size((80, 24))


def _stop_process() -> None:
    """Stop as Ctrl-Z stops a program that does not handle it; return once continued."""
    handler = signal.signal(signal.SIGTSTP, signal.SIG_DFL)
    try:
        signal.raise_signal(signal.SIGTSTP)
    finally:
        signal.signal(signal.SIGTSTP, handler)


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _encoding(stream: IO[str]) -> str:
    """The encoding ``stream`` writes in, as the codecs know it (ASCII when they do not)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return "ascii"


def _encodable(text: str, encoding: str) -> str:
    """``text`` as a stream in ``encoding`` can take it (``off - binclock ctl on`` for an
    ASCII one), since a character it cannot encode would lose the whole frame."""
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return text.replace("—", "-").encode(encoding, "replace").decode(encoding)
    return text


def _plain_glyphs(stream: IO[str]) -> tuple[str, str]:
    """Dots for text read without a terminal (one column each); ASCII when that is all it takes."""
    try:
        "●○".encode(_encoding(stream))
    except UnicodeEncodeError:
        return ("#", ".")
    return ("●", "○")
