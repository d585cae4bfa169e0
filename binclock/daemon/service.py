"""The running clock: one frame per second, signals, reloads, systemd and a failing display."""

from __future__ import annotations

import json
import logging
import math
import os
import queue
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from datetime import datetime, tzinfo
from functools import partial
from pathlib import Path
from typing import Any

from binclock import __version__, controls, exitcodes, registry
from binclock.clock import Clock, SystemClock
from binclock.config import Config, ConfigError, ControlsConfig, toml_value
from binclock.control import API_VERSION
from binclock.control.api import Colour, NotifyRequest
from binclock.control.overlay import Overlay
from binclock.control.server import Hub
from binclock.control.state import Change, RunState, StateFile, layered, sources
from binclock.daemon.notify import Notifier
from binclock.daemon.output import reader_watch
from binclock.daemon.screens import (
    Screen,
    close_all,
    name_them,
    open_all,
    open_screen,
    options,
)
from binclock.daemon.signals import SignalInbox
from binclock.daemon.ticker import Ticker
from binclock.daemon.transition import can_animate, lead_in, play
from binclock.driver import Driver, DriverUnavailable, Finished, tones
from binclock.drivers.buttons import Buttons, open_buttons
from binclock.drivers.buzzer import Buzzers, needs, open_buzzers
from binclock.frame import BLACK, Frame, record
from binclock.indicator import mark_unsynced
from binclock.light.room import RoomLight, open_light
from binclock.light.sensors import own_sensor
from binclock.painter import PlacementError, scale
from binclock.pipeline import (
    Pipeline,
    alarms_of,
    build_driver,
    build_painter,
    build_pipeline,
    displays,
    stdout_clash,
    timetable,
    timezone,
)
from binclock.registry import BrokenPlugin, UnknownPlugin
from binclock.sync import SyncCheck
from binclock.timeofday.alarms import BLINK, Alarms, Held, Occurrence, Phase, matching
from binclock.timeofday.schedule import Timetable, describe

log = logging.getLogger(__name__)

Loaded = tuple[Config, Path | None]  # a configuration and the file it came from
Loader = Callable[[], Loaded]
SYNC_RECHECK = 60  # seconds between checks once the clock is synchronised
READER_GONE = "the reader of its output went away"  # a pipe's, or its terminal hung up
AHEAD = 60  # seconds rendered in one go for faces that are pure functions of time


class DisplayLost(Exception):
    """The display was closed for a new one that failed, and cannot be opened again."""


SKIPPABLE = (ConfigError, UnknownPlugin, BrokenPlugin)
REFUSED = (*SKIPPABLE, DriverUnavailable)  # a change that cannot be made changes nothing


