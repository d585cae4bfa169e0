"""Who may use the web page: listen addresses, Host names and the token file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from binclock import config
from binclock.web import access, command


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1:8780", ("127.0.0.1", 8780)),
        ("[::1]:8780", ("::1", 8780)),
        ("0.0.0.0:80", ("0.0.0.0", 80)),
        ("clock.local:8780", ("clock.local", 8780)),
    ],
)
def test_a_listen_address_is_a_host_and_a_port(text, expected):
    assert access.parse_listen(text) == expected


@pytest.mark.parametrize("text", ["8780", "127.0.0.1", ":8780", "::1:8780", "host:0", "host:x"])
def test_a_listen_address_without_host_and_port_is_refused(text):
    with pytest.raises(ValueError):
        access.parse_listen(text)


def test_a_bad_listen_address_in_the_configuration_names_the_key():
    with pytest.raises(config.ConfigError, match=r"web\.listen = '8780'"):
        config.validate({"web": {"listen": "8780"}})


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost", "LOCALHOST"])
def test_loopback_addresses_are_loopback(host):
    assert access.is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "clock.local"])
def test_other_addresses_and_names_are_not_loopback(host):
    assert not access.is_loopback(host)


@pytest.mark.parametrize(
    ("header", "name"),
    [("127.0.0.1:8780", "127.0.0.1"), ("[::1]:8780", "::1"), ("Clock.Local", "clock.local")],
)
def test_the_host_header_is_read_without_its_port(header, name):
    assert access.host_of(header) == name


def test_the_page_answers_to_loopback_names_the_listen_address_and_the_configured_ones():
    names = access.host_names("192.168.1.20", ["Clock.Local"])
    assert {"localhost", "127.0.0.1", "::1", "192.168.1.20", "clock.local"} == names


def test_a_wildcard_listen_address_is_no_host_name():
    assert "0.0.0.0" not in access.host_names("0.0.0.0")


def test_the_token_lives_in_systemds_state_directory():
    path = access.token_path(None, {"STATE_DIRECTORY": "/var/lib/binclock", "HOME": "/h"})
    assert path == Path("/var/lib/binclock/web-token")


def test_the_token_lives_in_the_users_state_folder_otherwise():
    assert access.token_path(None, {"HOME": "/h"}) == Path("/h/.local/state/binclock/web-token")
    assert access.token_path(None, {"XDG_STATE_HOME": "/s"}) == Path("/s/binclock/web-token")


def test_a_configured_token_file_wins():
    assert access.token_path(Path("/etc/t"), {"STATE_DIRECTORY": "/x"}) == Path("/etc/t")


def test_the_token_is_made_once_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "state" / "web-token"
    token = access.ensure_token(path)
    assert len(token) >= 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert access.ensure_token(path) == token


def test_an_empty_token_file_is_a_configuration_error(tmp_path):
    path = tmp_path / "web-token"
    path.write_text("\n")
    with pytest.raises(config.ConfigError, match="web-token: cannot keep the web token: the file"):
        command.token(path)


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        ("Bearer s3cret", True),
        ("bearer s3cret", True),
        ("Bearer wrong", False),
        ("Basic s3cret", False),
        ("s3cret", False),
        (None, False),
    ],
)
def test_only_the_bearer_token_matches(header, ok):
    assert access.token_matches(header, "s3cret") is ok


def plan(tmp_path, listen, **web):
    cfg = config.validate({"web": {"token_file": str(tmp_path / "web-token"), **web}})
    host, _ = command.listen_address(listen)
    return command.plan(cfg, host, tmp_path / "control.sock", tmp_path / "web-token")


def test_listening_beyond_loopback_requires_the_token(tmp_path):
    settings = plan(tmp_path, "0.0.0.0:8780")
    assert settings.token == (tmp_path / "web-token").read_text().strip()


def test_loopback_needs_no_token(tmp_path):
    assert plan(tmp_path, "127.0.0.1:8780").token is None
    assert not (tmp_path / "web-token").exists()


def test_loopback_can_require_the_token_too(tmp_path):
    assert plan(tmp_path, "127.0.0.1:8780", require_token=True).token is not None
