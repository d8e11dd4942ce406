import datetime as dt
import re

import pytest
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from builders import CANDIDATE_HEADER, MEMBER_HEADER, member, write_register
from pipeline import intake
from pipeline.period import Period
from pipeline.register import read_register
from pipeline.contract import (
    ETHNIC_GROUPS, GENDERS, TEMPLATE_VERSION, TEMPLATE_VERSION_LABEL, YES_WORDS, is_older,
    template_version,
)
from pipeline.roster import read_workbook
from pipeline.rules import validate
from pipeline.tables import header_key as _key
from pipeline.template import BLANK_NAME, write_template, write_templates

Q3 = Period(2022, 3)
UNIT = ("CB-A", "Chi bộ Phòng Tham mưu")


@pytest.fixture
def template(tmp_path):
    return load_workbook(write_template(tmp_path / "mau.xlsx", UNIT, Q3))


def info_values(wb) -> dict:
    """Label in column A → value in column B, as the loader reads the `Thông tin` sheet."""
    return {row[0]: row[1] for row in wb["Thông tin"].iter_rows(min_col=1, max_col=2, values_only=True) if row[0]}


def header(ws) -> list:
    return [c.value for c in ws[1]]


def column_of(ws, text: str) -> str:
    return next(c.column_letter for c in ws[1] if c.value == text)


def validation_on(ws, text: str):
    """The data validation covering the column headed `text`, rows 2–501."""
    letter = column_of(ws, text)
    found = [dv for dv in ws.data_validations.dataValidation if f"{letter}2:{letter}501" in str(dv.sqref).split()]
    assert len(found) == 1, f"{text}: {len(found)} validations"
    return found[0]


def list_values(wb, formula: str) -> list:
    sheet, ref = formula.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    return [c.value for row in ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col)
            for c in row]


# ---------- layout ----------

def test_template_has_the_info_member_and_candidate_sheets_and_a_hidden_list_sheet(template):
    assert template.sheetnames == ["Thông tin", "Đảng viên", "Quần chúng ưu tú", "Danh mục"]
    assert [ws.sheet_state for ws in template.worksheets] == ["visible", "visible", "visible", "hidden"]
    assert template.active.title == "Thông tin"


def test_headers_are_the_template_columns_of_domain_section_3_in_order(template):
    assert header(template["Đảng viên"]) == [
        "STT", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Tôn giáo", "Số CCCD", "Ngày vào Đảng",
        "Ngày kết nạp", "Ngày chính thức", "Đoàn viên", "Giáo dục phổ thông", "Trình độ chuyên môn",
            "Lý luận chính trị", "Nghề nghiệp / đối tượng", "Ghi chú"]
    assert header(template["Quần chúng ưu tú"]) == [
        "STT", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Số CCCD", "Ngày cấp giấy chứng nhận",
        "Đảng viên giúp đỡ 1", "Đảng viên giúp đỡ 2", "Đoàn viên", "Ghi chú"]
    assert header(template["Đảng viên"]) == MEMBER_HEADER and header(template["Quần chúng ưu tú"]) == CANDIDATE_HEADER


def test_unit_code_name_and_period_are_prefilled(template):
    info = info_values(template)
    assert list(info)[1:8] == ["Mã đơn vị", "Tên đơn vị", "Năm", "Quý", "Ngày lập", "Người lập", "Phiên bản mẫu"]
    assert (info["Mã đơn vị"], info["Tên đơn vị"], info["Năm"], info["Quý"]) == ("CB-A", "Chi bộ Phòng Tham mưu", 2022, 3)
    assert info["Ngày lập"] is None and info["Người lập"] is None


def test_blank_template_leaves_every_value_to_fill_but_keeps_the_version(tmp_path):
    info = info_values(load_workbook(write_template(tmp_path / "trong.xlsx")))
    assert {k: v for k, v in info.items() if v is not None and k in ("Mã đơn vị", "Tên đơn vị", "Năm", "Quý")} == {}
    assert info["Phiên bản mẫu"] == TEMPLATE_VERSION


