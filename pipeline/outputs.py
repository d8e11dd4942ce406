"""summary.json and the Excel workbook, written safely (temp file, then rename).

docs/outputs.md describes both for their readers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
from xlsxwriter import Workbook

from pipeline import privacy
from pipeline.breakdowns import BY_KEY, DIMENSIONS, NOT_RECORDED
from pipeline.bulk import paused_gc
from pipeline.contract import LABELS, REGISTER_COLUMNS
from pipeline.files import atomic_path
from pipeline.report import BreakdownScope, Breakdowns, Report
from pipeline.rulebook import SEVERITY_VI
from pipeline.status import Timeliness, UnitStatus

SUMMARY_NAME = "summary.json"
SUMMARY_TOTALS = ("members", "probationary", "admitted_quarter", "admitted_ytd", "recognized_quarter",
                  "candidates", "candidates_certified", "overdue")
UNIT_FIGURES = ("members", "probationary", "admitted_quarter", "admitted_ytd", "recognized_quarter",
                "candidates", "candidates_certified", "overdue", "cells_expected", "cells_submitted", "cells_accepted")


def pdf_name(report: Report) -> str:
    return f"bao-cao-phat-trien-dang-vien-{report.period.slug}.pdf"


def workbook_name(report: Report) -> str:
    return f"so-lieu-phat-trien-dang-vien-{report.period.slug}.xlsx"


def _text_or_none(value):
    return value if isinstance(value, str) else None


def _int_or_none(value):
    return None if pd.isna(value) else int(value)


def masked_issue(issue: dict) -> dict:
    """An issue as the department's files show it: citizen IDs in its value and message masked
    (privacy.mask); the cell's own package shows them in full."""
    return issue | {"value": privacy.mask(issue.get("value")), "message": privacy.mask(issue.get("message"))}


def _float_or_none(value):
    return None if pd.isna(value) else float(value)


def summary(report: Report) -> dict:
    totals = report.totals
    p = report.period
    out = {
        "period": {"year": p.year, "quarter": p.quarter, "start": p.start.isoformat(), "end": p.end.isoformat()},
        "report_date": report.report_date.isoformat(),
        "deadline": {"date": report.deadline.isoformat() if report.deadline else None, "rule": report.deadline_rule,
                     "assessed_at": report.assessed_at.isoformat(timespec="seconds") if report.assessed_at else None},
        "structure": dict(report.structure),
        "totals": {k: int(totals[k]) for k in SUMMARY_TOTALS},
        "coverage": {
            "expected": report.coverage.expected, "submitted": report.coverage.submitted,
            "accepted": report.coverage.accepted, "rejected": list(report.coverage.rejected),
            "missing": list(report.coverage.missing), "complete": report.coverage.complete,
            "on_time": report.coverage.on_time, "late": report.coverage.late,
            "completeness_rate": report.coverage.completeness_rate,
            "on_time_rate": report.coverage.on_time_rate if report.deadline else None,
        },
        "units": [],
        "issues": [masked_issue(i.to_dict()) for i in report.issues],
    }
    out["totals"]["admitted_ytd_ratio"] = report.admitted_ytd_ratio
    out["totals"]["target_year"] = _int_or_none(totals["target_year"])
    out["totals"]["admitted_by_quarter"] = [int(totals[f"admitted_q{q}"]) for q in range(1, p.quarter + 1)]
    out["totals"]["admitted_ytd_breakdown"] = {
        "women": int(totals["ytd_women"]), "ethnic_minority": int(totals["ytd_minority"]),
        "religion": int(totals["ytd_religion"]), "youth_union": int(totals["ytd_youth_union"]),
        "aged_18_30": int(totals["ytd_age_18_30"]),
        "average_age": round(totals["ytd_age_sum"] / totals["ytd_age_known"], 1) if totals["ytd_age_known"] else None,
    }
    for code, u in zip(report.units.index, report.units.to_dict("records")):  # not iterrows: 8,000 units
        row = {"code": code, "name": u["name"], "type": u["type"], "parent": _text_or_none(u["parent"]),
               "depth": int(u["depth"]), "status": u["status"], "file": _text_or_none(u["file"]),
               "email": _text_or_none(u.get("email"))}
        row.update({k: int(u[k]) for k in UNIT_FIGURES})
        row["target_year"] = _int_or_none(u["target_year"])
        seen = u["submitted_at"]
        row.update({"errors": int(u["errors"]), "warnings": int(u["warnings"]),
                    "timeliness": _text_or_none(u["timeliness"]), "days_late": _int_or_none(u["days_late"]),
                    "submitted_at": None if pd.isna(seen) else seen.isoformat(timespec="seconds"),
                    "cells_on_time": int(u["cells_on_time"]), "cells_late": int(u["cells_late"]),
                    "completeness_rate": _float_or_none(u["completeness_rate"]),
                    "on_time_rate": _float_or_none(u["on_time_rate"])})
        out["units"].append(row)
    if report.breakdowns is not None:
        out["breakdowns"] = breakdowns_summary(report.breakdowns, report.units)
    return out


