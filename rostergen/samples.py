"""The seeded sample inbox: a fictional provincial Police Party Committee, quý III năm 2022.

Run ``python -m rostergen.samples --out input_samples`` to (re)write ``input_samples/units.xlsx``
(the unit register) and ``input_samples/inbox/*.xlsx`` (one roster per chi bộ, plus two files that
must not be counted). The output depends only on the seed: no clock, no global random state, and
fixed workbook timestamps, so ``tests/test_samples.py`` can check that the committed samples are
exactly what this module writes. Never edit the samples by hand; change this module and rerun it. The statistics columns (Giáo dục
phổ thông, Lý luận chính trị, Nghề nghiệp / đối tượng, and Trình độ chuyên môn as offices write it)
come from a generator seeded by each person's citizen ID (``_statistics``), so they leave every
other value and the seed's figures as they were.
Sheet names, headers, info labels and unit types come from ``pipeline.contract`` (the layout
``docs/roster-format.md`` describes), so the samples are always in the template's layout.

The organisation and figures are those of the real quý III 2022 report this tool was built to
reproduce (the seed report): 19 chi bộ cơ sở, 09 đảng bộ
cơ sở with 52 chi bộ trực thuộc, 1098 members, 34 admitted from 1 January to 30 September 2022,
01 of them in the quarter. Every person is invented (names are random combinations of common
family, middle and given names; citizen IDs are random digits behind a fixed province code).

Planted data problems (so the report's data-quality section has something to show; none of them
changes the figures above). Row numbers depend on the seed; ``main`` prints them.

1. ``CB-PA04``, sheet ``Đảng viên``: a woman whose ``Số CCCD`` has 4th digit 0 (= man, 1900s).
2. ``CB-CAH-SK-03``, sheet ``Đảng viên``: ``Dân tộc`` left empty (still a counted member).
3. ``CB-PC06``, sheet ``Đảng viên``: admitted March 2021, no ``Ngày chính thức`` (overdue for
   recognition, still probationary).
4. ``CB-CATP-05``, sheet ``Đảng viên``: ``Ngày kết nạp`` 60 days after ``Ngày vào Đảng``
   (ceremony late; admitted years ago, not one of the 34).
5. ``CB-PV01``, sheet ``Quần chúng ưu tú``: ``Ngày cấp giấy chứng nhận`` in 2016 (older than
   60 months at the end of the quarter).
6. ``CB-CATX-02``, sheet ``Quần chúng ưu tú``: ``Đảng viên giúp đỡ 1`` names nobody in the cell.
7. ``CB-PK02-03``, sheet ``Đảng viên``: ``Số CCCD`` is an old 9-digit CMND number.
8. ``CB-PC02``, sheet ``Đảng viên``: two merged title rows (``DANH SÁCH ĐẢNG VIÊN``, the cell's
   name) above the header, and a signature block (``T/M CHI BỘ``, ``BÍ THƯ``, a name) under the
   table after one blank row. A layout variation, not an error.
9. ``CB-PA08``, ``CB-CAH-DP-02``, ``CB-TTG-02``, sheet ``Đảng viên``: header spellings
   ``Họ tên``, ``Sinh ngày``, ``CCCD``, ``Ngày vào đảng``; in ``CB-PA08`` (which admitted three
   members this year, so the figures depend on reading them) every date is text ``dd/mm/yyyy``
   instead of an Excel date.
10. Two inbox files that must not be counted: ``CB-PC04_2022-Q3 (ban cu).xlsx``, an older
    version of ``CB-PC04``'s Q3 roster (``Ngày lập`` 28/09/2022, two members fewer), and
    ``CB-CATP-03_2022-Q2.xlsx``, that cell's quý II roster.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from pipeline.contract import (
    CANDIDATE_HEADERS, CANDIDATE_SHEET, DATE_KEYS, GRASSROOTS_CELL, GRASSROOTS_COMMITTEE,
    INFO_SHEET, LABELS, MEMBER_HEADERS, MEMBER_SHEET, REGISTER_COLUMNS, REGISTER_HEADERS,
    REGISTER_SHEET, ROOT, SUBORDINATE_CELL, TEMPLATE_CANDIDATE_KEYS, TEMPLATE_MEMBER_KEYS,
)
from rostergen.workbook import (
    DATE_FORMAT, FIXED_TIMESTAMP, candidate_values, info_pairs, member_values, register_values,
    save_deterministic,
)

DEFAULT_SEED = 2022
YEAR = 2022
QUARTER = 3
YEAR_START = dt.date(2022, 1, 1)
QUARTER_START = dt.date(2022, 7, 1)
QUARTER_END = dt.date(2022, 9, 30)
Q2_END = dt.date(2022, 6, 30)

# The seed report's figures.
TOTAL_MEMBERS = 1098
ADMITTED_YTD = 34
ADMITTED_QUARTER = 1
RECOGNIZED_QUARTER = 7
RECENT_PROBATIONARY = 18
TARGET_SUM = 42

PROVINCE_CODE = "049"  # first three digits of every citizen ID
EMAIL_DOMAIN = "congan.anhoa.vn"

REGISTER_FILE = "units.xlsx"
INBOX_DIR = "inbox"
# Plant 9: how some cells spell the member headers (template header → their spelling).
VARIANT_HEADERS = {
    LABELS["full_name"]: "Họ tên",
    LABELS["birth_date"]: "Sinh ngày",
    LABELS["citizen_id"]: "CCCD",
    LABELS["admitted_on"]: "Ngày vào đảng",
}

# --- the organisation -------------------------------------------------------------------------

ROOT_UNIT = ("DB-CAT", "Đảng bộ Công an tỉnh")

GRASSROOTS_CELLS = [
    ("CB-PV01", "Chi bộ Phòng Tham mưu"),
    ("CB-PV06", "Chi bộ Phòng Hồ sơ nghiệp vụ"),
    ("CB-PX01", "Chi bộ Phòng Tổ chức cán bộ"),
    ("CB-PX03", "Chi bộ Phòng Công tác đảng và công tác chính trị"),
    ("CB-PH10", "Chi bộ Phòng Hậu cần"),
    ("CB-PA01", "Chi bộ Phòng An ninh đối ngoại"),
    ("CB-PA02", "Chi bộ Phòng An ninh chính trị nội bộ"),
    ("CB-PA04", "Chi bộ Phòng An ninh kinh tế"),
    ("CB-PA05", "Chi bộ Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao"),
    ("CB-PA08", "Chi bộ Phòng Quản lý xuất nhập cảnh"),
    ("CB-PA09", "Chi bộ Phòng An ninh điều tra"),
    ("CB-PC01", "Chi bộ Văn phòng Cơ quan Cảnh sát điều tra"),
    ("CB-PC02", "Chi bộ Phòng Cảnh sát hình sự"),
    ("CB-PC03", "Chi bộ Phòng Cảnh sát kinh tế"),
    ("CB-PC04", "Chi bộ Phòng Cảnh sát điều tra tội phạm về ma túy"),
    ("CB-PC06", "Chi bộ Phòng Cảnh sát quản lý hành chính về trật tự xã hội"),
    ("CB-PC07", "Chi bộ Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ"),
    ("CB-PC09", "Chi bộ Phòng Kỹ thuật hình sự"),
    ("CB-PC10", "Chi bộ Phòng Cảnh sát thi hành án hình sự và hỗ trợ tư pháp"),
]

_TOWN_CELLS = [
    "Đội Tham mưu - Tổng hợp",
    "Đội An ninh",
    "Đội Cảnh sát điều tra tội phạm về trật tự xã hội",
    "Đội Cảnh sát điều tra tội phạm về kinh tế và ma túy",
    "Đội Cảnh sát quản lý hành chính về trật tự xã hội",
    "Đội Cảnh sát giao thông - Trật tự",
]

# (code, name, subordinate cell names); the subordinate codes are derived: DB-X -> CB-X-01, ...
GRASSROOTS_COMMITTEES = [
    ("DB-CATP", "Đảng bộ Công an thành phố An Hòa", [
        "Đội Tham mưu - Tổng hợp", "Đội An ninh", "Đội Cảnh sát hình sự",
        "Đội Cảnh sát điều tra tội phạm về kinh tế và ma túy",
        "Đội Cảnh sát quản lý hành chính về trật tự xã hội",
        "Đội Cảnh sát giao thông - Trật tự", "Công an phường Tân An",
        "Công an phường Hòa Thuận",
    ]),
    ("DB-CATX", "Đảng bộ Công an thị xã Bắc An", [
        "Đội Tham mưu - Tổng hợp", "Đội An ninh",
        "Đội Cảnh sát điều tra tội phạm về trật tự xã hội",
        "Đội Cảnh sát giao thông - Trật tự", "Công an phường Bắc Sơn",
        "Công an phường Phú Xuân An",
    ]),
    ("DB-CAH-SK", "Đảng bộ Công an huyện Sơn Khê", _TOWN_CELLS[:5] + ["Công an thị trấn Sơn Khê"]),
    ("DB-CAH-DP", "Đảng bộ Công an huyện Đông Phước", [
        "Đội Tham mưu - Tổng hợp", "Đội An ninh",
        "Đội Cảnh sát điều tra tội phạm về trật tự xã hội",
        "Đội Cảnh sát giao thông - Trật tự", "Công an thị trấn Đông Phước",
    ]),
    ("DB-CAH-TV", "Đảng bộ Công an huyện Thạch Vân", _TOWN_CELLS[:4] + [
        "Công an thị trấn Thạch Vân", "Công an xã Vân Hòa",
    ]),
    ("DB-CAH-LG", "Đảng bộ Công an huyện Lâm Giang", [
        "Đội Tham mưu - Tổng hợp", "Đội An ninh",
        "Đội Cảnh sát điều tra tội phạm về trật tự xã hội",
        "Đội Cảnh sát quản lý hành chính về trật tự xã hội", "Công an thị trấn Lâm Giang",
    ]),
    ("DB-PK02", "Đảng bộ Phòng Cảnh sát cơ động", [
        "Đội Tham mưu - Hậu cần", "Đội Cảnh sát đặc nhiệm", "Đội Cảnh sát cơ động số 1",
        "Đội Cảnh sát cơ động số 2", "Đội Huấn luyện và sử dụng động vật nghiệp vụ",
    ]),
    ("DB-TTG", "Đảng bộ Trại tạm giam", [
        "Đội Tham mưu - Hậu cần", "Đội Quản giáo", "Đội Bảo vệ - Dẫn giải",
        "Đội Hồ sơ - Y tế",
    ]),
    ("DB-PC08", "Đảng bộ Phòng Cảnh sát giao thông", [
        "Đội Tham mưu - Tổng hợp", "Đội Đăng ký, quản lý phương tiện",
        "Đội Tuần tra kiểm soát giao thông đường bộ số 1",
        "Đội Tuần tra kiểm soát giao thông đường bộ số 2",
        "Đội Tuần tra kiểm soát giao thông đường thủy",
        "Đội Điều tra giải quyết tai nạn giao thông", "Đội Xử lý vi phạm giao thông",
    ]),
]

# --- where the planted problems go (see the module docstring) ----------------------------------

PLANT_CCCD_GENDER = "CB-PA04"
PLANT_NO_ETHNICITY = "CB-CAH-SK-03"
PLANT_OVERDUE = "CB-PC06"
PLANT_LATE_CEREMONY = "CB-CATP-05"
PLANT_OLD_CERTIFICATE = "CB-PV01"
PLANT_UNKNOWN_HELPER = "CB-CATX-02"
PLANT_OLD_CMND = "CB-PK02-03"
PLANT_TITLED = "CB-PC02"
PLANT_VARIANT_HEADERS = ("CB-PA08", "CB-CAH-DP-02", "CB-TTG-02")
PLANT_TEXT_DATES = "CB-PA08"
OLDER_DUPLICATE = "CB-PC04"
Q2_FILE_CELL = "CB-CATP-03"
QUARTER_ADMISSION_CELL = "CB-CATP-03"  # where the one admission of quý III happens

# File names other than <code>_2022-Q3.xlsx: offices name files as they please.
ODD_FILE_NAMES = {
    "CB-PC07": "DS dang vien CB-PC07 quy 3 2022.xlsx",
    "CB-CATP-03": "CB-CATP-03 Q3_2022.xlsx",
    "CB-PA05": "Danh sách đảng viên CB-PA05 quý III năm 2022.xlsx",
    "CB-CAH-TV-04": "CB-CAH-TV-04_Q3_2022.xlsx",
    "CB-PC08-02": "CB-PC08-02 DS dang vien Q3_2022.xlsx",
    "CB-CATX-05": "Bao cao Q3_2022 CB-CATX-05.xlsx",
    "CB-PX03": "CB-PX03_2022-Q3_final.xlsx",
    "CB-TTG-04": "CB-TTG-04 quy 3 2022.xlsx",
}

# --- people -----------------------------------------------------------------------------------

FAMILY_NAMES = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 3),
    ("Phan", 4), ("Vũ", 3), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1.5),
    ("Ngô", 1.5), ("Dương", 1), ("Lý", 0.5), ("Trương", 1), ("Đinh", 1), ("Lương", 0.7),
    ("Mai", 0.7), ("Cao", 0.5), ("Tạ", 0.3), ("Châu", 0.3), ("Lâm", 0.5), ("Thái", 0.3),
]
MALE_MIDDLE_NAMES = [
    ("Văn", 30), ("Minh", 8), ("Hữu", 6), ("Đức", 6), ("Quốc", 5), ("Thanh", 5), ("Công", 4),
    ("Xuân", 3), ("Ngọc", 3), ("Anh", 2), ("Hoàng", 2), ("Tấn", 3), ("Trọng", 3), ("Đình", 4),
    ("Quang", 4), ("Thành", 3), ("Duy", 2), ("Bá", 2), ("Tiến", 2), ("Việt", 2), ("Nhật", 1),
]
FEMALE_MIDDLE_NAMES = [
    ("Thị", 40), ("Ngọc", 6), ("Thu", 5), ("Thanh", 4), ("Kim", 3), ("Mỹ", 3), ("Hồng", 3),
    ("Phương", 3), ("Bích", 2), ("Thùy", 3), ("Minh", 2), ("Diệu", 1), ("Khánh", 2),
]
MALE_GIVEN_NAMES = [
    "An", "Anh", "Bảo", "Bình", "Cường", "Chiến", "Công", "Dũng", "Duy", "Dương", "Đạt", "Định",
    "Đông", "Đức", "Giang", "Hải", "Hào", "Hậu", "Hiếu", "Hiển", "Hòa", "Hoàng", "Hùng", "Huy",
    "Hưng", "Khang", "Khánh", "Khoa", "Khôi", "Kiên", "Lâm", "Lộc", "Long", "Lợi", "Luân",
    "Mạnh", "Minh", "Nam", "Nghĩa", "Nhân", "Ninh", "Phát", "Phong", "Phúc", "Phước", "Quang",
    "Quân", "Quý", "Sang", "Sơn", "Tài", "Tâm", "Tân", "Thái", "Thành", "Thắng", "Thiện",
    "Thịnh", "Thông", "Tiến", "Toàn", "Trí", "Trung", "Trường", "Tú", "Tuấn", "Tùng",
    "Việt", "Vinh", "Vũ", "Vương",
]
FEMALE_GIVEN_NAMES = [
    "An", "Anh", "Châu", "Chi", "Diễm", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng",
    "Hiền", "Hoa", "Hồng", "Huệ", "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Ly", "Mai",
    "My", "Nga", "Ngân", "Nhung", "Nhi", "Oanh", "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo",
    "Thơ", "Thủy", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Vy", "Xuân", "Yến",
]
# Four-syllable names: common among women ("Nguyễn Thị Thu Hà"), rare among men.
DOUBLE_MIDDLE_FEMALE = [
    "Thị Thu", "Thị Ngọc", "Thị Thanh", "Thị Kim", "Thị Bích", "Thị Hồng", "Thị Mỹ", "Thị Minh",
]
DOUBLE_MIDDLE_MALE = ["Hoàng Minh", "Minh Quốc", "Đức Minh", "Quang Minh"]

ETHNICITIES = [
    ("Kinh", 930), ("Tày", 10), ("Mường", 10), ("Thái", 8), ("Nùng", 6), ("Hoa", 6),
    ("Khmer", 8), ("Ê Đê", 7), ("Gia Rai", 6), ("Ba Na", 4), ("Chăm", 5),
]
# Family names common in each group; Ê Đê and Gia Rai names are written their own way below.
ETHNIC_FAMILY_NAMES = {
    "Tày": ["Nông", "Hoàng", "Ma", "Lục"],
    "Mường": ["Bùi", "Đinh", "Quách"],
    "Thái": ["Lò", "Cầm", "Lường", "Vi"],
    "Nùng": ["Nông", "Lương", "Hoàng"],
    "Hoa": ["Lâm", "Trương", "Quách", "Lý", "Mã"],
    "Khmer": ["Thạch", "Danh", "Sơn", "Kim"],
    "Ba Na": ["Đinh"],
    "Chăm": ["Đàng", "Thiên", "Quảng"],
}
EDE_FAMILY_NAMES = ["Niê", "Êban", "Mlô", "Ayun", "Byă"]
JARAI_FAMILY_NAMES = ["Ksor", "Siu", "Rơ Mah", "Rơ Châm", "Rah Lan"]

RELIGIONS = [
    ("Không", 910), ("Phật giáo", 40), ("Công giáo", 30), ("Tin lành", 7), ("Cao Đài", 7),
    ("Hòa Hảo", 6),
]
EDUCATION_OLDER = [("Trung cấp", 45), ("Đại học", 43), ("Cao đẳng", 6), ("Thạc sĩ", 6)]
# How cells write the statistics columns: each value as the lý lịch has it, in the spellings
# offices use (the reader maps them to the Party form's lists).
GENERAL_EDUCATION_TEXT = [("12/12", 80), ("THPT", 8), ("Tốt nghiệp THPT", 4), ("12/12 (bổ túc)", 2)]
OLD_SYSTEM_TEXT = [("10/10", 70), ("12/12", 30)]   # born before 1966: many finished the old 10-year school
# Trình độ chuyên môn written with its field, as often as the bare level.
EDUCATION_TEXT = {
    "Đại học": [("Đại học", 50), ("Cử nhân Luật", 15), ("Cử nhân An ninh", 12), ("Kỹ sư CNTT", 8),
                ("Đại học Cảnh sát", 15)],
    "Trung cấp": [("Trung cấp", 70), ("Trung cấp CSND", 20), ("Trung cấp An ninh", 10)],
    "Thạc sĩ": [("Thạc sĩ", 60), ("ThS Luật", 25), ("Thạc sĩ QLNN", 15)],
    "Cao đẳng": [("Cao đẳng", 100)],
}
# Lý luận chính trị by years in the Party at the end of the quarter (blank: not trained yet).
POLITICAL_THEORY_NEW = [(None, 85), ("Sơ cấp", 15)]
POLITICAL_THEORY_SETTLED = [("Sơ cấp", 45), ("Trung cấp", 35), (None, 12), ("Cao cấp", 5), ("Cử nhân", 3)]
OCCUPATION_TEXT = [("Lực lượng vũ trang", 82), ("Công an", 14), ("Công nhân", 4)]
EDUCATION_YOUNGER = [("Đại học", 68), ("Trung cấp", 12), ("Cao đẳng", 9), ("Thạc sĩ", 11)]

CANDIDATE_NOTES = [
    "Đã thẩm tra lý lịch",
    "Chi bộ đã họp xét, đề nghị kết nạp",
    "Đang hoàn thiện hồ sơ đề nghị kết nạp",
    "Đang thẩm tra lý lịch",
]


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    parent: str | None
    email: str | None = None
    target: int | None = None


@dataclass
class Member:
    """One row of `Đảng viên`. Fields are named by the contract's column keys, so the row is
    written as ``member_values(**asdict(member))``."""

    full_name: str
    birth_date: dt.date
    gender: str
    ethnicity: str | None
    religion: str
    citizen_id: str
    admitted_on: dt.date
    ceremony_on: dt.date
    official_on: dt.date | None
    youth_union: str | None
    education: str
    note: str | None = None
    # The statistics columns (pipeline.contract), drawn from their own generator (_statistics)
    # so adding them left every other value, and the seed's figures, as they were.
    general_education: str | None = None
    political_theory: str | None = None
    occupation: str | None = None


@dataclass
class Candidate:
    """One row of `Quần chúng ưu tú`, fields named by the contract's column keys (as Member)."""

    full_name: str
    birth_date: dt.date
    gender: str
    ethnicity: str
    citizen_id: str
    certificate_on: dt.date
    helper_1: str
    helper_2: str
    youth_union: str | None
    note: str | None = None


