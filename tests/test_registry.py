"""Drivers and faces are found by entry point or by module:Class."""

from __future__ import annotations

import io
import sys
import textwrap
import tomllib
from collections import Counter
from importlib.metadata import EntryPoint

import pytest

from binclock import config, machine, registry
from binclock.commandline.cli import main
from binclock.drivers.terminal import TerminalDriver
from binclock.pipeline import build_driver


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
    assert machine.importable(("json",))
    assert not machine.importable(("no_such_module_here",))


def test_spec_naming_a_missing_module_says_where_modules_are_looked_for():
    with pytest.raises(registry.BrokenPlugin, match="PYTHONPATH"):
        registry.load(registry.DRIVERS, "no_such_module:Driver")


@pytest.mark.parametrize(
    ("group", "spec"),
    [
        (registry.FACES, "os:system"),
        (registry.FACES, "os.path:join"),
        (registry.FACES, "binclock.config:load"),
        (registry.DRIVERS, "builtins:print"),
        (registry.DRIVERS, "subprocess:run"),
        (registry.DRIVERS, "builtins:exec"),
    ],
)
def test_spec_naming_a_function_is_not_a_plugin(group, spec):
    with pytest.raises(registry.BrokenPlugin, match="not a class"):
        registry.load(group, spec)


def test_spec_naming_a_class_without_the_face_methods_is_not_a_face():
    with pytest.raises(registry.BrokenPlugin, match="is not a face class: it has no render"):
        registry.load(registry.FACES, "subprocess:Popen")


def test_spec_naming_a_driver_class_is_not_a_face():
    with pytest.raises(registry.BrokenPlugin, match="not a face class"):
        registry.load(registry.FACES, "binclock.drivers.fake:FakeDriver")


def test_spec_naming_a_face_class_is_not_a_driver():
    with pytest.raises(registry.BrokenPlugin, match="not a driver class: it has no show"):
        registry.load(registry.DRIVERS, "binclock.faces.number:NumberFace")


@pytest.mark.parametrize("spec", [":", "os:", ":system"])
def test_spec_without_a_module_or_a_class_is_refused(spec):
    with pytest.raises(registry.BrokenPlugin, match="expected a name or module:Class"):
        registry.load(registry.FACES, spec)


def test_spec_whose_module_fails_while_importing_is_a_broken_plugin(tmp_path, monkeypatch):
    (tmp_path / "explodes.py").write_text("raise RuntimeError('boom')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(registry.BrokenPlugin, match=r"cannot import 'explodes'.*boom"):
        registry.load(registry.DRIVERS, "explodes:Driver")


@pytest.fixture
def plain_display(tmp_path, monkeypatch):
    """A driver module of a class with no Options (the Driver protocol alone)."""
    (tmp_path / "plain_display.py").write_text(
        "class Plain:\n"
        "    name = 'plain'\n"
        "    size = None\n"
        "    def show(self, frame): pass\n"
        "    def close(self): pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "plain_display:Plain"
    sys.modules.pop("plain_display", None)


def test_a_class_with_show_close_and_name_is_a_driver_without_subclassing(plain_display):
    assert registry.load(registry.DRIVERS, plain_display).name == "plain"


def plain_config(tmp_path, spec: str) -> str:
    path = tmp_path / "clock.toml"
    path.write_text(f'driver = "{spec}"\n[drivers."{spec}"]\nwidth = 8\n')
    return str(path)


NO_OPTIONS = "[drivers.plain_display:Plain]: the driver 'plain_display:Plain' takes no options"


def test_check_config_refuses_a_table_for_a_driver_without_options(plain_display, tmp_path, capsys):
    assert main(["check-config", plain_config(tmp_path, plain_display)]) == 78
    assert capsys.readouterr().err.strip().endswith(NO_OPTIONS)


def test_the_clock_refuses_a_table_for_a_driver_without_options_as_check_config_does(
    plain_display, tmp_path, capsys
):
    config = plain_config(tmp_path, plain_display)
    assert main(["--config", config, "--once", "--at", "13:37:42"]) == 78
    assert capsys.readouterr().err.strip().endswith(NO_OPTIONS)


def named_plain_config(tmp_path, spec: str, table: str) -> str:
    path = tmp_path / "clock.toml"
    path.write_text(f'driver = ["porch"]\n[displays.porch]\ndriver = "{spec}"\n{table}')
    return str(path)


def test_check_config_refuses_options_in_a_named_display_of_a_driver_without_options(
    plain_display, tmp_path, capsys
):
    path = named_plain_config(tmp_path, plain_display, "width = 8\n")
    assert main(["check-config", path]) == 78
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.strip().endswith(f"[displays.porch]: the driver '{plain_display}' takes no options")


def test_a_named_display_of_a_driver_without_options_needs_only_its_driver_key(
    plain_display, tmp_path, capsys
):
    assert main(["check-config", named_plain_config(tmp_path, plain_display, "")]) == 0
    assert "valid" in capsys.readouterr().out


def test_a_driver_without_options_and_no_table_is_built_without_options(plain_display):
    cfg = config.validate({"driver": plain_display})
    assert build_driver(cfg).name == "plain"


@pytest.fixture
def loads(monkeypatch):
    """How many times each plugin's entry point was loaded, by (group, name)."""
    counted: Counter[tuple[str, str]] = Counter()
    real = EntryPoint.load

    def counting(self: EntryPoint):
        counted[self.group, self.name] += 1
        return real(self)

    monkeypatch.setattr(EntryPoint, "load", counting)
    return counted


@pytest.mark.parametrize(
    "command",
    [
        ["--driver", "jsonl", "--once", "--at", "13:37:42"],
        ["check-config", "--driver", "jsonl"],
        ["doctor", "--driver", "jsonl"],
        ["test-pattern", "--driver", "jsonl", "--delay", "0"],
    ],
)
def test_a_command_loads_each_plugin_once(command, loads, monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    main(command)
    assert loads[registry.DRIVERS, "jsonl"] == 1
    assert max(loads.values()) == 1


def test_every_registered_plugin_meets_its_contract():
    for group in (registry.DRIVERS, registry.FACES):
        for name in registry.registered(group):
            registry.load(group, name)


def test_unknown_name_suggests_the_nearest_one():
    with pytest.raises(registry.UnknownPlugin, match="did you mean 'neopixel'"):
        registry.load(registry.DRIVERS, "neopixl")


def test_a_huge_name_is_cut_in_the_message():
    with pytest.raises(registry.UnknownPlugin) as caught:
        registry.load(registry.FACES, "x" * 1_000_000)
    assert len(str(caught.value)) < 300 and "…" in str(caught.value)


def driver_options(text: str, table: tuple[str, str] | None = None):
    cfg = config.validate(tomllib.loads(text))
    name = table[1] if table else "png"
    driver = cfg.displays[name]["driver"] if table else name
    return registry.configure(registry.DRIVERS, driver, cfg, None, table).options


def test_options_from_a_named_display_name_their_keys_in_its_table():
    options = driver_options('[displays.left]\ndriver = "png"\n', ("displays", "left"))
    assert options.key("png", "path") == "displays.left.path"


def test_options_from_a_driver_table_name_their_keys_in_it():
    assert (
        driver_options("[drivers.png]\nwidth = 8\nheight = 8\n").key("png", "path")
        == "drivers.png.path"
    )
