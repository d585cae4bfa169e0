"""Keys typed on the clock's terminal as run-time controls, read in a thread of their own.

The thread sleeps in ``select`` on the terminal and on a pipe that ``close()`` writes to,
so it costs nothing until a key comes (no polling) and stops at once when asked. Each key
is handed to ``press`` (the running clock's ``Service.press``), which wakes the clock's
loop; the thread never draws. It keeps every signal blocked, so Ctrl-Z, resizes and
SIGTERM still reach the clock's main thread at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import threading

from binclock.controls import Control, Press

log = logging.getLogger(__name__)

KEYS: dict[bytes, Control] = {
    b"f": Control.NEXT_FACE,
    b"+": Control.BRIGHTER,
    b"-": Control.DIMMER,
    b"s": Control.TOGGLE_SECONDS,
    b"o": Control.TOGGLE_POWER,
    b"q": Control.QUIT,
}
# What the screen's footer says about them, as fully as the terminal's width has room for.
HELP = (
    "f next face   +/- brighter/dimmer   s seconds   o on/off   q quit",
    "f face  +/- brightness  s seconds  o on/off  q quit",
    "f +/- s o q",
)
POWER_ON = "off — press o"  # what a display turned off says when its keys are read


def help_line(columns: int) -> str:
    """The longest description of the keys that fits in ``columns``, or ''."""
    return next((text for text in HELP if len(text) <= columns), "")


class KeyReader:
    """Reads the keys typed on the terminal ``fd`` and hands each known one to ``press``.

    The terminal's modes are its owner's business (the terminal driver turns off echo and
    line editing while it draws); this only reads. The thread ends at ``close()``, or when
    the terminal goes away.
    """

    def __init__(self, fd: int, press: Press) -> None:
        self.fd = fd
        self.press = press
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name="binclock keys", daemon=True)
        # The thread is born with every signal blocked (it inherits this thread's mask).
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        try:
            self._thread.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def _run(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.fd, self._wake_r], [], [])
                if self._wake_r in ready:
                    return
                data = os.read(self.fd, 64)
            except OSError as exc:
                log.info("no more keys from the terminal: %s", exc.strerror or exc)
                return
            if not data:
                return  # the terminal hung up
            for key in (data[i : i + 1] for i in range(len(data))):
                control = KEYS.get(key)
                if control is not None:
                    log.info("key %s: %s", key.decode(), control.value)
                    self.press(control)

    def close(self) -> None:
        """Stop reading (a second call does nothing)."""
        if self._wake_w < 0:
            return
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        if self._thread is not threading.current_thread():
            self._thread.join()
        os.close(self._wake_w)
        os.close(self._wake_r)
        self._wake_w = self._wake_r = -1
