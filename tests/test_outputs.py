import datetime as dt
import enum
import json
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook
from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

from builders import member, sample_config, write_register, write_roster
from pipeline import outputs
from pipeline.build import build_report
from pipeline.reading import load_inbox
from pipeline.rulebook import make
from pipeline.outputs import write_summary, write_workbook
from pipeline.period import Period
from pipeline.register import read_register


def _committee(tmp_path, extra=lambda inbox: None):
    """A committee whose inbox holds two cells (one bad birth date); `extra(inbox)` adds more."""
    register = read_register(write_register(tmp_path / "units.xlsx"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [
        member("Nguyễn Văn An", 1980, n=1),
        member("Hà Thị Cúc", 1998, "Nữ", admitted=dt.date(2022, 8, 1), n=2, **{"Ngày sinh": "31/02/1998"})])
    write_roster(inbox / "CB-B_2022-Q3.xlsx", "CB-B", [member("Trần Văn Bảo", 1995, admitted=dt.date(2022, 5, 1), n=3)])
    extra(inbox)
    return build_report(register, load_inbox(inbox, register), Period(2022, 3), sample_config(), dt.date(2022, 10, 27))


@pytest.fixture
def report(tmp_path):
    return _committee(tmp_path, lambda inbox: (inbox / "la.xlsx").write_bytes(b"not a workbook"))


def test_summary_json_follows_the_contract(report, tmp_path):
    path = write_summary(report, tmp_path)
    def strict(constant):
        raise AssertionError(f"{constant} is not JSON")

    data = json.loads(path.read_text(encoding="utf-8"), parse_constant=strict)
    root = data["units"][0]
    assert (root["code"], root["parent"], root["file"], root["status"]) == ("DB-T", None, None, "aggregate")
    assert data["period"] == {"year": 2022, "quarter": 3, "start": "2022-07-01", "end": "2022-09-30"}
    assert data["structure"] == {"root_type": "Đảng bộ", "upper_committees": 0, "grassroots_cells": 2, "grassroots_committees": 1,
                                 "partial_committees": 0, "subordinate_cells": 2, "cells_of_partial_committees": 0,
                                 "grassroots_children_of_root": 3}
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
                             "Quá hạn chính thức", "Cơ cấu kết nạp từ đầu năm", "Cơ cấu kết nạp trong quý"]
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


@pytest.fixture
def workbook_report(tmp_path):
    """The committee of `report` without its broken file, with one more cell: an admission in the
    quarter with a full birth date and a probationary member overdue for recognition, so every
    sheet has dates in it."""
    return _committee(tmp_path, lambda inbox: write_roster(inbox / "CB-H1_2022-Q3.xlsx", "CB-H1", [
        member("Lê Văn Cường", dt.date(1996, 4, 20), admitted=dt.date(2022, 9, 2), n=4),
        member("Đỗ Thị Dung", 1990, "Nữ", admitted=dt.date(2021, 1, 4), official=None, n=5)]))


def rows_by_first_column(ws):
    return {row[0].value: row for row in ws.iter_rows(min_row=2)}


def test_excel_dates_are_real_dates_shown_day_first(workbook_report, tmp_path):
    wb = load_workbook(write_workbook(workbook_report, tmp_path / "so-lieu.xlsx"))
    admitted = rows_by_first_column(wb["Kết nạp trong quý"])
    header = [c.value for c in wb["Kết nạp trong quý"][1]]
    cuong = dict(zip(header, admitted["Lê Văn Cường"]))
    assert cuong["Ngày sinh"].value == dt.datetime(1996, 4, 20)
    assert cuong["Ngày vào Đảng"].value == dt.datetime(2022, 9, 2)
    assert cuong["Ngày sinh"].number_format == cuong["Ngày vào Đảng"].number_format == "dd/mm/yyyy"
    assert cuong["Ngày sinh"].is_date
    cuc = dict(zip(header, admitted["Hà Thị Cúc"]))
    assert cuc["Ngày sinh"].value is None  # the unreadable 31/02/1998 stays empty, not "nan" or "None"
    overdue = wb["Quá hạn chính thức"]
    header = [c.value for c in overdue[1]]
    dung = dict(zip(header, rows_by_first_column(overdue)["Đỗ Thị Dung"]))
    assert dung["Hết hạn dự bị"].value == dt.datetime(2022, 1, 14) and dung["Hết hạn dự bị"].number_format == "dd/mm/yyyy"
    # Probation ended 14/01/2022; the 30th working day after it (Tết, 31/01–04/02, off) is 04/03/2022,
    # the last day recognition was due: 210 days before the period's end (30/09/2022).
    assert dung["Số ngày quá hạn"].value == (dt.date(2022, 9, 30) - dt.date(2022, 3, 4)).days


