"""The committee's quarterly report: Report → HTML (Jinja2) → PDF (WeasyPrint).

`committee_context` turns the Report into plain values the template only lays out (rows of the
unit table, coverage wording, sorted appendices); the sentences themselves live in
`templates/committee.html.j2`, in the seed report's own words; the narrative (opening, assessment,
tasks) is the department's text file (render.narrative), and the same context feeds the Word copy
(render.word).
"""

from __future__ import annotations

import base64
from collections import Counter
from pathlib import Path

import pandas as pd

from pipeline.breakdowns import DIMENSIONS, NOT_RECORDED, unrecorded
from pipeline.bulk import paused_gc
from pipeline.contract import GRASSROOTS_COMMITTEE, ROOT
from pipeline.outputs import BREAKDOWN_SHEETS, UNIT_SHEET, workbook_name
from pipeline.render import vn
from pipeline.render.chart import admissions_chart, chart_units
from pipeline.render.narrative import Narrative, narrative_view
from pipeline.render.pdf import environment, write_pdf
from pipeline.report import FIGURE_COLUMNS, Breakdowns, Report
from pipeline import rulebook
from pipeline.rulebook import ERROR, SEVERITY_VI
from pipeline.status import Timeliness, UnitStatus

TEMPLATE = "committee.html.j2"

# What the report lists is bounded, so it stays a document to read (and WeasyPrint lays it out in
# well under a second, whatever the size of the committee); every figure in the text stays exact
# and the Excel workbook sent with the report holds every unit, person and file.
#
# The table by unit: the seed's whole tree is 80 rows (28 units + 52 chi bộ trực thuộc), about
# three pages. A larger tree is summarised along the tree, down to the deepest level that keeps
# within this many rows (each row's figures are its whole subtree's); if even the root's direct
# children are more, the largest of them are listed and the rest summed on one row.
MAX_UNIT_ROWS = 100
# Each appendix (admitted in the quarter, overdue for recognition): about four pages of names,
# sorted the Vietnamese way, then "… và N đồng chí khác".
MAX_APPENDIX_PEOPLE = 100
# Units or files named in a sentence (coverage): past this the sentence gives the first ones and
# how many others.
MAX_NAMES_IN_TEXT = 20

# Tables are laid out with fixed column widths where the widths are known: WeasyPrint's automatic
# widths measure every cell of a table before laying out a row, about a fifth of a long table's
# cost. The table by unit has always had set widths: STT 7%, each figure 7.25%, the name the rest
# (35%); a figure column only grows when its longest value needs it (a national roll-up has
# 7-digit totals), and the name column gives up that room. The appendices' tables keep automatic
# widths up to LONG_LIST_ROWS rows (the seed's look); longer, they get the widths of print.css.
LONG_LIST_ROWS = 20
TEXT_WIDTH_PT = (210 - 30 - 15) * 72 / 25.4  # A4 less print.css's left and right margins
STT_COLUMN = 0.07
FIGURE_COLUMN = 0.0725
FIGURE_PT = 11                # table.data's font size
FIGURE_PADDING_PT = 6.5       # 3pt each side, and half of each collapsed 0.5pt border
# Advances in Liberation Serif, in em, of what a figure is made of besides digits and "–" (0.5 in
# both weights); aggregate and total rows are bold.
ADVANCE_EM = {"regular": {".": 0.25, ",": 0.25, "%": 0.833}, "bold": {".": 0.25, ",": 0.25, "%": 1.0}}

# Said in the table by unit beside a cell that has no figures.
STATUS_NOTES = {status: status.note[0].upper() + status.note[1:] for status in UnitStatus if status.note}


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


def _unit_row(code: str, row: pd.Series, number: str, decimals: int) -> dict:
    status = row["status"]
    expected, accepted = _int(row["cells_expected"]), _int(row["cells_accepted"])
    return {
        "code": code,
        "number": number,
        "name": row["name"],
        "depth": int(row["depth"]),
        "is_cell": bool(row["is_cell"]),
        "status_note": STATUS_NOTES.get(status),
        "partial": None if row["is_cell"] or accepted >= expected else f"{accepted}/{expected}",
        "cells": _figure_cells(row, decimals),
        "kind": "cell" if row["is_cell"] else "aggregate",
    }


