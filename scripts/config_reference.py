"""Writes docs/configuration.md from the pydantic models, so the reference never drifts.

    python scripts/config_reference.py            # regenerate docs/configuration.md
    python scripts/config_reference.py --check    # exit 1 if it is out of date (CI)
    python scripts/config_reference.py --plugins --output -   # with your plugins, to stdout

Every table comes from a model: binclock.config.Config and its sections, then the
``Options`` of each driver and face registered by binclock itself (``--plugins`` adds
those of other installed packages). Keys, types, defaults, allowed values and ranges come
from the fields and their JSON schema; descriptions from ``Field(description=...)``.
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import sys
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, PydanticSchemaGenerationError, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic_core import PydanticSerializationError, PydanticUndefined, to_jsonable_python

from binclock import config, registry
from binclock.driver import MAX_SIDE, DriverOptions
from binclock.faces import FaceOptions

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "configuration.md"
SCRIPT = "scripts/config_reference.py"
DISTRIBUTION = "binclock"
TOP = "Top level"

Schema = Mapping[str, Any]


@dataclass
class Table:
    """One TOML table of the reference: its header, what it is for and its keys."""

    header: str
    doc: str
    rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)


# -- types, allowed values and defaults, from the JSON schema ---------------------------


def resolve(schema: Schema, defs: Schema) -> Schema:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    return resolve(defs[ref.rpartition("/")[2]], defs)


def branches(schema: Schema, defs: Schema) -> list[Schema]:
    """The non-null alternatives of a union (or the schema itself)."""
    options = schema.get("anyOf") or schema.get("oneOf")
    if options is None:
        return [resolve(schema, defs)]
    return [resolve(s, defs) for s in options if s.get("type") != "null"]


def type_name(schema: Schema, defs: Schema) -> str:
    """The TOML type of a value, such as "integer", "array of 3 integers", "table of floats"."""
    names = [_type_name(s, defs) for s in branches(schema, defs)]
    return " or ".join(dict.fromkeys(names)) or "any"


def _type_name(schema: Schema, defs: Schema) -> str:
    if "const" in schema or "enum" in schema:
        values = [schema["const"]] if "const" in schema else schema["enum"]
        return " or ".join(dict.fromkeys(_value_type(v) for v in values))
    kind = schema.get("type")
    if kind == "string":
        return {"time": "time", "date": "date", "date-time": "date-time"}.get(
            schema.get("format", ""), "string"
        )
    if kind == "array":
        fixed = schema.get("prefixItems")
        if fixed:
            names = [type_name(s, defs) for s in fixed]
            if len(set(names)) == 1:
                return f"array of {len(names)} {plural(names[0])}"
            return "array [" + ", ".join(names) + "]"
        items = schema.get("items")
        return f"array of {plural(type_name(items, defs))}" if items else "array"
    if kind == "object":
        values = schema.get("additionalProperties")
        if isinstance(values, Mapping) and values:
            return f"table of {plural(type_name(values, defs))}"
        return "table"
    return {"integer": "integer", "number": "float", "boolean": "boolean"}.get(kind or "", "any")


def _value_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    return "string"


def plural(name: str) -> str:
    """ "integer" -> "integers", "array of 3 integers" -> "arrays of 3 integers"."""
    return " or ".join(
        re.sub(r"^(\w+)", lambda m: m.group(1) + ("" if m.group(1) == "any" else "s"), part)
        for part in name.split(" or ")
    )


def allowed(schema: Schema, defs: Schema) -> str:
    """Allowed values or ranges, such as "0 to 255", "`"auto"`, `"pixel"`" or "each > 0"."""
    parts = [_allowed(s, defs) for s in branches(schema, defs)]
    return "; ".join(dict.fromkeys(p for p in parts if p))


def _allowed(schema: Schema, defs: Schema) -> str:
    if "const" in schema:
        return code(toml(schema["const"]))
    if "enum" in schema:
        return ", ".join(code(toml(v)) for v in schema["enum"])
    kind = schema.get("type")
    if kind in ("integer", "number"):
        return bounds(schema)
    if kind == "string":
        return _string_limits(schema)
    if kind == "array":
        fixed = schema.get("prefixItems")
        if fixed:
            each = {allowed(s, defs) for s in fixed}
            return _each(each.pop()) if len(each) == 1 else ""
        limits = bounds(schema, "minItems", "maxItems", None, None, " items")
        limits = limits.replace(">= ", "at least ").replace("<= ", "at most ")
        items = schema.get("items")
        each = allowed(items, defs) if items else ""
        return ", ".join(p for p in (limits, _each(each)) if p)
    if kind == "object":
        values = schema.get("additionalProperties")
        return _each(allowed(values, defs)) if isinstance(values, Mapping) and values else ""
    return ""


def _each(limit: str) -> str:
    """A limit on every item: "each 0 to 255" (once, however deep the nesting)."""
    return limit if not limit or limit.startswith("each ") else f"each {limit}"


def _string_limits(schema: Schema) -> str:
    shortest, longest = schema.get("minLength"), schema.get("maxLength")
    if shortest is not None and longest is not None:
        limits = f"{shortest} to {longest} characters"
    elif shortest is not None:
        limits = f"at least {shortest} character{'s' * (shortest != 1)}"
    elif longest is not None:
        limits = f"at most {longest} character{'s' * (longest != 1)}"
    else:
        limits = ""
    pattern = schema.get("pattern")
    return ", ".join(p for p in (limits, f"matching {code(pattern)}" if pattern else "") if p)


def bounds(
    schema: Schema,
    low: str = "minimum",
    high: str = "maximum",
    low_open: str | None = "exclusiveMinimum",
    high_open: str | None = "exclusiveMaximum",
    unit: str = "",
) -> str:
    """A range as "0 to 255", ">= 1", "> 0 and <= 60" (with ``unit`` after it)."""
    lo, hi = schema.get(low), schema.get(high)
    if lo is not None and hi is not None:
        return f"{number(lo)} to {number(hi)}{unit}"
    parts = []
    if lo is not None:
        parts.append(f">= {number(lo)}")
    if low_open and schema.get(low_open) is not None:
        parts.append(f"> {number(schema[low_open])}")
    if hi is not None:
        parts.append(f"<= {number(hi)}")
    if high_open and schema.get(high_open) is not None:
        parts.append(f"< {number(schema[high_open])}")
    return " and ".join(parts) + unit if parts else ""


def number(value: float) -> str:
    return json.dumps(value)


def toml(value: Any) -> str:
    """A JSON-able value written as TOML."""
    if value is None:
        return "unset"
    if isinstance(value, str | bool | int | float):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{key(k)} = {toml(v)}" for k, v in value.items()) + " }"
    return "[" + ", ".join(toml(v) for v in value) + "]"


def key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def default(info: FieldInfo) -> str:
    """The default as TOML, "unset", "required", or "see description" for a value TOML
    cannot write (an unset item inside an array)."""
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        value = info.get_default(call_default_factory=True, validated_data={})
    else:
        value = info.default
    if value is PydanticUndefined:
        return "required"
    if value is None:
        return "unset"
    annotated = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    try:
        plain = TypeAdapter(annotated).dump_python(value, mode="json")
    except (PydanticSchemaGenerationError, PydanticSerializationError, TypeError):
        plain = to_jsonable_python(value)
    if has_null(plain):
        return "see description"
    return code(toml(plain))


def has_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, Mapping):
        return any(has_null(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(has_null(v) for v in value)
    return False


# -- walking the models -----------------------------------------------------------------


def nested(annotation: Any) -> tuple[str, type[BaseModel]] | None:
    """("table" | "array" | "map", Model) when a field holds a model, a list or a dict of
    models; they become tables of their own: [a.b], [[a.b]] or [a.b.NAME]."""
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return "table", annotation
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return nested(args[0])
    if origin in (Union, types.UnionType):
        real = [a for a in args if a is not type(None)]
        return nested(real[0]) if len(real) == 1 else None
    if origin in (list, tuple, Sequence) and args:
        item = nested(args[0])
        return ("array", item[1]) if item and item[0] == "table" else None
    if origin in (dict, Mapping) and len(args) == 2:
        value = nested(args[1])
        return ("map", value[1]) if value and value[0] == "table" else None
    return None


def docstring(model: type[BaseModel], header: str) -> str:
    """The model's own docstring as Markdown, without a leading "``[header]``: "."""
    doc = model.__dict__.get("__doc__")
    if not doc or model in (DriverOptions, FaceOptions, BaseModel):
        return ""
    text = inspect.cleandoc(doc).replace("``", "`")
    prefix = f"`{header}`: "
    if text.startswith(prefix):
        text = text[len(prefix)].upper() + text[len(prefix) + 1 :]
    return " ".join(text.split())


