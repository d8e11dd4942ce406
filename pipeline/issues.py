"""Issues: what is wrong in a file, where, and what to do. One catalogue holds every word a clerk reads.

Rules never raise: they return Issue values; the caller decides what is fatal (STYLE: frictionless).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"

SEVERITY_VI = {ERROR: "Lỗi", WARNING: "Cảnh báo"}

# rule code → (severity, Vietnamese message template). Templates may use {value}, {column},
# {detail}, {suggestion} and any other keyword passed to make().
CATALOGUE: dict[str, tuple[str, str]] = {
    # --- files ---
    "FILE_UNREADABLE": (ERROR, "Không đọc được tệp ({detail}). Mở tệp bằng Excel, lưu lại dạng .xlsx rồi gửi lại."),
    "FILE_PROTECTED": (ERROR, "Tệp có đặt mật khẩu nên không đọc được. Bỏ mật khẩu, lưu lại rồi gửi lại."),
    "FILE_EMPTY": (ERROR, "Tệp không có dữ liệu. Điền danh sách đảng viên theo mẫu rồi gửi lại."),
    "FILE_NOT_SPREADSHEET": (ERROR, "Tệp không phải bảng tính Excel (.xlsx, .xlsm, .xls, .ods) nên không được dùng. Gửi lại đúng tệp danh sách."),
    "NO_MEMBER_SHEET": (ERROR, "Không tìm thấy danh sách đảng viên trong các trang {detail} (cần trang \"Đảng viên\" có dòng tiêu đề cột \"Họ và tên\"). Dùng đúng mẫu rồi gửi lại."),
    "MISSING_COLUMN": (ERROR, "Thiếu cột bắt buộc \"{column}\" trong trang \"{sheet}\". Thêm cột này vào dòng tiêu đề và điền đủ cho từng người."),
    "UNIT_UNKNOWN": (ERROR, "Không xác định được tệp này của chi bộ nào ({detail}). Ghi đúng \"Mã đơn vị\" trong trang \"Thông tin\" theo danh mục đơn vị."),
    "UNIT_NOT_CELL": (ERROR, "Mã đơn vị \"{value}\" là {detail}, không phải chi bộ; chỉ chi bộ gửi danh sách. Kiểm tra lại \"Mã đơn vị\" trong trang \"Thông tin\"."),
    "UNIT_CODE_UNKNOWN": (WARNING, "Mã đơn vị \"{value}\" trong trang \"Thông tin\" không có trong danh mục; đã nhận là {detail}. Sửa lại \"Mã đơn vị\" cho đúng."),
    "BAD_QUARTER": (WARNING, "Không hiểu \"{value}\" trong ô \"{column}\" của trang \"Thông tin\". Ghi năm bằng 4 chữ số và quý bằng số 1–4."),
    "TEMPLATE_OLD": (WARNING, "Tệp làm theo mẫu cũ (phiên bản {value}); mẫu hiện nay là phiên bản {detail}. Số liệu vẫn được đọc; kỳ sau dùng mẫu mới do Ban Tổ chức gửi."),
    "PERIOD_ASSUMED": (WARNING, "Tệp không ghi năm và quý; đã coi là {detail}. Điền \"Năm\" và \"Quý\" trong trang \"Thông tin\"."),
    "OTHER_PERIOD": (WARNING, "Tệp là số liệu {detail}, không phải kỳ báo cáo này nên không được dùng. Nếu nhầm, sửa \"Năm\"/\"Quý\" rồi gửi lại."),
    "DUPLICATE_SUBMISSION": (WARNING, "Đơn vị đã gửi nhiều tệp cho cùng kỳ; dùng tệp \"{detail}\" (lập sau cùng), tệp này không được tính."),
    "UNIT_MISSING": (WARNING, "Đơn vị chưa gửi danh sách cho kỳ này; số liệu của đơn vị chưa có trong báo cáo."),
    "UNIT_REJECTED": (ERROR, "Tệp của đơn vị không dùng được nên số liệu của đơn vị chưa có trong báo cáo. Sửa các lỗi ở trên rồi gửi lại."),
    # --- values ---
    "REQUIRED_MISSING": (ERROR, "Thiếu \"{column}\". Điền {column_lower} cho người này."),
    "BAD_DATE": (ERROR, "\"{value}\" không phải ngày hợp lệ.{detail} Ghi ngày theo dạng ngày/tháng/năm, ví dụ 05/09/1990."),
    "BIRTH_YEAR_ONLY": (WARNING, "Chỉ ghi năm sinh \"{value}\"; đã tạm coi là ngày 01/01. Ghi đủ ngày/tháng/năm sinh."),
    "BAD_VALUE": (ERROR, "\"{value}\" không có trong danh sách giá trị của cột \"{column}\".{suggestion}"),
    "TCVN3_CONVERTED": (WARNING, "Trang \"{sheet}\" có {detail} ô gõ bằng bảng mã cũ TCVN3 (phông .VnTime), đã tự chuyển sang Unicode (ví dụ ô {cell}: \"{value}\" → \"{after}\"). Kiểm tra lại các ô này; lần sau dùng phông Unicode như Times New Roman."),
    "EXCEL_ERROR": (ERROR, "Ô có lỗi công thức {value}. Sửa công thức hoặc ghi giá trị trực tiếp."),
    "CCCD_FORMAT": (ERROR, "Số CCCD \"{value}\" phải gồm đúng 12 chữ số. Ghi lại theo thẻ căn cước của người này."),
    "CCCD_OLD_CMND": (WARNING, "\"{value}\" là số CMND 9 chữ số cũ. Ghi số CCCD 12 chữ số."),
    "CCCD_MISMATCH": (WARNING, "Số CCCD \"{value}\" không khớp với {detail}. Kiểm tra lại số CCCD, giới tính và ngày sinh."),
    "DUPLICATE_PERSON": (ERROR, "Số CCCD \"{value}\" trùng với {detail}. Một người chỉ được ghi ở một chi bộ, một dòng; xóa dòng thừa hoặc sửa số CCCD."),
    "DATE_AFTER_PERIOD": (ERROR, "Ngày {value} ở cột \"{column}\" sau ngày cuối kỳ báo cáo ({detail}). Kiểm tra lại ngày."),
    "AGE_IMPLAUSIBLE": (ERROR, "Ngày sinh {value} cho tuổi {detail}, không hợp lý. Kiểm tra lại ngày sinh."),
    "ADMISSION_UNDER_18": (ERROR, "Ngày vào Đảng {value}: khi đó mới {detail} tuổi, chưa đủ 18 tuổi theo Điều lệ Đảng. Kiểm tra lại ngày sinh và ngày vào Đảng."),
    "ADMISSION_OVER_60": (WARNING, "Ngày vào Đảng {value}: khi đó đã {detail} tuổi (trên 60), phải có ý kiến của cấp trên. Kiểm tra lại hoặc ghi rõ văn bản đồng ý trong cột Ghi chú."),
    "OFFICIAL_TOO_EARLY": (ERROR, "Ngày chính thức {value} chưa đủ 12 tháng dự bị (sớm nhất là {detail}). Kiểm tra lại ngày chính thức và ngày kết nạp."),
    "RECOGNITION_OVERDUE": (WARNING, "Quá hạn xét công nhận chính thức: hết 12 tháng dự bị từ {detail} mà chưa có ngày chính thức. Xét công nhận hoặc ghi ngày chính thức."),
    "CEREMONY_LATE": (WARNING, "Lễ kết nạp {value} muộn hơn 30 ngày làm việc sau quyết định ({detail}). Kiểm tra lại ngày."),
    "CERT_MISSING": (WARNING, "Chưa có ngày cấp giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng. Ghi ngày cấp, hoặc cử đi học lớp."),
    "CERT_EXPIRED": (WARNING, "Giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng cấp ngày {value} đã quá 60 tháng. Cần học lại trước khi xét kết nạp."),
    "HELPER_NOT_FOUND": (WARNING, "Đảng viên giúp đỡ \"{value}\" không có trong danh sách đảng viên của chi bộ. Ghi đúng họ tên hoặc số CCCD của một đảng viên trong chi bộ."),
    "HELPER_NOT_OFFICIAL": (WARNING, "Đảng viên giúp đỡ \"{value}\" chưa là đảng viên chính thức. Phân công đảng viên chính thức giúp đỡ."),
    "ROW_NOT_COUNTED": (WARNING, "Dòng có dữ liệu nhưng không có họ tên nên không được tính. Điền họ tên hoặc xóa dòng."),
}


# rule code → short Vietnamese label, for tables that count issues by kind.
LABELS: dict[str, str] = {
    "FILE_UNREADABLE": "Không đọc được tệp",
    "FILE_PROTECTED": "Tệp có đặt mật khẩu",
    "FILE_EMPTY": "Tệp không có dữ liệu",
    "FILE_NOT_SPREADSHEET": "Tệp không phải bảng tính",
    "NO_MEMBER_SHEET": "Không có trang danh sách đảng viên",
    "MISSING_COLUMN": "Thiếu cột bắt buộc",
    "UNIT_UNKNOWN": "Không xác định được đơn vị gửi tệp",
    "UNIT_NOT_CELL": "Mã đơn vị không phải chi bộ",
    "UNIT_CODE_UNKNOWN": "Mã đơn vị không có trong danh mục",
    "BAD_QUARTER": "Năm, quý ghi không rõ",
    "TEMPLATE_OLD": "Dùng mẫu danh sách cũ",
    "PERIOD_ASSUMED": "Tệp không ghi năm, quý",
    "OTHER_PERIOD": "Tệp số liệu của kỳ khác",
    "DUPLICATE_SUBMISSION": "Gửi nhiều tệp cho cùng kỳ",
    "UNIT_MISSING": "Đơn vị chưa gửi danh sách",
    "UNIT_REJECTED": "Tệp của đơn vị không dùng được",
    "REQUIRED_MISSING": "Thiếu thông tin bắt buộc",
    "BAD_DATE": "Ngày ghi không hợp lệ",
    "BIRTH_YEAR_ONLY": "Chỉ ghi năm sinh",
    "BAD_VALUE": "Giá trị không có trong danh mục",
    "EXCEL_ERROR": "Ô có lỗi công thức",
    "TCVN3_CONVERTED": "Chữ gõ bằng bảng mã TCVN3 (.VnTime)",
    "CCCD_FORMAT": "Số CCCD không đủ 12 chữ số",
    "CCCD_OLD_CMND": "Ghi số CMND 9 chữ số cũ",
    "CCCD_MISMATCH": "Số CCCD không khớp giới tính, năm sinh",
    "DUPLICATE_PERSON": "Trùng số CCCD",
    "DATE_AFTER_PERIOD": "Ngày sau kỳ báo cáo",
    "AGE_IMPLAUSIBLE": "Tuổi không hợp lý",
    "ADMISSION_UNDER_18": "Vào Đảng khi chưa đủ 18 tuổi",
    "ADMISSION_OVER_60": "Vào Đảng khi trên 60 tuổi",
    "OFFICIAL_TOO_EARLY": "Công nhận chính thức chưa đủ 12 tháng dự bị",
    "RECOGNITION_OVERDUE": "Quá hạn xét công nhận chính thức",
    "CEREMONY_LATE": "Lễ kết nạp muộn quá 30 ngày làm việc",
    "CERT_MISSING": "Chưa có giấy chứng nhận lớp nhận thức về Đảng",
    "CERT_EXPIRED": "Giấy chứng nhận lớp nhận thức về Đảng quá 60 tháng",
    "HELPER_NOT_FOUND": "Đảng viên giúp đỡ không có trong chi bộ",
    "HELPER_NOT_OFFICIAL": "Đảng viên giúp đỡ chưa chính thức",
    "ROW_NOT_COUNTED": "Dòng không có họ tên, không được tính",
}


@dataclass(frozen=True)
class Issue:
    severity: str
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


class _Blank(dict):
    def __missing__(self, key):  # a template field nobody filled reads as empty, never crashes
        return ""


def make(rule: str, *, unit=None, file=None, sheet=None, row=None, column=None, value=None, cell=None,
         **ctx) -> Issue:
    """Build an Issue from the catalogue; the message is filled from the same fields."""
    severity, template = CATALOGUE[rule]
    shown = "" if value is None else str(value)
    fields = {"value": shown, "column": column or "", "sheet": sheet or "", "cell": cell or "", "detail": "",
              "suggestion": ""}
    fields["column_lower"] = (column or "").lower()
    fields.update(ctx)
    return Issue(
        severity=severity,
        rule=rule,
        message=template.format_map(_Blank(fields)),
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
