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

import functools
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

# Bump whenever the layout changes (a sheet, a label, a header, a list). 2026.2: the member sheet's
# Giáo dục phổ thông, Lý luận chính trị and Nghề nghiệp / đối tượng columns and their lists.
TEMPLATE_VERSION = "2026.2"
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
# The columns the Party's statistics break admissions down by (optional; docs/figures.md, "Breakdowns").
_GENERAL_EDUCATION = Column("general_education", "Giáo dục phổ thông", (
    "giao duc pho thong", "trinh do giao duc pho thong", "trinh do gdpt", "gdpt", "trinh do van hoa",
    "van hoa", "trinh do hoc van", "hoc van"))
_EDUCATION = Column("education", "Trình độ chuyên môn", ("trinh do chuyen mon", "trinh do", "chuyen mon",
                                                          "trinh do chuyen mon nghiep vu", "chuyen mon nghiep vu",
                                                          "trinh do cmnv", "cmnv"))
_POLITICAL_THEORY = Column("political_theory", "Lý luận chính trị", (
    "ly luan chinh tri", "trinh do ly luan chinh tri", "trinh do ly luan", "trinh do llct", "llct", "ly luan",
    "chinh tri"))
_OCCUPATION = Column("occupation", "Nghề nghiệp / đối tượng", (
    "nghe nghiep / doi tuong", "nghe nghiep/doi tuong", "nghe nghiep, doi tuong", "nghe nghiep hoac doi tuong",
    "nghe nghiep", "doi tuong", "nghe nghiep khi ket nap", "thanh phan"))

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
    _GENERAL_EDUCATION,
    _EDUCATION,
    _POLITICAL_THEORY,
    _OCCUPATION,
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

# The lists the Party's statistics group admissions by (docs/roster-format.md, "The statistics
# columns"). Offices write these columns in their own words; `read_level` maps what they write to
# the list, and what it cannot place is a BAD_VALUE on its cell (occupation: counted as `Khác`).
GENERAL_EDUCATION_LEVELS = ("Tiểu học", "Trung học cơ sở", "Trung học phổ thông")
PROFESSIONAL_LEVELS = ("Chưa qua đào tạo", "Sơ cấp", "Trung cấp", "Cao đẳng", "Đại học", "Thạc sĩ", "Tiến sĩ")
POLITICAL_THEORY_LEVELS = ("Chưa qua đào tạo", "Sơ cấp", "Trung cấp", "Cao cấp", "Cử nhân")
OTHER_OCCUPATION = "Khác"
OCCUPATIONS = ("Công nhân", "Nông dân", "Cán bộ, công chức", "Viên chức", "Lực lượng vũ trang",
               "Chủ doanh nghiệp tư nhân", "Học sinh, sinh viên", OTHER_OCCUPATION)
UNTRAINED = "Chưa qua đào tạo"