def _others_row(others: pd.DataFrame, decimals: int) -> dict:
    """One row for the root's children left out of the table: their figures summed."""
    summed = others[FIGURE_COLUMNS].sum()
    targets = others["target_year"].dropna()
    summed["target_year"] = targets.sum() if len(targets) else pd.NA
    expected, accepted = int(summed["cells_expected"]), int(summed["cells_accepted"])
    return {
        "code": None,
        "number": "",
        "name": f"Các đơn vị khác ({vn.number(len(others))} đơn vị)",
        "depth": 1,
        "is_cell": False,
        "status_note": None,
        "partial": None if accepted >= expected else f"{accepted}/{expected}",
        "cells": _figure_cells(summed, decimals),
        "kind": "others",
    }


def table_units(units: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The units the table by unit lists (tree order, root excluded), and the root's children
    summed on one "others" row (None unless even they are more than MAX_UNIT_ROWS)."""
    below = units.iloc[1:]
    if len(below) <= MAX_UNIT_ROWS:
        return below, None
    rows_to_depth = below["depth"].value_counts().sort_index().cumsum()
    fitting = rows_to_depth[rows_to_depth <= MAX_UNIT_ROWS]
    if len(fitting):
        return below[below["depth"] <= fitting.index[-1]], None
    top = below[below["depth"] == 1]
    largest = top["members"].sort_values(ascending=False, kind="stable").index[:MAX_UNIT_ROWS - 1]
    listed = top.index.isin(largest)
    return top[listed], top[~listed]


def unit_column_widths(rows: list[dict]) -> list[str]:
    """Widths (CSS percentages) of the table by unit's columns: STT, unit name, the eight figures."""
    figures = [FIGURE_COLUMN] * 8
    for row in rows:
        if row["status_note"]:
            continue
        advance = ADVANCE_EM["bold" if row["kind"] in ("aggregate", "total") else "regular"]
        for i, value in enumerate(row["cells"]):
            em = sum(advance.get(ch, 0.5) for ch in value)
            figures[i] = max(figures[i], (em * FIGURE_PT + FIGURE_PADDING_PT) / TEXT_WIDTH_PT)
    name = 1 - STT_COLUMN - sum(figures)
    return [f"{100 * width:.3f}%" for width in (STT_COLUMN, name, *figures)]


def unit_rows(report: Report) -> tuple[list[dict], dict | None]:
    """Rows of the table by unit (root last, as the total), and what the table leaves out.

    The second value is None when every unit is listed; else the deepest level listed, how many
    units are listed and how many the tree has below the root, and how many of the root's
    children are summed on the "others" row."""
    units = report.units
    decimals = report.config.ratio_decimals
    listed, others = table_units(units)
    numbering = _numbering(pd.concat([units.iloc[:1], listed]))
    rows = [_unit_row(code, row, numbering[code], decimals) for code, row in listed.iterrows()]
    if others is not None:
        rows.append(_others_row(others, decimals))
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
        "kind": "total",
    })
    if len(listed) == len(units) - 1:
        return rows, None
    cut = {
        "depth": int(listed["depth"].max()),
        "listed": len(listed),
        "units": len(units) - 1,
        "cells": _int(totals["cells_expected"]),
        "top_level": int((units["depth"] == 1).sum()),
        "others": 0 if others is None else len(others),
    }
    return rows, cut


def _unit_name(report: Report, code: str) -> str:
    """A unit's name from the register; a file name (no unit found for it) is shown as is."""
    if code in report.units.index:
        return str(report.units.at[code, "name"])
    return code


def _bounded(names: list[str]) -> dict:
    """Names for a sentence: the first MAX_NAMES_IN_TEXT, the count, and how many are left out."""
    return {"names": names[:MAX_NAMES_IN_TEXT], "count": len(names),
            "more": max(0, len(names) - MAX_NAMES_IN_TEXT)}


