"""Time to the first frame and peak memory of ``binclock --driver terminal``, next to
``python3 -c "print('x')"`` (the interpreter alone) measured the same way in the same run.

Each command runs in a pseudo-terminal; the clock is stopped with SIGTERM as soon as its
first frame arrives, and its peak resident memory comes from wait4(2).

Run: python benchmarks/startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import statistics
import sys
import time

from ptyclock import PtyClock

COMMANDS = {
    "python3 -c print": [sys.executable, "-c", "print('x')"],
    "binclock --driver terminal": [sys.executable, "-m", "binclock", "--driver", "terminal"],
}


def once(argv: list[str]) -> tuple[float, float]:
    """Seconds from start to the first output, and peak RSS in MiB."""
    clock = PtyClock(argv)
    clock.start()
    started = clock.started
    first = None
    while first is None and time.time() - started < 30:
        ready, _, _ = select.select([clock.master], [], [], 1)
        if ready:
            first = time.time()
    if clock.proc.poll() is None:
        clock.proc.send_signal(signal.SIGTERM)
    _, _, usage = os.wait4(clock.proc.pid, 0)
    clock.proc.returncode = 0
    os.close(clock.master)
    return (first or float("nan")) - started, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    results = {name: [once(argv) for _ in range(args.runs)] for name, argv in COMMANDS.items()}
    print(f"median of {args.runs} runs")
    print(f"{'':28}{'first output':>14}{'peak RSS':>12}")
    medians = {}
    for name, runs in results.items():
        latency = statistics.median(r[0] for r in runs) * 1000
        rss = statistics.median(r[1] for r in runs)
        medians[name] = (latency, rss)
        print(f"{name:28}{latency:>12.0f}ms{rss:>9.1f}MiB")
    (base_ms, base_rss), (ours_ms, ours_rss) = medians.values()
    time_ratio, memory_ratio = ours_ms / base_ms, ours_rss / base_rss
    print(f"binclock / python: {time_ratio:.1f}x the time, {memory_ratio:.1f}x the memory")
    return 0


if __name__ == "__main__":
    sys.exit(main())
