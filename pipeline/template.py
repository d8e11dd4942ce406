"""The roster template a cell fills in (DOMAIN §3): the layout the loader reads, made easy to fill.

The sheet names, the `Thông tin` labels and the column headers are the loader's own words
(`roster.MEMBER_LABELS`, `roster.INFO_LABELS`), so a filled template reads with no issue.
Everything else here only helps the clerk: drop-down lists, date and ID checks with Vietnamese
hints, a frozen header, print setup, and a version marker (`Phiên bản mẫu`) the loader compares
with TEMPLATE_VERSION to warn about an old template.

Bump TEMPLATE_VERSION whenever the layout changes (a sheet, a label, a header, a list).
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

from pipeline.normalize import clean_text
from pipeline.outputs import atomic_path
from pipeline.period import Period
from pipeline.register import Register
from pipeline.roster import CANDIDATE_REQUIRED, MEMBER_LABELS, MEMBER_REQUIRED
from pipeline.rules import ETHNIC_GROUPS, GENDERS

TEMPLATE_VERSION = "2026.1"
TEMPLATE_VERSION_LABEL = "Phiên bản mẫu"

INFO_SHEET = "Thông tin"
MEMBER_SHEET = "Đảng viên"
CANDIDATE_SHEET = "Quần chúng ưu tú"
LIST_SHEET = "Danh mục"

ROWS = 500                      # rows prepared (formats, lists, checks) under each header
DATE_FORMAT = "dd/mm/yyyy"
YOUTH_UNION_MARK = "x"          # one of rules.YES_WORDS
# Dates the checks accept. Not from 1900: a year typed alone (1990) is Excel day 1990, i.e.
# 12/06/1905, and must be refused rather than shown as a date nobody meant.
FIRST_DAY, LAST_DAY = dt.date(1920, 1, 1), dt.date(2100, 12, 31)
EXCEL_EPOCH = dt.date(1899, 12, 30)

BLANK_NAME = "mau-danh-sach-trong.xlsx"

# Drop-down lists, one column each on the hidden `Danh mục` sheet: key → (title, values).
LISTS = {"gender": ("Giới tính", GENDERS), "ethnicity": ("Dân tộc", ETHNIC_GROUPS),
         "youth_union": ("Đoàn viên", (YOUTH_UNION_MARK,))}

# Column keys in the template's order; the header text is MEMBER_LABELS[key] ("STT" for row_number).
MEMBER_KEYS = ("row_number", "full_name", "birth_date", "gender", "ethnicity", "religion", "citizen_id",
               "admitted_on", "ceremony_on", "official_on", "youth_union", "education", "note")
CANDIDATE_KEYS = ("row_number", "full_name", "birth_date", "gender", "ethnicity", "citizen_id", "certificate_on",
                  "helper_1", "helper_2", "youth_union", "note")
DATE_KEYS = ("birth_date", "admitted_on", "ceremony_on", "official_on", "certificate_on")
# Headers filled orange: the loader's required columns, and the certificate (warned when missing).
CANDIDATE_MARKED = CANDIDATE_REQUIRED + ("certificate_on",)

WIDTHS = {"row_number": 6, "full_name": 26, "birth_date": 12, "gender": 9, "ethnicity": 12, "religion": 11,
          "citizen_id": 16, "admitted_on": 12, "ceremony_on": 12, "official_on": 12, "youth_union": 9,
          "education": 18, "note": 24, "certificate_on": 14, "helper_1": 22, "helper_2": 22}


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
    "education": Hint("Trình độ chuyên môn", "Ví dụ: Trung cấp, Cao đẳng, Đại học, Thạc sĩ."),
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
    "Mã đơn vị": Hint("Mã đơn vị",
                      "Mã chi bộ theo danh mục của Ban Tổ chức, ví dụ CB-PC02. Đã điền sẵn thì giữ nguyên."),
    "Tên đơn vị": Hint("Tên đơn vị", "Tên chi bộ, ví dụ Chi bộ Phòng Cảnh sát hình sự."),
    "Năm": Hint("Năm", "Năm của kỳ báo cáo, 4 chữ số, ví dụ 2026.", "Ghi năm bằng 4 chữ số, ví dụ 2026."),
    "Quý": Hint("Quý", "Quý của kỳ báo cáo: chọn 1, 2, 3 hoặc 4.", "Quý chỉ là 1, 2, 3 hoặc 4."),
    "Ngày lập": Hint("Ngày lập", "Ngày hoàn thành danh sách, dạng ngày/tháng/năm. Gửi lại bản sửa thì ghi ngày mới.",
                     _DATE_ERROR),
    "Người lập": Hint("Người lập", "Họ tên và chức vụ người lập danh sách."),
    TEMPLATE_VERSION_LABEL: Hint("Phiên bản mẫu", "Ô này để phần mềm nhận biết mẫu. Không sửa."),
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
    "6. Số CCCD ghi đủ 12 chữ số, kể cả số 0 ở đầu. Giới tính, Dân tộc, Đoàn viên: bấm mũi tên bên phải ô để chọn.",
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
    _table_sheet(wb.create_sheet(MEMBER_SHEET), MEMBER_KEYS, MEMBER_REQUIRED, MEMBER_HINTS, lists)
    _table_sheet(wb.create_sheet(CANDIDATE_SHEET), CANDIDATE_KEYS, CANDIDATE_MARKED, CANDIDATE_HINTS, lists)
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


def template_version(info: dict) -> str | None:
    """The `Phiên bản mẫu` value the loader read from `Thông tin` (key `template_version`), as text.

    None when the file has no marker: it was not made from the template, which is allowed."""
    return clean_text(info.get("template_version"))


def _version_parts(version) -> tuple[int, ...] | None:
    text = clean_text(version)
    if text is None or not re.fullmatch(r"\d+(\.\d+)*", text):
        return None
    return tuple(int(p) for p in text.split("."))


def is_older(version: str | None) -> bool:
    """Older than TEMPLATE_VERSION, comparing numeric parts (`2025.3` < `2026.1`); unreadable is older."""
    parts = _version_parts(version)
    if parts is None:
        return True
    current = _version_parts(TEMPLATE_VERSION)
    width = max(len(parts), len(current))
    return parts + (0,) * (width - len(parts)) < current + (0,) * (width - len(current))


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
    values = [("Mã đơn vị", code), ("Tên đơn vị", name), ("Năm", period.year if period else None),
              ("Quý", period.quarter if period else None), ("Ngày lập", None), ("Người lập", None),
              (TEMPLATE_VERSION_LABEL, TEMPLATE_VERSION)]
    first = 3
    for offset, (label, value) in enumerate(values):
        r = first + offset
        label_cell, value_cell = ws.cell(r, 1, label), ws.cell(r, 2, value)
        label_cell.font = _font(bold=True)
        fixed = label == TEMPLATE_VERSION_LABEL
        value_cell.fill = _FIXED_FILL if fixed else _INPUT_FILL
        for cell in (label_cell, value_cell):
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="center", horizontal="left")
        if fixed:
            value_cell.number_format = "@"       # `2026.1` stays text, never a number
            value_cell.font = _font(italic=True, color="595959")
        if label == "Ngày lập":
            value_cell.number_format = DATE_FORMAT
        hint = INFO_HINTS[label]
        if label == "Năm":
            dv = DataValidation(type="whole", operator="between", formula1="2000", formula2="2100")
        elif label == "Quý":
            dv = DataValidation(type="list", formula1='"1,2,3,4"')
        elif label == "Ngày lập":
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
        cell = ws.cell(1, j, "STT" if key == "row_number" else MEMBER_LABELS[key])
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
