"""Configuration: defaults, search order, overrides, and one-line errors."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from binclock import config
from binclock.config import Config, ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def error_for(tmp_path: Path, text: str, overrides: tuple[str, ...] = ()) -> str:
    with pytest.raises(ConfigError) as caught:
        config.load(write(tmp_path, text), overrides, environ={})
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_defaults_need_no_file(tmp_path):
    cfg, _source = config.load(None, environ={"HOME": str(tmp_path)})
    assert cfg == Config()
    assert cfg.face == "binary" and cfg.driver == "terminal"
    assert cfg.display.brightness == 1.0


def test_values_come_from_the_file(tmp_path):
    cfg, source = config.load(
        write(tmp_path, '[clock]\ntimezone = "Europe/London"\nhour12 = true\n'), environ={}
    )
    assert source == tmp_path / "config.toml"
    assert cfg.clock.timezone == "Europe/London" and cfg.clock.hour12


def test_colours_can_be_lists_or_hex(tmp_path):
    cfg, _ = config.load(
        write(tmp_path, '[theme.on]\nhours = "#ff8000"\nminutes = [1, 2, 3]\n'), environ={}
    )
    assert cfg.theme.on["hours"] == (255, 128, 0)
    assert cfg.theme.on["minutes"] == (1, 2, 3)


def test_unknown_key_names_file_and_key(tmp_path):
    message = error_for(tmp_path, "[display]\nbrightnes = 0.5\n")
    assert message.startswith(f"{tmp_path / 'config.toml'}: display.brightnes: unknown key")


def test_a_long_unknown_key_is_cut_like_a_value(tmp_path):
    message = error_for(tmp_path, f"[display]\n{'k' * 500} = 1\n")
    assert f"display.{'k' * (config.SHOWN_CHARS - 1)}…: unknown key" in message


def test_wrong_type_names_file_key_and_value(tmp_path):
    message = error_for(tmp_path, '[display]\nbrightness = "dim"\n')
    assert message.startswith(f"{tmp_path / 'config.toml'}: display.brightness = 'dim': ")


def test_out_of_range_value_says_the_limit(tmp_path):
    message = error_for(tmp_path, "[display]\nbrightness = 1.5\n")
    assert "display.brightness = 1.5: Input should be less than or equal to 1" in message


def test_bad_timezone_is_named(tmp_path):
    message = error_for(tmp_path, '[clock]\ntimezone = "Mars/Olympus"\n')
    assert "clock.timezone = 'Mars/Olympus': unknown time zone" in message


@pytest.mark.parametrize(
    ("value", "shown"),
    [('"purple"', "'purple'"), ("[1, 2]", "[1, 2]"), ("[0, 0, 256]", "256")],
)
def test_bad_colour_is_named(tmp_path, value, shown):
    message = error_for(tmp_path, f"[theme.on]\nhours = {value}\n")
    assert "theme.on.hours" in message and shown in message


def test_bad_rotation_is_named(tmp_path):
    assert "display.rotation = 45" in error_for(tmp_path, "[display]\nrotation = 45\n")


def test_invalid_toml_names_the_file_and_position(tmp_path):
    message = error_for(tmp_path, "[display\n")
    assert message.startswith(f"{tmp_path / 'config.toml'}: not valid TOML: ")
    assert "line 1" in message


def test_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        config.load(tmp_path / "absent.toml", environ={})


def test_set_overrides_the_file(tmp_path):
    path = write(tmp_path, "[display]\nbrightness = 0.5\n")
    cfg, _ = config.load(path, ["display.brightness=0.25", "clock.seconds=false"], environ={})
    assert cfg.display.brightness == 0.25 and cfg.clock.seconds is False


def test_set_takes_plain_words_as_strings(tmp_path):
    cfg, _ = config.load(None, ["face=bcd", "drivers.jsonl.width=8"], environ={"HOME": "/nowhere"})
    assert cfg.face == "bcd"
    assert cfg.drivers["jsonl"] == {"width": 8}


def test_bad_set_value_is_blamed_on_set(tmp_path):
    message = error_for(tmp_path, "", ("display.brightness=2",))
    assert message.startswith("--set: display.brightness = 2")


def test_set_without_equals_is_an_error():
    with pytest.raises(ConfigError, match=r"expected section\.key=value"):
        config.load(None, ["display.brightness"], environ={"HOME": "/nowhere"})


def test_environment_variable_is_used_without_config_option(tmp_path):
    path = write(tmp_path, 'face = "bcd"\n')
    cfg, source = config.load(None, environ={"BINCLOCK_CONFIG": str(path)})
    assert source == path and cfg.face == "bcd"


def test_config_option_wins_over_environment_variable(tmp_path):
    explicit = write(tmp_path, 'face = "bcd"\n')
    assert config.search_path(explicit, {"BINCLOCK_CONFIG": "/elsewhere.toml"}) == explicit


def test_user_file_is_found_in_the_home_directory(tmp_path):
    user = tmp_path / ".config/binclock/config.toml"
    user.parent.mkdir(parents=True)
    user.write_text("")
    assert config.search_path(None, {"HOME": str(tmp_path)}) == user


def test_user_file_follows_xdg_config_home(tmp_path):
    user = tmp_path / "xdg/binclock/config.toml"
    user.parent.mkdir(parents=True)
    user.write_text("")
    assert (
        config.search_path(None, {"HOME": "/nowhere", "XDG_CONFIG_HOME": str(tmp_path / "xdg")})
        == user
    )


def test_effective_config_prints_as_toml_that_loads_back(tmp_path):
    cfg, _ = config.load(
        write(tmp_path, '[theme.on]\nhours = "#010203"\n[drivers.jsonl]\nwidth = 4\nheight = 4\n'),
        environ={},
    )
    assert Config.model_validate(tomllib.loads(config.to_toml(cfg))) == cfg


# -- what a configuration file may be --------------------------------------------------------


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match=r"config\.toml: not a regular file \(a FIFO\)"):
        config.load(fifo, environ={})


@pytest.mark.parametrize(("path", "kind"), [("/dev/zero", "character device"), ("/", "directory")])
def test_a_device_or_directory_is_refused(path, kind):
    with pytest.raises(ConfigError, match=f"{path}: not a regular file \\(a {kind}\\)"):
        config.load(Path(path), environ={})


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    path = write(tmp_path, "# " + "x" * config.MAX_BYTES + "\n")
    with pytest.raises(ConfigError, match="too big for a configuration"):
        config.load(path, environ={})


def test_arrays_nested_too_deeply_are_a_config_error(tmp_path):
    message = error_for(tmp_path, "a = " + "[" * 50_000)
    assert message == f"{tmp_path / 'config.toml'}: not valid TOML: nested too deeply"


def test_an_integer_too_long_to_convert_is_a_config_error(tmp_path):
    message = error_for(tmp_path, "[display]\nbrightness = " + "9" * 5000 + "\n")
    assert "not valid TOML: Exceeds the limit" in message and len(message) < 300


def test_a_set_integer_too_long_to_convert_is_a_config_error(tmp_path):
    message = error_for(tmp_path, "", ("display.brightness=" + "9" * 5000,))
    assert message.startswith("--set 'display.brightness=999") and len(message) < 300


def test_a_huge_hex_number_is_named_by_its_size_not_its_digits(tmp_path):
    message = error_for(tmp_path, "[display]\nbrightness = 0x" + "f" * 5000 + "\n")
    assert "display.brightness = a 20000-bit number: " in message


def test_long_values_are_cut_in_messages(tmp_path):
    message = error_for(tmp_path, f'[clock]\ntimezone = "{"x" * 500_000}"\n')
    assert f"clock.timezone = '{'x' * (config.SHOWN_CHARS - 2)}…': unknown time zone" in message


def test_an_unlooked_at_candidate_that_is_not_there_is_skipped(tmp_path, monkeypatch):
    """With an unreadable $HOME the user's file cannot be looked at: it is not blamed."""
    real_stat = Path.stat

    def stat(self, *args, **kwargs):
        if str(self).startswith(str(tmp_path)):
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    monkeypatch.setattr(config, "SYSTEM_CONFIG", tmp_path / "etc/config.toml")
    assert config.search_path(None, {"HOME": str(tmp_path)}) is None


