"""The terminal driver, read back through a real VT emulator (pyte)."""

from __future__ import annotations

import io
import os
import signal
import sys
import termios
from dataclasses import replace
from datetime import datetime

import pyte
import pytest

from binclock.drivers import ansi
from binclock.drivers.terminal import LIT, UNLIT, TerminalDriver, TerminalOptions
from binclock.faces.time import BcdFace, BinaryFace
from binclock.frame import Frame
from binclock.painter import DEFAULT_ON, Painter
from conftest import send

NOW = datetime(2026, 1, 1, 13, 37, 42)


class Tty(io.StringIO):
    """Output that says it is a terminal, kept for feeding to the emulator."""

    def isatty(self) -> bool:
        return True


class Screen:
    """A pyte screen of a given size fed with everything the driver writes."""

    def __init__(self, columns: int = 40, lines: int = 20) -> None:
        self.size = os.terminal_size((columns, lines))
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.Stream(self.screen)
        self.out = Tty()
        self.fed = 0

    def feed(self) -> str:
        text = self.out.getvalue()[self.fed :]
        self.fed += len(text)
        self.stream.feed(text)
        return text

    def find(self, text: str) -> tuple[int, int]:
        for row, line in enumerate(self.screen.display):
            if text in line:
                return row, line.index(text)
        raise AssertionError(f"{text!r} is not on the screen:\n" + "\n".join(self.screen.display))

    def resize(self, columns: int, lines: int) -> None:
        """A new size, announced with SIGWINCH as a terminal does."""
        self.size = os.terminal_size((columns, lines))
        self.screen.resize(lines, columns)
        send(signal.SIGWINCH)


def terminal(screen: Screen, colour: str = "truecolor", stop=None, **options) -> TerminalDriver:
    opts = TerminalOptions(colour=colour, fullscreen=True, **options)
    return TerminalDriver(
        opts, stream=screen.out, environ={}, terminal_size=lambda: screen.size, stop=stop
    )


def frame(now: datetime = NOW, face=None):
    return Painter().paint((face or BinaryFace()).render(now), time=now)


def grid_on_screen(screen: Screen, width: int, height: int) -> list[list[tuple[str, str]]]:
    """(glyph, colour) for each pixel, found from the top-left of the drawn clock."""
    caption_row, _ = screen.find("13:37")
    top = caption_row - 2 - 2 * (height - 1) - 1
    label_row = caption_row - 1
    left = min(c for c, ch in enumerate(screen.screen.display[label_row]) if ch != " ")
    cells = []
    for y in range(height):
        row = []
        for x in range(width):
            cell = screen.screen.buffer[top + 2 * y][left + 3 * x]
            nxt = screen.screen.buffer[top + 2 * y][left + 3 * x + 1]
            row.append((cell.data + nxt.data, cell.fg))
        cells.append(row)
    return cells


def hex_colour(rgb) -> str:
    return "{:02x}{:02x}{:02x}".format(*rgb)


def test_cells_show_the_binary_time_in_colour():
    screen = Screen()
    terminal(screen).show(frame())
    screen.feed()
    cells = grid_on_screen(screen, 3, 6)
    for x, (group, value) in enumerate(
        zip(("hours", "minutes", "seconds"), (13, 37, 42), strict=False)
    ):
        for y in range(6):
            lit = value >> (5 - y) & 1
            glyph, colour = cells[y][x]
            assert glyph == (LIT if lit else UNLIT), (x, y)
            if lit:
                assert colour == hex_colour(DEFAULT_ON[group])


def test_labels_and_time_are_printed_under_the_grid():
    screen = Screen()
    terminal(screen).show(frame())
    screen.feed()
    label_row, _label_col = screen.find("H  M  S")
    time_row, _ = screen.find("13:37:42")
    assert time_row == label_row + 1


def test_labels_and_time_can_be_turned_off():
    screen = Screen()
    terminal(screen, labels=False, show_time=False).show(frame())
    screen.feed()
    text = "\n".join(screen.screen.display)
    assert "H  M  S" not in text and "13:37:42" not in text


SCHEDULED = "off (schedule 23:00-07:00)"
POWERED = "off — binclock ctl on"


