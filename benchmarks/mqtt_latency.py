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
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from broker import Broker, Listener, broker_missing
from control import HIGH, LOW, Lines, alone, jsonl_clock, patch_latency, timed_changes, wait_for
from ticker import percentile

AVAILABILITY = "binclock/bench/availability"


def mqtt_latency(commands: int) -> list[float]:
    """Milliseconds from publishing each command to the display showing it."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        broker = Broker(folder / "broker")
        broker.start()
        sock = folder / "control.sock"
        clock = jsonl_clock(folder, sock)
        config = folder / "config.toml"
        config.write_text(
            f'[mqtt]\nhost = "127.0.0.1"\nport = {broker.ports.plain}\ndevice_id = "bench"\n'
        )
        argv = ["mqtt", "--config", str(config), "--socket", str(sock)]
        bridge = subprocess.Popen(
            [sys.executable, "-m", "binclock", *argv],
            stderr=subprocess.DEVNULL,
            env=alone(folder),
        )
        listener = Listener(broker.ports.plain, AVAILABILITY)
        try:
            lines = Lines(clock)
            wait_for(
                lambda: (m := listener.last(AVAILABILITY)) and m.payload == b"online", "the bridge"
            )

            def publish(bright: bool) -> None:
                level = round((HIGH if bright else LOW) * 255)
                listener.client.publish("binclock/bench/set", json.dumps({"brightness": level}))

            return timed_changes(lines, commands, publish)
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
