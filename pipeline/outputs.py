"""summary.json and the Excel workbook (DOMAIN §7), written safely: temp file, then rename."""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from pipeline.issues import SEVERITY_VI
from pipeline.report import Report

SUMMARY_TOTALS = ("members", "probationary", "admitted_quarter", "admitted_ytd", "recognized_quarter",
                  "candidates", "candidates_certified", "overdue")
UNIT_FIGURES = ("members", "probationary", "admitted_quarter", "admitted_ytd", "recognized_quarter",
                "candidates", "candidates_certified", "overdue", "cells_expected", "cells_accepted")


def pdf_name(report: Report) -> str:
    return f"bao-cao-phat-trien-dang-vien-{report.period.slug}.pdf"


def workbook_name(report: Report) -> str:
    return f"so-lieu-phat-trien-dang-vien-{report.period.slug}.xlsx"


@contextmanager
def atomic_path(path: Path):
    """Yield a temporary path beside `path`; it replaces `path` only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _text_or_none(value):
    return value if isinstance(value, str) else None


def _int_or_none(value):
    return None if pd.isna(value) else int(value)


def summary(report: Report) -> dict:
    totals = report.totals
    p = report.period
    out = {
        "period": {"year": p.year, "quarter": p.quarter, "start": p.start.isoformat(), "end": p.end.isoformat()},
        "report_date": report.report_date.isoformat(),
        "structure": dict(report.structure),
        "totals": {k: int(totals[k]) for k in SUMMARY_TOTALS},
        "coverage": {
            "expected": report.coverage.expected, "submitted": report.coverage.submitted,
            "accepted": report.coverage.accepted, "rejected": list(report.coverage.rejected),
            "missing": list(report.coverage.missing), "complete": report.coverage.complete,
        },
        "units": [],
        "issues": [i.to_dict() for i in report.issues],
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
    for code, u in report.units.iterrows():
        row = {"code": code, "name": u["name"], "type": u["type"], "parent": _text_or_none(u["parent"]),
               "depth": int(u["depth"]), "status": u["status"], "file": _text_or_none(u["file"])}
        row.update({k: int(u[k]) for k in UNIT_FIGURES})
        row["target_year"] = _int_or_none(u["target_year"])
        out["units"].append(row)
    return out


def write_summary(report: Report, folder: Path) -> Path:
    path = folder / "summary.json"
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(summary(report), ensure_ascii=False, indent=2, allow_nan=False), encoding="utf-8")
    return path


# Excel: the department's own column names.
UNIT_HEADERS = {
    "code": "Mã đơn vị", "name": "Tên đơn vị", "type": "Loại đơn vị", "parent": "Mã cấp trên",
    "status_vi": "Tình trạng", "members": "Đảng viên", "probationary": "Dự bị",
    "admitted_quarter": "Kết nạp trong quý", "admitted_ytd": "Kết nạp từ đầu năm",
    "target_year": "Chỉ tiêu năm", "achievement": "Đạt chỉ tiêu (%)",
    "recognized_quarter": "Công nhận chính thức trong quý", "overdue": "Quá hạn xét chính thức",
    "candidates": "Quần chúng ưu tú", "candidates_certified": "Trong đó có giấy chứng nhận còn hạn",
    "cells_expected": "Số chi bộ", "cells_accepted": "Chi bộ có số liệu", "file": "Tệp được dùng",
}
STATUS_VI = {"accepted": "Đã nhận", "rejected": "Tệp không dùng được", "missing": "Chưa gửi", "aggregate": "Tổng hợp"}
ISSUE_HEADERS = {"severity_vi": "Mức độ", "rule": "Mã lỗi", "unit": "Đơn vị", "file": "Tệp", "sheet": "Trang",
                 "row": "Dòng", "column": "Cột", "value": "Giá trị", "message": "Nội dung và cách sửa"}


def workbook_tables(report: Report) -> dict[str, pd.DataFrame]:
    units = report.units.reset_index().rename(columns={"index": "code"})
    units["name"] = ["    " * d + n for d, n in zip(units["depth"], units["name"])]
    units["status_vi"] = units["status"].map(STATUS_VI)
    units["achievement"] = [round(100 * a / t, 1) if not pd.isna(t) and t else None
                            for a, t in zip(units["admitted_ytd"], units["target_year"])]
    units = units[list(UNIT_HEADERS)].rename(columns=UNIT_HEADERS)
    issues = pd.DataFrame([i.to_dict() for i in report.issues], columns=[*ISSUE_HEADERS, "severity"])
    issues["severity_vi"] = issues["severity"].map(SEVERITY_VI)
    issues = issues[list(ISSUE_HEADERS)].rename(columns=ISSUE_HEADERS)
    files = report.files.rename(columns={"file": "Tệp", "unit": "Đơn vị", "period": "Kỳ", "status_vi": "Tình trạng",
                                         "errors": "Số lỗi", "warnings": "Số cảnh báo"}).drop(columns=["status", "path"])
    admitted = report.admitted_in_quarter.rename(columns={
        "full_name": "Họ và tên", "birth_date": "Ngày sinh", "gender": "Giới tính", "unit_code": "Mã đơn vị",
        "unit_name": "Đơn vị", "admitted_on": "Ngày vào Đảng"})
    overdue = report.overdue.rename(columns={
        "full_name": "Họ và tên", "unit_code": "Mã đơn vị", "unit_name": "Đơn vị",
        "probation_start": "Bắt đầu dự bị", "due_on": "Hết hạn dự bị", "days_overdue": "Số ngày quá hạn"})
    return {"Tổng hợp theo đơn vị": units, "Lỗi và cảnh báo": issues, "Tệp đã nhận": files,
            "Kết nạp trong quý": admitted, "Quá hạn chính thức": overdue}


def write_workbook(report: Report, path: Path) -> Path:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for sheet, frame in workbook_tables(report).items():
                frame.to_excel(writer, sheet_name=sheet, index=False)
                ws = writer.sheets[sheet]
                ws.freeze_panes = "A2"
                if len(frame.columns):
                    ws.auto_filter.ref = ws.dimensions
                for cell in ws[1]:
                    cell.font = Font(bold=True)
                    cell.fill = PatternFill("solid", fgColor="DDE6F0")
                    cell.alignment = Alignment(wrap_text=True, vertical="center")
                for j, name in enumerate(frame.columns, start=1):
                    longest = max([len(str(name))] + [len(str(v)) for v in frame[name].head(500) if v is not None])
                    ws.column_dimensions[get_column_letter(j)].width = min(max(10, longest + 2), 80)
                for col in ws.iter_cols(min_row=2):
                    for cell in col:
                        if hasattr(cell.value, "year"):
                            cell.number_format = "dd/mm/yyyy"
            if "Tổng hợp theo đơn vị" in writer.sheets:
                ws = writer.sheets["Tổng hợp theo đơn vị"]
                for cell in ws[2]:
                    cell.font = Font(bold=True)
    return path