class Service:
    """Shows the time on its displays at every wall-clock second until told to stop.

    ``loader`` reads the configuration (again on SIGHUP; at start only when it is not
    ``loaded`` already); the run-time state (power and overrides, kept in ``state_file``)
    is layered on top of it. ``clock``, ``sleep``, ``notifier`` and ``sync`` are injected
    so tests can drive time, systemd and the synchronisation state; by default they are
    the real ones.
    """

    def __init__(
        self,
        loader: Loader,
        *,
        loaded: Loaded | None = None,
        clock: Clock | None = None,
        sleep: Callable[[float], None] | None = None,
        notifier: Notifier | None = None,
        sync: SyncCheck | None = None,
        environ: dict[str, str] | None = None,
        state_file: StateFile | None = None,
    ) -> None:
        self.loader = loader
        self.base, self.source = loaded or loader()
        self.state_file = state_file
        self.state = RunState()
        self._config = self._restore()
        self.tz: tzinfo = timezone(self.config)
        self.clock = clock or SystemClock(self.tz)
        self.inbox = SignalInbox()
        self.ticker = Ticker(self.clock, sleep or self.inbox.sleep, interrupted=self.inbox.received)
        self.notifier = notifier or Notifier()
        self.sync = sync or SyncCheck()
        self.under_systemd = "INVOCATION_ID" in (os.environ if environ is None else environ)
        # Work handed in by other threads (the control API, buttons, keys) for the loop.
        self._requests: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]]
        self._requests = queue.SimpleQueue()
        self._main = threading.get_ident()
        self._quitting = False
        self.buttons: Buttons | None = None
        self.inbox.open()  # before the drivers, so threads they start leave signals to us
        try:
            self.screens: list[Screen] = open_all(self.config, self.source, displays(self.config))
        except BaseException:
            self.inbox.close()
            raise
        name_them(self.screens)
        self._refresh()
        self._hand_controls(self.screens)
        self.buzzers: Buzzers | None = None
        try:
            self.buttons = open_buttons(self.config.controls, self.press)
            self.buzzers = open_buzzers(self.config.alarm)
        except BaseException:
            if self.buttons is not None:
                self.buttons.close()
            close_all(self.screens)
            self.inbox.close()
            raise
        self.light: RoomLight | None = open_light(self.config.light)
        # The second the room's light last changed the brightness; its first reading will.
        self._relit: int | None = math.floor(self.clock.time()) if self.light else None
        self._unclean = False  # a display failed as it closed
        self._covering = self.screens[0]
        self.last_ping: float | None = None
        self.ready = False
        self.synced: bool | None = None
        self.sync_checked_at: int | None = None
        self.level: float | None = None
        self._shown_now: int | None = None  # the second last shown as a change was answered
        self.hub = Hub()
        self.overlay = Overlay()
        self.last_frame: Frame | None = None
        self.started = self.clock.time()
        self.alarms: Alarms = alarms_of(self.config)
        self.held = self._held_restored()  # the alarms stopped or snoozed
        self._alarm_faces: dict[tuple[Any, str], Pipeline | None] = {}
        self._rung: set[tuple[int, int]] = set()  # the alarms that have rung (logged once)
        self._alarm_shown: tuple[Occurrence, str] | None = None  # told to the event streams

    def _restore(self) -> Config:
        """The configuration with the saved run-time state on top; a saved state the
        configuration no longer accepts is logged in one line and left aside."""
        saved = self.state_file.load() if self.state_file is not None else None
        if saved is None:
            return self.base
        try:
            config = layered(self.base, saved.overrides, self.source)
        except ConfigError as exc:
            log.warning("ignoring the saved run-time overrides: %s", exc)
            saved = RunState(saved.power, alarms=saved.alarms)
            config = self.base
        self.state = saved
        return config

    def _held_restored(self) -> Held:
        """The alarms stopped or snoozed before a restart, from the saved state; saved holds
        that make no sense are logged in one line and left aside."""
        try:
            return Held.restored(self.state.alarms, self.alarms.entries, int(self.clock.time()))
        except ValueError as exc:
            path = self.state_file.path if self.state_file is not None else "state"
            log.warning("ignoring the saved alarms stopped or snoozed: %s: %s", path, exc)
            return Held()

    @property
    def config(self) -> Config:
        return self._config

    @config.setter
    def config(self, config: Config) -> None:
        self._config = config
        self._refresh()

    @property
    def driver(self) -> Driver:
        """The first display's driver."""
        return self.screens[0].driver

    @driver.setter
    def driver(self, driver: Driver) -> None:
        self.screens[0].driver = driver
        self._refresh()
        self._hand_controls(self.screens[:1])

    @property
    def pipeline(self) -> Pipeline:
        """The first display's face and painter."""
        return self.screens[0].pipeline

    @property
    def failures(self) -> int:
        """The first display's failures in a row."""
        return self.screens[0].failures

    def _hand_controls(self, screens: list[Screen]) -> None:
        """Give a display whose requests come as they happen (the terminal's keys) the way
        to hand them in."""
        for screen in screens:
            push = getattr(screen.driver, "push_controls", None)
            if push is not None:
                push(self.press)

    def _refresh(self) -> None:
        """Work out what the loop checks every second once, when the configuration or the
        displays change: each second runs cold, so it should touch as little as it can."""
        for screen in self.screens:
            screen.poll = controls.poller(screen.driver)
            screen.fading = self.config.transition.enabled and can_animate(screen.driver)
            piped = getattr(screen.driver, "stdout", False)
            screen.reader_gone = reader_watch() if piped else None
        self._polled = [screen for screen in self.screens if screen.poll is not None]
        self._mark_mode = indicator_mode(self.config, self.under_systemd)
        # The frame shown may differ from the one rendered: the schedule is logged, or the
        # sync mark may go on it.
        self._decorating = bool(self.config.schedule) or self._mark_mode != "off"

    # -- the loop ------------------------------------------------------------------------

    def run(self, frames: int | None = None) -> int:
        """Run until SIGTERM/SIGINT, or until every display has finished or has a closed
        pipe on its output (exit 0); until every display is done and one of them failed
        too often in a row, or when a display fails as it closes (exit 70); or a face that
        no longer fits a display (exit 78). Every display is dark when it returns.

        ``frames`` stops after that many seconds have been shown (for tests).
        """
        with self.inbox:
            try:
                code = self._loop(frames)
            finally:
                self.notifier.stopping()
                if self.buttons is not None:
                    self.buttons.close()
                if self.buzzers is not None:
                    self.buzzers.close()
                if self.light is not None:
                    self.light.close()
                closed = close_all(self.screens) and not self._unclean
                self.notifier.close()
        return code if closed or code != exitcodes.OK else exitcodes.SOFTWARE

    def _loop(self, frames: int | None) -> int:
        shown = 0
        try:
            while frames is None or shown < frames:
                second = self.ticker.wait()
                self.hub.beat()
                # A signal cuts the wait short (second is None), or came while the
                # last second was being drawn and is still waiting.
                if second is None or self.inbox.waiting():
                    if self._handle_signals():
                        return exitcodes.OK
                    if second is None:
                        continue
                if second != self._shown_now:  # else shown as a change was answered
                    for screen in self._polled:
                        if screen.live:
                            self._handle_controls(screen.poll)  # type: ignore[arg-type]
                    if not self._tick(second):
                        return self._ended()
                shown += 1
            return exitcodes.OK
        except PlacementError as exc:
            log.error("the %s face no longer fits the display: %s", self.config.face, exc)
            return exitcodes.CONFIG
        except DisplayLost as exc:
            log.error("the display cannot be opened again after a reload: %s", exc)
            return exitcodes.UNAVAILABLE

    def _tick(self, second: int) -> bool:
        """Show ``second`` on every display; False once no display is left to show it (each
        finished or failed too often in a row)."""
        alarm = self.alarms.phase(second, self.held) if self.alarms else None
        if alarm is not None:
            self._ringing(alarm)
        if self.buzzers is not None:
            self.buzzers.sound(alarm, second, self.tz)
        covered = alarm is not None or not self.state.power or self.overlay.showing is not None
        backoff = self.config.service.max_backoff
        delivered: list[Screen] = []
        for screen in self.screens:
            if not screen.live or 0 < screen.retry_at - second <= backoff:
                continue  # backing off; a clock stepped back does not stretch the wait
            frame = screen.ahead.get(second)
            if frame is None or self._decorating:
                frame = self._frame(screen, second)
            if covered:
                self._covering = screen  # a notification paints its face for this display
                frame = self._cover(second, frame, alarm)
            if self._show(screen, second, frame):
                delivered.append(screen)
        if not delivered:
            return any(screen.live for screen in self.screens)
        if not self.ready or self.notifier.watchdog_interval is not None:
            self._delivered()
        frame = delivered[0].last_frame
        self.last_frame = frame
        if self.hub.subscribers:
            self.hub.publish("frame", json.dumps(record(frame), separators=(",", ":")))
        shown_alarm = None if alarm is None else (alarm.occurrence, alarm.kind)
        if shown_alarm != self._alarm_shown:
            self._alarm_shown = shown_alarm
            self._publish_state()  # an alarm started fading or ringing, or is over
        if self.light is not None and self.light.poll(self.clock.time()):
            self._relight()  # the frames to come are rendered at the new brightness
        if covered:
            if alarm is None and self.state.power and self.overlay.showing is None:
                self._publish_state()  # the notification that covered the clock is over
            return True  # what comes next is not the clock's frame to prepare or fade to
        upcoming = second + 1
        fading = []
        for screen in delivered:
            if upcoming in screen.ahead and not screen.fading:
                continue  # most seconds: the next frame is rendered and prepared
            rendered = self._render_ahead(screen, upcoming)
            if screen.fading:
                fading.append(screen)
            elif rendered:
                self._after(screen, second, partial(self._prepare, screen, rendered))
        if fading:
            self._fade(fading, second, upcoming)
        return any(screen.live for screen in self.screens)

    def _show(self, screen: Screen, second: int, frame: Frame) -> bool:
        """Show ``frame`` on one display; whether it got there."""
        if not self._after(screen, second, partial(screen.driver.show, frame)):
            return False
        if screen.reader_gone is not None and screen.reader_gone():
            # An unchanged picture writes nothing, so no write failed to tell.
            self._done(screen, READER_GONE)
            return False
        if screen.failures:
            log.warning("%s works again after %d failed frames", screen.label, screen.failures)
        screen.failures = 0
        screen.last_frame = frame
        return True

    def _render_ahead(self, screen: Screen, second: int) -> list[Frame]:
        """Render what comes next on ``screen`` unless it is ready; the frames rendered.

        A face that is a pure function of time (``pure = True``) gets the next minute in
        one go, so most seconds only hand a ready frame to the driver; others get one. A
        change of brightness throws the frames ahead away, so they reach no further ahead
        than the brightness has held: in a room whose light keeps changing, each second
        costs about one frame, and once it holds the minute is rendered ahead again.
        """
        if second in screen.ahead:
            return []
        count = AHEAD if getattr(screen.pipeline.face, "pure", False) else 1
        if self._relit is not None:
            # A clock stepped back to before the change counts it as held from the step.
            self._relit = min(self._relit, second - 1)
            held = second - 1 - self._relit  # by the second just shown
            count = min(count, max(held, 1))
        screen.ahead = {s: self._render(screen, s) for s in range(second, second + count)}
        return list(screen.ahead.values())

    def _prepare(self, screen: Screen, frames: list[Frame]) -> None:
        """Let a driver that can convert frames ahead of their seconds do so (unless the sync
        mark is going on them: then the frames shown are not these)."""
        prepare = getattr(screen.driver, "prepare", None)
        marking = self._mark_mode != "off" and not self.synced
        if prepare is not None and not marking:
            prepare(frames)

    def _fade(self, screens: list[Screen], second: int, upcoming: int) -> None:
        """Lead into the next second with a fade, on every display in ``screens`` together."""
        steps: dict[float, list[tuple[Screen, Frame]]] = {}
        for screen in screens:
            target = self._frame(screen, upcoming)
            lead = lead_in(screen.last_frame, target, upcoming, self.config.transition)
            for instant, frame in lead:
                steps.setdefault(instant, []).append((screen, frame))
        failed: set[Screen] = set()

        def show(group: list[tuple[Screen, Frame]]) -> None:
            for screen, frame in group:
                if screen in failed or not screen.live:
                    continue
                if not self._after(screen, second, partial(screen.driver.show, frame)):
                    failed.add(screen)

        play(
            sorted(steps.items(), key=lambda step: step[0]),
            self.clock,
            show,
            sleep=self.ticker.sleep,
        )

    def _after(self, screen: Screen, second: int, work: Callable[[], None]) -> bool:
        """Run display work for ``screen``; a fault counts as this second's frame failing,
        and a display that says it is done is closed. Whether the work was done."""
        try:
            work()
        except Finished as done:
            self._done(screen, str(done))
        except BrokenPipeError:
            self._done(screen, READER_GONE)
        except Exception as exc:  # noqa: BLE001 - any driver fault: log, back off, retry
            if screen.reader_gone is not None and screen.reader_gone():
                self._done(screen, READER_GONE)  # a terminal that hung up fails its writes
            else:
                self._failed(screen, second, exc)
        else:
            return True
        return False

    def _done(self, screen: Screen, why: str) -> None:
        """``screen`` has nothing more to show: close it; the others run on."""
        others = any(s.live for s in self.screens if s is not screen)
        log.info("%s: %s; %s", screen.label, why, "the others run on" if others else "stopping")
        screen.finished = True
        self._unclean |= not screen.close()

    def _ended(self) -> int:
        """The exit status once no display is left: 70 when one failed too often."""
        failed = any(screen.gave_up for screen in self.screens)
        return exitcodes.SOFTWARE if failed else exitcodes.OK

    def _frame(self, screen: Screen, second: int) -> Frame:
        frame = screen.ahead.get(second) or self._render(screen, second)
        if self.config.schedule:
            self._log_schedule(frame)
        mode = self._mark_mode
        if mode != "off" and not self._synchronised(second):
            frame = unsynced(frame, second, mode, self.config, screen.pipeline)
        return frame

    def _cover(self, second: int, frame: Frame, alarm: Phase | None = None) -> Frame:
        """What shows instead of the clock's ``frame``: an ``alarm`` (even with the power
        off: it is there to wake), dark when the power is off, else the notification
        showing (or the clock's frame once it is over)."""
        if alarm is not None:
            shown = self._alarm_frame(alarm, frame)
            return replace(shown, time=frame.time, labels=(), caption=frame.caption)
        if not self.state.power:
            dark = Frame.blank(frame.width, frame.height).pixels
            # In a schedule's off range, turning the power on would not light it: say that.
            return replace(frame, pixels=dark, off=frame.off or controls.POWER_OFF)
        shown = self.overlay.frame(second, frame)
        if shown is None:
            return frame  # the notification is over: _tick says so once it is shown
        # Dimmed as the clock is, it is dark where the schedule turns the clock off: say so.
        return replace(shown, time=frame.time, labels=(), caption=frame.caption, off=frame.off)

    # -- alarms --------------------------------------------------------------------------

    def _alarm_frame(self, alarm: Phase, clock: Frame) -> Frame:
        """The fade (as the display being covered shows it: in colour, or its brightness
        alone) or the blink over the whole display, or the alarm's face, at the display's
        brightness (neither the schedule nor the room's light dims it)."""
        level = self._covering.pipeline.painter.brightness
        if alarm.kind == "fade":
            tone = tones(self._covering.driver)
            return Frame(clock.width, clock.height, alarm.fade(tone, *clock.size, level))
        if alarm.kind == "ring" and alarm.entry.then != BLINK:
            key = (self._covering.display, alarm.entry.then)
            if key not in self._alarm_faces:
                shown = self.config.model_copy(update={"face": alarm.entry.then})
                try:
                    built = build_pipeline(shown, self._covering.driver, self.source, key[0])
                    # At the display's brightness, as the fade ends: the night schedule
                    # (and the dark room) do not dim an alarm.
                    built = replace(built, schedule=Timetable(()))
                except SKIPPABLE as exc:
                    log.warning("alarm %s blinks instead: %s", alarm.entry, exc)
                    built = None
                self._alarm_faces[key] = built
            pipeline = self._alarm_faces[key]
            if pipeline is not None:
                return pipeline.render(clock.time or self.clock.now())
        colour = alarm.blink()
        lit = BLACK if colour is None else scale(colour, level)
        return Frame.blank(clock.width, clock.height, lit)

    def _ringing(self, alarm: Phase) -> None:
        """Say once when an alarm starts ringing (a clock stepped back does not repeat it)."""
        if alarm.kind != "ring" or alarm.occurrence in self._rung:
            return
        self._rung.add(alarm.occurrence)
        log.info("alarm %s ringing", alarm.entry)

    def alarm(self, action: str) -> dict[str, Any]:
        """Stop or snooze the alarm showing now; whether one was, and the alarm now."""
        second = math.floor(self.clock.time())
        showing = self.alarms.phase(second, self.held) if self.alarms else None
        until = None
        if showing is not None:
            if action == "snooze":
                # Snoozing the fade puts off its light, but never the alarm before its time.
                until = max(second + showing.entry.snooze * 60, showing.at)
                self.held = self.held.snooze(showing.occurrence, until)
            else:
                self.held = self.held.stop(showing.occurrence)
            self.state = replace(self.state, alarms=self.held.saved(self.alarms.entries))
            self._save()
            log.info("alarm %s: %s", showing.entry, "snoozed" if until else "stopped")
            if self.buzzers is not None:
                self.buzzers.silence()
        return {
            "done": showing is not None,
            "snoozed_until": None if until is None else self.alarms.moment(until),
            "alarm": self._alarm_view(second),
        }

    def _alarm_view(self, second: int) -> dict[str, Any] | None:
        showing = self.alarms.phase(second, self.held) if self.alarms else None
        return None if showing is None else self.alarms.describe(showing, self.held)

    def _render(self, screen: Screen, second: int) -> Frame:
        return screen.pipeline.render(datetime.fromtimestamp(second, self.tz))

    def _log_schedule(self, frame: Frame) -> None:
        """Say when the night-dimming schedule changes the brightness (as it is shown)."""
        if frame.time is None:
            return
        schedule = self.pipeline.schedule
        level = schedule.brightness_at(frame.time)
        if level != self.level:
            log.info("%s", schedule.summary(frame.time))
            self.level = level

    def _failed(self, screen: Screen, second: int, exc: Exception) -> None:
        """Count a failure of ``screen``: back off, or close it after too many in a row."""
        screen.failures += 1
        limit = self.config.service.max_failures
        if screen.failures >= limit:
            others = any(s.live for s in self.screens if s is not screen)
            after = "the others run on" if others else "giving up"
            log.error("%s failed %d times in a row (last: %s); %s", screen.label, limit, exc, after)
            screen.gave_up = True
            self._unclean |= not screen.close()
            return
        delay = min(2 ** (screen.failures - 1), self.config.service.max_backoff)
        log.warning("%s failed (%s); retrying in %gs", screen.label, exc, delay)
        screen.retry_at = second + max(int(delay), 1)

    def _delivered(self) -> None:
        """A frame reached the display: tell systemd we are ready, and feed its watchdog."""
        if not self.ready:
            self.ready = True
            self.notifier.ready(self.status())
        interval = self.notifier.watchdog_interval
        if interval is None:
            return
        now = self.clock.time()
        if self.last_ping is None or abs(now - self.last_ping) >= interval:
            self.notifier.watchdog()
            self.last_ping = now

    def status(self) -> str:
        names = self.config.driver_names
        which = f"the {names[0]} driver" if len(names) == 1 else f"the {', '.join(names)} drivers"
        return f"showing the {self.config.face} face on {which}"

    # -- clock synchronisation -----------------------------------------------------------

    def _synchronised(self, second: int) -> bool:
        due = not self.synced or abs(second - (self.sync_checked_at or 0)) >= SYNC_RECHECK
        if due:
            self.sync_checked_at = second
            self.synced = synchronised(self.sync, self.synced)
        return bool(self.synced)

    # -- buttons on the display -----------------------------------------------------------

    def _handle_controls(self, poll: Callable[[], list[controls.Control]]) -> None:
        """Apply requests from the display's own buttons (the Sense HAT joystick)."""
        for control in poll():
            self._control(control)

    def press(self, control: controls.Control) -> None:
        """Have the loop apply ``control`` at once (from a GPIO button's or a key's thread),
        as a request from the control API is."""
        self.submit(partial(self._control, control))

    def _control(self, control: controls.Control) -> None:
        """Apply one request from a button or key; QUIT stops the clock as SIGTERM does."""
        if control is controls.Control.QUIT:
            self._quitting = True
            return
        if control in controls.ALARM or self._alarm_view(math.floor(self.clock.time())):
            # While an alarm shows, any button stops it (its snooze button snoozes it).
            self.alarm("snooze" if control is controls.Control.ALARM_SNOOZE else "stop")
            return
        faces = list(registry.registered(registry.FACES))
        config = self.config
        # A face that cannot be built with its options here is skipped for the next one.
        tries = len(faces) if control is controls.Control.NEXT_FACE else 1
        for _ in range(max(tries, 1)):
            change = controls.change(config, control, faces, self.state.power)
            try:
                self.apply(change)
                break
            except SKIPPABLE as exc:
                log.info("skipping: %s", exc)
                config = config.model_copy(update=change.overrides)

    # -- changes of run-time state: the control API, the buttons --------------------------

    def apply(self, change: Change) -> dict[str, Any]:
        """Make ``change`` (from any source), keep it in the state file, tell the event
        streams; the state now. A change the configuration's models refuse, or a face or
        display that cannot be built with it, raises and changes nothing."""
        state = change.after(self.state)
        if state.overrides != self.state.overrides:
            config = layered(self.base, state.overrides, self.source)
            clash = stdout_clash(config)
            if clash is not None:
                raise ConfigError(
                    f"run-time override: driver = {toml_value(config.driver)}: {clash}"
                )
            self._use(config, self.source)
        self.state = state
        self._save()
        view = self.view()
        self._publish_state(view)
        return view

    def _save(self) -> None:
        """Keep the run-time state in the state file (a clock that cannot still runs)."""
        if self.state_file is not None:
            try:
                self.state_file.save(self.state)
            except OSError as exc:
                log.warning("cannot keep the run-time state in %s: %s", self.state_file.path, exc)

    def _use(self, config: Config, source: Path | None) -> None:
        """Run with ``config``: new drivers, faces or painters as its changes need; on a
        failure the running ones stay.

        A display added, or changed (its driver or options), is opened after the changed
        and removed ones are closed, since they may want the same pins; if one cannot be
        opened, those closed are opened again.
        """
        own_sensor(config.light)  # a sensor that does not load refuses it before any change
        old = self.config
        running = {screen.display: screen for screen in self.screens}
        wanted = displays(config)
        kept = {
            d: running[d]
            for d in wanted
            if d in running
            and not running[d].gave_up  # a reload gives a display that kept failing a new try
            and options(old, d) == options(config, d)
        }
        gone = [screen for screen in self.screens if screen.display not in kept]
        for screen in gone:
            screen.close()
        opened: list[Screen] = []
        try:
            for display in wanted:
                if display not in kept:
                    opened.append(open_screen(config, source, display))
            repainted = {d: self._repainted(s, old, config, source) for d, s in kept.items()}
        except REFUSED:
            close_all(opened)
            self._reopen(gone)
            raise
        fresh = iter(opened)
        screens = []
        for display in wanted:
            screen = kept.get(display) or next(fresh)
            if display in repainted:
                screen.pipeline = repainted[display]
            screen.ahead = {}
            screens.append(screen)
        self.screens = screens
        name_them(screens)
        self.config, self.source = config, source
        self._hand_controls(opened)
        self.tz = timezone(config)
        alarms = alarms_of(config)
        self.held = self.held.renumbered(matching(self.alarms.entries, alarms.entries))
        self.alarms = alarms
        self._alarm_faces = {}
        self._rebuzz()
        if self.light is None or self.light.config != config.light:
            before = self.light
            if before is not None:
                before.close()
            self.light = open_light(config.light)
            if self.light is not None and before is not None:
                self.light.level = before.level  # until its first reading, not full brightness
            if self.light is not None and self.light.level is None:
                self._relit = math.floor(self.clock.time())  # its first reading will change it
        self._relight()

    def _rebuzz(self) -> None:
        """Let the buzzers go and take those the alarms now name; when they cannot be had,
        say so in one line and run without (the next reload tries again)."""
        if self.buzzers is not None:
            self.buzzers.silence()  # the next second sounds what the alarms now ask for
            if self.buzzers.wanted == needs(self.alarms.entries):
                return
            self.buzzers.close()
            self.buzzers = None
        try:
            self.buzzers = open_buzzers(self.alarms.entries)
        except DriverUnavailable as exc:
            log.error("%s; the alarms ring without it", exc)

    def _relight(self) -> None:
        """Give every display's pipeline the brightness the room's light asks for."""
        level = self.light.level if self.light is not None else None
        for screen in self.screens:
            if screen.pipeline.light != level:
                screen.pipeline = replace(screen.pipeline, light=level)
                screen.ahead = {}
                self._relit = math.floor(self.clock.time())

    def _repainted(
        self, screen: Screen, old: Config, config: Config, source: Path | None
    ) -> Pipeline:
        """The face and painter of a display kept open, for ``config``."""
        if painted_only(old, config):
            # Only the painter changes: the face keeps its state (a running countdown).
            painter = build_painter(config, screen.driver)
            return replace(screen.pipeline, painter=painter, schedule=timetable(config))
        return build_pipeline(config, screen.driver, source, screen.display)

    def _reopen(self, screens: list[Screen]) -> None:
        """Open the displays in ``screens`` again as they were, after a change that failed."""
        for screen in screens:
            if not screen.live:
                continue  # finished or given up before the change: stays closed
            try:
                screen.driver = build_driver(self.config, self.source, screen.display)
            except DriverUnavailable as exc:
                raise DisplayLost(str(exc)) from None
            screen.closed = False
        self._refresh()  # what the loop asks each display comes from its new driver
        self._hand_controls(screens)

    def notify(self, request: NotifyRequest) -> dict[str, Any]:
        """Put ``request`` over the clock (or in the queue); its number and whether it waits."""
        if request.colour is not None:
            colour = Colour.validate_python(request.colour)
            blink = request.blink

            def draw(n: int, clock: Frame) -> Frame:
                """The colour as bright as the clock it covers is shown (or dark)."""
                if blink and n % 2:
                    return Frame.blank(clock.width, clock.height)
                level = shown_level(self._covering.pipeline, clock.time)
                return Frame.blank(clock.width, clock.height, scale(colour, level))

            about: dict[str, Any] = {"colour": request.colour, "blink": blink}
        else:
            if request.number is not None:
                number = self.config.faces.get("number", {})
                options = {k: v for k, v in number.items() if k != "command"}
                faces = {**self.config.faces, "number": {**options, "value": request.number}}
                update: dict[str, Any] = {"face": "number", "faces": faces}
                about = {"number": request.number}
            else:
                update, about = {"face": request.face}, {"face": request.face}
            shown = self.config.model_copy(update=update)
            pipelines = {
                s.display: build_pipeline(shown, s.driver, None, s.display) for s in self.screens
            }

            def draw(n: int, clock: Frame) -> Frame:
                """The face painted for the display being covered, dimmed as its clock is
                (by the schedule and the room's light now)."""
                covered = self._covering.pipeline
                pipeline = pipelines.get(self._covering.display) or covered
                dimmed = replace(pipeline, schedule=covered.schedule, light=covered.light)
                return dimmed.render(self.clock.now())

        note = self.overlay.add(request.priority, request.seconds, draw, about)
        self._publish_state()
        return {"id": note.id, "queued": note is not self.overlay.showing}

    def clear_notifications(self) -> dict[str, Any]:
        cleared = self.overlay.clear()
        self._publish_state()
        return {"cleared": cleared}

    def _publish_state(self, view: dict[str, Any] | None = None) -> None:
        if self.hub.subscribers:
            self.hub.publish("state", json.dumps(view or self.view(), separators=(",", ":")))

    # -- what the control API reads (from its own threads) --------------------------------

    def face_name(self) -> str:
        return self.config.face

    def frame_view(self) -> dict[str, Any] | None:
        frame = self.last_frame
        return record(frame) if frame is not None else None

    def view(self) -> dict[str, Any]:
        """The state as ``GET /api/state`` shows it."""
        config, state, frame = self.config, self.state, self.last_frame
        when = frame.time if frame is not None else None
        schedule_now = None
        if config.schedule and when is not None:
            span = self.pipeline.schedule.in_force(when)
            schedule_now = {
                "brightness": 1.0 if span is None else span.entry.level,
                "entry": describe(span) if span else None,
            }
        dumped = config.model_dump(mode="json", by_alias=True)
        return {
            "api": API_VERSION,
            "version": __version__,
            "power": "on" if state.power else "off",
            "brightness": config.display.brightness,
            "face": config.face,
            "face_options": dumped["faces"].get(config.face, {}),
            "faces": list(registry.registered(registry.FACES)),
            "driver": config.driver,
            "drivers": list(registry.registered(registry.DRIVERS)),
            "theme": {
                side: {group: "#{:02x}{:02x}{:02x}".format(*c) for group, c in table.items()}
                for side, table in (("on", config.theme.on), ("off", config.theme.off))
            },
            "clock": {"hour12": config.clock.hour12, "seconds": config.clock.seconds},
            "schedule": dumped["schedule"],
            "schedule_now": schedule_now,
            "light": self.light.view() if self.light is not None else None,
            "synchronised": self.synced,
            "time": when.isoformat() if when is not None else None,
            "uptime": round(self.clock.time() - self.started, 3),
            "notify": self.overlay.describe(),
            "alarm": self._alarm_view(math.floor(when.timestamp())) if when else None,
            "sources": sources(self.base, state, config.face),
            "overrides": state.overrides,
        }

    # -- requests from the control API's threads -----------------------------------------

    def submit(self, work: Callable[[], Any]) -> Future[Any]:
        """Have the loop run ``work`` between seconds, woken at once; its result to come."""
        future: Future[Any] = Future()
        if not self.inbox.holding():  # stopped: the wake-up would end the process instead
            future.set_exception(DriverUnavailable("the clock is stopping"))
            return future
        self._requests.put((work, future))
        signal.pthread_kill(self._main, signal.SIGUSR1)
        return future

    def _serve_requests(self) -> list[Callable[[], None]]:
        """Run the work handed in by the control API; how to answer each request, to be
        called once the change is shown (so what the API then reads is the new frame)."""
        answers: list[Callable[[], None]] = []
        while True:
            try:
                work, future = self._requests.get_nowait()
            except queue.Empty:
                return answers
            try:
                result = work()
            except REFUSED as exc:
                answers.append(partial(future.set_exception, exc))
            else:
                answers.append(partial(future.set_result, result))

    def _show_now(self) -> None:
        """Show the current second again, as changed (not waiting for the next one)."""
        self._shown_now = math.floor(self.clock.time())
        self._tick(self._shown_now)

    # -- signals and reload --------------------------------------------------------------

    def _handle_signals(self) -> bool:
        """Act on pending signals; True when asked to stop."""
        answers: list[Callable[[], None]] = []
        try:
            for sig in self.inbox.take():
                if sig == signal.SIGHUP:
                    self.reload()
                elif sig == signal.SIGUSR1:
                    answers += self._serve_requests()
                else:
                    log.info("%s received; stopping", sig.name)
                    return True
            if self._quitting:
                log.info("asked to quit; stopping")
                return True
            if answers:
                self._show_now()
        finally:
            for answer in answers:
                answer()
        return False

    def reload(self) -> bool:
        """Read the configuration again, with the run-time overrides kept on top; keep
        running the old one if the new one is bad."""
        self.notifier.reloading()
        # The buttons held, which differ from the configuration's after a reload that
        # could not have its own: the next reload tries again.
        buttons = self.buttons.config if self.buttons is not None else ControlsConfig()
        try:
            base, source = self.loader()
            self._use(layered(base, self.state.overrides, source), source)
        except REFUSED as exc:
            return self._keep(exc)
        self.base = base
        if self.config.controls != buttons:
            self._reopen_buttons(buttons)
        self._publish_state()
        log.info("configuration reloaded from %s", source or "built-in defaults")
        self.notifier.ready(self.status())
        return True

    def _reopen_buttons(self, before: ControlsConfig) -> None:
        """Let the buttons go and take those the configuration now asks for; when they
        cannot be had, say so in one line and take back the ones ``before``."""
        if self.buttons is not None:
            self.buttons.close()
            self.buttons = None
        try:
            self.buttons = open_buttons(self.config.controls, self.press)
        except DriverUnavailable as exc:
            log.error("%s; keeping the buttons as they were", exc)
            try:
                self.buttons = open_buttons(before, self.press)
            except DriverUnavailable as again:
                log.error("%s; running without buttons", again)

    def _keep(self, exc: Exception) -> bool:
        log.error("reload failed, keeping the running configuration: %s", exc)
        self.notifier.ready(self.status())
        return False


