"""What a slow command costs the number face's second, now that it runs beside the loop.

The number face reads its command when due; the command runs on a thread of its own and
the frame takes the last value. This renders --seconds consecutive seconds with a command
that sleeps --sleep seconds before printing its number (due every 2 s, so runs start while
frames go on), and prints the longest and the median render, next to the baseline: the
same command run on the loop, as the face did before (each due second waits for it).

Run: python benchmarks/number_command.py [--seconds 10] [--sleep 0.5]
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from binclock.faces.number import NumberFace, NumberOptions

START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
EVERY = 2.0


def renders(render: Callable[[datetime], object], seconds: int) -> list[float]:
    """Milliseconds each of ``seconds`` renders took, a second of real time apart."""
    taken = []
    for n in range(seconds):
        began = time.perf_counter()
        render(START + timedelta(seconds=n))
        taken.append((time.perf_counter() - began) * 1000)
        time.sleep(max(0.0, 1 - taken[-1] / 1000))
    return taken


def on_the_loop(command: str) -> Callable[[datetime], object]:
    """The baseline: the command run in the render when due, waited for."""
    last: list[float] = []

    def render(now: datetime) -> object:
        if not last or now.timestamp() - last[-1] >= EVERY:
            last.append(now.timestamp())
            subprocess.run(shlex.split(command), capture_output=True, text=True, check=False)
        return None

    return render


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--sleep", type=float, default=0.5)
    args = p.parse_args()
    command = f"{shlex.quote(sys.executable)} -c 'import time; time.sleep({args.sleep}); print(42)'"
    face = NumberFace(NumberOptions(command=command, every=EVERY, timeout=60))
    print(f"{args.seconds} seconds, a command that takes {args.sleep:g} s, due every {EVERY:g} s")
    for name, render in (("beside the loop", face.render), ("baseline, on the loop", None)):
        taken = renders(render or on_the_loop(command), args.seconds)
        longest, median = max(taken), statistics.median(taken)
        print(f"  {name:24} longest render {longest:8.2f} ms, median {median:8.3f} ms")
    face.source.close()


if __name__ == "__main__":
    main()