def tables(model: type[BaseModel], path: tuple[str, ...], header: str, doc: str) -> list[Table]:
    """``model`` as its table and, after it, the tables of its nested models."""
    schema = model.model_json_schema(by_alias=True)
    defs = schema.get("$defs", {})
    own = Table(header, doc or paragraph(docstring(model, header)))
    after: list[Table] = []
    for name, info in model.model_fields.items():
        name = info.alias or name
        inner = nested(info.annotation)
        if inner is not None:
            kind, sub = inner
            sub_path = (*path, name)
            dotted = ".".join(key(p) for p in sub_path)
            sub_header = {
                "table": f"[{dotted}]",
                "array": f"[[{dotted}]]",
                "map": f"[{dotted}.NAME]",
            }[kind]
            sub_doc = paragraph(info.description or "", docstring(sub, sub_header))
            after += tables(sub, sub_path, sub_header, sub_doc)
            continue
        prop = schema["properties"][name]
        own.rows.append(
            (
                code(name),
                type_name(prop, defs),
                default(info),
                allowed(prop, defs),
                clean(info.description or ""),
            )
        )
    return [own, *after]


def plugins(group: str, everything: bool) -> list[tuple[str, Any]]:
    """(name, class) of each driver or face; binclock's own unless ``everything``."""
    found = []
    for name, ep in registry.registered(group).items():
        dist = getattr(ep, "dist", None)
        if not everything and (dist is None or dist.name.lower() != DISTRIBUTION):
            continue
        found.append((name, ep.load()))
    return found


