"""docs/api.md is generated from the control API's models, and the clock answers as they say."""

from __future__ import annotations

from pathlib import Path

from test_control_service import make

from binclock.control.api import FrameView, StateView
from binclock.control.state import Change
from conftest import load_script

ROOT = Path(__file__).resolve().parent.parent


def test_checked_in_api_reference_is_current():
    script = load_script(ROOT / "scripts" / "api_reference.py")
    assert (ROOT / "docs" / "api.md").read_text(encoding="utf-8") == script.generate(), (
        "docs/api.md is out of date: run python scripts/api_reference.py"
    )


def test_the_state_the_clock_shows_is_a_state_view(tmp_path):
    service = make(tmp_path, '[[schedule]]\nfrom = "22:00"\nto = "07:00"\nbrightness = 0.2\n')
    service.run(frames=1)
    service.apply(Change({"theme": {"on": {"hours": "#ff0000"}}}))
    view = StateView.model_validate(service.view())
    assert view.theme["on"]["hours"] == "#ff0000"
    assert view.schedule_now is not None


def test_the_frame_the_clock_shows_is_a_frame_view(tmp_path):
    service = make(tmp_path)
    service.run(frames=1)
    assert FrameView.model_validate(service.frame_view()).width == 3
