"""The control API served on a Unix socket: HTTP/1.1 and JSON, standard library only.

Each connection gets a daemon thread; the listening thread sleeps in ``accept``. Requests
never touch the display: a change is handed to the clock's loop (``Core.submit``), which
applies it between seconds and answers through a future. Bodies are small, reads time
out, and every error is one line of JSON, so a bad or slow client cannot disturb the clock.
"""

from __future__ import annotations

import contextlib
import errno
import grp
import json
import logging
import os
import queue
import socket
import stat
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from binclock import config as cfg
from binclock.config import ConfigError
from binclock.control import API_VERSION, PING_EVERY
from binclock.control.api import AlarmRequest, BadName, NotifyRequest, StatePatch, change_of
from binclock.control.state import Change
from binclock.driver import DriverUnavailable
from binclock.registry import PluginError

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
READ_TIMEOUT = 5.0  # seconds a client may take over each part of a request
ANSWER_TIMEOUT = 5.0  # seconds the clock's loop may take to apply a change
MAX_CLIENTS = 32  # connections served at once; more are closed at once
QUEUE_LENGTH = 64  # events kept for a slow subscriber before it misses some


class Unusable(OSError):
    """The socket cannot be set up where configured."""


class Hub:
    """The event streams' subscribers. Publishing with none costs one check of an empty
    set; a subscriber too slow to keep up misses events instead of holding the clock."""

    def __init__(self) -> None:
        self.subscribers: set[queue.Queue[tuple[str, str]]] = set()
        self.beats = 0  # the clock's loop turns, counted by ``beat``

    def beat(self) -> None:
        """The clock's loop turned (it does every second): the streams' pings go on. A loop
        stuck (in a display that hangs) stops them, so a client sees the clock is lost."""
        self.beats += 1

    def subscribe(self) -> queue.Queue[tuple[str, str]]:
        q: queue.Queue[tuple[str, str]] = queue.Queue(QUEUE_LENGTH)
        self.subscribers = self.subscribers | {q}  # a new set: the clock may be iterating
        return q

    def unsubscribe(self, q: queue.Queue[tuple[str, str]]) -> None:
        self.subscribers = self.subscribers - {q}

    def publish(self, event: str, data: str) -> None:
        for q in self.subscribers:
            with contextlib.suppress(queue.Full):
                q.put_nowait((event, data))


class Core(Protocol):
    """What the server needs from the running clock (the Service)."""

    hub: Hub

    def submit(self, work: Callable[[], Any]) -> Future[Any]: ...

    def apply(self, change: Change) -> dict[str, Any]: ...

    def view(self) -> dict[str, Any]: ...

    def frame_view(self) -> dict[str, Any] | None: ...

    def face_name(self) -> str: ...

    def notify(self, request: NotifyRequest) -> dict[str, Any]: ...

    def clear_notifications(self) -> dict[str, Any]: ...

    def alarm(self, action: str) -> dict[str, Any]: ...