def test_version_marker_is_the_last_info_row_stored_as_text(template):
    ws = template["Thông tin"]
    row = next(r for r in ws.iter_rows(min_col=1, max_col=2) if r[0].value == TEMPLATE_VERSION_LABEL)
    assert row[1].value == TEMPLATE_VERSION and isinstance(row[1].value, str) and row[1].number_format == "@"
    labels = [r[0].value for r in ws.iter_rows(min_row=3, max_row=row[0].row, min_col=1, max_col=1)]
    assert labels[-1] == TEMPLATE_VERSION_LABEL and None not in labels
    assert _key(TEMPLATE_VERSION_LABEL) == "phien ban mau"   # the loader's INFO_LABELS key


def test_instructions_under_the_info_table_say_what_a_clerk_must_know(template):
    lines = [str(c.value) for row in template["Thông tin"].iter_rows(min_row=10) for c in row if c.value]
    assert all(len(line) <= 100 for line in lines)   # one printed line per row, never clipped
    text = re.sub(r"\s+", " ", " ".join(lines))
    for words in ("HƯỚNG DẪN", "dd/mm/yyyy", "mỗi đảng viên", "một dòng", "Không đổi tên các trang",
                  "tiêu đề cột", "12 chữ số", "trước hạn"):
        assert words in text


# ---------- what helps the clerk fill it ----------

@pytest.mark.parametrize("sheet", ["Đảng viên", "Quần chúng ưu tú"])
def test_gender_ethnicity_and_youth_union_are_drop_down_lists_from_the_hidden_sheet(template, sheet):
    ws = template[sheet]
    for column, allowed in (("Giới tính", list(GENDERS)), ("Dân tộc", list(ETHNIC_GROUPS)), ("Đoàn viên", ["x"])):
        dv = validation_on(ws, column)
        assert dv.type == "list" and dv.formula1.startswith("'Danh mục'!")
        assert list_values(template, dv.formula1) == allowed
        assert dv.showErrorMessage and dv.errorStyle == "stop"
    assert len(list_values(template, validation_on(ws, "Dân tộc").formula1)) == 54
    assert "x" in YES_WORDS


@pytest.mark.parametrize("sheet, columns", [
    ("Đảng viên", ["Ngày sinh", "Ngày vào Đảng", "Ngày kết nạp", "Ngày chính thức"]),
    ("Quần chúng ưu tú", ["Ngày sinh", "Ngày cấp giấy chứng nhận"]),
])
def test_date_columns_check_for_a_date_and_show_it_day_first(template, sheet, columns):
    ws = template[sheet]
    for column in columns:
        dv = validation_on(ws, column)
        assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("date", "between", "7306", "73415")  # 1920–2100
        assert int(dv.formula1) > 2100   # a year typed alone (1990 = Excel day 12/06/1905) is refused
        assert "ngày/tháng/năm" in dv.prompt and "15/03/1990" in dv.error
        letter = column_of(ws, column)
        assert {ws[f"{letter}{r}"].number_format for r in (2, 250, 501)} == {"dd/mm/yyyy"}
    assert "Ngày quyết định kết nạp, dạng ngày/tháng/năm" in validation_on(template["Đảng viên"], "Ngày vào Đảng").prompt


@pytest.mark.parametrize("sheet", ["Đảng viên", "Quần chúng ưu tú"])
def test_citizen_id_is_text_and_must_have_12_digits_or_an_old_9_digit_cmnd(template, sheet):
    ws = template[sheet]
    letter = column_of(ws, "Số CCCD")
    assert {ws[f"{letter}{r}"].number_format for r in (2, 501)} == {"@"}
    dv = validation_on(ws, "Số CCCD")
    assert dv.type == "custom" and dv.formula1 == f"OR(LEN({letter}2)=12,LEN({letter}2)=9)"
    assert "CMND" in dv.prompt and "12 chữ số" in dv.error


@pytest.mark.parametrize("sheet", ["Thông tin", "Đảng viên", "Quần chúng ưu tú"])
def test_every_input_cell_has_a_vietnamese_hint_within_excel_limits(template, sheet):
    ws = template[sheet]
    validations = ws.data_validations.dataValidation
    if sheet != "Thông tin":
        covered = {str(dv.sqref)[0] for dv in validations}
        assert covered == {c.column_letter for c in ws[1]}          # one hint per column
    for dv in validations:
        assert dv.showInputMessage and dv.prompt and dv.promptTitle
        # Excel refuses to open a file whose prompt or message is longer than these.
        assert len(dv.promptTitle) <= 32 and len(dv.prompt) <= 255
        assert len(dv.errorTitle or "") <= 32 and len(dv.error or "") <= 255
        assert dv.type is None or dv.error