def structure_view(structure: dict) -> dict:
    """The opening sentence's two halves for any shape of tree: what the committee is (`role`),
    and what it is made of (`parts`, joined with commas in the template)."""
    count = {key: int(structure.get(key, 0)) for key in (
        "upper_committees", "grassroots_cells", "grassroots_committees", "partial_committees",
        "subordinate_cells", "cells_of_partial_committees", "grassroots_children_of_root")}
    root_type = structure.get("root_type", ROOT)
    n = {key: vn.padded(value) for key, value in count.items()}
    parts: list[str] = []
    if root_type == GRASSROOTS_COMMITTEE:
        role = "là đảng bộ cơ sở"
        if count["partial_committees"]:
            inside = (f" (có {n['cells_of_partial_committees']} chi bộ trực thuộc)"
                      if count["cells_of_partial_committees"] else "")
            parts.append(f"{n['partial_committees']} đảng bộ bộ phận{inside}")
        direct = count["subordinate_cells"] - count["cells_of_partial_committees"]
        if direct:
            parts.append(f"{vn.padded(direct)} chi bộ trực thuộc")
    else:
        if not count["upper_committees"]:
            role = "là Đảng bộ cấp trên trực tiếp của tổ chức cơ sở đảng"
        else:
            role = f"là Đảng bộ cấp trên của {n['upper_committees']} đảng bộ cấp trên cơ sở"
            if count["grassroots_children_of_root"]:
                role += f" và trực tiếp của {n['grassroots_children_of_root']} tổ chức cơ sở đảng"
        if count["grassroots_cells"]:
            parts.append(f"{n['grassroots_cells']} chi bộ cơ sở")
        if count["grassroots_committees"]:
            inside = [f"{n['partial_committees']} đảng bộ bộ phận"] if count["partial_committees"] else []
            if count["subordinate_cells"]:
                inside.append(f"{n['subordinate_cells']} chi bộ trực thuộc")
            parts.append(f"{n['grassroots_committees']} đảng bộ cơ sở" + (f" (có {', '.join(inside)})" if inside else ""))
    return {"role": role, "parts": parts}


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
        "missing": _bounded(missing),
        "rejected_units": _bounded(rejected_units),
        "unresolved_files": _bounded(unresolved_files),
    }


# Committees in the timeliness table: the whole committee and the level below it (the rest, to
# any depth, in the workbook and summary.json).
TIMELINESS_DEPTH = 1


def timeliness_view(report: Report) -> dict | None:
    """Section II's deadline paragraph and its table of rates (None: no deadline set)."""
    if report.deadline is None:
        return None
    units = report.units
    decimals = max(1, report.config.ratio_decimals)
    late = units[units["timeliness"] == Timeliness.LATE]
    rows = [{"name": u["name"], "depth": int(u["depth"]), "expected": int(u["cells_expected"]),
             "accepted": int(u["cells_accepted"]), "on_time": int(u["cells_on_time"]), "late": int(u["cells_late"]),
             "completeness": vn.percent(u["completeness_rate"], decimals),
             "on_time_rate": vn.percent(u["on_time_rate"], decimals)}
            for u in units[~units["is_cell"] & (units["depth"] <= TIMELINESS_DEPTH)].to_dict("records")
            if u["cells_expected"]]
    awaiting = int((units["timeliness"] == Timeliness.AWAITING).sum())
    cov = report.coverage
    return {
        "deadline": vn.short_date(report.deadline),
        "rule": report.deadline_rule,
        "on_time": cov.on_time,
        "late": cov.late,
        "on_time_rate": vn.percent(cov.on_time_rate or 0, decimals),
        "late_names": _bounded([f"{name} ({days} ngày)" for name, days in zip(late["name"], late["days_late"])]),
        "awaiting": awaiting,
        "rows": rows,
        "cut": int((~units["is_cell"] & (units["depth"] > TIMELINESS_DEPTH)).sum()),
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
            "label": rulebook.label(rule),
            "rule": rule,
            "severity": SEVERITY_VI.get(severity, severity),
            "count": counts[(severity, rule)],
            "units": len(units[(severity, rule)]),
        }
        for severity, rule in order
    ]


def appendix_people(frame: pd.DataFrame | None) -> tuple[list[dict], int]:
    """The first MAX_APPENDIX_PEOPLE people in Vietnamese name order, and how many there are."""
    if frame is None or frame.empty:
        return [], 0
    keys = [vn.name_sort_key(name) for name in frame["full_name"]]
    order = sorted(range(len(keys)), key=keys.__getitem__)[:MAX_APPENDIX_PEOPLE]
    return frame.iloc[order].to_dict("records"), len(frame)


def breakdown_view(report: Report) -> dict:
    """Section I.1's breakdown of the year's admissions (the paragraph, the compact table, the
    sentences on units admitting, without source and against last year) and Phụ lục 3's tables;
    `detail` is None when the report has no breakdowns."""
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
        "detail": None if report.breakdowns is None else _breakdown_detail(report, report.breakdowns),
    }


# Phụ lục 3's tables by unit: the root's direct children that admitted this year, the most
# admissions first past this many (the rest on one row), and at most this many category columns
# (the largest; the rest summed in one column). Every unit and category is in the Excel workbook.
MAX_BREAKDOWN_UNITS = 40
MAX_BREAKDOWN_COLUMNS = 8
OTHER_CATEGORIES = "Các nhóm khác"


def _shown_categories(scope_row: pd.Series) -> list[str]:
    """A dimension's categories worth a line or a column: the non-zero ones, in its order."""
    return [str(c) for c, n in scope_row.items() if n]


