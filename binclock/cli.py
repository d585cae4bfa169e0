"""The ``binclock`` command line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime, time, tzinfo
from pathlib import Path
from typing import NoReturn

from binclock import __version__, config, exitcodes, registry
from binclock.clock import OffsetClock, SystemClock
from binclock.driver import DriverUnavailable
from binclock.pipeline import build_driver, build_pipeline, timezone
from binclock.service import Service

log = logging.getLogger("binclock")


class UsageError(Exception):
    """A bad command line; the message is shown as one line and the exit code is 64."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see binclock --help)")


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="configuration file (default: $BINCLOCK_CONFIG, "
        "~/.config/binclock/config.toml, /etc/binclock/config.toml)",
    )
    common.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        dest="overrides",
        default=argparse.SUPPRESS,
        help="override a setting, e.g. --set display.brightness=0.3 (repeatable)",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="log more (-vv for debugging)",
    )

    p = Parser(
        prog="binclock",
        parents=[common],
        description="A binary clock with pluggable displays. With no command, runs the clock.",
        epilog="exit codes: 0 ok, 64 usage, 69 display unavailable, 70 driver failed,"
        " 78 configuration",
    )
    p.add_argument(
        "--driver", metavar="NAME", help="display to use (see --list-drivers) or module:Class"
    )
    p.add_argument(
        "--face", metavar="NAME", help="face to show: binary (default) or bcd, or module:Class"
    )
    p.add_argument("--once", action="store_true", help="render one frame and exit")
    p.add_argument(
        "--at", metavar="TIME", help="show this local time (HH:MM:SS or ISO 8601) instead of now"
    )
    p.add_argument("--list-drivers", action="store_true", help="list the drivers installed here")
    p.add_argument("--list-faces", action="store_true", help="list the faces installed here")
    p.add_argument("--version", action="version", version=f"binclock {__version__}")
    commands = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    check = commands.add_parser(
        "check-config",
        parents=[common],
        help="validate a configuration and print the effective one",
    )
    check.add_argument("path", nargs="?", type=Path, help="file to check (default: the one in use)")
    return p


def parse_at(text: str, tz: tzinfo) -> datetime:
    """``HH:MM[:SS]`` today, or an ISO 8601 date-time, as an aware time in ``tz``."""
    try:
        clock_time = time.fromisoformat(text)
    except ValueError:
        clock_time = None
    if clock_time is not None and clock_time.tzinfo is None:
        today = datetime.now(tz).date()
        return datetime.combine(today, clock_time, tz)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--at {text!r}: expected HH:MM:SS or an ISO 8601 date and time") from None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def setup_logging(verbosity: int) -> None:
    under_systemd = "INVOCATION_ID" in os.environ or "JOURNAL_STREAM" in os.environ
    level = (
        logging.DEBUG
        if verbosity > 1
        else logging.INFO
        if verbosity or under_systemd
        else logging.WARNING
    )
    fmt = "%(levelname)s %(message)s" if under_systemd else "binclock: %(levelname)s: %(message)s"
    logging.basicConfig(level=level, format=fmt, stream=sys.stderr)


def list_plugins(group: str) -> str:
    rows = []
    for name, ep in registry.registered(group).items():
        try:
            cls = ep.load()
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not hide the others
            rows.append((name, "no", f"fails to load: {exc}"))
            continue
        ready = "yes" if registry.importable(getattr(cls, "requires", ())) else "no"
        rows.append((name, ready, getattr(cls, "description", "")))
    if group == registry.FACES:
        return "\n".join(f"{n:<12} {d}" for n, _, d in rows)
    lines = [f"{'NAME':<12} {'READY':<6} DESCRIPTION"]
    lines += [f"{n:<12} {r:<6} {d}" for n, r, d in rows]
    return "\n".join(lines)


def command_line_overrides(args: argparse.Namespace) -> list[str]:
    overrides = list(getattr(args, "overrides", []) or [])
    for key, value in (("driver", args.driver), ("face", args.face)):
        if value:
            overrides.append(f'{key}="{value}"')
    return overrides


def resolve(cfg: config.Config, source: Path | None, args: argparse.Namespace) -> None:
    """Check that the face and driver exist; unknown names are usage errors on the command
    line and configuration errors in a file."""
    for key, group in (("face", registry.FACES), ("driver", registry.DRIVERS)):
        try:
            registry.load(group, getattr(cfg, key))
        except registry.UnknownPlugin as exc:
            if getattr(args, key, None):
                raise
            raise config.ConfigError(
                f"{source or 'built-in defaults'}: {key} = {exc.name!r}: {exc}"
            ) from None


def check_config(args: argparse.Namespace) -> int:
    path = args.path or getattr(args, "config", None)
    cfg, source = config.load(path, getattr(args, "overrides", []))
    resolve(cfg, source, args)
    installed = registry.registered(registry.DRIVERS)
    for name in {cfg.driver, *cfg.drivers}:
        if name in installed or name == cfg.driver:
            cls = registry.load(registry.DRIVERS, name)
            config.plugin_options(cfg, "drivers", name, cls.Options, source)
    print(f"# {source or 'built-in defaults'}: valid")
    print(config.to_toml(cfg), end="")
    return exitcodes.OK


def one_shot(cfg: config.Config) -> config.Config:
    """For ``--once``: drivers with a ``fullscreen`` option print inline, so the frame stays."""
    cls = registry.load(registry.DRIVERS, cfg.driver)
    if "fullscreen" not in getattr(cls, "Options", config.Section).model_fields:
        return cfg
    table = {**cfg.drivers.get(cfg.driver, {}), "fullscreen": False}
    return cfg.model_copy(update={"drivers": {**cfg.drivers, cfg.driver: table}})


def run_clock(args: argparse.Namespace) -> int:
    overrides = command_line_overrides(args)

    def loader() -> tuple[config.Config, Path | None]:
        cfg, source = config.load(getattr(args, "config", None), overrides)
        resolve(cfg, source, args)
        return cfg, source

    cfg, source = loader()
    tz = timezone(cfg)
    at = parse_at(args.at, tz) if args.at else None
    if args.once:
        driver = build_driver(one_shot(cfg), source)
        try:
            pipeline = build_pipeline(cfg, driver, source)
            driver.show(pipeline.render(at or SystemClock(tz).now()))
        finally:
            driver.close()
        return exitcodes.OK
    service = Service(loader, clock=OffsetClock(tz, at) if at else None)
    log.info("%s", service.status())
    return service.run()


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        setup_logging(getattr(args, "verbose", 0) or 0)
        if args.list_drivers:
            print(list_plugins(registry.DRIVERS))
            return exitcodes.OK
        if args.list_faces:
            print(list_plugins(registry.FACES))
            return exitcodes.OK
        if args.command == "check-config":
            return check_config(args)
        return run_clock(args)
    except (UsageError, registry.UnknownPlugin) as exc:
        return fail(str(exc), exitcodes.USAGE)
    except config.ConfigError as exc:
        return fail(str(exc), exitcodes.CONFIG)
    except (DriverUnavailable, registry.BrokenPlugin) as exc:
        return fail(str(exc), exitcodes.UNAVAILABLE)


def fail(message: str, code: int) -> int:
    print(f"binclock: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
