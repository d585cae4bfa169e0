"""What each ``binclock`` command does, given its parsed arguments."""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, time, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from binclock import config, control, exitcodes, registry
from binclock.clock import OffsetClock, SystemClock
from binclock.commandline import install, testpattern
from binclock.control.server import ControlServer
from binclock.control.state import StateFile
from binclock.daemon import signals
from binclock.daemon.screens import close_display
from binclock.daemon.service import Loaded, Service, indicator_mode, synchronised, unsynced
from binclock.driver import Finished
from binclock.faces import rendering
from binclock.pipeline import (
    Display,
    build_driver,
    build_face,
    build_pipeline,
    displays,
    stdout_clash,
    timetable,
    timezone,
)
from binclock.sync import SyncCheck

if TYPE_CHECKING:
    from binclock.machine import Machine

log = logging.getLogger("binclock")


class UsageError(Exception):
    """A bad command line; shown as one line with exit code 64."""


def parse_at(text: str, tz: tzinfo) -> datetime:
    """``HH:MM[:SS]`` today, or an ISO 8601 date-time, as an aware time in ``tz``."""
    try:
        clock_time = time.fromisoformat(text)
    except ValueError:
        clock_time = None
    if clock_time is not None and clock_time.tzinfo is None:
        return datetime.combine(datetime.now(tz).date(), clock_time, tz)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--at {text!r}: expected HH:MM:SS or an ISO 8601 date and time") from None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def list_plugins(group: str, machine: Machine | None = None) -> str:
    """The installed faces, or drivers with whether they can run here with their default
    options (what the driver's own check finds: libraries, hardware, folders), a line each."""
    from binclock.commandline import doctor as checks  # only needed here, as for ``doctor``

    rows = []
    for name in registry.registered(group):
        try:
            cls = registry.load(group, name)
        except registry.PluginError as exc:  # a broken plugin must not hide the others
            rows.append((name, "no", f"fails to load: {exc}"))
            continue
        description = getattr(cls, "description", "")
        if group == registry.FACES:
            rows.append((name, "", description))
            continue
        machine = machine or checks.Machine()
        rows.append((name, "no" if checks.here(name, machine, cls).fix else "yes", description))
    w = max([12, *(len(n) + 1 for n, _, _ in rows)])  # names longer than 11 widen the column
    if group == registry.FACES:
        return "\n".join(f"{n:<{w}} {d}" for n, _, d in rows)
    lines = [f"{'NAME':<{w}} {'READY':<6} DESCRIPTION"]
    lines += [f"{n:<{w}} {r:<6} {d}" for n, r, d in rows]
    if any(ready == "no" for _, ready, _ in rows):
        lines.append("(binclock doctor says why a driver is not ready, and what to do)")
    return "\n".join(lines)


def overrides(args: argparse.Namespace) -> list[str]:
    """``--set`` values, then ``--driver`` (one name, or several with commas) and ``--face``."""
    found = list(getattr(args, "overrides", []) or [])
    for key in ("driver", "face"):
        value = getattr(args, key, None)
        if value:
            given = config.driver_names(value) if key == "driver" else value
            found.append(f"{key}={config.toml_value(given)}")
    return found


def plugin(group: str, name: str) -> type:
    """The driver or face named on the command line; a bad name is a usage error."""
    try:
        return registry.load(group, name)
    except registry.PluginError as exc:
        raise UsageError(str(exc)) from None


def plugin_problems(cfg: config.Config, source: Path | None, args: argparse.Namespace) -> list[str]:
    """What is wrong with the configured face, driver and light sensor names, a line each. A
    name given as ``--face``/``--driver`` that does not load is a usage error, raised at once."""
    found = []
    named = [("face", registry.FACES, cfg.face, ("face",))]
    for display in displays(cfg):
        key = ("driver",) if display.table == "drivers" else ("displays", display.name, "driver")
        named.append(("driver", registry.DRIVERS, display.driver, key))
    if ":" in cfg.light.sensor:  # a sensor of one's own (the built-in ones are no plugins)
        named.append(("sensor", registry.SENSORS, cfg.light.sensor, ("light", "sensor")))
    for key, group, name, path in named:
        if getattr(args, key, None) and path == (key,):
            plugin(group, name)
            continue
        try:
            registry.load(group, name)
        except registry.PluginError as exc:
            where = config.Origin(source, cfg._overridden)(path)
            found.append(f"{where}: {'.'.join(path)} = {config.shown(name)}: {exc}")
    return found + shared_output(cfg, source, args)


