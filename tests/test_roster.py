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


# --- what a file is, by its bytes; what it may cost ----------------------------------------------

import io  # noqa: E402
import zipfile  # noqa: E402

import pytest  # noqa: E402

from builders import write_register  # noqa: E402
from pipeline.app import check_files  # noqa: E402
from pipeline.config import LimitSettings, load_config  # noqa: E402
from pipeline.errors import PipelineError  # noqa: E402
from pipeline.reading import load_inbox  # noqa: E402
from pipeline.register import read_register  # noqa: E402

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _xlsx(sheet_data: str, root: str = "worksheet", extra_parts=()) -> bytes:
    """A one-sheet .xlsx ("Đảng viên") whose sheetData is `sheet_data`, written by hand."""
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                               '<Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets><sheet name="Đảng viên" sheetId="1" '
                           'r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                                      f'relationships"><Relationship Id="rId1" Type="{RELS}/worksheet" '
                                      'Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<{root} xmlns="{MAIN}" xmlns:x="{MAIN}"><sheetData>{sheet_data}</sheetData>'
                                    f'</{root}>',
        **dict(extra_parts),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return buffer.getvalue()


HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>Họ và tên</t></is></c>' \
             '<c r="B1" t="inlineStr"><is><t>Ngày vào Đảng</t></is></c></row>' \
             '<row r="2"><c r="A2" t="inlineStr"><is><t>Nguyễn Văn An</t></is></c>' \
             '<c r="B2" t="inlineStr"><is><t>01/02/2010</t></is></c></row>'


