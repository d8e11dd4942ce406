"""summary.json and the Excel workbook, written safely (temp file, then rename).

docs/outputs.md describes both for their readers."""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
from itertools import repeat
from json.encoder import c_make_encoder, encode_basestring
from pathlib import Path

import pandas as pd
from xlsxwriter import Workbook
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import CellDatetimeTuple, CellNumberTuple, CellStringTuple, Worksheet

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


def _int_or_none(value):
    return None if pd.isna(value) else int(value)


def masked_issue(issue: dict) -> dict:
    """An issue as the department's files show it: citizen IDs in its value and message masked
    (privacy.mask); the cell's own package shows them in full."""
    return issue | {"value": privacy.mask(issue.get("value")), "message": privacy.mask(issue.get("message"))}


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
        "units": _unit_rows(report.units),
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
    if report.breakdowns is not None:
        out["breakdowns"] = breakdowns_summary(report.breakdowns, report.units)
    return out


def _unit_rows(units: pd.DataFrame) -> list[dict]:
    """summary.json's `units`: one row per unit, along the tree. Each column is read once as a
    list (a row dict per unit, and a pd.isna per value, cost ~0.3 s at 8,000 units); the rows are
    zipped from the columns."""
    def column(name: str) -> list:
        return units[name].tolist() if name in units.columns else [None] * len(units)

    def texts(name: str) -> list[str | None]:
        return [v if isinstance(v, str) else None for v in column(name)]

    def ints(name: str) -> list[int]:
        return [int(v) for v in column(name)]

    def present(name: str) -> list[tuple[bool, object]]:
        return list(zip(units[name].isna().tolist(), units[name].tolist()))

    def ints_or_none(name: str) -> list[int | None]:
        return [None if missing else int(v) for missing, v in present(name)]

    def floats_or_none(name: str) -> list[float | None]:
        return [None if missing else float(v) for missing, v in present(name)]

    columns = {
        "code": units.index.tolist(), "name": column("name"), "type": column("type"), "parent": texts("parent"),
        "depth": ints("depth"), "status": column("status"), "file": texts("file"), "email": texts("email"),
        **{k: ints(k) for k in UNIT_FIGURES},
        "target_year": ints_or_none("target_year"), "errors": ints("errors"), "warnings": ints("warnings"),
        "timeliness": texts("timeliness"), "days_late": ints_or_none("days_late"),
        "submitted_at": [None if missing else seen.isoformat(timespec="seconds")
                         for missing, seen in present("submitted_at")],
        "cells_on_time": ints("cells_on_time"), "cells_late": ints("cells_late"),
        "completeness_rate": floats_or_none("completeness_rate"), "on_time_rate": floats_or_none("on_time_rate"),
    }
    keys = tuple(columns)
    return [dict(zip(keys, row)) for row in zip(*columns.values())]


def _scope_summary(scope: BreakdownScope) -> dict:
    """The whole committee with every category; then each unit that admitted anyone, with its
    non-zero categories only (8,000 units stay small; a unit not listed admitted nobody). Each
    dimension's table is read once as an array, and its non-zero cells found at once: a lookup
    per unit and category costs seconds at 8,000 units."""
    total = scope.total.to_numpy()
    codes = [str(code) for code in scope.total.index]
    admitting = (total > 0).nonzero()[0]
    units: dict[str, dict] = {codes[i]: {"admitted": int(total[i])} for i in admitting.tolist()}
    rows = [units[codes[i]] for i in admitting.tolist()]
    root: dict = {"admitted": int(total[0])}
    for dim in DIMENSIONS:
        table = scope.tables[dim.key]
        names = [str(c) for c in table.columns]
        values = table.to_numpy()
        root[dim.key] = {name: int(n) for name, n in zip(names, values[0])}
        counts = [{} for _ in rows]
        of_admitting = values[admitting]
        at, category = of_admitting.nonzero()   # row by row, each row's categories in order
        for i, j, n in zip(at.tolist(), category.tolist(), map(int, of_admitting[at, category].tolist())):
            counts[i][names[j]] = n
        for row, said in zip(rows, counts):
            row[dim.key] = said
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