# -- Markdown ---------------------------------------------------------------------------


def code(text: str) -> str:
    return f"`{text}`"


def clean(text: str) -> str:
    return " ".join(text.replace("``", "`").split())


def sentence(text: str) -> str:
    """``text`` cleaned, with a capital first letter and a full stop."""
    text = clean(text)
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def paragraph(*parts: str) -> str:
    return " ".join(sentence(p) for p in parts if p.strip())


def cell(text: str) -> str:
    """A table cell: pipes escaped, and a "<" that could start an HTML tag written as &lt;."""
    return re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text.replace("|", "\\|"))


def slug(heading: str) -> str:
    """The anchor a code host gives a heading: lower case, punctuation dropped, - for spaces."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def heading(table: Table) -> str:
    return table.header if table.header == TOP else f"`{table.header}`"


def render_table(table: Table, level: str = "###") -> list[str]:
    lines = [f"{level} {heading(table)}", ""]
    if table.doc:
        lines += [table.doc, ""]
    if not table.rows:
        return [*lines, "No keys of its own.", ""]
    lines += [
        "| Key | Type | Default | Allowed | Description |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in table.rows]
    return [*lines, ""]


def generate(everything: bool = False) -> str:
    """The whole reference as Markdown; the same models always give the same text."""
    main = tables(config.Config, (), TOP, "")
    main[0].doc = paragraph(
        docstring(config.Config, TOP), "these keys come before the first `[table]` of the file"
    )
    drivers = [
        (name, cls, tables(cls.Options, ("drivers", name), f"[drivers.{name}]", ""))
        for name, cls in plugins(registry.DRIVERS, everything)
        if getattr(cls, "Options", None) is not None
    ]
    faces = [
        (name, cls, tables(cls.Options, ("faces", name), f"[faces.{name}]", ""))
        for name, cls in plugins(registry.FACES, everything)
        if getattr(cls, "Options", None) is not None
    ]
    without = [name for name, _, found in faces if not any(t.rows for t in found)]
    faces = [entry for entry in faces if entry[0] not in without]

    lines = [
        "# Configuration reference",
        "",
        f"<!-- Generated by {SCRIPT} from the pydantic models. Do not edit: change the"
        " models, then run it again. -->",
        "",
        "binclock reads one TOML file: the one given with `--config PATH`, else"
        f" `${config.ENV_VAR}`, else `~/.config/binclock/config.toml` (under"
        f" `$XDG_CONFIG_HOME` when that is set), else `{config.SYSTEM_CONFIG}`. Without a"
        " file every key has the default below. Any key can be set on the command line"
        " with `--set section.key=value`, and `binclock check-config` validates a file and"
        " prints the configuration in effect, every default spelt out.",
        "",
        "The file must be a regular file of at most"
        f" {config.MAX_BYTES >> 20} MiB: a FIFO, a device or a directory is refused rather"
        " than read (a FIFO would block and a device may never end). A searched-for file"
        " that is not there is skipped. Every problem found is reported on its own line"
        " naming the file (or `--set`), the key and the value, with values longer than"
        f" {config.SHOWN_CHARS} characters cut; the exit status is 78. On SIGHUP the running"
        " clock logs the same problems, on one line, and keeps its configuration.",
        "",
        'Colours are `[r, g, b]` arrays with each channel 0 to 255, or `"#rrggbb"` strings.'
        " A default of *unset* means the key is absent unless you give it. Unknown keys are"
        " errors, so a misspelt key is reported rather than ignored, with the nearest known"
        f" key suggested. No display is more than {MAX_SIDE} pixels a side: every driver"
        " option that sets a width or height stops there.",
        "",
        "## Contents",
        "",
    ]
    lines += [f"- {_link(table)}" for table in main]
    lines.append("- [Drivers](#drivers): " + ", ".join(_link(t[0]) for _, _, t in drivers))
    lines.append("- [Faces](#faces): " + ", ".join(_link(t[0]) for _, _, t in faces))
    lines += ["", "## The file", ""]
    for table in main:
        lines += render_table(table)
    lines += [
        "## Drivers",
        "",
        "Each driver reads its own `[drivers.NAME]` table; only the tables of the drivers"
        " in use matter, so one file can hold the settings of several displays."
        " `driver` may name several displays at once, and a `[displays.NAME]` table takes"
        " the same options as `[drivers.DRIVER]` for the driver its `driver` key names, so"
        " one driver can show two displays ([several displays](displays.md))."
        " `binclock --list-drivers` shows which are ready on this machine.",
        "",
    ]
    for _, cls, found in drivers:
        found[0].doc = paragraph(cls.description, found[0].doc)
        lines += [line for table in found for line in render_table(table)]
    lines += [
        "## Faces",
        "",
        "A face reads its own `[faces.NAME]` table.",
        "",
    ]
    for _, cls, found in faces:
        found[0].doc = found[0].doc or paragraph(getattr(cls, "description", ""))
        lines += [line for table in found for line in render_table(table)]
    if without:
        lines += ["Faces without options: " + ", ".join(code(n) for n in without) + ".", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _link(table: Table) -> str:
    return f"[{heading(table)}](#{slug(table.header)})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when the file differs from the models"
    )
    parser.add_argument(
        "--output", default=str(OUTPUT), help="where to write; - for stdout (default: %(default)s)"
    )
    parser.add_argument(
        "--plugins",
        action="store_true",
        help="include the drivers and faces of other installed packages",
    )
    args = parser.parse_args(argv)
    text = generate(everything=args.plugins)
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    output = Path(args.output)
    if args.check:
        try:
            current = output.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        if current != text:
            state = "is missing" if current is None else "is out of date"
            print(f"{output}: {state}; run: python {SCRIPT}", file=sys.stderr)
            return 1
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
