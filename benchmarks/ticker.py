"""How close to each wall-clock second the terminal clock draws, and what it costs.

Runs the real ``binclock --driver terminal`` in a pseudo-terminal next to a naive loop
(the same face, painter and terminal driver, timed by ``while True: draw(); sleep(1)``),
both at once, reads each one's output as it arrives and compares the second it shows with
the moment it arrived. After a warm-up it reads CPU time from /proc/PID/schedstat and the
resident memory from /proc/PID/status.

Run: python benchmarks/ticker.py [--seconds 70] [--warmup 5]
(the issue's 10-minute check: --seconds 600)
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


def measure(clocks: dict[str, PtyClock], seconds: float, warmup: float) -> list[Result]:
    for clock in clocks.values():
        clock.start()
    read_until(list(clocks.values()), time.time() + warmup)
    cpu0 = {name: c.cpu_ns() for name, c in clocks.items()}
    t0 = time.time()
    read_until(list(clocks.values()), t0 + seconds)
    elapsed = time.time() - t0
    results = []
    for name, clock in clocks.items():
        cpu = (clock.cpu_ns() - cpu0[name]) / 1e6 / elapsed * 60
        rss = clock.rss_kib() / 1024
        clock.stop()
        measured = [a for a in clock.arrivals if a.at >= t0]
        lags = [(a.at - a.shown) * 1000 for a in measured]
        shown = [a.shown for a in measured]
        steps = [b - a for a, b in itertools.pairwise(shown)]
        skipped = sum(s - 1 for s in steps if s > 1)
        repeated = sum(1 for s in steps if s == 0)
        results.append(Result(name, lags, skipped, repeated, cpu, rss))
    return results


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=70.0, help="measured time (default 70)")
    parser.add_argument("--warmup", type=float, default=5.0, help="start-up not measured")
    args = parser.parse_args()
    clocks = {
        "binclock": PtyClock([sys.executable, "-m", "binclock", "--driver", "terminal"]),
        "naive sleep(1) loop": PtyClock([sys.executable, "-c", NAIVE]),
    }
    results = measure(clocks, args.seconds, args.warmup)
    print(
        f"terminal clock in a pseudo-terminal, {args.seconds:.0f} s measured after"
        f" {args.warmup:.0f} s start-up"
    )
    header = f"{'':22}{'frames':>7}{'lag p50':>10}{'p99':>9}{'max':>9}{'skipped':>9}"
    print(header + f"{'repeated':>10}{'CPU/min':>10}{'RSS':>9}")
    for r in results:
        print(
            f"{r.name:22}{len(r.lags_ms):>7}{statistics.median(r.lags_ms):>8.3f}ms"
            f"{percentile(r.lags_ms, 99):>7.3f}ms{max(r.lags_ms):>7.1f}ms"
            f"{r.skipped:>9}{r.repeated:>10}{r.cpu_ms_per_min:>8.1f}ms{r.rss_mib:>6.1f}MiB"
        )
    ours, naive = results
    ratio = statistics.median(naive.lags_ms) / statistics.median(ours.lags_ms)
    print(f"median lag: binclock is {ratio:.0f}x closer to the second than the naive loop")
    return 0


if __name__ == "__main__":
    sys.exit(main())
