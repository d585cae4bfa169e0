"""The bridge's messages: the clock's state as Home Assistant's JSON light schema, and
``…/set`` and ``…/notify`` messages turned into control API requests.

A message comes from anyone who can publish to the broker, so each one is checked in
full here and refused with a :class:`BadCommand` saying why in one line; nothing else is
ever raised, whatever the bytes.
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from binclock.config import did_you_mean, reason, shown

MAX_PAYLOAD = 64 * 1024
SCALE = 255  # Home Assistant's brightness runs 0-255; the clock's 0-1


class BadCommand(ValueError):
    """A message refused; the message is the one-line reason."""


# -- the clock's state, published ------------------------------------------------------


def state_payload(view: dict) -> dict:
    """The retained ``…/state`` message from the control API's state view: Home
    Assistant's JSON light state (``state``, ``brightness`` 0-255, ``color_mode`` rgb,
    ``color`` the lit colour, ``effect`` the face) plus ``notify``, ``synchronised`` and
    ``time`` as the view has them."""
    return {
        "state": "ON" if view["power"] == "on" else "OFF",
        "brightness": round(view["brightness"] * SCALE),
        "color_mode": "rgb",
        "color": _rgb(_lit(view["theme"]["on"])),
        "effect": view["face"],
        "notify": view["notify"],
        "synchronised": view["synchronised"],
        "time": view["time"],
    }


def _lit(on: dict[str, str]) -> str:
    """The colour standing for the lit bits: the hours', else the first group's."""
    return on.get("hours") or next(iter(on.values()), "#000000")


def _rgb(colour: str) -> dict[str, int]:
    n = int(colour.lstrip("#"), 16)
    return {"r": n >> 16, "g": n >> 8 & 255, "b": n & 255}


# -- commands, received ----------------------------------------------------------------

Byte = Annotated[int, Field(ge=0, le=255)]


def _on_off(value: str) -> str:
    if value.upper() not in ("ON", "OFF"):
        raise ValueError("expected ON or OFF")
    return value.upper()


class Rgb(BaseModel):
    """A colour as Home Assistant's JSON light sends it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    r: Byte
    g: Byte
    b: Byte


class SetCommand(BaseModel):
    """A ``…/set`` (or fleet) message: Home Assistant's JSON light command. ``transition``
    and ``color_mode`` are accepted because Home Assistant may send them, and ignored."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    state: Annotated[str, AfterValidator(_on_off)] | None = None
    brightness: Byte | None = None
    color: Rgb | None = None
    effect: str | None = None
    transition: float | None = Field(None, ge=0)
    color_mode: str | None = None


def patch_of(data: bytes, view: dict) -> dict:
    """The body of ``PATCH /api/state`` for a ``…/set`` (or fleet) message; ``view`` is
    the clock's state view (its faces and colour groups). ``state`` ON/OFF (any case) ->
    ``power``; ``brightness`` 0-255 -> 0-1; ``color`` {r, g, b} -> every lit group of the
    theme; ``effect`` -> ``face``, only an installed face's name. Raises
    :class:`BadCommand` for anything else, including a message that changes nothing."""
    document = _document(data)
    _known_keys(document)
    try:
        command = SetCommand.model_validate(document)
    except ValidationError as exc:
        raise BadCommand(_problem(exc)) from None
    patch: dict[str, Any] = {}
    if command.state is not None:
        patch["power"] = command.state.lower()
    if command.brightness is not None:
        patch["brightness"] = command.brightness / SCALE
    if command.color is not None:
        c = command.color
        hexa = f"#{c.r:02x}{c.g:02x}{c.b:02x}"
        patch["theme"] = {"on": {group: hexa for group in view["theme"]["on"]}}
    if command.effect is not None:
        faces = list(view["faces"])
        if command.effect not in faces:
            hint = did_you_mean(command.effect, faces)
            raise BadCommand(
                f"effect = {shown(command.effect)}: not an installed face"
                f" ({hint or 'installed: ' + ', '.join(faces)})"
            )
        patch["face"] = command.effect
    if not patch:
        raise BadCommand("nothing to change: give state, brightness, color or effect")
    return patch


def notify_of(data: bytes) -> dict:
    """The body of ``POST /api/notify`` for a ``…/notify`` message: the same JSON object
    as the API takes. Only its form is checked here (size, UTF-8, JSON, an object); the
    clock checks the rest and says why it refuses."""
    return _document(data)


# -- checks shared by both -------------------------------------------------------------


def _document(data: bytes) -> dict[str, Any]:
    """``data`` as a JSON object, or :class:`BadCommand`."""
    if len(data) > MAX_PAYLOAD:
        raise BadCommand(f"the message has {len(data)} bytes, over the {MAX_PAYLOAD} allowed")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadCommand(f"not UTF-8: byte {exc.start} is {data[exc.start]:#04x}") from None
    try:
        document = json.loads(
            text,
            object_pairs_hook=_unique,
            parse_constant=_no_constant,
            parse_float=_finite,
        )
    except RecursionError:
        raise BadCommand("not JSON: nested too deeply") from None
    except ValueError as exc:
        raise BadCommand(f"not JSON: {reason(exc)}") from None
    if not isinstance(document, dict):
        raise BadCommand(f"expected a JSON object, not {_kind(document)}")
    _whole_characters(document)
    return document


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are each given once (JSON would keep the last silently)."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise ValueError(f"key {shown(key)} given twice")
        seen.add(key)
    return dict(pairs)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{shown(text, quote=False)} is out of range")
    return number


def _whole_characters(document: dict[str, Any]) -> None:
    """Refuse strings holding half of a UTF-16 pair (``"\\ud800"`` in JSON): they are no
    text, cannot be written to a log, and no key or value of ours has one."""
    pending: list[Any] = [document]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise BadCommand("not text: a lone UTF-16 surrogate (\\ud800-\\udfff)") from None


def _known_keys(document: dict[str, Any]) -> None:
    """Refuse keys of no command, and null values (which would otherwise read as absent)."""
    known = list(SetCommand.model_fields)
    for key, value in document.items():
        if key not in known:
            hint = did_you_mean(key, known)
            raise BadCommand(f"{shown(key)}: unknown key ({hint or 'known: ' + ', '.join(known)})")
        if value is None:
            raise BadCommand(f"{key} = null: give a value, or leave the key out")


def _problem(exc: ValidationError) -> str:
    """The first problem in ``exc`` as ``key = value: what is wrong``."""
    item = exc.errors()[0]
    loc = [str(p) for p in item["loc"] if not str(p).startswith("function-")]
    key = ".".join(shown(p, quote=False) for p in loc)
    if item["type"] == "missing":
        return f"{key}: missing"
    if item["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    why = item["msg"].removeprefix("Value error, ")
    return f"{key} = {shown(item.get('input'))}: {why}"


def _kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "true or false", type(None): "null"}.get(
        type(value), "a number"
    )
