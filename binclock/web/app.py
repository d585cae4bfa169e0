"""The aiohttp application of ``binclock web``: the page, who may use it, and the proxy that
passes API calls and the clock's event stream to the control socket."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
from aiohttp import web

from binclock.control import EVENTS_SILENCE
from binclock.web import access

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 64 * 1024  # the control socket's own limit: a larger body could only be refused there
UPSTREAM = "http://binclock"  # the host name is not used on a Unix socket
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=10)
BACKLOG = 64  # events a browser may fall behind by before it is dropped (it reconnects)
PROXIED = (
    ("GET", "/api/state"),
    ("PATCH", "/api/state"),
    ("DELETE", "/api/state/overrides"),
    ("POST", "/api/notify"),
    ("DELETE", "/api/notify"),
    ("GET", "/api/frame"),
)
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


SETTINGS = web.AppKey("settings", access.Settings)
SESSION = web.AppKey("session", aiohttp.ClientSession)


def make_app(settings: access.Settings, silence: float = EVENTS_SILENCE) -> web.Application:
    """The whole web process: static page, checks, proxy and event relay (which counts the
    clock as lost after ``silence`` seconds of nothing on its event stream)."""
    app = web.Application(client_max_size=MAX_BODY, middlewares=[check_host, check_token, errors])
    app[SETTINGS] = settings
    app[RELAY] = Relay(app, silence)
    app.cleanup_ctx.append(_upstream)
    app.on_shutdown.append(lambda app: app[RELAY].close())
    app.on_response_prepare.append(_secure_headers)
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC)
    for method, path in PROXIED:
        app.router.add_route(method, path, proxy)
    app.router.add_get("/api/events", events)
    return app


async def _upstream(app: web.Application) -> AsyncIterator[None]:
    connector = aiohttp.UnixConnector(path=str(app[SETTINGS].socket))
    async with aiohttp.ClientSession(connector=connector, timeout=REQUEST_TIMEOUT) as session:
        app[SESSION] = session
        yield


async def _secure_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(HEADERS)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error(status: int, message: str, **headers: str) -> web.Response:
    """The API's error shape: ``{"error": "<one line>"}``."""
    return web.json_response({"error": message}, status=status, headers=headers)


