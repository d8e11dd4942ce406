"""The rule registry: every rule declared once — code, severity, label, message, scope, when it
fires, whether it makes a file unusable — and the Issue value the checks return.

Rules never raise: the stages return Issue values and the caller decides what is fatal. The
words a clerk reads live here only, so they can be reviewed and corrected in one place;
`docs/rules.md` is generated from this registry (`make docs`) and a test fails when it is stale.

Message templates take the fields below. `make` refuses a field a template does not use and a
content field a template needs but the call does not give, so a mistyped field name fails a test
instead of printing an empty gap to the clerk; a location field (value, column, sheet, cell) the
data leaves empty prints as empty.
"""

from __future__ import annotations

import enum
import string
from dataclasses import asdict, dataclass
from typing import Any

from pipeline.contract import LABELS, MEMBER_CORE


class Severity(enum.StrEnum):
    ERROR = "error"       # the figure is wrong or the data cannot be used
    WARNING = "warning"   # may be right, but is against the rules or suspicious

    @property
    def vi(self) -> str:
        return {"error": "Lỗi", "warning": "Cảnh báo"}[self.value]


ERROR = Severity.ERROR
WARNING = Severity.WARNING
SEVERITY_VI = {s: s.vi for s in Severity}


class Scope(enum.StrEnum):
    """What an issue points at."""

    FILE = "file"     # a whole file (or its info sheet)
    SHEET = "sheet"   # a sheet of a file
    ROW = "row"       # a person's row, usually one cell of it
    UNIT = "unit"     # a unit of the register, whatever its files say


class Unusable(enum.StrEnum):
    """Whether an issue makes its file unusable for the report (its cell is then "rejected")."""

    NO = "no"
    YES = "yes"
    CORE_COLUMN = "core column"   # only when the missing column is one of contract.MEMBER_CORE


# Fields a location gives (filled from make's keyword arguments of the same name).
LOCATION_FIELDS = frozenset({"value", "column", "column_lower", "sheet", "cell"})
# Fields a call gives as context; a template that uses one needs it from every call.
CONTENT_FIELDS = frozenset({"detail", "suggestion", "after"})


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    scope: Scope
    label: str        # short Vietnamese label, for tables that count issues by kind
    message: str      # Vietnamese message template: what is wrong and what to do
    when: str         # when it fires (English, for the rules reference)
    unusable: Unusable = Unusable.NO
    # The issue restates a unit's or a file's status (missing, unusable, another period, a newer
    # file used): feedback says it in its status section, not in the list of problems.
    restates_status: bool = False
    # Content fields a call may leave out (they print as empty): an optional addition to the message.
    optional: frozenset[str] = frozenset()
    # The regulation the rule comes from, as the rules reference names it (empty: the roster
    # format's own rule, docs/roster-format.md). An article is named only where it was checked.
    source: str = ""

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(self.message) if name)


def _rules(*rules: Rule) -> dict[str, Rule]:
    registry: dict[str, Rule] = {}
    for rule in rules:
        unknown = rule.fields - LOCATION_FIELDS - CONTENT_FIELDS
        if unknown:
            raise ValueError(f"rule {rule.code}: unknown message fields {sorted(unknown)}")
        if rule.code in registry:
            raise ValueError(f"rule {rule.code} declared twice")
        registry[rule.code] = rule
    return registry


F, S, R, U = Scope.FILE, Scope.SHEET, Scope.ROW, Scope.UNIT

