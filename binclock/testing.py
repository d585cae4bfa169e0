"""The driver conformance suite: every driver, built-in or third-party, passes the same tests.

Subclass ``DriverContract`` in a test module, give it a ``driver`` fixture that builds your
driver on the vendor's mock or emulator, and say how to read the display back::

    from binclock.testing import DriverContract

    class TestMyDriver(DriverContract):
        @pytest.fixture
        def driver(self):
            d = MyDriver(MyDriver.Options(), device=FakeDevice())
            yield d
            d.close()

        def read_back(self, driver):
            return driver.device.pixels          # the RGB triples the hardware holds now

        def hardware_writes(self, driver):
            return driver.device.writes          # how many times the hardware was written

        def build_without_hardware(self):
            MyDriver(MyDriver.Options())         # where the device is missing

Hooks left as they are make the tests that need them skip, with the reason. A driver with
hardware (one whose test says how to build it without) must also say so from its
``check(machine, options)`` on ``machine_without_hardware(root)``: by default a machine with no
board, no device nodes and no libraries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from binclock.driver import DriverOptions, DriverUnavailable, FrameSizeError
from binclock.frame import RGB, Frame
from binclock.machine import Finding, Machine, User, check

ANY_SIZE = (3, 6)  # the frame size tried on drivers that take any size


def pattern(width: int, height: int, seed: int = 0) -> Frame:
    """A frame with a mix of lit and dark pixels, different for each ``seed``."""
    pixels: list[RGB] = []
    for i in range(width * height):
        lit = (i * 7 + seed) % 3 != 1  # pixel 0 is lit, so even a 1x1 display shows something
        pixels.append(((37 * i + seed) % 200 + 55, (91 * i) % 200 + 55, 255) if lit else (0, 0, 0))
    return Frame(width, height, tuple(pixels))


def prepare(driver: Any, frames: list[Frame]) -> None:
    """Hand ``frames`` to the driver's optional ``prepare``; skip the test without one."""
    if not callable(getattr(driver, "prepare", None)):
        pytest.skip("the driver does not prepare frames ahead")
    driver.prepare(frames)