class Refused(Exception):
    """A request answered with an error status and a one-line reason."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "binclock"
    sys_version = ""
    timeout = READ_TIMEOUT
    core: Core  # set on the subclass made for each server

    # -- routing --------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._route("GET")

    def do_PATCH(self) -> None:
        self._route("PATCH")

    def do_POST(self) -> None:
        self._route("POST")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def do_PUT(self) -> None:
        self._route("PUT")

    def _route(self, method: str) -> None:
        routes: dict[str, dict[str, Callable[[], None]]] = {
            "/api/state": {"GET": self._get_state, "PATCH": self._patch_state},
            "/api/state/overrides": {"DELETE": self._reset},
            "/api/notify": {"POST": self._notify, "DELETE": self._clear},
            "/api/alarm": {"POST": self._alarm},
            "/api/frame": {"GET": self._frame},
            "/api/events": {"GET": self._events},
        }
        path = self.path.split("?", 1)[0]
        try:
            if path not in routes:
                raise Refused(HTTPStatus.NOT_FOUND, f"no such resource: {cfg.shown(path)}")
            action = routes[path].get(method)
            if action is None:
                allowed = ", ".join(routes[path])
                raise Refused(HTTPStatus.METHOD_NOT_ALLOWED, f"{method} {path}: use {allowed}")
            action()
        except Refused as exc:
            self._send_json(exc.status, {"error": str(exc)})

    # -- resources ------------------------------------------------------------------------

    def _get_state(self) -> None:
        self._send_json(HTTPStatus.OK, self.core.view())

    def _patch_state(self) -> None:
        patch = self._model(StatePatch)
        try:
            change = change_of(patch, self.core.face_name())
        except BadName as exc:
            raise Refused(HTTPStatus.BAD_REQUEST, str(exc)) from None
        self._send_json(HTTPStatus.OK, self._run(lambda: self.core.apply(change)))

    def _reset(self) -> None:
        self._send_json(HTTPStatus.OK, self._run(lambda: self.core.apply(Change(reset=True))))

    def _notify(self) -> None:
        request = self._model(NotifyRequest)
        self._send_json(HTTPStatus.ACCEPTED, self._run(lambda: self.core.notify(request)))

    def _clear(self) -> None:
        self._send_json(HTTPStatus.OK, self._run(self.core.clear_notifications))

    def _alarm(self) -> None:
        request = self._model(AlarmRequest)
        self._send_json(HTTPStatus.OK, self._run(lambda: self.core.alarm(request.action)))

    def _frame(self) -> None:
        frame = self.core.frame_view()
        if frame is None:
            raise Refused(HTTPStatus.SERVICE_UNAVAILABLE, "no frame shown yet")
        self._send_json(HTTPStatus.OK, frame)

    def _events(self) -> None:
        """Server-Sent Events until the client goes: a ``state`` event first, once the
        clock's loop turns, then one per change and one ``frame`` per frame shown; a ping
        after PING_EVERY seconds of none, while the loop turns. A stream opened while the
        loop is stuck stays silent, so its client does not take the clock for running."""
        self.send_response(HTTPStatus.OK)
        self._common_headers("text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        hub = self.core.hub
        events = hub.subscribe()
        try:
            first = turned(hub, events)
            self._event("state", json.dumps(self.core.view(), separators=(",", ":")))
            if first is not None and first[0] != "state":  # a state is older than the view
                self._event(*first)
            while True:
                event = turned(hub, events)  # a stuck loop gets no ping
                if event is None:
                    self.wfile.write(b": ping\n\n")
                    self.wfile.flush()
                else:
                    self._event(*event)
        except OSError:
            pass  # the client went away
        finally:
            hub.unsubscribe(events)

    def _event(self, name: str, data: str) -> None:
        self.wfile.write(f"event: {name}\ndata: {data}\n\n".encode())
        self.wfile.flush()

    # -- requests and answers -------------------------------------------------------------

    def _run(self, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """``work`` done by the clock's loop; its answer, or the reason it was refused."""
        try:
            return self.core.submit(work).result(timeout=ANSWER_TIMEOUT)
        except FutureTimeout:
            raise Refused(HTTPStatus.SERVICE_UNAVAILABLE, "the clock did not answer") from None
        except (ConfigError, PluginError) as exc:
            raise Refused(HTTPStatus.UNPROCESSABLE_ENTITY, str(exc)) from None
        except DriverUnavailable as exc:
            raise Refused(HTTPStatus.SERVICE_UNAVAILABLE, str(exc)) from None

    def _model(self, model: type[Any]) -> Any:
        """The request's JSON body validated by ``model``."""
        body = self._body()
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise Refused(HTTPStatus.BAD_REQUEST, f"not JSON: {cfg.reason(exc)}") from None
        if not isinstance(data, dict):
            raise Refused(HTTPStatus.BAD_REQUEST, "expected a JSON object")
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            reason = cfg.problems(exc, lambda loc: "request", model=model)[0]
            raise Refused(HTTPStatus.UNPROCESSABLE_ENTITY, reason) from None

    def _body(self) -> bytes:
        kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise Refused(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.close_connection = True
            raise Refused(HTTPStatus.LENGTH_REQUIRED, "a Content-Length is required") from None
        if length < 0 or length > MAX_BODY:
            self.close_connection = True  # the body is not read: the connection is spent
            raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body is over {MAX_BODY} bytes")
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            raise Refused(HTTPStatus.BAD_REQUEST, "the body ended early")
        if kind != "application/json":
            raise Refused(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send JSON (Content-Type: application/json)"
            )
        return body

    def _send_json(self, status: HTTPStatus, data: dict[str, Any]) -> None:
        body = json.dumps(data, separators=(",", ":")).encode()
        self.send_response(status)
        self._common_headers("application/json")
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _common_headers(self, kind: str) -> None:
        self.send_header("Content-Type", kind)
        self.send_header("Binclock-API", str(API_VERSION))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (a bad request line, headers too long) as JSON too."""
        self.close_connection = True
        try:
            reason = message or HTTPStatus(code).phrase
        except ValueError:
            reason = "bad request"
        self._send_json(HTTPStatus(code), {"error": reason})

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("control: " + format, *args)


def turned(hub: Hub, events: queue.Queue[tuple[str, str]]) -> tuple[str, str] | None:
    """Wait until the clock's loop turns: the first event it publishes to ``events``, or
    None when it turned without one (a display backing off shows no frame) by a ping's
    time."""
    beats = hub.beats
    while True:
        try:
            return events.get(timeout=PING_EVERY)
        except queue.Empty:
            if hub.beats != beats:
                return None


class ControlServer:
    """Serves ``core`` on the Unix socket at ``path`` until closed."""

    def __init__(self, path: Path, core: Core, group: str = "binclock") -> None:
        self.path = path
        self.handler = type("BoundHandler", (Handler,), {"core": core})
        self._slots = threading.BoundedSemaphore(MAX_CLIENTS)
        self.socket = listen(path, group)
        self._thread = threading.Thread(target=self._accept, name="control", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.socket.accept()
            except OSError:
                return  # closed
            if not self._slots.acquire(blocking=False):
                conn.close()
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            self.handler(conn, "", self)  # type: ignore[arg-type]
        except OSError:
            pass  # the client went away mid-answer
        finally:
            conn.close()
            self._slots.release()

    def close(self) -> None:
        """Stop listening and remove the socket file (clients being served finish)."""
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)  # wakes the thread sleeping in accept
        self.socket.close()
        self._thread.join(timeout=1)
        try:
            if stat.S_ISSOCK(self.path.lstat().st_mode):
                self.path.unlink()
        except OSError:
            pass


def listen(path: Path, group: str) -> socket.socket:
    """A listening socket at ``path``: mode 0660 and owned by ``group`` when it exists and
    may be given, else 0600. A stale socket left by a clock that died is replaced; one that
    a running clock answers on is not."""
    make_folder(path.parent)
    if in_use(path):
        raise Unusable(errno.EADDRINUSE, "another clock is serving it", str(path))
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    try:
        old = os.umask(0o177)  # no moment when others could connect
        try:
            sock.bind(str(path))
        finally:
            os.umask(old)
        if share(path, group):
            path.chmod(0o660)
        sock.listen(16)
    except OSError:
        sock.close()
        raise
    return sock


def make_folder(folder: Path) -> None:
    """The socket's folder: 0700 when it is our own in /tmp, 0755 otherwise."""
    private = folder.parent == Path("/tmp")
    folder.mkdir(mode=0o700 if private else 0o755, parents=True, exist_ok=True)
    if private and folder.stat().st_uid != os.getuid():
        raise Unusable(errno.EPERM, "the folder belongs to someone else", str(folder))


def in_use(path: Path) -> bool:
    """Whether something listens at ``path``; a stale socket file is removed."""
    try:
        if not stat.S_ISSOCK(path.lstat().st_mode):
            raise Unusable(errno.EEXIST, "a file that is not a socket is there", str(path))
    except FileNotFoundError:
        return False
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
    except ConnectionRefusedError:
        path.unlink()
        return False
    finally:
        probe.close()
    return True


def share(path: Path, group: str) -> bool:
    """Give the socket to ``group``; False when there is no such group or we may not."""
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        return False
    try:
        os.chown(path, -1, gid)
    except OSError:
        return False
    return True