def test_info_sheet_checks_year_quarter_and_date(template):
    by_cell = {str(dv.sqref): dv for dv in template["Thông tin"].data_validations.dataValidation}
    assert (by_cell["B5"].type, by_cell["B5"].formula1, by_cell["B5"].formula2) == ("whole", "2000", "2100")
    assert (by_cell["B6"].type, by_cell["B6"].formula1) == ("list", '"1,2,3,4"')
    assert by_cell["B7"].type == "date" and template["Thông tin"]["B7"].number_format == "dd/mm/yyyy"


@pytest.mark.parametrize("sheet, required", [
    ("Đảng viên", ["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Số CCCD", "Ngày vào Đảng"]),
    ("Quần chúng ưu tú", ["Họ và tên", "Ngày cấp giấy chứng nhận"]),
])
def test_header_row_marks_required_columns_and_is_frozen_and_printed_on_every_page(template, sheet, required):
    ws = template[sheet]
    assert all(c.font.b and c.alignment.wrap_text for c in ws[1])
    # Orange: what the loader requires (or warns about when empty); blue: the rest (instruction 4).
    assert [c.value for c in ws[1] if c.fill.fgColor.rgb.endswith("F8CBAD")] == required
    assert all(c.fill.fgColor.rgb.endswith("DDEBF7") for c in ws[1] if c.value not in required)
    assert ws.freeze_panes == "C2"
    assert ws.column_dimensions["B"].width >= 20
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows.replace("$", "") == "1:1"


# ---------- it reads back ----------

def _fill(path, members, candidates):
    wb = load_workbook(path)
    info = wb["Thông tin"]
    info["B7"], info["B8"] = dt.date(2022, 10, 3), "Lê Thị Thu"
    for ws, rows, columns in ((wb["Đảng viên"], members, MEMBER_HEADER),
                              (wb["Quần chúng ưu tú"], candidates, CANDIDATE_HEADER)):
        for r, person in enumerate(rows, start=2):
            for c, column in enumerate(columns, start=1):
                value = r - 1 if column == "STT" else person.get(column)
                if value is not None:
                    ws.cell(r, c, value)
    wb.save(path)


def test_a_filled_template_reads_with_the_right_people_and_no_issue(tmp_path):
    register = read_register(write_register(tmp_path / "units.xlsx"))
    path = write_template(tmp_path / "mau-danh-sach-CB-A-2022-Q3.xlsx", UNIT, Q3)
    members = [member("Nguyễn Văn An", 1990, n=1), member("Hà Thị Cúc", 1993, "Nữ", n=2),
               member("Lò Văn Páo", 1996, n=3, **{"Dân tộc": "Thái"})]
    candidates = [{"Họ và tên": "Trần Minh Đức", "Ngày sinh": dt.date(2000, 1, 2), "Giới tính": "Nam",
                   "Dân tộc": "Kinh", "Số CCCD": "049200000099", "Ngày cấp giấy chứng nhận": dt.date(2022, 5, 4),
                   "Đảng viên giúp đỡ 1": "Nguyễn Văn An", "Đảng viên giúp đỡ 2": "Hà Thị Cúc", "Đoàn viên": "x"}]
    _fill(path, members, candidates)

    wb = read_workbook(path)
    assert wb.issues == []
    assert (wb.info["code"], wb.info["year"], wb.info["quarter"]) == ("CB-A", 2022, 3)
    assert list(wb.members.rows["full_name"]) == ["Nguyễn Văn An", "Hà Thị Cúc", "Lò Văn Páo"]
    assert list(wb.members.rows["row"]) == [2, 3, 4]
    subs = intake.select(intake.match([wb], register), Q3)
    assert [(s.unit, s.status, s.period_source, s.issues) for s in subs] == [("CB-A", "accepted", "info", [])]
    frame, cands, found = validate(subs, Q3)
    assert found == []
    assert list(frame["citizen_id"]) == ["049090000001", "049193000002", "049096000003"]
    assert list(frame["gender"]) == ["Nam", "Nữ", "Nam"] and list(frame["ethnicity"]) == ["Kinh", "Kinh", "Thái"]
    assert frame["youth_union"].all()
    assert list(cands["full_name"]) == ["Trần Minh Đức"] and cands["certified"].all()


