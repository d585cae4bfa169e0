"""``binclock service install/uninstall`` and the unit files, checked with systemd's tools."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from binclock.commandline import commands, install
from binclock.commandline.cli import main

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
needs_systemd = pytest.mark.skipif(
    SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed"
)
UNITS = Path(__file__).parent.parent / "systemd"
# The clock's clients with units of their own: the install option and command of each.
each_client = pytest.mark.parametrize("command", ["web", "mqtt"])


@pytest.fixture
def root(tmp_path):
    (tmp_path / "etc/systemd/system").mkdir(parents=True)
    (tmp_path / "etc/group").write_text("root:x:0:\ngpio:x:997:pi\nvideo:x:44:pi\n")
    return tmp_path


def unit(root: Path, name: str = "binclock.service") -> str:
    return (root / "etc/systemd/system" / name).read_text()


def web_unit(root: Path) -> str:
    return unit(root, "binclock-web.service")


def mqtt_unit(root: Path) -> str:
    return unit(root, "binclock-mqtt.service")


def exposure(path: Path) -> float:
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "security", "--offline=yes", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout + result.stderr)
    assert match, result.stdout + result.stderr
    return float(match.group(1))


def test_install_writes_the_unit_with_this_installation_s_command(root):
    install.install(root, driver="sensehat", start=["/opt/binclock/bin/binclock"])
    expected = "/opt/binclock/bin/binclock --config /etc/binclock/config.toml"
    assert f"\nExecStart={expected}\n" in unit(root)


def test_install_names_the_driver_in_the_config_not_the_command(root):
    install.install(root, driver="sensehat", start=["/usr/bin/binclock"])
    assert "--driver" not in unit(root)
    assert 'driver = "sensehat"' in (root / "etc/binclock/config.toml").read_text()


def test_service_install_refuses_an_unknown_driver(root, capsys):
    assert main(["service", "install", "--root", str(root), "--driver", "neopixle"]) == 64
    assert not (root / "etc/systemd/system/binclock.service").exists()


def test_install_keeps_only_device_groups_that_exist_and_the_control_sockets_group(root):
    install.install(root, start=["/usr/bin/binclock"])
    assert re.search(r"^SupplementaryGroups=gpio video binclock$", unit(root), re.M)


def test_install_lets_a_virtualenv_in_a_home_directory_be_read(root):
    install.install(root, start=["/home/pi/.venv/bin/binclock"])
    assert re.search(r"^ProtectHome=read-only$", unit(root), re.M)


def test_install_creates_a_valid_config_when_missing(root):
    install.install(root, driver="neopixel", start=["/usr/bin/binclock"])
    config_file = root / "etc/binclock/config.toml"
    assert 'driver = "neopixel"' in config_file.read_text()
    assert main(["check-config", str(config_file)]) == 0


def test_install_keeps_an_existing_config(root):
    config_file = root / "etc/binclock/config.toml"
    config_file.parent.mkdir(parents=True)
    config_file.write_text('face = "bcd"\n')
    install.install(root, start=["/usr/bin/binclock"])
    assert config_file.read_text() == 'face = "bcd"\n'


def test_install_with_pwm_adds_the_root_drop_in_and_uninstall_removes_everything(root):
    install.install(root, pwm=True, start=["/usr/bin/binclock"])
    drop_in = root / "etc/systemd/system/binclock.service.d/rpi-ws281x-pwm.conf"
    assert "User=root" in drop_in.read_text()
    plan = install.uninstall(root)
    assert not drop_in.exists() and not drop_in.parent.exists()
    assert not (root / "etc/systemd/system/binclock.service").exists()
    assert len(plan.written) == 3  # with the sysusers.d snippet
    assert (root / "etc/binclock/config.toml").exists()


def test_uninstall_stops_the_service_before_removing_its_unit(root):
    install.install(root, start=["/usr/bin/binclock"])
    unit_file = root / "etc/systemd/system/binclock.service"
    seen = []
    install.uninstall(root, stop=lambda units: seen.append((units, unit_file.exists())))
    assert seen == [(["binclock.service"], True)]


def test_uninstall_with_nothing_installed_stops_nothing(root):
    stops = []
    plan = install.uninstall(root, stop=lambda units: stops.append(units))
    assert stops == [] and plan.written == ()


def test_service_uninstall_with_nothing_installed_says_so_and_exits_0(root, capsys):
    assert main(["service", "uninstall", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert (
        out
        == f"{root / 'etc/systemd/system/binclock.service'} is not installed: nothing to remove\n"
    )


@pytest.mark.parametrize("action", ["install", "uninstall"])
def test_service_without_root_on_the_real_system_is_refused_before_systemctl(
    action, monkeypatch, capsys
):
    monkeypatch.setattr(install.os, "geteuid", lambda: 1000)
    ran = []
    monkeypatch.setattr(commands.subprocess, "run", lambda *a, **k: ran.append(a))
    assert main(["service", action]) == 77
    err = capsys.readouterr().err
    assert err == "binclock: /etc/systemd/system: permission denied (run with sudo)\n"
    assert ran == []


def test_service_with_root_dir_is_a_dry_run_anyone_may_make(root, monkeypatch):
    monkeypatch.setattr(install.os, "geteuid", lambda: 1000)
    ran = []
    monkeypatch.setattr(commands.subprocess, "run", lambda *a, **k: ran.append(a))
    assert main(["service", "install", "--root", str(root)]) == 0
    assert main(["service", "uninstall", "--root", str(root)]) == 0
    assert ran == []


@pytest.mark.parametrize("folder", ["/tmp", "/var/tmp"])
def test_install_from_a_temporary_folder_warns_that_the_service_cannot_see_it(root, folder):
    start = f"{folder}/venv/bin/binclock"
    plan = install.install(root, start=[start])
    assert plan.warnings == (
        f"{start} is in {folder}, which PrivateTmp=yes hides from the service:"
        " install binclock outside it (a virtualenv in /opt)",
    )


@pytest.mark.parametrize("start", ["/opt/binclock/bin/binclock", "/home/pi/.venv/bin/binclock"])
def test_install_from_a_folder_the_service_can_read_gives_no_warning(root, start):
    assert install.install(root, start=[start]).warnings == ()


def write_config(root: Path, text: str) -> None:
    config_file = root / "etc/binclock/config.toml"
    config_file.parent.mkdir(parents=True)
    config_file.write_text(text)


@pytest.mark.parametrize(
    ("driver", "table", "who"),
    [
        ("terminal", "", "the terminal driver"),
        ("neopixel", 'backend = "spi"', "the neopixel driver's spi backend"),
        ("neopixel", "pin = 10", "the neopixel driver on GPIO 10"),
    ],
)
def test_install_pwm_for_a_display_without_pwm_warns(root, driver, table, who):
    write_config(root, f'driver = "{driver}"\n[drivers.neopixel]\n{table}\n')
    plan = install.install(root, pwm=True, start=["/usr/bin/binclock"])
    assert plan.warnings == (
        f"--pwm: {who} does not use rpi_ws281x's PWM/PCM backend, so the root drop-in only"
        " takes hardening away: install again without --pwm",
    )


@pytest.mark.parametrize("table", ["", "pin = 21", 'backend = "rpi_ws281x"\npin = 13'])
def test_install_pwm_for_neopixels_on_a_pwm_or_pcm_pin_gives_no_warning(root, table):
    write_config(root, f'driver = "neopixel"\n[drivers.neopixel]\n{table}\n')
    assert install.install(root, pwm=True, start=["/usr/bin/binclock"]).warnings == ()


def test_install_pwm_judges_the_driver_asked_for_over_the_one_in_the_config(root):
    write_config(root, 'driver = "terminal"\n')
    plan = install.install(root, driver="neopixel", pwm=True, start=["/usr/bin/binclock"])
    assert plan.warnings == ()


def test_service_install_prints_its_warnings_on_stderr(root, monkeypatch, capsys):
    monkeypatch.setattr(install, "command", lambda: ["/usr/bin/binclock"])
    assert main(["service", "install", "--root", str(root), "--driver", "gpio", "--pwm"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("binclock: warning: --pwm: the gpio driver does not use")
    assert len(err.splitlines()) == 1


def test_service_install_help_says_it_writes_files_and_prints_commands(capsys):
    with pytest.raises(SystemExit):
        main(["service", "--help"])
    assert "write the unit and configuration, print the commands that start it" in " ".join(
        capsys.readouterr().out.split()
    )


def test_service_root_dir_is_documented_as_a_dry_run(capsys):
    with pytest.raises(SystemExit):
        main(["service", "uninstall", "--help"])
    assert re.search(r"--root DIR\s+dry run:", capsys.readouterr().out)


def test_install_without_systemd_is_refused(tmp_path):
    with pytest.raises(install.InstallError, match="is this a systemd system"):
        install.install(tmp_path, start=["/usr/bin/binclock"])


def test_service_install_command_prints_the_systemctl_commands(root, capsys):
    assert main(["service", "install", "--root", str(root), "--driver", "terminal"]) == 0
    out = capsys.readouterr().out
    assert "sudo systemctl restart binclock" in out
    assert f"ExecStart={install.command()[0]}" in unit(root)


def test_the_unit_points_at_the_python_that_runs_binclock():
    assert install.command(sys.executable)[0].startswith(str(Path(sys.executable).parent))


@needs_systemd
def test_shipped_unit_is_exposed_at_most_2_0():
    assert exposure(UNITS / "binclock.service") <= 2.0


@needs_systemd
def test_unit_with_the_root_pwm_drop_in_is_exposed_at_most_5_0(tmp_path):
    text = (UNITS / "binclock.service").read_text()
    drop_in = (UNITS / "rpi-ws281x-pwm.conf").read_text().replace("[Service]\n", "")
    combined = tmp_path / "binclock-pwm.service"
    combined.write_text(text.replace("[Install]", drop_in + "\n[Install]"))
    assert exposure(combined) <= 5.0


@needs_systemd
def test_shipped_web_unit_is_exposed_at_most_2_5():
    assert exposure(UNITS / "binclock-web.service") <= 2.5


@needs_systemd
def test_web_unit_serving_every_client_is_exposed_at_most_2_5(root):
    write_config(root, '[web]\nlisten = "81.2.69.160:8780"\n')
    install.install(root, web=True, start=install.command())
    assert "\nIPAddressAllow=any\n" in web_unit(root)
    assert exposure(root / "etc/systemd/system/binclock-web.service") <= 2.5


@needs_systemd
def test_shipped_mqtt_unit_is_exposed_at_most_2_5():
    assert exposure(UNITS / "binclock-mqtt.service") <= 2.5


@needs_systemd
def test_installed_mqtt_unit_is_exposed_at_most_2_5(root):
    install.install(root, mqtt=True, start=install.command())
    assert exposure(root / "etc/systemd/system/binclock-mqtt.service") <= 2.5


@needs_systemd
@pytest.mark.parametrize(
    "name", ["binclock.service", "binclock-web.service", "binclock-mqtt.service"]
)
def test_installed_unit_passes_systemd_analyze_verify(root, name):
    install.install(root, web=True, mqtt=True, start=install.command())
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", str(root / "etc/systemd/system" / name)],
        capture_output=True,
        text=True,
        check=False,
    )
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if name in line and "Unknown group" not in line
    ]
    assert problems == [], result.stderr


# -- the web page's unit and the control socket's group ----------------------------------------


def test_service_install_web_writes_both_units_and_the_groups_sysusers_snippet(root, capsys):
    assert main(["service", "install", "--root", str(root), "--web"]) == 0
    out = capsys.readouterr().out
    for path in (
        "etc/systemd/system/binclock.service",
        "etc/systemd/system/binclock-web.service",
        "etc/sysusers.d/binclock.conf",
    ):
        assert f"wrote {root / path}\n" in out


def test_install_without_web_writes_no_web_unit(root):
    plan = install.install(root, start=["/usr/bin/binclock"])
    assert not (root / "etc/systemd/system/binclock-web.service").exists()
    assert all("web" not in line for line in plan.commands)


def test_the_sysusers_snippet_makes_the_binclock_group(root):
    install.install(root, start=["/usr/bin/binclock"])
    lines = (root / "etc/sysusers.d/binclock.conf").read_text().splitlines()
    assert [line for line in lines if not line.startswith("#")] == ["g binclock -"]


def test_the_group_is_made_before_systemd_reads_the_units(root):
    commands = install.install(root, start=["/usr/bin/binclock"]).commands
    assert commands.index("systemd-sysusers") < commands.index("systemctl daemon-reload")


def test_install_web_enables_and_restarts_both_services(root):
    commands = install.install(root, web=True, start=["/usr/bin/binclock"]).commands
    assert "systemctl enable binclock binclock-web" in commands
    assert "systemctl restart binclock binclock-web" in commands


@each_client
def test_a_clients_unit_starts_this_installations_command(root, command):
    install.install(root, **{command: True}, start=["/opt/binclock/bin/binclock"])
    expected = f"/opt/binclock/bin/binclock {command} --config /etc/binclock/config.toml"
    assert f"\nExecStart={expected}\n" in unit(root, f"binclock-{command}.service")


@each_client
def test_a_clients_unit_keeps_the_sockets_group_that_install_makes(root, command):
    install.install(root, **{command: True}, start=["/usr/bin/binclock"])
    assert "\nSupplementaryGroups=binclock\n" in unit(root, f"binclock-{command}.service")


@each_client
def test_a_clients_unit_lets_a_virtualenv_in_a_home_directory_be_read(root, command):
    install.install(root, **{command: True}, start=["/home/pi/.venv/bin/binclock"])
    text = unit(root, f"binclock-{command}.service")
    assert re.search(r"^ProtectHome=read-only$", text, re.M)


@pytest.mark.parametrize(
    ("listen", "allowed"),
    [
        (None, "localhost"),
        ("127.0.0.1:8780", "localhost"),
        ("[::1]:8780", "localhost"),
        ("localhost:8780", "localhost"),
        ("0.0.0.0:8780", install.LOCAL_NETWORKS),
        ("192.168.1.20:80", install.LOCAL_NETWORKS),
        ("[fe80::1]:8780", install.LOCAL_NETWORKS),
        ("clock.local:8780", install.LOCAL_NETWORKS),
        ("81.2.69.160:8780", "any"),
        ("no port", "localhost"),
    ],
)
def test_the_web_unit_allows_the_clients_its_listen_address_is_for(root, listen, allowed):
    write_config(root, f'[web]\nlisten = "{listen}"\n' if listen else "")
    install.install(root, web=True, start=["/usr/bin/binclock"])
    assert f"\nIPAddressAllow={allowed}\nIPAddressDeny=any\n" in web_unit(root)


def test_an_unreadable_config_leaves_the_web_page_on_localhost(root):
    write_config(root, "[web\n")
    install.install(root, web=True, start=["/usr/bin/binclock"])
    assert "\nIPAddressAllow=localhost\n" in web_unit(root)


def test_uninstall_stops_and_removes_the_web_unit_and_the_sysusers_snippet(root):
    install.install(root, web=True, start=["/usr/bin/binclock"])
    stopped = []
    install.uninstall(root, stop=stopped.append)
    assert stopped == [["binclock.service", "binclock-web.service"]]
    assert not (root / "etc/systemd/system/binclock-web.service").exists()
    assert not (root / "etc/sysusers.d/binclock.conf").exists()


# -- the MQTT bridge's unit --------------------------------------------------------------------


def test_service_install_mqtt_writes_the_bridges_unit(root, capsys):
    assert main(["service", "install", "--root", str(root), "--mqtt"]) == 0
    assert f"wrote {root / 'etc/systemd/system/binclock-mqtt.service'}\n" in capsys.readouterr().out


def test_install_without_mqtt_writes_no_mqtt_unit(root):
    plan = install.install(root, start=["/usr/bin/binclock"])
    assert not (root / "etc/systemd/system/binclock-mqtt.service").exists()
    assert all("mqtt" not in line for line in plan.commands)


def test_the_mqtt_unit_starts_with_the_config_install_was_given(root):
    config = Path("/srv/clock.toml")
    install.install(root, mqtt=True, config=config, start=["/usr/bin/binclock"])
    assert "\nExecStart=/usr/bin/binclock mqtt --config /srv/clock.toml\n" in mqtt_unit(root)


def test_the_mqtt_unit_has_no_ip_address_limits(root):
    write_config(root, '[web]\nlisten = "0.0.0.0:8780"\n')
    install.install(root, mqtt=True, start=["/usr/bin/binclock"])
    assert not re.search(r"^IPAddress(Allow|Deny)=", mqtt_unit(root), re.M)


def test_install_mqtt_enables_and_restarts_the_clock_and_the_bridge(root):
    commands = install.install(root, mqtt=True, start=["/usr/bin/binclock"]).commands
    assert "systemctl enable binclock binclock-mqtt" in commands
    assert "systemctl restart binclock binclock-mqtt" in commands
    assert "journalctl -u binclock -u binclock-mqtt -f" in commands


def test_install_web_and_mqtt_enables_all_three_services(root):
    commands = install.install(root, web=True, mqtt=True, start=["/usr/bin/binclock"]).commands
    assert "systemctl enable binclock binclock-web binclock-mqtt" in commands


def test_service_install_mqtt_prints_the_commands_that_start_the_bridge(root, monkeypatch, capsys):
    monkeypatch.setattr(install, "command", lambda: ["/usr/bin/binclock"])
    write_config(root, '[mqtt]\nhost = "broker.lan"\n')
    assert main(["service", "install", "--root", str(root), "--mqtt"]) == 0
    captured = capsys.readouterr()
    assert "  sudo systemctl restart binclock binclock-mqtt\n" in captured.out
    assert captured.err == ""


def test_uninstall_stops_and_removes_the_mqtt_unit(root):
    install.install(root, web=True, mqtt=True, start=["/usr/bin/binclock"])
    stopped = []
    install.uninstall(root, stop=stopped.append)
    assert stopped == [["binclock.service", "binclock-web.service", "binclock-mqtt.service"]]
    assert not (root / "etc/systemd/system/binclock-mqtt.service").exists()


def test_service_uninstall_says_it_removed_the_mqtt_unit(root, capsys):
    install.install(root, mqtt=True, start=["/usr/bin/binclock"])
    assert main(["service", "uninstall", "--root", str(root)]) == 0
    assert f"removed {root / 'etc/systemd/system/binclock-mqtt.service'}\n" in (
        capsys.readouterr().out
    )


def test_service_install_mqtt_in_a_dry_run_runs_nothing(root, monkeypatch):
    monkeypatch.setattr(install.os, "geteuid", lambda: 1000)
    ran = []
    monkeypatch.setattr(commands.subprocess, "run", lambda *a, **k: ran.append(a))
    assert main(["service", "install", "--root", str(root), "--mqtt"]) == 0
    assert main(["service", "uninstall", "--root", str(root)]) == 0
    assert ran == []


def test_service_install_help_offers_mqtt(capsys):
    with pytest.raises(SystemExit):
        main(["service", "install", "--help"])
    assert re.search(r"--mqtt\s+also write binclock-mqtt.service", capsys.readouterr().out)


def test_install_mqtt_without_a_broker_warns_that_the_bridge_will_not_start(root):
    plan = install.install(root, mqtt=True, start=["/usr/bin/binclock"])
    assert plan.warnings == (
        "--mqtt: [mqtt] host is not set in /etc/binclock/config.toml: the bridge exits 78"
        " until it names the broker",
    )


def test_install_mqtt_without_paho_warns_that_the_bridge_will_not_start(root, monkeypatch):
    monkeypatch.setitem(sys.modules, "paho", None)  # as if it were not installed
    write_config(root, '[mqtt]\nhost = "broker.lan"\n')
    assert install.install(root, mqtt=True, start=["/usr/bin/binclock"]).warnings == (
        "--mqtt: paho-mqtt is not installed with this binclock: the bridge exits 69 until it is"
        " (pip install 'binclock[mqtt]')",
    )


def secret(root: Path, mode: int, group: int = os.getegid()) -> None:
    """The password file the bridge is configured to read, with ``mode``, made by this test
    (so in its group) in a root where the binclock group has the id ``group``."""
    (root / "etc/group").write_text(f"root:x:0:\nbinclock:x:{group}:\n")
    write_config(root, '[mqtt]\nhost = "broker.lan"\npassword_file = "/etc/binclock/pw"\n')
    (root / "etc/binclock/pw").write_text("secret\n")
    (root / "etc/binclock/pw").chmod(mode)


def test_install_mqtt_accepts_a_password_file_the_sockets_group_may_read(root):
    secret(root, 0o640)
    assert install.install(root, mqtt=True, start=["/usr/bin/binclock"]).warnings == ()


def test_install_mqtt_warns_of_a_password_file_only_its_owner_may_read(root):
    secret(root, 0o600)
    assert install.install(root, mqtt=True, start=["/usr/bin/binclock"]).warnings == (
        "--mqtt: [mqtt] password_file /etc/binclock/pw is closed to the bridge's user: run"
        " sudo chown root:binclock /etc/binclock/pw; sudo chmod 0640 /etc/binclock/pw",
    )


def test_install_mqtt_warns_of_a_password_file_of_another_group(root):
    secret(root, 0o640, group=os.getegid() + 1)
    (warning,) = install.install(root, mqtt=True, start=["/usr/bin/binclock"]).warnings
    assert "password_file /etc/binclock/pw is closed to the bridge's user" in warning


@pytest.mark.parametrize(
    ("key", "path", "folder"),
    [
        ("password_file", "/home/pi/mqtt-password", "/home"),
        ("ca_file", "/root/ca.pem", "/root"),
        ("cert_file", "/tmp/client.pem", "/tmp"),
        ("key_file", "/var/tmp/client.key", "/var/tmp"),
    ],
)
def test_install_mqtt_warns_of_a_file_the_bridges_sandbox_hides(root, key, path, folder):
    write_config(root, f'[mqtt]\nhost = "broker.lan"\n{key} = "{path}"\n')
    assert install.install(root, mqtt=True, start=["/usr/bin/binclock"]).warnings == (
        f"--mqtt: [mqtt] {key} {path} is in {folder}, which the bridge's sandbox hides from it:"
        " keep it in /etc/binclock (0640 root:binclock)",
    )


def test_install_mqtt_from_a_home_lets_the_bridge_read_files_in_homes(root):
    write_config(root, '[mqtt]\nhost = "broker.lan"\nca_file = "/home/pi/ca.pem"\n')
    plan = install.install(root, mqtt=True, start=["/home/pi/.venv/bin/binclock"])
    assert plan.warnings == ()


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder every user may enter, on a path every user may enter (pytest's own
    temporary folders are private to their user)."""
    with tempfile.TemporaryDirectory(dir="/var/tmp") as folder:
        Path(folder).chmod(0o755)
        yield Path(folder)