def test_excel_every_sheet_has_a_bold_frozen_filtered_header(workbook_report, tmp_path):
    wb = load_workbook(write_workbook(workbook_report, tmp_path / "so-lieu.xlsx"))
    assert wb.sheetnames == ["Tổng hợp theo đơn vị", "Lỗi và cảnh báo", "Tệp đã nhận", "Kết nạp trong quý",
                             "Quá hạn chính thức", "Cơ cấu kết nạp từ đầu năm", "Cơ cấu kết nạp trong quý"]
    for ws in wb.worksheets:
        header = ws[1]
        assert all(c.font.b and c.alignment.wrap_text and c.fill.fgColor.rgb.endswith("DDE6F0") for c in header)
        assert ws.freeze_panes == "A2"
        last_column = header[-1].column_letter
        assert ws.auto_filter.ref == f"A1:{last_column}{ws.max_row}", ws.title
    assert wb["Tổng hợp theo đơn vị"].max_row == 1 + len(workbook_report.units)
    assert wb["Quá hạn chính thức"].max_row == 2


def test_excel_unit_sheet_has_the_total_row_in_bold_and_every_unit(workbook_report, tmp_path):
    ws = load_workbook(write_workbook(workbook_report, tmp_path / "so-lieu.xlsx"))["Tổng hợp theo đơn vị"]
    header = [c.value for c in ws[1]]
    total = dict(zip(header, ws[2]))
    assert total["Mã đơn vị"].value == "DB-T" and total["Đảng viên"].value == 5
    assert total["Tình trạng"].value == "Tổng hợp" and total["Chỉ tiêu năm"].value == 9
    assert all(c.font.b for c in ws[2])
    assert not any(c.font.b for c in ws[3])
    units = rows_by_first_column(ws)
    assert list(units) == list(workbook_report.units.index)
    h2 = dict(zip(header, units["CB-H2"]))
    assert h2["Tình trạng"].value == "Chưa gửi" and h2["Tệp được dùng"].value is None
    assert h2["Tên đơn vị"].value == "        Chi bộ Đội Cảnh sát"  # indented by depth, as in the tree


def test_excel_columns_are_as_wide_as_their_content(workbook_report, tmp_path):
    ws = load_workbook(write_workbook(workbook_report, tmp_path / "so-lieu.xlsx"))["Tổng hợp theo đơn vị"]
    widths = {c.value: ws.column_dimensions[c.column_letter].width for c in ws[1]}
    assert widths["Tên đơn vị"] >= len("    Đảng bộ Công an huyện Đông Sơn")
    assert widths["Trong đó có giấy chứng nhận còn hạn"] >= len("Trong đó có giấy chứng nhận còn hạn")
    assert 10 <= widths["Mã đơn vị"] < widths["Tên đơn vị"]


def test_excel_text_from_a_file_is_never_a_formula_or_a_link(report, tmp_path):
    report.issues.append(make("BAD_DATE", unit="CB-A", file="CB-A_2022-Q3.xlsx", sheet="Đảng viên", row=9,
                              column="Ngày sinh", value='=HYPERLINK("http://example.vn","x")'))
    report.issues.append(make("BAD_DATE", unit="CB-A", file="CB-A_2022-Q3.xlsx", sheet="Đảng viên", row=10,
                              column="Ngày sinh", value="http://example.vn"))
    ws = load_workbook(write_workbook(report, tmp_path / "so-lieu.xlsx"))["Lỗi và cảnh báo"]
    values = {row[5].value: row[7] for row in ws.iter_rows(min_row=2) if row[1].value == "BAD_DATE"}
    assert values[9].value == '=HYPERLINK("http://example.vn","x")' and values[9].data_type == "s"
    assert values[10].value == "http://example.vn" and values[10].hyperlink is None


def test_excel_table_longer_than_a_sheet_is_cut_with_a_note(report, tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "EXCEL_MAX_ROWS", 3)  # header, one issue, the note
    ws = load_workbook(write_workbook(report, tmp_path / "so-lieu.xlsx"))["Lỗi và cảnh báo"]
    assert ws.max_row == 3
    assert ws["A3"].value.startswith(f"… còn {len(report.issues) - 1} dòng không ghi được")


# --- the fast paths write what the plain ones would --------------------------------------------

class _PerCellSheet(Worksheet):
    """XlsxWriter's own path: each cell by write_number / write_string, the rows written by XlsxWriter."""

    def write_numbers(self, rows, col, values, integers=False):
        for row, value in zip(rows, values):
            self.write_number(row, col, value)

    def write_strings(self, rows, col, values):
        for row, value in zip(rows, values):
            self.write_string(row, col, value)


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_excel_columns_written_at_once_are_xlsxwriters_own_file(workbook_report, tmp_path, monkeypatch):
    fast = write_workbook(workbook_report, tmp_path / "fast.xlsx")
    monkeypatch.setattr(outputs, "_Sheet", _PerCellSheet)
    plain = write_workbook(workbook_report, tmp_path / "plain.xlsx")
    assert _parts(fast) == _parts(plain)


