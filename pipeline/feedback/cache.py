"""What a feedback package is made from (its key), and whether the package a previous run left
is still right for it. A package is re-rendered only when its key changes.

The key is made from the package's inputs, not from its view (`views.unit_view`), so that deciding
which of 7,100 packages to render again costs a fraction of a second instead of building every
view: the unit's own row, its parent's and the committee's (the columns a package shows,
`views.SHOWN_COLUMNS`), its listed issues, its files (name, status, period, bytes), the
settings a package shows, the report's period and date, and the program (`renderer_digest`).
`tests/test_feedback.py` checks that a view depends on nothing else.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd

import pipeline
from pipeline.feedback.views import SHOWN_COLUMNS, listed_issues
from pipeline.files import atomic_path
from pipeline.report import Report
from pipeline.resources import TEMPLATES_DIR, program_digest

# Beside each package: the key of its inputs and the files made from them (JSON).
KEY_FILE = ".key"
# Bump when the key's recipe changes, so old keys stop matching.
KEY_FORMAT = 2

# The feedback PDF's template, its stylesheet and the fonts the stylesheet loads.
RENDER_TEMPLATES = ("feedback.html.j2", "print.css", "fonts")
# Libraries whose version can change the bytes of a PDF or a returned workbook.
RENDER_LIBRARIES = ("weasyprint", "pydyf", "fonttools", "openpyxl", "python-calamine", "jinja2")


def renderer_digest() -> str:
    """The program side of every package's key: the version, the feedback template, its CSS and
    fonts, the package's own source (so a change made without a version bump still re-renders)
    and the rendering libraries' versions."""
    files = []
    for name in RENDER_TEMPLATES:
        path = TEMPLATES_DIR / name
        found = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
        files += [(f"templates/{p.relative_to(TEMPLATES_DIR).as_posix()}", p) for p in found]
    return program_digest(f"pipeline {pipeline.__version__}\n", files, RENDER_LIBRARIES)


def input_keys(report: Report, renderer: str, digests: dict[str, str] | None = None) -> dict[str, str]:
    """unit code → the key of its package, for every cell: sha256 of what the package is made from
    (see the module's docstring). `digests`: file name in the inbox → SHA-256 of its bytes, as
    the run took them (reading, arrivals); a file not in it is hashed here. Where a file was read
    from is left out (its bytes are in): moving the inbox re-renders nothing; nor is its
    modification time."""
    digests = digests or {}
    units = report.units
    config = report.config
    common = json.dumps({
        "format": KEY_FORMAT, "renderer": renderer, "period": report.period.slug,
        "report_date": report.report_date.isoformat(), "root": report.root,
        "committee_name": config.committee_name, "place": config.place, "decimals": config.ratio_decimals,
        "notice": asdict(config.feedback.resolved(config)),
    }, sort_keys=True, ensure_ascii=False, default=str)
    shown = units[[c for c in SHOWN_COLUMNS if c in units.columns]].astype(object)
    shown = shown.where(shown.notna(), None)
    rows = {code: json.dumps(values, ensure_ascii=False, default=str)
            for code, values in zip(shown.index, shown.to_numpy().tolist())}
    issues = {code: json.dumps(found, sort_keys=True, ensure_ascii=False, default=str)
              for code, found in listed_issues(report).items()}
    files: dict[str, list] = {}
    if report.files is not None:
        table = report.files[["unit", "file", "status", "period", "path"]]
        for unit, file, status, period, path in table.itertuples(index=False):
            if isinstance(unit, str):
                source = digests.get(file) or (_file_digest(path) if isinstance(path, (str, Path)) else None)
                files.setdefault(unit, []).append([file, str(status), None if pd.isna(period) else period, source])
    else:
        for code, file in units["file"].items():
            if isinstance(file, str):
                files[code] = [[file]]
    keys = {}
    root = report.root
    for code, parent in units.loc[units["is_cell"].astype(bool), "parent"].items():
        shown_parent = rows[parent] if isinstance(parent, str) and parent != root else ""
        text = "\n".join((common, rows[code], shown_parent, rows[root], issues.get(code, "[]"),
                          json.dumps(sorted(files.get(code, [])), ensure_ascii=False, default=str)))
        keys[code] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return keys


def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:  # gone or unreadable since it was read: the package says so, keyed as such
        return "unreadable"
    return digest.hexdigest()


def kept_package(out_dir: Path, key: str) -> list[Path] | None:
    """The package's files if `out_dir` holds one made from `key` and each file is still the size
    it was written at (a returned workbook opened and saved by hand is made again); else None."""
    try:
        stored = json.loads((out_dir / KEY_FILE).read_text(encoding="utf-8"))
        if stored["key"] != key:
            return None
        paths = []
        for name, size in stored["files"]:
            path = out_dir / name
            if path.stat().st_size != size:
                return None
            paths.append(path)
        return paths
    except (OSError, ValueError, KeyError, TypeError):  # no key yet, a file gone, a damaged key
        return None


def record_package(out_dir: Path, key: str, written: list[Path]) -> None:
    record = {"key": key, "files": [[p.name, p.stat().st_size] for p in written]}
    with atomic_path(out_dir / KEY_FILE) as tmp:
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
