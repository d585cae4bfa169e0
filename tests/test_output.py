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


def test_a_terminal_or_a_file_is_not_watched(tmp_path):
    master, slave = os.openpty()
    with (tmp_path / "out").open("w") as file:
        try:
            assert reader_watch(slave) is None
            assert reader_watch(file.fileno()) is None
        finally:
            os.close(master)
            os.close(slave)


def test_a_closed_output_is_not_watched():
    read, write = os.pipe()
    os.close(read)
    os.close(write)
    assert reader_watch(write) is None