# summary.json is json.dumps(content, ensure_ascii=False, indent=2, allow_nan=False), ~10 MB at
# 7,100 cells. With an indent, the standard library encodes in Python (~1 s for that file);
# without one, in C (~0.2 s). json_text gives the same text: a container holding scalars only
# (a unit's row, an issue, a category's counts: nearly all of the file) is encoded by json's C
# encoder with an item separator that carries its depth's line break and indent; only the
# containers above them are walked in Python.
_INDENT = "  "
_SCALARS = (str, int, float, type(None))   # bool is an int


@functools.cache
def _flat_encoder(level: int):
    """A container of scalars at `level` as the indented encoder writes it, but for the line
    break and indent after its opening bracket and before its closing one."""
    separator = ",\n" + _INDENT * (level + 1)
    if c_make_encoder is None:   # no C accelerator in this Python: the same text, by json itself
        return json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(separator, ": ")).encode
    # What JSONEncoder.encode does, made once rather than per call (~5 µs; 50,000 calls).
    encode = c_make_encoder(None, json.JSONEncoder().default, encode_basestring, None, ": ", separator,
                            False, False, False)   # no circular check: a container of scalars has no cycle
    return lambda value: "".join(encode(value, 0))


def json_text(value) -> str:
    """`json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)`, the same text, faster."""
    out: list[str] = []
    _encode(value, 0, out)
    return "".join(out)


def _encode(value, level: int, out: list[str]) -> None:
    if isinstance(value, dict):
        inner = value.values()
    elif isinstance(value, (list, tuple)):
        inner = value
    elif isinstance(value, str):
        out.append(encode_basestring(value))
        return
    else:
        out.append(_flat_encoder(0)(value))
        return
    if not inner:
        out.append("{}" if isinstance(value, dict) else "[]")
        return
    pad, closing = "\n" + _INDENT * (level + 1), "\n" + _INDENT * level
    if all(map(isinstance, inner, repeat(_SCALARS))):
        text = _flat_encoder(level)(value)
        out += (text[0], pad, text[1:-1], closing, text[-1])
        return
    if isinstance(value, dict):
        separator = "{" + pad
        for key, item in value.items():
            out += (separator, _json_key(key), ": ")
            _encode(item, level + 1, out)
            separator = "," + pad
        out += (closing, "}")
    else:
        separator = "[" + pad
        for item in value:
            out.append(separator)
            _encode(item, level + 1, out)
            separator = "," + pad
        out += (closing, "]")