def test_an_unfilled_template_gives_no_value_the_clerk_did_not_write(tmp_path):
    """Hints live in the cells' input messages, never beside a label where the loader would take them."""
    wb = read_workbook(write_template(tmp_path / BLANK_NAME))
    assert set(wb.info) <= {"template_version"}
    assert wb.members is not None and wb.members.rows.empty and wb.issues == []


def test_the_loader_reads_the_version_marker(tmp_path):
    wb = read_workbook(write_template(tmp_path / "mau.xlsx", UNIT, Q3))
    assert template_version(wb.info) == TEMPLATE_VERSION


# ---------- one per cell ----------

def test_write_templates_writes_one_prefilled_file_per_cell_and_a_blank_one(tmp_path):
    register = read_register(write_register(tmp_path / "units.xlsx"))
    paths = write_templates(register, tmp_path / "mau", Q3)
    assert [p.name for p in paths] == [f"mau-danh-sach-{c}-2022-Q3.xlsx" for c in ("CB-A", "CB-B", "CB-H1", "CB-H2")] \
        + ["mau-danh-sach-trong.xlsx"]
    assert all(p.parent == tmp_path / "mau" for p in paths)
    info = info_values(load_workbook(paths[2]))
    assert (info["Mã đơn vị"], info["Tên đơn vị"], info["Quý"]) == ("CB-H1", "Chi bộ Đội An ninh", 3)
    assert info_values(load_workbook(paths[-1]))["Mã đơn vị"] is None


def test_without_a_period_the_file_names_and_cells_leave_it_out(tmp_path):
    register = read_register(write_register(tmp_path / "units.xlsx"))
    paths = write_templates(register, tmp_path, None)
    assert paths[0].name == "mau-danh-sach-CB-A.xlsx"
    info = info_values(load_workbook(paths[0]))
    assert info["Mã đơn vị"] == "CB-A" and info["Năm"] is None and info["Quý"] is None


# ---------- the version ----------

def test_template_version_is_read_as_text_or_none():
    assert template_version({"template_version": " 2026.1 "}) == "2026.1"
    assert template_version({"template_version": 2026.1}) == "2026.1"   # Excel turned it into a number
    assert template_version({}) is None


@pytest.mark.parametrize("version, older", [
    ("2025.4", True), ("2026.0", True), ("2026", True), ("2026.1", True), ("2026.2", False), ("2026.2.0", False),
    ("2027.1", False), ("2026.10", False), ("mẫu cũ", True), ("", True), (None, True),
])
def test_is_older_compares_numeric_parts_and_counts_the_unreadable_as_older(version, older):
    assert is_older(version) is older


def test_the_version_is_a_dotted_number():
    assert re.fullmatch(r"\d{4}\.\d+", TEMPLATE_VERSION) and not is_older(TEMPLATE_VERSION)


def test_an_older_template_version_is_a_warning_not_a_failure(tmp_path):
    from openpyxl import load_workbook

    path = write_template(tmp_path / "mau.xlsx", UNIT, Q3)
    book = load_workbook(path)
    ws = book["Thông tin"]
    for row in ws.iter_rows():
        if row[0].value == TEMPLATE_VERSION_LABEL:
            row[1].value = "2024.1"
    book.save(path)
    wb = read_workbook(path)
    assert [(i.rule, i.severity, i.value) for i in wb.issues] == [("TEMPLATE_OLD", "warning", "2024.1")]
    assert wb.members is not None


def test_the_templates_hints_name_no_committee(tmp_path):
    """Hints are copied into every returned file: they must not carry the sample committee's names."""
    path = write_template(tmp_path / "blank.xlsx")
    wb = load_workbook(path)
    texts = [dv.prompt or "" for ws in wb.worksheets for dv in ws.data_validations.dataValidation]
    texts += [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]
    for foreign in ("CB-PC02", "Cảnh sát", "Công an", "An Hòa"):
        assert not [t for t in texts if foreign in t], foreign
