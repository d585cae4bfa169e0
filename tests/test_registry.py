"""Drivers and faces are found by entry point or by module:Class."""

from __future__ import annotations

import sys
import textwrap

import pytest

from binclock import registry
from binclock.drivers.terminal import TerminalDriver


@pytest.fixture
def plugin_on_path(tmp_path, monkeypatch):
    """An installed third-party distribution that registers a driver by entry point."""
    (tmp_path / "toy_display.py").write_text(
        textwrap.dedent(
            """
            from binclock.drivers.fake import FakeDriver

            class ToyDriver(FakeDriver):
                name = "toy"
                description = "a toy display from another package"
            """
        )
    )
    dist = tmp_path / "toy_display-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-display\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[binclock.drivers]\ntoy = toy_display:ToyDriver\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop("toy_display", None)


def test_built_in_drivers_are_registered_as_entry_points():
    assert {"terminal", "jsonl", "fake"} <= set(registry.registered(registry.DRIVERS))


def test_built_in_faces_are_registered_as_entry_points():
    assert {"binary", "bcd"} <= set(registry.registered(registry.FACES))


def test_entry_point_driver_from_another_package_is_found(plugin_on_path):
    cls = registry.load(registry.DRIVERS, "toy")
    assert cls.__name__ == "ToyDriver" and cls.description.startswith("a toy")


def test_module_class_spec_is_loaded(plugin_on_path):
    assert registry.load(registry.DRIVERS, "toy_display:ToyDriver").name == "toy"


def test_entry_point_loads_the_built_in_class():
    assert registry.load(registry.DRIVERS, "terminal") is TerminalDriver


def test_unknown_name_lists_what_is_available():
    with pytest.raises(registry.UnknownPlugin, match=r"unknown driver 'qqq' \(available: .*jsonl"):
        registry.load(registry.DRIVERS, "qqq")


def test_spec_naming_a_missing_module_is_a_broken_plugin():
    with pytest.raises(registry.BrokenPlugin, match="cannot import 'no_such_module'"):
        registry.load(registry.DRIVERS, "no_such_module:Driver")


def test_spec_naming_a_missing_class_is_a_broken_plugin():
    with pytest.raises(registry.BrokenPlugin, match="has no 'Nope'"):
        registry.load(registry.DRIVERS, "binclock.drivers.fake:Nope")


def test_importable_checks_without_importing():
    assert registry.importable(("json",))
    assert not registry.importable(("no_such_module_here",))


def test_spec_naming_a_missing_module_says_where_modules_are_looked_for():
    with pytest.raises(registry.BrokenPlugin, match="PYTHONPATH"):
        registry.load(registry.DRIVERS, "no_such_module:Driver")
