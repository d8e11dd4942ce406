"""A committee's own folder, set up in one step (`python -m pipeline init DIR`): its commented
configuration, an empty register in the layout the reader expects (with drop-down lists), the
folders for the rosters it receives and the reports it makes, and a starting text of the report's
narrative (`loi-van/mau.md`, the shipped default) for the department to copy and edit each quarter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.config import Config
from pipeline.contract import GRASSROOTS_COMMITTEE, REGISTER_COLUMNS, REGISTER_SHEET, UNIT_TYPES
from pipeline.errors import PipelineError
from pipeline.files import atomic_path
from pipeline.resources import TEMPLATES_DIR

CONFIG_NAME = "pipeline.toml"
REGISTER_NAME = "danh-muc-don-vi.xlsx"
INBOX_NAME = "hop-thu"
OUT_NAME = "ket-qua"
TEMPLATES_NAME = "mau"
NARRATIVE_DIR = "loi-van"
NARRATIVE_SAMPLE = "mau.md"   # the shipped default narrative, to copy as loi-van/<year>-Q<quarter>.md
REGISTER_ROWS = 2000   # rows prepared with the unit-type list
REGISTER_WIDTHS = {"code": 16, "name": 60, "type": 24, "parent": 20, "email": 30, "target": 14}

# The configuration file's sections, in order, and the comment above each key.
SECTIONS = {
    "document": ("superior_body", "issuing_body", "document_number", "document_code", "place", "report_date"),
    "committee": ("committee_name", "standing_committee", "admitting_body"),
    "signature": ("signer_on_behalf", "signer_title", "signer_name"),
    "recipients": ("recipients",),
    "figures": ("ratio_decimals",),
}
COMMENTS = {
    "superior_body": "Cơ quan cấp trên (dòng đầu, góc trái), ví dụ \"ĐẢNG BỘ TỈNH …\"",
    "issuing_body": "Cơ quan ban hành (dòng thứ hai, in đậm), ví dụ \"ĐẢNG ỦY …\"",
    "document_number": "Số văn bản; để trống thì chừa chỗ ghi tay",
    "document_code": "Ký hiệu sau số văn bản, ví dụ \"BC/ĐU\"",
    "place": "Địa danh ở dòng ngày tháng",
    "report_date": "Ngày báo cáo (ngày/tháng/năm). Bỏ dòng này thì lấy ngày chạy",
    "committee_name": "Tên đảng bộ trong câu văn, ví dụ \"Đảng bộ Trường Đại học …\"",
    "standing_committee": "Cơ quan báo cáo, ví dụ \"Ban Thường vụ Đảng ủy …\"",
    "admitting_body": ("Cơ quan quyết định kết nạp. Để trống: chính cơ quan báo cáo (đảng bộ cấp trên cơ sở). "
                       "Đảng bộ cơ sở: ban thường vụ cấp ủy cấp trên"),
    "signer_on_behalf": "Dòng thay mặt trên chữ ký",
    "signer_title": "Chức vụ người ký, ví dụ \"BÍ THƯ\"",
    "signer_name": "Họ tên người ký",
    "recipients": "Nơi nhận, mỗi dòng một nơi",
    "ratio_decimals": "Số chữ số thập phân của tỷ lệ kết nạp (0 → \"3%\", 1 → \"3,1%\")",
}


@dataclass(frozen=True)
class Workspace:
    """What `create` wrote, and where the next commands take their paths from."""

    folder: Path
    config: Path
    register: Path
    inbox: Path
    out: Path
    templates: Path
    narrative: Path   # the narrative's starting text (loi-van/mau.md)


def config_toml(config: Config) -> str:
    """The configuration as a commented TOML file, every key written (an empty one stays visible)."""
    lines = ["# Cấu hình báo cáo của đảng bộ. Sửa các giá trị trong dấu ngoặc kép; giữ nguyên tên khóa.",
             "# Khóa viết sai tên, giá trị sai kiểu đều bị báo lỗi; thiếu tên đảng bộ thì không làm báo cáo."]
    for section, keys in SECTIONS.items():
        lines += ["", f"[{section}]"]
        for key in keys:
            lines.append(f"# {COMMENTS[key]}")
            value = getattr(config, key)
            if key == "report_date":
                lines.append(f"report_date = \"{value:%d/%m/%Y}\"" if value else "# report_date = \"27/10/2025\"")
            elif key == "recipients":
                lines.append("recipients = [")
                lines += [f"    {_string(r)}," for r in value]
                lines.append("]")
            elif key == "ratio_decimals":
                lines.append(f"ratio_decimals = {value}")
            else:
                lines.append(f"{key} = {_string(value)}")
    return "\n".join(lines) + "\n" + MAIL_SECTIONS


# The mail settings `send` needs, written empty with their meaning (a file holds every key).
MAIL_SECTIONS = """
# Gửi thư (make send): máy chủ thư của Ban Tổ chức. Mật khẩu không ghi ở đây: password_env là tên
# biến môi trường chứa mật khẩu (ví dụ PIPELINE_SMTP_PASSWORD). Chứng chỉ của máy chủ luôn được kiểm tra;
# cafile: tệp CA riêng của cơ quan, nếu máy chủ dùng chứng chỉ do cơ quan cấp.
[smtp]
host = ""
# 0: cổng thường dùng (465 với ssl, 587 với starttls, 25 với none)
port = 0
# "ssl", "starttls" hoặc "none" (chỉ dùng cho máy chủ chuyển tiếp trong mạng nội bộ)
security = "starttls"
user = ""
password_env = ""
# Người gửi, ví dụ "Ban Tổ chức Đảng ủy … <bantochuc@…>"
sender = ""
reply_to = ""
timeout = 30.0
# Số thư tối đa mỗi phút
rate_per_minute = 30
cafile = ""