def _scope_summary(scope: BreakdownScope) -> dict:
    """The whole committee with every category; then each unit that admitted anyone, with its
    non-zero categories only (8,000 units stay small; a unit not listed admitted nobody). Each
    dimension's table is read once as an array (a row lookup per unit costs seconds at 8,000)."""
    total = scope.total.to_numpy()
    codes = [str(code) for code in scope.total.index]
    admitting = [i for i in range(len(codes)) if total[i] > 0]
    units: dict[str, dict] = {codes[i]: {"admitted": int(total[i])} for i in admitting}
    root: dict = {"admitted": int(total[0])}
    for dim in DIMENSIONS:
        table = scope.tables[dim.key]
        names = [str(c) for c in table.columns]
        values = table.to_numpy()
        root[dim.key] = {name: int(n) for name, n in zip(names, values[0])}
        for i in admitting:
            row = values[i]
            units[codes[i]][dim.key] = {names[j]: int(row[j]) for j in row.nonzero()[0]}
    return {"total": root, "units": units}


def breakdowns_summary(b: Breakdowns, units: pd.DataFrame) -> dict:
    """summary.json's `breakdowns` section (docs/outputs.md)."""
    def group(codes: list[str], of: list[str]) -> dict:
        return {"count": len(codes), "of": len(of), "codes": list(codes)}

    u = b.units
    out = {
        "dimensions": {dim.key: {"title": dim.title, "categories": list(b.ytd.tables[dim.key].columns)}
                       for dim in DIMENSIONS},
        "not_recorded": NOT_RECORDED,
        "quarter": _scope_summary(b.quarter),
        "year": _scope_summary(b.ytd),
        "admitting_units": {
            "cells_admitting": group(u.cells_admitting, u.cells),
            "cells_without_source": group(u.cells_without_source, u.cells),
            "grassroots_admitting": group(u.grassroots_admitting, u.grassroots),
            "grassroots_without_source": group(u.grassroots_without_source, u.grassroots),
        },
    }
    if b.previous is not None:
        p = b.previous
        out["previous_year"] = {"year": p.year, "admitted_quarter": p.admitted_quarter, "admitted_ytd": p.admitted_ytd,
                                "breakdowns": {"quarter": p.quarter, "year": p.ytd}}
    return out


def write_summary(report: Report, folder: Path, generated_at: dt.datetime | None = None) -> Path:
    """`generated_at`: when the run was made (the next run's manifest says "since then")."""
    path = folder / SUMMARY_NAME
    content = summary(report)
    if generated_at is not None:
        content["generated_at"] = generated_at.isoformat(timespec="seconds")
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(content, ensure_ascii=False, indent=2, allow_nan=False), encoding="utf-8")
    return path


# Excel: the department's own column names.
UNIT_HEADERS = {
    "code": "Mã đơn vị", "name": "Tên đơn vị", "type": "Loại đơn vị", "parent": "Mã cấp trên",
    "status_vi": "Tình trạng", "timeliness_vi": "Thời hạn gửi", "members": "Đảng viên", "probationary": "Dự bị",
    "admitted_quarter": "Kết nạp trong quý", "admitted_ytd": "Kết nạp từ đầu năm",
    "target_year": "Chỉ tiêu năm", "achievement": "Đạt chỉ tiêu (%)",
    "recognized_quarter": "Công nhận chính thức trong quý", "overdue": "Quá hạn xét chính thức",
    "candidates": "Quần chúng ưu tú", "candidates_certified": "Trong đó có giấy chứng nhận còn hạn",
    "cells_expected": "Số chi bộ", "cells_accepted": "Chi bộ có số liệu", "file": "Tệp được dùng",
}
ISSUE_HEADERS = {"severity_vi": "Mức độ", "rule": "Mã lỗi", "unit": "Đơn vị", "file": "Tệp", "sheet": "Trang",
                 "row": "Dòng", "column": "Cột", "value": "Giá trị", "message": "Nội dung và cách sửa"}