RULES: dict[str, Rule] = _rules(
    # --- files ---
    Rule("FILE_UNREADABLE", ERROR, F, "Không đọc được tệp",
         "Không đọc được tệp ({detail}). Mở tệp bằng Excel, lưu lại dạng .xlsx rồi gửi lại.",
         "The file is a spreadsheet by its bytes but it is damaged or cut short (a zip without its "
         "directory, an OLE container that does not hold together, a part that does not unpack, "
         "XML calamine cannot read), or the file cannot be read from the disk. The detail says which, "
         "in Vietnamese; the reader's own (English) error text is not shown.", Unusable.YES),
    Rule("FILE_PROTECTED", ERROR, F, "Tệp có đặt mật khẩu",
         "Tệp Excel có đặt mật khẩu nên không đọc được. Bỏ mật khẩu (trong Excel: File → Info → Protect Workbook → Encrypt with Password, xóa mật khẩu rồi bấm OK), lưu lại rồi gửi lại.",
         "The file is an encrypted (password-protected) workbook: an OLE container holding "
         "EncryptionInfo and EncryptedPackage (Excel's \"Encrypt with Password\"), an .xls calamine "
         "finds encrypted, or an .ods whose manifest has encryption data.", Unusable.YES),
    Rule("FILE_EMPTY", ERROR, F, "Tệp không có dữ liệu",
         "Tệp không có dữ liệu. Điền danh sách đảng viên theo mẫu rồi gửi lại.",
         "Every cell of every sheet is blank.", Unusable.YES),
    Rule("FILE_NOT_SPREADSHEET", ERROR, F, "Tệp không phải bảng tính",
         "Tệp này là {detail}, không phải bảng tính Excel. Mở danh sách bằng Excel và lưu lại dạng .xlsx rồi gửi lại.",
         "The file's bytes are not a spreadsheet the reader takes, whatever its name: a Word or "
         "PowerPoint document, a PDF, an image, a web page (HTML) or Excel 2003 XML saved as .xls, "
         "CSV or other text, another archive, an empty file or bytes of no known kind. The detail "
         "says what it is (and that it was renamed, when its name ends in a spreadsheet suffix).",
         Unusable.YES),
    Rule("FILE_WRONG_SUFFIX", ERROR, F, "Tên tệp sai đuôi",
         "Tệp là bảng tính {detail} nhưng tên tệp có đuôi \"{value}\" nên không được đọc. Đổi tên tệp cho có đuôi {detail} rồi gửi lại.",
         "The file's bytes are a spreadsheet (xlsx, xlsb, xls, ods) but its name does not end in a "
         "spreadsheet suffix; it is not read, so that nothing downstream takes it for what its name says.",
         Unusable.YES),
    Rule("FILE_TOO_LARGE", ERROR, F, "Tệp vượt giới hạn kích thước",
         "Tệp vượt giới hạn {detail} nên không được đọc. Kiểm tra lại có đúng là tệp danh sách không, xóa các trang, dòng, cột thừa, lưu lại rồi gửi lại. Nếu danh sách thật sự lớn như vậy, Ban Tổ chức nâng giới hạn trong mục [limits] của tệp cấu hình.",
         "The file is over one of the limits of [limits] in the configuration (config.LimitSettings): "
         "its size on disk, its parts unpacked added up, its number of zip parts, the rows or columns "
         "a sheet's data reaches, or the cells of every sheet's used area added up. Checked before "
         "the file is parsed (for .xls and .xlsb, before its values are read); the limit is named.",
         Unusable.YES),
    Rule("FILE_SUSPICIOUS", ERROR, F, "Tệp có cấu trúc bất thường",
         "Tệp có cấu trúc bất thường mà Excel và LibreOffice không bao giờ tạo ra ({detail}) nên không được mở. Tệp có thể đã bị sửa hoặc bị hỏng: không mở tệp này; đề nghị đơn vị mở danh sách gốc bằng Excel, lưu lại dạng .xlsx rồi gửi lại.",
         "The zip or its XML is shaped the way zip bombs and XML attacks are, never the way an office "
         "suite writes: a part unpacking to more than max_compression_ratio times its packed size, or "
         "to more than the zip's directory says, two parts sharing bytes, an unknown packing method, "
         "zip encryption, a document type declaration (XML entities) in any XML part.",
         Unusable.YES),
    Rule("NO_MEMBER_SHEET", ERROR, F, "Không có trang danh sách đảng viên",
         "Không tìm thấy danh sách đảng viên trong các trang {detail} (cần trang \"Đảng viên\" có dòng tiêu đề cột \"Họ và tên\"). Dùng đúng mẫu rồi gửi lại.",
         "No sheet other than the info and candidate sheets has a header row naming the full-name "
         "column within its first 40 rows.", Unusable.YES),
    Rule("MISSING_COLUMN", ERROR, S, "Thiếu cột bắt buộc",
         "Thiếu cột bắt buộc \"{column}\" trong trang \"{sheet}\". Thêm cột này vào dòng tiêu đề và điền đủ cho từng người.",
         "A required column of the member sheet (or the name column of a non-empty candidate sheet) "
         "is not in the header row. Without the name or the admission date the file is unusable.",
         Unusable.CORE_COLUMN),
    Rule("UNIT_UNKNOWN", ERROR, F, "Không xác định được đơn vị gửi tệp",
         "Không xác định được tệp này của chi bộ nào ({detail}). Ghi đúng \"Mã đơn vị\" trong trang \"Thông tin\" theo danh mục đơn vị.",
         "Neither the info sheet's code, nor a register code in the file name, nor exactly one "
         "cell's name in the titles or file name identifies a unit."),
    Rule("UNIT_NOT_CELL", ERROR, F, "Mã đơn vị không phải chi bộ",
         "Mã đơn vị \"{value}\" là {detail}, không phải chi bộ; chỉ chi bộ gửi danh sách. Kiểm tra lại \"Mã đơn vị\" trong trang \"Thông tin\".",
         "The file resolves to a committee (đảng bộ), not a cell; only cells send rosters."),
    Rule("UNIT_CODE_UNKNOWN", WARNING, F, "Mã đơn vị không có trong danh mục",
         "Mã đơn vị \"{value}\" trong trang \"Thông tin\" không có trong danh mục; đã nhận là {detail}. Sửa lại \"Mã đơn vị\" cho đúng.",
         "The info sheet's code is not in the register, but the file name or a unit name found the unit."),
    Rule("BAD_QUARTER", WARNING, F, "Năm, quý ghi không rõ",
         "Không hiểu \"{value}\" trong ô \"{column}\" của trang \"Thông tin\". Ghi năm bằng 4 chữ số và quý bằng số 1–4.",
         "The info sheet's Năm or Quý cannot be read as a year (1990–2100) or a quarter (1–4, I–IV)."),
    Rule("TEMPLATE_OLD", WARNING, F, "Dùng mẫu danh sách cũ",
         "Tệp làm theo mẫu cũ (phiên bản {value}); mẫu hiện nay là phiên bản {detail}. Số liệu vẫn được đọc; kỳ sau dùng mẫu mới do Ban Tổ chức gửi.",
         "The info sheet's template version is older than the current template (or unreadable)."),
    Rule("PERIOD_ASSUMED", WARNING, F, "Tệp không ghi năm, quý",
         "Tệp không ghi năm và quý; đã coi là {detail}. Điền \"Năm\" và \"Quý\" trong trang \"Thông tin\".",
         "Neither the info sheet, the file name nor the titles say the period; the file is taken "
         "as being for the period of the run."),
    Rule("OTHER_PERIOD", WARNING, F, "Tệp số liệu của kỳ khác",
         "Tệp là số liệu {detail}, không phải kỳ báo cáo này nên không được dùng. Nếu nhầm, sửa \"Năm\"/\"Quý\" rồi gửi lại.",
         "The file says another year or quarter than the report's.", restates_status=True),
    Rule("DUPLICATE_SUBMISSION", WARNING, F, "Gửi nhiều tệp cho cùng kỳ",
         "Đơn vị đã gửi nhiều tệp cho cùng kỳ; dùng tệp \"{detail}\" (lập sau cùng), tệp này không được tính.",
         "A cell sent several usable files for the period: the one with the latest Ngày lập (then "
         "the latest saved) is used, this one is not.", restates_status=True),
    Rule("UNIT_MISSING", WARNING, U, "Đơn vị chưa gửi danh sách",
         "Đơn vị chưa gửi danh sách cho kỳ này; số liệu của đơn vị chưa có trong báo cáo.",
         "A cell of the register has no file for the period.", restates_status=True),
    Rule("UNIT_REJECTED", ERROR, U, "Tệp của đơn vị không dùng được",
         "Tệp của đơn vị không dùng được nên số liệu của đơn vị chưa có trong báo cáo. Sửa các lỗi ở trên rồi gửi lại.",
         "A cell sent files for the period but none of them is usable.", restates_status=True),
    # --- values ---
    Rule("REQUIRED_MISSING", ERROR, R, "Thiếu thông tin bắt buộc",
         "Thiếu \"{column}\". Điền {column_lower} cho người này.",
         "A member row with a name leaves a required cell blank (birth date, gender, ethnic group, "
         "citizen ID, admission date)."),
    Rule("BAD_DATE", ERROR, R, "Ngày ghi không hợp lệ",
         "\"{value}\" không phải ngày hợp lệ.{detail} Ghi ngày theo dạng ngày/tháng/năm, ví dụ 05/09/1990.",
         "A date cell is neither an Excel date nor text read day first (dd/mm/yyyy, yyyy-mm-dd), "
         "or its year is outside 1800–2200.", optional=frozenset({"detail"})),
    Rule("BIRTH_YEAR_ONLY", WARNING, R, "Chỉ ghi năm sinh",
         "Chỉ ghi năm sinh \"{value}\"; đã tạm coi là ngày 01/01. Ghi đủ ngày/tháng/năm sinh.",
         "A birth date is a year alone (1990); it is read as 1 January of that year."),
    Rule("BAD_VALUE", ERROR, R, "Giá trị không có trong danh mục",
         "\"{value}\" không có trong danh sách giá trị của cột \"{column}\".{suggestion}",
         "A gender or ethnic group is not in its list (the closest value is suggested); a Giáo dục "
         "phổ thông, Trình độ chuyên môn or Lý luận chính trị names no level the reader knows (the "
         "person is then not recorded in that breakdown; an unknown occupation is counted as Khác, "
         "no issue); or a birth date is written in both the Nam and the Nữ sub-columns."),
    Rule("EXCEL_ERROR", ERROR, R, "Ô có lỗi công thức",
         "Ô có lỗi công thức {value}. Sửa công thức hoặc ghi giá trị trực tiếp.",
         "A cell holds an Excel error value (#REF!, #VALUE!, #N/A, …); it is then read as empty."),
    Rule("FORMULA_NOT_CALCULATED", ERROR, S, "Ô công thức chưa có giá trị",
         "Trang \"{sheet}\" có {detail} ô có công thức nhưng không có giá trị đã tính (ví dụ ô {cell}; tệp được tạo bằng chương trình không tính công thức). Mở tệp bằng Excel, lưu lại rồi gửi lại.",
         "Formula cells were saved without a computed value (a file written by a program that does "
         "not calculate): the reader would see them as empty. Raised, once per sheet with the first "
         "cell, when such cells are where the reader looks (the info sheet, a column of the member or "
         "candidate table, any sheet when no member table is found); it makes the file unusable.",
         Unusable.YES),
    Rule("CELL_TOO_LONG", WARNING, S, "Ô quá dài, đã cắt bớt",
         "Trang \"{sheet}\" có {detail}; phần vượt quá đã bị cắt bỏ (ví dụ ô {cell}). Kiểm tra lại các ô này và rút gọn nội dung.",
         "A cell's text is longer than max_cell_chars of [limits] (Excel's own limit, 32,767): it is "
         "cut to the limit and the rest of the file is read. One issue per sheet names the first cell."),
    Rule("TCVN3_CONVERTED", WARNING, S, "Chữ gõ bằng bảng mã TCVN3 (.VnTime)",
         "Trang \"{sheet}\" có {detail} ô gõ bằng bảng mã cũ TCVN3 (phông .VnTime), đã tự chuyển sang Unicode (ví dụ ô {cell}: \"{value}\" → \"{after}\"). Kiểm tra lại các ô này; lần sau dùng phông Unicode như Times New Roman.",
         "Cells of a sheet were typed in the legacy TCVN3 encoding and converted to Unicode (one "
         "issue per sheet, naming the first cell)."),
    Rule("CCCD_FORMAT", ERROR, R, "Số CCCD không đủ 12 chữ số",
         "Số CCCD \"{value}\" phải gồm đúng 12 chữ số. Ghi lại theo thẻ căn cước của người này.",
         "A citizen ID, once spaces, dots, dashes and a leading apostrophe are removed, is not 12 "
         "digits (nor an old 9-digit number)."),
    Rule("CCCD_OLD_CMND", WARNING, R, "Ghi số CMND 9 chữ số cũ",
         "\"{value}\" là số CMND 9 chữ số cũ. Ghi số CCCD 12 chữ số.",
         "A citizen ID has 9 digits: an old identity card number."),
    Rule("CCCD_MISMATCH", WARNING, R, "Số CCCD không khớp giới tính, năm sinh",
         "Số CCCD \"{value}\" không khớp với {detail}. Kiểm tra lại số CCCD, giới tính và ngày sinh.",
         "A 12-digit citizen ID's 4th digit (century and gender) or 5th–6th digits (year of birth) "
         "contradict the row's gender or birth date."),
    Rule("DUPLICATE_PERSON", ERROR, R, "Trùng số CCCD",
         "Số CCCD \"{value}\" trùng với {detail}. Một người chỉ được ghi ở một chi bộ, một dòng; xóa dòng thừa hoặc sửa số CCCD.",
         "The same citizen ID is on two member rows, in one file or in two cells' files (the "
         "person counts once above both cells)."),
    Rule("DATE_AFTER_PERIOD", ERROR, R, "Ngày sau kỳ báo cáo",
         "Ngày {value} ở cột \"{column}\" sau ngày cuối kỳ báo cáo ({detail}). Kiểm tra lại ngày.",
         "A member's birth date or official date, a ceremony whose decision date is unknown, or a "
         "candidate's certificate date is after the last day of the period. (A ceremony after the "
         "period for a decision inside it is real and accepted.)"),
    Rule("ADMITTED_AFTER_PERIOD", WARNING, R, "Kết nạp sau kỳ báo cáo, chưa tính",
         "Ngày vào Đảng {value} sau ngày cuối kỳ báo cáo ({detail}): người này chưa được tính trong báo cáo kỳ này và sẽ được tính từ kỳ sau. Nếu ghi nhầm ngày, sửa lại rồi gửi lại.",
         "The admission decision is after the last day of the period: the person is not counted in "
         "this period's figures (not a member yet on its last day)."),
    Rule("AGE_IMPLAUSIBLE", ERROR, R, "Tuổi không hợp lý",
         "Ngày sinh {value} cho tuổi {detail}, không hợp lý. Kiểm tra lại ngày sinh.",
         "A member is under 16 or over 100 at the end of the period."),
    Rule("ADMISSION_UNDER_18", ERROR, R, "Vào Đảng khi chưa đủ 18 tuổi",
         "Ngày vào Đảng {value}: khi đó mới {detail}, chưa đủ 18 tuổi (tính theo tháng) theo Điều lệ Đảng. Kiểm tra lại ngày sinh và ngày vào Đảng.",
         "Fewer than 216 months (18 years) from the birth date to the admission decision, counted "
         "by year and month alone, the day of the month ignored (`charter.age_in_months`): born "
         "20/03/2004 and admitted 05/03/2022 is 18 years and accepted. The detail gives years and "
         "months (\"17 tuổi 11 tháng\"). The regulations count to the day the cell considers the "
         "admission, which the roster does not hold; the decision comes after it.",
         source="Điều lệ Đảng, Điều 1 (khoản 2); Quy định 232-QĐ/TW (2025) thi hành Điều lệ Đảng, "
                "điểm 1.1.1 (đủ 18 tuổi đến đủ 60 tuổi, tính theo tháng)"),
    Rule("ADMISSION_OVER_60", WARNING, R, "Vào Đảng khi trên 60 tuổi",
         "Ngày vào Đảng {value}: khi đó đã {detail} (trên 60 tuổi, tính theo tháng). Việc kết nạp người trên 60 tuổi do cấp ủy trực thuộc Trung ương xem xét, quyết định: kiểm tra lại ngày sinh và ngày vào Đảng, hoặc ghi rõ văn bản đồng ý trong cột Ghi chú.",
         "More than 720 months (60 years) from the birth date to the admission decision, counted "
         "as for ADMISSION_UNDER_18: 60 years and 0 months is still 60. The detail gives years and "
         "months (\"60 tuổi 3 tháng\").",
         source="Điều lệ Đảng, Điều 1 (khoản 2); Quy định 232-QĐ/TW (2025) thi hành Điều lệ Đảng, "
                "điểm 1.1.2; Hướng dẫn 01-HD/TW (2021) of the Secretariat"),
    Rule("OFFICIAL_TOO_EARLY", ERROR, R, "Công nhận chính thức chưa đủ 12 tháng dự bị",
         "Ngày chính thức {value} chưa đủ 12 tháng dự bị (sớm nhất là {detail}). Kiểm tra lại ngày chính thức và ngày kết nạp.",
         "The official date is less than 12 months after the ceremony (or, without one, the admission).",
         source="Điều lệ Đảng, Điều 5 (khoản 1: 12 tháng dự bị, tính từ ngày chi bộ tổ chức lễ kết nạp)"),
    Rule("RECOGNITION_OVERDUE", WARNING, R, "Quá hạn xét công nhận chính thức",
         "Quá hạn xét công nhận chính thức: 12 tháng dự bị đã hết ngày {detail}, mà chưa có ngày chính thức. Chi bộ xét công nhận chính thức (hoặc đề nghị xóa tên) rồi ghi ngày chính thức.",
         "No official date, and the period ends after the last day allowed for the cell to consider "
         "recognition: the 30th working day after probation ends (12 months after the ceremony, or "
         "the decision without one), the day probation ends not counted (`charter.recognition_due`, "
         "working days as in docs/figures.md). On that 30th working day itself the member is not "
         "overdue yet; from the next day on, whatever day of the week, they are. Only in files that "
         "have the Ngày chính thức column.",
         source="Điều lệ Đảng, Điều 5; Quy định 232-QĐ/TW (2025) thi hành Điều lệ Đảng (30 ngày làm việc "
                "kể từ ngày đảng viên hết 12 tháng dự bị)"),
    Rule("CEREMONY_BEFORE_DECISION", ERROR, R, "Lễ kết nạp trước ngày quyết định",
         "Lễ kết nạp {value} trước ngày quyết định kết nạp ({detail}). Lễ kết nạp tổ chức sau khi có quyết định; kiểm tra lại hai ngày này.",
         "The ceremony date is before the admission decision's date."),
    Rule("CEREMONY_LATE", WARNING, R, "Lễ kết nạp muộn quá 30 ngày làm việc",
         "Lễ kết nạp {value} muộn hơn 30 ngày làm việc sau quyết định kết nạp ({detail}). Kiểm tra lại ngày; nếu tổ chức muộn đã được cấp ủy cấp trên trực tiếp đồng ý, ghi rõ trong cột Ghi chú.",
         "The ceremony is after the 30th working day after the admission decision (the decision's "
         "day not counted; working days: Monday to Friday less Vietnam's public holidays, Tết "
         "included, and the government's moved days, with the [calendar] of the configuration: "
         "docs/figures.md). A ceremony on a weekend right after that 30th working day is late too. "
         "The regulations count from the day the cell receives the decision, which the roster does "
         "not hold; the decision's date is the earliest it can be. Checked in `validate`, with the "
         "configuration's calendar.",
         source="Điều lệ Đảng, Điều 5 (khoản 1); Quy định 232-QĐ/TW (2025) thi hành Điều lệ Đảng "
                "(lễ kết nạp trong 30 ngày làm việc kể từ ngày nhận được quyết định kết nạp)"),
    Rule("CERT_MISSING", WARNING, R, "Chưa có giấy chứng nhận lớp nhận thức về Đảng",
         "Chưa có ngày cấp giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng. Ghi ngày cấp, hoặc cử đi học lớp.",
         "A candidate row has no certificate date.",
         source="Hướng dẫn 01-HD/TW (2021) of the Secretariat (lớp bồi dưỡng nhận thức về Đảng)"),
    Rule("CERT_EXPIRED", WARNING, R, "Giấy chứng nhận lớp nhận thức về Đảng quá 60 tháng",
         "Giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng cấp ngày {value} đã quá 60 tháng. Cần học lại trước khi xét kết nạp.",
         "A candidate's certificate is older than 60 months at the end of the period.",
         source="Hướng dẫn 01-HD/TW (2021) of the Secretariat (giấy chứng nhận có giá trị 60 tháng)"),
    Rule("HELPER_NOT_FOUND", WARNING, R, "Đảng viên giúp đỡ không có trong tổ chức cơ sở đảng",
         "Đảng viên giúp đỡ \"{value}\" không có trong danh sách đảng viên của tổ chức cơ sở đảng (chi bộ này, hoặc các chi bộ cùng đảng bộ cơ sở). Ghi đúng họ tên hoặc số CCCD của một đảng viên chính thức cùng tổ chức cơ sở đảng.",
         "A candidate's helper (introducer) matches no member of the candidate's grassroots "
         "organisation (tổ chức cơ sở đảng: the chi bộ cơ sở itself, or every cell of the đảng bộ "
         "cơ sở a chi bộ trực thuộc belongs to, `Register.grassroots`) by the citizen ID the cell "
         "holds, nor by full name as written, nor then ignoring case and diacritics; and it does "
         "not name the Youth Union's committee (YOUTH_UNION_INTRODUCER). Without a register (the "
         "`check` command without --units) the candidate's own cell is searched.",
         source="Điều lệ Đảng, Điều 4; Quy định 232-QĐ/TW (2025) thi hành Điều lệ Đảng (đảng viên giới "
                "thiệu cùng công tác với người vào Đảng trong cùng một tổ chức cơ sở đảng)"),
    Rule("HELPER_NOT_OFFICIAL", WARNING, R, "Đảng viên giúp đỡ chưa chính thức",
         "Đảng viên giúp đỡ \"{value}\" chưa là đảng viên chính thức. Phân công đảng viên chính thức giúp đỡ.",
         "A candidate's helper is a member of the grassroots organisation who is not official by the "
         "end of the period. Two members of the organisation with the helper's name: official if "
         "either is.",
         source="Điều lệ Đảng, Điều 4"),
    Rule("YOUTH_UNION_INTRODUCER", WARNING, R, "Đoàn giới thiệu không đúng quy định",
         "\"{value}\" được ghi là người giới thiệu, nhưng {detail}. Ban Chấp hành Đoàn cơ sở chỉ giới thiệu người vào Đảng là đoàn viên trong độ tuổi thanh niên (đến 30 tuổi), cùng một đảng viên chính thức; các trường hợp khác cần hai đảng viên chính thức giới thiệu. Sửa lại người giới thiệu, hoặc cột \"Đoàn viên\" nếu ghi thiếu.",
         "A helper cell that matches no member names the Youth Union's grassroots committee (folded: "
         "\"Đoàn TN\", \"Đoàn thanh niên\", \"Đoàn TNCS …\", \"Đoàn cơ sở\", \"BCH Đoàn …\", "
         "\"Ban Chấp hành Đoàn …\", \"Chi đoàn cơ sở\"; \"Đoàn\" alone is a family name and is "
         "looked up as a person) for a candidate whose row leaves Đoàn viên unmarked (a sheet "
         "without that column is not judged) or who is over youth age (more than 30 years and 11 "
         "months at the end of the period, `charter.youth_age`); or both helpers name it; or a helper "
         "names a chi đoàn (a branch: its meeting proposes the member, the grassroots committee "
         "introduces). The Youth Union named for a member of youth age is accepted, with no "
         "HELPER_NOT_FOUND.",
         source="Điều lệ Đảng, Điều 4 (người vào Đảng trong độ tuổi thanh niên: ban chấp hành đoàn cơ sở "
                "và một đảng viên chính thức giới thiệu); Quy định 232-QĐ/TW (2025); Hướng dẫn 01-HD/TW (2021)"),
    Rule("ROW_NOT_COUNTED", WARNING, R, "Dòng không có họ tên, không được tính",
         "Dòng có dữ liệu nhưng không có họ tên nên không được tính. Điền họ tên hoặc xóa dòng.",
         "A table row holds data but no full name: it is not counted."),
)