class DriverContract:
    """The tests every driver must pass. Override the ``driver`` fixture and the hooks."""

    @pytest.fixture
    def driver(self) -> Iterator[Any]:
        raise NotImplementedError("give your DriverContract subclass a `driver` fixture")

    def read_back(self, driver: Any) -> Sequence[RGB] | None:
        """The colours the display holds now, in any order; None when it cannot be read."""
        return None

    def hardware_writes(self, driver: Any) -> int | None:
        """How many times the hardware has been written; None when it cannot be counted."""
        return None

    def build_without_hardware(self) -> None:
        """Build the driver where its library or device is missing (it should raise)."""
        pytest.skip("this driver's test does not say how to build it without hardware")

    def machine_without_hardware(self, root: Path) -> Machine:
        """A machine on which the driver cannot open: by default, nothing under ``root``
        (no board model, no device nodes) and no module importable."""
        return Machine(
            root=root,
            user=User("nobody", 65534, frozenset()),
            groups=(),
            environ={},
            importable=lambda modules: False,
            cwd=root,
        )

    # -- helpers -------------------------------------------------------------------------

    def findings(self, driver: Any, machine: Machine) -> list[Finding]:
        """What the driver class's check finds on ``machine`` with the driver's options."""
        options = getattr(driver, "options", None)
        return check(type(driver), machine, options)

    def frame_size(self, driver: Any) -> tuple[int, int]:
        return tuple(driver.size) if driver.size is not None else ANY_SIZE  # type: ignore[return-value]

    def lit(self, driver: Any) -> list[RGB]:
        colours = self.read_back(driver)
        if colours is None:
            pytest.skip("this driver's test does not say how to read the display back")
        return [c for c in colours if tuple(c[:3]) != (0, 0, 0)]

    # -- the contract --------------------------------------------------------------------

    def test_has_a_name_and_a_description(self, driver: Any) -> None:
        assert isinstance(type(driver).name, str) and type(driver).name
        assert isinstance(getattr(type(driver), "description", ""), str)

    def test_declares_its_options_model(self, driver: Any) -> None:
        assert issubclass(type(driver).Options, DriverOptions)

    def test_declares_a_size_or_any(self, driver: Any) -> None:
        size = driver.size
        assert size is None or (len(size) == 2 and all(isinstance(n, int) and n > 0 for n in size))

    def test_shows_a_frame_of_its_size(self, driver: Any) -> None:
        w, h = self.frame_size(driver)
        driver.show(pattern(w, h))

    def test_shows_what_it_was_given(self, driver: Any) -> None:
        w, h = self.frame_size(driver)
        driver.show(pattern(w, h))
        assert self.lit(driver), "a frame with lit pixels left the display dark"

    def test_rejects_a_frame_of_another_size(self, driver: Any) -> None:
        if driver.size is None:
            pytest.skip("the driver takes frames of any size")
        w, h = driver.size
        with pytest.raises(FrameSizeError, match=r"\d+x\d+"):
            driver.show(pattern(w + 1, h))

    def test_unchanged_frame_is_not_written_again(self, driver: Any) -> None:
        w, h = self.frame_size(driver)
        driver.show(pattern(w, h))
        before = self.hardware_writes(driver)
        if before is None:
            pytest.skip("this driver's test does not count hardware writes")
        driver.show(pattern(w, h))
        assert self.hardware_writes(driver) == before

    def test_changed_frame_is_written(self, driver: Any) -> None:
        w, h = self.frame_size(driver)
        driver.show(pattern(w, h))
        before = self.hardware_writes(driver)
        if before is None:
            pytest.skip("this driver's test does not count hardware writes")
        driver.show(pattern(w, h, seed=1))
        assert self.hardware_writes(driver) > before

    def test_preparing_frames_shows_nothing(self, driver: Any) -> None:
        w, h = self.frame_size(driver)
        driver.show(pattern(w, h))
        before = sorted(self.lit(driver))
        prepare(driver, [pattern(w, h, seed=1)])
        assert sorted(self.lit(driver)) == before

    def test_frames_prepared_ahead_show_as_they_would_unprepared(self, driver: Any) -> None:
        w, h = self.frame_size(driver)
        first, second, third = (pattern(w, h, seed=n) for n in range(3))
        driver.show(third)
        expected = sorted(self.lit(driver))
        driver.show(first)
        prepare(driver, [second, third])
        driver.show(second)
        driver.show(third)
        assert sorted(self.lit(driver)) == expected

    def test_close_leaves_the_display_dark(self, driver: Any) -> None:
        w, h = self.frame_size(driver)
        driver.show(pattern(w, h))
        driver.close()
        assert self.lit(driver) == []

    def test_close_twice_is_harmless(self, driver: Any) -> None:
        w, h = self.frame_size(driver)
        driver.show(pattern(w, h))
        driver.close()
        driver.close()

    def test_check_gives_a_finding_for_this_machine(self, driver: Any) -> None:
        first, *more = self.findings(driver, Machine())
        assert first.found and "\n" not in first.found + first.fix
        assert all(f.check and "\n" not in f.found + f.fix for f in more)

    def test_check_says_what_to_do_without_hardware(self, driver: Any, tmp_path: Path) -> None:
        if type(self).build_without_hardware is DriverContract.build_without_hardware:
            self.build_without_hardware()  # skips, saying why
        first = self.findings(driver, self.machine_without_hardware(tmp_path))[0]
        assert first.fix, f"check() found {first.found!r} and nothing to do on a bare machine"
        assert "\n" not in first.fix, "the fix must be one line saying what to do"

    def test_missing_hardware_raises_driver_unavailable(self) -> None:
        with pytest.raises(DriverUnavailable) as caught:
            self.build_without_hardware()
        message = str(caught.value)
        assert message and "\n" not in message, "the error must be one line saying what to do"
