"""The roster template a cell fills in: the layout the reader reads, made easy to fill.

The sheet names, the `Thông tin` labels, the column headers and their order, the value lists and
the version marker are the roster contract's (`pipeline.contract`), so a filled template reads
with no issue. Everything else here only helps the clerk: drop-down lists, date and ID checks
with Vietnamese hints, a frozen header, print setup.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.contract import (
    CANDIDATE_REQUIRED, CANDIDATE_SHEET, DATE_KEYS, ETHNIC_GROUPS, GENDERS, GENERAL_EDUCATION_LEVELS, INFO_FIELDS,
    INFO_SHEET, LABELS, LIST_SHEET, MEMBER_REQUIRED, MEMBER_SHEET, OCCUPATIONS, POLITICAL_THEORY_LEVELS,
    PROFESSIONAL_LEVELS, TEMPLATE_CANDIDATE_KEYS, TEMPLATE_MEMBER_KEYS, TEMPLATE_VERSION, TEMPLATE_VERSION_LABEL,
    YOUTH_UNION_MARK,
)
from pipeline.files import atomic_path
from pipeline.normalize import EXCEL_EPOCH
from pipeline.period import Period
from pipeline.register import Register

ROWS = 500                      # rows prepared (formats, lists, checks) under each header
DATE_FORMAT = "dd/mm/yyyy"
# Dates the checks accept. Not from 1900: a year typed alone (1990) is Excel day 1990, i.e.
# 12/06/1905, and must be refused rather than shown as a date nobody meant.
FIRST_DAY, LAST_DAY = dt.date(1920, 1, 1), dt.date(2100, 12, 31)

BLANK_NAME = "mau-danh-sach-trong.xlsx"

# Drop-down lists, one column each on the hidden `Danh mục` sheet: key → (title, values).
LISTS = {key: (LABELS[key], values) for key, values in
         (("gender", GENDERS), ("ethnicity", ETHNIC_GROUPS), ("youth_union", (YOUTH_UNION_MARK,)),
          ("general_education", GENERAL_EDUCATION_LEVELS), ("education", PROFESSIONAL_LEVELS),
          ("political_theory", POLITICAL_THEORY_LEVELS), ("occupation", OCCUPATIONS))}
# Lists that only suggest: offices write these their own way (`12/12`, `Cử nhân Luật`, `Công an`) and
# the reader maps what they write, so the template does not refuse other text.
SUGGESTED_LISTS = ("general_education", "education", "occupation")

# Headers filled orange: the loader's required columns, and the certificate (warned when missing).
CANDIDATE_MARKED = CANDIDATE_REQUIRED + ("certificate_on",)

WIDTHS = {"row_number": 6, "full_name": 26, "birth_date": 12, "gender": 9, "ethnicity": 12, "religion": 11,
          "citizen_id": 16, "admitted_on": 12, "ceremony_on": 12, "official_on": 12, "youth_union": 9,
          "education": 18, "general_education": 14, "political_theory": 14, "occupation": 18, "note": 24, "certificate_on": 14, "helper_1": 22, "helper_2": 22}


@dataclass(frozen=True)
class Hint:
    """What the clerk sees on a data cell (prompt, ≤ 255 characters) and when a check refuses a value."""

    title: str
    prompt: str
    error: str = ""


_DATE_ERROR = ("Không phải ngày hợp lệ. Gõ đủ ngày/tháng/năm, ví dụ 15/03/1990, không ghi riêng năm. "
               "Nếu máy vẫn báo sai, gõ năm-tháng-ngày: 1990-03-15.")
MEMBER_HINTS = {
    "row_number": Hint("Số thứ tự", "1, 2, 3… (có thể để trống)."),
    "full_name": Hint("Họ và tên", "Họ và tên đầy đủ, có dấu, ví dụ: Nguyễn Văn An. Mỗi người một dòng."),
    "birth_date": Hint("Ngày sinh", "Ngày sinh, dạng ngày/tháng/năm, ví dụ 15/03/1990.", _DATE_ERROR),
    "gender": Hint("Giới tính", "Chọn Nam hoặc Nữ (bấm mũi tên bên phải ô).",
                   "Chỉ ghi Nam hoặc Nữ. Bấm mũi tên bên phải ô để chọn."),
    "ethnicity": Hint("Dân tộc",
                      "Chọn trong danh sách 54 dân tộc (bấm mũi tên bên phải ô), ví dụ Kinh, Tày, Mường.",
                      "Tên dân tộc không có trong danh sách 54 dân tộc. Bấm mũi tên bên phải ô để chọn."),
    "religion": Hint("Tôn giáo",
                     "Tên tôn giáo, ví dụ Phật giáo, Công giáo. Không theo tôn giáo: để trống hoặc ghi Không."),
    "citizen_id": Hint("Số CCCD", "Số căn cước 12 chữ số, giữ cả số 0 ở đầu. Người chưa có CCCD: ghi số CMND cũ "
                                  "9 chữ số (được chấp nhận, sẽ có nhắc nhở).",
                       "Số CCCD phải có đúng 12 chữ số (hoặc số CMND cũ 9 chữ số), không có dấu cách hay dấu chấm."),
    "admitted_on": Hint("Ngày vào Đảng", "Ngày quyết định kết nạp, dạng ngày/tháng/năm.", _DATE_ERROR),
    "ceremony_on": Hint("Ngày kết nạp", "Ngày tổ chức lễ kết nạp, dạng ngày/tháng/năm. Để trống nếu chưa tổ chức lễ.",
                        _DATE_ERROR),
    "official_on": Hint("Ngày chính thức", "Ngày quyết định công nhận đảng viên chính thức, dạng ngày/tháng/năm. "
                                           "Để trống nếu còn là đảng viên dự bị.", _DATE_ERROR),
    "youth_union": Hint("Đoàn viên", "Chọn x nếu là đoàn viên khi được kết nạp Đảng; không phải thì để trống.",
                        "Chỉ ghi x (là đoàn viên) hoặc để trống."),
    "general_education": Hint("Giáo dục phổ thông", "Chọn trong danh sách, hoặc ghi như lý lịch: 12/12, 9/12, 10/10 "
                                                    "(hệ cũ), THPT."),
    "education": Hint("Trình độ chuyên môn", "Chọn trong danh sách, hoặc ghi trình độ kèm ngành, ví dụ: Cử nhân Luật, "
                                             "Kỹ sư CNTT, Thạc sĩ, Trung cấp CSND."),
    "political_theory": Hint("Lý luận chính trị", "Chọn Sơ cấp, Trung cấp, Cao cấp hoặc Cử nhân. Chưa qua đào tạo: "
                                                  "để trống.",
                             "Chỉ chọn Sơ cấp, Trung cấp, Cao cấp, Cử nhân, hoặc để trống nếu chưa qua đào tạo."),
    "occupation": Hint("Nghề nghiệp / đối tượng", "Khi được kết nạp, ví dụ: Lực lượng vũ trang, Cán bộ, công chức, "
                                                  "Viên chức, Công nhân, Học sinh, sinh viên."),
    "note": Hint("Ghi chú", "Ghi thêm nếu cần, ví dụ số văn bản đồng ý của cấp trên."),
}
CANDIDATE_HINTS = MEMBER_HINTS | {
    "full_name": Hint("Họ và tên", "Họ và tên đầy đủ của quần chúng ưu tú, có dấu. Mỗi người một dòng."),
    "certificate_on": Hint("Ngày cấp giấy chứng nhận", "Ngày cấp giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng, "
                                                       "dạng ngày/tháng/năm. Giấy có giá trị 60 tháng.", _DATE_ERROR),
    "helper_1": Hint("Đảng viên giúp đỡ 1", "Họ và tên (hoặc số CCCD) của đảng viên chính thức trong chi bộ "
                                            "được phân công giúp đỡ."),
    "helper_2": Hint("Đảng viên giúp đỡ 2", "Họ và tên (hoặc số CCCD) của đảng viên chính thức thứ hai "
                                            "được phân công giúp đỡ."),
    "youth_union": Hint("Đoàn viên", "Chọn x nếu đang là đoàn viên; không phải thì để trống.",
                        "Chỉ ghi x (là đoàn viên) hoặc để trống."),
}

INFO_HINTS = {
    "code": Hint("Mã đơn vị",
                      "Mã chi bộ đúng như danh mục đơn vị của Ban Tổ chức. Đã điền sẵn thì giữ nguyên."),
    "name": Hint("Tên đơn vị", "Tên chi bộ đúng như danh mục đơn vị, ví dụ Chi bộ Khoa Toán."),
    "year": Hint("Năm", "Năm của kỳ báo cáo, 4 chữ số, ví dụ 2026.", "Ghi năm bằng 4 chữ số, ví dụ 2026."),
    "quarter": Hint("Quý", "Quý của kỳ báo cáo: chọn 1, 2, 3 hoặc 4.", "Quý chỉ là 1, 2, 3 hoặc 4."),
    "created_on": Hint("Ngày lập", "Ngày hoàn thành danh sách, dạng ngày/tháng/năm. Gửi lại bản sửa thì ghi ngày mới.",
                     _DATE_ERROR),
    "created_by": Hint("Người lập", "Họ tên và chức vụ người lập danh sách."),
    "template_version": Hint("Phiên bản mẫu", "Ô này để phần mềm nhận biết mẫu. Không sửa."),
}

INSTRUCTIONS = (
    "1. Điền các ô nền vàng ở trên. Mã đơn vị, tên đơn vị đã điền sẵn thì giữ nguyên. Năm, quý là kỳ báo cáo "
    "của danh sách: dùng lại tệp cho quý sau thì sửa năm, quý và ngày lập.",
    f"2. Trang \"{MEMBER_SHEET}\": mỗi đảng viên của chi bộ tại ngày cuối quý ghi một dòng, bắt đầu từ dòng 2, "
    "không bỏ trống dòng giữa.",
    f"3. Trang \"{CANDIDATE_SHEET}\": mỗi quần chúng ưu tú đang được bồi dưỡng, xem xét kết nạp ghi một dòng. "
    "Không có thì để trống.",
    "4. Cột có tiêu đề nền cam là bắt buộc; cột nền xanh điền khi có. Bấm vào một ô để xem hướng dẫn cho cột đó.",
    "5. Ngày ghi dạng ngày/tháng/năm (dd/mm/yyyy), ví dụ 15/03/1990. Nếu máy báo sai hoặc tự đổi ngày "
    "(tháng trước ngày), gõ dạng năm-tháng-ngày: 1990-03-15; ô vẫn hiện 15/03/1990.",
    "6. Số CCCD ghi đủ 12 chữ số, kể cả số 0 ở đầu. Giới tính, Dân tộc, Đoàn viên, Lý luận chính trị: bấm mũi tên "
    "bên phải ô để chọn. Giáo dục phổ thông, Trình độ chuyên môn, Nghề nghiệp / đối tượng: chọn trong danh sách "
    "hoặc ghi như lý lịch đảng viên (12/12, Cử nhân Luật…).",
    "7. Chép từ tệp khác sang: dùng Dán đặc biệt → Giá trị (Paste Special → Values) để giữ danh sách chọn "
    "và kiểm tra của mẫu.",
    "8. Không đổi tên các trang, không sửa, xóa hay đổi chỗ các tiêu đề cột; không thêm dòng tiêu đề, dòng tổng cộng.",
    "9. Lưu tệp dạng Excel (.xlsx) và gửi về Ban Tổ chức trước hạn nộp báo cáo quý.",
)

INSTRUCTION_WIDTH = 95   # characters per instruction line: fits columns A and B

CENTERED_KEYS = ("row_number", "gender", "youth_union")   # short values, centred like the dates
_CENTER = Alignment(horizontal="center")
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")   # orange: must be filled
_OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")   # blue: fill when known
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")      # yellow: the clerk types here
_FIXED_FILL = PatternFill("solid", fgColor="EDEDED")      # grey: do not touch
FONT = "Calibri"                                          # the workbook's default: one font throughout


def _font(**style) -> Font:
    return Font(name=FONT, size=style.pop("size", 11), **style)


def write_template(path: Path, unit: tuple[str, str] | None = None, period: Period | None = None) -> Path:
    """One ready-to-fill roster workbook; `unit` = (code, name) and `period` are pre-filled when given."""
    path = Path(path)
    wb = Workbook()
    _info_sheet(wb.active, unit, period)
    lists = _list_refs()
    _table_sheet(wb.create_sheet(MEMBER_SHEET), TEMPLATE_MEMBER_KEYS, MEMBER_REQUIRED, MEMBER_HINTS, lists)
    _table_sheet(wb.create_sheet(CANDIDATE_SHEET), TEMPLATE_CANDIDATE_KEYS, CANDIDATE_MARKED, CANDIDATE_HINTS, lists)
    _list_sheet(wb.create_sheet(LIST_SHEET))   # last and hidden, out of the way
    wb.active = 0
    wb.properties.title = "Mẫu danh sách đảng viên và quần chúng ưu tú"
    wb.properties.keywords = f"{TEMPLATE_VERSION_LABEL} {TEMPLATE_VERSION}"
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def template_name(code: str | None, period: Period | None) -> str:
    """`mau-danh-sach-CB-PC02-2026-Q1.xlsx`; `mau-danh-sach-trong.xlsx` for the blank one."""
    if code is None:
        return BLANK_NAME
    safe = re.sub(r"[^0-9A-Za-z._-]+", "-", code).strip("-") or "don-vi"
    return f"mau-danh-sach-{safe}" + (f"-{period.slug}" if period else "") + ".xlsx"


def write_templates(register: Register, out_dir: Path, period: Period | None) -> list[Path]:
    """One pre-filled template per cell of the register, then one blank template."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write_template(out_dir / template_name(code, period), (code, name), period)
               for code, name in zip(register.cells.index, register.cells["name"])]
    written.append(write_template(out_dir / BLANK_NAME, None, None))
    return written


