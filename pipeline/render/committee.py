"""The committee's quarterly report: Report → HTML (Jinja2) → PDF (WeasyPrint).

`committee_context` turns the Report into plain values the template only lays out (rows of the
unit table, coverage wording, sorted appendices); the sentences themselves live in
`templates/committee.html.j2`, in the seed report's own words.
"""

from __future__ import annotations

import base64
import functools
from collections import Counter
from pathlib import Path

import pandas as pd

from pipeline import issues as iss
from pipeline.issues import ERROR, SEVERITY_VI
from pipeline.render import vn
from pipeline.render.chart import admissions_chart_svg, chart_units
from pipeline.report import FIGURE_COLUMNS, Report

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
TEMPLATE = "committee.html.j2"

# A unit table longer than this (a ministry-wide or national roll-up) lists only the root's
# direct children; the full tree is in the Excel workbook.
MAX_UNITS_FULL_TABLE = 150

STATUS_NOTES = {"missing": "Chưa gửi danh sách", "rejected": "Tệp không dùng được"}


@functools.cache
def environment():
    """One Jinja environment per process, with the Vietnamese filters (shared by every document)."""
    return _make_environment()


def _make_environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.do"],
    )
    vn.register_filters(env)
    return env


def _int(value) -> int:
    return 0 if pd.isna(value) else int(value)


def _target(value) -> int | None:
    return None if pd.isna(value) or int(value) <= 0 else int(value)


def _achievement(admitted: int, target: int | None, decimals: int) -> str:
    return vn.NOT_APPLICABLE if target is None else vn.percent(admitted / target, decimals)


def _numbering(units: pd.DataFrame) -> dict[str, str]:
    """`1`, `2`, `3`, `3.1`, `3.2` … along the tree, below the root."""
    labels: dict[str, str] = {}
    counters: dict[str, int] = {}
    root = units.index[0]
    for code, parent in zip(units.index[1:], units["parent"].iloc[1:]):
        counters[parent] = counters.get(parent, 0) + 1
        prefix = "" if parent == root else labels.get(parent, "") + "."
        labels[code] = f"{prefix}{counters[parent]}"
    return labels


def _figure_cells(row: pd.Series, decimals: int) -> list[str]:
    target = _target(row["target_year"])
    admitted_ytd = _int(row["admitted_ytd"])
    return [
        vn.number(_int(row["members"])),
        vn.number(_int(row["probationary"])),
        vn.number(_int(row["admitted_quarter"])),
        vn.number(admitted_ytd),
        vn.NOT_APPLICABLE if target is None else vn.number(target),
        _achievement(admitted_ytd, target, decimals),
        vn.number(_int(row["recognized_quarter"])),
        vn.number(_int(row["candidates"])),
    ]


def unit_rows(report: Report) -> tuple[list[dict], bool]:
    """Rows of the table by unit (root last, as the total) and whether the tree was cut to depth 1."""
    units = report.units
    shallow = len(units) > MAX_UNITS_FULL_TABLE
    decimals = report.config.ratio_decimals
    numbering = _numbering(units)
    rows = []
    for code, row in units.iloc[1:].iterrows():
        depth = int(row["depth"])
        if shallow and depth > 1:
            continue
        status = row["status"]
        expected, accepted = _int(row["cells_expected"]), _int(row["cells_accepted"])
        rows.append({
            "code": code,
            "number": numbering[code],
            "name": row["name"],
            "depth": depth,
            "is_cell": bool(row["is_cell"]),
            "status_note": STATUS_NOTES.get(status),
            "partial": None if row["is_cell"] or accepted >= expected else f"{accepted}/{expected}",
            "cells": _figure_cells(row, decimals),
            "total": False,
        })
    totals = report.totals
    expected, accepted = _int(totals["cells_expected"]), _int(totals["cells_accepted"])
    rows.append({
        "code": report.root,
        "number": "",
        "name": "Tổng cộng",
        "depth": 0,
        "is_cell": False,
        "status_note": None,
        "partial": None if accepted >= expected else f"{accepted}/{expected}",
        "cells": _figure_cells(totals, decimals),
        "total": True,
    })
    return rows, shallow


def _unit_name(report: Report, code: str) -> str:
    """A unit's name from the register; a file name (no unit found for it) is shown as is."""
    if code in report.units.index:
        return str(report.units.at[code, "name"])
    return code