def test_a_file_is_known_by_its_bytes_not_by_its_name(tmp_path):
    workbook = write_roster(tmp_path / "CB-A.xlsx", "CB-A", [member("Nguyễn Văn An", 1990)]).read_bytes()
    (tmp_path / "CB-A cu.xls").write_bytes(workbook)            # an .xlsx saved as .xls: read as what it is
    assert read_workbook(tmp_path / "CB-A cu.xls").issues == []
    (tmp_path / "CB-A.txt").write_bytes(workbook)
    misnamed = read_workbook(tmp_path / "CB-A.txt").issues
    assert [i.rule for i in misnamed] == ["FILE_WRONG_SUFFIX"]
    assert "đuôi \".txt\"" in misnamed[0].message and "đuôi .xlsx" in misnamed[0].message
    word = io.BytesIO()
    with zipfile.ZipFile(word, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    (tmp_path / "CB-A.xlsx").write_bytes(word.getvalue())
    (tmp_path / "xuat.xls").write_text("<html><body><table><tr><td>Họ và tên</td></tr></table></body></html>")
    assert read_workbook(tmp_path / "CB-A.xlsx").issues[0].message.startswith(
        "Tệp này là tài liệu Word đổi đuôi thành .xlsx, không phải bảng tính Excel. Mở danh sách bằng Excel")
    assert "trang web (HTML) đổi đuôi thành .xls" in read_workbook(tmp_path / "xuat.xls").issues[0].message


@pytest.mark.parametrize("far", [
    '<row r="5"><c r="XFD5"><v>1</v></c></row>',                  # the usual way
    '<row r="5"><c r="xfd5"><v>1</v></c></row>',                  # lower case: calamine still reads it
    '<row r="5"><c\tr="XFD5"><v>1</v></c></row>',                 # a tab before r
    '<row r="5"><c t="n" r="XFD5"><v>1</v></c></row>',            # r not first
    "<row r='5'><c r='XFD5'><v>1</v></c></row>",                  # single quotes
    '<row r="5"><x:c r="XFD5"><x:v>1</x:v></x:c></row>',          # a namespace prefix
    '<row r="5">' + "<c><v>1</v></c>" * 300 + "</row>",           # no r: the 300th cell is column KN
    '<row r="5"><c r="AAAAA5"><v>1</v></c></row>',                # more letters than a sheet has
])
def test_a_sheet_reaching_past_the_column_limit_is_refused_before_calamine_sees_it(tmp_path, far):
    (tmp_path / "CB-A.xlsx").write_bytes(_xlsx(HEADER_ROW + far))
    issues = read_workbook(tmp_path / "CB-A.xlsx").issues
    assert [i.rule for i in issues] == ["FILE_TOO_LARGE"]
    assert "giới hạn 200 cột một trang (trang \"Đảng viên\"" in issues[0].message


def test_a_styled_empty_cell_far_away_costs_nothing_and_is_not_refused(tmp_path):
    (tmp_path / "CB-A.xlsx").write_bytes(_xlsx(HEADER_ROW + '<row r="1048576"><c r="XFD1048576" s="1"/></row>'))
    wb = read_workbook(tmp_path / "CB-A.xlsx")
    assert list(wb.members.rows["full_name"]) == ["Nguyễn Văn An"]
    assert not [i for i in wb.issues if i.rule.startswith("FILE_")]


def test_an_xml_entity_declaration_is_refused_in_vietnamese(tmp_path):
    laughs = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    data = _xlsx(HEADER_ROW, extra_parts={"xl/sharedStrings.xml": laughs + f'<sst xmlns="{MAIN}"><si><t>&b;</t>'
                                                                           "</si></sst>"})
    (tmp_path / "CB-A.xlsx").write_bytes(data)
    issues = read_workbook(tmp_path / "CB-A.xlsx").issues
    assert [i.rule for i in issues] == ["FILE_SUSPICIOUS"]
    assert "\"xl/sharedStrings.xml\" khai báo thực thể XML bằng DOCTYPE" in issues[0].message
    assert "entity" not in issues[0].message.lower()


def test_the_limits_are_those_given_and_a_file_over_one_is_refused_alone(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    big = write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [member(f"Người {n}", 1990, n=n) for n in range(1, 11)])
    write_roster(inbox / "CB-B_2022-Q3.xlsx", "CB-B", [member("Trần Văn Bảo", 1991, n=20)])
    small = LimitSettings(max_rows=5)
    assert read_workbook(big).readable
    refused = read_workbook(big, limits=small).issues
    assert [i.rule for i in refused] == ["FILE_TOO_LARGE"]
    assert "giới hạn 5 dòng một trang (trang \"Đảng viên\" có dữ liệu đến dòng 11)" in refused[0].message
    register = read_register(write_register(tmp_path / "units.xlsx"))
    read = {s.file: s.workbook.readable for s in load_inbox(inbox, register, limits=small)}
    assert read == {"CB-A_2022-Q3.xlsx": False, "CB-B_2022-Q3.xlsx": True}
    checked = check_files([big], limits=small)
    assert [i.rule for i in checked[0].issues] == ["FILE_TOO_LARGE"]


def test_the_limits_come_from_the_configuration_and_are_checked(tmp_path):
    toml = tmp_path / "pipeline.toml"
    toml.write_text("[limits]\nmax_rows = 5000\nmax_cell_chars = 1000\n", encoding="utf-8")
    limits = load_config(toml).limits
    assert (limits.max_rows, limits.max_cell_chars, limits.max_columns) == (5000, 1000, LimitSettings().max_columns)
    for wrong, words in (("max_row = 5", "max_row"), ("max_rows = \"nhiều\"", "sai kiểu"), ("max_rows = 0", "lớn hơn 0"),
                         ("max_rows = 2.5", "sai kiểu")):
        toml.write_text(f"[limits]\n{wrong}\n", encoding="utf-8")
        with pytest.raises(PipelineError, match=words):
            load_config(toml)


def test_text_longer_than_a_cell_may_hold_is_cut_with_one_warning_a_sheet(tmp_path):
    note = "Ghi chú rất dài " * 40
    path = write_roster(tmp_path / "CB-A.xlsx", "CB-A", [member("Nguyễn Văn An", 1990, **{"Ghi chú": note})])
    wb = read_workbook(path, limits=LimitSettings(max_cell_chars=100))
    assert wb.readable and len(wb.members.rows.loc[0, "note"]) == 100
    note_column = chr(ord("A") + MEMBER_HEADER.index("Ghi chú"))   # the template's Ghi chú column
    assert [(i.rule, i.sheet, i.cell) for i in wb.issues] == [("CELL_TOO_LONG", "Đảng viên", f"{note_column}2")]
    assert "1 ô dài hơn giới hạn 100 ký tự" in wb.issues[0].message


def test_a_formula_saved_without_its_value_is_said_so_where_it_is_read(tmp_path):
    path = write_roster(tmp_path / "CB-A.xlsx", "CB-A", [member("Nguyễn Văn An", 1990, n=1),
                                                         member("Trần Văn Bảo", 1991, n=2)])
    book = load_workbook(path)
    ws = book["Đảng viên"]
    ws["A2"], ws["A3"] = "=ROW()-1", "=ROW()-1"           # STT: not read, nothing to say
    book.save(path)
    assert read_workbook(path).issues == []
    ws["B3"] = '="Trần "&"Văn Bảo"'                        # a name: read, so it cannot be left empty
    book.save(path)
    issues = read_workbook(path).issues
    assert [(i.rule, i.sheet, i.cell) for i in issues] == [("FORMULA_NOT_CALCULATED", "Đảng viên", "B3")]
    assert "ô có công thức nhưng không có giá trị đã tính" in issues[0].message
    assert "lưu lại rồi gửi lại" in issues[0].message


def _record(kind: int, data: bytes) -> bytes:
    """One .xlsb record ([MS-XLSB] 2.1.4): its type and size in 7-bit groups, then its data."""
    size, length = b"", len(data)
    while True:
        size += bytes([(length & 0x7F) | (0x80 if length >> 7 else 0)])
        length >>= 7
        if not length:
            break
    head = bytes([kind]) if kind < 0x80 else bytes([(kind & 0x7F) | 0x80, kind >> 7])
    return head + size + data


def test_an_xlsb_sheet_reaching_past_a_limit_is_refused_from_its_records(tmp_path):
    import struct

    row = lambda r: _record(0x0000, struct.pack("<I", r) + bytes(13))          # noqa: E731  BrtRowHdr
    number = lambda c: _record(0x0005, struct.pack("<IId", c, 0, 1.0))         # noqa: E731  BrtCellReal
    sheet = _record(0x0091, b"") + row(0) + number(0) + row(4) + number(20_000) + _record(0x0092, b"")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.bin", _record(0x0083, b""))
        zf.writestr("xl/worksheets/sheet1.bin", sheet)
    (tmp_path / "CB-A.xlsb").write_bytes(buffer.getvalue())
    issues = read_workbook(tmp_path / "CB-A.xlsb").issues
    assert [i.rule for i in issues] == ["FILE_TOO_LARGE"]
    assert "giới hạn 200 cột một trang" in issues[0].message and "cột thứ 20.001" in issues[0].message
