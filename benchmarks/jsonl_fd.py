"""The jsonl driver writing to an inherited file descriptor instead of standard output, so
the displays benchmark can read it apart from the terminal's (a ``module:Class`` driver)."""

from __future__ import annotations

import os
from typing import Any

from binclock.drivers.jsonl import JsonlDriver, JsonlOptions

FD_ENV = "BINCLOCK_BENCHMARK_FD"


class JsonlOnFd(JsonlDriver):
    """The jsonl display, on the descriptor named by ``BINCLOCK_BENCHMARK_FD``."""

    stdout = False  # so it may run beside the terminal

    def __init__(self, options: JsonlOptions | None = None, **kwargs: Any) -> None:
        stream = os.fdopen(int(os.environ[FD_ENV]), "w", buffering=1)
        super().__init__(options, stream=stream, **kwargs)
