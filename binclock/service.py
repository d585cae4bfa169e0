"""The running clock: one frame per second, signals, reloads, systemd and a failing display."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, tzinfo
from pathlib import Path

from binclock import controls, exitcodes, registry
from binclock.clock import Clock, SystemClock
from binclock.config import Config, ConfigError
from binclock.driver import Driver, DriverUnavailable, Finished
from binclock.frame import Frame
from binclock.indicator import mark_unsynced
from binclock.notify import Notifier
from binclock.painter import PlacementError, scale
from binclock.pipeline import Pipeline, build_driver, build_painter, build_pipeline, timezone
from binclock.registry import BrokenPlugin, UnknownPlugin
from binclock.schedule import brightness_at, summary
from binclock.signals import SignalInbox
from binclock.sync import SyncCheck
from binclock.ticker import Ticker
from binclock.transition import can_animate, lead_in, play

log = logging.getLogger(__name__)

Loader = Callable[[], tuple[Config, Path | None]]
SYNC_RECHECK = 60  # seconds between checks once the clock is synchronised
AHEAD = 60  # seconds rendered in one go for faces that are pure functions of time


class Service:
    """Shows the time on a driver at every wall-clock second until told to stop.

    ``loader`` reads the configuration (again on SIGHUP). ``clock``, ``sleep``,
    ``notifier`` and ``sync`` are injected so tests can drive time, systemd and the
    synchronisation state; by default they are the real ones.
    """

    def __init__(
        self,
        loader: Loader,
        *,
        clock: Clock | None = None,
        sleep: Callable[[float], None] | None = None,
        notifier: Notifier | None = None,
        sync: SyncCheck | None = None,
        environ: dict[str, str] | None = None,
    ) -> None:
        self.loader = loader
        self._config, self.source = loader()
        self.tz: tzinfo = timezone(self.config)
        self.clock = clock or SystemClock(self.tz)
        self.inbox = SignalInbox()
        self.ticker = Ticker(self.clock, sleep or self.inbox.sleep, interrupted=self.inbox.received)
        self.notifier = notifier or Notifier()
        self.sync = sync or SyncCheck()
        self.under_systemd = "INVOCATION_ID" in (os.environ if environ is None else environ)
        self.inbox.open()  # before the driver, so threads it starts leave signals to us
        try:
            self._driver = build_driver(self.config, self.source)
        except BaseException:
            self.inbox.close()
            raise
        self._refresh()
        try:
            self.pipeline: Pipeline = build_pipeline(self.config, self.driver, self.source)
        except BaseException:
            self.driver.close()
            self.inbox.close()
            raise
        self.failures = 0
        self.retry_at = 0
        self.last_ping: float | None = None
        self.ready = False
        self.synced: bool | None = None
        self.sync_checked_at: int | None = None
        self.level: float | None = None
        self._ahead: dict[int, Frame] = {}

    @property
    def config(self) -> Config:
        return self._config

    @config.setter
    def config(self, config: Config) -> None:
        self._config = config
        self._refresh()

    @property
    def driver(self) -> Driver:
        return self._driver

    @driver.setter
    def driver(self, driver: Driver) -> None:
        self._driver = driver
        self._refresh()

    def _refresh(self) -> None:
        """Work out what the loop checks every second once, when the configuration or the
        display changes: each second runs cold, so it should touch as little as it can."""
        self._poll_controls = controls.poller(self.driver)
        self._fading = self.config.transition.enabled and can_animate(self.driver)
        self._mark_mode = self._indicator_mode()
        # The frame shown may differ from the one rendered: the schedule is logged, or the
        # sync mark may go on it.
        self._decorating = bool(self.config.schedule) or self._mark_mode != "off"

    # -- the loop ------------------------------------------------------------------------

    def run(self, frames: int | None = None) -> int:
        """Run until SIGTERM/SIGINT, a driver that has finished, or a closed pipe on the
        display's output (exit 0); too many display failures or a display that fails as it
        closes (exit 70); or a face that no longer fits the display (exit 78).

        ``frames`` stops after that many seconds have been shown (for tests).
        """
        with self.inbox:
            try:
                code = self._loop(frames)
            finally:
                self.notifier.stopping()
                closed = close_display(self.driver)
                self.notifier.close()
        return code if closed or code != exitcodes.OK else exitcodes.SOFTWARE

    def _loop(self, frames: int | None) -> int:
        shown = 0
        try:
            while frames is None or shown < frames:
                second = self.ticker.wait()
                # A signal cuts the wait short (second is None), or came while the
                # last second was being drawn and is still waiting.
                if second is None or self.inbox.waiting():
                    if self._handle_signals():
                        return exitcodes.OK
                    if second is None:
                        continue
                if self._poll_controls is not None:
                    self._handle_controls(self._poll_controls)
                if not self._tick(second):
                    return exitcodes.SOFTWARE
                shown += 1
            return exitcodes.OK
        except Finished as done:
            log.info("%s; stopping", done)
            return exitcodes.OK
        except BrokenPipeError:
            log.info("the reader of the display's output went away; stopping")
            return exitcodes.OK
        except PlacementError as exc:
            log.error("the %s face no longer fits the display: %s", self.config.face, exc)
            return exitcodes.CONFIG
        except DriverUnavailable as exc:
            log.error("the display cannot be opened again after a reload: %s", exc)
            return exitcodes.UNAVAILABLE

    def _tick(self, second: int) -> bool:
        """Show ``second``; False when the display has failed too often in a row."""
        if 0 < self.retry_at - second <= self.config.service.max_backoff:
            return True  # backing off; a clock stepped back does not stretch the wait
        frame = self._ahead.get(second)
        if frame is None or self._decorating:
            frame = self._frame(second)
        try:
            self.driver.show(frame)
        except (Finished, BrokenPipeError):
            raise
        except Exception as exc:  # noqa: BLE001 - any driver fault: log, back off, retry
            return self._failed(second, exc)
        if self.failures:
            log.warning("the display works again after %d failed frames", self.failures)
        self.failures = 0
        if not self.ready or self.notifier.watchdog_interval is not None:
            self._delivered()
        upcoming = second + 1
        if upcoming in self._ahead and not self._fading:
            return True  # most seconds: the next frame is rendered and prepared
        rendered = self._render_ahead(upcoming)
        if self._fading:
            return self._after(second, lambda: self._fade(frame, upcoming))
        if rendered:
            return self._after(second, lambda: self._prepare(rendered))
        return True

    def _render_ahead(self, second: int) -> list[Frame]:
        """Render what comes next unless it is ready; the frames rendered, in order.

        A face that is a pure function of time (``pure = True``) gets the next minute in
        one go, so most seconds only hand a ready frame to the driver; others get one.
        """
        if second in self._ahead:
            return []
        count = AHEAD if getattr(self.pipeline.face, "pure", False) else 1
        self._ahead = {s: self._render(s) for s in range(second, second + count)}
        return list(self._ahead.values())

    def _prepare(self, frames: list[Frame]) -> None:
        """Let a driver that can convert frames ahead of their seconds do so (unless the sync
        mark is going on them: then the frames shown are not these)."""
        prepare = getattr(self.driver, "prepare", None)
        marking = self._mark_mode != "off" and not self.synced
        if prepare is not None and not marking:
            prepare(frames)

    def _fade(self, shown: Frame, upcoming: int) -> None:
        """Lead into the next second with a fade."""
        target = self._frame(upcoming)
        play(
            lead_in(shown, target, upcoming, self.config.transition),
            self.clock,
            self.driver.show,
            sleep=self.ticker.sleep,
        )

    def _after(self, second: int, work: Callable[[], None]) -> bool:
        """Run display work for the next second; a fault counts as this second's frame
        failing. False when the display has failed too often in a row."""
        try:
            work()
        except (Finished, BrokenPipeError):
            raise
        except Exception as exc:  # noqa: BLE001 - any driver fault: log, back off, retry
            return self._failed(second, exc)
        return True

    def _frame(self, second: int) -> Frame:
        frame = self._ahead.get(second) or self._render(second)
        if self.config.schedule:
            self._log_schedule(frame)
        mode = self._mark_mode
        if mode != "off" and not self._synchronised(second):
            frame = unsynced(frame, second, mode, self.config, self.pipeline)
        return frame

    def _render(self, second: int) -> Frame:
        return self.pipeline.render(datetime.fromtimestamp(second, self.tz))

    def _log_schedule(self, frame: Frame) -> None:
        """Say when the night-dimming schedule changes the brightness (as it is shown)."""
        if frame.time is None:
            return
        level = brightness_at(self.config.schedule, frame.time)
        if level != self.level:
            log.info("%s", summary(self.config.schedule, frame.time))
            self.level = level

    def _failed(self, second: int, exc: Exception) -> bool:
        self.failures += 1
        limit = self.config.service.max_failures
        if self.failures >= limit:
            log.error("the display failed %d times in a row (last: %s); giving up", limit, exc)
            return False
        delay = min(2 ** (self.failures - 1), self.config.service.max_backoff)
        log.warning("the display failed (%s); retrying in %gs", exc, delay)
        self.retry_at = second + max(int(delay), 1)
        return True

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
        return f"showing the {self.config.face} face on the {self.config.driver} driver"

    # -- clock synchronisation -----------------------------------------------------------

    def _indicator_mode(self) -> str:
        return indicator_mode(self.config, self.under_systemd)

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
            faces = list(registry.registered(registry.FACES))
            config = self.config
            # A face that cannot be built with its options here is skipped for the next one.
            tries = len(faces) if control is controls.Control.NEXT_FACE else 1
            for _ in range(max(tries, 1)):
                config = controls.apply(config, control, faces)
                if control in (controls.Control.BRIGHTER, controls.Control.DIMMER):
                    # Only the painter changes: the face keeps its state (a running countdown).
                    painter = build_painter(config, self.driver)
                    self.config, self._ahead = config, {}
                    self.pipeline = replace(self.pipeline, painter=painter)
                    break
                try:
                    pipeline = build_pipeline(config, self.driver, self.source)
                except (ConfigError, UnknownPlugin, BrokenPlugin) as exc:
                    log.info("skipping: %s", exc)
                    continue
                self.config, self.pipeline, self._ahead = config, pipeline, {}
                break

    # -- signals and reload --------------------------------------------------------------

    def _handle_signals(self) -> bool:
        """Act on pending signals; True when asked to stop."""
        for sig in self.inbox.take():
            if sig == signal.SIGHUP:
                self.reload()
            else:
                log.info("%s received; stopping", sig.name)
                return True
        return False

    def reload(self) -> bool:
        """Read the configuration again; keep running the old one if the new one is bad.

        A changed driver (or driver options) is opened after the old one is closed, since
        both may want the same pins; if the new one cannot be opened, the old is reopened.
        """
        self.notifier.reloading()
        try:
            config, source = self.loader()
            changed = (config.driver, config.drivers.get(config.driver)) != (
                self.config.driver,
                self.config.drivers.get(self.config.driver),
            )
            if not changed:
                pipeline = build_pipeline(config, self.driver, source)
        except (ConfigError, UnknownPlugin, BrokenPlugin) as exc:
            return self._keep(exc)
        if changed:
            self.driver.close()
            driver: Driver | None = None
            try:
                driver = build_driver(config, source)
                pipeline = build_pipeline(config, driver, source)
            except (ConfigError, DriverUnavailable, UnknownPlugin, BrokenPlugin) as exc:
                if driver is not None:
                    driver.close()
                self.driver = build_driver(self.config, self.source)  # back as it was
                return self._keep(exc)
            self.driver = driver
        self.config, self.source, self.pipeline = config, source, pipeline
        self.tz = timezone(config)
        self._ahead = {}
        log.info("configuration reloaded from %s", source or "built-in defaults")
        self.notifier.ready(self.status())
        return True

    def _keep(self, exc: Exception) -> bool:
        log.error("reload failed, keeping the running configuration: %s", exc)
        self.notifier.ready(self.status())
        return False


# -- shared with --once, which shows one frame as the running clock would -------------------


def close_display(driver: Driver) -> bool:
    """Close ``driver``; False, with one line logged, when that fails (a recording that
    cannot be written is lost)."""
    try:
        driver.close()
    except Exception as exc:  # noqa: BLE001 - any driver fault: one line, not a traceback
        log.error("the display failed as it closed: %s", exc)
        return False
    return True


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


def unsynced(frame: Frame, second: int, mode: str, config: Config, pipeline: Pipeline) -> Frame:
    """``frame`` with the not-synchronised mark in ``mode``, dimmed as the frame is."""
    level = pipeline.painter.brightness
    if config.schedule and frame.time is not None:
        level *= brightness_at(config.schedule, frame.time)
    colour = scale(config.clock.unsynced_colour, level)
    return mark_unsynced(frame, colour, mode, second, pipeline.mark_index)
