"""Writes docs/api.md: a written guide to the control API with curl examples, then the
reference of every request and response, generated from binclock/control/api.py.

    python scripts/api_reference.py            # regenerate docs/api.md
    python scripts/api_reference.py --check    # exit 1 if it is out of date (CI)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from binclock.control.api import MODELS

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "api.md"
SCRIPT = "scripts/api_reference.py"

GUIDE = """\
# The control API and `binclock ctl`

The running clock serves a small HTTP/JSON API on a Unix socket, so that scripts, `binclock
ctl`, the web page and home automation can watch and change it while the clock process keeps
its devices and no network. Like Docker's API, `curl --unix-socket` is its first client.

- **Where**: `[control] socket` in the configuration. Unset, it is
  `$RUNTIME_DIRECTORY/control.sock` under systemd (`/run/binclock/control.sock`), else
  `$XDG_RUNTIME_DIR/binclock/control.sock`, else `/tmp/binclock-UID/control.sock`.
  `socket = ""` turns the API off. A socket that cannot be set up (a folder that cannot be
  made, another clock already serving it) is one warning line, and the clock runs without
  the API: showing the time matters more.
- **Where clients look**: `binclock ctl` and `binclock web` take `--socket PATH` or
  `[control] socket`; else `$RUNTIME_DIRECTORY/control.sock` (the web page's unit sets it to
  the clock's `/run/binclock`); else the socket of a clock the same user runs, when there is
  one (`$XDG_RUNTIME_DIR/binclock/…` or `/tmp/binclock-UID/…`); else the systemd service's
  `/run/binclock/control.sock`. So `sudo binclock ctl state` on a Pi reaches the clock its
  unit runs.
- **Who**: the socket is mode 0660 and belongs to the group `[control] group` (default
  `binclock`) when that group exists, else mode 0600 (its owner only). Root always may;
  add a user with `sudo usermod -aG binclock pi`.
- **Version**: every answer has the header `Binclock-API: 1`; `GET /api/state` says `"api": 1`.
- **Errors**: every error is `{"error": "one line"}` with a 4xx or 5xx status: 400 not
  JSON or a face/driver that is not installed, 404 no such path, 405 wrong method, 408/closed
  a client too slow to send its request (5 s per read), 411 no Content-Length, 413 a body
  over 64 KiB, 415 not `application/json`, 422 a value the configuration's models refuse,
  503 the clock did not answer.

A face or driver is chosen only among the installed, registered names (`"faces"` and
`"drivers"` in the state): never a `module:Class`, which would let any client of the API
import and run code in the clock. Values are validated by the same models as the
configuration file ([configuration.md](configuration.md)).

## Run-time changes and where values come from

Changes are kept as run-time overrides in the configuration's own shape, layered over the
configuration file as `--set` is, and saved in `[control] state_file` (unset:
`$STATE_DIRECTORY/state.json` under systemd, else `~/.local/state/binclock/state.json`),
written atomically, so a brightness set from a phone survives a restart or a power cut. A
corrupt state file is one warning line and is ignored. SIGHUP re-reads the file and keeps the
overrides on top; `binclock ctl reset` (or `DELETE /api/state/overrides`) goes back to the
configuration file: it drops them all and turns the display on.
`"sources"` in the state says, for each writable field, whether its value comes from
`runtime`, `config` (the file or `--set`) or the `default`; `binclock check-config` lists the
overrides kept over the file.

## Examples

```sh
S=/run/binclock/control.sock
# The state
curl --unix-socket $S http://binclock/api/state
# Dim, pick a face, colour the hours, turn off (applied at once, kept across restarts)
curl --unix-socket $S -X PATCH -H 'Content-Type: application/json' \\
     -d '{"brightness": 0.3, "face": "bcd"}' http://binclock/api/state
curl --unix-socket $S -X PATCH -H 'Content-Type: application/json' \\
     -d '{"theme": {"on": {"hours": "#ff0000"}}}' http://binclock/api/state
curl --unix-socket $S -X PATCH -H 'Content-Type: application/json' \\
     -d '{"power": "off"}' http://binclock/api/state
# Back to the configuration file's value for one field, then for all (display on)
curl --unix-socket $S -X PATCH -H 'Content-Type: application/json' \\
     -d '{"brightness": null}' http://binclock/api/state
curl --unix-socket $S -X DELETE http://binclock/api/state/overrides
# Show 42 in binary for 10 s; blink red for a minute over anything of a lower priority
curl --unix-socket $S -X POST -H 'Content-Type: application/json' \\
     -d '{"number": 42, "seconds": 10}' http://binclock/api/notify
curl --unix-socket $S -X POST -H 'Content-Type: application/json' \\
     -d '{"colour": "#ff0000", "blink": true, "seconds": 60, "priority": 5}' \\
     http://binclock/api/notify
curl --unix-socket $S -X DELETE http://binclock/api/notify
# Stop the alarm showing, or put it off for its snooze minutes
curl --unix-socket $S -X POST -H 'Content-Type: application/json' \\
     -d '{"action": "stop"}' http://binclock/api/alarm
# The frame shown, and the live stream of frames and changes
curl --unix-socket $S http://binclock/api/frame
curl -N --unix-socket $S http://binclock/api/events
```

## Endpoints

| Method and path | Body | Answer |
|---|---|---|
| `GET /api/state` | | 200 [StateView](#stateview) |
| `PATCH /api/state` | [StatePatch](#statepatch) | 200 StateView, once applied and shown |
| `DELETE /api/state/overrides` | | 200 StateView: no override, the display on |
| `POST /api/notify` | [NotifyRequest](#notifyrequest) | 202 [Notified](#notified) |
| `DELETE /api/notify` | | 200 `{"cleared": n}` |
| `POST /api/alarm` | [AlarmRequest](#alarmrequest) | 200 [AlarmAnswer](#alarmanswer) |
| `GET /api/frame` | | 200 [FrameView](#frameview); 503 before the first frame |
| `GET /api/events` | | `text/event-stream` |

A change is applied by the clock's loop at once (the display shows it within the same
moment, for the current second) and the clock then goes on ticking on the second.
Notifications show over the clock for their seconds: a higher priority replaces the one
showing, an equal or lower one waits its turn (equal ones in the order sent); the power off
keeps the display dark whatever is queued. They are as bright as the clock they cover: the
night schedule and a [light sensor](light.md) dim them as they dim it.

`GET /api/events` sends `event: state` (data: a StateView) first, once the clock's loop
turns (within the second as a rule), and on every change, `event: frame` (data: a
FrameView, the `jsonl` driver's line) for every frame shown, and a `: ping` comment after
15 s without an event, as long as the clock's loop runs. A stream that carries nothing
for 45 s, not even a ping, has lost its clock (its process stopped, or its loop stuck in
a display that hangs; a stream opened while the loop is stuck stays silent, state
included): the web page and the MQTT bridge then treat it as a clock that stopped, and
`binclock ctl watch` ends with one line saying so (exit 69). A subscriber too slow to
read misses events rather than slow the clock.

## `binclock ctl`

```
binclock ctl [--socket PATH] [--config PATH] ACTION
  state                      the settings, each with where it comes from
  on | off                   the display on, or dark (the clock keeps running)
  brightness 0.3             the brightness, 0-1
  face bcd                   another installed face
  set KEY=VALUE ...          any writable field: theme.on.hours=#ff0000, clock.seconds=false
  notify 42|#rrggbb|FACE [--for 10s] [--priority N] [--blink]
  reset                      back to the configuration file: no run-time change, display on
  watch                      print each frame as the terminal driver does, until Ctrl-C
```

It finds the socket as said [above](#the-control-api-and-binclock-ctl), or takes `--socket`.
Exit codes: 0 done, 64 the clock refused the request (the reason in one line), 69 no clock
is running, 77 the socket is there but this user may not use it, 78 a bad configuration.
`watch` into a pipe ends with 0 within a second of the program reading it exiting
(`binclock ctl watch | head -8`), even while the picture stays the same (the display off).
"""

MARK = (
    "\n<!-- Everything below is generated by scripts/api_reference.py"
    " from binclock/control/api.py. -->\n"
)


def kind(schema: dict[str, Any]) -> str:
    """A short type for a field's JSON schema."""
    if "anyOf" in schema:
        return " or ".join(kind(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " or ".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    if "$ref" in schema:
        name = schema["$ref"].rpartition("/")[2]
        return f"[{name}](#{name.lower()})"
    found = schema.get("type", "any")
    if found == "array":
        return f"array of {kind(schema.get('items', {}))}"
    return "object" if found == "object" else str(found)


def model_table(model: type[BaseModel]) -> list[str]:
    schema = model.model_json_schema()
    required = set(schema.get("required", ()))
    lines = [f"### {model.__name__}", "", " ".join((model.__doc__ or "").split()), ""]
    lines += ["| Field | Type | Default | Description |", "|---|---|---|---|"]
    for name, field in schema.get("properties", {}).items():
        bounds = [
            f"{word} {field[key]}"
            for key, word in (("minimum", "≥"), ("maximum", "≤"))
            if key in field
        ]
        default = "required" if name in required else json.dumps(field.get("default"))
        text = " ".join([field.get("description", ""), *bounds]).strip().replace("|", "\\|")
        shape = kind(field).replace("|", "\\|")
        lines.append(f"| `{name}` | {shape} | {default} | {text} |")
    return [*lines, ""]


def generate() -> str:
    lines = [GUIDE + MARK, "## Reference", ""]
    for model in MODELS:
        lines += model_table(model)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else None
        if current != text:
            print(f"{OUTPUT}: out of date; run: python {SCRIPT}", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
