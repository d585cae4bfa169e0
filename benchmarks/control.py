"""What the control API costs the clock and the web page, and how fast a change shows.

1. The terminal clock in a pseudo-terminal (as benchmarks/ticker.py measures it): its lag
   behind each second (p50, p99) and CPU per minute with the control socket off (the clock
   as it was before the control API), on with no client, and on with 5 subscribers reading
   ``/api/events`` (Server-Sent Events: a frame a second each).
2. ``binclock web`` in front of a clock: its CPU per minute and resident memory idle, and
   with 5 clients streaming ``/api/events`` through it over loopback (plain HTTP readers
   standing in for 5 browsers: a page does nothing else with the stream but draw it).
3. ``PATCH /api/state`` to the display: from sending the request to the moment the ``jsonl``
   driver's line with the new brightness arrives, over ``--patches`` changes between a low
   and a high brightness, sent at random moments of the second.

Each run gets its own socket and state file in a temporary folder, so no state is kept.
Run: python benchmarks/control.py [--seconds 20] [--warmup 3] [--patches 200]
(the clock's figures over 10 minutes: --seconds 600)
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from ptyclock import PtyClock, cpu_ns, rss_kib
from ticker import Result, measure, percentile

from binclock.control.client import ControlClient, ControlError

CLIENTS = 5
LOW, HIGH = 0.2, 0.8  # every lit channel is at most 51 at LOW, at least 176 at HIGH
BETWEEN = 110


class Readers:
    """``count`` threads reading an event stream until the process behind it stops."""

    def __init__(self, count: int, connect: Callable[[], http.client.HTTPConnection]) -> None:
        self.events = [0] * count
        self.connect = connect
        for i in range(count):
            threading.Thread(target=self._read, args=(i,), daemon=True).start()

    def _read(self, i: int) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = self.connect()
                conn.request("GET", "/api/events", headers={"Accept": "text/event-stream"})
                response = conn.getresponse()
                if response.status != 200:
                    raise ControlError(response.status, response.reason)
                if conn.sock is not None:
                    conn.sock.settimeout(None)
                for line in response:
                    if line.startswith(b"event: "):
                        self.events[i] += 1
                return
            except (OSError, http.client.HTTPException, ControlError):
                time.sleep(0.05)  # not listening yet

    def total(self) -> int:
        return sum(self.events)


def clock_argv(folder: Path, *settings: str, driver: str = "terminal") -> list[str]:
    return [
        sys.executable,
        "-m",
        "binclock",
        "--driver",
        driver,
        "--set",
        f'control.state_file="{folder / "state.json"}"',
        *(arg for setting in settings for arg in ("--set", setting)),
    ]


def alone(folder: Path) -> dict[str, str]:
    """An environment with ``folder`` as home: no configuration or state of the user's."""
    return {**os.environ, "HOME": str(folder), "XDG_CONFIG_HOME": str(folder)}


def clock_costs(seconds: float, warmup: float) -> list[Result]:
    """The terminal clock: control socket off, on and idle, on with CLIENTS subscribers."""
    results = []
    cases = (
        ("socket off", None),
        ("socket on, 0 clients", 0),
        (f"socket on, {CLIENTS} SSE", CLIENTS),
    )
    for name, subscribers in cases:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            sock = folder / "control.sock"
            path = f'control.socket="{sock}"' if subscribers is not None else 'control.socket=""'
            clock = PtyClock(clock_argv(folder, path), name=name)
            if subscribers:
                readers = Readers(subscribers, lambda s=sock: ControlClient(s, timeout=5))
            (result,) = measure([clock], seconds, warmup)
            if subscribers:
                result.name += f" ({readers.total()} events)"
            results.append(result)
    return results


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_per_minute(pids: list[int], seconds: float) -> list[float]:
    start = [cpu_ns(pid) for pid in pids]
    t0 = time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - t0
    return [(cpu_ns(pid) - s) / 1e6 / elapsed * 60 for pid, s in zip(pids, start, strict=True)]