@dataclass
class Roster:
    """One workbook of the inbox, as a cell would send it."""

    file_name: str
    unit: Unit
    year: int
    quarter: int
    created_on: dt.date
    clerk: str
    secretary: str
    members: list[Member]
    candidates: list[Candidate]
    titled: bool = False  # plant 8
    variant_headers: bool = False  # plant 9
    text_dates: bool = False  # plant 9
    counted: bool = True  # False for the older duplicate and the Q2 file

    @property
    def header_row(self) -> int:
        return 3 if self.titled else 1


@dataclass(frozen=True)
class Plant:
    """Where a deliberate data problem sits, as a clerk would find it in Excel."""

    number: int
    unit: str
    file: str
    sheet: str
    row: int | None
    column: str | None
    what: str


@dataclass
class Sample:
    units: list[Unit]
    rosters: list[Roster]
    plants: list[Plant] = field(default_factory=list)


# --- small date helpers -----------------------------------------------------------------------


def add_years(day: dt.date, years: int) -> dt.date:
    """Same day `years` later; 29 February becomes 1 March, so 12 months are never short."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def full_years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def random_date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def random_weekday(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    while True:
        day = random_date(rng, first, last)
        if day.weekday() < 5:
            return day


def weighted(rng: random.Random, pairs: Sequence[tuple[str, float]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


# --- people -----------------------------------------------------------------------------------


class People:
    """Invents people: unique names and unique, self-consistent citizen IDs."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.citizen_ids: set[str] = set()

    def name(self, gender: str, ethnicity: str = "Kinh") -> str:
        rng = self.rng
        female = gender == "Nữ"
        for _ in range(1000):
            given = rng.choice(FEMALE_GIVEN_NAMES if female else MALE_GIVEN_NAMES)
            if ethnicity == "Ê Đê":
                prefix = "H'" if female else "Y "  # Ê Đê personal prefixes
                name = f"{prefix}{given} {rng.choice(EDE_FAMILY_NAMES)}"
            elif ethnicity == "Gia Rai":
                name = f"{rng.choice(JARAI_FAMILY_NAMES)} {given}"
            else:
                family = (
                    rng.choice(ETHNIC_FAMILY_NAMES[ethnicity])
                    if ethnicity in ETHNIC_FAMILY_NAMES
                    else weighted(rng, FAMILY_NAMES)
                )
                if rng.random() < (0.2 if female else 0.03):
                    middle = rng.choice(DOUBLE_MIDDLE_FEMALE if female else DOUBLE_MIDDLE_MALE)
                else:
                    middle = weighted(rng, FEMALE_MIDDLE_NAMES if female else MALE_MIDDLE_NAMES)
                if given in middle.split():
                    continue
                name = f"{family} {middle} {given}"
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError("ran out of names")  # pragma: no cover

    def citizen_id(self, gender: str, born: dt.date) -> str:
        """12 digits: province, century+gender, two digits of the birth year, six random."""
        century = 0 if born.year < 2000 else 2
        digit = century + (1 if gender == "Nữ" else 0)
        while True:
            serial = f"{self.rng.randint(0, 999_999):06d}"
            cid = f"{PROVINCE_CODE}{digit}{born.year % 100:02d}{serial}"
            if cid not in self.citizen_ids:
                self.citizen_ids.add(cid)
                return cid

    def old_cmnd(self) -> str:
        while True:
            number = f"20{self.rng.randint(0, 9_999_999):07d}"
            if number not in self.citizen_ids:
                self.citizen_ids.add(number)
                return number


