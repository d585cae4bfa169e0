"""A fleet of clocks on one MQTT broker: how fast one message reaches every display.

20 clocks (``python -m binclock --driver jsonl``, each with its own control socket and state
in a temporary folder) and 20 bridges (``python -m binclock mqtt``, each with its own
device id) on one mosquitto started on a free loopback port, as the tests start it. Each
clock's jsonl lines are read and timestamped as they arrive; a change is seen when the first
line with the new brightness arrives.

1. The fleet: one message on ``binclock/all/set`` toggling the brightness between low and
   high, ``--rounds`` times: the time until every clock's display showed it (p50, max).
2. One clock: a message on its own ``…/set`` topic to its display (p50, p99), next to the
   baseline, the same change sent straight to its control socket (``PATCH /api/state``),
   and their ratio.
3. One bridge at rest for ``--seconds`` (its clock ticking, each frame reaching it): its CPU
   per minute and resident memory, next to the clock it follows.

Needs Debian's mosquitto (/usr/sbin/mosquitto) and the ``mqtt`` extra.
Run: python benchmarks/fleet.py [--clocks 20] [--rounds 30] [--changes 200] [--seconds 60]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from control import HIGH, LOW, Lines, alone, answers, clock_argv, cpu_per_minute, wait_for
from ptyclock import rss_kib
from ticker import percentile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from broker import Broker, broker_missing  # noqa: E402

from binclock.control.client import ControlClient  # noqa: E402

START_TIMEOUT = 120  # 40 processes starting at once on a small machine


class Member:
    """One clock of the fleet (jsonl display, its lines read) and its bridge."""

    def __init__(self, folder: Path, device_id: str, port: int) -> None:
        folder.mkdir()
        self.device_id = device_id
        self.socket = folder / "control.sock"
        env = alone(folder)
        settings = (f'control.socket="{self.socket}"', f"display.brightness={LOW}")
        self.clock = subprocess.Popen(
            clock_argv(folder, *settings, driver="jsonl"),
            stdout=subprocess.PIPE,
            stderr=(folder / "clock.log").open("wb"),
            text=True,
            env=env,
        )
        self.lines = Lines(self.clock)
        mqtt = {"host": '"127.0.0.1"', "port": port, "device_id": f'"{device_id}"'}
        self.bridge = subprocess.Popen(
            [
                *(sys.executable, "-m", "binclock", "mqtt", "--socket", str(self.socket)),
                *(arg for key, value in mqtt.items() for arg in ("--set", f"mqtt.{key}={value}")),
            ],
            stdout=subprocess.DEVNULL,
            stderr=(folder / "bridge.log").open("wb"),
            env=env,
        )

    def client(self) -> ControlClient:
        return ControlClient(self.socket, timeout=5)

    def stop(self) -> None:
        for process in (self.bridge, self.clock):
            process.terminate()
        for process in (self.bridge, self.clock):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def fleet(folder: Path, port: int, count: int) -> Iterator[list[Member]]:
    """``count`` clocks and bridges, each clock answering on its socket."""
    members: list[Member] = []
    try:
        for i in range(count):
            members.append(Member(folder / f"clock-{i:02}", f"clock-{i:02}", port))
        for member in members:
            wait_for(lambda m=member: answers(m.client), "a clock", START_TIMEOUT)
        yield members
    finally:
        for member in members:
            member.stop()


def toggles(rounds: int, send: Callable[[bool], None], seen: Callable[[float, bool], float]) -> list[float]:
    """Milliseconds from each ``send(bright)`` to ``seen(sent, bright)``, over ``rounds``
    changes between low and high brightness sent at random moments of the second."""
    latencies = []
    for i in range(rounds):
        bright = i % 2 == 0
        time.sleep(random.uniform(0, 0.3))
        sent = time.monotonic()
        send(bright)
        latencies.append((seen(sent, bright) - sent) * 1000)
    return latencies


def level(bright: bool) -> bytes:
    """A ``…/set`` message: the high or low brightness, on Home Assistant's 0-255 scale."""
    return json.dumps({"brightness": round((HIGH if bright else LOW) * 255)}).encode()


def patch(member: Member, bright: bool) -> None:
    conn = member.client()
    conn.call("PATCH", "/api/state", {"brightness": HIGH if bright else LOW})
    conn.close()
