"""How close to each wall-clock second the terminal clock draws, and what it costs.

Runs the real ``binclock --driver terminal`` in a pseudo-terminal (its stdin the terminal,
so it reads keys, and again with stdin from /dev/null, without), then a naive loop (the
same face, painter and terminal driver, timed by ``while True: draw(); sleep(1)``) the same
way, reads each one's output as it arrives and compares the second it shows with the moment
it arrived. After a warm-up it reads CPU time from /proc/PID/schedstat and the resident
memory from /proc/PID/status. The two run one after the other (``--together``: at once),
since a second process waking near the same moment changes both one's lag and its CPU.

Run: python benchmarks/ticker.py [--seconds 70] [--warmup 5] [--together] [--config FILE]
(the issue's 10-minute check: --seconds 600; --config runs binclock with that file, such as
benchmarks/sun-schedule.toml, to compare a configuration with the defaults)
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from dataclasses import dataclass

from ptyclock import PtyClock, read_until

NAIVE = """
import time
from datetime import datetime
from binclock.clock import local_zone
from binclock.drivers.terminal import TerminalDriver
from binclock.faces.time import BinaryFace
from binclock.painter import Painter
from binclock.pipeline import Pipeline

tz = local_zone()
pipeline = Pipeline(BinaryFace(), Painter())
driver = TerminalDriver()
try:
    while True:
        now = datetime.now(tz)
        driver.show(pipeline.render(now.replace(microsecond=0)))
        time.sleep(1)
finally:
    driver.close()
"""


@dataclass
class Result:
    name: str
    lags_ms: list[float]
    skipped: int
    repeated: int
    cpu_ms_per_min: float
    rss_mib: float


def measure(clocks: list[PtyClock], seconds: float, warmup: float) -> list[Result]:
    """Run ``clocks`` at once, and measure each for ``seconds`` after ``warmup``."""
    for clock in clocks:
        clock.start()
    read_until(clocks, time.time() + warmup)
    cpu0 = [c.cpu_ns() for c in clocks]
    t0 = time.time()
    read_until(clocks, t0 + seconds)
    elapsed = time.time() - t0
    results = []
    for clock, cpu_start in zip(clocks, cpu0, strict=True):
        cpu = (clock.cpu_ns() - cpu_start) / 1e6 / elapsed * 60
        rss = clock.rss_kib() / 1024
        clock.stop()
        measured = [a for a in clock.arrivals if a.at >= t0]
        lags = [(a.at - a.shown) * 1000 for a in measured]
        shown = [a.shown for a in measured]
        steps = [b - a for a, b in itertools.pairwise(shown)]
        skipped = sum(s - 1 for s in steps if s > 1)
        repeated = sum(1 for s in steps if s == 0)
        results.append(Result(clock.name, lags, skipped, repeated, cpu, rss))
    return results


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=70.0, help="measured time (default 70)")
    parser.add_argument("--warmup", type=float, default=5.0, help="start-up not measured")
    parser.add_argument(
        "--together", action="store_true", help="run both clocks at once, not one after the other"
    )
    parser.add_argument("--config", help="configuration file for binclock (default: none)")
    args = parser.parse_args()
    config = ["--config", args.config] if args.config else []
    binclock = [sys.executable, "-m", "binclock", "--driver", "terminal", *config]
    clocks = [
        PtyClock(binclock, name="binclock"),
        PtyClock(binclock, name="binclock, no keys", keyboard=False),
        PtyClock([sys.executable, "-c", NAIVE], name="naive sleep(1) loop"),
    ]
    if args.together:
        results = measure(clocks, args.seconds, args.warmup)
    else:
        results = [r for clock in clocks for r in measure([clock], args.seconds, args.warmup)]
    how = "at once" if args.together else "one after the other"
    print(
        f"terminal clocks in a pseudo-terminal, {how}: {args.seconds:.0f} s measured after"
        f" {args.warmup:.0f} s start-up"
    )
    header = f"{'':22}{'frames':>7}{'lag p50':>11}{'p99':>11}{'max':>10}{'skipped':>9}"
    print(header + f"{'repeated':>10}{'CPU/min':>10}{'RSS':>10}")
    for r in results:
        print(
            f"{r.name:22}{len(r.lags_ms):>7}{statistics.median(r.lags_ms):>9.3f}ms"
            f"{percentile(r.lags_ms, 99):>9.3f}ms{max(r.lags_ms):>8.1f}ms"
            f"{r.skipped:>9}{r.repeated:>10}{r.cpu_ms_per_min:>8.1f}ms{r.rss_mib:>7.1f}MiB"
        )
    ours, no_keys, naive = results
    ratio = statistics.median(naive.lags_ms) / statistics.median(ours.lags_ms)
    print(f"median lag: binclock is {ratio:.0f}x closer to the second than the naive loop")
    cpu = ours.cpu_ms_per_min / naive.cpu_ms_per_min
    print(f"CPU per minute: binclock uses {cpu:.2f}x the naive loop's")
    keys = ours.cpu_ms_per_min - no_keys.cpu_ms_per_min
    print(f"reading keys: {keys:+.1f} ms of CPU per minute")
    return 0


if __name__ == "__main__":
    sys.exit(main())