def _age_at_admission(rng: random.Random) -> int:
    if rng.random() < 0.82:
        return int(rng.triangular(20, 33, 24))
    return rng.randint(33, 45)


def _birth_date(rng: random.Random, admitted_on: dt.date, young: bool = False) -> dt.date:
    """Age 18-45 at admission (mostly 20-32) and 19-59 at the end of the quarter."""
    for _ in range(200):
        if young:  # admitted lately: mostly fresh graduates, a few older officers
            age = rng.randint(21, 29) if rng.random() < 0.88 else rng.randint(30, 36)
        else:
            age = _age_at_admission(rng)
        born = add_years(admitted_on, -age) - dt.timedelta(days=rng.randint(0, 364))
        if 18 <= full_years(born, admitted_on) <= 45 and 19 <= full_years(born, QUARTER_END) <= 59:
            return born
    # Admitted long ago: only a young admission keeps the person under 60 today.
    born = add_years(QUARTER_END, -58) + dt.timedelta(days=rng.randint(1, 300))
    assert full_years(born, admitted_on) >= 18
    return born


def _religion(rng: random.Random, ethnicity: str) -> str:
    if ethnicity == "Khmer" and rng.random() < 0.7:
        return "Phật giáo"
    if ethnicity in ("Ê Đê", "Gia Rai", "Ba Na") and rng.random() < 0.35:
        return rng.choice(["Tin lành", "Tin lành", "Công giáo"])
    return weighted(rng, RELIGIONS)


