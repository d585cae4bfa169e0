"""A client of the clock's control API (for ``binclock ctl`` and the bridges), stdlib only."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from binclock.control import EVENTS_SILENCE

TIMEOUT = 10.0


class ControlError(Exception):
    """The clock refused a request; the message is its one-line reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class ClockNotRunning(ControlError):
    """No clock answers on the socket."""


class ControlDenied(ControlError):
    """The socket is there, but this user may not use it."""


class ControlClient(http.client.HTTPConnection):
    """HTTP over the clock's Unix socket: ``ControlClient(path).call("GET", "/api/state")``."""

    def __init__(self, path: Path | str, timeout: float | None = TIMEOUT) -> None:
        super().__init__("binclock", timeout=timeout)
        self.path = str(path)

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.path)
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            raise ClockNotRunning(
                0, f"no clock is running (nothing answers on {self.path})"
            ) from None
        except PermissionError:
            sock.close()
            raise ControlDenied(
                0, f"{self.path}: permission denied (join the socket's group, or use sudo)"
            ) from None
        except OSError as exc:
            sock.close()
            raise ClockNotRunning(0, f"{self.path}: {exc.strerror}") from None
        self.sock = sock

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """The decoded JSON answer to ``method path`` with ``body``; a ControlError with
        the clock's reason for any error status."""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        data = json.dumps(body).encode() if body is not None else None
        try:
            self.request(method, path, body=data, headers=headers)
            response = self.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise ClockNotRunning(0, f"the clock stopped answering: {exc}") from None
        try:
            decoded = json.loads(answer)
        except ValueError:
            decoded = {"error": answer.decode(errors="replace")[:200]}
        if response.status >= 400:
            reason = decoded.get("error") if isinstance(decoded, dict) else None
            raise ControlError(response.status, str(reason or response.reason))
        return decoded

    def events(self, silence: float | None = EVENTS_SILENCE) -> Iterator[tuple[str, Any]]:
        """Each event of ``/api/events`` as (name, decoded data), until the clock stops.

        The clock pings a quiet stream, so one with nothing on it for ``silence`` seconds
        has lost its clock (stopped, or hung with its socket still open): ClockNotRunning,
        as when the socket goes away. None waits for ever."""
        self.request("GET", "/api/events")
        if self.sock is not None:
            self.sock.settimeout(silence)
        try:
            response = self.getresponse()
            if response.status >= 400:
                raise ControlError(response.status, response.read().decode(errors="replace"))
            name = "message"
            for raw in response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[len("event: ") :]
                elif line.startswith("data: "):
                    yield name, json.loads(line[len("data: ") :])
                    name = "message"
        except TimeoutError:
            self.close()
            raise ClockNotRunning(0, f"nothing came for {silence:g} s, not even a ping") from None