def dark(why: str, now: datetime = NOW) -> Frame:
    """The clock's frame at ``now`` as a display that is off shows it."""
    shown = frame(now)
    return replace(shown, pixels=Frame.blank(shown.width, shown.height).pixels, off=why)


def rows(screen: Screen) -> list[str]:
    return [row.rstrip() for row in screen.screen.display]


def test_a_display_that_is_off_says_why_instead_of_the_time():
    screen = Screen()
    terminal(screen).show(dark(SCHEDULED))
    screen.feed()
    label_row, _ = screen.find("H  M  S")
    assert rows(screen)[label_row + 1].strip() == SCHEDULED
    assert not any("13:37" in row for row in rows(screen))


def test_the_reason_is_centred_under_the_grid_when_wider_than_it():
    screen = Screen()
    terminal(screen).show(dark(SCHEDULED))
    screen.feed()
    _, left = screen.find("H  M  S")  # the grid's first column: 3 cells, 8 columns
    _, reason = screen.find(SCHEDULED)
    assert reason + len(SCHEDULED) // 2 == left + 8 // 2


def test_turned_off_and_on_again_the_time_comes_back_alone_on_its_line():
    screen = Screen()
    driver = terminal(screen)
    driver.show(frame())
    driver.show(dark(POWERED))
    driver.show(frame(NOW.replace(second=43)))
    screen.feed()
    time_row, _ = screen.find("13:37:43")
    assert rows(screen)[time_row].strip() == "13:37:43"


def test_a_new_reason_for_the_same_dark_display_is_shown():
    screen = Screen()
    driver = terminal(screen)
    driver.show(dark(SCHEDULED))
    driver.show(dark(POWERED))
    screen.feed()
    screen.find(POWERED)
    assert not any("schedule" in row for row in rows(screen))


def test_the_reason_shows_even_with_the_time_turned_off():
    screen = Screen()
    driver = terminal(screen, show_time=False)
    driver.show(frame())
    driver.show(dark(POWERED))
    screen.feed()
    label_row, _ = screen.find("H  M  S")
    assert rows(screen)[label_row + 1].strip() == POWERED
    driver.show(frame(NOW.replace(second=43)))
    screen.feed()
    assert not any("off" in row for row in rows(screen))


def test_a_reason_wider_than_the_terminal_is_cut_at_its_edges():
    screen = Screen(columns=12)
    terminal(screen).show(dark(SCHEDULED))
    screen.feed()
    label_row, _ = screen.find("H  M  S")
    assert rows(screen)[label_row + 1] == SCHEDULED[7:19]
    assert rows(screen)[label_row + 2 :] == [""] * (20 - label_row - 2)  # nothing wrapped


def test_the_reason_is_printed_under_a_dark_grid_in_plain_text():
    out = io.StringIO()
    TerminalDriver(TerminalOptions(colour="none"), stream=out).show(dark(SCHEDULED))
    assert out.getvalue().rstrip("\n").splitlines()[-1] == SCHEDULED


def test_clock_is_centred_on_the_screen():
    screen = Screen(40, 20)
    terminal(screen).show(frame())
    screen.feed()
    row, col = screen.find("13:37:42")
    assert col == (40 - 8) // 2
    first_row = row - 13  # 11 spaced grid rows, a blank row, labels, time
    assert (
        screen.screen.display[first_row].strip()
        and not screen.screen.display[first_row - 1].strip()
    )
    assert abs(first_row - (20 - 1 - row)) <= 1


def test_only_changed_pixels_are_redrawn_without_clearing():
    screen = Screen()
    driver = terminal(screen)
    driver.show(frame(datetime(2026, 1, 1, 13, 37, 42)))
    screen.feed()
    driver.show(frame(datetime(2026, 1, 1, 13, 37, 43)))  # 42 -> 43 flips one bit
    update = screen.feed()
    assert ansi.CLEAR not in update
    pixels_written = update.count(LIT) + update.count(UNLIT)
    assert pixels_written == 1
    assert screen.find("13:37:43")