def make_member(
    rng: random.Random,
    people: People,
    admitted_on: dt.date,
    *,
    gender: str | None = None,
    ceremony_days: int | None = None,
    young: bool = False,
) -> Member:
    gender = gender or ("Nữ" if rng.random() < 0.155 else "Nam")
    ethnicity = weighted(rng, ETHNICITIES)
    born = _birth_date(rng, admitted_on, young=young)
    ceremony_on = weekday_on_or_after(
        admitted_on + dt.timedelta(days=ceremony_days or rng.randint(3, 35))
    )
    official_on = add_years(ceremony_on, 1) + dt.timedelta(days=rng.randint(0, 25))
    if official_on > QUARTER_END:
        official_on = None  # still probationary at the end of the quarter, not yet overdue
    age = full_years(born, admitted_on)
    youth = "x" if age < 30 and rng.random() < 0.88 else None
    education = weighted(rng, EDUCATION_OLDER if admitted_on.year < 2005 else EDUCATION_YOUNGER)
    # Drawn in the order the fields were always drawn in: name, religion, citizen ID.
    full_name = people.name(gender, ethnicity)
    religion = _religion(rng, ethnicity)
    citizen_id = people.citizen_id(gender, born)
    return Member(
        full_name=full_name,
        birth_date=born,
        gender=gender,
        ethnicity=ethnicity,
        religion=religion,
        citizen_id=citizen_id,
        admitted_on=admitted_on,
        ceremony_on=ceremony_on,
        official_on=official_on,
        youth_union=youth,
        **_statistics(citizen_id, born, admitted_on, education),
    )


def _statistics(citizen_id: str, born: dt.date, admitted_on: dt.date, education: str) -> dict:
    """The statistics columns and the way the education is written, from a generator seeded by
    the person alone: the main generator's draws, and so every other value, stay as they were."""
    rng = random.Random(f"thống kê {citizen_id}")
    settled = full_years(admitted_on, QUARTER_END) >= 3
    return {
        "education": weighted(rng, EDUCATION_TEXT[education]),
        "general_education": weighted(rng, OLD_SYSTEM_TEXT if born.year < 1966 else GENERAL_EDUCATION_TEXT),
        "political_theory": weighted(rng, POLITICAL_THEORY_SETTLED if settled else POLITICAL_THEORY_NEW),
        "occupation": weighted(rng, OCCUPATION_TEXT),
    }


def make_candidate(
    rng: random.Random,
    people: People,
    helpers: Sequence[Member],
    certificate_on: dt.date | None = None,
) -> Candidate:
    gender = "Nữ" if rng.random() < 0.25 else "Nam"
    ethnicity = weighted(rng, ETHNICITIES)
    born = add_years(QUARTER_END, -rng.randint(20, 30)) - dt.timedelta(days=rng.randint(1, 360))
    helper_1, helper_2 = rng.sample(list(helpers), 2)
    return Candidate(
        full_name=people.name(gender, ethnicity),
        birth_date=born,
        gender=gender,
        ethnicity=ethnicity,
        citizen_id=people.citizen_id(gender, born),
        certificate_on=certificate_on
        or random_weekday(rng, dt.date(2017, 11, 1), dt.date(2022, 9, 9)),
        helper_1=helper_1.full_name,
        helper_2=helper_2.full_name,
        youth_union="x" if rng.random() < 0.9 else None,
        note=rng.choice(CANDIDATE_NOTES) if rng.random() < 0.4 else None,
    )