def shared_output(cfg: config.Config, source: Path | None, args: argparse.Namespace) -> list[str]:
    """Two displays drawing on standard output (``stdout_clash``): a usage error when
    ``--driver`` names them, else a line at ``driver``. ``--once`` shows the displays in
    turn, one after the other, so they may share it."""
    clash = None if getattr(args, "once", False) else stdout_clash(cfg)
    if clash is None:
        return []
    if getattr(args, "driver", None):
        raise UsageError(f"--driver {args.driver}: {clash}")
    where = config.Origin(source, cfg._overridden)(("driver",))
    return [f"{where}: driver = {config.toml_value(cfg.driver)}: {clash}"]


def resolve(cfg: config.Config, source: Path | None, args: argparse.Namespace) -> None:
    """Check that the face and driver exist and are plugins: bad names are usage errors on
    the command line, and configuration errors in a file or ``--set``."""
    problems = plugin_problems(cfg, source, args)
    if problems:
        raise config.ConfigError(*problems)


Adjust = Callable[[config.Config], config.Config]


def load(args: argparse.Namespace, adjust: Adjust | None = None) -> Loaded:
    """The configuration the command line asks for, changed by ``adjust`` if given."""
    cfg, source = config.load(getattr(args, "config", None), overrides(args))
    if adjust is not None:
        cfg = adjust(cfg)
    resolve(cfg, source, args)
    return cfg, source


def on_the_terminal(display: Display) -> bool:
    """Whether the display draws on binclock's own output as a terminal (its driver has a
    ``fullscreen`` option, like the terminal driver)."""
    cls = registry.load(registry.DRIVERS, display.driver)
    return "fullscreen" in getattr(cls, "Options", config.Section).model_fields


def draws_on_the_terminal(cfg: config.Config) -> bool:
    """Whether a display draws on binclock's own output as a terminal."""
    return any(on_the_terminal(display) for display in displays(cfg))


def one_shot(cfg: config.Config) -> config.Config:
    """For a single frame: drivers with a ``fullscreen`` option print inline, so it stays."""
    for display in displays(cfg):
        if on_the_terminal(display):
            tables = getattr(cfg, display.table)
            table = {**tables.get(display.name, {}), "fullscreen": False}
            cfg = cfg.model_copy(update={display.table: {**tables, display.name: table}})
    return cfg


def _moment(args: argparse.Namespace, tz: tzinfo) -> datetime | None:
    text = getattr(args, "at", None)
    return parse_at(text, tz) if text else None


def whole_second(moment: datetime, tz: tzinfo) -> datetime:
    """``moment`` as the running clock shows it: a whole second of real local time (a wall
    time that a DST change skips becomes the time it really is)."""
    return datetime.fromtimestamp(math.floor(moment.timestamp()), tz)


def run_clock(
    args: argparse.Namespace, adjust: Adjust | None = None, loaded: Loaded | None = None
) -> int:
    """The clock: one frame (``--once``) or every second until stopped; ``loaded`` is the
    configuration when the command has read it already (read again only on SIGHUP)."""
    cfg, source = loaded or load(args, adjust)
    tz = timezone(cfg)
    at = _moment(args, tz)
    if getattr(args, "once", False):
        return show_once(cfg, source, whole_second(at or SystemClock(tz).now(), tz))
    # The control API and the saved run-time state are the clock's own; ``show`` holds a
    # number and has neither.
    path = control.socket_path(cfg) if adjust is None else None
    state_file = StateFile(control.state_path(cfg)) if adjust is None else None
    service = Service(
        lambda: load(args, adjust),
        loaded=(cfg, source),
        clock=OffsetClock(tz, at) if at else None,
        state_file=state_file,
    )
    log.info("%s", service.status())
    server = serve_control(service, path, cfg.control.group)
    try:
        return service.run()
    finally:
        if server is not None:
            server.close()


def serve_control(service: Service, path: Path | None, group: str) -> ControlServer | None:
    """The control API on ``path`` (None: off). A socket that cannot be set up is logged
    in one line and the clock runs without it: showing the time matters more."""
    if path is None:
        return None
    try:
        server = ControlServer(path, service, group)
    except OSError as exc:
        why = exc.strerror or str(exc)
        log.warning("no control API: %s: %s", exc.filename or path, why)
        return None
    log.info("control API on %s", path)
    return server


def show_once(cfg: config.Config, source: Path | None, moment: datetime) -> int:
    """Show the frame for ``moment`` on every display as the running clock would (marked
    while the system clock is not synchronised), let each finish showing it, then close it.

    A display that fails to show or close it is one line and exit 70, whatever the driver
    raised (a file that cannot be written, a closed stream); the others still show it.
    """
    shown = one_shot(cfg)
    failed = False
    for display in displays(cfg):
        failed = not show_on(shown, cfg, source, display, moment) or failed
    return exitcodes.SOFTWARE if failed else exitcodes.OK


