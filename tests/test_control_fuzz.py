"""Hostile bodies for the control API of a real clock: every one gets an answer with a
status the API documents, the clock never stops, and no traceback reaches its log."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_control_socket import Clock, raw

DOCUMENTED = {200, 202, 400, 413, 415, 422}
FIELDS = ["power", "brightness", "face", "face_options", "theme", "clock", "schedule", "driver"]
NOTIFY = ["number", "colour", "blink", "face", "seconds", "priority"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["os:system", "subprocess:run", "builtins:exec", "#ff0000", "bcd", "off"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def bodies(keys: list[str]) -> st.SearchStrategy[dict]:
    return st.dictionaries(st.sampled_from(keys) | st.text(max_size=8), values, max_size=4)


NASTY = [
    b"[" * 100_000 + b"]" * 100_000,  # nested past the parser's recursion limit
    b'{"brightness": ' + b"9" * 5000 + b"}",  # past the int digit limit
    b'{"brightness": NaN}',
    b'{"brightness": Infinity}',
    b'{"face": "\\ud800"}',  # a lone surrogate
    b"\xff\xfe not text",
    b'{"face_options": {"command": "sh -c \'x"}, "face": "number"}',
    b'{"notify": 1}',
]


@pytest.fixture(scope="module")
def clock() -> Iterator[Clock]:
    folder = Path(tempfile.mkdtemp(prefix="bcf-", dir="/tmp"))
    running = Clock(folder / "control.sock", folder / "state.json")
    yield running
    code, stderr = running.stop()
    assert code == 0
    assert "Traceback" not in stderr


def status_of(clock: Clock, method: str, path: str, body: bytes) -> int:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: binclock\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    answer = raw(clock.socket, head + body)
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.") else 0


def answered_and_ticking(clock: Clock, method: str, path: str, body: bytes) -> None:
    """``body`` gets a status the API documents, and the clock still answers after it."""
    assert status_of(clock, method, path, body) in DOCUMENTED
    assert clock.proc.poll() is None
    assert clock.client().call("GET", "/api/state")["api"] == 1


@pytest.mark.parametrize("body", NASTY, ids=lambda b: repr(b[:24]))
@pytest.mark.parametrize(("method", "path"), [("PATCH", "/api/state"), ("POST", "/api/notify")])
def test_a_nasty_body_gets_a_documented_answer(clock, method, path, body):
    answered_and_ticking(clock, method, path, body)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies(FIELDS))
def test_any_state_patch_gets_a_documented_answer(clock, body):
    answered_and_ticking(clock, "PATCH", "/api/state", json.dumps(body).encode())


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies(NOTIFY))
def test_any_notify_gets_a_documented_answer(clock, body):
    answered_and_ticking(clock, "POST", "/api/notify", json.dumps(body).encode())
