"""``binclock web`` and ``binclock web token``: settings from the configuration, then serve."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from binclock import config, control, exitcodes
from binclock.commandline import commands
from binclock.web import access


def web(args: argparse.Namespace) -> int:
    cfg, _ = config.load(getattr(args, "config", None), commands.overrides(args))
    path = access.token_path(cfg.web.token_file)
    if args.action == "token":
        print(token(path))
        return exitcodes.OK
    host, port = listen_address(args.listen or cfg.web.listen)
    settings = plan(cfg, host, args.socket or control.required_socket(cfg), path)
    try:
        from binclock.web import app
    except ImportError:
        print("binclock: binclock web needs aiohttp: pip install 'binclock[web]'", file=sys.stderr)
        return exitcodes.UNAVAILABLE
    try:
        app.serve(settings, host, port, ready=_ready(settings.token is not None, path))
    except OSError as exc:
        print(f"binclock: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        return exitcodes.UNAVAILABLE
    return exitcodes.OK


def listen_address(text: str) -> tuple[str, int]:
    try:
        return access.parse_listen(text)
    except ValueError as exc:
        raise commands.UsageError(f"--listen {text}: {exc}") from None


def plan(cfg: config.Config, host: str, socket: Path, token_file: Path) -> access.Settings:
    """The web process's settings: a token is required beyond loopback, or when asked for."""
    needs_token = cfg.web.require_token or not access.is_loopback(host)
    return access.Settings(
        socket=socket,
        hosts=access.host_names(host, cfg.web.hosts),
        token=token(token_file) if needs_token else None,
    )


def token(path: Path) -> str:
    """The web token kept in ``path`` (made if need be); a ConfigError if it cannot be."""
    try:
        return access.ensure_token(path)
    except (OSError, ValueError) as exc:
        raise config.ConfigError(f"{path}: cannot keep the web token: {exc}") from None


def _ready(needs_token: bool, path: Path) -> Callable[[str], None]:
    def say(url: str) -> None:
        print(f"binclock: the page is at {url}", file=sys.stderr, flush=True)
        if needs_token:
            print(f"binclock: it asks for the token in {path}", file=sys.stderr, flush=True)

    return say
