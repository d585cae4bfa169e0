"""systemd's notify protocol: datagrams to ``$NOTIFY_SOCKET`` (sd_notify(3), a few lines)."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Sends state changes to systemd; does nothing when not started by systemd."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        environ = os.environ if environ is None else environ
        path = environ.get("NOTIFY_SOCKET", "")
        self.address: str | bytes | None = None
        if path.startswith("@"):
            self.address = b"\0" + path[1:].encode()  # abstract namespace
        elif path.startswith("/"):
            self.address = path
        self.watchdog_interval = _watchdog_interval(environ)
        self._socket: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, **state: str) -> bool:
        """Send ``KEY=value`` lines (``READY="1"``, ``STATUS="..."``); True if delivered."""
        if self.address is None:
            return False
        message = "\n".join(f"{key}={value}" for key, value in state.items()).encode()
        try:
            if self._socket is None:
                kind = socket.SOCK_DGRAM | socket.SOCK_CLOEXEC
                self._socket = socket.socket(socket.AF_UNIX, kind)
            self._socket.sendto(message, self.address)
        except OSError as exc:
            log.debug("cannot notify systemd: %s", exc)
            return False
        return True

    def ready(self, status: str) -> None:
        self.send(READY="1", STATUS=status)

    def reloading(self) -> None:
        self.send(RELOADING="1", MONOTONIC_USEC=str(_monotonic_usec()))

    def stopping(self) -> None:
        self.send(STOPPING="1")

    def watchdog(self) -> None:
        self.send(WATCHDOG="1")

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _watchdog_interval(environ: Mapping[str, str]) -> float | None:
    """Seconds between pings (half of ``$WATCHDOG_USEC``), if the watchdog is for this process."""
    usec = environ.get("WATCHDOG_USEC", "")
    pid = environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 2_000_000


def _monotonic_usec() -> int:
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
