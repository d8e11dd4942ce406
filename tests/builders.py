"""Small workbooks built inside the tests: a register and rosters in the template layout.

Sheet names, headers, info labels and unit types come from `pipeline.contract`, so these workbooks
follow the template wherever it goes; what a test expects stays written in the test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dataclasses import replace

from openpyxl import Workbook

from pipeline import contract
from pipeline.config import Config, load_config
from pipeline.contract import GRASSROOTS_CELL, GRASSROOTS_COMMITTEE, LABELS, ROOT, SUBORDINATE_CELL

REGISTER_HEADER = list(contract.REGISTER_HEADERS)
MEMBER_HEADER = list(contract.MEMBER_HEADERS)
CANDIDATE_HEADER = list(contract.CANDIDATE_HEADERS)
STT = LABELS["row_number"]

# A small committee: root, two chi bộ cơ sở, one đảng bộ cơ sở with two chi bộ trực thuộc.
SMALL_REGISTER = [
    ["DB-T", "Đảng bộ Công an tỉnh", ROOT, None, None, None],
    ["CB-A", "Chi bộ Phòng Tham mưu", GRASSROOTS_CELL, "DB-T", "a@example.vn", 3],
    ["CB-B", "Chi bộ Phòng Hậu cần", GRASSROOTS_CELL, "DB-T", None, 2],
    ["DB-H", "Đảng bộ Công an huyện Đông Sơn", GRASSROOTS_COMMITTEE, "DB-T", None, 4],
    ["CB-H1", "Chi bộ Đội An ninh", SUBORDINATE_CELL, "DB-H", None, None],
    ["CB-H2", "Chi bộ Đội Cảnh sát", SUBORDINATE_CELL, "DB-H", None, None],
]


def write_register(path: Path, rows=SMALL_REGISTER, header=REGISTER_HEADER) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = contract.REGISTER_SHEET
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def cccd(n: int, gender: str = "Nam", born: int = 1990) -> str:
    digit = (0 if born < 2000 else 2) + (1 if gender == "Nữ" else 0)
    return f"049{digit}{born % 100:02d}{n:06d}"


def member(name, born, gender="Nam", admitted="auto", official="auto", n=1, **extra):
    """One member row as a dict keyed by template header.

    `admitted="auto"`: at 25; `official="auto"`: 12 months + 5 days after the ceremony, if by 30/09/2022."""
    born = born if isinstance(born, dt.date) else dt.date(born, 3, 15)
    if admitted == "auto":
        admitted = dt.date(born.year + 25, 5, 1)
    ceremony = extra.pop("ceremony", admitted + dt.timedelta(days=10) if isinstance(admitted, dt.date) else None)
    if official == "auto":
        official = dt.date(ceremony.year + 1, ceremony.month, min(ceremony.day, 28)) + dt.timedelta(days=5) \
            if isinstance(ceremony, dt.date) else None
        if official is not None and official > dt.date(2022, 9, 30):
            official = None
    by_key = {
        "full_name": name, "birth_date": born, "gender": gender, "ethnicity": "Kinh", "religion": "Không",
        "citizen_id": cccd(n, gender, born.year), "admitted_on": admitted, "ceremony_on": ceremony,
        "official_on": official, "youth_union": "x", "education": "Đại học", "note": None,
    }
    row = {LABELS[key]: value for key, value in by_key.items()}
    row.update(extra)
    return row


def write_roster(path: Path, code: str | None, members: list[dict], *, year=2022, quarter=3, name=None,
                 created=dt.date(2022, 10, 3), candidates: list[dict] = (), header=MEMBER_HEADER,
                 titles: list[str] = (), info=True, member_sheet=contract.MEMBER_SHEET,
                 footer: list[list] = ()) -> Path:
    wb = Workbook()
    ws = wb.active
    if info:
        ws.title = contract.INFO_SHEET
        values = {"code": code, "name": name, "year": year, "quarter": quarter, "created_on": created,
                  "created_by": "Lê Thị Thu"}
        for key, value in values.items():
            if value is not None:
                ws.append([contract.INFO_FIELDS[key], value])
        ws = wb.create_sheet(member_sheet)
    else:
        ws.title = member_sheet
    for title in titles:
        ws.append([title])
    # A header entry is the template's name, or (name as written, template's name).
    pairs = [h if isinstance(h, tuple) else (h, h) for h in header]
    ws.append([written for written, _ in pairs])
    for i, m in enumerate(members, start=1):
        ws.append([i if key == STT else m.get(key) for _, key in pairs] if m else [])
    for row in footer:
        ws.append(row)
    if candidates or info:
        cs = wb.create_sheet(contract.CANDIDATE_SHEET)
        cs.append(CANDIDATE_HEADER)
        for i, c in enumerate(candidates, start=1):
            cs.append([i if h == STT else c.get(h) for h in CANDIDATE_HEADER])
    wb.save(path)
    return path


REPO = Path(__file__).resolve().parents[1]


def sample_config(**settings) -> Config:
    """The samples' committee settings (input_samples/pipeline.toml), with `settings` changed:
    the built-in defaults name no committee."""
    return replace(load_config(REPO / "input_samples" / "pipeline.toml"), **settings)