def coverage_view(report: Report) -> dict:
    cov = report.coverage
    missing = [_unit_name(report, c) for c in cov.missing]
    rejected_units = [_unit_name(report, c) for c in cov.rejected if c in report.units.index]
    unresolved_files = [c for c in cov.rejected if c not in report.units.index]
    return {
        "complete": cov.complete,
        "expected": cov.expected,
        "submitted": cov.submitted,
        "accepted": cov.accepted,
        "missing": missing,
        "rejected_units": rejected_units,
        "unresolved_files": unresolved_files,
    }


def issue_rows(report: Report) -> list[dict]:
    """One row per rule: label, severity, how many issues, how many units; errors first."""
    counts = Counter((i.severity, i.rule) for i in report.issues)
    units: dict[tuple[str, str], set] = {}
    for i in report.issues:  # a file no unit was found for counts as one "unit"
        units.setdefault((i.severity, i.rule), set()).update({i.unit or i.file} - {None})
    order = sorted(counts, key=lambda k: (k[0] != ERROR, -counts[k], k[1]))
    return [
        {
            "label": iss.LABELS.get(rule, rule),
            "rule": rule,
            "severity": SEVERITY_VI.get(severity, severity),
            "count": counts[(severity, rule)],
            "units": len(units[(severity, rule)]),
        }
        for severity, rule in order
    ]


def _sorted_people(frame: pd.DataFrame | None) -> list[dict]:
    if frame is None or frame.empty:
        return []
    records = frame.to_dict("records")
    return sorted(records, key=lambda r: vn.name_sort_key(r.get("full_name")))


def breakdown_view(report: Report) -> dict:
    t = report.totals
    known = _int(t["ytd_age_known"])
    admitted = _int(t["admitted_ytd"])
    return {
        "admitted_ytd": admitted,
        "women": _int(t["ytd_women"]),
        "minority": _int(t["ytd_minority"]),
        "religion": _int(t["ytd_religion"]),
        "youth_union": _int(t["ytd_youth_union"]),
        "age_18_30": _int(t["ytd_age_18_30"]),
        "age_known": known,
        "average_age": vn.decimal(_int(t["ytd_age_sum"]) / known, 1) if known else None,
        "age_partial": 0 < known < admitted,
    }


def chart_data_uri(report: Report) -> str:
    svg = admissions_chart_svg(report.units, report.period.quarter, report.period.year)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def committee_context(report: Report) -> dict:
    """Everything the template shows, computed once; the template only formats and lays out."""
    totals = report.totals
    decimals = report.config.ratio_decimals
    target = _target(totals["target_year"])
    rows, shallow = unit_rows(report)
    _, chart_cut = chart_units(report.units)
    return {
        "report": report,
        "config": report.config,
        "period": report.period,
        "date_line": vn.date_line(report.config.place, report.report_date),
        # "số 12-BC/ĐUCA" inside a sentence (the header line starts with a capital).
        "attached_number": "số" + report.config.document_number_line.removeprefix("Số"),
        "structure": report.structure,
        "totals": {col: _int(totals[col]) for col in FIGURE_COLUMNS},
        "ratio": vn.percent(report.admitted_ytd_ratio, decimals),
        "target": target,
        "achievement": _achievement(_int(totals["admitted_ytd"]), target, decimals),
        "coverage": coverage_view(report),
        "unit_rows": rows,
        "table_shallow": shallow,
        "breakdown": breakdown_view(report),
        "chart_src": chart_data_uri(report),
        "chart_cut": chart_cut,
        "issue_rows": issue_rows(report),
        "errors": report.error_count(),
        "warnings": report.warning_count(),
        "admitted_people": _sorted_people(report.admitted_in_quarter),
        "overdue_people": _sorted_people(report.overdue),
    }


def render_committee_html(report: Report) -> str:
    """The committee report as an HTML document (links print.css and the fonts relatively)."""
    return environment().get_template(TEMPLATE).render(**committee_context(report))


def write_committee_pdf(report: Report, path: Path) -> Path:
    """Render the committee report to `path` as PDF; returns the path written."""
    from weasyprint import HTML  # imported here: it takes a second to load

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=render_committee_html(report), base_url=str(TEMPLATES_DIR) + "/").write_pdf(path)
    return path