def wait_for(ready: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(f"benchmark: {what} did not come up within {timeout:.0f}s")
        time.sleep(0.05)


def answers(connect: Callable[[], http.client.HTTPConnection]) -> bool:
    try:
        conn = connect()
        conn.request("GET", "/api/state")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except (OSError, http.client.HTTPException, ControlError):
        return False


def web_costs(seconds: float, warmup: float) -> list[tuple[str, float, float, float]]:
    """``binclock web`` before a jsonl clock: (case, web CPU/min, web RSS, clock CPU/min)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sock = folder / "control.sock"
        clock = subprocess.Popen(
            clock_argv(folder, f'control.socket="{sock}"', driver="jsonl"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=alone(folder),
        )
        port = free_port()
        web = subprocess.Popen(
            [
                *(sys.executable, "-m", "binclock", "web", "--listen", f"127.0.0.1:{port}"),
                *("--socket", str(sock), "--set", f'web.token_file="{folder / "token"}"'),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=alone(folder),
        )
        try:
            wait_for(lambda: answers(lambda: ControlClient(sock, timeout=2)), "the clock")
            page = lambda: http.client.HTTPConnection("127.0.0.1", port, timeout=5)  # noqa: E731
            wait_for(lambda: answers(page), "binclock web")
            time.sleep(warmup)
            rows = []
            idle_web, idle_clock = cpu_per_minute([web.pid, clock.pid], seconds)
            rows.append(("idle", idle_web, rss_kib(web.pid) / 1024, idle_clock))
            readers = Readers(CLIENTS, page)
            time.sleep(warmup)
            busy_web, busy_clock = cpu_per_minute([web.pid, clock.pid], seconds)
            name = f"{CLIENTS} streaming ({readers.total()} events)"
            rows.append((name, busy_web, rss_kib(web.pid) / 1024, busy_clock))
            return rows
        finally:
            for process in (web, clock):
                process.terminate()
                process.wait(timeout=10)


class Lines:
    """The jsonl clock's lines as they arrive: when, and whether the display is bright."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.seen: list[tuple[float, bool]] = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            arrived = time.monotonic()
            brightest = max(max(p) for p in json.loads(line)["pixels"])
            if brightest:  # an all-dark second says nothing about brightness
                with self.changed:
                    self.seen.append((arrived, brightest > BETWEEN))
                    self.changed.notify_all()

    def first_after(self, since: float, bright: bool, timeout: float = 5) -> float:
        """When the first line since ``since`` with the brightness asked for arrived."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = [at for at, is_bright in self.seen if at >= since and is_bright == bright]
                if found:
                    return found[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SystemExit("benchmark: a change never reached the display")
                self.changed.wait(left)


def jsonl_clock(folder: Path, sock: Path) -> subprocess.Popen:
    """A jsonl clock at brightness LOW serving ``sock``, its lines on a pipe."""
    return subprocess.Popen(
        clock_argv(folder, f'control.socket="{sock}"', f"display.brightness={LOW}", driver="jsonl"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=alone(folder),
    )


class Display(Protocol):
    """Where changes show: ``first_after(since, bright)`` is when one first did (a clock's
    ``Lines``, or the last of many clocks)."""

    def first_after(self, since: float, bright: bool) -> float: ...


def timed_changes(lines: Display, changes: int, send: Callable[[bool], None]) -> list[float]:
    """Milliseconds from each ``send(bright)`` (high, low, high...) to the display showing it."""
    latencies = []
    for i in range(changes):
        bright = i % 2 == 0
        time.sleep(random.uniform(0, 0.3))  # land anywhere in the second
        sent = time.monotonic()
        send(bright)
        latencies.append((lines.first_after(sent, bright) - sent) * 1000)
    return latencies


def patch_latency(patches: int) -> list[float]:
    """Milliseconds from sending each PATCH to the display showing it."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sock = folder / "control.sock"
        clock = jsonl_clock(folder, sock)
        try:
            lines = Lines(clock)
            client = lambda: ControlClient(sock, timeout=5)  # noqa: E731
            wait_for(lambda: answers(client), "the clock")

            def patch(bright: bool) -> None:
                with contextlib.closing(client()) as conn:
                    conn.call("PATCH", "/api/state", {"brightness": HIGH if bright else LOW})

            return timed_changes(lines, patches, patch)
        finally:
            clock.terminate()
            clock.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="each measured run (20)")
    parser.add_argument("--warmup", type=float, default=3.0, help="start-up not measured (3)")
    parser.add_argument("--patches", type=int, default=200, help="PATCHes timed (200)")
    args = parser.parse_args()
    os.environ.pop("RUNTIME_DIRECTORY", None)  # every socket is named explicitly here

    print(f"1. the terminal clock, {args.seconds:.0f} s each after {args.warmup:.0f} s start-up")
    print(f"{'':34}{'frames':>7}{'lag p50':>11}{'p99':>11}{'skipped':>9}{'CPU/min':>10}{'RSS':>10}")
    clocks = clock_costs(args.seconds, args.warmup)
    for r in clocks:
        print(
            f"{r.name:34}{len(r.lags_ms):>7}{statistics.median(r.lags_ms):>9.3f}ms"
            f"{percentile(r.lags_ms, 99):>9.3f}ms{r.skipped:>9}{r.cpu_ms_per_min:>8.1f}ms"
            f"{r.rss_mib:>7.1f}MiB"
        )
    base = clocks[0]
    for r in clocks[1:]:
        p50 = statistics.median(r.lags_ms) / statistics.median(base.lags_ms)
        p99 = percentile(r.lags_ms, 99) / percentile(base.lags_ms, 99)
        cpu = r.cpu_ms_per_min / base.cpu_ms_per_min
        print(f"  {r.name} / socket off: lag p50 x{p50:.2f}, p99 x{p99:.2f}, CPU x{cpu:.2f}")

    print(f"\n2. binclock web before a jsonl clock, {args.seconds:.0f} s each")
    print(f"{'':34}{'web CPU/min':>12}{'web RSS':>10}{'clock CPU/min':>15}")
    rows = web_costs(args.seconds, args.warmup)
    for name, web_cpu, rss, clock_cpu in rows:
        print(f"{name:34}{web_cpu:>10.1f}ms{rss:>7.1f}MiB{clock_cpu:>13.1f}ms")
    (_, idle_cpu, idle_rss, _), (_, busy_cpu, busy_rss, _) = rows
    cpu, rss = busy_cpu / idle_cpu, busy_rss / idle_rss
    print(f"  {CLIENTS} streaming / idle: CPU x{cpu:.2f}, RSS x{rss:.2f}")

    print(f"\n3. PATCH /api/state to the jsonl line showing it, {args.patches} changes")
    latencies = patch_latency(args.patches)
    print(
        f"  p50 {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 99):.1f} ms,"
        f" max {max(latencies):.1f} ms (target: p99 <= 100 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