@web.middleware
async def check_host(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A page reached by a name not configured is refused (421): a DNS-rebinding page on
    another site resolves its own name to this address, and sends that name as Host."""
    name = access.host_of(request.headers.get("Host", ""))
    if name not in request.app[SETTINGS].hosts:
        return error(421, f"this page is not served as {name or 'an empty Host'!r}")
    return await handler(request)


@web.middleware
async def check_token(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every API call carries the token as ``Authorization: Bearer`` when one is required.
    Only that header counts: no cookie (so no cross-site request can carry it) and no query
    string (which ends up in logs and history)."""
    token = request.app[SETTINGS].token
    given = request.headers.get("Authorization")
    if (
        token is not None
        and request.path.startswith("/api/")
        and not access.token_matches(given, token)
    ):
        return error(
            401,
            "the token is missing or wrong (binclock web token shows it)",
            **{"WWW-Authenticate": "Bearer"},
        )
    return await handler(request)


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """aiohttp's own refusals (404, 405, 413) in the API's error shape."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith("/api/"):
            raise
        return error(exc.status, exc.reason if exc.status != 413 else _too_large())


def _too_large() -> str:
    return f"the request body is larger than {MAX_BODY // 1024} KiB"


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def proxy(request: web.Request) -> web.Response:
    """The API call passed to the clock as it is, and the clock's answer back."""
    body = await request.read()
    headers = {}
    if body:
        headers["Content-Type"] = request.headers.get("Content-Type", "application/octet-stream")
    try:
        async with request.app[SESSION].request(
            request.method, UPSTREAM + request.path, data=body or None, headers=headers
        ) as answer:
            return web.Response(
                status=answer.status,
                body=await answer.read(),
                headers={
                    key: value
                    for key, value in answer.headers.items()
                    if key in ("Content-Type", "Binclock-API")
                },
            )
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return unreachable(request.app[SETTINGS].socket, exc)


def unreachable(socket: Path, exc: BaseException) -> web.Response:
    """Why the clock did not answer, as a 502/503/504."""
    cause = getattr(exc, "os_error", exc)
    if isinstance(cause, PermissionError) or getattr(cause, "errno", None) == errno.EACCES:
        return error(502, f"{socket}: permission denied (join the clock's group)")
    if isinstance(exc, TimeoutError):
        return error(504, "the clock did not answer in time")
    return error(503, f"the clock is not running (nothing answers on {socket})")


RELAY_CLOSED = None


class Relay:
    """One event stream from the clock shared by every browser: the clock pays for one
    subscriber however many pages are open. It opens with the first browser and closes after
    the last; a browser that falls too far behind is dropped (its page reconnects). The
    clock pings a quiet stream: one silent for ``silence`` seconds has lost its clock (hung,
    or stopped with SIGSTOP), and every browser is told so, as when the clock stops."""

    def __init__(self, app: web.Application, silence: float) -> None:
        self.app = app
        self.timeout = aiohttp.ClientTimeout(total=None, sock_connect=5, sock_read=silence)
        self.listeners: set[asyncio.Queue[bytes | None]] = set()
        self.task: asyncio.Task[None] | None = None

    def subscribe(self) -> asyncio.Queue[bytes | None]:
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(BACKLOG)
        self.listeners.add(queue)
        if self.task is None:
            self.task = asyncio.create_task(self._pump())
        return queue

    def unsubscribe(self, queue: asyncio.Queue[bytes | None]) -> None:
        self.listeners.discard(queue)
        if not self.listeners and self.task is not None:
            self.task.cancel()
            self.task = None

    async def close(self) -> None:
        """End every browser's stream (at shutdown)."""
        if self.task is not None:
            self.task.cancel()
            self.task = None
        self._end_all()

    def _send(self, event: bytes) -> None:
        for queue in list(self.listeners):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                self.listeners.discard(queue)
                queue.get_nowait()
                queue.put_nowait(RELAY_CLOSED)

    def _end_all(self) -> None:
        for queue in self.listeners:
            with contextlib.suppress(asyncio.QueueEmpty):
                while queue.full():
                    queue.get_nowait()
            queue.put_nowait(RELAY_CLOSED)
        self.listeners.clear()

    async def _pump(self) -> None:
        settings = self.app[SETTINGS]
        try:
            async with self.app[SESSION].get(
                UPSTREAM + "/api/events", timeout=self.timeout
            ) as answer:
                if answer.status != 200:
                    self._send(_event("error", (await answer.text()).strip()))
                    return
                block: list[bytes] = []
                async for line in answer.content:
                    if line.strip(b"\r\n"):
                        block.append(line)
                    elif block:
                        self._send(b"".join(block) + b"\n")
                        block = []
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            self._send(_event("error", unreachable(settings.socket, exc).text or ""))
        finally:
            if asyncio.current_task() is self.task:
                self.task = None
                self._end_all()


def _event(name: str, data: str) -> bytes:
    return f"event: {name}\ndata: {data}\n\n".encode()


RELAY = web.AppKey("relay", Relay)


async def events(request: web.Request) -> web.StreamResponse:
    """The clock's events (frames and state changes) as Server-Sent Events."""
    relay = request.app[RELAY]
    queue = relay.subscribe()
    try:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        while (event := await queue.get()) is not RELAY_CLOSED:
            await response.write(event)
    finally:
        relay.unsubscribe(queue)
    return response


def serve(settings: access.Settings, host: str, port: int, ready: Callable[[str], None]) -> None:
    """Run the web process until SIGINT/SIGTERM; ``ready`` is told the page's address."""
    shown = f"[{host}]" if ":" in host else host
    web.run_app(
        make_app(settings),
        host=host,
        port=port,
        print=lambda _: ready(f"http://{shown}:{port}/"),
        access_log=None,
        shutdown_timeout=2,
    )