# Words (folded, matched as whole words) that name a level, highest level first: a cell naming two
# ("Cử nhân Luật, Thạc sĩ QLNN") counts at the higher. Abbreviations match only as a whole word.
_UNTRAINED_WORDS = ("chua qua dao tao", "chua dao tao", "khong qua dao tao", "chua co", "chua", "khong", "-")
PROFESSIONAL_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Tiến sĩ", ("tien si", "tskh", "ts", "pgs", "gs", "pgs.ts", "gs.ts")),
    ("Thạc sĩ", ("thac si", "ths", "cao hoc", "ths.")),
    ("Đại học", ("dai hoc", "cu nhan", "ky su", "kien truc su", "bac si", "duoc si dai hoc", "dh", "cn", "ks")),
    ("Cao đẳng", ("cao dang", "cd")),
    ("Trung cấp", ("trung cap", "trung hoc chuyen nghiep", "thcn", "tc", "duoc si trung hoc")),
    ("Sơ cấp", ("so cap", "sc", "cong nhan ky thuat")),
    (UNTRAINED, _UNTRAINED_WORDS),
)
POLITICAL_THEORY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Cử nhân", ("cu nhan", "cn")),
    ("Cao cấp", ("cao cap", "cc")),
    ("Trung cấp", ("trung cap", "tc")),
    ("Sơ cấp", ("so cap", "sc")),
    (UNTRAINED, _UNTRAINED_WORDS),
)
GENERAL_EDUCATION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Trung học phổ thông", ("trung hoc pho thong", "thpt", "pho thong trung hoc", "ptth", "cap 3", "cap iii",
                             "bo tuc thpt", "btvh 12")),
    ("Trung học cơ sở", ("trung hoc co so", "thcs", "pho thong co so", "ptcs", "cap 2", "cap ii")),
    ("Tiểu học", ("tieu hoc", "cap 1", "cap i")),
)
# Occupation or group: the Party form's groups, and what offices write for them.
OCCUPATION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Lực lượng vũ trang", ("luc luong vu trang", "llvt", "cong an", "quan doi", "bo doi", "si quan", "ha si quan",
                            "chien si", "quan nhan", "cand", "qdnd", "cong an nhan dan", "quan doi nhan dan")),
    ("Học sinh, sinh viên", ("hoc sinh, sinh vien", "hoc sinh", "sinh vien", "hoc vien", "hssv", "hs", "sv")),
    ("Chủ doanh nghiệp tư nhân", ("chu doanh nghiep tu nhan", "chu doanh nghiep", "doanh nhan", "giam doc doanh nghiep")),
    ("Viên chức", ("vien chuc", "giao vien", "giang vien", "bac si", "y si", "dieu duong", "nha giao")),
    ("Cán bộ, công chức", ("can bo, cong chuc", "can bo cong chuc", "cong chuc", "can bo", "cbcc")),
    ("Công nhân", ("cong nhan", "lao dong", "nguoi lao dong")),
    ("Nông dân", ("nong dan", "lam nghiep", "ngu dan", "ngu nghiep")),
    (OTHER_OCCUPATION, ("khac", "tu do", "kinh doanh", "buon ban", "noi tro", "huu tri")),
)
# 12-year system (n/12) and the old 10-year system (n/10): the last grade finished → its level.
_GRADE = re.compile(r"(?<!\d)(\d{1,2})\s*/\s*(10|12)(?!\d)")


@functools.cache
def _patterns(words: tuple[tuple[str, tuple[str, ...]], ...]) -> list[tuple[str, re.Pattern]]:
    def whole(ws: tuple[str, ...]) -> re.Pattern:
        alternatives = "|".join(re.escape(w) for w in sorted(ws, key=len, reverse=True))
        return re.compile(rf"(?<![0-9a-z])(?:{alternatives})(?![0-9a-z])")

    return [(level, whole(ws)) for level, ws in words]


def read_level(folded: str, words: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    """The first (highest) level whose words appear in a folded cell, or None."""
    for level, pattern in _patterns(words):
        if pattern.search(folded):
            return level
    return None


def general_education(folded: str) -> str | None:
    """`12/12`, `10/10`, `THPT`, `Tốt nghiệp THPT` → Trung học phổ thông; `9/12`, `7/10` → Trung học
    cơ sở; `5/12` → Tiểu học. A grade not finished counts at the level below (`11/12`: THCS)."""
    grade = _GRADE.search(folded)
    if grade:
        done, of = int(grade.group(1)), int(grade.group(2))
        if not 1 <= done <= of:
            return None
        # 12-year system: primary 1–5, lower secondary 6–9; the old 10-year one: 1–4, 5–7.
        primary, lower = (5, 9) if of == 12 else (4, 7)
        return (GENERAL_EDUCATION_LEVELS[2] if done == of else GENERAL_EDUCATION_LEVELS[1] if done >= lower
                else GENERAL_EDUCATION_LEVELS[0] if done >= primary else None)
    return read_level(folded, GENERAL_EDUCATION_WORDS)


def professional_level(folded: str) -> str | None:
    """`Cử nhân Luật`, `Kỹ sư CNTT`, `ĐH An ninh` → Đại học; `ThS`, `Thạc sĩ QLNN` → Thạc sĩ; `TC CSND`
    → Trung cấp: the level a free-text qualification names, the highest when it names two."""
    return read_level(folded, PROFESSIONAL_WORDS)


def political_theory_level(folded: str) -> str | None:
    """`Sơ cấp`, `Trung cấp LLCT`, `Cao cấp`, `Cử nhân chính trị`; `Không`, `Chưa` → Chưa qua đào tạo."""
    return read_level(folded, POLITICAL_THEORY_WORDS)


def occupation_group(folded: str) -> str:
    """The Party form's group of an occupation as written; one it does not name is `Khác` (the
    form's own catch-all, so a real occupation outside the named groups is not a mistake)."""
    return read_level(folded, OCCUPATION_WORDS) or OTHER_OCCUPATION


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