# ---------- sheets ----------

def _info_sheet(ws: Worksheet, unit: tuple[str, str] | None, period: Period | None) -> None:
    ws.title = INFO_SHEET
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 72
    ws["A1"] = "DANH SÁCH ĐẢNG VIÊN VÀ QUẦN CHÚNG ƯU TÚ CỦA CHI BỘ"
    ws["A1"].font = _font(bold=True, size=14)
    ws.merge_cells("A1:B1")
    ws.row_dimensions[1].height = 24
    code, name = unit if unit else (None, None)
    filled = {"code": code, "name": name, "year": period.year if period else None,
              "quarter": period.quarter if period else None, "template_version": TEMPLATE_VERSION}
    values = [(key, filled.get(key)) for key in INFO_FIELDS]
    first = 3
    for offset, (key, value) in enumerate(values):
        r = first + offset
        label_cell, value_cell = ws.cell(r, 1, INFO_FIELDS[key]), ws.cell(r, 2, value)
        if isinstance(value, str) and value.startswith("="):
            value_cell.data_type = "s"   # a name from the register that looks like a formula stays text
        label_cell.font = _font(bold=True)
        fixed = key == "template_version"
        value_cell.fill = _FIXED_FILL if fixed else _INPUT_FILL
        for cell in (label_cell, value_cell):
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="center", horizontal="left")
        if fixed:
            value_cell.number_format = "@"       # `2026.1` stays text, never a number
            value_cell.font = _font(italic=True, color="595959")
        if key == "created_on":
            value_cell.number_format = DATE_FORMAT
        hint = INFO_HINTS[key]
        if key == "year":
            dv = DataValidation(type="whole", operator="between", formula1="2000", formula2="2100")
        elif key == "quarter":
            dv = DataValidation(type="list", formula1='"1,2,3,4"')
        elif key == "created_on":
            dv = _date_validation()
        else:
            dv = DataValidation()
        _hint(dv, hint)
        dv.add(value_cell.coordinate)
        ws.add_data_validation(dv)
        ws.row_dimensions[r].height = 20
    r = first + len(values) + 1
    ws.cell(r, 1, "HƯỚNG DẪN ĐIỀN MẪU").font = _font(bold=True, size=12)
    # One printed line per row, no wrapping: Excel never grows a row to fit wrapped text it did not
    # lay out itself, and LibreOffice and Excel wrap at different places.
    for item in INSTRUCTIONS:
        for n, line in enumerate(textwrap.wrap(item, width=INSTRUCTION_WIDTH)):
            r += 1
            ws.cell(r, 1, line if n == 0 else "     " + line)
    to_fill = next(first + i for i, (_, value) in enumerate(values) if value is None)
    ws.sheet_view.selection[0].activeCell = ws.sheet_view.selection[0].sqref = f"B{to_fill}"   # opens here
    _print_setup(ws, landscape=False)


