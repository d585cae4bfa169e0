"""The web page in a real headless Chromium, against a real running clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from webpage import (
    browser_missing,
    chromium,
    drawn,
    fill,
    load,
    port_of,
    request,
    running_clock,
    running_web,
    unix_get,
    wait_for,
)

pytestmark = pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing()))

SHOWS = 10.0  # seconds to wait for the clock or the page to show a change


@pytest.fixture(scope="module")
def control_socket(tmp_path_factory) -> Iterator[Path]:
    """The clock, in Oslo (so schedules may follow the sun)."""
    with running_clock(tmp_path_factory.mktemp("clock"), "--set", 'clock.city="Oslo"') as path:
        yield path


@pytest.fixture(scope="module")
def clock(control_socket) -> Path:
    return control_socket


@pytest.fixture(scope="module")
def url(web_url) -> str:
    return web_url


@pytest.fixture(scope="module")
def port(web_url) -> int:
    return port_of(web_url)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    browser = chromium(tmp_path_factory.mktemp("profile"))
    yield browser
    browser.quit()


@pytest.fixture
def page(browser, url, port):
    """The page loaded, showing frames, on a clock without run-time overrides."""
    request(port, "DELETE", "/api/state/overrides")
    request(port, "DELETE", "/api/notify")
    load(browser, url, SHOWS)
    yield browser
    request(port, "DELETE", "/api/state/overrides")
    request(port, "DELETE", "/api/notify")


def same_moment(browser, clock) -> tuple[dict, dict] | None:
    """What the page drew and the frame the clock shows, when both are of the same second."""
    page = drawn(browser)
    shown = unix_get(clock, "/api/frame")
    return (page, shown) if page["frame"]["time"] == shown["time"] else None


def test_the_leds_drawn_are_the_frame_the_clock_shows(page, clock):
    seen, shown = wait_for(lambda: same_moment(page, clock), "the same second", SHOWS)
    assert seen["frame"]["pixels"] == shown["pixels"]
    assert seen["leds"] == [fill(p) for p in shown["pixels"]]


def test_the_time_is_shown_in_digits(page):
    shown, time = page.execute_script(
        "return [document.getElementById('time').textContent, window.binclock.lastFrame.time]"
    )
    assert shown == time.split("T")[1][:8]


def lit(frame: dict) -> int:
    return sum(map(sum, frame["pixels"]))


def test_moving_the_brightness_slider_dims_the_clock(page, clock):
    from selenium.webdriver.common.keys import Keys

    before = lit(unix_get(clock, "/api/frame"))
    page.find_element("id", "brightness").send_keys(Keys.HOME)
    wait_for(lambda: unix_get(clock, "/api/state")["brightness"] == 0, "brightness 0", SHOWS)
    assert before > 0
    wait_for(lambda: lit(unix_get(clock, "/api/frame")) == 0, "a dark frame", SHOWS)


def test_choosing_a_face_switches_the_clock_and_the_leds_drawn(page, clock):
    from selenium.webdriver.support.ui import Select

    Select(page.find_element("id", "face")).select_by_value("bcd")
    wait_for(lambda: unix_get(clock, "/api/state")["face"] == "bcd", "the bcd face", SHOWS)
    bcd = (6, 4)  # six digit columns of four bits
    wait_for(lambda: size(unix_get(clock, "/api/frame")) == bcd, "the bcd frame", SHOWS)
    wait_for(lambda: size(drawn(page)["frame"]) == bcd, "the page to get it", SHOWS)
    assert len(drawn(page)["leds"]) == 6 * 4


def size(frame: dict) -> tuple[int, int]:
    return frame["width"], frame["height"]


def test_sending_a_notification_shows_it_on_the_clock(page, clock):
    number = page.find_element("id", "notify-number")
    number.clear()
    number.send_keys("7")
    page.find_element("css selector", "#notify button[type=submit]").click()
    notify = wait_for(lambda: unix_get(clock, "/api/state")["notify"], "the notification", SHOWS)
    assert "7" in str(notify)
    result = page.find_element("id", "notify-result")
    wait_for(lambda: result.text in ("Showing now.", "Queued."), "the page to say so", SHOWS)


def test_a_change_made_elsewhere_shows_on_the_page(page, port):
    request(port, "PATCH", "/api/state", {"power": "off"})
    power = page.find_element("id", "power")
    wait_for(lambda: power.text == "Off", "the page to show the clock off", SHOWS)
    assert power.get_attribute("aria-pressed") == "false"


def test_the_page_asks_for_the_token_once_and_keeps_it(clock, browser, tmp_path):
    with running_web(tmp_path, clock, "--set", "web.require_token=true") as url:
        token = (tmp_path / "state" / "binclock" / "web-token").read_text().strip()
        browser.get(url)
        dialog = browser.find_element("id", "token-dialog")
        wait_for(dialog.is_displayed, "the page to ask for the token", SHOWS)
        browser.find_element("id", "token").send_keys(token + "\n")
        wait_for(lambda: drawn(browser)["frame"], "the page to draw a frame", SHOWS)
        browser.refresh()
        wait_for(lambda: drawn(browser)["frame"], "a frame after reloading", SHOWS)
        assert not browser.find_element("id", "token-dialog").is_displayed()


def save_schedule_at_brightness(page, port, entry: dict, brightness: str) -> dict:
    """``entry`` as the clock's schedule, shown on the page, saved from the page with another
    brightness; the schedule's entry the clock then has."""
    request(port, "PATCH", "/api/state", {"schedule": [entry]})
    level = wait_for(
        lambda: page.find_elements("css selector", '#schedule [data-key="brightness"]'),
        "the page to show the range",
        SHOWS,
    )[0]
    level.clear()
    level.send_keys(brightness)
    page.find_element("id", "schedule-save").click()
    saved = wait_for(
        lambda: [
            e
            for e in request(port, "GET", "/api/state").json()["schedule"]
            if e["brightness"] == float(brightness)
        ],
        "the clock to take the saved schedule",
        SHOWS,
    )
    return saved[0]


def test_saving_the_schedule_keeps_its_weekdays(page, port):
    entry = {"from": "22:00", "to": "07:00", "brightness": 0.2, "days": "mon-fri"}
    assert save_schedule_at_brightness(page, port, entry, "0.4")["days"] == "mon-fri"


def test_saving_the_schedule_keeps_its_sun_times(page, port):
    entry = {"from": "sunset-30m", "to": "sunrise", "brightness": 0.2}
    saved = save_schedule_at_brightness(page, port, entry, "0.4")
    assert (saved["from"], saved["to"]) == ("sunset-30m", "sunrise")
