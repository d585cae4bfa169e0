"""How fast a command published on ``…/set`` reaches one clock's display through
``binclock mqtt``, next to the same change sent straight to the control API (the baseline).

A jsonl clock, its bridge and mosquitto (the tests' broker: Debian's, on a free loopback
port) run here; each command alternates a low and a high brightness at a random moment of
the second, and is timed from its publish to the jsonl driver's first line with the new
brightness.

Run: python benchmarks/mqtt_latency.py [--commands 200]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from broker import Broker, Listener, broker_missing
from control import HIGH, LOW, Lines, alone, answers, clock_argv, patch_latency, wait_for
from ticker import percentile

from binclock.control.client import ControlClient


def mqtt_latency(commands: int) -> list[float]:
    """Milliseconds from publishing each command to the display showing it."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        broker = Broker(folder / "broker")
        broker.start()
        sock = folder / "control.sock"
        clock = subprocess.Popen(
            clock_argv(
                folder, f'control.socket="{sock}"', "display.brightness=0.2", driver="jsonl"
            ),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=alone(folder),
        )
        config = folder / "config.toml"
        config.write_text(
            f'[mqtt]\nhost = "127.0.0.1"\nport = {broker.ports.plain}\ndevice_id = "bench"\n'
        )
        bridge = subprocess.Popen(
            [
                *(sys.executable, "-m", "binclock", "mqtt"),
                "--config",
                str(config),
                "--socket",
                str(sock),
            ],
            stderr=subprocess.DEVNULL,
            env=alone(folder),
        )
        listener = Listener(broker.ports.plain, "binclock/bench/availability")
        try:
            lines = Lines(clock)
            wait_for(lambda: answers(lambda: ControlClient(sock, timeout=5)), "the clock")
            wait_for(
                lambda: (
                    (m := listener.last("binclock/bench/availability")) is not None
                    and m.payload == b"online"
                ),
                "the bridge",
            )
            latencies = []
            for i in range(commands):
                bright = i % 2 == 0
                time.sleep(random.uniform(0, 0.3))  # land anywhere in the second
                data = json.dumps({"brightness": round((HIGH if bright else LOW) * 255)})
                sent = time.monotonic()
                listener.client.publish("binclock/bench/set", data, qos=0)
                latencies.append((lines.first_after(sent, bright) - sent) * 1000)
            return latencies
        finally:
            listener.close()
            for process in (bridge, clock):
                process.terminate()
                process.wait(timeout=10)
            broker.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=200, help="commands timed (200)")
    args = parser.parse_args()
    missing = broker_missing()
    if missing:
        raise SystemExit(f"benchmark: {missing}")
    for name, latencies in (
        ("PATCH /api/state (baseline)", patch_latency(args.commands)),
        ("MQTT …/set through the bridge", mqtt_latency(args.commands)),
    ):
        print(
            f"{name:32} p50 {statistics.median(latencies):6.1f} ms,"
            f" p99 {percentile(latencies, 99):6.1f} ms, max {max(latencies):6.1f} ms"
        )
    print("(target: a command on the display within 100 ms of its arrival)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