def _category_text(row: pd.Series) -> str:
    """`Nam: 29; Nữ: 05; chưa ghi: 01`: the non-zero categories of one dimension, in its order."""
    parts = []
    for category, n in row.items():
        if n:
            label = category if category != NOT_RECORDED else NOT_RECORDED.lower()
            parts.append(f"{label}: {vn.padded(int(n))}")
    return "; ".join(parts) or "—"


def _change(now: int, before: int) -> str:
    if now == before:
        return "bằng cùng kỳ"
    word = "tăng" if now > before else "giảm"
    share = f" ({vn.percent(abs(now - before) / before, 1)})" if before else ""
    return f"{word} {vn.padded(abs(now - before))} đồng chí{share}"


def _unit_table(report: Report, dim, scope) -> dict:
    """One dimension's table by unit: rows the root's children that admitted, columns its
    categories (the largest MAX_BREAKDOWN_COLUMNS, the rest summed), then the total."""
    units = report.units
    table = scope.tables[dim.key]
    root = report.root
    columns = _shown_categories(table.loc[root])
    if len(columns) > MAX_BREAKDOWN_COLUMNS:
        largest = set(table.loc[root, columns].sort_values(ascending=False, kind="stable")
                      .index[:MAX_BREAKDOWN_COLUMNS - 1])
        kept = [c for c in columns if c in largest]
        rest = [c for c in columns if c not in largest]
    else:
        kept, rest = columns, []
    top = units.index[(units["depth"] == 1) & (scope.total.reindex(units.index).to_numpy() > 0)]
    ranked = scope.total[top].sort_values(ascending=False, kind="stable").index[:MAX_BREAKDOWN_UNITS]
    listed = [code for code in top if code in set(ranked)]
    others = [code for code in top if code not in set(ranked)]

    def cells(frame: pd.DataFrame, total: int) -> list[str]:
        values = [vn.number(int(frame[c].sum())) for c in kept]
        if rest:
            values.append(vn.number(int(frame[rest].to_numpy().sum())))
        return values + [vn.number(total)]

    rows = [{"name": units.at[code, "name"], "kind": "cell" if units.at[code, "is_cell"] else "aggregate",
             "cells": cells(table.loc[[code]], int(scope.total[code]))} for code in listed]
    if others:
        rows.append({"name": f"Các đơn vị khác ({vn.number(len(others))} đơn vị)", "kind": "others",
                     "cells": cells(table.loc[others], int(scope.total[others].sum()))})
    rows.append({"name": "Tổng cộng", "kind": "total", "cells": cells(table.loc[[root]], int(scope.total[root]))})
    headers = [c if c != NOT_RECORDED else NOT_RECORDED for c in kept] + ([OTHER_CATEGORIES] if rest else [])
    return {"title": dim.title, "headers": headers + ["Tổng số"], "rows": rows}


def _breakdown_detail(report: Report, b: Breakdowns) -> dict:
    root = report.root
    previous = b.previous
    compared = previous is not None and bool(previous.ytd)
    compact, totals = [], []
    for dim in DIMENSIONS:
        ytd, quarter = b.ytd.tables[dim.key].loc[root], b.quarter.tables[dim.key].loc[root]
        compact.append({"title": dim.title, "ytd": _category_text(ytd), "quarter": _category_text(quarter)})
        # Phụ lục 3's first table: the standard categories always, the others when anyone is in them.
        shown = [c for c in ytd.index if ytd[c] or c in dim.categories]
        last = previous.ytd.get(dim.key, {}) if compared else {}
        totals.append({"title": dim.title, "rows": [
            {"label": c, "quarter": vn.number(int(quarter[c])), "ytd": vn.number(int(ytd[c])),
             "previous": vn.number(int(last.get(c, 0)))} for c in shown]})
    u = b.units
    names = report.units["name"].astype(str).to_dict()   # one lookup each, not a frame access per unit
    comparison = None
    if previous is not None:
        comparison = {
            "year": previous.year,
            "quarter": previous.admitted_quarter,
            "ytd": previous.admitted_ytd,
            "quarter_change": _change(int(b.quarter.total[root]), previous.admitted_quarter),
            "ytd_change": _change(int(b.ytd.total[root]), previous.admitted_ytd),
        }
    admitting = set(u.grassroots_admitting)
    not_admitting = [c for c in u.grassroots if c not in admitting]
    return {
        "compact": compact,
        "totals": totals,
        "compared": compared,
        # A dimension nobody's value is recorded in has no table by unit (the note says so).
        "unit_tables": [_unit_table(report, dim, b.ytd) for dim in DIMENSIONS
                        if b.ytd.tables[dim.key].loc[root].drop(NOT_RECORDED).any()],
        "incomplete": [{"what": dim.unrecorded, "count": n} for dim, n in unrecorded(b.ytd, root)],
        "cells": len(u.cells),
        "cells_admitting": len(u.cells_admitting),
        "grassroots": len(u.grassroots),
        "grassroots_admitting": _bounded([names[c] for c in u.grassroots_admitting]),
        "grassroots_not_admitting": _bounded([names[c] for c in not_admitting]),
        "cells_without_source": _bounded([names[c] for c in u.cells_without_source]),
        "grassroots_without_source": _bounded([names[c] for c in u.grassroots_without_source]),
        "previous": comparison,
    }