[send]
# Nơi nhận báo cáo của Đảng ủy, mỗi nơi một dòng: "Thường trực Đảng ủy <tt@…>" hoặc chỉ địa chỉ
report_to = []
# Cỡ tối đa một thư (MB); gói lớn hơn không gửi, được liệt kê
max_message_mb = 10.0

# Hạn gửi danh sách của các chi bộ (đúng hạn / muộn trong báo cáo, lệnh status, trang tổng quan, thư
# nhắc). Bỏ dấu # ở một trong hai dòng dưới: số ngày sau ngày cuối quý, hoặc ngày cụ thể của một quý
# (ngày của quý thắng số ngày). Không ghi gì: không xét đúng hạn.
[deadlines]
# days_after_quarter = 5
# "2025-Q1" = "07/04/2025"

# Ngày làm việc để tính các thời hạn của Đảng (lễ kết nạp trong 30 ngày làm việc, xét công nhận
# chính thức trong 30 ngày làm việc sau 12 tháng dự bị): từ thứ Hai đến thứ Sáu, trừ các ngày nghỉ lễ,
# Tết đã có sẵn. Bỏ dấu # để thêm ngày nghỉ bù hoặc ngày làm bù do Chính phủ, địa phương quyết định.
[calendar]
# days_off = ["02/05/2025"]
# working_days = ["26/04/2025"]

# Ai đọc được kết quả (có số CCCD, ngày sinh): "owner" (mặc định) — chỉ tài khoản chạy chương trình;
# "group" — cả nhóm của thư mục dùng chung. Bỏ dấu # để đổi.
[output]
# output_access = "group"

# Lời văn của báo cáo (mở đầu, đánh giá, nhiệm vụ), mỗi quý một tệp, đường dẫn tính từ thư mục của
# tệp cấu hình này; {year}, {quarter}: năm, quý của kỳ báo cáo. Không ghi: dùng lời văn có sẵn. Bắt đầu:
# chép loi-van/mau.md thành loi-van/2025-Q1.md (năm, quý của báo cáo), sửa lời văn, rồi bỏ dấu #.
[narrative]
# file = "loi-van/{year}-Q{quarter}.md"

# Mẫu Word của bản .docx (chép mẫu có sẵn, sửa kiểu chữ trong Word, giữ nguyên các thẻ).
# Không ghi: dùng mẫu có sẵn.
[word]
# template = "mau-word/bao-cao.docx"

