"""Malformed configuration files of every shape found to break a clock: wrong types, huge
numbers and sizes, NaN and infinities, deep nesting, odd unicode, plugin specs naming
arbitrary callables, and files that are not regular files. Shared by the fuzz tests."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

from binclock import config

HUGE_HEX = "0x" + "f" * 5000
ODD_TEXT = [
    "",
    " ",
    "\u202eevil",
    "\x00",
    "é" * 3,
    "\U0001f600",
    "a\u0301",
    "\ud7ff",
    "x" * 100_000,
]
BAD_VALUES = [
    '"x"',
    "-1",
    "0",
    "100000",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "9223372036854775807",
    HUGE_HEX,
    "true",
    "[]",
    "{}",
    "[[[[[[[[[[1]]]]]]]]]]",
    "[" * 200 + "]" * 200,
    '"#zzzzzz"',
    '"2026-01-01T00:00:00"',
    "2026-01-01T00:00:00Z",
    "12:30:00",
    *(config.toml_value(text) for text in ODD_TEXT),
]
PLUGIN_SPECS = [
    "os:system",
    "os.path:join",
    "subprocess:run",
    "subprocess:Popen",
    "builtins:exec",
    "builtins:eval",
    "builtins:print",
    "builtins:object",
    "os:_exit",
    "sys:exit",
    ":",
    "::",
    "os:",
    ":system",
    ".relative:X",
    "binclock.config:load",
    "binclock.config:Config",
    "nonexistent_mod:X",
    "binclock.faces.time:Nope",
    "binclock.drivers.fake:FakeDriver",
    "binclock.faces.number:NumberFace",
    "neopixl",
    "x" * 100_000,
]
TABLES = {
    "": ["face", "driver", "schedule", "drivers", "faces", "nope"],
    "clock": ["timezone", "hour12", "seconds", "unsynced_indicator", "unsynced_colour"],
    "display": ["brightness", "rotation", "mirror", "gap", "offset"],
    "theme.on": ["hours", "default"],
    "service": ["max_failures", "max_backoff"],
    "transition": ["enabled", "duration", "fps"],
    "drivers.jsonl": ["width", "height", "every_second"],
    "drivers.png": ["width", "height", "led_size", "spacing", "path"],
    "drivers.neopixel": ["width", "height", "leds", "index_map", "max_current_ma"],
    "drivers.servo": ["grid", "travel_s", "discs"],
    "faces.number": ["value", "command", "every", "bits", "column_bits", "divide"],
    "faces.countdown": ["duration", "target", "blink"],
}


def texts() -> Iterator[tuple[str, str | bytes]]:
    """(name, TOML text) of every malformed document in the corpus."""
    for table, keys in TABLES.items():
        header = f"[{table}]\n" if table else ""
        # Every bad value in every table, the keys taking turns; and every key gets a few.
        pairs = [(keys[i % len(keys)], value) for i, value in enumerate(BAD_VALUES)]
        pairs += [(key, value) for key in keys for value in ('"x"', "-1", "nan", HUGE_HEX)]
        for key, value in dict.fromkeys(pairs):
            yield f"{table or 'top'}.{key}={value[:20]}", f"{header}{key} = {value}\n"
    for spec in PLUGIN_SPECS:
        for key in ("face", "driver"):
            yield f"{key}={spec[:20]}", f"{key} = {config.toml_value(spec)}\n"
    yield "nested arrays", "a = " + "[" * 50_000
    yield "nested tables", "a = " + "{b = " * 5_000
    yield "long integer", "[display]\nbrightness = " + "9" * 5000
    yield "unclosed quote", 'face = "number"\n[faces.number]\ncommand = "sh -c \'x"\n'
    yield "empty command", 'face = "number"\n[faces.number]\ncommand = "   "\n'
    yield "huge face name", f'face = "{"y" * 500_000}"\n'
    yield "not utf-8", b"face = '\xff'\n"
    yield "schedule of junk", "[[schedule]]\nfrom = 1\nto = nan\nbrightness = inf\n" * 50
    yield "many tables", "".join(f"[drivers.d{i}]\nwidth = {i}\n" for i in range(2000))


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def special_files(directory: Path) -> Iterator[Path]:
    """Paths that are not regular files: reading any of them must not hang or eat memory."""
    fifo = directory / "fifo.toml"
    os.mkfifo(fifo)
    yield fifo
    link = directory / "link.toml"
    link.symlink_to(fifo)
    yield link
    yield Path("/dev/zero")
    yield Path("/dev/null")
    yield directory
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(directory / "socket.toml"))
    try:
        yield directory / "socket.toml"
    finally:
        sock.close()
    yield directory / "absent.toml"