def _issue_frame(issues) -> pd.DataFrame:
    """One column per field, read straight off the Issue objects (no asdict per issue)."""
    fields = [f for f in ISSUE_HEADERS if f != "severity_vi"] + ["severity"]
    masked = {"value", "message"}   # the committee's workbook: citizen IDs masked (privacy.mask)
    return pd.DataFrame({f: [privacy.mask(getattr(i, f)) if f in masked else getattr(i, f) for i in issues]
                         for f in fields}, columns=fields)


def workbook_tables(report: Report) -> dict[str, pd.DataFrame]:
    units = report.units.reset_index().rename(columns={"index": "code"})
    units["name"] = ["    " * d + n for d, n in zip(units["depth"], units["name"])]
    units["status_vi"] = [UnitStatus(s).vi for s in units["status"]]
    units["timeliness_vi"] = [Timeliness(t).words(_int_or_none(d)) if isinstance(t, str) else None
                              for t, d in zip(units["timeliness"], units["days_late"])]
    units["achievement"] = [round(100 * a / t, 1) if not pd.isna(t) and t else None
                            for a, t in zip(units["admitted_ytd"], units["target_year"])]
    units = units[list(UNIT_HEADERS)].rename(columns=UNIT_HEADERS)
    issues = _issue_frame(report.issues)
    issues["severity_vi"] = issues["severity"].map(SEVERITY_VI)
    issues = issues[list(ISSUE_HEADERS)].rename(columns=ISSUE_HEADERS)
    files = report.files.rename(columns={"file": "Tệp", "unit": "Đơn vị", "period": "Kỳ", "status_vi": "Tình trạng",
                                         "errors": "Số lỗi", "warnings": "Số cảnh báo"}).drop(columns=["status", "path", "slug"])
    person = {key: LABELS[key] for key in ("full_name", "birth_date", "gender", "admitted_on")}
    unit = {"unit_code": REGISTER_COLUMNS["code"], "unit_name": "Đơn vị"}
    admitted = report.admitted_in_quarter.rename(columns=person | unit)
    overdue = report.overdue.rename(columns=person | unit | {
        "probation_start": "Bắt đầu dự bị", "due_on": "Hết hạn dự bị", "recognition_due": "Hạn xét công nhận",
        "days_overdue": "Số ngày quá hạn"})
    tables = {UNIT_SHEET: units, "Lỗi và cảnh báo": issues, "Tệp đã nhận": files,
              "Kết nạp trong quý": admitted, "Quá hạn chính thức": overdue}
    if report.breakdowns is not None:
        tables[BREAKDOWN_SHEETS["ytd"]] = breakdown_table(report.breakdowns.ytd, report.units)
        tables[BREAKDOWN_SHEETS["quarter"]] = breakdown_table(report.breakdowns.quarter, report.units)
    return tables


# The breakdowns' sheets: every unit (its subtree) × every category, the total first.
BREAKDOWN_SHEETS = {"ytd": "Cơ cấu kết nạp từ đầu năm", "quarter": "Cơ cấu kết nạp trong quý"}
BREAKDOWN_TOTAL = "Tổng số kết nạp"


def breakdown_table(scope: BreakdownScope, units: pd.DataFrame) -> pd.DataFrame:
    """One row per unit that admitted anyone in the span, in tree order (the whole committee first,
    always), one column per dimension and category, headed "Dimension: category"; figures as numbers.

    A unit not listed admitted nobody (every figure 0): leaving those rows out keeps the sheet to
    the units that matter and the workbook fast at 8,000 units (XlsxWriter takes some 5 µs a cell,
    and a row has 60-odd columns)."""
    total = scope.total.reindex(units.index)
    keep = total.to_numpy() > 0
    keep[0] = True
    units = units[keep]
    frame = pd.DataFrame({
        UNIT_HEADERS["code"]: units.index.to_numpy(),
        UNIT_HEADERS["name"]: ["    " * d + n for d, n in zip(units["depth"], units["name"])],
        UNIT_HEADERS["type"]: units["type"].to_numpy(),
        BREAKDOWN_TOTAL: scope.total.reindex(units.index).to_numpy(),
    })
    columns = {f"{BY_KEY[key].title}: {category}": table[category].reindex(units.index).to_numpy()
               for key, table in scope.tables.items() for category in table.columns}
    return pd.concat([frame, pd.DataFrame(columns)], axis=1)


UNIT_SHEET = "Tổng hợp theo đơn vị"   # its row 2 is the whole committee's total
TOTAL_FIRST = (UNIT_SHEET, *BREAKDOWN_SHEETS.values())   # sheets whose row 2 is the total, in bold
DATE_FORMAT = "dd/mm/yyyy"
EXCEL_MAX_ROWS = 1_048_576             # per sheet, header included
WIDTH_SAMPLE = 2000                    # rows, spread over the table, looked at to size a column


