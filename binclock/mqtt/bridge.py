"""The running bridge: the clock's events published on the broker, commands from the broker
sent to the clock.

Threads, so that neither side ever waits on the other: one keeps the broker connection
(it connects, lets paho's network thread run the connection for as long as it lasts, then
waits a back-off with full jitter: the bridge, not paho, decides when to try again); one
follows the clock's event stream; one sends commands to the clock in the order they came,
so paho's thread only queues them; and the main thread waits for SIGTERM/SIGINT or a
refusal that ends the run. What the broker was last told is remembered per topic, so a
change is published once, and everything is published again on each new connection (a
restarted broker may have lost its retained messages).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import queue
import random
import signal
import socket
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode

from binclock import __version__, exitcodes
from binclock.config import MqttConfig
from binclock.control import EVENTS_SILENCE
from binclock.control.client import ClockNotRunning, ControlClient, ControlDenied, ControlError
from binclock.mqtt import connection, discovery, payload, topics
from binclock.mqtt.topics import Topics

log = logging.getLogger("binclock.mqtt")

FIRST_WAIT = 1.0  # seconds before the first retry; doubles up to LONGEST_WAIT
LONGEST_WAIT = 60.0
SHORTEST_WAIT = 0.1  # full jitter may draw ~0: never try again sooner than this
# Commands waiting for the clock; past that the oldest go (the newest say what is wanted).
INBOX = 64
GOODBYE_TIMEOUT = 5.0  # seconds to get "offline" to the broker when stopping
QOS = 1
ONLINE, OFFLINE = discovery.ONLINE.encode(), discovery.OFFLINE.encode()
# Home Assistant's birth message: it (re)started and wants the discovery configs again.
BIRTH = b"online"


class Backoff:
    """Exponential back-off with full jitter: each wait is drawn from [0, ceiling], the
    ceiling doubling from FIRST_WAIT to LONGEST_WAIT, back to the start after a success."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng or random.Random()
        self._tries = 0

    def next(self) -> float:
        ceiling = min(LONGEST_WAIT, FIRST_WAIT * 2**self._tries)
        self._tries = min(self._tries + 1, 16)
        return max(SHORTEST_WAIT, self._rng.uniform(0, ceiling))

    def reset(self) -> None:
        self._tries = 0


