"""The package's layers (pyproject.toml, [tool.importlinter]) are enforced, not only written down:
`lint-imports` passes on the package, and fails on a copy with one import planted across a layer."""

from __future__ import annotations

import shutil
import tomllib
import subprocess
import sys
from pathlib import Path

import pytest

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed (make install)")


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
                          cwd=root, capture_output=True, text=True, timeout=300)


@pytest.fixture
def copy(tmp_path, pytestconfig) -> Path:
    repo = pytestconfig.rootpath
    shutil.copytree(repo / "pipeline", tmp_path / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(repo / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_package_keeps_its_layers(copy):
    result = _lint(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_leaf_module_importing_a_stage_breaks_the_contract(copy):
    contract = copy / "pipeline" / "contract.py"
    contract.write_text(contract.read_text(encoding="utf-8") + "\nimport pipeline.rules  # planted\n",
                        encoding="utf-8")
    result = _lint(copy)
    assert result.returncode == 1
    assert "One way down: CLI, application, stages, leaf modules BROKEN" in result.stdout
    assert "pipeline.contract -> pipeline.rules" in result.stdout


def test_a_cycle_between_two_stages_breaks_the_contract(copy):
    intake = copy / "pipeline" / "intake.py"
    intake.write_text(intake.read_text(encoding="utf-8") + "\nfrom pipeline import figures  # planted\n",
                      encoding="utf-8")
    result = _lint(copy)
    assert result.returncode == 1 and "BROKEN" in result.stdout
    assert "pipeline.intake -> pipeline.figures" in result.stdout


def test_every_module_of_the_package_has_a_layer(pytestconfig):
    """A module left out of the layers would be checked by nobody."""
    root = pytestconfig.rootpath
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    layers = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")["layers"]
    listed = {name.strip() for layer in layers for name in layer.replace("|", ":").split(":")}
    package = root / "pipeline"
    modules = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    modules |= {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    assert modules == listed, f"not in a layer: {sorted(modules - listed)}; listed but gone: {sorted(listed - modules)}"