# --- the organisation -------------------------------------------------------------------------


def _cells_and_committees() -> tuple[list[Unit], list[Unit], list[Unit]]:
    cells = [Unit(c, n, GRASSROOTS_CELL, ROOT_UNIT[0]) for c, n in GRASSROOTS_CELLS]
    committees, subordinates = [], []
    for code, name, cell_names in GRASSROOTS_COMMITTEES:
        committees.append(Unit(code, name, GRASSROOTS_COMMITTEE, ROOT_UNIT[0]))
        stem = code.removeprefix("DB-")
        for i, cell_name in enumerate(cell_names, start=1):
            subordinates.append(
                Unit(f"CB-{stem}-{i:02d}", f"Chi bộ {cell_name}", SUBORDINATE_CELL, code)
            )
    return cells, committees, subordinates


def _cell_sizes(rng: random.Random, cells: list[Unit]) -> dict[str, int]:
    """Realistic sizes that add up to exactly TOTAL_MEMBERS."""
    bounds: dict[str, tuple[int, int]] = {}
    sizes: dict[str, int] = {}
    for unit in cells:
        if unit.kind == GRASSROOTS_CELL:
            bounds[unit.code] = (15, 35)
            sizes[unit.code] = rng.randint(16, 34)
        elif "Công an phường" in unit.name or "Công an xã" in unit.name or "thị trấn" in unit.name:
            bounds[unit.code] = (6, 14)
            sizes[unit.code] = rng.randint(6, 13)
        else:
            bounds[unit.code] = (7, 25)
            sizes[unit.code] = int(rng.triangular(7, 22, 11))
    codes = [u.code for u in cells]
    while (total := sum(sizes.values())) != TOTAL_MEMBERS:
        code = rng.choice(codes)
        low, high = bounds[code]
        step = 1 if total < TOTAL_MEMBERS else -1
        if low <= sizes[code] + step <= high:
            sizes[code] += step
    return sizes


