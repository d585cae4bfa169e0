"""The ``binclock`` command line: options, subcommands and exit codes."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from binclock import __version__, config, exitcodes, registry
from binclock.commandline import commands, ctl
from binclock.commandline.install import InstallError
from binclock.control.client import ClockNotRunning, ControlDenied, ControlError
from binclock.daemon import signals
from binclock.driver import DriverUnavailable
from binclock.mqtt import command as mqtt_command
from binclock.web import command as web_command

EPILOG = """\
commands:
  (none)          run the clock (binclock --driver terminal)
  check-config    validate a configuration and print the effective one
  explain         print the face with bit values and sums, and how to read it
  show N          hold a number in binary on the display (piped: print it once)
  test-pattern    light each pixel, then each column, then all: check the wiring
  doctor          check libraries, devices, groups and the clock for each display
  service         install or uninstall the systemd service
  web             serve the web page that shows and changes the running clock
  mqtt            bridge the running clock to an MQTT broker and Home Assistant
  ctl             change or watch the running clock (state, on, off, brightness,
                  face, set, notify, reset, watch)

exit codes: 0 ok, 1 doctor found a failure, 64 usage, 69 display unavailable (ctl: no
clock running; mqtt: broker unreachable with --forget), 70 display kept failing,
77 permission denied (mqtt: login or certificate refused), 78 configuration error,
130 interrupted (Ctrl-C) by a command other than the running clock"""

RETRIED = (
    "systemd tries a few more times, then leaves the service failed; once the display is"
    " there, start it again: sudo systemctl reset-failed binclock; sudo systemctl start binclock"
)


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise commands.UsageError(f"{message} (see binclock --help)")


def _common() -> argparse.ArgumentParser:
    """Options every command takes, before or after its name."""
    common = argparse.ArgumentParser(add_help=False)
    add = common.add_argument
    add(
        "--config",
        type=Path,
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="configuration file (default: $BINCLOCK_CONFIG, "
        "~/.config/binclock/config.toml, /etc/binclock/config.toml)",
    )
    add(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        dest="overrides",
        default=argparse.SUPPRESS,
        help="override a setting, e.g. --set display.brightness=0.3 (repeatable)",
    )
    add(
        "--driver",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="display to use (see --list-drivers), or module:Class; several: a,b",
    )
    add(
        "--face",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="face to show (see --list-faces), or module:Class",
    )
    add(
        "--at",
        metavar="TIME",
        default=argparse.SUPPRESS,
        help="show this local time (HH:MM:SS or ISO 8601) instead of now",
    )
    add(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="log more (-vv for debugging)",
    )
    return common


def parser() -> argparse.ArgumentParser:
    common = _common()
    p = Parser(
        prog="binclock",
        parents=[common],
        description="A binary clock with pluggable displays. With no command, runs the clock.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--once", action="store_true", help="render one frame and exit")
    p.add_argument("--list-drivers", action="store_true", help="list the drivers installed here")
    p.add_argument("--list-faces", action="store_true", help="list the faces installed here")
    p.add_argument("--version", action="version", version=f"binclock {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    check = sub.add_parser("check-config", parents=[common], help="validate a configuration")
    check.add_argument("path", nargs="?", type=Path, help="file to check (default: the one in use)")

    sub.add_parser("explain", parents=[common], help="print the face with its bit values and sums")

    show = sub.add_parser(
        "show", parents=[common], help="hold a number in binary on the display (piped: once)"
    )
    show.add_argument("number", type=int, help="a whole number, 0 or more")
    show.add_argument("--once", action="store_true", help="render one frame and exit")

    pattern = sub.add_parser("test-pattern", parents=[common], help="check the wiring")
    pattern.add_argument("--step", action="store_true", help="wait for Enter between steps")
    pattern.add_argument(
        "--delay", type=float, default=0.5, metavar="S", help="seconds between steps (default 0.5)"
    )

    sub.add_parser(
        "doctor", parents=[common], help="check this machine for the displays (exit 1 on a failure)"
    )

    page = sub.add_parser(
        "web", parents=[common], help="serve the web page (web token: print its token)"
    )
    page.add_argument(
        "action", nargs="?", choices=["token"], help="token: print the token, making it if need be"
    )
    page.add_argument(
        "--listen", metavar="HOST:PORT", help="address to serve on (default: [web] listen)"
    )
    page.add_argument(
        "--socket", type=Path, metavar="PATH", help="the clock's control socket (default: its own)"
    )
    bridge = sub.add_parser(
        "mqtt", parents=[common], help="bridge the running clock to an MQTT broker"
    )
    bridge.add_argument(
        "--forget",
        action="store_true",
        help="empty the retained topics (Home Assistant drops the clock) and exit",
    )
    bridge.add_argument(
        "--socket", type=Path, metavar="PATH", help="the clock's control socket (default: its own)"
    )
    ctl.add_parser(sub, Parser)

    service = sub.add_parser("service", parents=[common], help="manage the systemd service")
    actions = service.add_subparsers(
        dest="action", metavar="ACTION", parser_class=Parser, required=True
    )
    install_help = "write the unit and configuration, print the commands that start it"
    install = actions.add_parser(
        "install", parents=[common], help=install_help, description=install_help.capitalize()
    )
    install.add_argument(
        "--pwm", action="store_true", help="add the root drop-in for the rpi_ws281x PWM/PCM backend"
    )
    install.add_argument(
        "--web",
        action="store_true",
        help="also write binclock-web.service: the web page, a process apart from the clock",
    )
    install.add_argument(
        "--mqtt",
        action="store_true",
        help="also write binclock-mqtt.service: the MQTT bridge, a process apart from the clock",
    )
    uninstall_help = "stop and disable the services, remove the units; the configuration stays"
    uninstall = actions.add_parser(
        "uninstall", parents=[common], help=uninstall_help, description=uninstall_help.capitalize()
    )
    for action in (install, uninstall):
        action.add_argument(
            "--root",
            type=Path,
            default=Path("/"),
            metavar="DIR",
            help="dry run: work on the files under DIR instead of /, and run nothing",
        )
    return p


def setup_logging(verbosity: int) -> None:
    """Log to stderr; without timestamps under systemd, whose journal adds its own."""
    under_systemd = "INVOCATION_ID" in os.environ or "JOURNAL_STREAM" in os.environ
    if verbosity > 1:
        level = logging.DEBUG
    elif verbosity or under_systemd:
        level = logging.INFO
    else:
        level = logging.WARNING
    fmt = "%(levelname)s %(message)s" if under_systemd else "binclock: %(levelname)s: %(message)s"
    logging.basicConfig(level=level, format=fmt, stream=sys.stderr)


def dispatch(args: argparse.Namespace) -> int:
    if args.list_drivers:
        print(commands.list_plugins(registry.DRIVERS))
        return exitcodes.OK
    if args.list_faces:
        print(commands.list_plugins(registry.FACES))
        return exitcodes.OK
    handler = {
        None: commands.run_clock,
        "check-config": commands.check_config,
        "explain": commands.explain,
        "show": commands.show,
        "test-pattern": commands.test_pattern,
        "service": commands.service,
        "doctor": commands.doctor,
        "web": web_command.web,
        "mqtt": mqtt_command.mqtt,
        "ctl": ctl.run,
    }[args.command]
    return handler(args)


def runs_clock(args: argparse.Namespace) -> bool:
    """Whether the command runs the clock until stopped (its signal inbox takes SIGTERM,
    SIGINT and SIGHUP)."""
    listing = args.list_drivers or args.list_faces
    return args.command in (None, "show") and not listing and not args.once


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        if not runs_clock(args):
            signals.release()
        setup_logging(getattr(args, "verbose", 0) or 0)
        with registry.once_per_command():
            return dispatch(args)
    except commands.UsageError as exc:
        return fail(str(exc), exitcodes.USAGE)
    except config.ConfigError as exc:
        return fail("\n".join(exc.problems), exitcodes.CONFIG)
    except registry.PluginError as exc:  # a name from the command line is a UsageError
        return fail(str(exc), exitcodes.CONFIG)
    except DriverUnavailable as exc:
        code = fail(str(exc), exitcodes.UNAVAILABLE)
        if "NOTIFY_SOCKET" in os.environ:  # run by systemd, which retries only a few times
            print(f"binclock: {RETRIED}", file=sys.stderr)
        return code
    except ControlDenied as exc:
        return fail(str(exc), exitcodes.NOPERM)
    except ClockNotRunning as exc:
        return fail(str(exc), exitcodes.UNAVAILABLE)
    except ControlError as exc:
        code = exitcodes.UNAVAILABLE if exc.status >= 500 else exitcodes.USAGE
        return fail(f"the clock refused: {exc}", code)
    except PermissionError as exc:
        return fail(f"{exc.filename or exc}: permission denied (run with sudo)", exitcodes.NOPERM)
    except InstallError as exc:
        return fail(str(exc), exitcodes.CONFIG)
    except KeyboardInterrupt:
        return exitcodes.INTERRUPTED
    except BrokenPipeError:
        # The reader went away (binclock ... | head): stop quietly, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return exitcodes.OK


def fail(message: str, code: int) -> int:
    """Print ``message`` (a line per problem) and return ``code``."""
    for line in message.splitlines():
        print(f"binclock: {line}", file=sys.stderr)
    return code
