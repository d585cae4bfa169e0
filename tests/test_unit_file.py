"""What the shipped units set, read as systemd reads them (each setting may appear many times).

tests/test_service_under_systemd.py proves the same settings at work under a real systemd.
"""

from __future__ import annotations

from pathlib import Path

import pytest

UNIT = Path(__file__).parent.parent / "systemd" / "binclock.service"
WEB_UNIT = UNIT.with_name("binclock-web.service")


def settings(section: str, unit: Path = UNIT) -> dict[str, list[str]]:
    """Every value given to each key of ``section`` of ``unit``, in order."""
    found: dict[str, list[str]] = {}
    current = None
    for line in unit.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
        elif current == section:
            key, _, value = line.partition("=")
            found.setdefault(key, []).append(value)
    return found


def environment() -> dict[str, str]:
    pairs = " ".join(settings("Service")["Environment"]).split()
    return dict(pair.split("=", 1) for pair in pairs)


def test_the_service_gets_a_state_directory_as_its_home():
    service = settings("Service")
    assert service["StateDirectory"] == ["binclock"]
    assert environment()["HOME"] == "%S/binclock"


def test_the_service_works_in_its_state_directory_where_lgpio_makes_its_fifo():
    assert settings("Service")["WorkingDirectory"] == ["%S/binclock"]
    assert environment()["LG_WD"] == "%S/binclock"


def test_the_system_call_filter_lets_the_clock_state_be_read():
    service = settings("Service")
    allowed = service["SystemCallFilter"][-1].split()
    assert {"adjtimex", "clock_adjtime"} <= set(allowed)
    assert service["ProtectClock"] == ["no"]


def test_no_process_of_the_service_may_set_the_clock():
    # adjtimex() changes the clock only with CAP_SYS_TIME, which the empty bounding set drops.
    assert settings("Service")["CapabilityBoundingSet"] == [""]


def test_restarts_are_bounded_to_five_starts_in_two_minutes():
    unit = settings("Unit")
    assert unit["StartLimitIntervalSec"] == ["120"]
    assert unit["StartLimitBurst"] == ["5"]


# -- the clock and its control socket ----------------------------------------------------------


def test_the_clock_makes_its_socket_folder_at_start_open_for_the_sockets_group():
    service = settings("Service")
    assert service["RuntimeDirectory"] == ["binclock"]
    assert service["RuntimeDirectoryMode"] == ["0755"]


def test_the_clock_may_give_its_socket_to_the_binclock_group():
    assert "binclock" in settings("Service")["SupplementaryGroups"][0].split()


def test_the_system_call_filter_lets_the_clock_give_its_socket_to_the_group():
    # ~@privileged refuses chown(); without CAP_CHOWN it only gives away to the own groups.
    filters = settings("Service")["SystemCallFilter"]
    allowed_again = filters[filters.index("~@privileged @resources") + 1 :]
    assert "@chown" in " ".join(allowed_again).split()


def test_the_clocks_dynamic_user_is_not_named_like_the_sockets_group():
    service = settings("Service")
    assert service["DynamicUser"] == ["yes"]
    assert service["User"] == ["binclockd"]


def test_the_clock_has_no_network_only_unix_sockets():
    service = settings("Service")
    assert service["PrivateNetwork"] == ["yes"]
    assert service["RestrictAddressFamilies"] == ["AF_UNIX"]
    assert service["IPAddressDeny"] == ["any"]


# -- the clock's clients: the web page and the MQTT bridge -------------------------------------

MQTT_UNIT = UNIT.with_name("binclock-mqtt.service")
CLIENTS = {"web": WEB_UNIT, "mqtt": MQTT_UNIT}  # the command each runs -> its unit
each_client = pytest.mark.parametrize("command", CLIENTS)


def client(command: str, key: str, section: str = "Service") -> list[str]:
    return settings(section, CLIENTS[command]).get(key, [])


def web(key: str, section: str = "Service") -> list[str]:
    return client("web", key, section)


def mqtt(key: str, section: str = "Service") -> list[str]:
    return client("mqtt", key, section)


@each_client
def test_a_client_is_started_as_its_command_with_the_clocks_config(command):
    assert client(command, "Type") == ["simple"]
    expected = f"/usr/local/bin/binclock {command} --config /etc/binclock/config.toml"
    assert client(command, "ExecStart") == [expected]


@each_client
def test_a_client_runs_as_a_user_of_its_own_in_the_sockets_group(command):
    assert client(command, "DynamicUser") == ["yes"]
    assert client(command, "User") == []
    assert client(command, "SupplementaryGroups") == ["binclock"]


@each_client
def test_a_client_has_no_devices(command):
    assert client(command, "PrivateDevices") == ["yes"]
    assert client(command, "DeviceAllow") == []


@each_client
def test_a_client_may_open_internet_and_unix_sockets(command):
    assert client(command, "RestrictAddressFamilies") == ["AF_UNIX AF_INET AF_INET6"]


@each_client
def test_a_client_runs_only_while_the_clock_does_and_starts_after_it(command):
    assert client(command, "BindsTo", "Unit") == ["binclock.service"]
    assert client(command, "After", "Unit") == ["binclock.service"]
    assert client(command, "WantedBy", "Install") == ["binclock.service"]


@each_client
def test_a_client_looks_for_the_control_socket_in_the_clocks_runtime_directory(command):
    pairs = " ".join(client(command, "Environment")).split()
    assert "RUNTIME_DIRECTORY=/run/binclock" in pairs


@each_client
def test_a_client_has_a_state_directory_of_its_own_as_its_home(command):
    assert client(command, "StateDirectory") == [f"binclock-{command}"]
    assert client(command, "StateDirectoryMode") == ["0700"]
    assert client(command, "WorkingDirectory") == [f"%S/binclock-{command}"]
    assert f"HOME=%S/binclock-{command}" in " ".join(client(command, "Environment")).split()


def test_the_web_page_serves_localhost_only_unless_install_says_otherwise():
    assert web("IPAddressAllow") == ["localhost"]
    assert web("IPAddressDeny") == ["any"]


def test_the_bridge_may_reach_a_broker_at_any_address():
    assert mqtt("IPAddressAllow") == mqtt("IPAddressDeny") == mqtt("PrivateNetwork") == []


def test_the_bridge_is_not_restarted_after_usage_permission_or_configuration_errors():
    assert mqtt("Restart") == ["on-failure"]
    assert mqtt("RestartPreventExitStatus") == ["64 77 78"]


def test_the_bridge_reads_etc_but_not_homes_or_tmp():
    # its password and TLS files belong in /etc/binclock (docs/service.md)
    assert mqtt("ProtectSystem") == ["strict"]
    assert mqtt("ProtectHome") == ["yes"]
    assert mqtt("PrivateTmp") == ["yes"]
    assert mqtt("InaccessiblePaths") == mqtt("TemporaryFileSystem") == []


def test_the_bridge_has_the_web_pages_hardening_and_nothing_less():
    own = {"ExecStart", "StateDirectory", "WorkingDirectory", "Environment"}
    own |= {"IPAddressAllow", "IPAddressDeny", "RestartPreventExitStatus"}
    shared = settings("Service", WEB_UNIT).keys() - own
    assert {key: mqtt(key) for key in shared} == {key: web(key) for key in shared}
