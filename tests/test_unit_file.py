"""What the shipped unit sets, read as systemd reads it (each setting may appear many times).

tests/systemd/ proves the same settings at work under a real systemd.
"""

from __future__ import annotations

from pathlib import Path

UNIT = Path(__file__).parent.parent / "systemd" / "binclock.service"


def settings(section: str) -> dict[str, list[str]]:
    """Every value given to each key of ``section``, in order."""
    found: dict[str, list[str]] = {}
    current = None
    for line in UNIT.read_text().splitlines():
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