def _fill(book: Workbook, sheet_class) -> None:
    """Every kind of column and cell the fast sheet takes or hands back to XlsxWriter."""
    bold, shaded = book.add_format({"bold": True}), book.add_format({"bg_color": "#DDE6F0"})
    for name, odd in (("a", False), ("b", True)):
        ws = book.add_worksheet(name, worksheet_class=sheet_class)
        rows = list(range(1, 41))
        ws.write_string(0, 0, "header", bold)
        ws.set_column(3, 3, 12, shaded)              # a column's own format, under its cells
        ws.write_numbers(rows, 0, list(range(-20, 20)), integers=True)
        ws.write_numbers(rows[:6], 1, [2 ** 53, -(2 ** 53), 2 ** 53 + 1, 10 ** 17, -(10 ** 17) - 3, 0], integers=True)
        ws.write_numbers(rows[:7], 2, [0.1, 1 / 3, 1e-7, 1e22, -0.0, 2.5, 123456789.125])
        ws.write_numbers(rows[:3], 3, [1.5, float("nan"), float("inf")])   # XlsxWriter's errors for these
        ws.write_strings(rows[::3], 4, [f"{i} & <b> \"q\" 'a' \x01 _x0041_" if i % 2 else " lead" for i in rows[::3]])
        ws.write_strings(rows[:2], 5, ["x" * 20000, "short"])               # too long to check at once
        ws.write_strings([2, 17, 33], 6, ["again", "again", "Đảng"])        # sparse, across span blocks
        ws.write_string(1, 0, "over a column", bold)                         # a later cell wins
        ws.write_number(5, 4, 7)                                             # before a column: the column wins
        ws.write_strings([5], 4, ["the column's"])
        ws.write_numbers(rows[:4], 7, [1, 2, 3, 4], integers=True)
        ws.write_numbers(rows[:2], 7, [9, 8], integers=True)                 # a column written again
        ws.write_blank(3, 0, None, bold)
        ws.write_datetime(4, 8, dt.datetime(2022, 9, 2))
        ws.write_boolean(6, 8, True)
        ws.write_formula(7, 8, "=A2+1")
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, 40, 8)
        if odd:
            ws.set_row(9, 30)                                                # XlsxWriter's own rows, then
            ws.write_comment(2, 2, "a note")


def test_a_sheet_of_columns_is_xlsxwriters_own_sheet(tmp_path):
    files = {}
    for sheet_class in (outputs._Sheet, _PerCellSheet):
        path = tmp_path / f"{sheet_class.__name__}.xlsx"
        with Workbook(str(path), {"nan_inf_to_errors": True, "default_date_format": "dd/mm/yyyy"}) as book:
            book.set_properties({"created": dt.datetime(2022, 10, 27, 8, 0)})
            _fill(book, sheet_class)
        files[sheet_class] = _parts(path)
    assert files[outputs._Sheet] == files[_PerCellSheet]


def test_excel_column_width_reads_values_as_pandas_would():
    cases = [pd.Series([0.1, 1 / 3, 1e16, 1e-5, -0.0, 100.0, None]), pd.Series(range(-5, 5000)),
             pd.Series([1, None, 2000], dtype="Int64"), pd.Series(["a", None, "bcd"], dtype="str"),
             pd.Series([dt.date(2022, 1, 1), None, dt.datetime(2022, 1, 2, 3, 4), pd.Timestamp("2022-01-01"), 1.5,
                        "x", True, 7], dtype=object),
             pd.Series(pd.to_datetime(["2022-01-01", None])), pd.Series([True, False]), pd.Series([], dtype=object)]
    for values in cases:
        sample = values.iloc[::max(1, len(values) // outputs.WIDTH_SAMPLE)].dropna().astype(str).str.len()
        expected = min(max(10, max(len("h"), int(sample.max()) if len(sample) else 0) + 2), 80)
        assert outputs._column_width("h", values, *outputs._column_values(values)) == expected, values.dtype


def test_summary_json_text_is_json_dumps_indented(workbook_report):
    class Kind(enum.StrEnum):
        A = 'a "b"'

    content = outputs.summary(workbook_report) | {"odd": [[], {}, (1, [2.5, None]), {"k": {"": [True, False]}},
                                                         {1: "int", 2.5: "float", False: "bool", None: "none", Kind.A: "enum"},
                                                         "x\ny\u2028\x00 Đảng", -0.0, 10 ** 20, 1e300]}
    assert outputs.json_text(content) == json.dumps(content, ensure_ascii=False, indent=2, allow_nan=False)
    for bad in (float("nan"), {"a": [float("inf")]}, {"a": {1, 2}}, {(1,): 2}):
        with pytest.raises((ValueError, TypeError)) as raised:
            outputs.json_text(bad)
        with pytest.raises(raised.type):
            json.dumps(bad, ensure_ascii=False, indent=2, allow_nan=False)