def private_home(folder: Path) -> Path:
    """A home directory closed to other users, as Raspberry Pi OS makes them."""
    home = folder / "home" / "pi"
    (home / "binclock" / "bin").mkdir(parents=True)
    home.chmod(0o700)
    return home


def test_a_program_in_a_private_home_is_one_the_service_cannot_start(open_folder):
    home = private_home(open_folder)
    program = home / "binclock/bin/binclock"
    program.write_text("#!/usr/bin/python3\n")
    warning = install.closed_folder([str(program)])
    assert warning is not None
    assert warning.startswith(f"{program} is inside {home} (mode 0700)")
    assert warning.endswith(f"sudo python3 -m venv /opt/binclock) or run: sudo chmod o+x {home}")


def test_a_program_whose_python_is_in_a_private_home_is_one_the_service_cannot_start(
    open_folder,
):
    python = private_home(open_folder) / "binclock/bin/python3"
    python.touch()
    program = open_folder / "opt/bin/binclock"
    program.parent.mkdir(parents=True)
    program.write_text(f"#!{python}\n")
    warning = install.closed_folder([str(program)])
    assert warning is not None
    assert warning.startswith(f"{python} is inside ")


def test_a_program_in_folders_open_to_everyone_is_one_the_service_can_start(open_folder):
    program = open_folder / "opt/binclock/bin/binclock"
    program.parent.mkdir(parents=True)
    program.write_text("#!/usr/bin/python3\n")
    assert install.closed_folder([str(program)]) is None


def test_install_warns_when_the_service_cannot_enter_the_folder_of_its_program(
    root, open_folder, monkeypatch
):
    monkeypatch.setattr(install, "TEMPORARY", ())  # the test's folders are in /var/tmp
    program = private_home(open_folder) / "binclock/bin/binclock"
    program.write_text("#!/usr/bin/python3\n")
    (warning,) = install.install(root, start=[str(program)]).warnings
    assert warning == install.closed_folder([str(program)])