@pytest.mark.parametrize("show_time", [True, False])
@pytest.mark.parametrize("off_from", [None, 44], ids=["on", "off-from-44"])
def test_frames_prepared_ahead_draw_the_same_screen_as_unprepared(show_time, off_from):
    def second(s: int) -> Frame:
        now = NOW.replace(second=s)
        return dark(SCHEDULED, now) if off_from is not None and s >= off_from else frame(now)

    seconds = [second(s) for s in range(40, 50)]
    plain, ahead = Screen(), Screen()
    plain_driver = terminal(plain, show_time=show_time)
    ahead_driver = terminal(ahead, show_time=show_time)
    for f in seconds[:1]:
        plain_driver.show(f)
        ahead_driver.show(f)
    ahead_driver.prepare(seconds[1:])
    for f in seconds[1:]:
        plain_driver.show(f)
        ahead_driver.show(f)
        assert ahead.feed() == plain.feed()
    assert ahead.screen.display == plain.screen.display


def test_a_prepared_update_is_not_used_when_the_frame_before_it_was_skipped():
    seconds = [frame(NOW.replace(second=s)) for s in (40, 41, 43)]
    screen = Screen()
    driver = terminal(screen)
    driver.show(seconds[0])
    driver.prepare(seconds[1:])
    driver.show(seconds[2])  # 41 never came: the update from it would leave bit 0 dark
    screen.feed()
    reference = Screen()
    terminal(reference).show(seconds[2])
    reference.feed()
    assert screen.screen.display == reference.screen.display


def test_unchanged_frame_writes_nothing():
    screen = Screen()
    driver = terminal(screen)
    driver.show(frame())
    screen.feed()
    driver.show(frame())
    assert screen.feed() == ""


def test_cursor_is_hidden_while_running_and_shown_after_close():
    screen = Screen()
    driver = terminal(screen)
    driver.show(frame())
    screen.feed()
    assert screen.screen.cursor.hidden
    driver.close()
    closing = screen.feed()
    assert not screen.screen.cursor.hidden
    assert closing.endswith(ansi.SHOW_CURSOR + ansi.MAIN_SCREEN)


def test_alternate_screen_is_entered_and_left():
    screen = Screen()
    driver = terminal(screen)
    driver.show(frame())
    driver.close()
    text = screen.out.getvalue()
    assert text.startswith(ansi.ALT_SCREEN) and text.endswith(ansi.MAIN_SCREEN)


def test_resize_redraws_the_whole_clock_at_the_new_centre():
    screen = Screen(40, 20)
    driver = terminal(screen)
    driver.show(frame())
    screen.feed()
    screen.resize(60, 24)
    driver.show(frame())  # same pixels: still redrawn, because the screen changed
    update = screen.feed()
    assert ansi.CLEAR in update
    _row, col = screen.find("13:37:42")
    assert col == (60 - 8) // 2


def test_terminal_size_is_asked_once_and_again_only_after_a_resize_signal():
    screen = Screen(40, 20)
    asked = []
    opts = TerminalOptions(colour="truecolor", fullscreen=True)
    driver = TerminalDriver(
        opts, stream=screen.out, environ={}, terminal_size=lambda: asked.append(1) or screen.size
    )
    for second in range(3):
        driver.show(frame(NOW.replace(second=second)))
    assert len(asked) == 1
    screen.resize(60, 24)
    driver.show(frame(NOW.replace(second=5)))
    assert len(asked) == 2
    driver.close()


def test_closing_gives_sigwinch_back_to_its_handler():
    before = signal.getsignal(signal.SIGWINCH)
    driver = terminal(Screen())
    driver.show(frame())
    assert signal.getsignal(signal.SIGWINCH) != before
    driver.close()
    assert signal.getsignal(signal.SIGWINCH) == before


@pytest.mark.parametrize(
    ("columns", "said"),
    [(40, "enlarge the terminal to 8x9"), (6, "↔ 8x9"), (3, "8x9"), (2, "↔")],
)
def test_a_terminal_too_small_says_the_size_needed_in_the_room_it_has(columns, said):
    screen = Screen(columns, 5)
    terminal(screen).show(frame())
    screen.feed()
    assert screen.screen.display[2].strip() == said


