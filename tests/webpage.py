"""A real clock, a real ``binclock web`` and a real headless Chromium, for the web page's
tests and the docs screenshots.

The clock runs as ``python -m binclock --driver jsonl`` with its control socket and state in
a temporary folder; the web process is ``python -m binclock web`` pointed at that socket;
Chromium is Debian's ``chromium`` driven through Debian's ``chromium-driver``, so nothing is
downloaded at test time."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
START_TIMEOUT = 30.0
LOADS = 3  # tries at starting Chromium and at loading a page (a fresh browser may fail one)
CLEAN_ENV = ("BINCLOCK_CONFIG", "RUNTIME_DIRECTORY", "STATE_DIRECTORY", "XDG_RUNTIME_DIR")


def browser_missing() -> str | None:
    """Why no browser test can run here, or None."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not path.exists():
            return f"{path} is missing (apt-get install {package})"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


def environment(folder: Path) -> dict[str, str]:
    """The environment of a process that must find no user's configuration or state."""
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    return env | {
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_STATE_HOME": str(folder / "state"),
    }


def wait_for(check: Callable[[], Any], what: str, timeout: float = START_TIMEOUT) -> Any:
    """The first true result of ``check()``, polled until ``timeout``; else an error."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(0.05)


@contextlib.contextmanager
def process(args: list[str], folder: Path, name: str) -> Iterator[subprocess.Popen[bytes]]:
    """``python -m binclock ARGS`` running until the block ends; its stderr kept in a file."""
    folder.mkdir(parents=True, exist_ok=True)
    log = (folder / f"{name}.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "binclock", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log,
        env=environment(folder),
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _answers(check: Callable[[], Any], proc: subprocess.Popen[bytes], log: Path) -> Any:
    if proc.poll() is not None:
        raise RuntimeError(f"exited with {proc.returncode}: {log.read_text()[-2000:]}")
    try:
        return check()
    except OSError:
        return None


@contextlib.contextmanager
def running_clock(folder: Path, *args: str) -> Iterator[Path]:
    """A clock on the jsonl display serving its control socket; yields the socket's path."""
    path = folder / "control.sock"
    command = ["--driver", "jsonl", "--set", f"control.socket={json.dumps(str(path))}", *args]
    with process(command, folder, "clock") as proc:
        wait_for(
            lambda: _answers(lambda: unix_get(path, "/api/state"), proc, folder / "clock.log"),
            "the clock's control socket",
        )
        yield path


def unix_get(path: Path, url: str) -> Any:
    """GET ``url`` from the control socket, as JSON."""
    with contextlib.closing(socket.socket(socket.AF_UNIX)) as sock:
        sock.connect(str(path))
        conn = http.client.HTTPConnection("binclock")
        conn.sock = sock
        conn.request("GET", url)
        return json.loads(conn.getresponse().read())


def pid_of(path: Path) -> int:
    """The process serving the control socket at ``path``: the kernel tells a Unix
    socket's peer."""
    with contextlib.closing(socket.socket(socket.AF_UNIX)) as sock:
        sock.connect(str(path))
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[0]


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_web(folder: Path, control: Path, *args: str) -> Iterator[str]:
    """``binclock web`` on a free loopback port for ``control``; yields the page's URL."""
    port = free_port()
    command = ["web", "--socket", str(control), "--listen", f"127.0.0.1:{port}", *args]
    with process(command, folder, "web") as proc:
        wait_for(
            lambda: _answers(lambda: request(port, "GET", "/").status, proc, folder / "web.log"),
            "binclock web to listen",
        )
        yield f"http://127.0.0.1:{port}/"


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].strip("/"))


class Answer:
    """An HTTP answer: status, headers and body (JSON when it is)."""

    def __init__(self, response: http.client.HTTPResponse) -> None:
        self.status = response.status
        self.headers = response.headers
        self.body = response.read()

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> Answer:
    """One HTTP request to 127.0.0.1:``port``; ``body`` sent as JSON (bytes as they are)."""
    headers = dict(headers or {})
    if body is not None and not isinstance(body, bytes):
        body = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers)
        return Answer(conn.getresponse())
    finally:
        conn.close()


def chromium(profile: Path, width: int = 1280, height: int = 800) -> Any:
    """A headless Chromium with a fresh profile, driven by Selenium."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    from selenium.common.exceptions import WebDriverException

    failure = ""
    for _ in range(LOADS):
        try:
            browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        except WebDriverException as exc:
            failure = str(exc.msg or type(exc).__name__).splitlines()[0]
            continue
        viewport(browser, width, height)
        return browser
    raise RuntimeError(f"Chromium did not start in {LOADS} tries: {failure}")


def viewport(browser: Any, width: int, height: int) -> None:
    """Make the page's viewport exactly ``width`` x ``height`` CSS pixels (a phone: mobile)."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


DRAWN = """
const leds = [...document.querySelectorAll('#leds circle')].map(c => c.getAttribute('fill'));
return {frame: window.binclock ? window.binclock.lastFrame : null, leds: leds};
"""


def load(browser: Any, url: str, timeout: float) -> None:
    """``url`` loaded in ``browser`` until it draws a frame; a failed navigation is tried
    again, and the last failure is told in one line."""
    from selenium.common.exceptions import WebDriverException

    failure = ""
    for _ in range(LOADS):
        try:
            browser.get(url)
            wait_for(lambda: drawn(browser)["frame"], "the page to draw a frame", timeout)
            return
        except (WebDriverException, TimeoutError) as exc:
            message = exc.msg if isinstance(exc, WebDriverException) else str(exc)
            failure = str(message or type(exc).__name__).splitlines()[0]
    raise AssertionError(f"{url} did not load in {LOADS} tries: {failure}")


def drawn(browser: Any) -> dict[str, Any]:
    """The frame the page drew last and the fill of each LED it drew, read together."""
    return browser.execute_script(DRAWN)


def fill(pixel: list[int]) -> str:
    r, g, b = pixel
    return f"rgb({r}, {g}, {b})"
