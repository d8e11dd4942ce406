"""The input contract: what a roster workbook and the unit register hold, in one place.

Every program that reads or writes a roster takes its words from here: the reader
(`pipeline.roster`), the checks (`pipeline.rules`), the template writer (`pipeline.template`), and
the workbook generators outside the package (`rostergen`, `bench/generate.py`, the test corpus).
Nothing else restates a sheet name, a header, a column's position or a value list.
`docs/roster-format.md` describes the same format for people.

Header aliases are compared *folded* (`normalize.fold`: no diacritics, lower case), after the
reader strips notes in brackets and trailing marks (`Ngày sinh (dd/mm/yyyy)*` → `ngay sinh`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.normalize import clean_text

# ---------- sheets ----------

INFO_SHEET = "Thông tin"
MEMBER_SHEET = "Đảng viên"
CANDIDATE_SHEET = "Quần chúng ưu tú"
# The template's hidden sheet of drop-down lists.
LIST_SHEET = "Danh mục"
# The sheet a returned (annotated) workbook gets; a clerk may send that copy back.
RESULT_SHEET = "Kết quả kiểm tra"

# Folded sheet names the reader recognises.
MEMBER_SHEET_NAMES = ("dang vien", "danh sach dang vien", "ds dang vien", "dsdv", "ds dv", "danh sach")
CANDIDATE_SHEET_WORDS = ("quan chung", "qcut", "cam tinh", "nguon", "doi tuong")
INFO_SHEET_NAMES = ("thong tin", "thong tin chung", "info")
# Sheets that are ours, never a roster: the template's lists and the returned copy's results.
OWN_SHEET_NAMES = ("danh muc", "ket qua kiem tra")

# ---------- the info sheet: label/value pairs ----------

TEMPLATE_VERSION = "2026.1"   # bump whenever the layout changes (a sheet, a label, a header, a list)
TEMPLATE_VERSION_LABEL = "Phiên bản mẫu"

# Info key → label as the template writes it, in the template's order.
INFO_FIELDS = {
    "code": "Mã đơn vị",
    "name": "Tên đơn vị",
    "year": "Năm",
    "quarter": "Quý",
    "created_on": "Ngày lập",
    "created_by": "Người lập",
    "template_version": TEMPLATE_VERSION_LABEL,
}
# Folded label → info key: the template's labels and one more spelling offices use.
INFO_LABELS = {
    "ma don vi": "code", "ten don vi": "name", "nam": "year", "quy": "quarter",
    "ngay lap": "created_on", "nguoi lap": "created_by", "ky bao cao": "period",
    "phien ban mau": "template_version",
}

# ---------- the tables: columns ----------


@dataclass(frozen=True)
class Column:
    """One column of a roster table: its key in the pipeline, its header in the template and every
    header spelling the reader accepts (folded)."""

    key: str
    label: str
    aliases: tuple[str, ...]

    @property
    def is_date(self) -> bool:
        return self.key in DATE_KEYS


_ROW_NUMBER = Column("row_number", "STT", ("stt", "tt", "so tt", "so thu tu"))
_NAME_ALIASES = ("ho va ten", "ho ten", "ho va ten dang vien", "ho ten dang vien", "ho va ten khai sinh")
_BIRTH = Column("birth_date", "Ngày sinh", ("ngay sinh", "sinh ngay", "ngay, thang, nam sinh",
                                            "ngay thang nam sinh", "nam sinh", "ngay/thang/nam sinh"))
_GENDER = Column("gender", "Giới tính", ("gioi tinh", "gioi", "nam/nu", "nam, nu"))
_ETHNICITY = Column("ethnicity", "Dân tộc", ("dan toc",))
_RELIGION = Column("religion", "Tôn giáo", ("ton giao",))
_CITIZEN_ID = Column("citizen_id", "Số CCCD", ("so cccd", "cccd", "so can cuoc", "so can cuoc cong dan",
                                               "so cccd/cmnd", "cccd/cmnd", "so dinh danh",
                                               "so dinh danh ca nhan", "so the can cuoc"))
_YOUTH_UNION = Column("youth_union", "Đoàn viên", ("doan vien", "la doan vien", "doan vien (x)"))
_NOTE = Column("note", "Ghi chú", ("ghi chu",))

# The member sheet's columns, in the template's order (column A first).
MEMBER_COLUMNS: tuple[Column, ...] = (
    _ROW_NUMBER,
    Column("full_name", "Họ và tên", _NAME_ALIASES),
    _BIRTH,
    _GENDER,
    _ETHNICITY,
    _RELIGION,
    _CITIZEN_ID,
    Column("admitted_on", "Ngày vào Đảng", ("ngay vao dang", "vao dang ngay", "ngay quyet dinh ket nap",
                                            "ngay vao dang (quyet dinh)")),
    Column("ceremony_on", "Ngày kết nạp", ("ngay ket nap", "ngay le ket nap", "ket nap ngay",
                                           "ngay to chuc le ket nap")),
    Column("official_on", "Ngày chính thức", ("ngay chinh thuc", "ngay cong nhan chinh thuc",
                                              "chinh thuc ngay", "ngay vao dang chinh thuc")),
    _YOUTH_UNION,
    Column("education", "Trình độ chuyên môn", ("trinh do chuyen mon", "trinh do", "chuyen mon",
                                                "trinh do chuyen mon nghiep vu")),
    _NOTE,
)
# The candidate sheet's columns (quần chúng ưu tú) the reader knows, in the template's order;
# the template leaves out `religion` (TEMPLATE_CANDIDATE_KEYS).
CANDIDATE_COLUMNS: tuple[Column, ...] = (
    _ROW_NUMBER,
    Column("full_name", "Họ và tên", _NAME_ALIASES + ("ho va ten quan chung",)),
    _BIRTH,
    _GENDER,
    _ETHNICITY,
    _RELIGION,
    _CITIZEN_ID,
    Column("certificate_on", "Ngày cấp giấy chứng nhận", (
        "ngay cap giay chung nhan", "ngay cap gcn", "ngay cap chung nhan", "giay chung nhan",
        "ngay cap giay chung nhan lop bdnt ve dang", "ngay cap giay chung nhan lop cam tinh dang")),
    Column("helper_1", "Đảng viên giúp đỡ 1", ("dang vien giup do 1", "nguoi giup do 1",
                                               "dang vien giup do thu nhat", "dang vien giup do")),
    Column("helper_2", "Đảng viên giúp đỡ 2", ("dang vien giup do 2", "nguoi giup do 2",
                                               "dang vien giup do thu hai")),
    _YOUTH_UNION,
    _NOTE,
)

# Column key → header as the template writes it (both sheets; a key means the same on each).
LABELS: dict[str, str] = {c.key: c.label for c in MEMBER_COLUMNS + CANDIDATE_COLUMNS}
# The template's columns, column A first; every workbook generator writes these headers in this order.
TEMPLATE_MEMBER_KEYS = tuple(c.key for c in MEMBER_COLUMNS)
TEMPLATE_CANDIDATE_KEYS = tuple(c.key for c in CANDIDATE_COLUMNS if c.key != "religion")
MEMBER_HEADERS = tuple(LABELS[k] for k in TEMPLATE_MEMBER_KEYS)
CANDIDATE_HEADERS = tuple(LABELS[k] for k in TEMPLATE_CANDIDATE_KEYS)

# Sub-columns written under a merged header → the column they really are. (Nam/Nữ under the birth
# date is handled apart by the reader: it also gives the gender.)
SUB_COLUMNS: dict[str | None, dict[str, str]] = {
    "birth_date": {"nam": "birth_date", "nu": "birth_date"},
    "admitted_on": {"du bi": "admitted_on", "chinh thuc": "official_on", "ngay vao dang": "admitted_on"},
}

# Columns that hold dates.
DATE_KEYS = frozenset({"birth_date", "admitted_on", "ceremony_on", "official_on", "certificate_on"})
MEMBER_DATE_KEYS = ("birth_date", "admitted_on", "ceremony_on", "official_on")
# Columns a member sheet must have (and every member row must fill).
MEMBER_REQUIRED = ("full_name", "birth_date", "gender", "ethnicity", "citizen_id", "admitted_on")
# Without these a file gives no figures at all: a member sheet missing one makes the file unusable.
MEMBER_CORE = ("full_name", "admitted_on")
CANDIDATE_REQUIRED = ("full_name",)
HELPER_KEYS = ("helper_1", "helper_2")

# ---------- value lists ----------

GENDERS = ("Nam", "Nữ")
# The 54 ethnic groups, as the official list names them.
ETHNIC_GROUPS = (
    "Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Mông", "Dao", "Gia Rai", "Ê Đê", "Ba Na",
    "Sán Chay", "Chăm", "Cơ Ho", "Xơ Đăng", "Sán Dìu", "Hrê", "Ra Glai", "Mnông", "Thổ", "Xtiêng",
    "Khơ Mú", "Bru - Vân Kiều", "Cơ Tu", "Giáy", "Tà Ôi", "Mạ", "Giẻ Triêng", "Co", "Chơ Ro",
    "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào", "La Chí", "Kháng", "Phù Lá", "La Hủ", "La Ha", "Pà Thẻn",
    "Lự", "Ngái", "Chứt", "Lô Lô", "Mảng", "Cờ Lao", "Bố Y", "Cống", "Si La", "Pu Péo", "Rơ Măm",
    "Brâu", "Ơ Đu",
)
MAJORITY_GROUP = "Kinh"
# Other spellings in use (folded) → the list's name.
ETHNIC_ALIASES = {"hmong": "Mông", "h'mong": "Mông", "stieng": "Xtiêng", "khmu": "Khơ Mú", "van kieu": "Bru - Vân Kiều",
                  "bru": "Bru - Vân Kiều", "co lao": "Cờ Lao", "raglai": "Ra Glai", "gie-trieng": "Giẻ Triêng",
                  "ede": "Ê Đê", "jrai": "Gia Rai", "bahnar": "Ba Na", "cham": "Chăm", "khome": "Khmer"}
# Folded `Tôn giáo` values that mean "no religion".
NO_RELIGION = ("", "khong", "khong co", "-", "0")
# Folded `Đoàn viên` values that mean yes; the template offers the first.
YES_WORDS = ("x", "co", "yes", "1", "v", "dv", "doan vien")
YOUTH_UNION_MARK = YES_WORDS[0]

# ---------- the template version ----------


def template_version(info: dict) -> str | None:
    """The `Phiên bản mẫu` value read from `Thông tin` (info key `template_version`), as text;
    None when the file has no marker (it was not made from the template, which is allowed)."""
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


# ---------- the unit register (danh mục đơn vị) ----------

REGISTER_SHEET = "Danh mục đơn vị"
# Register key → column header.
REGISTER_COLUMNS = {
    "code": "Mã đơn vị",
    "name": "Tên đơn vị",
    "type": "Loại đơn vị",
    "parent": "Mã đơn vị cấp trên",
    "email": "Email",
    "target": "Chỉ tiêu kết nạp năm",
}
REGISTER_REQUIRED = ("code", "name", "type")
REGISTER_HEADERS = tuple(REGISTER_COLUMNS.values())

# Unit types, as the register writes them.
ROOT = "Đảng bộ"
UPPER = "Đảng bộ cấp trên cơ sở"
GRASSROOTS_COMMITTEE = "Đảng bộ cơ sở"
PARTIAL_COMMITTEE = "Đảng bộ bộ phận"
GRASSROOTS_CELL = "Chi bộ cơ sở"
SUBORDINATE_CELL = "Chi bộ trực thuộc"
UNIT_TYPES = (ROOT, UPPER, GRASSROOTS_COMMITTEE, PARTIAL_COMMITTEE, GRASSROOTS_CELL, SUBORDINATE_CELL)
# Only cells (chi bộ) send rosters.
CELL_TYPES = (GRASSROOTS_CELL, SUBORDINATE_CELL)
