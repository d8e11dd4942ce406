import datetime as dt

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from builders import MEMBER_HEADER, member, write_roster
from pipeline.roster import read_workbook


def rules(wb):
    return [(i.rule, i.sheet, i.row, i.column) for i in wb.issues]


def test_template_file_gives_members_with_excel_row_numbers(tmp_path):
    path = write_roster(tmp_path / "CB-A.xlsx", "CB-A", [member("Nguyễn Văn An", 1990, n=1),
                                                         member("Trần Thị Bình", 1992, "Nữ", n=2)])
    wb = read_workbook(path)
    assert wb.issues == []
    assert wb.info["code"] == "CB-A" and wb.info["quarter"] == 3
    assert list(wb.members.rows["full_name"]) == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert list(wb.members.rows["row"]) == [2, 3]
    assert wb.members.headers["citizen_id"] == "Số CCCD"


def test_title_rows_aliases_and_any_column_order(tmp_path):
    header = ["Số CCCD", ("Ngày vào đảng", "Ngày vào Đảng"), ("Họ tên", "Họ và tên"), ("Sinh ngày", "Ngày sinh"),
              "Giới tính", "Dân tộc"]
    path = write_roster(tmp_path / "x.xlsx", "CB-A", [member("Lê Văn Cường", 1985, n=3)], header=header,
                        titles=["DANH SÁCH ĐẢNG VIÊN", "Chi bộ Phòng Tham mưu"])
    wb = read_workbook(path)
    assert wb.titles == ["DANH SÁCH ĐẢNG VIÊN", "Chi bộ Phòng Tham mưu"]
    rows = wb.members.rows
    assert rows.loc[0, "full_name"] == "Lê Văn Cường" and rows.loc[0, "row"] == 4
    assert wb.members.headers["full_name"] == "Họ tên"
    assert wb.members.headers["birth_date"] == "Sinh ngày"
    assert wb.members.headers["admitted_on"] == "Ngày vào đảng"


