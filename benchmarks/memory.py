"""Resident memory of the running clock over time, next to a minimal loop in the same interpreter.

Two processes run at once, with the built-in defaults: ``binclock --driver jsonl`` (its lines
dropped) and a baseline, the same interpreter printing the local time in ISO form and sleeping
to the next second boundary, so growth that comes from Python itself shows in both. VmRSS and
RssAnon are read from /proc/PID/status every ``--every`` seconds; the table shows them over
time, then each one's median, growth and least-squares slope over the whole run and over its
second half (after warm-up: a plateau has a second-half slope near zero, a leak does not).
RssAnon is the heap, where a leak would show; VmRSS also counts the pages of shared libraries,
which come and go with the page cache.

``--simulate HOURS`` runs the two on a fake clock instead: the clock's service in process with
a clock that jumps to each boundary, so days of seconds pass in a minute or so; each process
reports its own memory every simulated hour.

Run: python benchmarks/memory.py [--minutes 40] [--every 60]
     python benchmarks/memory.py --simulate 72
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from ptyclock import status_kib

BASELINE = """
import time
from datetime import datetime
from binclock.clock import local_zone

tz = local_zone()
while True:
    print(datetime.now(tz).isoformat(), flush=True)
    time.sleep(1 - time.time() % 1)
"""

# Both simulated loops print "hour VmRSS RssAnon" lines on stderr; argv[1] is the hours to run.
RSS = """
import sys

def report(hour):
    with open("/proc/self/status") as f:
        kib = dict(line.split()[:2] for line in f if line.startswith(("VmRSS:", "RssAnon:")))
    print(hour, kib["VmRSS:"], kib["RssAnon:"], file=sys.stderr, flush=True)
"""

SIMULATED_CLOCK = (
    RSS
    + """
import os
from binclock import config
from binclock.clock import ManualClock, local_zone
from binclock.daemon.notify import Notifier
from binclock.daemon.service import Service

HOURS = int(sys.argv[1])
tz = local_zone()
clock = ManualClock(1780272000.3, tz)  # 2026-06-01 00:00:00.3 UTC
start = int(clock.time())
reported = -1

def sleep(seconds):
    global reported
    clock.step(max(seconds, 0.0))  # step, not sleep: a ManualClock keeps every sleep
    hour = int((clock.time() - start) // 3600)
    if hour > reported:
        reported = hour
        report(hour)

sys.stdout = open(os.devnull, "w")
service = Service(
    lambda: config.load(None, ["driver=jsonl"]),
    clock=clock,
    sleep=sleep,
    notifier=Notifier({}),
    environ={},
)
service.run(frames=HOURS * 3600 + 1)
"""
)

SIMULATED_BASELINE = (
    RSS
    + """
import os
from datetime import datetime
from binclock.clock import local_zone

HOURS = int(sys.argv[1])
tz = local_zone()
out = open(os.devnull, "w")
start = 1780272000
for second in range(start, start + HOURS * 3600 + 1):
    if (second - start) % 3600 == 0:
        report((second - start) // 3600)
    print(datetime.fromtimestamp(second, tz).isoformat(), file=out, flush=True)
"""
)

SERIES = ("binclock VmRSS", "binclock RssAnon", "baseline VmRSS", "baseline RssAnon")
FIELDS = ("VmRSS:", "RssAnon:")


def real_time(
    minutes: float, every: float, warmup: float, env: dict[str, str]
) -> tuple[list[float], list[list[int]]]:
    """Run both at real speed; the sample times in minutes (from the end of ``warmup``
    seconds, when both have started) and the samples of each series."""
    argvs = [
        [sys.executable, "-m", "binclock", "--driver", "jsonl"],
        [sys.executable, "-c", BASELINE],
    ]
    procs = [subprocess.Popen(argv, stdout=subprocess.DEVNULL, env=env) for argv in argvs]
    times: list[float] = []
    rows: list[list[int]] = []
    try:
        time.sleep(warmup)
        t0 = time.monotonic()
        for i in range(round(minutes * 60 / every) + 1):
            time.sleep(max(0.0, t0 + i * every - time.monotonic()))
            for proc in procs:
                if proc.poll() is not None:
                    raise SystemExit(f"{proc.args[:4]} exited with status {proc.returncode}")
            times.append((time.monotonic() - t0) / 60)
            rows.append([kib for proc in procs for kib in status_kib(proc.pid, FIELDS)])
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait()
    return times, [list(series) for series in zip(*rows, strict=True)]


def simulated(hours: int, env: dict[str, str]) -> tuple[list[float], list[list[int]]]:
    """Run both on a fake clock; the simulated hours and the samples of each series."""
    series: list[list[int]] = []
    for code in (SIMULATED_CLOCK, SIMULATED_BASELINE):
        done = subprocess.run(
            [sys.executable, "-c", code, str(hours)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        rows = [line.split()[1:] for line in done.stderr.splitlines() if line[:1].isdigit()]
        series += [[int(kib) for kib in column] for column in zip(*rows, strict=True)]
    return [float(h) for h in range(hours + 1)], series


def slope(xs: Sequence[float], ys: Sequence[int]) -> float:
    """Least-squares growth of ``ys`` per unit of ``xs``."""
    return statistics.linear_regression(xs, ys).slope if len(xs) > 1 else 0.0


def report(title: str, unit: str, times: list[float], series: list[list[int]]) -> None:
    """The samples as a table, then each series' summary; ``unit`` is "min" or "h"."""
    print(f"{title} (KiB)")
    print(f"{unit:>6}" + "".join(f"{name:>18}" for name in SERIES))
    for i, t in enumerate(times):
        print(f"{t:>6.1f}" + "".join(f"{s[i]:>18}" for s in series))
    half = len(times) // 2
    per = f"KiB/{unit}"
    print(
        f"\n{'':18}{'first':>8}{'last':>8}{'median':>8}{'growth':>8}"
        f"{'slope ' + per:>16}{'2nd half ' + per:>18}"
    )
    for name, s in zip(SERIES, series, strict=True):
        print(
            f"{name:18}{s[0]:>8}{s[-1]:>8}{statistics.median(s):>8.0f}{s[-1] - s[0]:>+8}"
            f"{slope(times, s):>+16.2f}{slope(times[half:], s[half:]):>+18.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=40.0, help="run time (default 40)")
    parser.add_argument("--every", type=float, default=60.0, help="seconds between samples")
    parser.add_argument(
        "--warmup", type=float, default=10.0, help="seconds of start-up before the first sample"
    )
    parser.add_argument(
        "--simulate", type=int, metavar="HOURS", help="run HOURS of seconds on a fake clock"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        defaults = Path(tmp, "config.toml")  # empty: the built-in defaults, whatever is installed
        defaults.write_text("")
        env = {**os.environ, "BINCLOCK_CONFIG": str(defaults), "PYTHONUNBUFFERED": "1"}
        if args.simulate:
            times, series = simulated(args.simulate, env)
            title = f"resident memory over {args.simulate} simulated hours of seconds"
            report(title, "h", times, series)
        else:
            times, series = real_time(args.minutes, args.every, args.warmup, env)
            title = f"resident memory at real speed, both at once, every {args.every:g} s"
            report(title, "min", times, series)
    return 0


if __name__ == "__main__":
    sys.exit(main())
