"""How close to each wall-clock second binclock draws on several displays at once.

Runs the real ``binclock`` alone on the terminal (the baseline), then on the terminal and a
jsonl display together (``driver = ["terminal", "lines"]``: the jsonl driver writing to a
pipe of its own, so each display's output is timestamped apart), each in a pseudo-terminal,
and prints every display's lag after its second: the target is p50 <= 1 ms and p99 <= 2 ms
for the first display. The runs go one after the other (``--together``: at once).

Run: python benchmarks/displays.py [--seconds 70] [--warmup 5] [--together]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

from jsonl_fd import FD_ENV
from ptyclock import ENV, Arrival, PtyClock, read_until
from ticker import percentile

HERE = Path(__file__).resolve().parent
TWO_DISPLAYS = """\
driver = ["terminal", "lines"]
[displays.lines]
driver = "jsonl_fd:JsonlOnFd"
"""


@dataclass
class Output:
    """One display's output read from its own descriptor (``master``, as read_until reads)."""

    name: str
    master: int
    arrivals: list[Arrival] = field(default_factory=list)
    take = PtyClock.take
    first_output: float | None = None


@dataclass
class TwoDisplayClock(PtyClock):
    """binclock with the terminal on the pseudo-terminal and the jsonl display on a pipe."""

    config: Path = Path()
    lines: Output | None = None

    def start(self) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        read, write = os.pipe()
        self.lines = Output("  jsonl (second display)", read)
        env = {**os.environ, **ENV, FD_ENV: str(write), "PYTHONPATH": str(HERE)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "binclock", "--config", str(self.config)],
            stdin=slave,
            stdout=slave,
            stderr=subprocess.DEVNULL,
            env=env,
            pass_fds=(write,),
            start_new_session=True,
        )
        os.close(slave)
        os.close(write)

    def stop(self) -> int:
        code = super().stop()
        os.close(self.lines.master)  # type: ignore[union-attr]
        return code


def outputs(clock: PtyClock) -> list[PtyClock | Output]:
    """What to read of ``clock``: the terminal, and the jsonl display's pipe if it has one."""
    lines = getattr(clock, "lines", None)
    return [clock] if lines is None else [clock, lines]


def measure(clocks: list[PtyClock], seconds: float, warmup: float) -> list[tuple[str, list[float]]]:
    """Run ``clocks`` at once; each display's lags (ms) over ``seconds`` after ``warmup``."""
    for clock in clocks:
        clock.start()
    read = [o for c in clocks for o in outputs(c)]
    read_until(read, time.time() + warmup)  # type: ignore[arg-type]
    t0 = time.time()
    read_until(read, t0 + seconds)  # type: ignore[arg-type]
    for clock in clocks:
        clock.stop()
    return [(o.name, [(a.at - a.shown) * 1000 for a in o.arrivals if a.at >= t0]) for o in read]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=70.0, help="measured time (default 70)")
    parser.add_argument("--warmup", type=float, default=5.0, help="start-up not measured")
    parser.add_argument("--together", action="store_true", help="run both clocks at once")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "two.toml"
        config.write_text(TWO_DISPLAYS)
        alone = PtyClock([sys.executable, "-m", "binclock", "--driver", "terminal"])
        alone.name = "terminal alone"
        both = TwoDisplayClock([], name="terminal (first display)", config=config)
        if args.together:
            results = measure([alone, both], args.seconds, args.warmup)
        else:
            results = [r for c in (alone, both) for r in measure([c], args.seconds, args.warmup)]
    how = "at once" if args.together else "one after the other"
    print(f"binclock in a pseudo-terminal, {how}: {args.seconds:.0f} s after {args.warmup:.0f} s")
    print(f"{'':28}{'frames':>7}{'lag p50':>11}{'p99':>11}{'max':>10}")
    for name, lags in results:
        print(
            f"{name:28}{len(lags):>7}{statistics.median(lags):>9.3f}ms"
            f"{percentile(lags, 99):>9.3f}ms{max(lags):>8.1f}ms"
        )
    first = results[1][1]
    met = statistics.median(first) <= 1.0 and percentile(first, 99) <= 2.0
    print(f"first display with two: p50 <= 1 ms and p99 <= 2 ms {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