def show_on(
    shown: config.Config,
    cfg: config.Config,
    source: Path | None,
    display: Display,
    moment: datetime,
) -> bool:
    """Show ``moment`` on one display (opened with ``shown``'s options); whether it did."""
    driver = build_driver(shown, source, display)
    failed = False
    try:
        pipeline = build_pipeline(cfg, driver, source, display)
        with rendering("one frame"):  # a command's number is worth waiting for here
            frame = pipeline.render(moment)
        mode = indicator_mode(cfg, "INVOCATION_ID" in os.environ)
        if mode != "off" and not synchronised(SyncCheck()):
            frame = unsynced(frame, int(moment.timestamp()), mode, cfg, pipeline)
        try:
            driver.show(frame)
            settle = getattr(driver, "settle", None)
            if settle is not None:
                settle()
        except Finished as done:
            log.info("%s", done)
        except BrokenPipeError:
            log.info("the reader of the display's output went away")  # as the running clock
        except KeyboardInterrupt:
            log.info("interrupted; closing the display")  # as the running clock on SIGINT
        except Exception as exc:  # noqa: BLE001 - any driver fault is the display failing
            log.error("the display failed: %s", exc)
            failed = True
    finally:
        failed = not close_display(driver) or failed
    return not failed


def check_config(args: argparse.Namespace) -> int:
    """Validate the configuration and print the effective one; every problem is reported,
    a line each, with exit code 78."""
    path = args.path or getattr(args, "config", None)
    cfg, source = config.load(path, overrides(args))
    problems = plugin_problems(cfg, source, args)
    plain = {d.name for d in displays(cfg) if d.table == "drivers"}
    for table, group, chosen in (
        ("drivers", registry.DRIVERS, plain),
        ("faces", registry.FACES, {cfg.face}),
    ):
        known = registry.registered(group)
        for name in sorted({*chosen, *getattr(cfg, table)}):
            if name not in known and name not in chosen:
                if ":" not in name:
                    _warn_unknown_table(table, name, list(known), source)
                continue
            problems += option_problems(cfg, source, group, name)
    for name, named in cfg.displays.items():
        problems += option_problems(cfg, source, registry.DRIVERS, named["driver"], name)
    if problems:
        raise config.ConfigError(*problems)
    print(f"# {source or 'built-in defaults'}: valid")
    print(config.to_toml(cfg), end="")
    if cfg.schedule:
        print_schedule(cfg)
    print_overrides(cfg)
    return exitcodes.OK


def option_problems(
    cfg: config.Config, source: Path | None, group: str, plugin: str, display: str | None = None
) -> list[str]:
    """What is wrong with the options of ``plugin`` (in ``[displays.DISPLAY]`` when given),
    a line each (a plugin that does not load is reported where it is chosen)."""
    table = ("displays", display) if display is not None else None
    try:
        registry.configure(group, plugin, cfg, source, table)
    except registry.PluginError:
        return []
    except config.ConfigError as exc:
        return list(exc.problems)
    return []


def print_schedule(cfg: config.Config) -> None:
    """Each ``[[schedule]]`` range with today's times, as comments: sun times move daily."""
    tz = timezone(cfg)
    today = SystemClock(tz).now().date()
    print(f"\n# the schedule today, {today:%a %Y-%m-%d} ({tz}):")
    for line in timetable(cfg).today(today):
        print(f"# {line}")


def print_overrides(cfg: config.Config) -> None:
    """The run-time changes the running clock keeps over this configuration, as comments."""
    state_file = StateFile(control.state_path(cfg))
    state = state_file.load()
    if state is None or (state.power and not state.overrides):
        return
    print(
        f"\n# run-time changes over it, kept in {state_file.path} (binclock ctl reset drops them):"
    )
    if not state.power:
        print("# power = off")
    for key, value in flatten(state.overrides):
        print(f"# {key} = {json.dumps(value)}")


