"""``binclock mqtt`` and ``binclock mqtt --forget``: settings from the configuration, then
bridge the running clock to the broker (or empty what the bridge left there)."""

from __future__ import annotations

import argparse
import sys

from binclock import config, control, exitcodes
from binclock.commandline import commands


def mqtt(args: argparse.Namespace) -> int:
    cfg, source = config.load(getattr(args, "config", None), commands.overrides(args))
    host = cfg.mqtt.host
    if not host:
        where = f"{source}: " if source else ""
        raise config.ConfigError(f"{where}[mqtt] host is not set (the broker's address)")
    try:
        from binclock.mqtt import bridge, connection, topics
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("paho"):
            raise
        return _fail(
            "binclock mqtt needs paho-mqtt: pip install 'binclock[mqtt]'", exitcodes.UNAVAILABLE
        )
    ids = topics.topics(cfg.mqtt)
    settings = connection.settings(cfg.mqtt, host, topics.client_id(cfg.mqtt, ids), source)
    try:
        if args.forget:
            for topic in bridge.forget(settings, ids):
                print(f"emptied {topic}")
            return exitcodes.OK
        socket = args.socket or control.required_socket(cfg)
        return bridge.Bridge(cfg.mqtt, ids, socket, settings).run()
    except connection.Refused as exc:
        return _fail(str(exc), exc.code)
    except OSError as exc:
        why = connection.unreachable(exc)
        return _fail(f"cannot reach the broker {settings.address}: {why}", exitcodes.UNAVAILABLE)


def _fail(message: str, code: int) -> int:
    print(f"binclock: {message}", file=sys.stderr)
    return code
