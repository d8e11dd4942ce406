import datetime as dt
import json

import pytest
from openpyxl import load_workbook

from builders import member, write_register, write_roster
from pipeline.build import build_report, load_inbox
from pipeline.config import Config
from pipeline.outputs import summary, write_summary, write_workbook
from pipeline.period import Period
from pipeline.register import read_register


@pytest.fixture
def report(tmp_path):
    register = read_register(write_register(tmp_path / "units.xlsx"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [
        member("Nguyễn Văn An", 1980, n=1),
        member("Hà Thị Cúc", 1998, "Nữ", admitted=dt.date(2022, 8, 1), n=2, **{"Ngày sinh": "31/02/1998"})])
    write_roster(inbox / "CB-B_2022-Q3.xlsx", "CB-B", [member("Trần Văn Bảo", 1995, admitted=dt.date(2022, 5, 1), n=3)])
    (inbox / "la.xlsx").write_bytes(b"not a workbook")
    return build_report(register, load_inbox(inbox, register), Period(2022, 3), Config(), dt.date(2022, 10, 27))


def test_summary_json_follows_the_contract(report, tmp_path):
    path = write_summary(report, tmp_path)
    def strict(constant):
        raise AssertionError(f"{constant} is not JSON")

    data = json.loads(path.read_text(encoding="utf-8"), parse_constant=strict)
    root = data["units"][0]
    assert (root["code"], root["parent"], root["file"], root["status"]) == ("DB-T", None, None, "aggregate")
    assert data["period"] == {"year": 2022, "quarter": 3, "start": "2022-07-01", "end": "2022-09-30"}
    assert data["structure"] == {"grassroots_cells": 2, "grassroots_committees": 1, "subordinate_cells": 2}
    totals = data["totals"]
    for key in ("members", "probationary", "admitted_quarter", "admitted_ytd", "admitted_ytd_ratio",
                "recognized_quarter", "candidates", "target_year"):
        assert key in totals
    assert (totals["members"], totals["admitted_quarter"], totals["admitted_ytd"]) == (3, 1, 2)
    assert totals["admitted_ytd_ratio"] == pytest.approx(2 / 3)
    assert totals["target_year"] == 9
    cov = data["coverage"]
    assert (cov["expected"], cov["submitted"], cov["accepted"]) == (4, 2, 2)
    assert cov["missing"] == ["CB-H1", "CB-H2"] and cov["rejected"] == ["la.xlsx"]
    unit = next(u for u in data["units"] if u["code"] == "CB-A")
    assert {k: unit[k] for k in ("name", "type", "parent", "status", "members", "admitted_quarter", "admitted_ytd")} == {
        "name": "Chi bộ Phòng Tham mưu", "type": "Chi bộ cơ sở", "parent": "DB-T", "status": "accepted",
        "members": 2, "admitted_quarter": 1, "admitted_ytd": 1}
    bad = next(i for i in data["issues"] if i["rule"] == "BAD_DATE")
    assert bad == {"severity": "error", "rule": "BAD_DATE", "unit": "CB-A", "file": "CB-A_2022-Q3.xlsx",
                   "sheet": "Đảng viên", "row": 3, "column": "Ngày sinh", "value": "31/02/1998",
                   "message": bad["message"], "cell": "C3"}
    assert "ngày/tháng/năm" in bad["message"]


def test_excel_workbook_has_the_unit_table_and_the_issues(report, tmp_path):
    path = write_workbook(report, tmp_path / "so-lieu.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Tổng hợp theo đơn vị", "Lỗi và cảnh báo", "Tệp đã nhận", "Kết nạp trong quý",
                             "Quá hạn chính thức"]
    units = list(wb["Tổng hợp theo đơn vị"].values)
    header = units[0]
    assert header[:3] == ("Mã đơn vị", "Tên đơn vị", "Loại đơn vị")
    root = dict(zip(header, units[1]))
    assert root["Mã đơn vị"] == "DB-T" and root["Đảng viên"] == 3 and root["Kết nạp từ đầu năm"] == 2
    issues = list(wb["Lỗi và cảnh báo"].values)
    assert issues[0][:3] == ("Mức độ", "Mã lỗi", "Đơn vị")
    assert ("Lỗi", "BAD_DATE", "CB-A", "CB-A_2022-Q3.xlsx", "Đảng viên", 3, "Ngày sinh") in [r[:7] for r in issues]
    files = {r[0]: r for r in wb["Tệp đã nhận"].values}
    assert files["la.xlsx"][3] == "Không dùng được"


def test_outputs_replace_files_atomically(report, tmp_path):
    (tmp_path / "summary.json").write_text("old")
    write_summary(report, tmp_path)
    assert json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["totals"]["members"] == 3
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
