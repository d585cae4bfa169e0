"""Who may use the web page: the listen address, the Host names accepted, and the token.

Stdlib only, so that the configuration can check a listen address and ``binclock web token``
works without the web extra."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
TOKEN_NAME = "web-token"


@dataclass(frozen=True)
class Settings:
    """What the web process needs: the clock's socket, the Host names it answers to, and
    the token every API call must carry (None: none needed)."""

    socket: Path
    hosts: frozenset[str]
    token: str | None


def parse_listen(text: str) -> tuple[str, int]:
    """``host:port`` (``[v6]:port`` for IPv6) as host and port; ValueError saying why not."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host:
        raise ValueError("expected host:port, e.g. 127.0.0.1:8780 or [::1]:8780")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise ValueError("write an IPv6 address in brackets, e.g. [::1]:8780")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"port {port!r} is not a number from 1 to 65535")
    return host, int(port)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a listen address) reaches this machine's own users only."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def host_names(listen_host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The names a request's Host header may give: loopback, the listen address, ``extra``."""
    names = {*LOOPBACK_NAMES, *extra}
    if listen_host not in ("0.0.0.0", "::", ""):  # a wildcard is no name anyone browses to
        names.add(listen_host)
    return frozenset(n.lower() for n in names)


def host_of(header: str) -> str:
    """The name in a Host header, without its port or the brackets of an IPv6 address."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.partition(":")[0]


def state_folder(environ: Mapping[str, str]) -> Path:
    """Where binclock keeps what outlives a run: systemd's state folder, else the user's."""
    if environ.get("STATE_DIRECTORY"):
        # systemd may list several folders, separated by colons; ours is the first.
        return Path(environ["STATE_DIRECTORY"].split(":")[0])
    home = environ.get("XDG_STATE_HOME") or str(Path(environ.get("HOME", "~"), ".local", "state"))
    return Path(home).expanduser() / "binclock"


def token_path(configured: Path | None, environ: Mapping[str, str] | None = None) -> Path:
    """The token file: as configured, else in the state folder."""
    environ = os.environ if environ is None else environ
    if configured is not None:
        return configured.expanduser()
    return state_folder(environ) / TOKEN_NAME


def ensure_token(path: Path) -> str:
    """The token kept in ``path``, made (random, mode 0600) if there is none yet."""
    try:
        return read_token(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made meanwhile by another start
        return read_token(path)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    return token


def read_token(path: Path) -> str:
    """The token in ``path``; ValueError if the file holds none."""
    token = path.read_text(encoding="utf-8").strip()
    if not token:
        raise ValueError("the file is empty (delete it to make a new token)")
    return token


def token_matches(header: str | None, token: str) -> bool:
    """Whether an Authorization header carries ``token`` as a Bearer token."""
    scheme, _, given = (header or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return secrets.compare_digest(given.strip().encode(), token.encode())