def _list_refs() -> dict[str, str]:
    """Column key → the `Danh mục` range its drop-down list reads."""
    refs = {}
    for j, (key, (_, values)) in enumerate(LISTS.items(), start=1):
        letter = get_column_letter(j)
        refs[key] = f"'{LIST_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    return refs


def _list_sheet(ws: Worksheet) -> None:
    """The hidden `Danh mục` sheet: the drop-down lists (54 groups is too long to write inline)."""
    for j, (title, values) in enumerate(LISTS.values(), start=1):
        ws.cell(1, j, title).font = _font(bold=True)
        for i, value in enumerate(values, start=2):
            ws.cell(i, j, value)
        ws.column_dimensions[get_column_letter(j)].width = 16
    note = ws.cell(1, len(LISTS) + 2, "Trang này chứa danh sách chọn của mẫu. Không sửa, không xóa.")
    note.font = _font(italic=True)
    ws.sheet_state = "hidden"


def _table_sheet(ws: Worksheet, keys: tuple[str, ...], marked: tuple[str, ...], hints: dict[str, Hint],
                 lists: dict[str, str]) -> None:
    last = ROWS + 1
    for j, key in enumerate(keys, start=1):
        letter = get_column_letter(j)
        cell = ws.cell(1, j, LABELS[key])
        cell.font = _font(bold=True)
        cell.fill = _REQUIRED_FILL if key in marked else _OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
        ws.column_dimensions[letter].width = WIDTHS[key]
        number_format = DATE_FORMAT if key in DATE_KEYS else "@" if key == "citizen_id" else None
        centered = key in DATE_KEYS or key in CENTERED_KEYS
        if number_format or centered:
            for r in range(2, last + 1):
                cell = ws.cell(r, j)
                if number_format:
                    cell.number_format = number_format
                if centered:
                    cell.alignment = _CENTER
        if key in DATE_KEYS:
            dv = _date_validation()
        elif key in lists:
            dv = DataValidation(type="list", formula1=lists[key])
        elif key == "citizen_id":
            top = f"{letter}2"
            dv = DataValidation(type="custom", formula1=f"OR(LEN({top})=12,LEN({top})=9)")
        else:
            dv = DataValidation()
        _hint(dv, hints[key])
        if key in SUGGESTED_LISTS:
            dv.showErrorMessage = False   # the list is offered, other text accepted
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 36
    ws.freeze_panes = "C2"   # the header row and STT + Họ và tên stay in view
    _print_setup(ws, landscape=True)
    ws.print_title_rows = "1:1"


def _date_validation() -> DataValidation:
    first, last = ((day - EXCEL_EPOCH).days for day in (FIRST_DAY, LAST_DAY))
    return DataValidation(type="date", operator="between", formula1=str(first), formula2=str(last))


def _hint(dv: DataValidation, hint: Hint) -> None:
    dv.allow_blank = True
    # Excel refuses a file whose title passes 32 characters or message 255 (tests hold the limits).
    dv.promptTitle, dv.prompt = hint.title, hint.prompt
    dv.showInputMessage = True
    if dv.type is not None:
        dv.errorTitle, dv.error = f"Sai {hint.title[:1].lower()}{hint.title[1:]}", hint.error or hint.prompt
        dv.errorStyle = "stop"
        dv.showErrorMessage = True


def _print_setup(ws: Worksheet, *, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom, ws.page_margins.footer = 0.6, 0.8, 0.3
    ws.print_options.horizontalCentered = True
    ws.print_options.gridLines = landscape   # the lists print as a grid, not loose text
    ws.oddFooter.center.text = "&A – trang &P/&N"