def _fit_to_sheet(frame: pd.DataFrame) -> pd.DataFrame:
    """Cut a table Excel cannot hold, saying so in its last row, rather than fail the run or lose
    rows silently (summary.json keeps every unit and issue). No real run comes near: 7,100 cells
    give ~8,000 unit rows and ~500 issues; the 200,000-row workbook 2 unit rows and ~15 issues."""
    room = EXCEL_MAX_ROWS - 1  # the header takes a row
    if len(frame) <= room or not len(frame.columns):
        return frame
    kept = frame.iloc[:room - 1]
    left, limit = (f"{n:,}".replace(",", ".") for n in (len(frame) - len(kept), EXCEL_MAX_ROWS))
    note = pd.DataFrame({frame.columns[0]: [
        f"… còn {left} dòng không ghi được vì một trang Excel chỉ chứa {limit} dòng"]})
    return pd.concat([kept, note], ignore_index=True)


def _column_width(name: str, values: pd.Series) -> float:
    """Characters of the header or of the longest value in a sample of rows, within 10–80."""
    sample = values.iloc[::max(1, len(values) // WIDTH_SAMPLE)]
    lengths = sample.dropna().astype(str).str.len()
    longest = max(len(name), int(lengths.max()) if len(lengths) else 0)
    return min(max(10, longest + 2), 80)


def write_workbook(report: Report, path: Path) -> Path:
    """The Excel workbook: one sheet per table, header bold, shaded and frozen, a filter over the
    data, dates as real Excel dates shown dd/mm/yyyy, the total row in bold.

    Cells go straight to XlsxWriter, column by column, each written once with its final format:
    time is linear in the cells and nothing is restyled afterwards (pandas' own to_excel spends
    most of its time formatting cell objects one by one). Writing makes a few small objects per
    cell and no cycles, so the cycle collector is paused (~15% of the time at 7,100 cells)."""
    with atomic_path(path) as tmp, paused_gc():
        # Text from the cells' files stays text: never a formula, a link or a number.
        options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                   "default_date_format": DATE_FORMAT, "nan_inf_to_errors": True}
        with Workbook(str(tmp), options) as book:
            # Stamped with the report's date, not the clock: the same report gives the same bytes
            # (so `send` can tell a changed report from a rebuilt one).
            book.set_properties({"created": dt.datetime.combine(report.report_date, dt.time(8, 0))})
            header = book.add_format({"bold": True, "bg_color": "#DDE6F0", "text_wrap": True,
                                      "valign": "vcenter"})
            bold = book.add_format({"bold": True})
            bold_date = book.add_format({"bold": True, "num_format": DATE_FORMAT})
            for sheet, frame in workbook_tables(report).items():
                frame = _fit_to_sheet(frame)
                ws = book.add_worksheet(sheet)
                for j, name in enumerate(frame.columns):
                    ws.write_string(0, j, str(name), header)
                    ws.set_column(j, j, _column_width(str(name), frame[name]))
                    _write_column(ws, j, frame[name])
                ws.freeze_panes(1, 0)
                if len(frame.columns):
                    ws.autofilter(0, 0, len(frame), len(frame.columns) - 1)
                if sheet in TOTAL_FIRST and len(frame):
                    for j, value in enumerate(frame.iloc[0].tolist()):  # the total row
                        _write_value(ws, 1, j, value, bold, bold_date)
    return path


def _write_column(ws, col: int, values: pd.Series) -> None:
    """Write one column below the header; a missing value leaves its cell empty. Columns of one
    known type skip the per-value type test (this loop runs once per cell of the workbook)."""
    items = values.tolist()
    rows = range(1, len(items) + 1)
    if values.hasnans:
        present = values.notna().tolist()
        rows = [r for r, ok in zip(rows, present) if ok]
        items = [v for v, ok in zip(items, present) if ok]
    if values.dtype.kind in "iuf":            # int64, Int64, float64
        write = ws.write_number
    elif isinstance(values.dtype, pd.StringDtype):
        write = ws.write_string
    else:
        for row, value in zip(rows, items):
            _write_value(ws, row, col, value)
        return
    for row, value in zip(rows, items):
        write(row, col, value)


def _write_value(ws, row: int, col: int, value, fmt=None, date_fmt=None) -> None:
    """One cell by its Python type: a date becomes an Excel date (the workbook's dd/mm/yyyy
    unless `date_fmt`), a number a number, anything else text; a missing value an empty cell."""
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, dt.date):  # datetime and pandas Timestamp too
        ws.write_datetime(row, col, value, date_fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)