def test_the_size_a_terminal_too_small_asks_for_is_enough():
    screen = Screen(8, 9)
    terminal(screen).show(frame())
    screen.feed()
    assert screen.find("13:37:42")


@pytest.mark.parametrize("between", [(60, 20), (10, 5)])
def test_a_resize_and_back_draws_the_clock_as_on_a_fresh_screen(between):
    seconds = [frame(NOW.replace(second=s)) for s in range(40, 46)]
    screen = Screen(100, 30)
    driver = terminal(screen)
    driver.show(seconds[0])
    driver.prepare(seconds[1:])  # as the clock does once a minute
    driver.show(seconds[1])
    screen.resize(*between)
    driver.show(seconds[2])
    driver.show(seconds[3])
    screen.feed()
    screen.resize(100, 30)
    driver.show(seconds[4])
    driver.show(seconds[5])
    screen.feed()
    fresh = Screen(100, 30)
    terminal(fresh).show(seconds[5])
    fresh.feed()
    assert screen.screen.display == fresh.screen.display


def test_short_terminal_packs_rows_together():
    screen = Screen(40, 9)  # 6 rows spaced out need 11 lines plus labels and time
    terminal(screen).show(frame())
    screen.feed()
    time_row, _ = screen.find("13:37:42")
    col = screen.find("H  M  S")[1]
    bottom_rows = [screen.screen.buffer[time_row - n][col].data for n in (3, 4)]
    assert all(glyph in (LIT[0], UNLIT[0]) for glyph in bottom_rows)


@pytest.mark.parametrize(
    ("colour", "expected"),
    [("truecolor", "\x1b[38;2;255;72;40m"), ("256", "\x1b[38;5;"), ("16", "\x1b[91m")],
)
def test_colour_depth_selects_the_escape_sequences(colour, expected):
    screen = Screen()
    terminal(screen, colour=colour).show(frame())
    assert expected in screen.out.getvalue()


def test_bcd_face_draws_six_columns():
    screen = Screen()
    terminal(screen).show(frame(face=BcdFace()))
    screen.feed()
    assert screen.find("H  H  M  M  S  S")


@pytest.mark.parametrize(
    ("environ", "mode"),
    [
        ({"COLORTERM": "truecolor", "TERM": "xterm-256color"}, "truecolor"),
        ({"COLORTERM": "24bit"}, "truecolor"),
        ({"TERM": "xterm-256color"}, "256"),
        ({"TERM": "xterm"}, "16"),
        ({"TERM": "xterm-256color", "NO_COLOR": "1"}, "none"),
        ({"TERM": "dumb"}, "none"),
    ],
)
def test_colour_depth_is_detected_from_the_environment(environ, mode):
    assert ansi.detect(environ) == mode


def test_xterm256_maps_primaries_to_the_cube_and_greys_to_the_ramp():
    assert ansi.xterm256((255, 0, 0)) == 196
    assert ansi.xterm256((0, 0, 0)) == 16
    assert ansi.xterm256((128, 128, 128)) == 244


def test_output_that_is_not_a_terminal_is_plain_text():
    out = io.StringIO()
    driver = TerminalDriver(TerminalOptions(), stream=out, environ={"COLORTERM": "truecolor"})
    driver.show(frame())
    driver.close()
    text = out.getvalue()
    assert "\x1b" not in text
    assert text.splitlines()[:8] == [
        "○ ● ●",
        "○ ○ ○",
        "● ○ ●",
        "● ● ○",
        "○ ○ ●",
        "● ● ○",
        "H M S",
        "13:37:42",
    ]


def test_plain_text_falls_back_to_ascii_for_ascii_streams():
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii")
    TerminalDriver(TerminalOptions(), stream=out, environ={}).show(frame())
    out.flush()
    assert raw.getvalue().decode().splitlines()[0] == ". # #"


def test_an_ascii_stream_is_told_the_display_is_off_in_ascii():
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii")
    TerminalDriver(TerminalOptions(), stream=out, environ={}).show(dark(POWERED))
    out.flush()
    assert raw.getvalue().decode().rstrip("\n").splitlines()[-1] == "off - binclock ctl on"


