"""A fleet of clocks on one MQTT broker: how fast one message reaches every display.

20 clocks (``python -m binclock --driver jsonl``, each with its own control socket and state
in a temporary folder) and 20 bridges (``python -m binclock mqtt``, each with its own
device id) on one mosquitto started on a free loopback port, as the tests start it. Each
clock's jsonl lines are read and timestamped as they arrive; a change is seen when the first
line with the new brightness arrives.

1. The fleet: one message on ``binclock/all/set`` toggling the brightness between low and
   high, ``--rounds`` times: the time until every clock's display showed it (p50, max), and
   the CPU a message costs the broker, the clocks and the bridges (read from each process's
   CPU-time clock): on one machine they share its cores, on Pis of their own they do not.
2. One clock: a message on its own ``…/set`` topic to its display (p50, p99, max), next to
   the baseline, the same change sent straight to its control socket (``PATCH
   /api/state``), and their ratio; the two ways take turns, 10 changes each. With
   ``--clocks 1`` it is one clock and its bridge alone on the broker.
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
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from control import (
    HIGH,
    LOW,
    Lines,
    alone,
    answers,
    cpu_per_minute,
    jsonl_clock,
    timed_changes,
    wait_for,
)
from ptyclock import cpu_ns, rss_kib
from ticker import percentile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from broker import Listener, broker_missing, running_broker

from binclock.control.client import ControlClient

START_TIMEOUT = 120  # 40 processes starting at once on a small machine
BLOCK = 10  # changes to one clock made one way before the other way's turn (even)


class Member:
    """One clock of the fleet (jsonl display, its lines read) and its bridge."""

    def __init__(self, folder: Path, device_id: str, port: int) -> None:
        folder.mkdir()
        self.device_id = device_id
        self.socket = folder / "control.sock"
        self.clock = jsonl_clock(folder, self.socket)
        self.lines = Lines(self.clock)
        mqtt = {"host": '"127.0.0.1"', "port": port, "device_id": f'"{device_id}"'}
        command = [sys.executable, "-m", "binclock", "mqtt", "--socket", str(self.socket)]
        command += [arg for key, value in mqtt.items() for arg in ("--set", f"mqtt.{key}={value}")]
        with (folder / "bridge.log").open("wb") as log:
            self.bridge = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=log, env=alone(folder)
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


@dataclass(frozen=True)
class Everyone:
    """Every clock's display: a change has shown once the last of them shows it."""

    members: list[Member]

    def first_after(self, since: float, bright: bool) -> float:
        return max(m.lines.first_after(since, bright) for m in self.members)


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


def level(bright: bool) -> bytes:
    """A ``…/set`` message: the high or low brightness, on Home Assistant's 0-255 scale."""
    return json.dumps({"brightness": round((HIGH if bright else LOW) * 255)}).encode()


def patch(member: Member, bright: bool) -> None:
    conn = member.client()
    conn.call("PATCH", "/api/state", {"brightness": HIGH if bright else LOW})
    conn.close()


def online(listener: Listener, members: list[Member]) -> bool:
    """Whether every bridge has said it reaches both the broker and its clock."""
    for member in members:
        last = listener.last(f"binclock/{member.device_id}/availability")
        if last is None or last.payload != b"online":
            return False
    return True


def bridge_costs(member: Member, seconds: float) -> tuple[float, float, float, float]:
    """One bridge and its clock at rest: (bridge CPU/min, bridge RSS MiB, clock CPU/min,
    clock RSS MiB)."""
    bridge, clock = member.bridge.pid, member.clock.pid
    bridge_cpu, clock_cpu = cpu_per_minute([bridge, clock], seconds)
    return bridge_cpu, rss_kib(bridge) / 1024, clock_cpu, rss_kib(clock) / 1024


