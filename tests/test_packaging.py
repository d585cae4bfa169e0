"""What pyproject.toml puts in the wheel: every package folder, and the files beside the code."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def folder(package: str) -> Path:
    """Where ``package``'s files are in the source tree, as the package-dir mapping says."""
    mapping = SETUPTOOLS["package-dir"]
    parts = package.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in mapping:
            return ROOT / mapping[prefix] / Path(*parts[n:])
    return ROOT / Path(*parts)


def test_every_folder_inside_a_package_is_a_package_of_its_own():
    # Python imports any such folder; setuptools warns when one is not listed.
    listed = set(SETUPTOOLS["packages"])
    for package in listed:
        for child in folder(package).iterdir():
            if child.is_dir() and child.name.isidentifier() and child.name != "__pycache__":
                assert f"{package}.{child.name}" in listed, child


def test_every_file_beside_the_code_is_package_data():
    data = SETUPTOOLS["package-data"]
    for package in SETUPTOOLS["packages"]:
        for path in folder(package).iterdir():
            if path.is_file() and path.suffix not in (".py", ".pyc"):
                patterns = data.get(package, [])
                assert any(fnmatch.fnmatch(path.name, p) for p in patterns), (package, path.name)


def test_a_licence_expression_asks_for_a_setuptools_that_reads_it():
    # An SPDX expression (license = "MIT") is a configuration error before setuptools 77.
    for path in (ROOT / "pyproject.toml", *ROOT.glob("docs/examples/*/pyproject.toml")):
        pyproject = tomllib.loads(path.read_text())
        if not isinstance(pyproject["project"].get("license"), str):
            continue
        wanted = [Requirement(r) for r in pyproject["build-system"]["requires"]]
        setuptools = next(r for r in wanted if r.name == "setuptools")
        assert not setuptools.specifier.contains("76.1"), path
