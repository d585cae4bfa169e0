"""Whether the reader of the clock's standard output went away, asked without writing."""

from __future__ import annotations

import os

from binclock.daemon.output import reader_watch


def test_a_pipe_tells_when_its_reader_closes():
    read, write = os.pipe()
    try:
        gone = reader_watch(write)
        assert gone is not None and not gone()
        os.close(read)
        assert gone()
    finally:
        os.close(write)


def test_a_pipe_whose_reader_is_slow_still_has_its_reader():
    read, write = os.pipe()
    try:
        os.set_blocking(write, False)
        while True:  # fill it: a reader that lags is not a reader gone
            try:
                os.write(write, b"x" * 65536)
            except BlockingIOError:
                break
        gone = reader_watch(write)
        assert gone is not None and not gone()
    finally:
        os.close(read)
        os.close(write)


def test_a_terminal_tells_when_it_hangs_up():
    master, slave = os.openpty()
    try:
        gone = reader_watch(slave)
        assert gone is not None and not gone()
        os.close(master)  # as closing the terminal's window or losing its ssh connection does
        assert gone()
    finally:
        os.close(slave)


def test_a_terminal_hung_up_before_it_is_watched_tells_at_once():
    master, slave = os.openpty()
    os.close(master)  # hung up before a reload asks anew
    try:
        gone = reader_watch(slave)
        assert gone is not None and gone()
    finally:
        os.close(slave)


def test_a_file_is_not_watched(tmp_path):
    with (tmp_path / "out").open("w") as file:
        assert reader_watch(file.fileno()) is None


def test_a_closed_output_is_not_watched():
    read, write = os.pipe()
    os.close(read)
    os.close(write)
    assert reader_watch(write) is None
