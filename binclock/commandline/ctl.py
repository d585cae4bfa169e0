"""``binclock ctl``: change and watch the running clock through its control socket."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from binclock import config, control, exitcodes
from binclock.commandline.commands import UsageError
from binclock.control.client import ControlClient
from binclock.control.state import merge, nested
from binclock.frame import Frame

SHOWN = ("power", "brightness", "face", "face_options", "driver", "theme", "clock", "schedule")
DURATION = re.compile(r"(\d+)\s*(s|m|h)?")
UNITS = {"s": 1, "m": 60, "h": 3600}


def add_parser(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """``ctl`` and its actions, under the ``binclock`` command's subparsers ``sub``."""
    ctl = sub.add_parser("ctl", help="change or watch the running clock")
    ctl.add_argument(
        "--socket",
        type=Path,
        metavar="PATH",
        help="the clock's control socket (default: this user's clock, else the service's)",
    )
    ctl.add_argument("--config", type=Path, metavar="PATH", help="configuration naming the socket")
    actions = ctl.add_subparsers(dest="action", metavar="ACTION", parser_class=parser_class)
    actions.required = True
    actions.add_parser("state", help="show the settings and where each comes from")
    actions.add_parser("on", help="turn the display on")
    actions.add_parser("off", help="turn the display off (dark; the clock keeps running)")
    level = actions.add_parser("brightness", help="set the brightness, 0-1")
    level.add_argument("level", type=float)
    face = actions.add_parser("face", help="show another installed face")
    face.add_argument("name")
    setting = actions.add_parser("set", help="change a setting, e.g. theme.on.hours=#ff0000")
    setting.add_argument("settings", nargs="+", metavar="KEY=VALUE")
    note = actions.add_parser("notify", help="show a number, a colour or a face for a while")
    note.add_argument("what", help="a number, a colour '#rrggbb' or a face name")
    note.add_argument("--for", dest="duration", default="10s", metavar="TIME", help="10s, 2m")
    note.add_argument("--priority", type=int, default=0, metavar="N", help="higher goes first")
    note.add_argument("--blink", action="store_true", help="blink the colour")
    alarm = actions.add_parser("alarm", help="stop or snooze the alarm showing")
    alarm.add_argument("what", choices=("stop", "snooze"))
    actions.add_parser(
        "reset",
        help="back to the configuration file: drop every run-time change, turn the display on",
    )
    actions.add_parser("watch", help="print each frame shown, until interrupted")


def run(args: argparse.Namespace) -> int:
    """Do ``args.action``. The client's errors are left to the command line, which makes
    each one line with its exit code: 69 no clock, 77 not allowed, 64 a refused request."""
    path = args.socket or socket_of(args.config)
    client = ControlClient(path)
    try:
        return ACTIONS[args.action](client, args)
    finally:
        client.close()


def socket_of(path: Path | None) -> Path:
    return control.required_socket(config.load(path)[0])


# -- the actions ------------------------------------------------------------------------


def state(client: ControlClient, _args: argparse.Namespace) -> int:
    print(describe(client.call("GET", "/api/state")))
    return exitcodes.OK


def describe(view: dict[str, Any]) -> str:
    """The writable settings, a line each with where its value comes from, then the rest."""
    sources = view.get("sources", {})
    lines = [
        f"{key:<13} {json.dumps(view.get(key)):<40} {sources.get(key, '')}".rstrip()
        for key in SHOWN
    ]
    for key in ("notify", "alarm", "synchronised", "time", "uptime", "version"):
        lines.append(f"{key:<13} {json.dumps(view.get(key))}")
    if view.get("light"):
        lines.append(f"{'light':<13} {json.dumps(view['light'])}")
    if view.get("overrides"):
        lines.append(f"{'overrides':<13} {json.dumps(view['overrides'])}")
    return "\n".join(lines)


def patch(body: dict[str, Any]) -> Callable[[ControlClient, argparse.Namespace], int]:
    def action(client: ControlClient, _args: argparse.Namespace) -> int:
        return changed(client, body)

    return action


