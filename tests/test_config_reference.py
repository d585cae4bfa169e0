"""docs/configuration.md is generated from the pydantic models and kept current."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from binclock import registry
from conftest import load_script

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "config_reference.py"
REFERENCE = ROOT / "docs" / "configuration.md"


@pytest.fixture(scope="module")
def ref():
    return load_script(SCRIPT)


class Inner(BaseModel):
    """Angles of one thing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    angle: float = Field(0.0, ge=0, le=180, description="where it points")


class Sample(BaseModel):
    """A model with one of everything."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["auto", "on"] = Field("auto", description="how | when")
    count: int = Field(3, gt=0, description="how many")
    colour: tuple[int, int, int] = Field((1, 2, 3), description="a colour")
    pins: tuple[tuple[int | None, ...], ...] = Field(((None, 4),), description="pins")
    names: dict[str, int] = Field(default_factory=lambda: {"a": 1}, description="names")
    start: str = Field(alias="from", description="required start")
    inner: Inner = Field(default_factory=Inner)
    many: tuple[Inner, ...] = Field((), description="a list of them")
    each: dict[str, Inner] = Field(default_factory=dict, description="one per name")


def rows(ref, model=Sample):
    return {row[0]: row for row in ref.tables(model, ("x",), "[x]", "")[0].rows}


def test_checked_in_reference_is_current(ref):
    assert REFERENCE.read_text(encoding="utf-8") == ref.generate(), (
        "docs/configuration.md is out of date: run python scripts/config_reference.py"
    )


def test_check_passes_when_the_file_is_current(ref, tmp_path):
    output = tmp_path / "configuration.md"
    output.write_text(ref.generate(), encoding="utf-8")
    assert ref.main(["--check", "--output", str(output)]) == 0


def test_check_fails_with_one_line_when_the_file_is_stale(ref, tmp_path, capsys):
    output = tmp_path / "configuration.md"
    output.write_text(ref.generate().replace("brightness", "brightnes"), encoding="utf-8")
    assert ref.main(["--check", "--output", str(output)]) == 1
    err = capsys.readouterr().err
    assert err == f"{output}: is out of date; run: python scripts/config_reference.py\n"


def test_check_fails_when_the_file_is_missing(ref, tmp_path, capsys):
    assert ref.main(["--check", "--output", str(tmp_path / "none.md")]) == 1
    assert "is missing" in capsys.readouterr().err


def test_writing_creates_the_file(ref, tmp_path):
    output = tmp_path / "docs" / "configuration.md"
    assert ref.main(["--output", str(output)]) == 0
    assert output.read_text(encoding="utf-8") == ref.generate()


def test_every_config_section_has_a_table(ref):
    text = ref.generate()
    for heading in ("### Top level", "### `[clock]`", "### `[display]`", "### `[theme]`"):
        assert heading in text


def test_every_builtin_driver_and_face_with_options_has_a_table(ref):
    text = ref.generate()
    for name, ep in registry.registered(registry.DRIVERS).items():
        if ep.dist is not None and ep.dist.name == "binclock":
            assert f"### `[drivers.{name}]`" in text


def test_faces_without_options_are_listed_together(ref):
    assert "Faces without options: `bcd`, `binary`, `stopwatch`." in ref.generate()


def test_enum_lists_the_allowed_values(ref):
    assert rows(ref)["`mode`"][1:4] == ("string", '`"auto"`', '`"auto"`, `"on"`')


def test_range_comes_from_the_constraints(ref):
    assert rows(ref)["`count`"][1:4] == ("integer", "`3`", "> 0")


def test_fixed_arrays_say_their_length_and_item_range(ref):
    assert rows(ref)["`colour`"][1:3] == ("array of 3 integers", "`[1, 2, 3]`")


def test_unset_items_inside_an_array_defer_to_the_description(ref):
    assert rows(ref)["`pins`"][2] == "see description"


def test_default_factories_are_called(ref):
    assert rows(ref)["`names`"][1:3] == ("table of integers", "`{ a = 1 }`")


def test_keys_use_their_toml_alias_and_required_keys_say_so(ref):
    assert rows(ref)["`from`"][2] == "required"


def test_description_is_the_fields_own(ref):
    assert rows(ref)["`count`"][4] == "how many"


def test_nested_models_become_tables_arrays_of_tables_and_named_tables(ref):
    found = ref.tables(Sample, ("x",), "[x]", "")
    assert [t.header for t in found] == ["[x]", "[x.inner]", "[[x.many]]", "[x.each.NAME]"]
    assert found[3].doc == "One per name. Angles of one thing."
    assert found[1].rows == [("`angle`", "float", "`0.0`", "0 to 180", "where it points")]


def test_pipes_in_cells_are_escaped(ref):
    table = ref.tables(Sample, ("x",), "[x]", "")[0]
    assert "how \\| when" in "\n".join(ref.render_table(table))


def test_plugins_of_other_packages_are_left_out_unless_asked(ref, monkeypatch):
    real = registry.registered

    def with_plugin(group):
        found = dict(real(group))
        if group == registry.DRIVERS:
            found["zz_plugin"] = EntryPoint("zz_plugin", "binclock.drivers.fake:FakeDriver", group)
        return found

    monkeypatch.setattr(registry, "registered", with_plugin)
    assert "[drivers.zz_plugin]" not in ref.generate()
    assert "### `[drivers.zz_plugin]`" in ref.generate(everything=True)
