"""The control API of the running clock: its run-time state, an HTTP/JSON service on a Unix
socket, and the client that ``binclock ctl`` and the bridges use.

Everything here runs in (or talks to) the clock process, so it uses only the standard
library and pydantic: the network-facing parts live in their own processes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from binclock.config import Config, ConfigError
from binclock.web.access import state_folder

API_VERSION = 1
PING_EVERY = 15.0  # seconds between the keep-alive comments on a quiet event stream
# An event stream with nothing on it for this long, not even a ping, has lost its clock
# (stopped with SIGSTOP, or hung): a few pings' worth, so one late ping is no alarm.
EVENTS_SILENCE = 3 * PING_EVERY


# Where the clock run by its systemd unit listens (RuntimeDirectory=binclock).
SERVICE_SOCKET = Path("/run/binclock/control.sock")


def socket_path(config: Config, environ: Mapping[str, str] | None = None) -> Path | None:
    """Where the clock listens on its control socket (None: the control API is off)."""
    environ = os.environ if environ is None else environ
    configured = config.control.socket
    if configured is not None:
        return Path(configured).expanduser() if configured else None
    if environ.get("RUNTIME_DIRECTORY"):
        # systemd may list several folders, separated by colons; ours is the first.
        return Path(environ["RUNTIME_DIRECTORY"].split(":")[0]) / "control.sock"
    return user_socket(environ)


def find_socket(config: Config, environ: Mapping[str, str] | None = None) -> Path | None:
    """Where a client (``binclock ctl``, the web page) finds the clock's control socket:
    where a clock of the same configuration and environment listens, except that without a
    clock of this user's own it is the systemd service's (``sudo binclock ctl`` on a Pi)."""
    environ = os.environ if environ is None else environ
    if config.control.socket is not None or environ.get("RUNTIME_DIRECTORY"):
        return socket_path(config, environ)
    own = user_socket(environ)
    return own if own.exists() else SERVICE_SOCKET


def required_socket(config: Config) -> Path:
    """The socket a client uses (``find_socket``); a ConfigError when the API is off."""
    found = find_socket(config)
    if found is None:
        raise ConfigError('the control API is off ([control] socket = "")')
    return found


def user_socket(environ: Mapping[str, str]) -> Path:
    """The control socket of a clock run by a user, outside systemd."""
    if environ.get("XDG_RUNTIME_DIR"):
        return Path(environ["XDG_RUNTIME_DIR"]) / "binclock" / "control.sock"
    return Path(f"/tmp/binclock-{os.getuid()}") / "control.sock"


def state_path(config: Config, environ: Mapping[str, str] | None = None) -> Path:
    """Where run-time changes are kept across restarts."""
    environ = os.environ if environ is None else environ
    if config.control.state_file:
        return Path(config.control.state_file).expanduser()
    return state_folder(environ) / "state.json"
