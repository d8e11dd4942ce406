"""Make the real-client roster corpus: `tests/data/corpus/` (see `tests/data/README.md`).

Each case is a roster the way an office really sends one: written with openpyxl, then opened and
re-saved by LibreOffice (`soffice --headless --convert-to xlsx|xls|ods|xlsm`), so the committed
file carries what a real office suite writes (cached formula values, merged cells, fonts, legacy
formats). Beside the workbooks:

- `corpus/units.xlsx`: the register of the corpus's committee (the register layout of
  `docs/roster-format.md`);
- `corpus/expected.json`: for every file, the exact issues `(file, sheet, row, column, rule)` it
  must raise, the unit and status it must get, and the figures and row readings that matter.

The expectations are written here by hand beside the rows that provoke them, from the format
`docs/roster-format.md` describes and the rules of `docs/rules.md`. Of the pipeline this script
takes only the template's column headers and the register's sheet name (`pipeline.contract`,
through `tests/builders.py`); nothing it expects comes from the pipeline. Every person is
invented; a citizen ID's digits 4–6 agree with the gender and birth year unless the case is
about them.

Run from the project root (needs LibreOffice; the tests do not):

    .venv/bin/python tests/data/make_corpus.py                  # remake everything
    .venv/bin/python tests/data/make_corpus.py --expected-only  # rewrite expected.json only

Re-running gives the same file names, contents and expectations; only the timestamps LibreOffice
stamps inside the files change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/ for builders
from builders import CANDIDATE_HEADER, MEMBER_HEADER, write_register  # noqa: E402

CORPUS = HERE / "corpus"
INBOX = CORPUS / "inbox"

YEAR, QUARTER = 2022, 3
Q_START, Q_END = dt.date(2022, 7, 1), dt.date(2022, 9, 30)
YEAR_START = dt.date(2022, 1, 1)
CREATED = dt.date(2022, 10, 3)

# ------------------------------------------------------------------------------------------------
# The register: a root, 23 chi bộ cơ sở, two đảng bộ cơ sở (Đông Sơn, Nga Sơn) with their chi bộ.
# Both committees have a "Chi bộ Đội An ninh" and a "Chi bộ Đội Tổng hợp" (names repeat in real
# registers). CB-PC22 sends nothing (missing).
# ------------------------------------------------------------------------------------------------
ROOT = "DB-CAT"
REGISTER = [
    [ROOT, "Đảng bộ Công an tỉnh", "Đảng bộ", None, None, None],
    ["CB-PC01", "Chi bộ Phòng Tham mưu", "Chi bộ cơ sở", ROOT, "pc01@example.vn", 3],
    ["CB-PC02", "Chi bộ Phòng Cảnh sát hình sự", "Chi bộ cơ sở", ROOT, None, 2],
    ["CB-PC03", "Chi bộ Phòng An ninh đối ngoại", "Chi bộ cơ sở", ROOT, None, 1],
    ["CB-PC04", "Chi bộ Phòng Cảnh sát giao thông", "Chi bộ cơ sở", ROOT, None, 3],
    ["CB-PC05", "Chi bộ Phòng Hậu cần", "Chi bộ cơ sở", ROOT, None, 1],
    ["CB-PC06", "Chi bộ Phòng Cảnh sát kinh tế", "Chi bộ cơ sở", ROOT, None, 2],
    ["CB-PC07", "Chi bộ Phòng Cảnh sát môi trường", "Chi bộ cơ sở", ROOT, None, 1],
    ["CB-PC08", "Chi bộ Phòng Quản lý xuất nhập cảnh", "Chi bộ cơ sở", ROOT, None, 1],
    ["CB-PC09", "Chi bộ Phòng Cảnh sát cơ động", "Chi bộ cơ sở", ROOT, None, 2],
    ["CB-PC10", "Chi bộ Phòng Kỹ thuật hình sự", "Chi bộ cơ sở", ROOT, None, 1],
    ["CB-PC11", "Chi bộ Phòng Hồ sơ", "Chi bộ cơ sở", ROOT, None, 1],
    ["CB-PC12", "Chi bộ Phòng Công nghệ thông tin", "Chi bộ cơ sở", ROOT, None, 1],
    ["CB-PC13", "Chi bộ Phòng Xây dựng phong trào", "Chi bộ cơ sở", ROOT, None, 1],
    ["CB-PC14", "Chi bộ Trại tạm giam", "Chi bộ cơ sở", ROOT, None, 2],
    ["CB-PC15", "Chi bộ Phòng Thanh tra", "Chi bộ cơ sở", ROOT, None, 1],
    ["CB-PC16", "Chi bộ Phòng Pháp chế", "Chi bộ cơ sở", ROOT, None, 1],
    ["CB-PC17", "Chi bộ Phòng Tổ chức cán bộ", "Chi bộ cơ sở", ROOT, None, 1],
    ["CB-PC18", "Chi bộ Phòng An ninh kinh tế", "Chi bộ cơ sở", ROOT, None, 1],
    ["CB-PC19", "Chi bộ Phòng An ninh chính trị nội bộ", "Chi bộ cơ sở", ROOT, None, 1],
    ["CB-PC20", "Chi bộ Phòng Cảnh sát quản lý hành chính về trật tự xã hội", "Chi bộ cơ sở", ROOT, None, 2],
    ["CB-PC21", "Chi bộ Phòng Cảnh sát bảo vệ", "Chi bộ cơ sở", ROOT, None, 1],
    ["CB-PC22", "Chi bộ Phòng Cảnh sát điều tra tội phạm về ma túy", "Chi bộ cơ sở", ROOT, None, 1],
    ["CB-PC23", "Chi bộ Phòng Cảnh sát thi hành án hình sự", "Chi bộ cơ sở", ROOT, None, 1],
    ["DB-DS", "Đảng bộ Công an huyện Đông Sơn", "Đảng bộ cơ sở", ROOT, "ds@example.vn", 4],
    ["CB-DS-01", "Chi bộ Đội An ninh", "Chi bộ trực thuộc", "DB-DS", None, None],
    ["CB-DS-02", "Chi bộ Đội Cảnh sát hình sự - kinh tế - ma túy", "Chi bộ trực thuộc", "DB-DS", None, None],
    ["CB-DS-03", "Chi bộ Đội Cảnh sát giao thông - trật tự", "Chi bộ trực thuộc", "DB-DS", None, None],
    ["CB-DS-04", "Chi bộ Đội Tổng hợp", "Chi bộ trực thuộc", "DB-DS", None, None],
    ["CB-DS-05", "Chi bộ Công an thị trấn Rừng Thông", "Chi bộ trực thuộc", "DB-DS", None, None],
    ["CB-DS-06", "Chi bộ Công an xã Đông Tiến", "Chi bộ trực thuộc", "DB-DS", None, None],
    ["DB-NS", "Đảng bộ Công an huyện Nga Sơn", "Đảng bộ cơ sở", ROOT, None, 5],
    ["CB-NS-01", "Chi bộ Đội An ninh", "Chi bộ trực thuộc", "DB-NS", None, None],
    ["CB-NS-02", "Chi bộ Đội Cảnh sát điều tra tội phạm về trật tự xã hội", "Chi bộ trực thuộc", "DB-NS", None, None],
    ["CB-NS-03", "Chi bộ Đội Cảnh sát giao thông", "Chi bộ trực thuộc", "DB-NS", None, None],
    ["CB-NS-04", "Chi bộ Đội Tổng hợp", "Chi bộ trực thuộc", "DB-NS", None, None],
    ["CB-NS-05", "Chi bộ Công an thị trấn Nga Sơn", "Chi bộ trực thuộc", "DB-NS", None, None],
    ["CB-NS-06", "Chi bộ Công an xã Nga Thủy", "Chi bộ trực thuộc", "DB-NS", None, None],
    ["CB-NS-07", "Chi bộ Công an xã Nga Hải", "Chi bộ trực thuộc", "DB-NS", None, None],
    ["CB-NS-08", "Chi bộ Công an xã Nga Liên", "Chi bộ trực thuộc", "DB-NS", None, None],
    ["CB-NS-09", "Chi bộ Công an xã Nga Tân", "Chi bộ trực thuộc", "DB-NS", None, None],
    ["CB-NS-10", "Chi bộ Công an xã Nga Tiến", "Chi bộ trực thuộc", "DB-NS", None, None],
    ["CB-NS-11", "Chi bộ Công an xã Nga Thạch", "Chi bộ trực thuộc", "DB-NS", None, None],
    ["CB-NS-12", "Chi bộ Công an xã Nga Bạch", "Chi bộ trực thuộc", "DB-NS", None, None],
]
UNIT_NAMES = {row[0]: row[1] for row in REGISTER}

# ------------------------------------------------------------------------------------------------
# People
# ------------------------------------------------------------------------------------------------
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
          "Lý", "Phan", "Trịnh", "Mai", "Lương", "Đinh", "Tạ", "Cao", "Lại", "Hà", "Khúc"]
MIDDLE = {"Nam": ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Công", "Xuân", "Ngọc", "Tiến", "Duy"],
          "Nữ": ["Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Phương", "Kim"]}
GIVEN = {"Nam": ["Hùng", "Dũng", "Tuấn", "Long", "Sơn", "Hải", "Nam", "Khánh", "Phong", "Thắng", "Cường",
                 "Quân", "Trung", "Hiếu", "Đạt", "Bình", "Toàn", "Vinh", "Lâm", "Tài", "Kiên", "Thịnh",
                 "Hoàng", "Nghĩa", "Tùng", "Định"],
         "Nữ": ["Hoa", "Lan", "Hương", "Nhung", "Trang", "Thảo", "Linh", "Huyền", "Mai", "Yến", "Hạnh",
                "Ngân", "Phượng", "Quyên", "Duyên", "Giang", "Hằng", "Loan"]}

_used_names: set[str] = set()
_serial = [100100]


def make_cid(gender: str, year: int, province: str = "038") -> str:
    """A fresh 12-digit CCCD: province, century+gender digit, birth year, 6-digit serial."""
    _serial[0] += 37
    digit = (0 if year < 2000 else 2) + (1 if gender == "Nữ" else 0)
    return f"{province}{digit}{year % 100:02d}{_serial[0]:06d}"


def add_months(day: dt.date, months: int) -> dt.date:
    m0 = day.month - 1 + months
    year, month = day.year + m0 // 12, m0 % 12 + 1
    for d in range(day.day, 27, -1):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    return dt.date(year, month, min(day.day, 28))


def serial(day: dt.date) -> int:
    """The Excel day number of a date."""
    return (day - dt.date(1899, 12, 30)).days


@dataclass
class Person:
    """One member row. The date fields are what the loader must end up knowing (None when the cell
    cannot be read); `cells` holds raw values written instead of the defaults; `expect` lists
    (rule, column key) issues the row must raise."""

    name: str | None
    gender: str | None
    born: dt.date | None
    admitted: dt.date | None
    ceremony: dt.date | None = None
    official: dt.date | None = None
    ethnicity: str | None = "Kinh"
    religion: str | None = "Không"
    cid: str | None = None
    youth: str | None = None
    education: str | None = "Đại học"
    note: str | None = None
    cells: dict = field(default_factory=dict)
    expect: list = field(default_factory=list)
    read: bool = False
    row: int | None = None
    sheet: str | None = None
    file: str | None = None

    def __post_init__(self):
        if self.cid is None and self.born is not None and self.gender:
            self.cid = make_cid(self.gender, self.born.year)


@dataclass
class Candidate:
    name: str | None
    gender: str
    born: dt.date | None
    cert: dt.date | None
    helper1: str | None = None
    helper2: str | None = None
    ethnicity: str = "Kinh"
    cid: str | None = None
    youth: str | None = "x"
    note: str | None = None
    cells: dict = field(default_factory=dict)
    expect: list = field(default_factory=list)
    row: int | None = None
    sheet: str | None = None

    def __post_init__(self):
        if self.cid is None and self.born is not None:
            self.cid = make_cid(self.gender, self.born.year)


BLANK = "blank row"            # a row left empty inside the table
STT_ONLY = "running number"    # a pre-numbered template row nobody filled


def new_name(rng: random.Random, gender: str) -> str:
    for _ in range(1000):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[gender])} {rng.choice(GIVEN[gender])}"
        if name not in _used_names:
            _used_names.add(name)
            return name
    raise RuntimeError("names exhausted")


def claim(name: str) -> str:
    _used_names.add(name)
    return name


def official_member(rng: random.Random, gender: str | None = None, born: dt.date | None = None, **kw) -> Person:
    """A long-standing official member: every rule satisfied, admitted 2000–2020."""
    gender = gender or ("Nữ" if rng.random() < 0.3 else "Nam")
    born = born or dt.date(rng.randint(1972, 1996), rng.randint(1, 12), rng.randint(1, 28))
    year = rng.randint(max(2000, born.year + 23), min(2020, born.year + 34))
    admitted = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    ceremony = admitted + dt.timedelta(days=rng.randint(6, 20))
    official = add_months(ceremony, 12) + dt.timedelta(days=rng.randint(1, 25))
    args = dict(name=new_name(rng, gender), gender=gender, born=born, admitted=admitted, ceremony=ceremony,
                official=official, youth="x" if admitted.year - born.year <= 30 else None)
    args.update(kw)
    return Person(**args)


def admitted_member(rng: random.Random, admitted: dt.date, gender: str = "Nam", born: dt.date | None = None,
                    **kw) -> Person:
    """A member admitted on `admitted`, still probationary (not yet due)."""
    born = born or dt.date(admitted.year - rng.randint(23, 30), rng.randint(1, 12), rng.randint(1, 28))
    args = dict(name=new_name(rng, gender), gender=gender, born=born, admitted=admitted,
                ceremony=admitted + dt.timedelta(days=10), official=None, youth="x")
    args.update(kw)
    return Person(**args)


def recognized_member(rng: random.Random, gender: str = "Nam", **kw) -> Person:
    """Admitted in July 2021, made official in July 2022 (recognised in the quarter)."""
    born = dt.date(rng.randint(1992, 1998), rng.randint(1, 12), rng.randint(1, 28))
    args = dict(name=new_name(rng, gender), gender=gender, born=born, admitted=dt.date(2021, 7, 12),
                ceremony=dt.date(2021, 7, 20), official=dt.date(2022, 7, 25), youth="x")
    args.update(kw)
    return Person(**args)


def candidate(rng: random.Random, cert: dt.date | None, helper1=None, helper2=None, gender=None, **kw) -> Candidate:
    gender = gender or ("Nữ" if rng.random() < 0.4 else "Nam")
    born = dt.date(rng.randint(1995, 2001), rng.randint(1, 12), rng.randint(1, 28))
    args = dict(name=new_name(rng, gender), gender=gender, born=born, cert=cert, helper1=helper1, helper2=helper2)
    args.update(kw)
    return Candidate(**args)


# ------------------------------------------------------------------------------------------------
# Text the way old machines typed it
# ------------------------------------------------------------------------------------------------
# TCVN 5712:1993 (VN3, the ".VnTime" fonts): Unicode letter → the byte the font draws it with.
_TCVN3 = {
    "à": "µ", "ả": "¶", "ã": "·", "á": "¸", "ạ": "¹",
    "ă": "¨", "ằ": "»", "ẳ": "¼", "ẵ": "½", "ắ": "¾", "ặ": "Æ",
    "â": "©", "ầ": "Ç", "ẩ": "È", "ẫ": "É", "ấ": "Ê", "ậ": "Ë",
    "đ": "®",
    "è": "Ì", "ẻ": "Î", "ẽ": "Ï", "é": "Ð", "ẹ": "Ñ",
    "ê": "ª", "ề": "Ò", "ể": "Ó", "ễ": "Ô", "ế": "Õ", "ệ": "Ö",
    "ì": "×", "ỉ": "Ø", "ĩ": "Ü", "í": "Ý", "ị": "Þ",
    "ò": "ß", "ỏ": "á", "õ": "â", "ó": "ã", "ọ": "ä",
    "ô": "«", "ồ": "å", "ổ": "æ", "ỗ": "ç", "ố": "è", "ộ": "é",
    "ơ": "¬", "ờ": "ê", "ở": "ë", "ỡ": "ì", "ớ": "í", "ợ": "î",
    "ù": "ï", "ủ": "ñ", "ũ": "ò", "ú": "ó", "ụ": "ô",
    "ư": "\xad", "ừ": "õ", "ử": "ö", "ữ": "÷", "ứ": "ø", "ự": "ù",
    "ỳ": "ú", "ỷ": "û", "ỹ": "ü", "ý": "ý", "ỵ": "þ",
    "Ă": "¡", "Â": "¢", "Đ": "§", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦",
}


def tcvn3(text):
    if not isinstance(text, str):
        return text
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in _TCVN3:
            out.append(_TCVN3[ch])
        elif ch.isascii():
            out.append(ch)
        else:
            raise ValueError(f"{ch!r} in {text!r} has no TCVN3 code (no accented capitals in .VnTime)")
    return "".join(out)


def nfd(text):
    return unicodedata.normalize("NFD", text) if isinstance(text, str) else text


# ------------------------------------------------------------------------------------------------
# Workbooks
# ------------------------------------------------------------------------------------------------
MEMBER_KEYS = ["stt", "name", "born", "gender", "ethnicity", "religion", "cid", "admitted", "ceremony",
               "official", "youth", "education", "note"]
TEMPLATE_MEMBER = list(zip(MEMBER_HEADER, MEMBER_KEYS))
CANDIDATE_KEYS = ["stt", "name", "born", "gender", "ethnicity", "cid", "cert", "helper1", "helper2", "youth", "note"]
TEMPLATE_CANDIDATE = list(zip(CANDIDATE_HEADER, CANDIDATE_KEYS))
DATE_KEYS = {"born", "admitted", "ceremony", "official", "cert", "born_nam", "born_nu"}
DATE_FORMAT = "DD/MM/YYYY"


class Roster:
    """An openpyxl workbook being filled, with the people on it and the issues it must raise."""

    def __init__(self, text=lambda s: s, font: str | None = None):
        self.wb = Workbook()
        self._fresh = True
        self.text = text          # applied to every string written (TCVN3, NFD)
        self.font = Font(name=font) if font else None
        self.members: list[Person] = []
        self.candidates: list[Candidate] = []
        self.issues: list[tuple] = []   # (sheet, row, column, rule)

    def sheet(self, title: str):
        if self._fresh:
            ws = self.wb.active
            ws.title = title
            self._fresh = False
        else:
            ws = self.wb.create_sheet(title)
        return ws

    def put(self, ws, row: int, col: int, value, *, text=None, font=True):
        text = text or self.text
        cell = ws.cell(row=row, column=col, value=text(value) if isinstance(value, str) else value)
        if isinstance(value, dt.date):
            cell.number_format = DATE_FORMAT
        if self.font is not None and font:
            cell.font = self.font
        return cell

    def info(self, code=None, name=None, year=YEAR, quarter=QUARTER, created=CREATED, by="Lê Thị Thu",
             text=lambda s: s):
        """The `Thông tin` sheet: label/value pairs from A1 down (typed in Unicode)."""
        ws = self.sheet("Thông tin")
        r = 1
        for label, value in [("Mã đơn vị", code), ("Tên đơn vị", name), ("Năm", year), ("Quý", quarter),
                             ("Ngày lập", created), ("Người lập", by)]:
            if value is None:
                continue
            self.put(ws, r, 1, label, text=text, font=False)
            self.put(ws, r, 2, value, text=text, font=False)
            r += 1
        ws.column_dimensions["A"].width = 14
        ws.column_dimensions["B"].width = 40
        return ws

    def people(self, ws, people, first_row: int, columns: dict[str, int], headers: dict[str, str],
               kind: str = "member") -> int:
        """Write rows from `first_row`; columns: key → column number; headers: key → header text as
        written (for the expected issues). Returns the row after the last."""
        row, stt = first_row, 0
        for p in people:
            if p is BLANK:
                row += 1
                continue
            if p is STT_ONLY:
                stt += 1
                if "stt" in columns:
                    self.put(ws, row, columns["stt"], stt)
                row += 1
                continue
            stt += 1
            p.row, p.sheet = row, ws.title
            for key, col in columns.items():
                value = p.cells[key] if key in p.cells else _default(p, key, stt)
                if value is not None:
                    self.put(ws, row, col, value)
            for rule, key in p.expect:
                self.issues.append((ws.title, row, headers[key], rule))
            (self.members if kind == "member" else self.candidates).append(p)
            row += 1
        return row

    def table(self, title: str, people, columns=TEMPLATE_MEMBER, titles=(), kind="member", footer=()):
        """A sheet with title rows, one header row and the people; footer rows (lists) after."""
        ws = self.sheet(title)
        r = 1
        for t in titles:
            self.put(ws, r, 1, t)
            r += 1
        header_row = r
        for j, (text, _) in enumerate(columns, start=1):
            self.put(ws, r, j, text)
            ws.cell(row=r, column=j).alignment = Alignment(wrap_text=True)
        end = self.people(ws, people, r + 1, {k: j for j, (_, k) in enumerate(columns, start=1)},
                          {k: t for t, k in columns}, kind)
        for line in footer:
            for j, value in enumerate(line, start=1):
                if value is not None:
                    self.put(ws, end, j, value)
            end += 1
        _widths(ws, columns)
        return ws, header_row

    def template(self, code, members, candidates=(), member_sheet="Đảng viên", candidate_sheet="Quần chúng ưu tú",
                 **info):
        """The shipped template filled in: Thông tin, Đảng viên, Quần chúng ưu tú."""
        self.info(code=code, name=info.pop("name", UNIT_NAMES.get(code)), **info)
        self.table(member_sheet, members)
        self.table(candidate_sheet, list(candidates), TEMPLATE_CANDIDATE, kind="candidate")
        return self


def _default(p, key: str, stt: int):
    if key == "stt":
        return stt
    if key == "born_nam":
        return p.born if p.gender == "Nam" else None
    if key == "born_nu":
        return p.born if p.gender == "Nữ" else None
    return getattr(p, key)


def _widths(ws, columns):
    from openpyxl.utils import get_column_letter

    for j, (_, key) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = {"stt": 5, "name": 24, "note": 18}.get(key, 13)


def _merge(ws, ref: str):
    ws.merge_cells(ref)
    first = ws[ref.split(":")[0]]
    first.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


# ------------------------------------------------------------------------------------------------
# Cases
# ------------------------------------------------------------------------------------------------
@dataclass
class Case:
    file: str                 # name in the inbox
    shows: str                # one line for the README
    fmt: str                  # xlsx | xls | ods | xlsm | raw | truncated
    unit: str | None          # the unit the file must be matched to
    status: str               # accepted | superseded | other_period | rejected
    roster: Roster | None = None
    raw: bytes | None = None
    file_issues: list = field(default_factory=list)   # (sheet, row, column, rule) beyond the rows'
    figures: dict | None = None                        # extra figures to check beyond the computed ones
    newer_on_disk: bool = False   # the test makes this file the newest on disk


CASES: list[Case] = []


def case(file, shows, fmt="xlsx", unit=None, status="accepted", **kw) -> Case:
    c = Case(file=file, shows=shows, fmt=fmt, unit=unit, status=status, **kw)
    CASES.append(c)
    return c


def build_cases() -> None:  # noqa: C901 (one block per case, read top to bottom)
    R = random.Random

    # ---- PC01: the template as shipped, filled in correctly. Nothing to report. --------------------
    rng = R("PC01")
    olds = [official_member(rng) for _ in range(4)]
    recog = recognized_member(rng, "Nữ")
    q1 = admitted_member(rng, dt.date(2022, 2, 18), "Nữ", ethnicity="Tày")
    q2 = admitted_member(rng, dt.date(2022, 5, 20))
    q3 = admitted_member(rng, dt.date(2022, 8, 19), religion="Phật giáo")
    pc01 = olds + [recog, q1, q2, q3]
    cands = [candidate(rng, dt.date(2021, 11, 12), olds[0].name, olds[1].cid),
             candidate(rng, dt.date(2020, 6, 5), olds[2].name, recog.name)]
    r = Roster().template("CB-PC01", pc01, cands)
    case("CB-PC01_2022-Q3.xlsx", "the template filled in correctly: no issue; figures of a plain cell",
         unit="CB-PC01", roster=r, figures={"ytd_minority": 1, "ytd_women": 1, "ytd_religion": 1})

    # ---- PC01 again, last quarter's file (period from Thông tin: quý 2) ----------------------------
    r = Roster().template("CB-PC01", olds + [recog, q1, q2], quarter=2, created=dt.date(2022, 7, 4))
    case("CB-PC01_2022-Q2.xlsx", "last quarter's file sent again: another period, not used (OTHER_PERIOD)",
         unit="CB-PC01", status="other_period", roster=r, file_issues=[(None, None, None, "OTHER_PERIOD")])

    # ---- PC02: unit from the Thông tin code typed in lower case; Năm/Quý as text "2022"/"III" --------
    rng = R("PC02")
    people = [official_member(rng) for _ in range(4)] + [admitted_member(rng, dt.date(2022, 3, 9), "Nữ")]
    r = Roster()
    r.info(code="cb-pc02 ", name="Chi bộ Phòng Cảnh sát hình sự", year="2022", quarter="III")
    r.table("Danh sách đảng viên", people)
    r.table("Quần chúng ưu tú", [], TEMPLATE_CANDIDATE, kind="candidate")
    case("Danh sach DV nop Ban To chuc.xlsx", "unit from the Thông tin code written `cb-pc02 `, quarter as `III`; "
         "sheet `Danh sách đảng viên`; no issue", unit="CB-PC02", roster=r)

    # ---- PC03: one sheet `DS đảng viên`, unit and period from the file name `quý III năm 2022` ------
    rng = R("PC03")
    r = Roster()
    r.table("DS đảng viên", [official_member(rng) for _ in range(4)], titles=["DANH SÁCH ĐẢNG VIÊN"])
    case("CB-PC03 quý III năm 2022.xlsx", "no Thông tin sheet: unit code and `quý III năm 2022` from the file "
         "name; sheet `DS đảng viên`; no issue", unit="CB-PC03", roster=r)

    # ---- PC04: .xls, unaccented headers, `Danh sách đảng viên` + `Cảm tình Đảng`, `Q3_2022` ----------
    rng = R("PC04")
    people = [official_member(rng) for _ in range(4)] + [admitted_member(rng, dt.date(2022, 7, 15))]
    unaccented = list(zip(["TT", "Ho va ten", "Ngay sinh", "Gioi tinh", "Dan toc", "Ton giao", "So CCCD",
                           "Ngay vao Dang", "Ngay ket nap", "Ngay chinh thuc", "Doan vien", "Trinh do chuyen mon",
                           "Ghi chu"], MEMBER_KEYS))
    r = Roster()
    r.table("Danh sách đảng viên", people, unaccented,
            titles=["CHI BỘ PHÒNG CẢNH SÁT GIAO THÔNG", "DANH SÁCH ĐẢNG VIÊN"])
    r.table("Cảm tình Đảng", [candidate(rng, dt.date(2022, 4, 22), people[0].name, people[1].name)],
            TEMPLATE_CANDIDATE, kind="candidate")
    case("DS dang vien CB-PC04 Q3_2022.xls", "legacy .xls; headers typed without accents (`Ho va ten`); "
         "sheets `Danh sách đảng viên` and `Cảm tình Đảng`; `Q3_2022` in the name; no issue",
         fmt="xls", unit="CB-PC04", roster=r)

    # ---- PC05: one sheet `Sheet1`; unit and period from the title rows -----------------------------
    rng = R("PC05")
    r = Roster()
    r.table("Sheet1", [official_member(rng) for _ in range(3)] + [admitted_member(rng, dt.date(2022, 1, 20))],
            titles=["ĐẢNG BỘ CÔNG AN TỈNH", "CHI BỘ PHÒNG HẬU CẦN", "DANH SÁCH ĐẢNG VIÊN QUÝ III NĂM 2022"])
    case("DANH SACH DANG VIEN.xlsx", "one-sheet workbook (`Sheet1`): unit name and `QUÝ III NĂM 2022` from the "
         "title rows; no issue", unit="CB-PC05", roster=r)

    # ---- PC06: unit from `Tên đơn vị` (no code), period from the file name `quy 3 2022` --------------
    rng = R("PC06")
    r = Roster()
    r.info(name="CHI BỘ PHÒNG CẢNH SÁT KINH TẾ", year=None, quarter=None)
    r.table("Đảng viên", [official_member(rng) for _ in range(4)])
    case("Danh sach dang vien quy 3 2022.xlsx", "Thông tin has only `Tên đơn vị` (capitals): unit by name, "
         "period from `quy 3 2022` in the file name; no issue", unit="CB-PC06", roster=r)

    # ---- PC07: the `Dân tộc` column is missing (file still used) -----------------------------------
    rng = R("PC07")
    columns = [c for c in TEMPLATE_MEMBER if c[1] != "ethnicity"]
    r = Roster()
    r.info(code="CB-PC07", name=UNIT_NAMES["CB-PC07"])
    r.table("Đảng viên", [official_member(rng) for _ in range(3)], columns)
    r.issues.append(("Đảng viên", 1, "Dân tộc", "MISSING_COLUMN"))
    case("CB-PC07_2022-Q3.xlsx", "required column `Dân tộc` missing: MISSING_COLUMN at the header row; the "
         "members still count", unit="CB-PC07", roster=r)

    # ---- PC08: header aliases in another order; stray spaces and letter case in values --------------
    rng = R("PC08")
    people = [official_member(rng) for _ in range(3)]
    hung = official_member(rng, "Nam", name=claim("Trần Văn Hùng"), read=True,
                           cells={"name": "  Trần   Văn Hùng ", "gender": " nam", "ethnicity": "kinh"})
    nga = official_member(rng, "Nữ", name=claim("Lò Thị Ngà"), ethnicity="Thái", read=True,
                          cells={"gender": "NỮ", "ethnicity": " THÁI ", "religion": "không"})
    people += [hung, nga]
    columns = [("TT", "stt"), ("Họ tên", "name"), ("Nam/Nữ", "gender"), ("Ngày, tháng, năm sinh", "born"),
               ("Số CCCD/CMND", "cid"), ("Dân tộc", "ethnicity"), ("Tôn giáo", "religion"),
               ("Vào Đảng ngày", "admitted"), ("Ngày lễ kết nạp", "ceremony"),
               ("Ngày công nhận chính thức", "official"), ("Trình độ", "education"), ("Ghi chú", "note")]
    r = Roster()
    r.info(code="CB-PC08", name=UNIT_NAMES["CB-PC08"])
    r.table("Đảng viên", people, columns)
    case("CB-PC08_2022-Q3.xlsx", "header aliases (`Họ tên`, `Nam/Nữ`, `Ngày, tháng, năm sinh`, `Vào Đảng ngày`…) "
         "in another order; values with stray spaces and any case (`NỮ`, ` nam`, `kinh`); no issue",
         unit="CB-PC08", roster=r, figures={"ytd_minority": 0})

    # ---- PC09: titles, every header merged over two rows, `Ngày vào Đảng` → `Dự bị` / `Chính thức` --
    rng = R("PC09")
    people = [official_member(rng) for _ in range(4)]
    recog = recognized_member(rng, ceremony=None)
    newer = admitted_member(rng, dt.date(2022, 4, 8), "Nữ", ceremony=None, read=True)
    people += [recog, newer]
    r = Roster()
    r.info(code="CB-PC09", name=UNIT_NAMES["CB-PC09"])
    ws = r.sheet("Đảng viên")
    r.put(ws, 1, 1, "ĐẢNG BỘ CÔNG AN TỈNH")
    r.put(ws, 2, 1, "CHI BỘ PHÒNG CẢNH SÁT CƠ ĐỘNG")
    r.put(ws, 3, 1, "DANH SÁCH ĐẢNG VIÊN")
    _merge(ws, "A3:K3")
    tops = {"A": "STT", "B": "Họ và tên", "C": "Ngày sinh", "D": "Giới tính", "E": "Dân tộc", "F": "Tôn giáo",
            "G": "Số CCCD", "H": "Ngày vào Đảng", "J": "Trình độ chuyên môn", "K": "Ghi chú"}
    for col, text in tops.items():
        r.put(ws, 5, ord(col) - 64, text)
        if col != "H":
            _merge(ws, f"{col}5:{col}6")
    _merge(ws, "H5:I5")
    r.put(ws, 6, 8, "Dự bị")
    r.put(ws, 6, 9, "Chính thức")
    keys = {"stt": 1, "name": 2, "born": 3, "gender": 4, "ethnicity": 5, "religion": 6, "cid": 7, "admitted": 8,
            "official": 9, "education": 10, "note": 11}
    r.people(ws, people, 7, keys, {"name": "Họ và tên", "born": "Ngày sinh", "admitted": "Dự bị",
                                   "official": "Chính thức"})
    case("CB-PC09_2022-Q3.xlsx", "title rows; every header merged over two rows; `Ngày vào Đảng` split into "
         "`Dự bị` (admission) / `Chính thức` (official); no `Ngày kết nạp` column; no issue",
         unit="CB-PC09", roster=r)

    # ---- PC10: the Nam / Nữ layout: the birth date under `Nam` or `Nữ` gives the gender --------------
    rng = R("PC10")
    m1 = official_member(rng, "Nam", read=True)
    m1.cells["born_nam"] = m1.born.strftime("%d/%m/%Y")
    w1 = official_member(rng, "Nữ", read=True)
    w2 = admitted_member(rng, dt.date(2022, 5, 12), "Nữ", born=dt.date(1997, 11, 3), read=True,
                         cells={"born_nu": "03/11/1997"})
    people = [m1, official_member(rng, "Nam"), w1, official_member(rng, "Nam"), w2]
    r = Roster()
    r.info(code="CB-PC10", name=UNIT_NAMES["CB-PC10"])
    ws = r.sheet("Đảng viên")
    r.put(ws, 1, 1, "DANH SÁCH ĐẢNG VIÊN CHI BỘ PHÒNG KỸ THUẬT HÌNH SỰ")
    tops = {"A": "STT", "B": "Họ và tên", "C": "Ngày sinh", "E": "Dân tộc", "F": "Tôn giáo", "G": "Số CCCD",
            "H": "Ngày vào Đảng", "I": "Ngày kết nạp", "J": "Ngày chính thức", "K": "Ghi chú"}
    for col, text in tops.items():
        r.put(ws, 3, ord(col) - 64, text)
        if col != "C":
            _merge(ws, f"{col}3:{col}4")
    _merge(ws, "C3:D3")
    r.put(ws, 4, 3, "Nam")
    r.put(ws, 4, 4, "Nữ")
    keys = {"stt": 1, "name": 2, "born_nam": 3, "born_nu": 4, "ethnicity": 5, "religion": 6, "cid": 7,
            "admitted": 8, "ceremony": 9, "official": 10, "note": 11}
    r.people(ws, people, 5, keys, {})
    r.table("Quần chúng ưu tú", [], TEMPLATE_CANDIDATE, kind="candidate")
    case("CB-PC10_2022-Q3.xlsx", "classic layout: `Ngày sinh` merged over `Nam` / `Nữ`, no `Giới tính` column; "
         "gender from the column filled; no issue", unit="CB-PC10", roster=r, figures={"ytd_women": 1})

    # ---- PC11: every date form a roster may use, and birth years alone (warnings) -------------------
    rng = R("PC11")

    def dated(gender, born, admitted, ceremony, official, fmt, **kw):
        p = Person(new_name(rng, gender), gender, born, admitted, ceremony, official, **kw)
        for key, day in (("born", born), ("admitted", admitted), ("ceremony", ceremony), ("official", official)):
            if day is not None and fmt is not None:
                p.cells.setdefault(key, fmt(day))
        return p

    people = [
        dated("Nam", dt.date(1984, 7, 21), dt.date(2010, 6, 14), dt.date(2010, 6, 24), dt.date(2011, 7, 1), None),
        dated("Nam", dt.date(1986, 2, 3), dt.date(2012, 9, 10), dt.date(2012, 9, 20), dt.date(2013, 9, 25), serial,
              read=True),
        dated("Nữ", dt.date(1989, 11, 23), dt.date(2014, 3, 15), dt.date(2014, 3, 25), dt.date(2015, 3, 28),
              lambda d: d.strftime("%d/%m/%Y"), read=True),
        dated("Nam", dt.date(1991, 3, 5), dt.date(2016, 8, 2), dt.date(2016, 8, 9), dt.date(2017, 8, 12),
              lambda d: f"{d.day}/{d.month}/{d.year}", read=True),
        dated("Nam", dt.date(1988, 10, 17), dt.date(2013, 5, 20), dt.date(2013, 5, 30), dt.date(2014, 6, 2),
              lambda d: d.strftime("%d-%m-%Y"), read=True),
        dated("Nữ", dt.date(1990, 12, 9), dt.date(2015, 5, 19), dt.date(2015, 5, 29), dt.date(2016, 6, 1),
              lambda d: d.strftime("%d.%m.%Y"), read=True),
        dated("Nam", dt.date(1992, 4, 30), dt.date(2018, 1, 5), dt.date(2018, 1, 15), dt.date(2019, 1, 16),
              lambda d: d.strftime("%Y-%m-%d"), read=True),
        dated("Nam", dt.date(1987, 1, 1), dt.date(2012, 11, 7), dt.date(2012, 11, 17), dt.date(2013, 11, 20), None,
              read=True, cells={"born": "1987"}, expect=[("BIRTH_YEAR_ONLY", "born")]),
        dated("Nữ", dt.date(1986, 1, 1), dt.date(2011, 4, 12), dt.date(2011, 4, 22), dt.date(2012, 4, 25), None,
              cells={"born": 1986}, expect=[("BIRTH_YEAR_ONLY", "born")]),
        dated("Nam", dt.date(1996, 6, 18), dt.date(2022, 8, 19), dt.date(2022, 8, 29), None,
              lambda d: d.strftime("%d/%m/%Y")),
    ]
    r = Roster().template("CB-PC11", people)
    case("CB-PC11_2022-Q3.xlsx", "dates as real dates, serial numbers, `dd/mm/yyyy`, `d/m/yyyy`, `dd-mm-yyyy`, "
         "`dd.mm.yyyy`, `yyyy-mm-dd` (day first); two birth years alone: BIRTH_YEAR_ONLY warnings",
         unit="CB-PC11", roster=r)

    # ---- PC12: every text cell in NFD (decomposed) Unicode --------------------------------------------
    rng = R("PC12")
    nhung = official_member(rng, "Nữ", name=claim("Nguyễn Thị Hồng Nhung"), ethnicity="Mường",
                            religion="Phật giáo", read=True)
    people = [official_member(rng) for _ in range(3)] + [nhung, admitted_member(rng, dt.date(2022, 6, 3))]
    r = Roster(text=nfd)
    r.info(code="CB-PC12", name=UNIT_NAMES["CB-PC12"], text=nfd)
    r.table("Đảng viên", people, titles=["DANH SÁCH ĐẢNG VIÊN CHI BỘ PHÒNG CÔNG NGHỆ THÔNG TIN"])
    r.table("Quần chúng ưu tú", [], TEMPLATE_CANDIDATE, kind="candidate")
    case("CB-PC12_2022-Q3.xlsx", "every text cell in NFD Unicode (copied from a Mac); no issue", unit="CB-PC12",
         roster=r, figures={"ytd_minority": 0})

    # ---- PC13: typed in TCVN3 with the .VnTime font -----------------------------------------------------
    rng = R("PC13")
    an = official_member(rng, "Nam", name=claim("Nguyễn Văn An"), read=True)
    binh = official_member(rng, "Nữ", name=claim("Trần Thị Bình"), ethnicity="Thái", read=True)
    people = [an, binh, official_member(rng, "Nam", name=claim("Lê Văn Cường")),
              official_member(rng, "Nữ", name=claim("Hà Thị Thu"), ethnicity="Mường"),
              admitted_member(rng, dt.date(2022, 7, 21), "Nam", name=claim("Đỗ Minh Tuấn"), education="Cao đẳng")]
    r = Roster(text=tcvn3, font=".VnTime")
    r.info(code="CB-PC13", name=UNIT_NAMES["CB-PC13"])
    ws, _ = r.table("Đảng viên", people, titles=["Chi bộ Phòng Xây dựng phong trào", "Danh sách đảng viên"])
    r.text, r.font = (lambda s: s), None   # the template's candidate sheet stays as shipped (Unicode)
    r.table("Quần chúng ưu tú", [], TEMPLATE_CANDIDATE, kind="candidate")
    r.issues.append(("Đảng viên", None, None, "TCVN3_CONVERTED"))
    case("CB-PC13_2022-Q3.xlsx", "member sheet typed in TCVN3 with the `.VnTime` font (`NguyÔn V¨n An`, `N÷`, "
         "`Th¸i`): converted, one TCVN3_CONVERTED warning for the sheet", unit="CB-PC13", roster=r,
         figures={"ytd_minority": 0})

    # ---- PC14: citizen IDs stored as numbers (leading zeros lost) ------------------------------------
    rng = R("PC14")
    people = [official_member(rng) for _ in range(4)]
    hanoi = official_member(rng, "Nam", read=True)
    hanoi.cid = make_cid("Nam", hanoi.born.year, province="001")
    people.append(hanoi)
    for p in people:
        p.cells["cid"] = int(p.cid)
    people[0].read = True
    r = Roster()
    r.info(code="CB-PC14", name=UNIT_NAMES["CB-PC14"])
    ws, _ = r.table("Đảng viên", people)
    ws.cell(row=people[1].row, column=7).number_format = "000000000000"   # shown with its zero, stored as a number
    case("CB-PC14_2022-Q3.xlsx", "`Số CCCD` stored as numbers: `038…` lost one leading zero, `001…` two; "
         "no issue, IDs read back with 12 digits", unit="CB-PC14", roster=r)

    # ---- PC15: blank rows inside the table, a `Cộng` total row and a two-sided signature block --------
    rng = R("PC15")
    people = [official_member(rng) for _ in range(3)] + [BLANK] + [official_member(rng) for _ in range(2)] + \
        [admitted_member(rng, dt.date(2022, 9, 2))] + [BLANK, STT_ONLY]
    footer = [[None, "Cộng", 6], [],
              [None, None, None, None, None, None, None, "An Hòa, ngày 03 tháng 10 năm 2022"],
              [None, "NGƯỜI LẬP BIỂU", None, None, None, None, None, "T/M CHI BỘ"],
              [None, None, None, None, None, None, None, "BÍ THƯ"], [], [],
              [None, "Lê Thị Thu", None, None, None, None, None, "Lương Văn Tâm"]]
    r = Roster()
    r.info(code="CB-PC15", name=UNIT_NAMES["CB-PC15"])
    r.table("Đảng viên", people, titles=["CHI BỘ PHÒNG THANH TRA", "DANH SÁCH ĐẢNG VIÊN"], footer=footer)
    case("CB-PC15_2022-Q3.xlsx", "a blank row and an unfilled numbered row inside the table, a `Cộng` total "
         "row and a signature block (`NGƯỜI LẬP BIỂU` / `T/M CHI BỘ`, `BÍ THƯ`, names) below it; no issue",
         unit="CB-PC15", roster=r)

    # ---- PC16: formulas with cached values (name = family + given, official date computed) -----------
    rng = R("PC16")
    people = [official_member(rng) for _ in range(4)] + [admitted_member(rng, dt.date(2022, 4, 26))]
    people[0].read = True
    r = Roster()
    r.info(code="CB-PC16", name=UNIT_NAMES["CB-PC16"])
    ws = r.sheet("Đảng viên")
    r.put(ws, 1, 1, "CHI BỘ PHÒNG PHÁP CHẾ")
    r.put(ws, 2, 1, "DANH SÁCH ĐẢNG VIÊN")
    header = ["STT", "Họ đệm", "Tên", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Tôn giáo", "Số CCCD",
              "Ngày vào Đảng", "Ngày kết nạp", "Ngày chính thức", "Ghi chú"]
    for j, text in enumerate(header, start=1):
        r.put(ws, 3, j, text)
    for i, p in enumerate(people):
        row = 4 + i
        family, given = p.name.rsplit(" ", 1)
        p.cells.update({"stt": "=ROW()-3", "family": family, "given": given, "name": f'=B{row}&" "&C{row}',
                        "born": f"=DATE({p.born.year},{p.born.month},{p.born.day})"})
        if p.official:   # DATE() rolls a day past the month's end over, as Excel does
            rolled = dt.date(p.ceremony.year + 1, p.ceremony.month, 1) + dt.timedelta(days=p.ceremony.day - 1)
            p.cells["official"] = f"=DATE(YEAR(K{row})+1,MONTH(K{row}),DAY(K{row}))+{(p.official - rolled).days}"
    keys = {"stt": 1, "family": 2, "given": 3, "name": 4, "born": 5, "gender": 6, "ethnicity": 7, "religion": 8,
            "cid": 9, "admitted": 10, "ceremony": 11, "official": 12, "note": 13}
    end = r.people(ws, people, 4, keys, {})
    for p in people:
        for col in (5, 12):
            ws.cell(row=p.row, column=col).number_format = DATE_FORMAT
    r.put(ws, end, 1, "Tổng cộng")
    r.put(ws, end, 4, f'=COUNTA(D4:D{end - 1})&" đồng chí"')
    case("CB-PC16_2022-Q3.xlsx", "formulas with cached values: `Họ và tên` = family & given name, `STT` = "
         "ROW(), birth and official dates by DATE(); a `Tổng cộng` row with COUNTA; no issue",
         unit="CB-PC16", roster=r)

    # ---- PC17: macro-enabled .xlsm --------------------------------------------------------------------
    rng = R("PC17")
    r = Roster().template("CB-PC17", [official_member(rng) for _ in range(3)] +
                          [admitted_member(rng, dt.date(2022, 8, 5), "Nữ")])
    case("CB-PC17_2022-Q3.xlsm", "macro-enabled workbook (.xlsm, saved by LibreOffice's VBA filter); no issue",
         fmt="xlsm", unit="CB-PC17", roster=r)

    # ---- PC18: Excel error values in required cells ------------------------------------------------------
    rng = R("PC18")
    ref = official_member(rng, "Nam", admitted=None, cells={"admitted": "=#REF!"},
                          expect=[("EXCEL_ERROR", "admitted")])
    div = official_member(rng, "Nữ", cells={"born": "=1/0"}, expect=[("EXCEL_ERROR", "born")])
    div.born = None
    r = Roster().template("CB-PC18", [official_member(rng), ref, official_member(rng), div])
    case("CB-PC18_2022-Q3.xlsx", "formula errors in required cells: `#REF!` in `Ngày vào Đảng`, `#DIV/0!` in "
         "`Ngày sinh`: one EXCEL_ERROR each; the people still count", unit="CB-PC18", roster=r)

    # ---- PC19: .ods, grouped two-row header whose second row holds the column names ---------------------
    rng = R("PC19")
    people = [official_member(rng) for _ in range(3)] + [recognized_member(rng, "Nữ")]
    r = Roster()
    r.info(code="CB-PC19", name=UNIT_NAMES["CB-PC19"], year=None, quarter=None)
    ws = r.sheet("Đảng viên")
    r.put(ws, 1, 1, "DANH SÁCH ĐẢNG VIÊN")
    r.put(ws, 2, 1, "STT")
    _merge(ws, "A2:A3")
    r.put(ws, 2, 2, "Sơ yếu lý lịch")
    _merge(ws, "B2:G2")
    r.put(ws, 2, 8, "Quá trình vào Đảng")
    _merge(ws, "H2:J2")
    r.put(ws, 2, 11, "Ghi chú")
    _merge(ws, "K2:K3")
    for j, text in enumerate(["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Tôn giáo", "Số CCCD",
                              "Ngày vào Đảng", "Ngày kết nạp", "Ngày chính thức"], start=2):
        r.put(ws, 3, j, text)
    keys = {"stt": 1, "name": 2, "born": 3, "gender": 4, "ethnicity": 5, "religion": 6, "cid": 7, "admitted": 8,
            "ceremony": 9, "official": 10, "note": 11}
    r.people(ws, people, 4, keys, {})
    case("CB-PC19_2022-Q3.ods", "OpenDocument .ods; headers grouped under merged `Sơ yếu lý lịch` / `Quá trình "
         "vào Đảng`; Thông tin without Năm/Quý, period `2022-Q3` from the file name; no issue",
         fmt="ods", unit="CB-PC19", roster=r)

    # ---- PC20: two submissions; the later `Ngày lập` wins even when the other file is newer on disk -----
    rng = R("PC20")
    people = [official_member(rng) for _ in range(4)]
    late = admitted_member(rng, dt.date(2022, 9, 9))
    r = Roster().template("CB-PC20", people, created=dt.date(2022, 10, 3))
    case("CB-PC20_2022-Q3.xlsx", "first submission (`Ngày lập` 03/10/2022), newer on disk: superseded, "
         "DUPLICATE_SUBMISSION", unit="CB-PC20", status="superseded", roster=r,
         file_issues=[(None, None, None, "DUPLICATE_SUBMISSION")], newer_on_disk=True)
    r = Roster().template("CB-PC20", people + [late], created=dt.date(2022, 10, 10))
    case("CB-PC20_2022-Q3 (ban sua).xlsx", "corrected submission (`Ngày lập` 10/10/2022, one member more): "
         "the one used; shares its people with the first file without any duplicate error",
         unit="CB-PC20", roster=r)

    # ---- PC21: a wrong code in Thông tin, the unit found by its name -------------------------------------
    rng = R("PC21")
    r = Roster().template("PC21", [official_member(rng) for _ in range(4)], name="Chi bộ Phòng Cảnh sát bảo vệ")
    r.issues.append(("Thông tin", 1, "Mã đơn vị", "UNIT_CODE_UNKNOWN"))
    case("DSDV PC21 gui BTC.xlsx", "`Mã đơn vị` written `PC21` (not in the register): unit found from "
         "`Tên đơn vị`, UNIT_CODE_UNKNOWN warning", unit="CB-PC21", roster=r)

    # ---- PC23: .ods with a formula error in a required cell ---------------------------------------------
    rng = R("PC23")
    ref = official_member(rng, "Nam", admitted=None, cells={"admitted": "=#REF!"},
                          expect=[("EXCEL_ERROR", "admitted")])
    r = Roster().template("CB-PC23", [official_member(rng), official_member(rng), ref])
    case("CB-PC23_2022-Q3.ods", "`#REF!` in `Ngày vào Đảng` of an .ods file: EXCEL_ERROR as in .xlsx",
         fmt="ods", unit="CB-PC23", roster=r)

    # ---- unknown unit code ---------------------------------------------------------------------------
    rng = R("PC99")
    r = Roster().template("CB-PC99", [official_member(rng) for _ in range(3)],
                          name="Chi bộ Phòng Cảnh sát đường thủy")
    r.members.clear()
    r.issues.append(("Thông tin", 1, "Mã đơn vị", "UNIT_UNKNOWN"))
    case("CB-PC99_2022-Q3.xlsx", "unit code `CB-PC99` and name not in the register: rejected (UNIT_UNKNOWN)",
         unit=None, status="rejected", roster=r)

    # ---- a grassroots committee sends a list of its own ----------------------------------------------------
    rng = R("DB-DS")
    r = Roster().template("DB-DS", [official_member(rng) for _ in range(3)])
    r.members.clear()
    r.issues.append(("Thông tin", 1, "Mã đơn vị", "UNIT_NOT_CELL"))
    case("DB-DS_2022-Q3.xlsx", "sent under a đảng bộ cơ sở's code: not a chi bộ, rejected (UNIT_NOT_CELL)",
         unit=None, status="rejected", roster=r)

    # ---- NS-01: shared unit name + committee in the titles; no period anywhere -----------------------------
    rng = R("NS-01")
    r = Roster()
    r.table("Đảng viên", [official_member(rng) for _ in range(3)] + [admitted_member(rng, dt.date(2022, 2, 25))],
            titles=["ĐẢNG BỘ CÔNG AN HUYỆN NGA SƠN", "CHI BỘ ĐỘI AN NINH", "DANH SÁCH ĐẢNG VIÊN"])
    case("DSDV Doi An ninh.xlsx", "`Chi bộ Đội An ninh` exists in two committees: the title naming `Công an "
         "huyện Nga Sơn` decides; no period anywhere: PERIOD_ASSUMED warning", unit="CB-NS-01", roster=r,
         file_issues=[(None, None, None, "PERIOD_ASSUMED")])

    # ---- DS-01: value outside its list, required value missing ----------------------------------------------
    rng = R("DS-01")
    kihn = official_member(rng, "Nam", cells={"ethnicity": "Kihn"}, expect=[("BAD_VALUE", "ethnicity")])
    kihn.ethnicity = None
    nog = official_member(rng, "Nữ", expect=[("REQUIRED_MISSING", "gender")])
    nog.gender = None
    r = Roster().template("CB-DS-01", [official_member(rng), kihn, official_member(rng), nog])
    case("CB-DS-01_2022-Q3.xlsx", "`Dân tộc` = `Kihn` (BAD_VALUE, suggests Kinh); `Giới tính` empty "
         "(REQUIRED_MISSING)", unit="CB-DS-01", roster=r)

    # ---- DS-02: unreadable dates, a row with data but no name ------------------------------------------------
    rng = R("DS-02")
    feb = official_member(rng, "Nam", cells={"born": "31/02/1990"}, expect=[("BAD_DATE", "born")])
    feb.cid, feb.born = make_cid("Nam", 1990), None
    mdy = official_member(rng, "Nam", cells={"admitted": "05/13/2015"}, expect=[("BAD_DATE", "admitted")])
    mdy.admitted, mdy.ceremony, mdy.official = None, dt.date(2015, 5, 23), dt.date(2016, 5, 30)
    nameless = official_member(rng, "Nam", expect=[("ROW_NOT_COUNTED", "name")])
    nameless.cells["name"] = None
    nameless.name = None
    r = Roster().template("CB-DS-02", [official_member(rng), feb, mdy, official_member(rng), nameless])
    r.members.remove(nameless)
    case("CB-DS-02_2022-Q3.xlsx", "`31/02/1990` and month-first `05/13/2015`: BAD_DATE; a row with data but "
         "no name: ROW_NOT_COUNTED", unit="CB-DS-02", roster=r)

    # ---- DS-03: citizen ID of 11 digits, old 9-digit CMND ---------------------------------------------------
    rng = R("DS-03")
    short = official_member(rng, "Nam", expect=[("CCCD_FORMAT", "cid")])
    short.cid = short.cid[:5] + short.cid[6:]
    old = official_member(rng, "Nữ", cid="172345678", expect=[("CCCD_OLD_CMND", "cid")])
    r = Roster().template("CB-DS-03", [official_member(rng), short, old, official_member(rng)])
    case("CB-DS-03_2022-Q3.xlsx", "`Số CCCD` of 11 digits typed as text (CCCD_FORMAT); an old 9-digit CMND "
         "(CCCD_OLD_CMND warning)", unit="CB-DS-03", roster=r)

    # ---- DS-04: citizen ID digits contradicting gender / birth year -----------------------------------------
    rng = R("DS-04")
    she = official_member(rng, "Nữ", expect=[("CCCD_MISMATCH", "cid")])
    she.cid = make_cid("Nam", she.born.year)
    year = official_member(rng, "Nam", born=dt.date(1991, 6, 14), expect=[("CCCD_MISMATCH", "cid")])
    year.cid = make_cid("Nam", 1988)
    r = Roster().template("CB-DS-04", [official_member(rng), she, year])
    case("CB-DS-04_2022-Q3.xlsx", "4th CCCD digit says male for a woman; digits 5–6 say 1988 for a man born "
         "1991: CCCD_MISMATCH warnings", unit="CB-DS-04", roster=r)

    # ---- DS-05: an empty workbook ------------------------------------------------------------------------------
    r = Roster()
    r.sheet("Sheet1")
    case("CB-DS-05_2022-Q3.xlsx", "an empty workbook: FILE_EMPTY; the unit (from the file name) is rejected",
         unit="CB-DS-05", status="rejected", roster=r, file_issues=[(None, None, None, "FILE_EMPTY")])

    # ---- DS-06: a text file renamed .xlsx ----------------------------------------------------------------------
    text = ("DANH SÁCH ĐẢNG VIÊN CHI BỘ CÔNG AN XÃ ĐÔNG TIẾN\r\n"
            "1\tPhạm Văn Khôi\t12/04/1985\tNam\r\n2\tLại Thị Vân\t03/09/1990\tNữ\r\n")
    case("CB-DS-06_2022-Q3.xlsx", "a text file renamed `.xlsx`: FILE_NOT_SPREADSHEET; the unit is rejected",
         fmt="raw", unit="CB-DS-06", status="rejected", raw=text.encode("utf-8"),
         file_issues=[(None, None, None, "FILE_NOT_SPREADSHEET")])

    # ---- NS-02: the same citizen ID twice in one file ---------------------------------------------------------
    rng = R("NS-02")
    twice = official_member(rng, "Nam", expect=[("DUPLICATE_PERSON", "cid")])
    people = [official_member(rng), twice, official_member(rng), official_member(rng, "Nữ")]
    again = Person(**{k: getattr(twice, k) for k in ("name", "gender", "born", "admitted", "ceremony", "official",
                                                     "ethnicity", "religion", "cid", "youth", "education")},
                   expect=[("DUPLICATE_PERSON", "cid")])
    r = Roster().template("CB-NS-02", people + [again])
    case("CB-NS-02_2022-Q3.xlsx", "one person listed twice (same CCCD): DUPLICATE_PERSON on both rows; counted "
         "once", unit="CB-NS-02", roster=r)

    # ---- NS-03 / NS-04: the same person in two units' files ---------------------------------------------------
    rng = R("NS-03")
    moved = official_member(rng, "Nam", name=claim("Võ Thanh Sơn"), expect=[("DUPLICATE_PERSON", "cid")],
                            note="Chuyển đến từ Đội Cảnh sát giao thông")
    r = Roster().template("CB-NS-03", [official_member(rng), official_member(rng), moved, official_member(rng)])
    case("CB-NS-03_2022-Q3.xlsx", "a member who moved to CB-NS-04 still listed here: DUPLICATE_PERSON (the "
         "other row is in CB-NS-04's file)", unit="CB-NS-03", roster=r)
    rng = R("NS-04")
    moved2 = Person(**{k: getattr(moved, k) for k in ("name", "gender", "born", "admitted", "ceremony", "official",
                                                      "ethnicity", "religion", "cid", "youth", "education")},
                    note="Chuyển đến từ Đội Cảnh sát giao thông", expect=[("DUPLICATE_PERSON", "cid")])
    r = Roster().template("CB-NS-04", [official_member(rng), moved2, official_member(rng, "Nữ")])
    case("CB-NS-04_2022-Q3.xlsx", "the same person in a second unit (moved in): DUPLICATE_PERSON on this row "
         "too; the committee counts him once", unit="CB-NS-04", roster=r)

    # ---- NS-05: dates after the end of the quarter -------------------------------------------------------------
    rng = R("NS-05")
    october = admitted_member(rng, dt.date(2022, 10, 5), ceremony=None, expect=[("ADMITTED_AFTER_PERIOD", "admitted")])
    official_late = official_member(rng, "Nữ", admitted=dt.date(2021, 8, 27), ceremony=dt.date(2021, 9, 6),
                                    official=dt.date(2022, 10, 10), expect=[("DATE_AFTER_PERIOD", "official")])
    r = Roster().template("CB-NS-05", [official_member(rng), official_member(rng), october, official_late])
    case("CB-NS-05_2022-Q3.xlsx", "`Ngày vào Đảng` 05/10/2022, after 30/09/2022: ADMITTED_AFTER_PERIOD (a "
         "warning; not counted this quarter); `Ngày chính thức` 10/10/2022: DATE_AFTER_PERIOD", unit="CB-NS-05",
         roster=r)

    # ---- NS-06: implausible ages -------------------------------------------------------------------------------
    rng = R("NS-06")
    child = Person(new_name(rng, "Nam"), "Nam", dt.date(2009, 4, 10), dt.date(2021, 5, 19), dt.date(2021, 5, 29),
                   dt.date(2022, 6, 1), expect=[("AGE_IMPLAUSIBLE", "born"), ("ADMISSION_UNDER_18", "admitted")])
    elder = Person(new_name(rng, "Nam"), "Nam", dt.date(1920, 8, 15), dt.date(1946, 5, 19), dt.date(1946, 5, 29),
                   dt.date(1947, 6, 2), expect=[("AGE_IMPLAUSIBLE", "born")])
    r = Roster().template("CB-NS-06", [official_member(rng), child, official_member(rng), elder])
    case("CB-NS-06_2022-Q3.xlsx", "born 2009 (13 at the quarter's end, so admitted at 12: AGE_IMPLAUSIBLE and "
         "ADMISSION_UNDER_18); born 1920 (102: AGE_IMPLAUSIBLE)", unit="CB-NS-06", roster=r)

    # ---- NS-07: admitted under 18 / over 60 ----------------------------------------------------------------------
    rng = R("NS-07")
    young = Person(new_name(rng, "Nam"), "Nam", dt.date(2000, 6, 10), dt.date(2018, 4, 2), dt.date(2018, 4, 12),
                   dt.date(2019, 4, 20), youth="x", expect=[("ADMISSION_UNDER_18", "admitted")])
    senior = Person(new_name(rng, "Nam"), "Nam", dt.date(1955, 2, 1), dt.date(2016, 3, 15), dt.date(2016, 3, 25),
                    dt.date(2017, 4, 3), expect=[("ADMISSION_OVER_60", "admitted")])
    r = Roster().template("CB-NS-07", [official_member(rng), young, senior, official_member(rng)])
    case("CB-NS-07_2022-Q3.xlsx", "admitted at 17 (ADMISSION_UNDER_18 error) and at 61 (ADMISSION_OVER_60 "
         "warning)", unit="CB-NS-07", roster=r)

    # ---- NS-08: probation rules ----------------------------------------------------------------------------------
    rng = R("NS-08")
    early = Person(new_name(rng, "Nam"), "Nam", dt.date(1994, 5, 2), dt.date(2021, 3, 5), dt.date(2021, 3, 15),
                   dt.date(2021, 12, 20), expect=[("OFFICIAL_TOO_EARLY", "official")])
    overdue = Person(new_name(rng, "Nữ"), "Nữ", dt.date(1995, 8, 19), dt.date(2021, 5, 10), dt.date(2021, 5, 20),
                     None, expect=[("RECOGNITION_OVERDUE", "official")])
    in_grace = Person(new_name(rng, "Nam"), "Nam", dt.date(1996, 1, 30), dt.date(2021, 9, 1), dt.date(2021, 9, 10),
                      None)
    r = Roster().template("CB-NS-08", [official_member(rng), early, overdue, in_grace])
    case("CB-NS-08_2022-Q3.xlsx", "official after 9 months of probation (OFFICIAL_TOO_EARLY); still probationary "
         "16 months after the ceremony (RECOGNITION_OVERDUE); 12 months + 20 days: no issue yet",
         unit="CB-NS-08", roster=r)

    # ---- NS-09: ceremony later than 30 working days -------------------------------------------------------------
    rng = R("NS-09")
    late = Person(new_name(rng, "Nữ"), "Nữ", dt.date(1998, 3, 3), dt.date(2022, 3, 1), dt.date(2022, 5, 16), None,
                  youth="x", expect=[("CEREMONY_LATE", "ceremony")])
    on_time = Person(new_name(rng, "Nam"), "Nam", dt.date(1997, 10, 8), dt.date(2022, 6, 1), dt.date(2022, 7, 8),
                     None, youth="x")
    r = Roster().template("CB-NS-09", [official_member(rng), official_member(rng), late, on_time])
    case("CB-NS-09_2022-Q3.xlsx", "ceremony 54 working days after the decision (CEREMONY_LATE); another 27 "
         "working days after (no issue)", unit="CB-NS-09", roster=r)

    # ---- NS-10: candidates (`QCUT` sheet): certificates and helpers ---------------------------------------------
    rng = R("NS-10")
    a, b = official_member(rng), official_member(rng)
    c = admitted_member(rng, dt.date(2022, 3, 10))
    cands = [
        candidate(rng, dt.date(2021, 10, 15), a.name, b.cid),
        candidate(rng, None, a.name, b.name, expect=[("CERT_MISSING", "cert")]),
        candidate(rng, dt.date(2017, 5, 20), b.name, expect=[("CERT_EXPIRED", "cert")]),
        candidate(rng, dt.date(2022, 6, 24), claim("Trần Văn Khoa"), c.name,
                  expect=[("HELPER_NOT_FOUND", "helper1"), ("HELPER_NOT_OFFICIAL", "helper2")]),
    ]
    r = Roster().template("CB-NS-10", [a, b, c], cands, candidate_sheet="QCUT")
    case("CB-NS-10_2022-Q3.xlsx", "candidates on a `QCUT` sheet: no certificate (CERT_MISSING), certificate of "
         "2017 (CERT_EXPIRED), helper not in the cell (HELPER_NOT_FOUND), helper still probationary "
         "(HELPER_NOT_OFFICIAL)", unit="CB-NS-10", roster=r)

    # ---- NS-11: a file cut short in transit ----------------------------------------------------------------------
    rng = R("NS-11")
    r = Roster().template("CB-NS-11", [official_member(rng) for _ in range(3)])
    r.members.clear()
    case("CB-NS-11_2022-Q3.xlsx", "an .xlsx cut short (half its bytes, as from a failed download): "
         "FILE_UNREADABLE; the unit is rejected", fmt="truncated", unit="CB-NS-11", status="rejected", roster=r,
         file_issues=[(None, None, None, "FILE_UNREADABLE")])

    # ---- NS-12: the summary report sent instead of the roster ------------------------------------------------
    r = Roster()
    ws = r.sheet("Báo cáo")
    for i, line in enumerate([["BÁO CÁO KẾT QUẢ PHÁT TRIỂN ĐẢNG VIÊN QUÝ III NĂM 2022"], [],
                              ["Nội dung", "Số lượng"], ["Tổng số đảng viên", 24], ["Kết nạp trong quý", 1],
                              ["Kết nạp từ đầu năm", 2], ["Quần chúng ưu tú", 3]], start=1):
        for j, value in enumerate(line, start=1):
            r.put(ws, i, j, value)
    case("Bao cao ket qua quy III 2022 CB-NS-12.xlsx", "the summary report sent instead of the list: no member "
         "sheet (NO_MEMBER_SHEET); the unit (code in the file name) is rejected", unit="CB-NS-12",
         status="rejected", roster=r, file_issues=[(None, None, None, "NO_MEMBER_SHEET")])


# ------------------------------------------------------------------------------------------------
# Expectations
# ------------------------------------------------------------------------------------------------
def _distinct(people) -> dict:
    """person key → Person: a 12- or 9-digit citizen ID, else the row itself (a person counts once,
    by citizen ID; a row without a usable one counts on its own)."""
    out = {}
    for p in people:
        cid = p.cid or ""
        key = cid if cid.isdigit() and len(cid) in (9, 12) else f"{p.file}#{p.sheet}#{p.row}"
        out.setdefault(key, p)
    return out


def figures(members, candidates) -> dict:
    """The report's figures from the intended data, each person once (dates the loader cannot read
    count as unknown)."""
    # Admitted after the quarter's end: not a member yet on its last day (counted next quarter).
    people = [p for p in _distinct(members).values() if p.admitted is None or p.admitted <= Q_END]

    def within(day, start, end=Q_END):
        return day is not None and start <= day <= end

    def overdue(p):
        start = p.ceremony or p.admitted
        return p.official is None and start is not None and add_months(start, 12) + dt.timedelta(days=30) < Q_END

    ytd = [p for p in people if within(p.admitted, YEAR_START)]
    oldest = add_months(Q_END, -60)
    return {
        "members": len(people),
        "probationary": sum(1 for p in people if p.official is None or p.official > Q_END),
        "admitted_quarter": sum(1 for p in people if within(p.admitted, Q_START)),
        "admitted_ytd": len(ytd),
        "recognized_quarter": sum(1 for p in people if within(p.official, Q_START)),
        "overdue": sum(1 for p in people if overdue(p)),
        "ytd_women": sum(1 for p in ytd if p.gender == "Nữ"),
        "candidates": len(candidates),
        "candidates_certified": sum(1 for c in candidates if within(c.cert, oldest)),
    }


def expected() -> dict:
    files = []
    accepted_people = []
    for c in CASES:
        r = c.roster
        issues = [{"file": c.file, "sheet": s, "row": row, "column": col, "rule": rule}
                  for s, row, col, rule in [*(r.issues if r else []), *c.file_issues]]
        issues.sort(key=lambda i: (i["sheet"] or "", i["row"] or 0, i["column"] or "", i["rule"]))
        entry = {"file": c.file, "shows": c.shows, "format": c.fmt, "unit": c.unit, "status": c.status,
                 "issues": issues, "figures": None, "rows": []}
        if c.status == "accepted":
            for p in r.members:
                p.file = c.file
            entry["figures"] = figures(r.members, r.candidates)
            entry["figures"].update(c.figures or {})
            accepted_people += r.members
            entry["rows"] = [{"sheet": p.sheet, "row": p.row, "full_name": p.name, "gender": p.gender,
                              "birth_date": p.born.isoformat() if p.born else None, "citizen_id": p.cid,
                              "ethnicity": p.ethnicity} for p in r.members if p.read]
        if c.newer_on_disk:
            entry["newer_on_disk"] = True
        files.append(entry)
    # Rolled up: a person on two cells' lists counts once for the committee.
    cells = [code for code, _, kind, *_ in REGISTER if kind.startswith("Chi bộ")]
    statuses = dict.fromkeys(cells, "missing")
    for c in CASES:
        if (c.unit in statuses and c.status in ("accepted", "superseded", "rejected")
                and (c.status == "accepted" or statuses[c.unit] != "accepted")):
            statuses[c.unit] = "accepted" if c.status in ("accepted", "superseded") else "rejected"
    unit_issues = [{"unit": u, "rule": "UNIT_MISSING" if s == "missing" else "UNIT_REJECTED"}
                   for u, s in statuses.items() if s != "accepted"]
    unresolved = sorted(c.file for c in CASES if c.unit is None)
    total = figures(accepted_people, [])
    return {
        "about": "Expected results of the real-client corpus; written by tests/data/make_corpus.py from "
                 "docs/roster-format.md and docs/rules.md. "
                 "Issues: (file, sheet, row as Excel shows it, column header as written, rule); null where the "
                 "issue is about the whole file (or, for row and column, the whole sheet).",
        "period": {"year": YEAR, "quarter": QUARTER, "start": Q_START.isoformat(), "end": Q_END.isoformat()},
        "today": "2022-10-27",
        "files": files,
        "unit_statuses": statuses,
        "unit_issues": unit_issues,
        "coverage": {
            "expected": len(cells),
            "submitted": sum(1 for s in statuses.values() if s != "missing"),
            "accepted": sum(1 for s in statuses.values() if s == "accepted"),
            "rejected": [u for u in cells if statuses[u] == "rejected"] + unresolved,
            "missing": [u for u in cells if statuses[u] == "missing"],
        },
        "root": {k: total[k] for k in ("members", "probationary", "admitted_quarter", "admitted_ytd",
                                       "recognized_quarter")},
    }


# ------------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------------
SOFFICE_TARGET = {"xlsx": "xlsx", "xls": "xls", "ods": "ods", "xlsm": 'xlsm:Calc MS Excel 2007 VBA XML',
                  "truncated": "xlsx"}


def convert(sources: list[Path], target: str, out: Path, profile: Path) -> None:
    cmd = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--calc", "--convert-to", target,
           "--outdir", str(out), *map(str, sources)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"soffice failed: {done.stderr}")


def make(expected_only: bool = False) -> None:
    build_cases()
    CORPUS.mkdir(parents=True, exist_ok=True)
    (CORPUS / "expected.json").write_text(json.dumps(expected(), ensure_ascii=False, indent=1) + "\n",
                                          encoding="utf-8")
    if expected_only:
        return
    if shutil.which("soffice") is None:
        raise SystemExit("LibreOffice (soffice) is needed to remake the corpus: apt-get install libreoffice-calc")
    write_register(CORPUS / "units.xlsx", REGISTER)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        by_fmt: dict[str, list[tuple[Case, Path]]] = {}
        for c in CASES:
            if c.fmt == "raw":
                continue
            src = tmp / "src" / c.fmt / (Path(c.file).stem + ".xlsx")
            src.parent.mkdir(parents=True, exist_ok=True)
            c.roster.wb.save(src)
            by_fmt.setdefault(c.fmt, []).append((c, src))
        for fmt, items in by_fmt.items():
            out = tmp / "out" / fmt
            convert([src for _, src in items], SOFFICE_TARGET[fmt], out, tmp / "profile")
        if INBOX.exists():
            shutil.rmtree(INBOX)
        INBOX.mkdir(parents=True)
        for c in CASES:
            target = INBOX / c.file
            if c.fmt == "raw":
                target.write_bytes(c.raw)
                continue
            ext = {"truncated": ".xlsx"}.get(c.fmt, "." + c.fmt)
            made = tmp / "out" / c.fmt / (Path(c.file).stem + ext)
            data = made.read_bytes()
            if c.fmt == "truncated":
                data = data[: len(data) // 2]
            target.write_bytes(data)
    sizes = sorted(((p.stat().st_size, p.name) for p in INBOX.iterdir()), reverse=True)
    total = sum(s for s, _ in sizes)
    print(f"{len(sizes)} files, {total / 1024:.0f} KB in all; largest {sizes[0][1]} ({sizes[0][0] / 1024:.1f} KB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--expected-only", action="store_true", help="rewrite expected.json only (no LibreOffice)")
    make(parser.parse_args().expected_only)