def chart_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def committee_context(report: Report, narrative: Narrative | None = None, *, chart_png: bool = False) -> dict:
    """Everything the template shows, computed once; the template only formats and lays out.
    `narrative`: the department's text for the quarter (render.narrative.load_narrative; None: the
    shipped one), rendered with these figures under the key "narrative". `chart_png`: also the
    chart as PNG bytes ("chart_png", for the Word copy), drawn with the PDF's SVG."""
    totals = report.totals
    decimals = report.config.ratio_decimals
    target = _target(totals["target_year"])
    rows, table_cut = unit_rows(report)
    charted, chart_cut = chart_units(report.units)
    svg, png = admissions_chart(report.units, report.period.quarter, report.period.year, png=chart_png)
    admitted_people, admitted_count = appendix_people(report.admitted_in_quarter)
    overdue_people, overdue_count = appendix_people(report.overdue)
    context = {
        "report": report,
        "config": report.config,
        "period": report.period,
        "date_line": vn.date_line(report.config.place, report.report_date),
        # "số 12-BC/ĐUCA" inside a sentence (the header line starts with a capital).
        "attached_number": "số" + report.config.document_number_line.removeprefix("Số"),
        "structure": structure_view(report.structure),
        "totals": {col: _int(totals[col]) for col in FIGURE_COLUMNS},
        "ratio": vn.percent(report.admitted_ytd_ratio, decimals),
        "target": target,
        "achievement": _achievement(_int(totals["admitted_ytd"]), target, decimals),
        "coverage": coverage_view(report),
        "timeliness": timeliness_view(report),
        "unit_rows": rows,
        "table_cut": table_cut,
        "column_widths": unit_column_widths(rows),
        "workbook": workbook_name(report),
        "unit_sheet": UNIT_SHEET,
        "breakdown": breakdown_view(report),
        "breakdown_sheet": BREAKDOWN_SHEETS["ytd"],
        "chart_src": chart_data_uri(svg),
        "chart_png": png,
        "chart_cut": chart_cut,
        "chart_units": len(charted),
        "top_level_units": int((report.units["depth"] == 1).sum()),
        "issue_rows": issue_rows(report),
        "errors": report.error_count(),
        "warnings": report.warning_count(),
        "admitted_people": admitted_people,
        "admitted_count": admitted_count,
        "overdue_people": overdue_people,
        "overdue_count": overdue_count,
        "long_list_rows": LONG_LIST_ROWS,
    }
    context["narrative"] = narrative_view(narrative, context)   # its figures are the context's own
    return context


def render_committee_html(report: Report, narrative: Narrative | None = None, *,
                          context: dict | None = None) -> str:
    """The committee report as an HTML document (links print.css and the fonts relatively).
    `context`: committee_context(report, narrative) when the caller has made it already (the Word
    copy is rendered from the same one; at 8,000 units it costs a second or two to make)."""
    return environment().get_template(TEMPLATE).render(**(context or committee_context(report, narrative)))


def write_committee_pdf(report: Report, path: Path, narrative: Narrative | None = None, *,
                        context: dict | None = None, html: str | None = None) -> Path:
    """Render the committee report to `path` as PDF (dated the report's date, so the same report
    gives the same bytes); returns the path written. `narrative`, `context`: as render_committee_html's;
    `html`: that HTML when the caller has rendered it already.

    The cycle collector is paused while the PDF is made: WeasyPrint makes hundreds of thousands of
    short-lived objects per report, and a full pass also walks everything else the run holds
    (0.15–0.2 s less, a tenth, for some 5 MB more at peak)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with paused_gc():
        write_pdf(html or render_committee_html(report, narrative, context=context), path, issued=report.report_date)
    return path