# -- shared with --once, which shows one frame as the running clock would -------------------


def painted_only(old: Config, new: Config) -> bool:
    """Whether ``new`` differs from ``old`` only in what the painter and schedule do."""
    display = old.display.model_copy(update={"brightness": new.display.brightness})
    same = {"display": display, "theme": new.theme, "schedule": new.schedule}
    return old.model_copy(update=same) == new


def indicator_mode(config: Config, under_systemd: bool) -> str:
    """How to mark an unsynchronised clock: ``auto`` is a pixel under systemd, else off."""
    mode = config.clock.unsynced_indicator
    if mode == "auto":
        return "pixel" if under_systemd else "off"
    return mode


def synchronised(sync: SyncCheck, known: bool | None = None) -> bool:
    """Whether to treat the system clock as synchronised (yes when nothing can tell, so as
    not to cry wolf), logging the answer when it differs from ``known``."""
    state = sync.state()
    synced = state is not False
    if synced != known:
        if state is None:
            log.info("cannot tell whether the system clock is synchronised; not marking")
        elif synced:
            log.info("the system clock is synchronised")
        else:
            log.warning("the system clock is not synchronised yet; marking the display")
    return synced


def shown_level(pipeline: Pipeline, when: datetime | None) -> float:
    """The brightness ``pipeline`` shows the clock at ``when``: the display's, dimmed by the
    schedule and the room's light."""
    level = pipeline.painter.brightness
    return level if when is None else level * pipeline.dimming(when)


def unsynced(frame: Frame, second: int, mode: str, config: Config, pipeline: Pipeline) -> Frame:
    """``frame`` with the not-synchronised mark in ``mode``, dimmed as the frame is."""
    colour = scale(config.clock.unsynced_colour, shown_level(pipeline, frame.time))
    return mark_unsynced(frame, colour, mode, second, pipeline.mark_index)
