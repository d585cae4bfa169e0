"""Where the clock listens on its control socket, and where its clients look for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from binclock import config, control


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The systemd service's socket, moved into ``tmp_path``."""
    path = tmp_path / "service" / "control.sock"
    monkeypatch.setattr(control, "SERVICE_SOCKET", path)
    return path


def settings(socket: str | None = None) -> config.Config:
    return config.validate({} if socket is None else {"control": {"socket": socket}})


def user_runtime(tmp_path: Path) -> dict[str, str]:
    return {"XDG_RUNTIME_DIR": str(tmp_path / "user")}


def test_a_client_without_a_clock_of_its_own_finds_the_service_s_socket(tmp_path, service):
    # sudo binclock ctl on a Pi: root's runtime folder has no clock in it.
    assert control.find_socket(settings(), user_runtime(tmp_path)) == service


def test_a_client_finds_the_clock_its_own_user_runs(tmp_path, service):
    own = tmp_path / "user" / "binclock" / "control.sock"
    own.parent.mkdir(parents=True)
    own.touch()
    assert control.find_socket(settings(), user_runtime(tmp_path)) == own


def test_a_client_in_a_unit_uses_its_runtime_directory(tmp_path, service):
    environ = {**user_runtime(tmp_path), "RUNTIME_DIRECTORY": "/run/binclock"}
    assert control.find_socket(settings(), environ) == Path("/run/binclock/control.sock")


def test_the_configured_socket_wins_for_a_client(tmp_path, service):
    environ = {**user_runtime(tmp_path), "RUNTIME_DIRECTORY": "/run/binclock"}
    assert control.find_socket(settings("/srv/clock.sock"), environ) == Path("/srv/clock.sock")


def test_a_client_of_a_configuration_with_the_api_off_finds_none(tmp_path, service):
    assert control.find_socket(settings(""), user_runtime(tmp_path)) is None


def test_the_clock_outside_systemd_listens_in_its_user_s_runtime_folder(tmp_path, service):
    expected = tmp_path / "user" / "binclock" / "control.sock"
    assert control.socket_path(settings(), user_runtime(tmp_path)) == expected
