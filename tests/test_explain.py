"""``binclock explain``: bits with their values, sums per column, the reading, a lesson."""

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from binclock.bitgrid import BitColumn, BitGrid
from binclock.commandline.explain import explain, readings, together
from binclock.faces.date import DateFace, DateOptions
from binclock.faces.number import NumberFace, NumberOptions
from binclock.faces.time import BcdFace, BinaryFace

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2025, 11, 27, 13, 37, 42, tzinfo=LONDON)
DOCS = Path(__file__).resolve().parent.parent / "docs"

BINARY_AT_13_37_42 = """\
The binary face at 13:37:42 on Thursday 27 November 2025:

     H   M   S
32   .  32  32
16   .   .   .
 8   8   .   8
 4   4   4   .
 2   .   .   2
 1   1   1   .

H  hours    8+4+1 = 13
M  minutes  32+4+1 = 37
S  seconds  32+8+2 = 42

Read together: 13:37:42

How to read it: each column is a number in binary. Its LEDs stand for 1,
2, 4, 8 and so on, doubling from the bottom up, just as the places of a
decimal number stand for 1, 10, 100. Add up the values of the lit LEDs
and ignore the dark ones: 8+4+1 = 13, which is 1101 in binary.
"""


def column(group, label, value, width):
    return BitColumn.of(group, label, value, width)


def section(text, index):
    """The ``index``-th blank-line separated part of an explanation."""
    return text.split("\n\n")[index]


def test_explains_the_binary_face_at_13_37_42():
    assert explain(BinaryFace().render(NOW), NOW, face="binary") == BINARY_AT_13_37_42


def test_a_lit_led_shows_its_value_and_a_dark_one_a_dot():
    grid = BitGrid((column("number", "N", 5, 3),))
    assert section(explain(grid), 1).splitlines()[1:] == ["4  4", "2  .", "1  1"]


def test_a_shorter_column_sits_on_the_bottom_row():
    grid = BitGrid((column("month", "M", 1, 2), column("day", "D", 4, 3)))
    assert section(explain(grid), 1).splitlines()[1:] == ["4     4", "2  .  .", "1  1  ."]


def test_adds_up_the_lit_leds_of_each_column():
    grid = BitGrid((column("seconds", "S", 42, 6),))
    assert section(explain(grid), 2) == "S  seconds  32+8+2 = 42"


def test_a_column_with_one_lit_led_is_that_leds_value():
    grid = BitGrid((column("hours", "H", 8, 6),))
    assert section(explain(grid), 2) == "H  hours  8"


def test_a_column_with_nothing_lit_is_zero():
    grid = BitGrid((column("hours", "H", 0, 6),))
    assert section(explain(grid), 2) == "H  hours  0"


def test_bcd_columns_sharing_a_label_are_tens_and_units():
    text = explain(BcdFace().render(NOW))
    assert "H  hours tens     1\nH  hours units    2+1 = 3\n" in text
    assert "hours: 1x10 + 3 = 13\n" in text


def test_taller_columns_sharing_a_label_continue_one_binary_number():
    grid = NumberFace(NumberOptions(value=1000)).render(NOW)
    assert [r.value for r in readings(grid)] == [1000]
    assert "N  number x256  2+1 = 3, x256 = 768\n" in explain(grid)
    assert "number: 3x256 + 232 = 1000\n" in explain(grid)


def test_reads_hours_minutes_and_seconds_together_as_a_time():
    assert section(explain(BcdFace().render(NOW)), 3).endswith("Read together: 13:37:42")


def test_reads_other_columns_by_name_and_gives_the_faces_caption():
    grid = DateFace(DateOptions(weekday=True)).render(NOW)
    assert (
        section(explain(grid), 3)
        == 'Read together: month 11, day 27, weekday 4 (shown as "Thu Nov 27")'
    )


def test_names_no_face_or_time_when_not_told_them():
    assert explain(BinaryFace().render(NOW)).startswith("This face:\n")


@given(st.times(), st.sampled_from([BinaryFace, BcdFace]))
def test_every_time_on_the_time_faces_reads_back(moment, face):
    now = datetime.combine(NOW.date(), moment, LONDON)
    assert together(face().render(now)) == f"{now:%H:%M:%S}"


@given(st.times(), st.sampled_from([BinaryFace, BcdFace]))
def test_a_12_hour_clock_reads_back_as_its_caption_without_am_pm(moment, face):
    now = datetime.combine(NOW.date(), moment, LONDON)
    grid = face(hour12=True).render(now)
    assert grid.caption == f"{together(grid)} {'AM' if now.hour < 12 else 'PM'}"


@given(st.integers(0, 2**64 - 1), st.integers(5, 16))
def test_every_number_reads_back(value, column_bits):
    grid = NumberFace(NumberOptions(value=value, column_bits=column_bits)).render(NOW)
    assert together(grid) == str(value)


def test_the_lesson_explains_bcd_only_for_bcd_digits():
    assert "binary-coded decimal" in explain(BcdFace().render(NOW))
    assert "binary-coded decimal" not in explain(BinaryFace().render(NOW))


def test_the_lesson_is_one_paragraph_of_short_lines():
    lesson = section(explain(BcdFace().render(NOW)), 4)
    assert lesson.startswith("How to read it:")
    assert max(len(line) for line in lesson.splitlines()) <= 72


def test_the_lesson_keeps_each_sum_on_one_line():
    lesson = section(explain(NumberFace(NumberOptions(value=1000)).render(NOW)), 4)
    assert "3x256 + 232 = 1000." in lesson.splitlines()[-1]


def test_a_grid_without_columns_is_said_to_have_no_leds():
    assert section(explain(BitGrid(())), 1) == "(no LEDs)"


def explained_in(doc):
    """The ``binclock explain`` examples in a doc page: {arguments: output}."""
    text = (DOCS / doc).read_text(encoding="utf-8")
    return dict(re.findall(r"```text\n\$ binclock explain (.*?)\n(.*?)```", text, re.DOTALL))


def test_the_worked_examples_in_reading_binary_are_what_explain_prints():
    expected = {
        f"--at 2025-11-27T13:37:42 --face {face.name}": explain(
            face().render(NOW), NOW, face=face.name
        )
        for face in (BinaryFace, BcdFace)
    }
    assert explained_in("reading-binary.md") == expected


def test_the_example_in_the_faces_page_is_what_explain_prints():
    grid = NumberFace(NumberOptions(value=1000)).render(NOW)
    args = "--at 2025-11-27T13:37:42 --face number --set faces.number.value=1000"
    assert explained_in("faces.md") == {args: explain(grid, NOW, face="number")}


def test_the_diagrams_in_the_docs_show_the_faces_at_13_37_42():
    doc = (DOCS / "reading-binary.md").read_text(encoding="utf-8")
    diagrams = dict(re.findall(r"<!-- diagram: (\w+) -->\n```text\n(.*?)```", doc, re.DOTALL))
    for face in (BinaryFace, BcdFace):
        grid = face().render(NOW)
        header, *lines = diagrams[face.name].splitlines()
        assert header.split() == [c.label for c in grid.columns]
        rows = [["●" if c.bits[y] else "○" for c in grid.columns] for y in range(grid.height)]
        assert [line.split()[1:] for line in lines] == rows
