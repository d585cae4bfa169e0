"""How long ``binclock check-config`` takes on each malformed file of the fuzz corpus
(tests/config_corpus.py), in this process, next to the same command on a valid file as
the baseline. The fuzz tests check the outcome of every case; this prints the time.

Run: python benchmarks/config_fuzz.py
"""

from __future__ import annotations

import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from config_corpus import texts, write

from binclock.commandline.cli import main


def timed(path: Path) -> tuple[float, int]:
    """Seconds ``check-config path`` takes here, and its exit code."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        start = time.perf_counter()
        code = main(["check-config", str(path)])
        return time.perf_counter() - start, code


def main_() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        baseline = statistics.median(timed(write(path, 'face = "bcd"\n'))[0] for _ in range(20))
        results = [(timed(write(path, text)), name) for name, text in texts()]
    seconds = sorted(((s, code, name) for (s, code), name in results), reverse=True)
    print(f"baseline (a valid file): {baseline * 1000:.1f} ms")
    median = statistics.median(s for s, _, _ in seconds)
    print(f"corpus: {len(seconds)} files, median {median * 1000:.1f} ms")
    for s, code, name in seconds[:5]:
        print(f"  slowest: {s * 1000:7.1f} ms  exit {code}  {name[:40]!r}")


if __name__ == "__main__":
    main_()