def _admissions(rng: random.Random, cells: list[Unit], sizes: dict[str, int]) -> dict[str, int]:
    """34 admissions this year spread over about 20 cells, never more than a fifth of a cell."""
    grassroots = [u.code for u in cells if u.kind == GRASSROOTS_CELL]
    subordinate = [u.code for u in cells if u.kind == SUBORDINATE_CELL and sizes[u.code] >= 9]
    chosen = rng.sample(grassroots, 9) + rng.sample(subordinate, 11)
    if QUARTER_ADMISSION_CELL not in chosen:
        chosen[-1] = QUARTER_ADMISSION_CELL
    counts = dict.fromkeys(chosen, 1)
    while sum(counts.values()) < ADMITTED_YTD:
        code = rng.choices(chosen, weights=[sizes[c] for c in chosen])[0]
        if counts[code] < min(4, sizes[code] // 5):
            counts[code] += 1
    return counts


def _targets(
    rng: random.Random, grassroots: list[Unit], committees: list[Unit], subordinates: list[Unit],
    admitted: dict[str, int],
) -> dict[str, int | None]:
    """Annual targets near what each unit admitted (some met, some not), summing to TARGET_SUM."""
    achieved = {u.code: admitted.get(u.code, 0) for u in grassroots}
    for committee in committees:
        achieved[committee.code] = sum(
            admitted.get(s.code, 0) for s in subordinates if s.parent == committee.code
        )
    without_target = rng.sample([u.code for u in grassroots if achieved[u.code] <= 1], 2)
    targets: dict[str, int | None] = dict.fromkeys(without_target)
    for code, got in achieved.items():
        if code in targets:
            continue
        floor = 2 if code.startswith("DB-") else 1
        targets[code] = max(floor, got + rng.choice([-1, 0, 0, 1, 1, 1, 2]))
    adjustable = [c for c, t in targets.items() if t is not None]
    while (total := sum(t for t in targets.values() if t)) != TARGET_SUM:
        code = rng.choice(adjustable)
        floor = 2 if code.startswith("DB-") else 1
        if total < TARGET_SUM:
            targets[code] += 1
        elif targets[code] > max(floor, achieved[code] - 1):
            targets[code] -= 1
    return targets


def build_units(rng: random.Random, admitted: dict[str, int] | None = None) -> list[Unit]:
    grassroots, committees, subordinates = _cells_and_committees()
    targets = _targets(rng, grassroots, committees, subordinates, admitted or {})
    all_units = grassroots + committees + subordinates
    without_email = set(rng.sample([u.code for u in all_units], 4))
    root = Unit(ROOT_UNIT[0], ROOT_UNIT[1], ROOT, None, f"bantochuc@{EMAIL_DOMAIN}", None)

    def finish(unit: Unit) -> Unit:
        mailbox = unit.code.replace("-", "").lower()
        email = None if unit.code in without_email else f"{mailbox}@{EMAIL_DOMAIN}"
        return replace(unit, email=email, target=targets.get(unit.code))

    ordered = [root] + [finish(u) for u in grassroots]
    for committee in committees:
        ordered.append(finish(committee))
        ordered += [finish(s) for s in subordinates if s.parent == committee.code]
    return ordered


# --- the rosters ------------------------------------------------------------------------------


def _regular_admission(rng: random.Random) -> dt.date:
    """A decision date from 1985 to mid-April 2021, recent years more often (a young force)."""
    years = list(range(1985, 2022))
    year = rng.choices(years, weights=[1 + 0.3 * (y - 1985) for y in years])[0]
    # Mid-April at the latest: 12 months + 25 days after the ceremony stays before quý III.
    last = dt.date(2021, 4, 15) if year == 2021 else dt.date(year, 12, 31)
    return random_weekday(rng, dt.date(year, 1, 1), last)


def _recognized_in_quarter(rng: random.Random, people: People) -> Member:
    """Admitted mid-2021, so the 12 months of probation ended and were recognized in quý III."""
    while True:
        admitted_on = random_weekday(rng, dt.date(2021, 6, 1), dt.date(2021, 8, 20))
        ceremony_on = weekday_on_or_after(admitted_on + dt.timedelta(days=rng.randint(3, 35)))
        official_on = add_years(ceremony_on, 1) + dt.timedelta(days=rng.randint(0, 25))
        if QUARTER_START <= official_on <= QUARTER_END:
            break
    member = make_member(rng, people, admitted_on, young=True)
    member.ceremony_on, member.official_on = ceremony_on, official_on
    return member


def _build_members(
    rng: random.Random, people: People, cells: list[Unit], sizes: dict[str, int],
    admitted: dict[str, int],
) -> dict[str, list[Member]]:
    codes = [u.code for u in cells]
    recognized = rng.sample(codes, RECOGNIZED_QUARTER)
    recent = rng.choices(codes, weights=[sizes[c] for c in codes], k=RECENT_PROBATIONARY)
    # 33 decisions in January-June, one in the quarter.
    ytd_dates = sorted(
        random_weekday(rng, dt.date(2022, 1, 6), dt.date(2022, 6, 28))
        for _ in range(ADMITTED_YTD - 1)
    )
    quarter_date = random_weekday(rng, dt.date(2022, 7, 18), dt.date(2022, 8, 31))
    members: dict[str, list[Member]] = {}
    with_decision_note: list[Member] = []
    for unit in cells:
        code = unit.code
        people_here: list[Member] = []
        n_new = admitted.get(code, 0)
        for i in range(n_new):
            if code == QUARTER_ADMISSION_CELL and i == 0:
                admitted_on = quarter_date
                member = make_member(
                    rng, people, admitted_on, young=True, ceremony_days=rng.randint(5, 20)
                )
            else:
                admitted_on = ytd_dates.pop(rng.randrange(len(ytd_dates)))
                member = make_member(rng, people, admitted_on, young=True)
            assert member.official_on is None
            if rng.random() < 0.5:
                with_decision_note.append(member)
            people_here.append(member)
        if code in recognized:
            member = _recognized_in_quarter(rng, people)
            if rng.random() < 0.5:
                month = member.official_on.month
                member.note = f"Công nhận đảng viên chính thức tháng {month}/2022"
            people_here.append(member)
        for _ in range(recent.count(code)):
            admitted_on = random_weekday(rng, dt.date(2021, 10, 1), dt.date(2021, 12, 20))
            people_here.append(make_member(rng, people, admitted_on, young=True))
        while len(people_here) < sizes[code]:
            people_here.append(make_member(rng, people, _regular_admission(rng)))
        members[code] = people_here
    assert not ytd_dates
    # The committee numbers its decisions through the year.
    decision_no = 8
    for member in sorted(with_decision_note, key=lambda m: m.admitted_on):
        decision_no += rng.randint(4, 25)
        member.note = (
            f"Kết nạp theo Quyết định số {decision_no}-QĐ/ĐUCA ngày {member.admitted_on:%d/%m/%Y}"
        )
    return members


def _plant_member_problems(
    rng: random.Random, people: People, members: dict[str, list[Member]]
) -> None:
    """Plants 1-4 and 7 (see the module docstring). Figures stay as they are."""

    def settled(code: str) -> list[Member]:
        """Members admitted before 2021: touching them changes no figure."""
        return [m for m in members[code] if m.admitted_on.year < 2021]

    # 1. a woman whose citizen ID says "man born in the 1900s"
    woman = rng.choice(settled(PLANT_CCCD_GENDER))
    replacement = make_member(rng, people, woman.admitted_on, gender="Nữ")
    replacement.ethnicity, replacement.religion = "Kinh", "Không"
    replacement.citizen_id = replacement.citizen_id[:3] + "0" + replacement.citizen_id[4:]
    members[PLANT_CCCD_GENDER][members[PLANT_CCCD_GENDER].index(woman)] = replacement
    # 2. ethnicity left empty
    rng.choice(settled(PLANT_NO_ETHNICITY)).ethnicity = None
    # 3. admitted March 2021, still no official date: overdue for recognition
    victim = rng.choice(settled(PLANT_OVERDUE))
    march_2021 = random_weekday(rng, dt.date(2021, 3, 8), dt.date(2021, 3, 26))
    overdue = make_member(rng, people, march_2021, young=True)
    overdue.ceremony_on = weekday_on_or_after(march_2021 + dt.timedelta(days=rng.randint(7, 20)))
    overdue.official_on = None
    members[PLANT_OVERDUE][members[PLANT_OVERDUE].index(victim)] = overdue
    # 4. ceremony 60 days after the decision, years ago
    pool = settled(PLANT_LATE_CEREMONY)
    late = rng.choice([m for m in pool if 2016 <= m.admitted_on.year <= 2020] or pool)
    late.ceremony_on = late.admitted_on + dt.timedelta(days=60)
    late.official_on = add_years(late.ceremony_on, 1) + dt.timedelta(days=rng.randint(0, 20))
    # 7. old 9-digit identity card number
    rng.choice(settled(PLANT_OLD_CMND)).citizen_id = people.old_cmnd()


_MEMBER_NOTES_MALE = [
    "Đang học đại học hệ vừa làm vừa học tại Trường Đại học An ninh nhân dân",
    "Đang học cao học tại Học viện Cảnh sát nhân dân",
    "Tăng cường cho Công an xã từ tháng 3/2022",
    "Đang điều trị bệnh dài ngày",
]
_MEMBER_NOTES_FEMALE = [
    "Đang học cao học tại Học viện An ninh nhân dân",
    "Đang điều trị bệnh dài ngày",
]


def _order_and_annotate(rng: random.Random, members: list[Member]) -> tuple[list[Member], str, str]:
    """Seniority order (as most rosters are kept); picks the secretary and the clerk."""
    members.sort(key=lambda m: (m.admitted_on, m.full_name))
    officials = [m for m in members if m.official_on is not None]
    seniors = [m for m in officials if full_years(m.birth_date, QUARTER_END) >= 35] or officials
    secretary = rng.choice(seniors[: max(3, len(seniors) // 2)])
    clerk = rng.choice([m for m in officials if m is not secretary])
    if rng.random() < 0.4 and secretary.note is None:
        secretary.note = "Bí thư chi bộ"
        if rng.random() < 0.3 and clerk.note is None:
            clerk.note = "Phó Bí thư chi bộ"
    for member in members:
        if member.note is None and member.official_on is not None and rng.random() < 0.015:
            pool = list(_MEMBER_NOTES_FEMALE if member.gender == "Nữ" else _MEMBER_NOTES_MALE)
            if member.gender == "Nữ" and full_years(member.birth_date, QUARTER_END) < 38:
                pool.append("Nghỉ thai sản từ tháng 8/2022")
            member.note = rng.choice(pool)
    return members, secretary.full_name, clerk.full_name


def _file_name(code: str) -> str:
    return ODD_FILE_NAMES.get(code, f"{code}_{YEAR}-Q{QUARTER}.xlsx")


def build_sample(seed: int = DEFAULT_SEED) -> Sample:
    """The whole sample as plain data; nothing is written."""
    rng = random.Random(seed)
    people = People(rng)
    grassroots, _committees, subordinates = _cells_and_committees()
    cells = grassroots + subordinates
    sizes = _cell_sizes(rng, cells)
    admitted = _admissions(rng, cells, sizes)
    units = build_units(rng, admitted)
    unit_by_code = {u.code: u for u in units}
    members = _build_members(rng, people, cells, sizes, admitted)
    _plant_member_problems(rng, people, members)

    rosters: list[Roster] = []
    q2_candidate: Candidate | None = None
    for cell in cells:
        code = cell.code
        unit = unit_by_code[code]
        cell_members, secretary, clerk = _order_and_annotate(rng, members[code])
        officials = [m for m in cell_members if m.official_on is not None]
        if code == Q2_FILE_CELL:  # its quý II file shows the same candidates and helpers
            officials = [m for m in officials if m.official_on <= Q2_END]
        n_candidates = rng.choice([0, 0, 1, 1, 1, 2, 2, 3, 4])
        if code in (PLANT_OLD_CERTIFICATE, PLANT_UNKNOWN_HELPER):
            n_candidates = max(n_candidates, 2)
        candidates = [make_candidate(rng, people, officials) for _ in range(n_candidates)]
        if code == PLANT_OLD_CERTIFICATE:  # 5
            candidates[0].certificate_on = random_weekday(
                rng, dt.date(2016, 5, 1), dt.date(2016, 11, 30)
            )
            candidates[0].note = None
        if code == PLANT_UNKNOWN_HELPER:  # 6
            stranger = people.name("Nam")
            candidates[-1].helper_1 = stranger
        if code == Q2_FILE_CELL:
            # The one admitted in quý III was still a candidate at the end of quý II.
            newcomer = next(m for m in cell_members if m.admitted_on >= QUARTER_START)
            helper_1, helper_2 = rng.sample(officials, 2)
            q2_candidate = Candidate(
                full_name=newcomer.full_name,
                birth_date=newcomer.birth_date,
                gender=newcomer.gender,
                ethnicity=newcomer.ethnicity or "Kinh",
                citizen_id=newcomer.citizen_id,
                certificate_on=random_weekday(rng, dt.date(2021, 5, 1), dt.date(2021, 11, 30)),
                helper_1=helper_1.full_name,
                helper_2=helper_2.full_name,
                youth_union=newcomer.youth_union,
                note="Chi bộ đã họp xét, đề nghị kết nạp",
            )
        rosters.append(Roster(
            file_name=_file_name(code),
            unit=unit,
            year=YEAR,
            quarter=QUARTER,
            created_on=random_weekday(rng, dt.date(2022, 10, 3), dt.date(2022, 10, 10)),
            clerk=clerk,
            secretary=secretary,
            members=cell_members,
            candidates=candidates,
            titled=code == PLANT_TITLED,
            variant_headers=code in PLANT_VARIANT_HEADERS,
            text_dates=code == PLANT_TEXT_DATES,
        ))

    rosters += _extra_files(rng, rosters, q2_candidate)
    sample = Sample(units=units, rosters=rosters)
    sample.plants = _locate_plants(sample)
    return sample


def _extra_files(
    rng: random.Random, rosters: list[Roster], q2_candidate: Candidate | None
) -> list[Roster]:
    """Plant 10: an older version of one cell's Q3 file and another cell's Q2 file."""
    by_code = {r.unit.code: r for r in rosters}
    current = by_code[OLDER_DUPLICATE]
    late_comers = rng.sample([m for m in current.members if m.official_on and m.note is None], 2)
    for member in late_comers:
        member.note = "Chuyển sinh hoạt đảng đến tháng 9/2022"
    older = replace(
        current,
        file_name=f"{OLDER_DUPLICATE}_{YEAR}-Q{QUARTER} (ban cu).xlsx",
        created_on=dt.date(2022, 9, 28),
        members=[replace(m) for m in current.members if m not in late_comers],
        candidates=[replace(c) for c in current.candidates],
        counted=False,
    )

    q3 = by_code[Q2_FILE_CELL]
    q2_members = []
    for member in q3.members:
        if member.admitted_on > Q2_END:
            continue
        member = replace(member)
        if member.official_on and member.official_on > Q2_END:
            member.official_on = None
            member.note = None
        q2_members.append(member)
    q2_candidates = [replace(c) for c in q3.candidates if c.certificate_on <= Q2_END]
    if q2_candidate is not None:
        q2_candidates.append(q2_candidate)
    q2 = replace(
        q3,
        file_name=f"{Q2_FILE_CELL}_{YEAR}-Q2.xlsx",
        quarter=2,
        created_on=dt.date(2022, 7, 6),
        members=q2_members,
        candidates=q2_candidates,
        counted=False,
    )
    return [older, q2]


def _locate_plants(sample: Sample) -> list[Plant]:
    """Where each planted problem ended up (Excel row numbers), for the docstring's list."""
    by_code = {r.unit.code: r for r in sample.rosters if r.counted}
    plants: list[Plant] = []

    def member_row(code: str, test) -> tuple[Roster, int]:
        roster = by_code[code]
        index = next(i for i, m in enumerate(roster.members) if test(m))
        return roster, roster.header_row + 1 + index

    def add(number, code, sheet, row, column, what):
        plants.append(Plant(number, code, by_code[code].file_name, sheet, row, column, what))

    _, row = member_row(PLANT_CCCD_GENDER, lambda m: m.gender == "Nữ" and m.citizen_id[3] == "0")
    add(1, PLANT_CCCD_GENDER, MEMBER_SHEET, row, LABELS["citizen_id"],
        "nữ nhưng chữ số thứ 4 của CCCD là 0 (nam)")
    _, row = member_row(PLANT_NO_ETHNICITY, lambda m: m.ethnicity is None)
    add(2, PLANT_NO_ETHNICITY, MEMBER_SHEET, row, LABELS["ethnicity"], "để trống dân tộc")
    _, row = member_row(
        PLANT_OVERDUE,
        lambda m: m.official_on is None and (m.admitted_on.year, m.admitted_on.month) == (2021, 3),
    )
    add(3, PLANT_OVERDUE, MEMBER_SHEET, row, LABELS["official_on"],
        "vào Đảng tháng 3/2021, chưa có ngày chính thức")
    _, row = member_row(PLANT_LATE_CEREMONY, lambda m: (m.ceremony_on - m.admitted_on).days >= 60)
    add(4, PLANT_LATE_CEREMONY, MEMBER_SHEET, row, LABELS["ceremony_on"],
        "lễ kết nạp 60 ngày sau quyết định")
    roster = by_code[PLANT_OLD_CERTIFICATE]
    index = next(i for i, c in enumerate(roster.candidates) if c.certificate_on.year == 2016)
    add(5, PLANT_OLD_CERTIFICATE, CANDIDATE_SHEET, 2 + index, LABELS["certificate_on"],
        "giấy chứng nhận cấp năm 2016 (quá 60 tháng)")
    roster = by_code[PLANT_UNKNOWN_HELPER]
    names = {m.full_name for m in roster.members}
    index = next(i for i, c in enumerate(roster.candidates) if c.helper_1 not in names)
    add(6, PLANT_UNKNOWN_HELPER, CANDIDATE_SHEET, 2 + index, LABELS["helper_1"],
        "người giúp đỡ không có trong chi bộ")
    _, row = member_row(PLANT_OLD_CMND, lambda m: len(m.citizen_id) == 9)
    add(7, PLANT_OLD_CMND, MEMBER_SHEET, row, LABELS["citizen_id"], "số CMND cũ 9 chữ số")
    add(8, PLANT_TITLED, MEMBER_SHEET, 3, None,
        "2 dòng tiêu đề trên dòng tiêu đề cột, khối chữ ký dưới bảng")
    for code in PLANT_VARIANT_HEADERS:
        what = "tiêu đề cột viết khác"
        if code == PLANT_TEXT_DATES:
            what += ", ngày ghi dạng chữ dd/mm/yyyy"
        add(9, code, MEMBER_SHEET, 1, None, what)
    for roster in sample.rosters:
        if not roster.counted:
            what = (
                "bản cũ (Ngày lập 28/09/2022), không được tính"
                if roster.quarter == QUARTER
                else "số liệu quý II, không được tính"
            )
            plants.append(
                Plant(10, roster.unit.code, roster.file_name, INFO_SHEET, None, None, what)
            )
    return plants


# --- writing ----------------------------------------------------------------------------------

BOLD = Font(bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
# Column widths by column key (a key is as wide on both sheets) and by register key.
WIDTHS = {
    "row_number": 5, "full_name": 26, "birth_date": 12, "gender": 9, "ethnicity": 9,
    "religion": 11, "citizen_id": 15, "admitted_on": 13, "ceremony_on": 13, "official_on": 13,
    "youth_union": 9, "general_education": 12, "education": 18, "political_theory": 12, "occupation": 18,
    "note": 34, "certificate_on": 14, "helper_1": 26,
    "helper_2": 26,
}
REGISTER_WIDTHS = {"code": 14, "name": 62, "type": 18, "parent": 20, "email": 30, "target": 12}
# The member sheet's signature block (plant 8) spans its last columns, this many.
SIGNATURE_COLUMNS = 4


def _new_workbook(creator: str) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.properties.creator = creator
    wb.properties.lastModifiedBy = creator
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    return wb


def _header(ws, row: int, headers: Sequence[str], widths: Sequence[int]) -> None:
    for col, (title, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=row, column=col, value=title)
        cell.font, cell.alignment = BOLD, CENTER
        ws.column_dimensions[get_column_letter(col)].width = width


def _put_date(ws, row: int, col: int, day: dt.date | None, as_text: bool) -> None:
    if day is None:
        return
    if as_text:
        ws.cell(row=row, column=col, value=f"{day:%d/%m/%Y}")
    else:
        ws.cell(row=row, column=col, value=day).number_format = DATE_FORMAT


def _put_text(ws, row: int, col: int, text: str) -> None:
    cell = ws.cell(row=row, column=col, value=text)
    cell.number_format = "@"


def _put_row(ws, row: int, keys: Sequence[str], values: Sequence, text_dates: bool) -> None:
    """One table row, column A first: dates as Excel dates (or as text, plant 9) and the citizen
    ID as a text cell, the way the template formats them; everything else as it is."""
    for col, (key, value) in enumerate(zip(keys, values, strict=True), start=1):
        if key in DATE_KEYS:
            _put_date(ws, row, col, value, text_dates)
        elif key == "citizen_id":
            _put_text(ws, row, col, value)
        else:
            ws.cell(row=row, column=col, value=value)


def write_register(units: list[Unit], path: Path) -> None:
    wb = _new_workbook("Ban Tổ chức Đảng ủy Công an tỉnh")
    ws = wb.active
    ws.title = REGISTER_SHEET
    _header(ws, 1, REGISTER_HEADERS, [REGISTER_WIDTHS[k] for k in REGISTER_COLUMNS])
    for r, unit in enumerate(units, start=2):
        values = register_values(code=unit.code, name=unit.name, type=unit.kind,
                                 parent=unit.parent, email=unit.email, target=unit.target)
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value)
    ws.freeze_panes = "A2"
    save_deterministic(wb, path)


def write_roster(roster: Roster, path: Path) -> None:
    wb = _new_workbook(roster.clerk)
    info = wb.active
    info.title = INFO_SHEET
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 62
    for r, (label, value) in enumerate(info_pairs(
        code=roster.unit.code,
        name=roster.unit.name,
        year=roster.year,
        quarter=roster.quarter,
        created_on=roster.created_on,
        created_by=roster.clerk,
    ), start=1):
        info.cell(row=r, column=1, value=label).font = BOLD
        cell = info.cell(row=r, column=2, value=value)
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
            cell.alignment = Alignment(horizontal="left")

    ws = wb.create_sheet(MEMBER_SHEET)
    headers = [VARIANT_HEADERS.get(h, h) if roster.variant_headers else h for h in MEMBER_HEADERS]
    top = roster.header_row
    last_col = get_column_letter(len(headers))
    if roster.titled:
        for r, title in ((1, "DANH SÁCH ĐẢNG VIÊN"), (2, roster.unit.name)):
            ws.cell(row=r, column=1, value=title).font = Font(bold=True, size=13 if r == 1 else 12)
            ws.cell(row=r, column=1).alignment = CENTER
            ws.merge_cells(f"A{r}:{last_col}{r}")
    _header(ws, top, headers, [WIDTHS[k] for k in TEMPLATE_MEMBER_KEYS])
    text = roster.text_dates
    for i, m in enumerate(roster.members, start=1):
        _put_row(ws, top + i, TEMPLATE_MEMBER_KEYS, member_values(row_number=i, **asdict(m)), text)
    if roster.titled:
        r = top + len(roster.members) + 2  # one blank row under the table
        first = len(headers) - SIGNATURE_COLUMNS + 1
        for offset, (text_value, bold) in {0: ("T/M CHI BỘ", True), 1: ("BÍ THƯ", True),
                                             5: (roster.secretary, True)}.items():
            cell = ws.cell(row=r + offset, column=first, value=text_value)
            cell.font, cell.alignment = Font(bold=bold), CENTER
            ws.merge_cells(start_row=r + offset, start_column=first,
                           end_row=r + offset, end_column=len(headers))
    ws.freeze_panes = ws.cell(row=top + 1, column=1)

    qs = wb.create_sheet(CANDIDATE_SHEET)
    _header(qs, 1, CANDIDATE_HEADERS, [WIDTHS[k] for k in TEMPLATE_CANDIDATE_KEYS])
    for i, c in enumerate(roster.candidates, start=1):
        _put_row(qs, 1 + i, TEMPLATE_CANDIDATE_KEYS, candidate_values(row_number=i, **asdict(c)),
                 text)
    qs.freeze_panes = "A2"
    save_deterministic(wb, path)


def write_sample(sample: Sample, out_dir: Path, *, clean: bool = False) -> None:
    out_dir = Path(out_dir)
    inbox = out_dir / INBOX_DIR
    inbox.mkdir(parents=True, exist_ok=True)
    if clean:
        for old in inbox.glob("*.xlsx"):
            old.unlink()
    write_register(sample.units, out_dir / REGISTER_FILE)
    for roster in sample.rosters:
        write_roster(roster, inbox / roster.file_name)


def generate(out_dir: Path, seed: int = DEFAULT_SEED, *, clean: bool = False) -> None:
    """Write ``units.xlsx`` and ``inbox/*.xlsx`` under `out_dir`; `clean` first deletes
    the ``*.xlsx`` already in the inbox (so renamed samples leave nothing stale behind)."""
    write_sample(build_sample(seed), Path(out_dir), clean=clean)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rostergen.samples",
        description="Tạo bộ dữ liệu mẫu (danh mục đơn vị và hộp thư các chi bộ) quý III năm 2022.",
    )
    parser.add_argument("--out", type=Path, default=Path("input_samples"),
                        help="thư mục ghi ra (mặc định: input_samples)")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED,
        help=f"hạt giống ngẫu nhiên (mặc định {DEFAULT_SEED})",
    )
    parser.add_argument("--clean", action="store_true",
                        help="xóa các tệp .xlsx cũ trong thư mục inbox trước khi ghi")
    args = parser.parse_args(argv)
    sample = build_sample(args.seed)
    write_sample(sample, args.out, clean=args.clean)
    print(f"Đã ghi {args.out / REGISTER_FILE} ({len(sample.units)} đơn vị) và "
          f"{len(sample.rosters)} tệp trong {args.out / INBOX_DIR}.")
    print("Lỗi dữ liệu cố ý:")
    for p in sample.plants:
        where = f"dòng {p.row}" if p.row else "cả tệp"
        column = f", cột \"{p.column}\"" if p.column else ""
        print(f"  {p.number:>2}. {p.unit} — {p.file} — {p.sheet}, {where}{column}: {p.what}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