def changed(client: ControlClient, body: dict[str, Any]) -> int:
    view = client.call("PATCH", "/api/state", body)
    sources = view.get("sources", {})
    for key in body:
        print(f"{key} {json.dumps(view.get(key))} ({sources.get(key, 'runtime')})")
    return exitcodes.OK


def brightness(client: ControlClient, args: argparse.Namespace) -> int:
    return changed(client, {"brightness": args.level})


def face(client: ControlClient, args: argparse.Namespace) -> int:
    return changed(client, {"face": args.name})


def settings(client: ControlClient, args: argparse.Namespace) -> int:
    """``set KEY=VALUE ...``: keys are the API's fields (``theme.on.hours``)."""
    body: dict[str, Any] = {}
    for text in args.settings:
        try:
            key, value = config.parse_override(text)
        except config.ConfigError as exc:
            raise UsageError(str(exc).replace("--set", "set")) from None
        body = merge(body, nested(key, value))
    return changed(client, body)


def notify(client: ControlClient, args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"seconds": duration(args.duration), "priority": args.priority}
    what = args.what
    if what.isdigit():
        body["number"] = int(what)
    elif what.startswith("#"):
        body |= {"colour": what, "blink": args.blink}
    else:
        body["face"] = what
    answer = client.call("POST", "/api/notify", body)
    print(f"notification {answer['id']} {'queued' if answer['queued'] else 'showing'}")
    return exitcodes.OK


def duration(text: str) -> int:
    """``10s``, ``2m``, ``1h`` or plain seconds."""
    match = DURATION.fullmatch(text.strip())
    if not match:
        raise UsageError(f"--for {text!r}: expected a time such as 10s, 2m or 1h")
    return int(match.group(1)) * UNITS[match.group(2) or "s"]


def alarm(client: ControlClient, args: argparse.Namespace) -> int:
    answer = client.call("POST", "/api/alarm", {"action": args.what})
    if not answer["done"]:
        print("no alarm is showing")
    elif answer["snoozed_until"]:
        print(f"alarm snoozed until {answer['snoozed_until']}")
    else:
        print("alarm stopped")
    return exitcodes.OK


def reset(client: ControlClient, _args: argparse.Namespace) -> int:
    client.call("DELETE", "/api/state/overrides")
    print("run-time changes dropped; the configuration is in force")
    return exitcodes.OK


def watch(client: ControlClient, _args: argparse.Namespace) -> int:
    """Each frame as the terminal driver prints it, in a stream (not full screen), until
    the reader of a pipe goes away, even while the picture stays the same (nothing written
    to fail): the clock turned off, a date."""
    from binclock.daemon.output import reader_watch
    from binclock.drivers.terminal import TerminalDriver, TerminalOptions

    display = TerminalDriver(TerminalOptions(fullscreen=False), stream=sys.stdout)
    gone = reader_watch()
    try:
        for event, data in client.events():
            if event == "frame":
                display.show(frame_of(data))
            if gone is not None and gone():
                break
    except KeyboardInterrupt:
        pass
    finally:
        display.close()
    return exitcodes.OK


def frame_of(data: dict[str, Any]) -> Frame:
    """A frame from its JSON record (the jsonl driver's line)."""
    when = datetime.fromisoformat(data["time"]) if data.get("time") else None
    pixels = tuple((p[0], p[1], p[2]) for p in data["pixels"])
    caption = f"{when:%H:%M:%S}" if when else ""
    return Frame(data["width"], data["height"], pixels, time=when, caption=caption)


ACTIONS: dict[str, Callable[[ControlClient, argparse.Namespace], int]] = {
    "state": state,
    "on": patch({"power": "on"}),
    "off": patch({"power": "off"}),
    "brightness": brightness,
    "face": face,
    "set": settings,
    "notify": notify,
    "alarm": alarm,
    "reset": reset,
    "watch": watch,
}
