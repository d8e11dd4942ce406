"""Shared fixtures. Each section builds one kind of input by hand, so a test reads its numbers here."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipeline import rulebook
from builders import member, sample_config, write_register, write_roster
from pipeline.period import Period
from pipeline.report import FIGURE_COLUMNS, Coverage, Report

# ================================================================================================
# small_report: a hand-made Report for the renderers (quý III năm 2022)
#
#   DB-CAT     Đảng bộ Công an tỉnh (root)                  1.098 members, 34 admitted since 1/1
#   ├─ CB-PC01   Chi bộ Phòng Tham mưu (chi bộ cơ sở)          410, target 12
#   ├─ CB-PC02   Chi bộ Phòng Cảnh sát hình sự (chi bộ cơ sở)  352, target 10
#   └─ DB-CAH    Đảng bộ Công an huyện Bình Sơn (đảng bộ cơ sở)
#      ├─ CB-CAH-01  Chi bộ Đội Cảnh sát điều tra (chi bộ trực thuộc)  336, target 8
#      └─ CB-CAH-02  Chi bộ Công an xã Ăn Tây (chi bộ trực thuộc)  MISSING, target 4
#
# Two people admitted in the quarter (Vietnamese order: Trần Văn Dũng before Nguyễn Thị Đào),
# one probationary member overdue, five issues (2 errors, 3 warnings).
# The fixture is session-scoped: do not mutate it; use dataclasses.replace and copies.
# ================================================================================================

_SMALL_TREE = [
    # code, name, type, parent, target
    ("DB-CAT", "Đảng bộ Công an tỉnh", "Đảng bộ", None, None),
    ("CB-PC01", "Chi bộ Phòng Tham mưu", "Chi bộ cơ sở", "DB-CAT", 12),
    ("CB-PC02", "Chi bộ Phòng Cảnh sát hình sự", "Chi bộ cơ sở", "DB-CAT", 10),
    ("DB-CAH", "Đảng bộ Công an huyện Bình Sơn", "Đảng bộ cơ sở", "DB-CAT", None),
    ("CB-CAH-01", "Chi bộ Đội Cảnh sát điều tra", "Chi bộ trực thuộc", "DB-CAH", 8),
    ("CB-CAH-02", "Chi bộ Công an xã Ăn Tây", "Chi bộ trực thuộc", "DB-CAH", 4),
]

# Figures of the cells that sent a usable file; a missing cell has all zeros.
_SMALL_CELL_FIGURES = {
    "CB-PC01": {
        "members": 410, "probationary": 14, "admitted_quarter": 1, "admitted_ytd": 12,
        "admitted_q1": 5, "admitted_q2": 6, "admitted_q3": 1, "recognized_quarter": 3,
        "candidates": 9, "candidates_certified": 7, "ytd_women": 3, "ytd_minority": 1,
        "ytd_religion": 0, "ytd_youth_union": 11, "ytd_age_18_30": 10, "ytd_age_known": 12,
        "ytd_age_sum": 312, "overdue": 1,
    },
    "CB-PC02": {
        "members": 352, "probationary": 10, "admitted_quarter": 0, "admitted_ytd": 10,
        "admitted_q1": 4, "admitted_q2": 6, "admitted_q3": 0, "recognized_quarter": 2,
        "candidates": 6, "candidates_certified": 6, "ytd_women": 2, "ytd_minority": 0,
        "ytd_religion": 1, "ytd_youth_union": 9, "ytd_age_18_30": 8, "ytd_age_known": 10,
        "ytd_age_sum": 270, "overdue": 0,
    },
    "CB-CAH-01": {  # one admission of the year has no usable birth date (age known for 11)
        "members": 336, "probationary": 12, "admitted_quarter": 1, "admitted_ytd": 12,
        "admitted_q1": 3, "admitted_q2": 8, "admitted_q3": 1, "recognized_quarter": 4,
        "candidates": 8, "candidates_certified": 5, "ytd_women": 4, "ytd_minority": 2,
        "ytd_religion": 0, "ytd_youth_union": 10, "ytd_age_18_30": 9, "ytd_age_known": 11,
        "ytd_age_sum": 297, "overdue": 0,
    },
}
_SMALL_MISSING = {"CB-CAH-02"}


def _build_units(tree, cell_figures, missing, rejected=frozenset()) -> pd.DataFrame:
    """Units in tree order with every column Report.units has; non-cells sum their subtree."""
    parents = {code: parent for code, _, _, parent, _ in tree}
    children: dict[str | None, list[str]] = {}
    for code, *_ in tree:
        children.setdefault(parents[code], []).append(code)
    info = {code: (name, kind, parent, target) for code, name, kind, parent, target in tree}

    rows: list[dict] = []

    def visit(code: str, depth: int) -> dict:
        name, kind, parent, target = info[code]
        kids = sorted(children.get(code, []))
        row = {"code": code, "name": name, "type": kind, "parent": parent, "depth": depth,
               "is_cell": not kids}
        rows.append(row)
        figures = dict.fromkeys(FIGURE_COLUMNS, 0)
        targets = [] if target is None else [target]
        if kids:
            row.update(status="aggregate", file=None)
            for kid in kids:
                kid_row = visit(kid, depth + 1)
                for col in FIGURE_COLUMNS:
                    figures[col] += kid_row[col]
                if not pd.isna(kid_row["target_year"]):
                    targets.append(kid_row["target_year"])
        else:
            status = "missing" if code in missing else "rejected" if code in rejected else "accepted"
            row.update(status=status, file=f"{code}_2022-Q3.xlsx" if status != "missing" else None)
            figures.update(cells_expected=1, cells_submitted=int(status != "missing"),
                           cells_accepted=int(status == "accepted"))
            if status == "accepted":
                figures.update(cell_figures[code])
        row["target_year"] = sum(targets) if targets else pd.NA
        row.update(figures)
        return row

    root = children[None][0]
    visit(root, 0)
    units = pd.DataFrame(rows).set_index("code")
    units["target_year"] = units["target_year"].astype("Int64")
    for col in FIGURE_COLUMNS:
        units[col] = units[col].astype(int)
    return units


def build_small_report() -> Report:
    units = _build_units(_SMALL_TREE, _SMALL_CELL_FIGURES, _SMALL_MISSING)
    admitted = pd.DataFrame([
        {"full_name": "Nguyễn Thị Đào", "birth_date": dt.date(1998, 2, 14), "gender": "Nữ",
         "unit_code": "CB-CAH-01", "unit_name": "Chi bộ Đội Cảnh sát điều tra",
         "admitted_on": dt.date(2022, 8, 19)},
        {"full_name": "Trần Văn Dũng", "birth_date": dt.date(1995, 9, 5), "gender": "Nam",
         "unit_code": "CB-PC01", "unit_name": "Chi bộ Phòng Tham mưu",
         "admitted_on": dt.date(2022, 7, 6)},
    ])
    overdue = pd.DataFrame([
        {"full_name": "Lê Văn Bình", "unit_code": "CB-PC01", "unit_name": "Chi bộ Phòng Tham mưu",
         "probation_start": dt.date(2021, 6, 1), "due_on": dt.date(2022, 7, 1),
         "recognition_due": dt.date(2022, 8, 12), "days_overdue": 49},
    ])
    found = [
        rulebook.make("REQUIRED_MISSING", unit="CB-PC01", file="CB-PC01_2022-Q3.xlsx",
                    sheet="Đảng viên", row=14, column="Ngày sinh"),
        rulebook.make("BAD_DATE", unit="CB-PC02", file="CB-PC02_2022-Q3.xlsx", sheet="Đảng viên",
                    row=9, column="Ngày vào Đảng", value="31/02/2019"),
        rulebook.make("RECOGNITION_OVERDUE", unit="CB-PC01", file="CB-PC01_2022-Q3.xlsx",
                    sheet="Đảng viên", row=22, column="Ngày chính thức", detail="01/06/2021"),
        rulebook.make("CCCD_OLD_CMND", unit="CB-CAH-01", file="CB-CAH-01_2022-Q3.xlsx",
                    sheet="Đảng viên", row=7, column="Số CCCD", value="212345678"),
        rulebook.make("UNIT_MISSING", unit="CB-CAH-02"),
    ]
    return Report(
        period=Period(2022, 3),
        config=sample_config(report_date=dt.date(2022, 10, 27)),
        report_date=dt.date(2022, 10, 27),
        units=units,
        structure={"grassroots_cells": 2, "grassroots_committees": 1, "subordinate_cells": 2},
        coverage=Coverage(expected=4, submitted=3, accepted=3, rejected=[], missing=["CB-CAH-02"]),
        admitted_in_quarter=admitted,
        overdue=overdue,
        issues=found,
    )


@pytest.fixture(scope="session")
def small_report() -> Report:
    return build_small_report()


@pytest.fixture
def committee(tmp_path):
    """A register (builders.SMALL_REGISTER) and an inbox with one cell's file of two members, one
    admitted in the quarter (test_app, test_word; other files define their own committee)."""
    write_register(tmp_path / "units.xlsx")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [
        member("Nguyễn Văn An", 1990, n=1),
        member("Trần Thị Bình", 1996, "Nữ", n=2, admitted=dt.date(2022, 8, 1), official=None),
    ])
    return tmp_path