def flatten(tree: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """``tree``'s leaves as dotted keys and values."""
    found: list[tuple[str, Any]] = []
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            found += flatten(value, f"{prefix}{key}.")
        else:
            found.append((f"{prefix}{key}", value))
    return found


def _warn_unknown_table(table: str, name: str, known: list[str], source: Path | None) -> None:
    hint = config.did_you_mean(name, known)
    print(
        f"binclock: warning: {source or '--set'}: [{table}.{config.shown(name, quote=False)}]:"
        f" no such {table[:-1]} installed ({hint and hint + ' '}available: {', '.join(known)})",
        file=sys.stderr,
    )


def explain(args: argparse.Namespace) -> int:
    cfg, source = load(args)
    tz = timezone(cfg)
    now = whole_second(_moment(args, tz) or SystemClock(tz).now(), tz)
    # kept out of the running clock
    from binclock.commandline.explain import explain as explain_grid

    with rendering("one frame"):
        grid = build_face(cfg, source).render(now)
    print(explain_grid(grid, now, face=cfg.face), end="")
    return exitcodes.OK


SHOW_IGNORES = {
    "face": "it always shows the number face",
    "at": "the number does not depend on the time",
}


def show(args: argparse.Namespace) -> int:
    """``show N``: the number face with a fixed value, held on the display until stopped;
    drawn on a terminal driver's output that is not a terminal (a pipe, a file), it is
    printed once, as with ``--once``."""
    for option, reason in SHOW_IGNORES.items():
        if hasattr(args, option):
            raise UsageError(f"show takes no --{option}: {reason}")
    if args.number < 0:
        raise UsageError(f"show {args.number}: the number must be 0 or more")

    def number_face(cfg: config.Config) -> config.Config:
        options = {k: v for k, v in cfg.faces.get("number", {}).items() if k != "command"}
        faces = {**cfg.faces, "number": {**options, "value": args.number}}
        return cfg.model_copy(update={"face": "number", "faces": faces})

    loaded = load(args, number_face)
    to_terminal = sys.stdout is not None and sys.stdout.isatty()
    if not args.once and not to_terminal and draws_on_the_terminal(loaded[0]):
        args.once = True
        signals.release()  # not the clock after all: see binclock.commandline.cli.runs_clock
    return run_clock(args, number_face, loaded)


def test_pattern(args: argparse.Namespace) -> int:
    """Light each pixel in order, then each column, then everything: the wiring check."""
    cfg, source = load(args)
    driver = build_driver(one_shot(cfg), source)
    try:
        size = driver.size
        if size is None:
            pipeline = build_pipeline(cfg, driver, source)
            frame = pipeline.render(SystemClock(timezone(cfg)).now())
            size = frame.size
        describe = getattr(driver, "describe_pixel", None)
        pattern = list(testpattern.steps(tuple(size), cfg.display.brightness, describe))
        finished = testpattern.run(
            driver,
            pattern,
            SystemClock(timezone(cfg)),
            delay=args.delay,
            step=args.step,
            read_line=sys.stdin.readline,
            out=sys.stderr,  # stdout may be the display itself (terminal, jsonl)
        )
    finally:
        driver.close()
    if not finished:
        print("stopped before the end", file=sys.stderr)
    return exitcodes.OK


def service(args: argparse.Namespace) -> int:
    """``service install|uninstall``: the systemd unit for this installation. Under
    ``--root DIR`` a dry run: files are written there and nothing is run."""
    root: Path = args.root
    install.require_root(root)
    if args.action == "install":
        config_path = Path(getattr(args, "config", None) or install.CONFIG).absolute()
        driver = getattr(args, "driver", None)
        for name in config.names_of(driver):
            plugin(registry.DRIVERS, name)  # an unknown name is a usage error now
        plan = install.install(
            root, driver=driver, config=config_path, pwm=args.pwm, web=args.web, mqtt=args.mqtt
        )
        for path in plan.written:
            print(f"wrote {path}")
        if driver and root / config_path.relative_to("/") not in plan.written:
            print(f"{config_path} exists: set driver = {install.driver_value(driver)} in it")
        for warning in plan.warnings:
            print(f"binclock: warning: {warning}", file=sys.stderr)
        print("now run:")
    else:
        plan = install.uninstall(root, stop=disable if install.is_live(root) else lambda u: None)
        if not plan.written:
            print(f"{root / install.UNIT_DIR / install.UNIT} is not installed: nothing to remove")
            return exitcodes.OK
        for path in plan.written:
            print(f"removed {path}")
        print("the configuration is kept; now run:")
    for line in plan.commands:
        print(f"  sudo {line}")
    return exitcodes.OK


def disable(units: list[str]) -> None:
    """Stop the services and keep them from starting at boot."""
    if shutil.which("systemctl"):
        subprocess.run(["systemctl", "disable", "--now", *units], check=False)


def doctor(args: argparse.Namespace) -> int:
    """Check this machine for the installed displays; 0 when nothing fails, else 1."""
    from binclock.commandline import doctor as checks  # the checks are only needed here

    return checks.run(lambda: config.load(getattr(args, "config", None), overrides(args)))
