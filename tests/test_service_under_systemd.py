"""The shipped unit under a real systemd: its life from start to stop, and the drivers that
have an emulator or mock pins running under all of its hardening.

One container is booted for the whole session (see systemd_container.py); each test installs
the unit as ``binclock service install`` writes it, with a drop-in only for what the test
itself needs (a shorter watchdog, mock pins, the test display's folder). Skipped where no
container can boot: without root, systemd or systemd-nspawn.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from broker import MOSQUITTO, MOSQUITTO_PASSWD, broker_missing
from systemd_container import CHECKOUT, Container, booted, in_a_home, wait_until
from test_sensehat_emulator import lit

from binclock.commandline import install
from binclock.sync import TIME_ERROR, kernel_clock_state

UNIT = "binclock.service"
CONFIG = Path("/etc/binclock/config.toml")
UNIT_DIR = Path("/run/systemd/system")
SCREEN = Path("/dev/shm/rpi-sense-emu-screen")
EMULATOR = "binclock-test-sense-emu.service"
TIMESYNCD = Path("/run/systemd/timesync")
STALL = Path("/run/binclock-stall")
PLUGINS = CHECKOUT / "tests" / "service_plugins"
MARK = 1 * 8 + 1  # the binary face's hours-32 bit on the 8x8 matrix: the sync mark
SENSE_EMU = """\
[drivers.sensehat]
backend = "emulator"
"""
HOLD_EMULATOR = """\
import os, time
from sense_emu.lock import EmulatorLock
from sense_emu.screen import init_screen, screen_filename
EmulatorLock("sense_emu").acquire()
init_screen().close()
os.chmod(screen_filename(), 0o666)  # the service's dynamic user draws on it
time.sleep(3600)
"""


@pytest.fixture(scope="session")
def container(tmp_path_factory) -> Iterator[Container]:
    with booted(tmp_path_factory.mktemp("container") / "boot.log") as booted_or_reason:
        if isinstance(booted_or_reason, str):
            pytest.skip(f"no systemd container here: {booted_or_reason}")
        yield booted_or_reason


class Unit:
    """A binclock unit in the container (the clock's by default), installed as
    ``service install`` does: with the control socket's group made by systemd-sysusers."""

    def __init__(self, container: Container, name: str = UNIT) -> None:
        self.container = container
        self.name = name
        self.drop_ins = container.path(UNIT_DIR / f"{name}.d")
        sysusers = container.path("/" / install.SYSUSERS)
        sysusers.parent.mkdir(parents=True, exist_ok=True)
        sysusers.write_text(install.SYSUSERS_TEXT)
        container.run("systemd-sysusers")
        start = install.command()
        groups = install.existing_groups(container.path("/"))
        container.path(UNIT_DIR / name).write_text(install.unit_text(start, CONFIG, groups, name))
        self.drop_ins.mkdir(exist_ok=True)
        if in_a_home(container.binds):
            # Python itself lives in a home here (install looks at the virtualenv only).
            self.drop_in("python-in-a-home", "ProtectHome=read-only")
        container.systemctl("daemon-reload")
        container.path(CONFIG).parent.mkdir(exist_ok=True)
        self.cursor = container.cursor()

    def configure(self, text: str) -> None:
        self.container.path(CONFIG).write_text(text)

    def drop_in(self, name: str, *lines: str) -> None:
        (self.drop_ins / f"{name}.conf").write_text("\n".join(["[Service]", *lines, ""]))
        self.container.systemctl("daemon-reload")

    def start(self) -> bool:
        return self.container.systemctl("start", self.name, check=False).returncode == 0

    def show(self, *properties: str) -> dict[str, str]:
        return self.container.show(self.name, *properties)

    def journal(self) -> str:
        return self.container.journal(self.name, self.cursor)

    def logged(self, text: str, timeout: float = 30) -> bool:
        return bool(wait_until(lambda: text in self.journal(), timeout))

    def clean(self) -> None:
        self.container.systemctl("stop", self.name, check=False)
        self.container.systemctl("reset-failed", self.name, check=False)
        for drop_in in self.drop_ins.glob("*.conf"):
            drop_in.unlink()
        self.container.systemctl("daemon-reload")


class Emulator:
    """The Sense HAT emulator's screen in the container, held headless by a helper service."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def start(self) -> None:
        self.container.start_transient(EMULATOR, sys.executable, "-c", HOLD_EMULATOR)
        screen = self.container.path(SCREEN)
        wait_until(lambda: screen.exists() and screen.stat().st_mode & 0o666 == 0o666)

    def stop(self) -> None:
        self.container.systemctl("stop", EMULATOR, check=False)
        self.container.systemctl("reset-failed", EMULATOR, check=False)
        self.container.path(SCREEN).unlink(missing_ok=True)

    def lit(self) -> list[bool]:
        return lit(self.container.path(SCREEN))


@pytest.fixture
def clock(container) -> Iterator[Unit]:
    service = Unit(container)
    yield service
    service.clean()


@pytest.fixture
def emulator(container) -> Iterator[Emulator]:
    screen = Emulator(container)
    screen.start()
    yield screen
    screen.stop()


@pytest.fixture
def sense_hat(emulator, clock) -> Unit:
    clock.configure(f'driver = "sensehat"\n{SENSE_EMU}')
    return clock


@pytest.fixture
def stalling(clock, container) -> Iterator[Unit]:
    """The clock on a display that hangs on demand, with a 4 s watchdog."""
    clock.configure('driver = "stalling:StallingDriver"\n')
    clock.drop_in("stalling", f"Environment=PYTHONPATH={PLUGINS}", "WatchdogSec=4")
    yield clock
    container.path(STALL).unlink(missing_ok=True)


@pytest.fixture
def timesyncd(container) -> Iterator[Path]:
    """systemd-timesyncd's runtime folder, as it is while timesyncd runs (not in containers)."""
    folder = container.path(TIMESYNCD)
    folder.mkdir(parents=True)
    yield folder
    (folder / "synchronized").unlink(missing_ok=True)
    folder.rmdir()


# -- the container -----------------------------------------------------------------------------


def test_the_container_boots_in_a_cgroup_of_this_session_s_own(container):
    # Shared with a container another session boots, its units' cgroups would come and go
    # under each other (a transient unit then fails to start: "Failed to attach to cgroup").
    own = f"/binclock-test-{os.getpid()}/"
    lines = Path(f"/proc/{container.pid}/cgroup").read_text().splitlines()
    placed = [line.split(":", 2) for line in lines]
    systemd = [path for number, kind, path in placed if number == "0" or kind == "name=systemd"]
    assert systemd and all(path.startswith(own) for path in systemd)


# -- start, reload, stop ----------------------------------------------------------------------


def test_start_reports_ready_with_the_status_line(sense_hat):
    assert sense_hat.start(), sense_hat.journal()
    shown = sense_hat.show("ActiveState", "StatusText")
    assert shown == {
        "ActiveState": "active",
        "StatusText": "showing the binary face on the sensehat driver",
    }


def test_the_sense_hat_lights_under_the_unit(sense_hat, emulator):
    assert sense_hat.start(), sense_hat.journal()
    assert wait_until(lambda: any(emulator.lit()))


def test_the_sense_hat_keeps_its_settings_in_the_services_home(sense_hat, container):
    assert sense_hat.start(), sense_hat.journal()
    assert container.path("/var/lib/private/binclock/.config/sense_hat").is_dir()


def test_stop_exits_0_and_leaves_the_matrix_dark(sense_hat, emulator):
    assert sense_hat.start(), sense_hat.journal()
    assert wait_until(lambda: any(emulator.lit()))
    sense_hat.container.systemctl("stop", UNIT)
    assert sense_hat.show("ExecMainStatus", "Result") == {
        "ExecMainStatus": "0",
        "Result": "success",
    }
    assert not any(emulator.lit())


def test_reload_applies_a_good_configuration_in_the_same_process(sense_hat):
    assert sense_hat.start(), sense_hat.journal()
    pid = sense_hat.show("MainPID")
    sense_hat.configure(f'driver = "sensehat"\nface = "bcd"\n{SENSE_EMU}')
    sense_hat.container.systemctl("reload", UNIT)
    assert sense_hat.logged("configuration reloaded from /etc/binclock/config.toml")
    assert (
        sense_hat.show("StatusText")["StatusText"] == "showing the bcd face on the sensehat driver"
    )
    assert sense_hat.show("MainPID") == pid


def test_reload_with_a_bad_configuration_keeps_the_clock_running(sense_hat):
    assert sense_hat.start(), sense_hat.journal()
    sense_hat.configure(
        f'driver = "sensehat"\nface = "bcd"\n[display]\nbrightness = 7\n{SENSE_EMU}'
    )
    sense_hat.container.systemctl("reload", UNIT)
    assert sense_hat.logged("reload failed, keeping the running configuration")
    assert sense_hat.show("ActiveState", "StatusText") == {
        "ActiveState": "active",
        "StatusText": "showing the binary face on the sensehat driver",
    }


def test_a_bad_configuration_at_start_exits_78_and_is_not_restarted(clock):
    clock.configure('driver = "jsonl"\n[display]\nbrightness = 7\n')
    assert not clock.start()
    assert clock.logged("Failed with result 'exit-code'")
    time.sleep(3)  # longer than RestartSec=: a restart would be due by now
    assert clock.show("ExecMainStatus", "NRestarts", "ActiveState") == {
        "ExecMainStatus": "78",
        "NRestarts": "0",
        "ActiveState": "failed",
    }


# -- the watchdog -----------------------------------------------------------------------------


def test_the_watchdog_is_fed_while_frames_reach_the_display(stalling):
    assert stalling.start(), stalling.journal()
    pid = stalling.show("MainPID")
    time.sleep(8)  # twice WatchdogSec=
    assert stalling.show("ActiveState", "MainPID", "NRestarts") == {
        "ActiveState": "active",
        "NRestarts": "0",
        **pid,
    }


def test_the_watchdog_ends_a_clock_whose_display_hangs(stalling, container):
    assert stalling.start(), stalling.journal()
    container.path(STALL).touch()
    assert stalling.logged("Watchdog timeout"), stalling.journal()
    assert stalling.logged("Failed with result 'watchdog'")


# -- a display unavailable at start ----------------------------------------------------------


def test_an_unavailable_display_is_retried_five_times_then_left_failed(sense_hat, emulator):
    emulator.stop()
    assert not sense_hat.start()
    assert sense_hat.logged("Start request repeated too quickly", timeout=60)
    assert sense_hat.show("NRestarts", "ActiveState", "ExecMainStatus") == {
        "NRestarts": "5",
        "ActiveState": "failed",
        "ExecMainStatus": "69",
    }
    assert "sudo systemctl reset-failed binclock; sudo systemctl start binclock" in (
        sense_hat.journal()
    )


def test_a_display_that_appears_later_is_picked_up_after_reset_failed(sense_hat, emulator):
    sense_hat.drop_in("quick-restarts", "RestartSec=100ms")  # the same limit, reached sooner
    emulator.stop()
    sense_hat.start()
    assert sense_hat.logged("Start request repeated too quickly", timeout=60)
    emulator.start()
    assert not sense_hat.start(), "started again within StartLimitIntervalSec="
    sense_hat.container.systemctl("reset-failed", UNIT)
    assert sense_hat.start(), sense_hat.journal()
    assert sense_hat.show("ActiveState") == {"ActiveState": "active"}


# -- whether the clock is synchronised ---------------------------------------------------------


def test_the_unit_reads_the_kernels_clock_state(sense_hat, emulator):
    here = kernel_clock_state()
    if here is None:
        pytest.skip("this machine cannot tell whether its clock is synchronised")
    assert sense_hat.start(), sense_hat.journal()
    if here == TIME_ERROR:
        assert sense_hat.logged("the system clock is not synchronised yet; marking the display")
        assert wait_until(lambda: emulator.lit()[MARK])
    else:
        assert sense_hat.logged("the system clock is synchronised")
    assert "cannot tell" not in sense_hat.journal()


def test_timesyncd_not_yet_synchronised_marks_the_display(sense_hat, emulator, timesyncd):
    assert sense_hat.start(), sense_hat.journal()
    assert sense_hat.logged("the system clock is not synchronised yet; marking the display")
    assert wait_until(lambda: emulator.lit()[MARK])


def test_timesyncd_synchronised_leaves_the_display_unmarked(sense_hat, emulator, timesyncd):
    (timesyncd / "synchronized").touch()
    assert sense_hat.start(), sense_hat.journal()
    assert sense_hat.logged("the system clock is synchronised")
    assert wait_until(lambda: any(emulator.lit()))
    assert not emulator.lit()[MARK]


# -- drivers on mock pins ----------------------------------------------------------------------


@pytest.mark.parametrize("driver", ["gpio", "servo"])
def test_a_driver_on_mock_pins_runs_under_the_unit(clock, driver):
    clock.configure(f'driver = "{driver}"\n')
    clock.drop_in(
        "mock-pins", "Environment=GPIOZERO_PIN_FACTORY=mock GPIOZERO_MOCK_PIN_CLASS=mockpwmpin"
    )
    assert clock.start(), clock.journal()
    assert clock.show("StatusText") == {
        "StatusText": f"showing the binary face on the {driver} driver"
    }
    clock.container.systemctl("stop", UNIT)
    assert clock.show("ExecMainStatus") == {"ExecMainStatus": "0"}


# -- privilege separation: the clock has no network, the web page no devices ------------------

PROBE = PLUGINS / "probe.py"
DEVICE = Path("/dev/spidev0.0")  # a stand-in with /dev/null's numbers, open to everyone


def probe(unit: Unit, what: str) -> None:
    """Have ``unit`` try ``what`` (see service_plugins/probe.py) in its own sandbox."""
    unit.drop_in("probe", f"ExecStartPre={sys.executable} {PROBE} {what}")


@pytest.fixture
def device(container) -> Iterator[Path]:
    node = container.path(DEVICE)
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    node.chmod(0o666)
    yield DEVICE
    node.unlink()


def test_outside_a_unit_the_probes_are_allowed(container, device):
    assert container.run(sys.executable, str(PROBE), "inet").stdout == "probe inet: allowed\n"
    opened = container.run(sys.executable, str(PROBE), str(device)).stdout
    assert opened == f"probe {device}: allowed\n"


def test_the_clock_cannot_open_an_internet_socket(clock):
    clock.configure('driver = "jsonl"\n')
    probe(clock, "inet")
    assert clock.start(), clock.journal()
    assert clock.logged("probe inet: Address family not supported by protocol"), clock.journal()


def test_the_web_page_cannot_open_a_device(web, device):
    probe(web, str(device))
    web.start()
    assert web.logged(f"probe {device}: No such file or directory"), web.journal()


# -- the clock and its web page, through the control socket -----------------------------------

WEB_STATE = "http://127.0.0.1:8780/api/state"  # the unit's default: [web] listen
STATE_FILE = Path("/var/lib/private/binclock/state.json")
FETCH = """
import sys, urllib.request
method, url, body = sys.argv[1:]
request = urllib.request.Request(
    url, method=method, data=body.encode() or None, headers={"Content-Type": "application/json"}
)
print(urllib.request.urlopen(request, timeout=5).read().decode())
"""


@pytest.fixture
def web(clock, container) -> Iterator[Unit]:
    """The web page's unit, with the clock on the jsonl driver; the clock's state is
    forgotten afterwards."""
    clock.configure('driver = "jsonl"\n')
    page = Unit(container, install.WEB_UNIT)
    yield page
    page.clean()
    container.systemctl("stop", UNIT, check=False)
    container.path(STATE_FILE).unlink(missing_ok=True)


def fetch(container: Container, method: str = "GET", body: str = "") -> dict | None:
    """The clock's state through the web page, from inside the container; None if no answer."""
    answer = container.run(sys.executable, "-c", FETCH, method, WEB_STATE, body, check=False)
    return json.loads(answer.stdout) if answer.returncode == 0 else None


def test_the_control_socket_is_for_root_and_the_binclock_group(clock, container):
    clock.configure('driver = "jsonl"\n')
    assert clock.start(), clock.journal()
    socket_file = container.path("/run/binclock/control.sock")
    assert wait_until(socket_file.exists)
    info = socket_file.stat()
    assert stat.S_ISSOCK(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o660
    group = container.run("getent", "group", str(info.st_gid)).stdout
    assert group.startswith("binclock:")


def test_starting_the_web_page_starts_the_clock_it_shows(web, container):
    assert web.start(), web.journal()
    state = wait_until(lambda: fetch(container))
    assert state, web.journal()
    assert (state["driver"], state["power"]) == ("jsonl", "on")
    assert container.show(UNIT, "ActiveState") == {"ActiveState": "active"}


def test_a_change_made_through_the_web_page_survives_a_restart_of_the_clock(web, container):
    assert web.start(), web.journal()
    assert wait_until(lambda: fetch(container)), web.journal()
    assert fetch(container, "PATCH", json.dumps({"brightness": 0.25}))["brightness"] == 0.25
    clock_pid = container.show(UNIT, "MainPID")
    container.systemctl("restart", UNIT)
    assert container.show(UNIT, "MainPID") != clock_pid
    state = wait_until(lambda: fetch(container))
    assert state, web.journal()
    assert (state["brightness"], state["sources"]["brightness"]) == (0.25, "runtime")


def test_the_web_page_stops_with_the_clock(web, container):
    assert web.start(), web.journal()
    container.systemctl("stop", UNIT)
    assert web.show("ActiveState") == {"ActiveState": "inactive"}


# -- the MQTT bridge: the control socket on one side, a broker on the other -------------------

BROKER = "binclock-test-mosquitto.service"
BROKER_DIR = Path("/run/binclock-test-mosquitto")
PASSWORD_FILE = Path("/etc/binclock/mqtt-password")  # where docs/service.md puts it
TOPICS = "binclock/kitchen"
AVAILABILITY = f"{TOPICS}/availability"
DYNAMIC_USERS = range(61184, 65520)  # the ids systemd gives DynamicUser= units
BRIDGE_CONFIG = f"""\
driver = "jsonl"
[mqtt]
host = "127.0.0.1"
device_id = "kitchen"
username = "clock"
password_file = "{PASSWORD_FILE}"
"""
MQTT = """
import sys, threading
import paho.mqtt.client as mqtt
action, topic, payload = sys.argv[1:]
client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
client.username_pw_set("tester", "tester-password")
connected, received = threading.Event(), threading.Event()
client.on_connect = lambda client, data, flags, reason, properties: connected.set()
client.on_message = lambda client, data, message: (print(message.payload.decode()), received.set())
client.connect("127.0.0.1", 1883)
client.loop_start()
if not connected.wait(5):
    sys.exit("no answer from the broker")
if action == "get":
    client.subscribe(topic)
    sys.exit(0 if received.wait(5) else f"nothing retained on {topic}")
client.publish(topic, payload, qos=1).wait_for_publish(5)
"""


class Mosquitto:
    """mosquitto in the container on its loopback, for the users clock (the bridge) and
    tester (this test), each with a password."""

    def __init__(self, container: Container) -> None:
        self.container = container
        folder = container.path(BROKER_DIR)
        folder.mkdir(exist_ok=True)
        passwd = BROKER_DIR / "passwd"
        container.path(passwd).write_text("")
        for user in ("clock", "tester"):
            container.run(str(MOSQUITTO_PASSWD), "-b", str(passwd), user, f"{user}-password")
        container.path(passwd).chmod(0o644)  # the broker's dynamic user reads it
        (folder / "mosquitto.conf").write_text(
            f"listener 1883 127.0.0.1\nallow_anonymous false\npassword_file {passwd}\n"
        )

    def start(self) -> None:
        config = str(BROKER_DIR / "mosquitto.conf")
        self.container.start_transient(
            BROKER, str(MOSQUITTO), "-c", config, properties=("DynamicUser=yes",)
        )

    def stop(self) -> None:
        self.container.systemctl("stop", BROKER, check=False)
        self.container.systemctl("reset-failed", BROKER, check=False)

    def get(self, topic: str) -> str | None:
        """The retained message of ``topic``, or None."""
        got = self.container.run(sys.executable, "-c", MQTT, "get", topic, "", check=False)
        return got.stdout.strip() if got.returncode == 0 else None

    def publish(self, topic: str, payload: str) -> None:
        self.container.run(sys.executable, "-c", MQTT, "publish", topic, payload)


@pytest.fixture
def broker(container) -> Iterator[Mosquitto]:
    reason = broker_missing()
    if reason:
        pytest.skip(reason)
    mosquitto = Mosquitto(container)
    mosquitto.start()
    yield mosquitto
    mosquitto.stop()


@pytest.fixture
def bridge(clock, container) -> Iterator[Unit]:
    """The MQTT bridge's unit, configured for the broker on the container's loopback with
    its password in /etc/binclock (0640 root:binclock), and the clock on the jsonl driver;
    the clock's state is forgotten afterwards."""
    clock.configure(BRIDGE_CONFIG)
    password = container.path(PASSWORD_FILE)
    password.write_text("clock-password\n")
    password.chmod(0o640)
    os.chown(password, 0, container_gid(container, install.GROUP))
    unit = Unit(container, install.MQTT_UNIT)
    yield unit
    unit.clean()
    container.systemctl("stop", UNIT, check=False)
    container.path(STATE_FILE).unlink(missing_ok=True)
    password.unlink()


def container_gid(container: Container, group: str) -> int:
    return int(container.run("getent", "group", group).stdout.split(":")[2])


@pytest.fixture
def online(bridge, broker) -> Unit:
    """The bridge started, once it has told the broker the clock is online."""
    assert bridge.start(), bridge.journal()
    assert wait_until(lambda: broker.get(AVAILABILITY) == "online"), bridge.journal()
    return bridge


def test_the_bridge_may_open_an_internet_socket(bridge):
    probe(bridge, "inet")
    bridge.start()
    assert bridge.logged("probe inet: allowed"), bridge.journal()


def test_the_bridge_cannot_open_a_device(bridge, device):
    probe(bridge, str(device))
    bridge.start()
    assert bridge.logged(f"probe {device}: No such file or directory"), bridge.journal()


def test_the_bridge_may_read_a_password_file_of_the_binclock_group_in_etc(bridge):
    probe(bridge, str(PASSWORD_FILE))
    bridge.start()
    assert bridge.logged(f"probe {PASSWORD_FILE}: allowed"), bridge.journal()


def test_the_bridge_tells_the_broker_the_clock_is_online(bridge, broker):
    assert bridge.start(), bridge.journal()
    assert wait_until(lambda: broker.get(AVAILABILITY) == "online"), bridge.journal()


def test_the_bridge_runs_as_a_user_of_its_own_in_the_sockets_group(online, container):
    status = container.run("cat", f"/proc/{online.show('MainPID')['MainPID']}/status").stdout
    uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M)[1])
    groups = re.search(r"^Groups:(.*)$", status, re.M)[1].split()
    assert uid in DYNAMIC_USERS and uid != int(container.show(UNIT, "UID")["UID"])
    assert str(container_gid(container, install.GROUP)) in groups


def test_a_set_message_through_the_broker_turns_the_clock_off(online, broker, container):
    broker.publish(f"{TOPICS}/set", '{"state": "OFF"}')
    assert wait_until(lambda: re.search(r'^power +"off" +runtime$', ctl_state(container), re.M))


def test_the_bridge_stops_with_the_clock_and_says_it_is_offline(online, broker, container):
    container.systemctl("stop", UNIT)
    assert online.show("ActiveState") == {"ActiveState": "inactive"}
    assert broker.get(AVAILABILITY) == "offline"


def ctl_state(container: Container) -> str:
    """``binclock ctl state`` as root in the container: the service's clock."""
    return container.run(*install.command(), "ctl", "state").stdout