# Rule codes in declaration order: the order issues of one place are listed in.
RULE_ORDER = {code: n for n, code in enumerate(RULES)}

# The reader refused the file's bytes (not a spreadsheet, damaged, protected, over a limit, shaped
# like an attack): nothing else may open the file again, e.g. to return an annotated copy; its
# issues are all there is to say about it.
UNREAD_RULES = frozenset({"FILE_UNREADABLE", "FILE_PROTECTED", "FILE_NOT_SPREADSHEET", "FILE_WRONG_SUFFIX",
                          "FILE_TOO_LARGE", "FILE_SUSPICIOUS"})


@dataclass(frozen=True)
class Issue:
    severity: Severity
    rule: str
    message: str
    unit: str | None = None
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    cell: str | None = None   # Excel reference of the cell, e.g. "G20", when known

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return {k: d[k] for k in ("severity", "rule", "unit", "file", "sheet", "row", "column", "value", "message",
                                  "cell")}

    @property
    def label(self) -> str:
        return label(self.rule)


def label(rule: str) -> str:
    """The rule's short label; a code this version does not know (from a newer one) as itself."""
    known = RULES.get(rule)
    return known.label if known else rule


def make(rule: str, *, unit=None, file=None, sheet=None, row=None, column=None, value=None, cell=None,
         **context) -> Issue:
    """An Issue of this rule at this place; its message filled from the same fields and `context`.

    Raises TypeError for a context field the rule's message does not use, or a content field it
    uses and the call leaves out: a call site that is wrong fails every time it runs."""
    declared = RULES[rule]
    needed = declared.fields
    unused = set(context) - (needed & CONTENT_FIELDS)
    if unused:
        raise TypeError(f"{rule}: message has no field {sorted(unused)}")
    missing = (needed & CONTENT_FIELDS) - declared.optional - set(context)
    if missing:
        raise TypeError(f"{rule}: message needs {sorted(missing)}")
    shown = "" if value is None else str(value)
    fields = {"value": shown, "column": column or "", "column_lower": (column or "").lower(),
              "sheet": sheet or "", "cell": cell or "", **dict.fromkeys(declared.optional, ""), **context}
    return Issue(
        severity=declared.severity,
        rule=rule,
        message=declared.message.format_map(fields),
        unit=unit,
        file=file,
        sheet=sheet,
        row=None if row is None else int(row),
        column=column,
        value=None if value is None else shown,
        cell=cell,
    )