class Bridge:
    """One clock (its control socket) bridged to one broker, until stopped."""

    def __init__(
        self,
        cfg: MqttConfig,
        ids: Topics,
        socket_path: Path,
        settings: connection.Settings,
        silence: float = EVENTS_SILENCE,
    ) -> None:
        """``silence``: seconds of nothing on the clock's event stream (its pings included)
        after which the clock counts as lost, as when its socket goes away."""
        self.cfg = cfg
        self.ids = ids
        self.socket_path = socket_path
        self.settings = settings
        self.silence = silence
        self.name = topics.device_name(cfg)
        self.client = connection.client(settings, will=ids.availability)
        self.client.on_connect = self._connected
        self.client.on_disconnect = self._disconnected
        self.client.on_subscribe = self._subscribed
        self.client.on_message = self._received
        self._lock = threading.Lock()  # guards everything below, and publishing
        self._online = False  # the broker took our login and subscriptions on this connection
        self._sent: dict[str, bytes] = {}  # topic -> what the broker was last given
        self._announced: list[str] | None = None  # the faces last announced
        self._view: dict[str, Any] | None = None
        self._clock_up = False
        self._shown: str | None = None  # "HH:MM" of the last frame
        self._conditions: dict[str, str] = {}
        self._inbox: queue.Queue[tuple[str, bytes] | None] = queue.Queue(INBOX)
        self._stop = threading.Event()
        self._done = threading.Event()  # the main thread stops waiting
        self._dropped = threading.Event()  # the connection ended
        self._refused: connection.Refused | None = None
        self._broker_backoff = Backoff()
        self._events: ControlClient | None = None
        self._network = threading.Thread(target=self._keep_connected, daemon=True)

    # -- the run --------------------------------------------------------------------------

    def run(self) -> int:
        """Bridge until SIGTERM or SIGINT (then say "offline" and exit 0); ``Refused`` when
        the broker or the clock's socket will not have us."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self._done.set())
        self.start()
        self._done.wait()
        self.stop()
        if self._refused is not None:
            raise self._refused
        return exitcodes.OK

    def start(self) -> None:
        """Start bridging, in threads of its own."""
        log.info(
            "bridging the clock at %s to %s under %s",
            self.socket_path,
            self.settings.address,
            self.ids.base,
        )
        self._network.start()
        for work in (self._follow_clock, self._obey):
            threading.Thread(target=work, daemon=True).start()

    def _fail(self, refused: connection.Refused) -> None:
        self._refused = refused
        self._done.set()

    def stop(self) -> None:
        """Say "offline" on the availability topic, leave the broker and the clock."""
        self._stop.set()
        with contextlib.suppress(queue.Full):  # a full inbox: the worker dies with the process
            self._inbox.put_nowait(None)
        with self._lock:
            online = self._online
            goodbye = self._publish(self.ids.availability, OFFLINE) if online else None
        if goodbye is not None:
            with contextlib.suppress(RuntimeError, ValueError):
                goodbye.wait_for_publish(GOODBYE_TIMEOUT)
        self.client.disconnect()
        self._dropped.set()
        self._network.join(GOODBYE_TIMEOUT)
        events = self._events
        if events is not None and events.sock is not None:
            with contextlib.suppress(OSError):
                events.sock.shutdown(socket.SHUT_RDWR)

    def _tell(self, what: str, condition: str, level: int, message: str) -> None:
        """Log ``message`` when ``what`` enters ``condition``: one line per change, not one
        per retry."""
        if self._conditions.get(what) != condition:
            self._conditions[what] = condition
            log.log(level, message)

    # -- the broker -----------------------------------------------------------------------

    def _keep_connected(self) -> None:
        """Connect, let paho's loop run the connection, and when it ends wait a back-off
        before the next try."""
        address = self.settings.address
        while not self._stop.is_set():
            try:
                connection.open_connection(self.client, self.settings)
            except connection.Refused as exc:
                self._fail(exc)
                return
            except OSError as exc:
                why = connection.unreachable(exc)
                say = f"cannot reach the broker {address}: {why}; trying again"
                self._tell("broker", "away", logging.WARNING, say)
                self._stop.wait(self._broker_backoff.next())
                continue
            self.client.loop_start()
            self._dropped.wait()
            self.client.loop_stop()
            self._dropped.clear()  # after: a stop that set it meanwhile is seen by the loop
            if self._refused is not None:
                self._done.set()
                return
            if not self._stop.is_set():
                self._stop.wait(self._broker_backoff.next())

    def _connected(self, client: mqtt.Client, _u: Any, _f: Any, code: ReasonCode, _p: Any) -> None:
        if code.is_failure:
            refused = connection.refusal(code, self.settings)
            if refused is not None:
                self._refused = refused
            else:
                say = f"the broker {self.settings.address} refused: {code}; trying again"
                self._tell("broker", "refused", logging.WARNING, say)
            return
        self._broker_backoff.reset()
        self._tell("broker", "up", logging.INFO, f"connected to the broker {self.settings.address}")
        wanted = [self.ids.set, self.ids.notify]
        if self.ids.fleet:
            wanted.append(self.ids.fleet)
        if self.cfg.discovery:
            wanted.append(self.ids.birth)
        client.subscribe([(topic, QOS) for topic in wanted])

    def _subscribed(self, _c: mqtt.Client, _u: Any, _m: int, _r: Any, _p: Any) -> None:
        """Tell the broker everything again, now: after paho has sent again what the last
        connection left unacknowledged, which is older and must not have the last word."""
        with self._lock:
            self._online = True
            self._sent.clear()
            self._announced = None
            self._sync()

    def _disconnected(self, _c: mqtt.Client, _u: Any, _f: Any, code: ReasonCode, _p: Any) -> None:
        with self._lock:
            was_online, self._online = self._online, False
        # A login refused for now already said so: its connection ending is no news.
        refused_for_now = not was_online and self._conditions.get("broker") == "refused"
        if not self._stop.is_set() and self._refused is None and not refused_for_now:
            address = self.settings.address
            if was_online:
                say = f"lost the broker {address} ({code}); trying again"
            else:
                say = (
                    f"the broker {address} closed the connection unanswered ({code}); trying again"
                )
            self._tell("broker", "lost", logging.WARNING, say)
        self._dropped.set()

    def _received(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        """Runs on paho's thread: never waits for the clock."""
        if msg.topic == self.ids.birth:
            if msg.payload == BIRTH:
                with self._lock:
                    self._announced = None
                    self._sync()
            return
        if msg.retain:
            log.warning(
                "%s: a retained message is not obeyed (publish commands unretained)", msg.topic
            )
            return
        while True:
            try:
                self._inbox.put_nowait((msg.topic, bytes(msg.payload)))
                return
            except queue.Full:
                say = "commands come faster than the clock takes them: the oldest are dropped"
                self._tell("inbox", "full", logging.WARNING, say)
                with contextlib.suppress(queue.Empty):
                    self._inbox.get_nowait()

    # -- what the broker is told ----------------------------------------------------------

    def _sync(self) -> None:
        """Publish whatever changed since the broker was last told (lock held)."""
        if not self._online:
            return
        view = self._view
        if view is not None:
            if self.cfg.discovery and view.get("faces") != self._announced:
                for topic, config in discovery.announcements(
                    self.ids, view, self.name, __version__
                ).items():
                    self._publish(topic, _json(config), force=True)
                self._announced = view.get("faces")
            self._publish(self.ids.state, _json(payload.state_payload(view)))
        if self._shown is not None:
            self._publish(self.ids.time, self._shown.encode())
        self._publish(self.ids.availability, ONLINE if self._clock_up else OFFLINE)

    def _publish(self, topic: str, data: bytes, force: bool = False) -> mqtt.MQTTMessageInfo | None:
        """Publish ``data`` retained on ``topic`` unless the broker has it already (lock held)."""
        if not force and self._sent.get(topic) == data:
            return None
        self._sent[topic] = data
        return self.client.publish(topic, data, qos=QOS, retain=True)

    # -- the clock ------------------------------------------------------------------------

    def _follow_clock(self) -> None:
        """Follow the clock's event stream; when it ends, wait a back-off and follow again."""
        backoff = Backoff()
        while not self._stop.is_set():
            events = self._events = ControlClient(self.socket_path)
            try:
                for name, data in events.events(self.silence):
                    if name == "state":
                        self._clock_state(data)
                        backoff.reset()
                    elif name == "frame":
                        self._clock_frame(data)
                why = "it stopped sending events"
            except ControlDenied as exc:
                self._fail(connection.Refused(str(exc)))
                return
            except (ControlError, OSError, http.client.HTTPException, ValueError) as exc:
                why = str(exc) or type(exc).__name__
            finally:
                events.close()
            if self._stop.is_set():
                return
            say = f"the clock is not answering ({why}); trying again"
            self._tell("clock", "away", logging.WARNING, say)
            with self._lock:
                self._clock_up = False
                self._sync()
            self._stop.wait(backoff.next())

    def _clock_state(self, view: dict[str, Any]) -> None:
        self._tell("clock", "up", logging.INFO, f"following the clock at {self.socket_path}")
        with self._lock:
            self._view = view
            self._clock_up = True
            self._sync()

    def _clock_frame(self, frame: dict[str, Any]) -> None:
        when = frame.get("time")
        if not isinstance(when, str):
            return
        shown = datetime.fromisoformat(when).strftime("%H:%M")
        with self._lock:
            if shown != self._shown:
                self._shown = shown
                self._sync()

    # -- commands -------------------------------------------------------------------------

    def _obey(self) -> None:
        """Send each command to the clock in turn; a bad one or a refusal is one line."""
        while (item := self._inbox.get()) is not None:
            topic, data = item
            if self._conditions.get("inbox") == "full" and self._inbox.empty():
                self._tell("inbox", "taking", logging.INFO, "commands are taken again")
            try:
                method, path, body = self._request(topic, data)
            except payload.BadCommand as exc:
                log.warning("%s: ignored: %s", topic, exc)
                continue
            try:
                with contextlib.closing(ControlClient(self.socket_path)) as clock:
                    clock.call(method, path, body)
            except ClockNotRunning as exc:
                log.warning("%s: not done: %s", topic, exc)
            except ControlError as exc:
                log.warning("%s: the clock refused: %s", topic, exc)

    def _request(self, topic: str, data: bytes) -> tuple[str, str, dict[str, Any]]:
        """The control API request a message asks for; BadCommand when it asks for none."""
        if topic == self.ids.notify:
            return "POST", "/api/notify", payload.notify_of(data)
        with self._lock:
            view = self._view
        if view is None:
            raise payload.BadCommand("the clock has not been reached yet")
        return "PATCH", "/api/state", payload.patch_of(data, view)