def test_inline_mode_on_a_terminal_prints_coloured_lines_without_moving_the_cursor():
    out = Tty()
    opts = TerminalOptions(colour="truecolor", fullscreen=False)
    TerminalDriver(opts, stream=out, environ={}).show(frame())
    text = out.getvalue()
    assert "\x1b[38;2;" in text
    assert ansi.ALT_SCREEN not in text and "H" not in text.split("\n")[0]


# -- Ctrl-Z and fg -----------------------------------------------------------------------------


def test_ctrl_z_gives_the_terminal_back_before_the_clock_stops():
    screen = Screen()
    at_stop: list[str] = []
    driver = terminal(screen, stop=lambda: at_stop.append(screen.feed()))
    driver.show(frame())
    screen.feed()
    send(signal.SIGTSTP)
    driver.close()
    assert at_stop[0].endswith(ansi.SHOW_CURSOR + ansi.MAIN_SCREEN)


class CtrlZWhileWriting(Tty):
    """A terminal on which Ctrl-Z is pressed while the clock writes its first frame."""

    def write(self, text: str) -> int:
        written = super().write(text)
        if written and len(self.getvalue()) == written:
            send(signal.SIGTSTP)
        return written


def test_ctrl_z_in_the_middle_of_a_frame_stops_once_the_frame_is_drawn():
    screen = Screen()
    screen.out = CtrlZWhileWriting()
    at_stop: list[str] = []
    driver = terminal(screen, stop=lambda: at_stop.append(screen.out.getvalue()))
    driver.show(frame())
    driver.close()
    drawn, left = at_stop[0].rsplit(ansi.RESET + ansi.SHOW_CURSOR, 1)
    assert "13:37:42" in drawn and left == ansi.MAIN_SCREEN


def test_after_fg_the_whole_clock_is_drawn_again_on_the_alternate_screen():
    screen = Screen()
    driver = terminal(screen, stop=lambda: None)
    driver.show(frame())
    send(signal.SIGTSTP)
    screen.feed()
    screen.stream.feed("\x1b[2J\x1b[H$ jobs\r\n[1]+  Stopped  binclock\r\n")  # the shell's turn
    send(signal.SIGCONT)
    driver.show(frame())  # the same pixels as before the stop: drawn all the same
    update = screen.feed()
    driver.close()
    assert update.startswith(ansi.ALT_SCREEN + ansi.HIDE_CURSOR)
    fresh = Screen()
    terminal(fresh).show(frame())
    fresh.feed()
    assert screen.screen.display == fresh.screen.display


def test_typed_keys_echo_while_stopped_and_not_after_fg(monkeypatch):
    master, slave = os.openpty()
    monkeypatch.setattr(sys, "stdin", os.fdopen(slave, "r"))

    def echoing() -> bool:
        return bool(termios.tcgetattr(slave)[3] & termios.ECHO)

    echoes: list[bool] = []
    driver = terminal(Screen(), stop=lambda: echoes.append(echoing()))
    try:
        driver.show(frame())
        echoes.append(echoing())
        send(signal.SIGTSTP)
        send(signal.SIGCONT)
        driver.show(frame(NOW.replace(second=43)))
        echoes.append(echoing())
        driver.close()
        echoes.append(echoing())
    finally:
        sys.stdin.close()
        os.close(master)
    assert echoes == [False, True, False, True]


def test_closing_gives_ctrl_z_and_continue_back_to_their_handlers():
    before = {s: signal.getsignal(s) for s in (signal.SIGTSTP, signal.SIGCONT)}
    driver = terminal(Screen())
    driver.show(frame())
    driver.close()
    assert {s: signal.getsignal(s) for s in before} == before


def test_giving_back_a_terminal_that_is_gone_is_quiet():
    """A terminal closed before the clock (its window shut) leaves nothing to restore."""
    driver = terminal(Screen())
    r, w = os.pipe()
    os.close(r)
    os.close(w)
    driver._tty_state = (r, [0, 0, 0, 0, 0, 0, [b"\0"] * 32])
    driver.close()
