"""The wheel works anywhere: built from the sources, installed into a fresh virtual environment,
it makes the sample report from another folder, with its templates, CSS and fonts inside the
installed package (nothing read from the repository)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from pypdf import PdfReader

from pdfcheck import page_texts


def _run(*args, **kw) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600, **kw)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, pytestconfig) -> Path:
    """The wheel, built without network from a copy of the sources (the repository stays clean)."""
    repo = pytestconfig.rootpath
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(repo / name, src / name)
    for name in ("pipeline", "templates"):
        shutil.copytree(repo / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", out, src)
    return next(out.glob("pipeline-*.whl"))


def test_the_wheel_carries_the_templates_css_and_fonts(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("committee.html.j2", "feedback.html.j2", "print.css", "fonts/LiberationSerif-Regular.ttf",
                 "fonts/LiberationSerif-Bold.ttf", "fonts/LICENSE-LiberationSerif.txt"):
        assert f"pipeline/templates/{name}" in names
    assert not any(n.startswith(("rostergen/", "tests/", "bench/")) for n in names)


def test_installed_in_a_fresh_environment_it_makes_the_report_from_another_folder(wheel, tmp_path, pytestconfig):
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    # The wheel itself, without its dependencies: those are this environment's, made visible to
    # the new one through a .pth (no download; this environment's own `pipeline` is an editable
    # install, and a .pth line does not run the editable finder beside it).
    _run(python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel)
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    elsewhere = tmp_path / "somewhere else"
    elsewhere.mkdir()
    where = _run(python, "-c", "import pipeline.resources as r; print(r.__file__); print(r.TEMPLATES_DIR)",
                 cwd=elsewhere).stdout.split()
    assert all(Path(p).is_relative_to(site) for p in where), where

    samples = pytestconfig.rootpath / "input_samples"
    out = tmp_path / "out"
    _run(python, "-m", "pipeline", "report", "--quarter", "3", "--inbox", samples / "inbox",
         "--units", samples / "units.xlsx", "--out", out, "--date", "2022-10-27", "--workers", "1",
         "--no-feedback", "--config", pytestconfig.rootpath / "input_samples" / "pipeline.toml", cwd=elsewhere)
    folder = out / "2022-Q3"
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["totals"]["members"] == 1098 and summary["totals"]["admitted_ytd"] == 34
    text = " ".join(page_texts(PdfReader(folder / "bao-cao-phat-trien-dang-vien-2022-Q3.pdf")))
    assert "1.098" in text and "BÁO CÁO" in text