def _json_key(key) -> str:
    """A dict key as json's encoder writes it: text as text, a number or a constant as its JSON."""
    if isinstance(key, str):
        return encode_basestring(key)
    if key is None or isinstance(key, (bool, int, float)):
        return encode_basestring(_flat_encoder(0)(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def write_summary(report: Report, folder: Path, generated_at: dt.datetime | None = None) -> Path:
    """`generated_at`: when the run was made (the next run's manifest says "since then")."""
    path = folder / SUMMARY_NAME
    content = summary(report)
    if generated_at is not None:
        content["generated_at"] = generated_at.isoformat(timespec="seconds")
    with atomic_path(path) as tmp:
        tmp.write_text(json_text(content), encoding="utf-8")
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
    values = {column: units[column].tolist() for column in      # each read once, not iterated by pandas
              ("depth", "name", "status", "timeliness", "days_late", "admitted_ytd", "target_year")}
    units["name"] = ["    " * d + n for d, n in zip(values["depth"], values["name"])]
    units["status_vi"] = [UnitStatus(s).vi for s in values["status"]]
    units["timeliness_vi"] = [Timeliness(t).words(_int_or_none(d)) if isinstance(t, str) else None
                              for t, d in zip(values["timeliness"], values["days_late"])]
    units["achievement"] = [round(100 * a / t, 1) if not pd.isna(t) and t else None
                            for a, t in zip(values["admitted_ytd"], values["target_year"])]
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
    the units that matter and the workbook fast at 8,000 units (a cell costs ~1 µs even written a
    column at a time, and a row has 60-odd columns)."""
    total = scope.total.reindex(units.index)
    keep = total.to_numpy() > 0
    keep[0] = True
    units = units[keep]
    frame = pd.DataFrame({
        UNIT_HEADERS["code"]: units.index.to_numpy(),
        UNIT_HEADERS["name"]: ["    " * d + n for d, n in zip(units["depth"].tolist(), units["name"].tolist())],
        UNIT_HEADERS["type"]: units["type"].to_numpy(),
        BREAKDOWN_TOTAL: scope.total.reindex(units.index).to_numpy(),
    })
    columns = {}
    for key, table in scope.tables.items():
        rows = table.reindex(units.index)   # once per dimension, not per category
        columns.update({f"{BY_KEY[key].title}: {category}": rows[category].to_numpy() for category in table.columns})
    return pd.concat([frame, pd.DataFrame(columns)], axis=1)


UNIT_SHEET = "Tổng hợp theo đơn vị"   # its row 2 is the whole committee's total
TOTAL_FIRST = (UNIT_SHEET, *BREAKDOWN_SHEETS.values())   # sheets whose row 2 is the total, in bold
DATE_FORMAT = "dd/mm/yyyy"
EXCEL_MAX_ROWS = 1_048_576             # per sheet, header included
EXACT_INT = 2 ** 53                    # ints up to this size are floats exactly: `.16G` writes them whole
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


def _column_values(values: pd.Series) -> tuple[list, list[bool] | None]:
    """A column's values as Python objects, read from pandas once for both its width and its
    cells, and which of them are not missing (None: all are)."""
    return values.tolist(), (values.notna().tolist() if values.hasnans else None)


def _column_width(name: str, values: pd.Series, items: list, present: list[bool] | None) -> float:
    """Characters of the header or of the longest value in a sample of rows, within 10–80.

    Measured on `items` (`_column_values`) as `str(value)`, which is what pandas' `astype(str)`
    gives for these types, without three pandas calls per column; datetime64 columns (which
    pandas writes without their midnight) and other kinds are measured by pandas itself."""
    step = max(1, len(items) // WIDTH_SAMPLE)
    if values.dtype.kind not in "iufbO":
        lengths = values.iloc[::step].dropna().astype(str).str.len()
        longest = int(lengths.max()) if len(lengths) else 0
    else:
        sample = items[::step]
        if present is not None:
            sample = [v for v, ok in zip(sample, present[::step]) if ok]
        longest = max(map(len, map(str, sample)), default=0)
    return min(max(10, max(len(name), longest) + 2), 80)


class _Sheet(Worksheet):
    """A worksheet that takes a column of numbers or of text at once and writes its rows out
    without XlsxWriter's per-cell generality: the same XML, byte for byte, in a fraction of the time.

    XlsxWriter spends some 2 µs a cell storing it (argument conversion, bounds check, dimensions,
    a named tuple in a dict of dicts) and as much again writing it (an attribute list per cell,
    escaping checks on what cannot need escaping); at 7,100 cells the workbook has ~470,000.
    Here a column is checked once and kept as two lists, and each of its cells becomes its XML
    in one list comprehension when the sheet is written. A cell written one by one (the header,
    a date, the total row over a column's first row) is kept by XlsxWriter and wins over the
    column's, as the later write. Anything this does not cover (a comment, a hyperlink, a row's
    own height or format, constant_memory, the 2010 row extension, an out-of-range row, an
    overlong string, NaN or infinity) goes through XlsxWriter's own code, the columns first put
    in its table. tests/test_outputs.py compares the two paths' files byte for byte."""

    def __init__(self) -> None:
        super().__init__()
        self._columns: dict[int, tuple[list[int], list, str]] = {}   # col → rows, values, kind

    def write_numbers(self, rows: list[int], col: int, values: list, integers: bool = False) -> None:
        """`write_number(row, col, value)` for each pair; `rows` ascending. `integers`: every
        value is an int (from an integer column): within ±2⁵³ `.16G` writes one as `str` does,
        without making a float of it per cell."""
        if not self._fast(rows, col) or not all(map(math.isfinite, values)):
            for row, value in zip(rows, values):
                self.write_number(row, col, value)
            return
        plain = integers and min(values) >= -EXACT_INT and max(values) <= EXACT_INT
        self._keep(col, rows, values, "int" if plain else "number")

    def write_strings(self, rows: list[int], col: int, values: list[str]) -> None:
        """`write_string(row, col, value)` for each pair; `rows` ascending."""
        if not self._fast(rows, col) or max(map(len, values), default=0) > self.xls_strmax // 2:
            for row, value in zip(rows, values):
                self.write_string(row, col, value)
            return
        index = self.str_table._get_shared_string_index   # in order: shared strings are numbered as met
        self._keep(col, rows, [index(value) for value in values], "text")

    def _fast(self, rows: list[int], col: int) -> bool:
        """Whether a whole column can be kept at once; its first and last rows set the sheet's
        dimensions as every cell between them would."""
        if self.constant_memory or not rows:
            return False
        return not self._check_dimensions(rows[0], col) and not self._check_dimensions(rows[-1], col)

    def _keep(self, col: int, rows: list[int], values: list, kind: str) -> None:
        if col in self._columns:
            self._to_table(col)
        written = [row for row, cells in self.table.items() if col in cells]
        if written:   # cells written before: this column, written later, replaces them
            rows_set = set(rows)
            for row in written:
                if row in rows_set:
                    del self.table[row][col]
        self._columns[col] = (rows, values, kind)

    def _to_table(self, *cols: int) -> None:
        """Put kept columns (all, by default) in XlsxWriter's table, under cells written since."""
        for col in cols or list(self._columns):
            rows, values, kind = self._columns.pop(col)
            cell = CellStringTuple if kind == "text" else CellNumberTuple
            for row, value in zip(rows, values):
                self.table[row].setdefault(col, cell(value, None))

    def autofit(self, *args, **kwargs):
        self._to_table()
        return super().autofit(*args, **kwargs)

    def _get_range_data(self, *args, **kwargs):
        self._to_table()
        return super()._get_range_data(*args, **kwargs)

    def _write_rows(self) -> None:
        if (self.row_info or self.comments or self.hyperlinks or self.constant_memory
                or self.excel_version == 2010 or self.default_row_height != self.original_row_height):
            self._to_table()
            super()._write_rows()
            return
        table = {row: cells for row, cells in self.table.items() if cells}
        column_styles = {col: f' s="{info.column_format._get_xf_index()}"'
                         for col, info in self.col_info.items() if info.column_format is not None}
        kept = {}   # col → {row: the cell's XML}
        for col, (rows, values, kind) in self._columns.items():
            ref, style = xl_col_to_name(col), column_styles.get(col, "")
            if kind == "text":
                xml = [f'<c r="{ref}{row + 1}"{style} t="s"><v>{v}</v></c>' for row, v in zip(rows, values)]
            elif kind == "int":
                xml = [f'<c r="{ref}{row + 1}"{style}><v>{v}</v></c>' for row, v in zip(rows, values)]
            else:
                xml = [f'<c r="{ref}{row + 1}"{style}><v>{v:.16G}</v></c>' for row, v in zip(rows, values)]
            kept[col] = dict(zip(rows, xml))
        # The "spans" of each block of 16 rows: the first and last column with a cell in it.
        blocks: dict[int, list[int]] = {}
        for col in sorted(self._columns):   # ascending: a block's first column is the first met
            for block in {row // 16 for row in self._columns[col][0]}:
                if block in blocks:
                    blocks[block][1] = col
                else:
                    blocks[block] = [col, col]
        for row, cells in table.items():
            low, high = min(cells), max(cells)
            span = blocks.setdefault(row // 16, [low, high])
            span[0], span[1] = min(span[0], low), max(span[1], high)
        spans = {block: f"{low + 1}:{high + 1}" for block, (low, high) in blocks.items()}
        columns = sorted(set(kept).union(*table.values()))
        kept_in_order = [kept[col] for col in sorted(kept)]
        rows = sorted(set(table).union(*(rows for rows, _, _ in self._columns.values())))
        write = self.fh.write
        for row in rows:
            out = [f'<row r="{row + 1}" spans="{spans[row // 16]}">']
            cells = table.get(row)
            if cells is None:   # the kept columns' cells only: most rows
                out += [xml for xml in map(dict.get, kept_in_order, repeat(row)) if xml is not None]
                out.append("</row>")
                write("".join(out))
                continue
            for col in columns:
                if col in cells:
                    cell = cells[col]
                    if cell.__class__ in (CellNumberTuple, CellDatetimeTuple, CellStringTuple):
                        style = (f' s="{cell.format._get_xf_index()}"' if cell.format
                                 else column_styles.get(col, ""))
                        ref = f"{xl_col_to_name(col)}{row + 1}"
                        out.append(f'<c r="{ref}"{style} t="s"><v>{cell.string}</v></c>'
                                   if cell.__class__ is CellStringTuple
                                   else f'<c r="{ref}"{style}><v>{cell.number:.16G}</v></c>')
                    else:   # any other kind of cell: XlsxWriter writes it
                        write("".join(out))
                        out.clear()
                        self._write_cell(row, col, cell)
                elif col in kept and row in kept[col]:
                    out.append(kept[col][row])
            out.append("</row>")
            write("".join(out))


def write_workbook(report: Report, path: Path) -> Path:
    """The Excel workbook: one sheet per table, header bold, shaded and frozen, a filter over the
    data, dates as real Excel dates shown dd/mm/yyyy, the total row in bold.

    Cells go straight to XlsxWriter, column by column, each written once with its final format:
    time is linear in the cells and nothing is restyled afterwards (pandas' own to_excel spends
    most of its time formatting cell objects one by one). A column of numbers or of text is
    stored at once and the rows written out by `_Sheet`. Writing makes a few small objects per
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
                ws = book.add_worksheet(sheet, worksheet_class=_Sheet)
                for j, name in enumerate(frame.columns):
                    values = frame[name]
                    items, present = _column_values(values)
                    ws.write_string(0, j, str(name), header)
                    ws.set_column(j, j, _column_width(str(name), values, items, present))
                    _write_column(ws, j, values, items, present)
                ws.freeze_panes(1, 0)
                if len(frame.columns):
                    ws.autofilter(0, 0, len(frame), len(frame.columns) - 1)
                if sheet in TOTAL_FIRST and len(frame):
                    for j, value in enumerate(frame.iloc[0].tolist()):  # the total row
                        _write_value(ws, 1, j, value, bold, bold_date)
    return path


def _write_column(ws: _Sheet, col: int, values: pd.Series, items: list, present: list[bool] | None) -> None:
    """Write one column below the header (`items`, `present`: `_column_values`); a missing value
    leaves its cell empty. A column of numbers or of text is stored at once; any other goes cell
    by cell, by each value's type."""
    rows = range(1, len(items) + 1)
    if present is not None:
        rows = [r for r, ok in zip(rows, present) if ok]
        items = [v for v, ok in zip(items, present) if ok]
    kind = values.dtype.kind
    types = set(map(type, items)) if kind == "O" else None   # what _write_value would test one by one
    if kind in "iuf" or (types and types <= {int, float}):   # int64, Int64, float64; numbers in an object column
        ws.write_numbers(list(rows), col, items, integers=kind in "iu" or types == {int})
    elif isinstance(values.dtype, pd.StringDtype) or types == {str}:
        ws.write_strings(list(rows), col, items)
    else:
        for row, value in zip(rows, items):
            _write_value(ws, row, col, value)


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
