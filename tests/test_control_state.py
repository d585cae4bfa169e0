"""The run-time state: overrides layered over the configuration, provenance, the state file."""

from __future__ import annotations

import json
import logging
import tomllib

import pytest

from binclock import config
from binclock.config import ConfigError
from binclock.control.api import BadName, StatePatch, change_of
from binclock.control.state import Change, RunState, StateFile, layered, merge, sources


def base(text: str = "") -> config.Config:
    return config.validate(tomllib.loads(text))


def test_merge_replaces_values_and_merges_tables():
    assert merge({"a": {"b": 1, "c": 2}}, {"a": {"b": 3}, "d": 4}) == {
        "a": {"b": 3, "c": 2},
        "d": 4,
    }


def test_merge_removes_a_key_given_null_and_drops_emptied_tables():
    assert merge(
        {"display": {"brightness": 0.3}, "face": "bcd"}, {"display": {"brightness": None}}
    ) == {"face": "bcd"}


def test_overrides_are_layered_over_the_file():
    effective = layered(base("[display]\nrotation = 90\n"), {"display": {"brightness": 0.3}})
    assert (effective.display.brightness, effective.display.rotation) == (0.3, 90)


def test_the_whole_default_configuration_survives_layering():
    config_ = base('[[schedule]]\nfrom = "22:00"\nto = "07:00"\nbrightness = 0.2\n')
    assert layered(config_, {"face": "bcd"}).model_copy(update={"face": "binary"}) == config_


def test_an_override_is_validated_by_the_configuration_models_and_named():
    with pytest.raises(ConfigError, match=r"run-time override: display.brightness = 2"):
        layered(base(), {"display": {"brightness": 2}})


def test_an_unknown_key_in_an_override_is_refused():
    with pytest.raises(ConfigError, match="unknown key"):
        layered(base(), {"display": {"brightnes": 0.3}})


def test_sources_tell_runtime_config_and_default_apart():
    state = RunState(power=False, overrides={"display": {"brightness": 0.3}})
    found = sources(base('face = "bcd"\n'), state, "bcd")
    assert found["brightness"] == "runtime"
    assert found["face"] == "config"
    assert found["driver"] == "default"
    assert found["power"] == "runtime"


def test_change_after_merges_the_overrides_and_keeps_the_power():
    state = RunState(False, {"face": "bcd"})
    after = Change({"display": {"brightness": 0.5}}).after(state)
    assert after == RunState(False, {"face": "bcd", "display": {"brightness": 0.5}})


def test_reset_clears_every_override():
    assert Change(reset=True).after(RunState(True, {"face": "bcd"})).overrides == {}


def test_reset_turns_the_power_on_as_the_configuration_has_it():
    assert Change(reset=True).after(RunState(False, {"face": "bcd"})) == RunState(True, {})


def test_patch_becomes_a_configuration_shaped_change():
    patch = StatePatch.model_validate(
        {"brightness": 0.3, "theme": {"on": {"hours": "#ff0000"}}, "power": "off"}
    )
    change = change_of(patch, "binary")
    assert change.overrides == {
        "display": {"brightness": 0.3},
        "theme": {"on": {"hours": "#ff0000"}},
    }
    assert change.power is False


def test_face_options_are_those_of_the_face_in_force():
    patch = StatePatch.model_validate({"face_options": {"target": "12:00"}})
    assert change_of(patch, "countdown").overrides == {"faces": {"countdown": {"target": "12:00"}}}


def test_null_removes_an_override():
    patch = StatePatch.model_validate({"brightness": None})
    assert change_of(patch, "binary").overrides == {"display": {"brightness": None}}


@pytest.mark.parametrize("key", ["face", "driver"])
def test_a_module_class_spec_is_refused_over_the_api(key):
    with pytest.raises(BadName, match="not an installed"):
        change_of(StatePatch.model_validate({key: "os:system"}), "binary")


def test_a_registered_face_is_accepted():
    assert change_of(StatePatch.model_validate({"face": "bcd"}), "binary").overrides == {
        "face": "bcd"
    }


def test_state_file_round_trips(tmp_path):
    state_file = StateFile(tmp_path / "sub" / "state.json")
    state_file.save(RunState(False, {"face": "bcd"}))
    assert state_file.load() == RunState(False, {"face": "bcd"})


def test_state_file_leaves_no_temporary_file_behind(tmp_path):
    StateFile(tmp_path / "state.json").save(RunState())
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_a_missing_state_file_is_no_state_and_says_nothing(tmp_path, caplog):
    assert StateFile(tmp_path / "state.json").load() is None
    assert caplog.records == []


@pytest.mark.parametrize("text", ["{not json", '["a list"]', '{"power": "dim"}', "\xff"])
def test_a_corrupt_state_file_is_one_line_and_ignored(tmp_path, caplog, text):
    path = tmp_path / "state.json"
    path.write_bytes(text.encode("latin-1"))
    with caplog.at_level(logging.WARNING):
        assert StateFile(path).load() is None
    assert len(caplog.records) == 1 and "\n" not in caplog.records[0].getMessage()
    assert str(path) in caplog.records[0].getMessage()


def test_the_state_file_is_json_a_person_can_read(tmp_path):
    StateFile(tmp_path / "state.json").save(RunState(True, {"face": "bcd"}))
    assert json.loads((tmp_path / "state.json").read_text()) == {
        "power": "on",
        "overrides": {"face": "bcd"},
    }