def forget(settings: connection.Settings, ids: Topics) -> list[str]:
    """Empty the retained topics the bridge fills (Home Assistant then drops the device);
    the topics emptied. OSError when the broker cannot be reached; ``Refused`` as in run."""
    client = connection.client(settings)
    answered = threading.Event()
    refused: list[connection.Refused] = []

    def connected(_c: mqtt.Client, _u: Any, _f: Any, code: ReasonCode, _p: Any) -> None:
        if code.is_failure:
            refused.append(
                connection.refusal(code, settings)
                or connection.Refused(
                    f"the broker {settings.address} refused: {code}", exitcodes.UNAVAILABLE
                )
            )
        answered.set()

    client.on_connect = connected
    client.on_disconnect = lambda *_: answered.set()
    connection.open_connection(client, settings)
    client.loop_start()
    try:
        if not answered.wait(connection.CONNECT_TIMEOUT) or not client.is_connected():
            if refused:
                raise refused[0]
            raise TimeoutError(f"the broker {settings.address} did not answer")
        emptied = discovery.forgotten(ids)
        sent = [client.publish(topic, b"", qos=QOS, retain=True) for topic in emptied]
        for info in sent:
            info.wait_for_publish(connection.CONNECT_TIMEOUT)
            if not info.is_published():
                raise TimeoutError(f"the broker {settings.address} did not take the messages")
        return emptied
    finally:
        client.disconnect()
        client.loop_stop()


def _json(data: Any) -> bytes:
    """``data`` as compact JSON with sorted keys: the same state gives the same bytes."""
    return json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