def test_birth_date_under_nam_nu_subcolumns_gives_the_gender(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "DS đảng viên"
    ws["A1"], ws["B1"], ws["C1"] = "STT", "Họ và tên", "Ngày sinh"
    ws.merge_cells("C1:D1")
    ws["C2"], ws["D2"] = "Nam", "Nữ"
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:B2")
    for col, text in zip("EFGH", ["Dân tộc", "Số CCCD", "Ngày vào Đảng", "Ngày chính thức"]):
        ws[f"{col}1"] = text
        ws.merge_cells(f"{col}1:{col}2")
    ws.append([1, "Võ Văn Dũng", dt.date(1988, 1, 2), None, "Kinh", "049088000001", dt.date(2010, 1, 1), None])
    ws.append([2, "Đỗ Thị Hoa", None, dt.date(1991, 5, 6), "Tày", "049191000002", dt.date(2012, 1, 1), None])
    path = tmp_path / "CB-A.xlsx"
    wb.save(path)
    book = read_workbook(path)
    rows = book.members.rows
    assert list(rows["gender"]) == ["Nam", "Nữ"]
    assert rows.loc[1, "birth_date"] == pd.Timestamp(1991, 5, 6)   # a real date (kept as datetime64)
    assert list(rows["row"]) == [3, 4]
    assert not [i for i in book.issues if i.rule == "MISSING_COLUMN" and i.column == "Giới tính"]


def test_blank_rows_totals_and_signature_block_are_not_members(tmp_path):
    members = [member("Nguyễn Văn An", 1990, n=1), {}, member("Trần Văn Bảo", 1991, n=2)]
    footer = [[None, "Tổng cộng: 2 đồng chí"], [], [None, None, None, None, "T/M CHI BỘ"],
              [None, None, None, None, "BÍ THƯ"], [], [None, None, None, None, "Phan Văn Khải"]]
    path = write_roster(tmp_path / "CB-A.xlsx", "CB-A", members, footer=footer)
    rows = read_workbook(path).members.rows
    assert list(rows["full_name"]) == ["Nguyễn Văn An", "Trần Văn Bảo"]
    assert list(rows["row"]) == [2, 4]


def test_one_sheet_workbook_holds_members(tmp_path):
    path = write_roster(tmp_path / "CB-A.xlsx", "CB-A", [member("Nguyễn Văn An", 1990)], info=False,
                        member_sheet="Sheet1")
    wb = read_workbook(path)
    assert wb.members.sheet == "Sheet1" and len(wb.members.rows) == 1


def test_missing_required_column_is_an_error_at_the_header_row(tmp_path):
    header = [h for h in MEMBER_HEADER if h != "Dân tộc"]
    wb = read_workbook(write_roster(tmp_path / "CB-A.xlsx", "CB-A", [member("A B", 1990)], header=header))
    assert ("MISSING_COLUMN", "Đảng viên", 1, "Dân tộc") in rules(wb)


def test_not_a_spreadsheet_and_broken_files_are_issues_not_crashes(tmp_path):
    (tmp_path / "note.txt").write_text("xin chào")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    assert [i.rule for i in read_workbook(tmp_path / "note.txt").issues] == ["FILE_NOT_SPREADSHEET"]
    broken = read_workbook(tmp_path / "broken.xlsx")
    assert [i.rule for i in broken.issues] == ["FILE_UNREADABLE"]
    assert "lưu lại dạng .xlsx" in broken.issues[0].message


def test_workbook_without_a_member_table_says_so(tmp_path):
    wb = Workbook()
    wb.active.append(["Báo cáo", "không có danh sách"])
    wb.save(tmp_path / "x.xlsx")
    assert [i.rule for i in read_workbook(tmp_path / "x.xlsx").issues] == ["NO_MEMBER_SHEET"]


def test_tcvn3_text_is_converted_with_one_warning_per_sheet(tmp_path):
    header = [("Hä vµ tªn", "Họ và tên"), "Ngày sinh", ("Giíi tÝnh", "Giới tính"), ("D©n téc", "Dân tộc"),
              "Số CCCD", "Ngày vào Đảng"]
    rows = [member("NguyÔn V¨n An", 1990, n=1, **{"Dân tộc": "Th¸i"}),
            member("TrÇn ThÞ B×nh", 1991, "N÷", n=2)]
    path = write_roster(tmp_path / "CB-A.xlsx", "CB-A", rows, header=header)
    book = load_workbook(path)
    for cell in (c for row in book["Đảng viên"].iter_rows() for c in row):
        cell.font = Font(name=".VnTime")   # as the clerk typed it
    book.save(path)
    wb = read_workbook(path)
    members = wb.members.rows
    assert list(members["full_name"]) == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert list(members["gender"]) == ["Nam", "Nữ"]
    assert members.loc[0, "ethnicity"] == "Thái"
    warnings = [i for i in wb.issues if i.rule == "TCVN3_CONVERTED"]
    assert [(i.sheet, i.cell) for i in warnings] == [("Đảng viên", "A1")]
    assert "7 ô" in warnings[0].message and "\"Hä vµ tªn\" → \"Họ và tên\"" in warnings[0].message


def test_unicode_vietnamese_is_never_taken_for_tcvn3(tmp_path):
    rows = [member("Nguyễn Thị Ánh Tuyết", 1990, "Nữ", n=1, **{"Ghi chú": "Bí thư chi bộ; được khen thưởng"})]
    wb = read_workbook(write_roster(tmp_path / "CB-A.xlsx", "CB-A", rows))
    assert wb.issues == []
    assert wb.members.rows.loc[0, "full_name"] == "Nguyễn Thị Ánh Tuyết"


def test_password_protected_workbook_says_to_remove_the_password():
    from pathlib import Path

    wb = read_workbook(Path(__file__).parent / "data" / "protected" / "mat-khau.xlsx")
    assert [i.rule for i in wb.issues] == ["FILE_PROTECTED"]
    assert "Bỏ mật khẩu" in wb.issues[0].message


def _sheet_with(tmp_path, name, rows):
    """A roster whose member sheet holds exactly `rows` (an info sheet before it)."""
    wb = Workbook()
    wb.active.title = "Thông tin"
    for pair in (("Mã đơn vị", "CB-A"), ("Năm", 2022), ("Quý", 3)):
        wb.active.append(pair)
    ws = wb.create_sheet("Đảng viên")
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def _row(n, name, born):
    values = member(name, born, n=n)
    return [n if h == "STT" else values.get(h) for h in MEMBER_HEADER]


def test_section_rows_inside_the_table_are_headings_not_people(tmp_path):
    path = _sheet_with(tmp_path, "muc.xlsx", [
        MEMBER_HEADER,
        ["I. ĐẢNG VIÊN CHÍNH THỨC"],
        _row(1, "Nguyễn Văn An", 1980),
        ["II. ĐẢNG VIÊN DỰ BỊ"],
        _row(2, "Trần Thị Bình", 1990),
    ])
    wb = read_workbook(path)
    assert list(wb.members.rows["full_name"]) == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert list(wb.members.rows["row"]) == [3, 5]


def test_a_lone_name_is_still_a_persons_row(tmp_path):
    path = _sheet_with(tmp_path, "ten.xlsx", [MEMBER_HEADER, _row(1, "Nguyễn Văn An", 1980), [None, "LÊ VĂN CHỈ TÊN"]])
    wb = read_workbook(path)
    assert list(wb.members.rows["full_name"]) == ["Nguyễn Văn An", "LÊ VĂN CHỈ TÊN"]


def test_candidates_listed_under_the_members_on_the_same_sheet_are_candidates(tmp_path):
    cand_header = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Ngày cấp giấy chứng nhận", "Đảng viên giúp đỡ 1"]
    path = _sheet_with(tmp_path, "chung.xlsx", [
        MEMBER_HEADER,
        _row(1, "Nguyễn Văn An", 1980),
        _row(2, "Trần Thị Bình", 1990),
        [],
        ["DANH SÁCH QUẦN CHÚNG ƯU TÚ"],
        cand_header,
        [1, "Phạm Văn Cảm", dt.datetime(2000, 1, 2), "Nam", dt.datetime(2022, 3, 1), "Nguyễn Văn An"],
    ])
    wb = read_workbook(path)
    assert list(wb.members.rows["full_name"]) == ["Nguyễn Văn An", "Trần Thị Bình"]   # no header as a person
    assert list(wb.candidates.rows["full_name"]) == ["Phạm Văn Cảm"]
    assert list(wb.candidates.rows["row"]) == [7]
    assert wb.issues == []
