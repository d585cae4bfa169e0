"""The displays a running clock shows at once: each with its own driver, face painted for
its size, and retry state, so one failing display leaves the others running."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from binclock.config import Config
from binclock.controls import Control
from binclock.driver import Driver
from binclock.frame import Frame
from binclock.pipeline import Display, Pipeline, build_driver, build_pipeline

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Screen:
    """One display of the running clock and what the loop keeps for it."""

    display: Display
    driver: Driver
    pipeline: Pipeline
    failures: int = 0  # in a row
    retry_at: int = 0  # the second to try again at, while backing off
    gave_up: bool = False  # failed too often in a row: closed, not shown any more
    finished: bool = False  # said it is done (a recording complete): closed
    closed: bool = False
    ahead: dict[int, Frame] = field(default_factory=dict)  # frames rendered ahead
    poll: Callable[[], list[Control]] | None = None  # its buttons, asked each second
    reader_gone: Callable[[], bool] | None = None  # on a pipe or terminal: asked each frame
    fading: bool = False
    last_frame: Frame | None = None
    label: str = "the display"  # in log lines; its name when there are several

    @property
    def live(self) -> bool:
        """Whether the clock still shows on it."""
        return not (self.gave_up or self.finished)

    def close(self) -> bool:
        """Close the driver once (leaving the display dark); False, with one line logged,
        when that fails (a recording that cannot be written is lost)."""
        if self.closed:
            return True
        self.closed = True
        return close_display(self.driver, self.label)


def close_display(driver: Driver, label: str = "the display") -> bool:
    """Close ``driver``; False, with one line logged, when that fails (a recording that
    cannot be written is lost)."""
    try:
        driver.close()
    except Exception as exc:  # noqa: BLE001 - any driver fault: one line, not a traceback
        log.error("%s failed as it closed: %s", label, exc)
        return False
    return True


def options(config: Config, display: Display) -> Any:
    """The options table of ``display`` in ``config`` (to tell whether it changed)."""
    return getattr(config, display.table).get(display.name)


def open_screen(config: Config, source: Path | None, display: Display, **handles: Any) -> Screen:
    """The display's driver opened, with the face painted for its size."""
    driver = build_driver(config, source, display, **handles)
    try:
        return Screen(display, driver, build_pipeline(config, driver, source, display))
    except BaseException:
        driver.close()
        raise


def open_all(config: Config, source: Path | None, wanted: Sequence[Display]) -> list[Screen]:
    """Every display in ``wanted`` opened; if one cannot be, those opened are closed again."""
    screens: list[Screen] = []
    try:
        for display in wanted:
            screens.append(open_screen(config, source, display))
    except BaseException:
        close_all(screens)
        raise
    return screens


def name_them(screens: Sequence[Screen]) -> None:
    """Log lines say which display they are about when there are several."""
    for screen in screens:
        several = len(screens) > 1
        screen.label = f"the {screen.display.name} display" if several else "the display"


def close_all(screens: Sequence[Screen]) -> bool:
    """Close every display (each one, even when another fails); whether all closed cleanly."""
    return all([screen.close() for screen in screens])
