"""Fuzzing the configuration: whatever a file holds, binclock says so in lines and exits
0 or 78, never with a traceback, a hang or a crash of the running clock."""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import chain
from pathlib import Path
from typing import Any

import pytest
from config_corpus import TABLES, special_files, texts, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_service import LONDON, make_service

from binclock import config, exitcodes
from binclock.commandline import commands
from binclock.commandline.cli import main
from binclock.drivers.fake import FakeDriver

CORPUS = list(texts())
HANG = 20  # seconds: a case still running by then is stuck, not slow
PYTHON = [sys.executable, "-m", "binclock"]


@contextmanager
def no_hang() -> Iterator[None]:
    """Fail a case that blocks (on a FIFO, say) instead of hanging the test run."""

    def stuck(signum: int, frame: object) -> None:
        raise AssertionError("stuck reading the configuration")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(HANG)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check_config(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with no_hang():
        code = main(["check-config", str(path)])
    return code, capsys.readouterr().err


def test_every_corpus_file_is_valid_or_a_config_error(tmp_path, capsys):
    for name, text in CORPUS:
        code, err = check_config(write(tmp_path / "config.toml", text), capsys)
        assert code in (exitcodes.OK, exitcodes.CONFIG), (name, err)
        lines = err.splitlines()
        assert all(line.startswith("binclock: ") for line in lines), (name, err)
        assert code == exitcodes.OK or lines, name


def test_files_that_are_not_regular_files_are_config_errors(tmp_path, capsys):
    for path in special_files(tmp_path):
        code, err = check_config(path, capsys)
        assert code == exitcodes.CONFIG and err.count("\n") == 1, (path, err)


TOML_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["os:system", "builtins:exec", "binary", "jsonl", "number"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
DOCUMENTS = st.dictionaries(
    st.tuples(
        st.sampled_from(sorted(TABLES)), st.sampled_from(sorted(set(chain(*TABLES.values()))))
    ),
    TOML_VALUES,
    max_size=6,
)


def to_toml(document: dict[tuple[str, str], object]) -> str:
    """The document as TOML, a table per section (a None value leaves its key out)."""
    nested: dict[str, Any] = {}
    for (table, key), value in document.items():
        node = nested
        for part in filter(None, table.split(".")):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                break  # a value already stands where this table would go
            node = child
        else:
            if not isinstance(node.get(key), dict):
                node[key] = value
    lines: list[str] = []
    config._emit(_drop_none(nested), (), lines)
    return "\n".join(lines) + "\n"


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value if v is not None]
    return value


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(DOCUMENTS)
def test_any_document_of_known_keys_is_valid_or_a_config_error(tmp_path_factory, document):
    path = write(tmp_path_factory.mktemp("fuzz") / "config.toml", to_toml(document))
    with no_hang():
        code = main(["check-config", str(path)])
    assert code in (exitcodes.OK, exitcodes.CONFIG)


@FUZZ
@given(st.binary(max_size=200))
def test_any_bytes_are_valid_or_a_config_error(tmp_path_factory, data):
    path = write(tmp_path_factory.mktemp("fuzz") / "config.toml", data)
    with no_hang():
        code = main(["check-config", str(path)])
    assert code in (exitcodes.OK, exitcodes.CONFIG)


# A few of each shape, run as users run binclock: the exit status and stderr are real.
SUBSET = CORPUS[:: len(CORPUS) // 5] + CORPUS[-9:]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "HOME": "/nonexistent"}
    environ.pop("BINCLOCK_CONFIG", None)
    return subprocess.run(
        [*PYTHON, *args], capture_output=True, text=True, env=environ, timeout=HANG
    )


@pytest.mark.parametrize(("name", "text"), SUBSET, ids=[n[:30] for n, _ in SUBSET])
def test_check_config_and_a_frame_in_a_real_process_never_show_a_traceback(tmp_path, name, text):
    path = write(tmp_path / "config.toml", text)
    for args in (
        ["check-config", str(path)],
        ["--once", "--driver", "jsonl", "--config", str(path)],
    ):
        result = run(*args)
        assert result.returncode in (exitcodes.OK, exitcodes.CONFIG), result.stderr
        assert "Traceback" not in result.stderr


def test_a_fifo_in_a_real_process_is_a_config_error(tmp_path):
    fifo = next(special_files(tmp_path))
    result = run("check-config", str(fifo))
    assert result.returncode == exitcodes.CONFIG and result.stderr.count("\n") == 1


def test_reload_of_any_corpus_file_keeps_the_clock_ticking(tmp_path, caplog):
    service, _, _ = make_service(tmp_path, datetime(2026, 6, 1, 12, 0, 0, tzinfo=LONDON))
    path = tmp_path / "config.toml"
    service.loader = lambda: commands.load(argparse.Namespace(config=path))  # as the clock does
    with caplog.at_level(logging.ERROR):
        for name, text in CORPUS:
            prefix = b"" if re.match(rb"\s*driver\s*=", _bytes(text)) else b'driver = "fake"\n'
            write(path, prefix + _bytes(text))
            before = service.config
            with no_hang():
                reloaded = service.reload()
            assert reloaded or service.config is before, name
            assert isinstance(service.driver, FakeDriver), name
    (tmp_path / "special").mkdir()
    for special in special_files(tmp_path / "special"):
        service.loader = lambda special=special: config.load(special, environ={})
        with no_hang():
            assert service.reload() is False
    assert service.run(frames=2) == exitcodes.OK
    assert len(service.driver.frames) == 2


def _bytes(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode()