# Thông báo kết quả kiểm tra gửi từng chi bộ (THÔNG BÁO, nơi nhận đầu tiên là chi bộ). Để nguyên: thông
# báo mang tên, người ký của báo cáo, ký hiệu TB/… Nếu Ban Tổ chức ra thông báo, bỏ dấu # và ghi đủ
# các dòng dưới (trừ signer_on_behalf, để trống khi không ký thay).
[feedback]
# superior_body = "ĐẢNG ỦY …"
# issuing_body = "BAN TỔ CHỨC"
# issuer_name = "Ban Tổ chức Đảng ủy …"
# document_code = "TB/BTC"
# signer_on_behalf = "K/T TRƯỞNG BAN"
# signer_title = "PHÓ TRƯỞNG BAN"
# signer_name = "…"
# recipients = ["Lưu VT, BTC."]
"""


def _string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def write_register_template(path: Path, root: tuple[str, str, str] | None) -> Path:
    """An empty register: its header, a drop-down of unit types, whole-number targets, and the
    root's row when `root` = (code, name, type) is given."""
    wb = Workbook()
    ws = wb.active
    ws.title = REGISTER_SHEET
    keys = list(REGISTER_COLUMNS)
    for j, key in enumerate(keys, start=1):
        cell = ws.cell(1, j, REGISTER_COLUMNS[key])
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = REGISTER_WIDTHS[key]
    if root:
        for j, value in enumerate((root[0], root[1], root[2]), start=1):
            ws.cell(2, j, value).data_type = "s"   # a name typed as "=…" stays text, never a formula
    letter = {key: get_column_letter(j) for j, key in enumerate(keys, start=1)}
    types = DataValidation(type="list", formula1='"' + ",".join(UNIT_TYPES) + '"', allow_blank=True)
    types.promptTitle, types.prompt = "Loại đơn vị", "Chọn trong danh sách (bấm mũi tên bên phải ô)."
    types.showInputMessage = True
    types.add(f"{letter['type']}2:{letter['type']}{REGISTER_ROWS}")
    targets = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    targets.promptTitle, targets.prompt = "Chỉ tiêu", "Chỉ tiêu kết nạp trong năm (số nguyên); có thể để trống."
    targets.showInputMessage = True
    targets.add(f"{letter['target']}2:{letter['target']}{REGISTER_ROWS}")
    parent = DataValidation(allow_blank=True)
    parent.promptTitle = "Mã cấp trên"
    parent.prompt = "Mã đơn vị cấp trên trực tiếp; để trống cho đơn vị gốc (chỉ một đơn vị)."
    parent.showInputMessage = True
    parent.add(f"{letter['parent']}2:{letter['parent']}{REGISTER_ROWS}")
    for dv in (types, targets, parent):
        ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    with atomic_path(Path(path)) as tmp:
        wb.save(tmp)
    return Path(path)


def create(folder: Path, config: Config, root: tuple[str, str, str] | None = None, *,
           force: bool = False) -> Workspace:
    """Set up `folder` for a committee. Refuses to overwrite a configuration or a register already
    there unless `force` (the folders themselves are only created when missing)."""
    folder = Path(folder)
    if root and root[2] not in UNIT_TYPES:
        raise PipelineError(f"Loại đơn vị gốc \"{root[2]}\" không hợp lệ. Dùng một trong: {', '.join(UNIT_TYPES)}.")
    space = Workspace(folder=folder, config=folder / CONFIG_NAME, register=folder / REGISTER_NAME,
                      inbox=folder / INBOX_NAME, out=folder / OUT_NAME, templates=folder / TEMPLATES_NAME,
                      narrative=folder / NARRATIVE_DIR / NARRATIVE_SAMPLE)
    existing = [p for p in (space.config, space.register) if p.exists()]
    if existing and not force:
        raise PipelineError(f"Đã có {', '.join(str(p) for p in existing)}. Không ghi đè; thêm --force nếu muốn "
                            "tạo lại từ đầu.")
    for directory in (folder, space.inbox, space.out, space.narrative.parent):
        directory.mkdir(parents=True, exist_ok=True)
    with atomic_path(space.config) as tmp:
        tmp.write_text(config_toml(config), encoding="utf-8")
    write_register_template(space.register, root)
    if not space.narrative.exists():   # the department's own text is never overwritten, even with force
        with atomic_path(space.narrative) as tmp:
            tmp.write_bytes((TEMPLATES_DIR / "narrative.md").read_bytes())
    return space


def needs_admitting_body(root_type: str | None) -> bool:
    """A grassroots committee's admissions are decided by its superior: the report must name it."""
    return root_type == GRASSROOTS_COMMITTEE
