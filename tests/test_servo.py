"""The servo (flip-disc) driver on gpiozero's mock PWM pins, with time moved by hand."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import gpiozero
import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from binclock import config, exitcodes
from binclock.clock import ManualClock
from binclock.commandline import cli
from binclock.daemon.transition import can_animate
from binclock.drivers.servo import FlipPlan, ServoDriver, ServoOptions
from binclock.frame import Frame
from binclock.testing import DriverContract

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
ROW = [[17, 27, 22, 23]]  # four discs side by side


def duty(angle: float, options: ServoOptions) -> float:
    """The duty cycle gpiozero should put on the pin for ``angle``."""
    span = (angle - options.min_angle) / (options.max_angle - options.min_angle)
    pulse = options.min_pulse_ms + span * (options.max_pulse_ms - options.min_pulse_ms)
    return pulse / options.frame_ms


def row(*lit: bool) -> Frame:
    return Frame(len(lit), 1, tuple(WHITE if on else BLACK for on in lit))


def attached(factory: MockFactory, driver: ServoDriver) -> set[int]:
    """Pins sending servo pulses now (a detached servo's pin has no PWM frequency)."""
    return {d.pin for d in driver.discs if factory.pin(d.pin).frequency is not None}


def pulses(factory: MockFactory, pin: int) -> list[float]:
    """Every duty cycle the pin was given, detaches (0) left out."""
    return [s.state for s in factory.pin(pin).states if s.state]


def angle_shown(factory: MockFactory, driver: ServoDriver, pin: int) -> str | None:
    """The side showing, "on" or "off", by the last pulse sent; None if never moved."""
    sent = pulses(factory, pin)
    if not sent:
        return None
    disc = next(d for d in driver.discs if d.pin == pin)
    opts = driver.options
    on, off = duty(disc.on, opts), duty(disc.off, opts)
    return "on" if abs(sent[-1] - on) < abs(sent[-1] - off) else "off"


@pytest.fixture
def factory() -> MockFactory:
    return MockFactory(pin_class=MockPWMPin)


@pytest.fixture
def timer() -> ManualClock:
    return ManualClock(1000.0)


@pytest.fixture
def build(factory, timer) -> Iterator:
    """Build a driver on the mock pins with time moved by the test; closed afterwards."""
    built: list[ServoDriver] = []

    def make(**fields) -> ServoDriver:
        fields.setdefault("grid", ROW)
        driver = ServoDriver(
            ServoOptions(**fields), pin_factory=factory, timer=timer, background=False
        )
        built.append(driver)
        return driver

    yield make
    for driver in built:
        driver.close()


class TestServoContract(DriverContract):
    @pytest.fixture
    def driver(self):
        self.factory = MockFactory(pin_class=MockPWMPin)
        options = ServoOptions(max_moving=64)
        driver = ServoDriver(
            options, pin_factory=self.factory, timer=ManualClock(0.0), background=False
        )
        yield driver
        driver.close()

    def read_back(self, driver):
        shown = [angle_shown(self.factory, driver, d.pin) for d in driver.discs]
        return [WHITE if side == "on" else BLACK for side in shown]

    def hardware_writes(self, driver):
        return sum(len(self.factory.pin(d.pin).states) - 1 for d in driver.discs)

    def build_without_hardware(self):
        with pytest.MonkeyPatch.context() as mp:
            mp.setitem(sys.modules, "gpiozero", None)
            ServoDriver(ServoOptions())


# -- angles and pulses --------------------------------------------------------------------


def test_servos_are_not_driven_before_the_first_frame(factory, build):
    driver = build()
    assert attached(factory, driver) == set()
    assert all(pulses(factory, d.pin) == [] for d in driver.discs)


def test_a_lit_pixel_turns_its_disc_to_the_on_angle_and_a_dark_one_to_off(factory, build):
    driver = build()
    driver.show(row(True, False, True, False))
    opts = driver.options
    assert factory.pin(17).state == pytest.approx(duty(180, opts))  # 2.5 ms of 20 ms
    assert factory.pin(27).state == pytest.approx(duty(0, opts))  # 0.5 ms of 20 ms
    assert factory.pin(17).frequency == 50


def test_pulse_widths_follow_the_options(factory, build):
    build(grid=[[17]], min_pulse_ms=1.0, max_pulse_ms=2.0, on_angle=90).show(row(True))
    assert factory.pin(17).state == pytest.approx(1.5 / 20)


def test_a_disc_can_have_its_own_angles(factory, build):
    driver = build(discs={"GPIO27": {"off": 10, "on": 170}})
    driver.show(row(True, True, False, False))
    assert factory.pin(27).state == pytest.approx(duty(170, driver.options))
    assert factory.pin(17).state == pytest.approx(duty(180, driver.options))


# -- scheduling ---------------------------------------------------------------------------


def test_a_servo_is_detached_once_its_flip_has_had_the_travel_time(factory, timer, build):
    driver = build(grid=[[17]], travel_s=0.5)
    driver.show(row(True))
    timer.sleep(0.49)
    driver.advance()
    assert attached(factory, driver) == {17}
    timer.sleep(0.01)
    driver.advance()
    assert attached(factory, driver) == set()
    assert factory.pin(17).state == 0
    assert angle_shown(factory, driver, 17) == "on"


def test_no_more_than_max_moving_servos_move_at_once(factory, timer, build):
    driver = build(grid=[[4, 5, 6, 12, 13, 16, 17]], max_moving=3, travel_s=0.4)
    driver.show(row(*[True] * 7))
    most = len(attached(factory, driver))
    for _ in range(20):
        timer.sleep(0.1)
        driver.advance()
        most = max(most, len(attached(factory, driver)))
    assert most == 3
    assert all(angle_shown(factory, driver, d.pin) == "on" for d in driver.discs)
    assert attached(factory, driver) == set()


def test_waiting_discs_move_in_the_order_they_were_asked_to(factory, timer, build):
    driver = build(max_moving=1, travel_s=0.5)
    driver.show(row(False, False, False, False))
    for _ in range(4):
        timer.sleep(0.5)
        driver.advance()
    driver.show(row(False, False, False, True))
    driver.show(row(True, False, False, True))
    assert attached(factory, driver) == {23}
    timer.sleep(0.5)
    driver.advance()
    assert attached(factory, driver) == {17}


def test_only_discs_whose_side_changed_are_moved(factory, timer, build):
    driver = build(max_moving=4)
    driver.show(row(True, False, True, False))
    timer.sleep(1)
    driver.advance()
    before = {d.pin: len(factory.pin(d.pin).states) for d in driver.discs}
    driver.show(row(True, True, True, False))
    moved = {d.pin for d in driver.discs if len(factory.pin(d.pin).states) != before[d.pin]}
    assert moved == {27}


def test_a_disc_turned_back_before_its_turn_is_not_moved(factory, timer, build):
    driver = build(max_moving=1)
    driver.show(row(False, False, False, False))
    for _ in range(4):
        timer.sleep(0.5)
        driver.advance()
    driver.show(row(True, True, False, False))  # 17 moves, 27 waits
    driver.show(row(True, False, False, False))  # 27 need not move after all
    timer.sleep(0.5)
    driver.advance()
    assert pulses(factory, 27) == [pytest.approx(duty(0, driver.options))]


def test_a_disc_turned_back_mid_flip_turns_at_once(factory, timer, build):
    driver = build(grid=[[17]], max_moving=1, travel_s=0.5)
    driver.show(row(True))
    timer.sleep(0.2)
    driver.show(row(False))
    assert factory.pin(17).state == pytest.approx(duty(0, driver.options))
    timer.sleep(0.4)  # 0.6 s after the first move, 0.4 s after the second
    driver.advance()
    assert attached(factory, driver) == {17}


def test_show_never_waits_for_a_servo(factory):
    class NoSleeping(ManualClock):
        def sleep(self, seconds: float) -> None:
            raise AssertionError("show() slept")

    options = ServoOptions(grid=ROW, max_moving=1)
    driver = ServoDriver(options, pin_factory=factory, timer=NoSleeping(0.0), background=False)
    driver.show(row(True, True, True, True))
    driver.show(row(False, True, False, True))
    assert len(attached(factory, driver)) == 1


def test_the_worker_thread_finishes_the_moves_after_show_returns(factory):
    options = ServoOptions(grid=ROW, max_moving=1, travel_s=0.02)
    driver = ServoDriver(options, pin_factory=factory)

    def finished() -> bool:
        flipped = all(angle_shown(factory, driver, d.pin) == "on" for d in driver.discs)
        return flipped and not attached(factory, driver)

    try:
        driver.show(row(True, True, True, True))  # starts one flip; the worker does the rest
        deadline = time.monotonic() + 10
        while not finished() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert finished(), "the worker did not flip and detach every disc"
    finally:
        driver.close()


def test_the_plan_never_has_more_than_its_limit_moving():
    plan = FlipPlan(count=5, limit=2, travel=1.0)
    for disc in range(5):
        plan.aim(disc, 180.0)
    started = [d for d, angle in plan.step(0.0) if angle is not None]
    assert started == [0, 1]
    assert plan.next_due == 1.0
    actions = plan.step(1.0)
    assert actions == [(0, None), (1, None), (2, 180.0), (3, 180.0)]


# -- --once: the frame is seen, then parked ----------------------------------------------


def test_settle_finishes_every_flip_then_holds_the_frame(factory, timer, build):
    driver = build(max_moving=1, travel_s=0.5, hold_s=3.0)
    started = timer.time()
    driver.show(row(True, False, True, True))
    driver.settle()
    assert [angle_shown(factory, driver, d.pin) for d in driver.discs] == ["on", "off", "on", "on"]
    assert not attached(factory, driver)
    assert timer.time() - started >= 4 * 0.5 + 3.0  # four flips one at a time, then the hold


def test_once_shows_every_disc_before_parking_begins(tmp_path, monkeypatch):
    """Through the command line: every disc gets its side's pulse and is detached (its flip
    done) before the first lit disc is sent back to off."""
    changes: list[tuple[int, float]] = []  # (GPIO, pin state) in the order they happened

    class RecordingPin(MockPWMPin):
        def _change_state(self, value: float) -> bool:
            changed = super()._change_state(value)
            if changed:
                changes.append((int(self.info.name.removeprefix("GPIO")), value))
            return changed

    monkeypatch.setattr(gpiozero.Device, "pin_factory", MockFactory(pin_class=RecordingPin))
    path = tmp_path / "config.toml"
    path.write_text('driver = "servo"\n[drivers.servo]\ntravel_s = 0.01\nhold_s = 0.0\n')
    assert cli.main(["--config", str(path), "--once", "--at", "13:37:42"]) == exitcodes.OK
    options = ServoOptions()
    off, on = duty(options.off_angle, options), duty(options.on_angle, options)
    lit = {pin for pin, state in changes if state == on}
    assert lit == {5, 6, 13, 16, 19, 21, 22, 24, 26}  # 13, 37 and 42 in binary
    parking = min(i for i, (pin, state) in enumerate(changes) if pin in lit and state == off)
    shown = changes[:parking]
    for _, pin in options.layout().wired():
        side = on if pin in lit else off
        sent = shown.index((pin, side))
        assert (pin, 0.0) in shown[sent:], f"GPIO{pin} was still moving when parking began"


# -- close --------------------------------------------------------------------------------


def test_close_parks_every_disc_at_off_and_detaches_it(factory, timer, build):
    driver = build()
    driver.show(row(True, True, True, True))
    driver.close()
    for d in driver.discs:
        assert angle_shown(factory, driver, d.pin) == "off"
        assert factory.pin(d.pin).frequency is None
        assert factory.pin(d.pin).state == 0


def test_close_parks_discs_no_more_than_max_moving_at_once(factory, build):
    seen: list[int] = []

    class Watching(ManualClock):
        def sleep(self, seconds: float) -> None:
            seen.append(len(attached(factory, driver)))
            super().sleep(seconds)

    options = ServoOptions(grid=ROW, max_moving=2)
    driver = ServoDriver(options, pin_factory=factory, timer=Watching(0.0), background=False)
    driver.show(row(True, True, True, True))
    driver.close()
    assert seen and max(seen) == 2
    assert all(angle_shown(factory, driver, d.pin) == "off" for d in driver.discs)


def test_close_releases_the_pins(factory, build):
    driver = build()
    driver.close()
    for d in driver.discs:
        gpiozero.AngularServo(d.pin, pin_factory=factory).close()


def test_the_worker_thread_stops_on_close(factory):
    driver = ServoDriver(ServoOptions(grid=ROW, travel_s=0.01), pin_factory=factory)
    driver.show(row(True, False, True, False))
    driver.close()
    assert not any(t.name == "binclock-servo" and t.is_alive() for t in threading.enumerate())


def test_discs_are_sent_no_fades(build):
    assert can_animate(build()) is False


def test_each_pixel_is_described_by_its_servos_pin(build):
    driver = build(grid=[[17, "-"]])
    assert driver.describe_pixel(0, 0) == "disc on GPIO17"
    assert driver.describe_pixel(1, 0) == "no disc"


# -- options ------------------------------------------------------------------------------


def config_error(tmp_path: Path, table: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text("[drivers.servo]\n" + table)
    cfg, source = config.load(path)
    with pytest.raises(config.ConfigError) as caught:
        config.plugin_options(cfg, "drivers", "servo", ServoOptions, source)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_defaults_suit_an_sg90_on_the_default_grid():
    options = ServoOptions()
    assert (options.off_angle, options.on_angle) == (0, 180)
    assert (options.min_pulse_ms, options.max_pulse_ms, options.frame_ms) == (0.5, 2.5, 20)
    assert options.layout().size == (3, 6)


def test_an_angle_outside_the_servos_range_names_the_key(tmp_path):
    message = config_error(tmp_path, "on_angle = 200\n")
    assert "drivers.servo.on_angle = 200.0: must be within the servo's 0 to 180" in message


def test_equal_on_and_off_angles_are_refused(tmp_path):
    message = config_error(tmp_path, "on_angle = 0\n")
    assert "drivers.servo.on_angle" in message and "must differ" in message


def test_a_discs_own_angle_outside_the_range_names_the_disc(tmp_path):
    message = config_error(tmp_path, "discs.GPIO17 = { on = 190 }\n")
    assert "drivers.servo.discs.GPIO17.on = 190.0" in message


def test_angles_for_a_pin_without_a_disc_are_refused(tmp_path):
    message = config_error(tmp_path, "discs.GPIO2 = { on = 170 }\n")
    assert "drivers.servo.discs.GPIO2 = 'GPIO2': no disc is wired to that pin" in message


def test_pulse_widths_in_the_wrong_order_are_refused(tmp_path):
    message = config_error(tmp_path, "min_pulse_ms = 2.5\nmax_pulse_ms = 0.5\n")
    assert "drivers.servo.max_pulse_ms = 0.5: must be more than min_pulse_ms" in message


def test_a_bad_grid_is_refused_before_the_servo_checks(tmp_path):
    message = config_error(tmp_path, "grid = [[17, 99]]\n")
    assert "drivers.servo.grid.0.1 = 99" in message