def test_a_searched_for_fifo_is_found_and_then_refused(tmp_path):
    user = tmp_path / ".config/binclock/config.toml"
    user.parent.mkdir(parents=True)
    os.mkfifo(user)
    with pytest.raises(ConfigError, match="not a regular file"):
        config.load(None, environ={"HOME": str(tmp_path)})


# -- every problem, with suggestions ---------------------------------------------------------


def test_every_problem_is_reported_a_line_each(tmp_path):
    with pytest.raises(ConfigError) as caught:
        config.load(
            write(tmp_path, "[display]\nbrightness = 2\nrotation = 45\n[clock]\nhour_12 = true\n"),
            environ={},
        )
    assert len(caught.value.problems) == 3
    assert not any("more problem" in p for p in caught.value.problems)


def test_a_misspelt_key_gets_the_nearest_name(tmp_path):
    message = error_for(tmp_path, "[clock]\nhour_12 = true\n")
    assert message.endswith("clock.hour_12: unknown key (did you mean 'hour12'?)")


def test_a_misspelt_key_in_an_array_of_tables_gets_the_nearest_name(tmp_path):
    message = error_for(tmp_path, '[[schedule]]\nfrom = "22:00"\nto = "07:00"\nbrightnes = 0.1\n')
    assert "did you mean 'brightness'?" in message


def test_a_wrong_set_value_in_a_driver_table_is_blamed_on_set():
    cfg, source = config.load(None, ["drivers.jsonl.width=0"], environ={"HOME": "/nowhere"})
    from binclock.drivers.jsonl import JsonlOptions

    with pytest.raises(ConfigError, match=r"^--set: drivers\.jsonl\.width = 0: "):
        config.plugin_options(cfg, "drivers", "jsonl", JsonlOptions, source)


def test_the_effective_theme_spells_out_every_built_in_group(tmp_path):
    cfg, _ = config.load(write(tmp_path, "[theme.on]\nhours = [1, 2, 3]\n"), environ={})
    assert set(cfg.theme.on) == {"hours", "minutes", "seconds", "default"}
    assert cfg.theme.on["hours"] == (1, 2, 3)


def test_a_theme_default_applies_to_the_groups_not_given(tmp_path):
    cfg, _ = config.load(write(tmp_path, '[theme.on]\ndefault = "#0000ff"\n'), environ={})
    assert cfg.theme.on["minutes"] == (0, 0, 255)


@pytest.mark.parametrize("text", ['a"b', "back\\slash", "new\nline", "del\x7f", "tab\there"])
def test_strings_are_written_as_toml_that_reads_back(text):
    assert tomllib.loads(f"v = {config.toml_value(text)}")["v"] == text
