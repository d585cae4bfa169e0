"""Tries, inside a unit's sandbox, what the unit must not do, and prints what happened:
``probe.py inet`` opens an internet socket, ``probe.py PATH`` opens a device for reading.
Run as an ExecStartPre= of the unit under test, so that its output is in the unit's journal."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

what = sys.argv[1]
try:
    if what == "inet":
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    else:
        Path(what).open("rb").close()
    print(f"probe {what}: allowed")
except OSError as exc:
    print(f"probe {what}: {exc.strerror}")