def fleet_latency(
    listener: Listener, members: list[Member], broker: int, rounds: int
) -> tuple[list[float], dict[str, float]]:
    """Milliseconds from each fleet message to the last display showing it, and the CPU
    milliseconds a message cost the broker (``broker`` is its pid), clocks and bridges."""
    groups = {
        "broker": [broker],
        "clocks": [m.clock.pid for m in members],
        "bridges": [m.bridge.pid for m in members],
    }
    before = {name: sum(map(cpu_ns, pids)) for name, pids in groups.items()}
    latencies = timed_changes(
        Everyone(members),
        rounds,
        lambda bright: listener.publish("binclock/all/set", level(bright)),
    )
    cpu = {
        name: (sum(map(cpu_ns, pids)) - before[name]) / 1e6 / rounds
        for name, pids in groups.items()
    }
    return latencies, cpu


def one_clock(listener: Listener, one: Member, changes: int) -> tuple[list[float], list[float]]:
    """Milliseconds to ``one``'s display for changes through its socket, then through MQTT,
    in turns of BLOCK, so that drift in the machine's load favours neither."""
    direct: list[float] = []
    mqtt: list[float] = []
    for _ in range(0, changes, BLOCK):
        direct += timed_changes(one.lines, BLOCK, lambda b: patch(one, b))
        mqtt += timed_changes(
            one.lines,
            BLOCK,
            lambda b: listener.publish(f"binclock/{one.device_id}/set", level(b)),
        )
    return direct, mqtt


def summary(latencies: list[float]) -> str:
    return (
        f"p50 {statistics.median(latencies):6.1f} ms   p99 {percentile(latencies, 99):6.1f} ms"
        f"   max {max(latencies):6.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clocks", type=int, default=20, help="clocks and bridges (20)")
    parser.add_argument("--rounds", type=int, default=30, help="fleet messages timed (30)")
    parser.add_argument("--changes", type=int, default=200, help="changes to one clock (200)")
    parser.add_argument("--seconds", type=float, default=60.0, help="the bridge at rest (60)")
    args = parser.parse_args()
    missing = broker_missing()
    if missing:
        raise SystemExit(f"benchmark: {missing}")
    os.environ.pop("RUNTIME_DIRECTORY", None)  # every socket is named explicitly here

    n = args.clocks
    with tempfile.TemporaryDirectory() as tmp, running_broker(Path(tmp) / "broker") as broker:
        assert broker.process is not None
        port = broker.ports.plain
        print(f"{n} clocks (jsonl) and {n} bridges on one mosquitto", flush=True)
        with fleet(Path(tmp), port, n) as members:
            listener = Listener(port, "binclock/+/availability")
            wait_for(lambda: online(listener, members), "every bridge", START_TIMEOUT)
            one = members[0]

            everyone, cpu = fleet_latency(listener, members, broker.process.pid, args.rounds)
            print(f"\n1. one message on binclock/all/set until all {n} displays showed it,")
            print(f"   {args.rounds} rounds")
            print(f"   p50 {statistics.median(everyone):6.1f} ms   max {max(everyone):6.1f} ms")
            split = ", ".join(f"{name} {ms:.1f} ms" for name, ms in cpu.items())
            print(
                f"   CPU per message: {sum(cpu.values()):.0f} ms ({split}),"
                f" on {os.cpu_count()} CPUs shared by all",
                flush=True,
            )

            direct, mqtt = one_clock(listener, one, args.changes)
            listener.close()
            print(f"\n2. one clock, {args.changes} changes each, until its display showed it")
            print(f"   {'PATCH /api/state (baseline)':34}{summary(direct)}")
            print(f"   {'MQTT …/set, broker to display':34}{summary(mqtt)}")
            p50 = statistics.median(mqtt) / statistics.median(direct)
            p99 = percentile(mqtt, 99) / percentile(direct, 99)
            fleet_p50 = statistics.median(everyone) / statistics.median(direct)
            print(f"   MQTT / baseline: p50 x{p50:.2f}, p99 x{p99:.2f}")
            print(f"   fleet (all {n}) / baseline: p50 x{fleet_p50:.2f}", flush=True)

            bridge_cpu, bridge_rss, clock_cpu, clock_rss = bridge_costs(one, args.seconds)
            print(f"\n3. one bridge at rest for {args.seconds:.0f} s, next to the clock it follows")
            print(f"   bridge: CPU {bridge_cpu:6.1f} ms/min   RSS {bridge_rss:5.1f} MiB")
            print(f"   clock:  CPU {clock_cpu:6.1f} ms/min   RSS {clock_rss:5.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