def sort_key(issue: Issue):
    return (issue.unit or "~", issue.file or "", issue.sheet or "", issue.row or 0, issue.column or "", issue.rule)


# ---------- the rules reference (docs/rules.md) ----------

_SCOPE_WORDS = {Scope.FILE: "file", Scope.SHEET: "sheet", Scope.ROW: "row / cell", Scope.UNIT: "unit"}
_UNUSABLE_WORDS = {Unusable.NO: "", Unusable.YES: "yes",
                   Unusable.CORE_COLUMN: "when the column is " + " or ".join(LABELS[k] for k in MEMBER_CORE)}


def reference() -> str:
    """Every rule as Markdown: what `make docs` writes to docs/rules.md."""
    lines = [
        "# Rules reference",
        "",
        "<!-- Generated from pipeline/rulebook.py by `make docs`; do not edit by hand. -->",
        "",
        "Every issue the pipeline reports has one of these codes. The code is stable (summary.json and",
        "the Excel workbook carry it); the message is what the clerk reads, with the fields in braces",
        "filled in from the file: `{value}` the cell's value as written, `{column}` the header as the",
        "file writes it, `{sheet}`, `{cell}` (e.g. `G20`), and `{detail}`, `{suggestion}`, `{after}`",
        "given by the check that fires. *Errors* make a figure wrong or the data unusable; *warnings*",
        "may be right but are against the rules or suspicious. A file is *unusable* (its cell counts",
        "as rejected) when one of its issues says so in the last column of the summary. A rule that",
        "applies the Party's regulations names them under *Source* (Điều lệ Đảng; Quy định 232-QĐ/TW of",
        "2025, which replaced 24-QĐ/TW of 2021 and was amended by 294-QĐ/TW; Hướng dẫn 01-HD/TW); an",
        "article or point is named only where it was checked against the text.",
        "",
        "| code | severity | applies to | label | unusable |",
        "|---|---|---|---|---|",
    ]
    for rule in RULES.values():
        lines.append(f"| [`{rule.code}`](#{rule.code.lower()}) | {rule.severity.value} | {_SCOPE_WORDS[rule.scope]} "
                     f"| {rule.label} | {_UNUSABLE_WORDS[rule.unusable]} |")
    for rule in RULES.values():
        lines += ["", f"## {rule.code}", "",
                  f"**{rule.severity.vi}** ({rule.severity.value}) · applies to: {_SCOPE_WORDS[rule.scope]} · "
                  f"*{rule.label}*", "",
                  f"When: {rule.when}", ""]
        if rule.source:
            lines += [f"Source: {rule.source}.", ""]
        if rule.unusable is not Unusable.NO:
            lines += [f"Makes the file unusable: {_UNUSABLE_WORDS[rule.unusable]}.", ""]
        if rule.restates_status:
            lines += ["Restates a unit's or a file's status: the feedback report says it in its status "
                      "section, not in its list of problems.", ""]
        lines += ["Message:", "", f"> {rule.message}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # make docs: python -m pipeline.rulebook docs/rules.md
    import sys
    from pathlib import Path

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if target is None:
        sys.stdout.write(reference())
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(reference(), encoding="utf-8")
