"""One roster workbook → raw tables with their source rows (DOMAIN §3). The tolerances live here.

Nothing is typed or judged here beyond finding the tables: values stay as the file has them,
each table row keeps its Excel row number (`row`), and each column key keeps the header text
as written (`Table.headers`) so every later issue can point at the cell.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import re
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import issues as iss
from pipeline.normalize import YEARS, clean_text, fold, is_blank
from pipeline.tcvn3 import LATIN1_ACCENTED, ONLY_TCVN3, has_unicode_vietnamese, looks_tcvn3, maybe_tcvn3
from pipeline.tcvn3 import to_unicode as tcvn3_to_unicode

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}

# Column key → accepted header spellings, compared folded (no diacritics, lower case).
MEMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "row_number": ("stt", "tt", "so tt", "so thu tu"),
    "full_name": ("ho va ten", "ho ten", "ho va ten dang vien", "ho ten dang vien", "ho va ten khai sinh"),
    "birth_date": ("ngay sinh", "sinh ngay", "ngay, thang, nam sinh", "ngay thang nam sinh", "nam sinh", "ngay/thang/nam sinh"),
    "gender": ("gioi tinh", "gioi", "nam/nu", "nam, nu"),
    "ethnicity": ("dan toc",),
    "religion": ("ton giao",),
    "citizen_id": ("so cccd", "cccd", "so can cuoc", "so can cuoc cong dan", "so cccd/cmnd", "cccd/cmnd",
                   "so dinh danh", "so dinh danh ca nhan", "so the can cuoc"),
    "admitted_on": ("ngay vao dang", "vao dang ngay", "ngay quyet dinh ket nap", "ngay vao dang (quyet dinh)"),
    "ceremony_on": ("ngay ket nap", "ngay le ket nap", "ket nap ngay", "ngay to chuc le ket nap"),
    "official_on": ("ngay chinh thuc", "ngay cong nhan chinh thuc", "chinh thuc ngay", "ngay vao dang chinh thuc"),
    "youth_union": ("doan vien", "la doan vien", "doan vien (x)"),
    "education": ("trinh do chuyen mon", "trinh do", "chuyen mon", "trinh do chuyen mon nghiep vu"),
    "note": ("ghi chu",),
}
CANDIDATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "row_number": MEMBER_COLUMNS["row_number"],
    "full_name": MEMBER_COLUMNS["full_name"] + ("ho va ten quan chung",),
    "birth_date": MEMBER_COLUMNS["birth_date"],
    "gender": MEMBER_COLUMNS["gender"],
    "ethnicity": MEMBER_COLUMNS["ethnicity"],
    "religion": MEMBER_COLUMNS["religion"],
    "citizen_id": MEMBER_COLUMNS["citizen_id"],
    "certificate_on": ("ngay cap giay chung nhan", "ngay cap gcn", "ngay cap chung nhan", "giay chung nhan",
                       "ngay cap giay chung nhan lop bdnt ve dang", "ngay cap giay chung nhan lop cam tinh dang"),
    "helper_1": ("dang vien giup do 1", "nguoi giup do 1", "dang vien giup do thu nhat", "dang vien giup do"),
    "helper_2": ("dang vien giup do 2", "nguoi giup do 2", "dang vien giup do thu hai"),
    "youth_union": MEMBER_COLUMNS["youth_union"],
    "note": MEMBER_COLUMNS["note"],
}
# Sub-columns written under a merged header → the column they really are. (Nam/Nữ under the birth
# date is handled apart: it also gives the gender.)
SUB_COLUMNS: dict[str | None, dict[str, str]] = {
    "birth_date": {"nam": "birth_date", "nu": "birth_date"},
    "admitted_on": {"du bi": "admitted_on", "chinh thuc": "official_on", "ngay vao dang": "admitted_on"},
}
# Columns that hold dates: kept compact when every cell is a real date or blank.
DATE_KEYS = frozenset({"birth_date", "admitted_on", "ceremony_on", "official_on", "certificate_on"})
_EPOCH_DAY = dt.date(1970, 1, 1).toordinal()
_NO_DAY = np.iinfo("int64").min + _EPOCH_DAY   # → NaT
_FIRST_DAY, _LAST_DAY = dt.date(YEARS[0], 1, 1).toordinal(), dt.date(YEARS[1], 12, 31).toordinal()
MEMBER_REQUIRED = ("full_name", "birth_date", "gender", "ethnicity", "citizen_id", "admitted_on")
CANDIDATE_REQUIRED = ("full_name",)

MEMBER_SHEETS = ("dang vien", "danh sach dang vien", "ds dang vien", "dsdv", "ds dv", "danh sach")
CANDIDATE_SHEET_WORDS = ("quan chung", "qcut", "cam tinh", "nguon", "doi tuong")
INFO_SHEETS = ("thong tin", "thong tin chung", "info")
INFO_LABELS = {
    "ma don vi": "code", "ten don vi": "name", "nam": "year", "quy": "quarter",
    "ngay lap": "created_on", "nguoi lap": "created_by", "ky bao cao": "period",
    "phien ban mau": "template_version",
}
# Sheets that are ours, never a roster: the template's hidden lists, the result sheet added to a
# returned workbook (a clerk may send the returned copy back).
OWN_SHEETS = ("danh muc", "ket qua kiem tra")
# Words that start the footer under a table: totals and the signature block.
TOTAL_WORDS = ("tong cong", "cong", "tong so", "tong")
SIGNATURE_WORDS = ("t/m chi bo", "tm chi bo", "t/m chi uy", "bi thu", "pho bi thu", "nguoi lap", "nguoi lap bieu",
                   "xac nhan", "chi uy vien", "t/m dang uy")
_DATE_LINE = re.compile(r"ngay .* thang .* nam")
_ONLY_TCVN3_CHARS = re.compile("[" + re.escape("".join(sorted(ONLY_TCVN3))) + "]")
_LATIN1_ACCENTED_CHARS = re.compile("[" + re.escape("".join(sorted(LATIN1_ACCENTED))) + "]")


@dataclass
class Table:
    """One sheet's table as plain columns: the report stacks every file's columns into one frame
    (one frame per file would cost more than reading the files)."""

    sheet: str
    headers: dict[str, str]              # key → header as written in the file
    columns: dict[str, Sequence] | None  # key → raw values, one per kept row (None: typed, see rules.prepare)
    row: list[int]                       # Excel row number of each kept row
    header_row: int                      # Excel row of the (first) header row
    positions: dict[str, int] = field(default_factory=dict)  # key → column index (0 = A)

    def __len__(self) -> int:
        return len(self.row)

    @property
    def rows(self) -> pd.DataFrame:
        """The table as a frame: one object column per key + `row` (for looking at one file)."""
        return raw_frame({**self.columns, "row": self.row})


def raw_frame(data: dict[str, Sequence]) -> pd.DataFrame:
    """Columns of raw cell values → a frame that keeps them as they are (object columns: no
    guessing of types, a text column stays Python strings); `row` stays integer, a column of
    real dates (`_as_dates`) stays datetime64."""
    return pd.DataFrame({key: pd.Series(values, dtype="int64" if key == "row" else
                                        None if isinstance(values, np.ndarray) else object)
                         for key, values in data.items()})


@dataclass
class Workbook:
    """What one file holds, before it is matched to a unit and a period."""

    file: str
    path: Path
    mtime: float
    info: dict[str, object] = field(default_factory=dict)   # INFO_LABELS values → raw value
    info_rows: dict[str, int] = field(default_factory=dict)  # INFO_LABELS values → Excel row of the label
    info_sheet: str | None = None
    titles: list[str] = field(default_factory=list)          # text above the member table
    members: Table | None = None
    candidates: Table | None = None
    issues: list[iss.Issue] = field(default_factory=list)    # unit is filled in later (intake)

    @property
    def readable(self) -> bool:
        return self.members is not None


@functools.lru_cache(maxsize=8192, typed=True)
def _key(header) -> str:
    """Folded header without notes in brackets or stray marks: `Ngày sinh (dd/mm/yyyy)*` → `ngay sinh`."""
    text = fold(header)
    text = re.sub(r"\(.*?\)", "", text)
    text = re.sub(r"[*:.]+$", "", text.strip())
    return re.sub(r"\s+", " ", text).strip()


def _lookup(columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {alias: key for key, aliases in columns.items() for alias in aliases}


_LOOKUPS = {"members": _lookup(MEMBER_COLUMNS), "candidates": _lookup(CANDIDATE_COLUMNS)}


def read_workbook(path: Path, name: str | None = None) -> Workbook:
    """Read one file; problems come back as issues on the Workbook, never as exceptions."""
    path = Path(path)
    wb = Workbook(file=name or path.name, path=path, mtime=os.stat(path).st_mtime)
    problem = lambda rule, **kw: wb.issues.append(iss.make(rule, file=wb.file, **kw))  # noqa: E731
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        problem("FILE_NOT_SPREADSHEET", value=path.suffix)
        return wb
    try:
        data = path.read_bytes()  # once: calamine, the error-cell look and the sniffing share it
    except OSError as exc:
        problem("FILE_UNREADABLE", detail=exc.strerror or type(exc).__name__)
        return wb
    if not _looks_like_spreadsheet(data):
        problem("FILE_NOT_SPREADSHEET", value=path.suffix)
        return wb
    try:
        grids = _read_grids(data)
    except Exception as exc:  # calamine: zip/ole/xml errors of many types
        if _is_encrypted(data):
            problem("FILE_PROTECTED")
        else:
            problem("FILE_UNREADABLE", detail=str(exc).splitlines()[0][:120] or type(exc).__name__)
        return wb
    _restore_error_values(path, data, grids)
    _convert_tcvn3(path, grids, wb)
    if not any(any(not is_blank(v) for v in row) for grid in grids.values() for row in grid):
        problem("FILE_EMPTY")
        return wb

    names = list(grids)
    info_sheet = next((s for s in names if _key(s) in INFO_SHEETS), None)
    if info_sheet:
        wb.info_sheet = info_sheet
        wb.info, wb.info_rows = _read_info(grids[info_sheet])
    if info_sheet:
        _check_template_version(wb, info_sheet)
    data_sheets = [s for s in names if s != info_sheet and _key(s) not in OWN_SHEETS]
    cand_sheet = next((s for s in data_sheets if any(w in _key(s) for w in CANDIDATE_SHEET_WORDS)), None)
    member_sheets = [s for s in data_sheets if s != cand_sheet]
    member_sheets.sort(key=lambda s: (_key(s) not in MEMBER_SHEETS, "dang vien" not in _key(s)))

    for sheet in member_sheets:
        found = _find_table(grids[sheet], sheet, "members")
        if found is not None:
            wb.members, wb.titles = found
            break
    if wb.members is None:
        problem("NO_MEMBER_SHEET", detail=", ".join(f"\"{n}\"" for n in member_sheets) or "không có")
        return wb
    for key in MEMBER_REQUIRED:
        if key not in wb.members.headers and not (key == "gender" and "gender" in wb.members.columns):
            label = MEMBER_LABELS[key]
            problem("MISSING_COLUMN", sheet=wb.members.sheet, row=wb.members.header_row, column=label)
    if cand_sheet:
        found = _find_table(grids[cand_sheet], cand_sheet, "candidates")
        if found is not None:
            wb.candidates = found[0]
        elif any(any(not is_blank(v) for v in row) for row in grids[cand_sheet]):
            problem("MISSING_COLUMN", sheet=cand_sheet, column="Họ và tên")
    return wb


def read_workbooks(files: list[tuple[Path, str]]) -> list[Workbook]:
    """read_workbook over (path, name) pairs: one task of a reading pool."""
    from pipeline.parallel import paused_gc

    with paused_gc():
        return [read_workbook(path, name) for path, name in files]


MEMBER_LABELS = {
    "full_name": "Họ và tên", "birth_date": "Ngày sinh", "gender": "Giới tính", "ethnicity": "Dân tộc",
    "religion": "Tôn giáo", "citizen_id": "Số CCCD", "admitted_on": "Ngày vào Đảng",
    "ceremony_on": "Ngày kết nạp", "official_on": "Ngày chính thức", "youth_union": "Đoàn viên",
    "education": "Trình độ chuyên môn", "note": "Ghi chú", "certificate_on": "Ngày cấp giấy chứng nhận",
    "helper_1": "Đảng viên giúp đỡ 1", "helper_2": "Đảng viên giúp đỡ 2",
}


def _read_grids(data: bytes) -> dict[str, list[list]]:
    """Every sheet of the file's bytes as a list of rows starting at A1 (row i = Excel row i + 1)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    grids = {}
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        grids[name] = sheet.to_python(skip_empty_area=False)
    return grids


def _restore_error_values(path: Path, data: bytes, grids: dict[str, list[list]]) -> None:
    """calamine reads an error cell (`#REF!`, `#DIV/0!`) as empty; put the error text back so it is
    reported, not mistaken for a blank. Only files that hold an error cell (`t="e"` in an .xlsx
    sheet's XML, `calcext:value-type="error"` in an .ods) are read a second time, for those cells.
    (.xls errors stay blank: known gap.)"""
    if path.suffix.lower() == ".ods":
        _restore_ods_errors(data, grids)
        return
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not _has_error_cells(data):
        return
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in book.worksheets:
            grid = grids.get(ws.title)
            if grid is None:
                continue
            for row in ws.iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) == "e" and cell.value is not None:
                        _put(grid, cell.row - 1, cell.column - 1, str(cell.value))
    finally:
        book.close()


def _has_error_cells(data: bytes) -> bool:
    """Whether a worksheet of this .xlsx/.xlsm holds an error cell (`t="e"` in its XML)."""
    import zipfile

    try:
        return any(b't="e"' in xml for xml in _worksheet_xml(data))
    except (ValueError, struct.error, zlib.error):
        pass
    try:  # a zip the short reader does not take (zip64, encrypted entries…): the general one
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return any(b't="e"' in zf.read(n) for n in zf.namelist()
                       if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    except (zipfile.BadZipFile, KeyError, OSError, zlib.error):
        return False


def _worksheet_xml(data: bytes):
    """Each `xl/worksheets/*.xml` of an xlsx held in `data`, uncompressed.

    A short reader of the zip's central directory (APPNOTE 4.3.12 and 4.3.7): for a small
    roster, `zipfile`'s general reader costs more than calamine's whole read of the file, and this
    look happens for every file. Anything unusual raises ValueError, and the caller uses zipfile."""
    end = data.rfind(b"PK\x05\x06")
    if end < 0:
        raise ValueError("no end of central directory")
    count, _, offset = struct.unpack_from("<HII", data, end + 10)
    if offset == 0xFFFFFFFF or count == 0xFFFF:
        raise ValueError("zip64")
    pos = offset
    for _ in range(count):
        if data[pos:pos + 4] != b"PK\x01\x02":
            raise ValueError("bad central directory entry")
        flags, method = struct.unpack_from("<HH", data, pos + 8)
        size, = struct.unpack_from("<I", data, pos + 20)
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        local, = struct.unpack_from("<I", data, pos + 42)
        name = data[pos + 46:pos + 46 + name_len]
        pos += 46 + name_len + extra_len + comment_len
        if not (name.startswith(b"xl/worksheets/") and name.endswith(b".xml")):
            continue
        if flags & 1 or method not in (0, 8) or data[local:local + 4] != b"PK\x03\x04":
            raise ValueError("encrypted, unknown method or bad local header")
        local_name, local_extra = struct.unpack_from("<HH", data, local + 26)
        start = local + 30 + local_name + local_extra
        raw = data[start:start + size]
        yield zlib.decompress(raw, -15) if method == 8 else raw


def _put(grid: list[list], r: int, c: int, value) -> None:
    while len(grid) <= r:
        grid.append([])
    grid[r].extend([""] * (c + 1 - len(grid[r])))
    grid[r][c] = value


def _restore_ods_errors(data: bytes, grids: dict[str, list[list]]) -> None:
    import xml.etree.ElementTree as ET
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            data = zf.read("content.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return
    if b'value-type="error"' not in data:
        return
    table_ns = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    calc_type = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}value-type"
    cells = (table_ns + "table-cell", table_ns + "covered-table-cell")
    for table in ET.fromstring(data).iter(table_ns + "table"):
        grid = grids.get(table.get(table_ns + "name"))
        if grid is None:
            continue
        r = 0
        for row in table.iter(table_ns + "table-row"):
            rows = int(row.get(table_ns + "number-rows-repeated", "1"))
            c = 0
            for cell in row:
                if cell.tag not in cells:
                    continue
                span = int(cell.get(table_ns + "number-columns-repeated", "1"))
                if cell.get(calc_type) == "error":
                    text = "".join(cell.itertext()).strip() or "#VALUE!"
                    for rr in range(r, r + min(rows, 1000)):
                        for cc in range(c, c + min(span, 1000)):
                            _put(grid, rr, cc, text)
                c += span
            r += rows


def _convert_tcvn3(path: Path, grids: dict[str, list[list]], wb: "Workbook") -> None:
    """Text typed in TCVN3 (.VnTime) → Unicode, in place; one warning per sheet names an example.

    A cell with a character only TCVN3 uses is converted. A cell that could be either (`Giíi tÝnh`)
    is converted when its font is a `.Vn…` font (read with openpyxl, only for such files), or, where
    fonts cannot be read (.xls, .ods), when the same sheet has sure TCVN3 cells."""
    if not _may_hold_tcvn3(grids):
        return
    from openpyxl.utils import get_column_letter

    sure: dict[str, list[tuple[int, int]]] = {}
    unsure: dict[str, list[tuple[int, int]]] = {}
    unicode_seen = False
    for sheet, grid in grids.items():
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if not isinstance(value, str):
                    continue
                if looks_tcvn3(value):
                    sure.setdefault(sheet, []).append((r, c))
                elif maybe_tcvn3(value):
                    unsure.setdefault(sheet, []).append((r, c))
                elif not unicode_seen and has_unicode_vietnamese(value):
                    unicode_seen = True
    if not sure and (not unsure or unicode_seen):
        return
    fonts = _vn_fonts(path, unsure) if unsure else None
    for sheet, grid in grids.items():
        cells = list(sure.get(sheet, []))
        if fonts is not None:
            cells += [rc for rc in unsure.get(sheet, []) if rc in fonts.get(sheet, set())]
        elif sheet in sure:
            cells += unsure.get(sheet, [])
        if not cells:
            continue
        cells.sort()
        r, c = cells[0]
        before = grid[r][c]
        for rr, cc in cells:
            grid[rr][cc] = tcvn3_to_unicode(grid[rr][cc])
        wb.issues.append(iss.make("TCVN3_CONVERTED", file=wb.file, sheet=sheet, value=before,
                                  cell=f"{get_column_letter(c + 1)}{r + 1}", detail=len(cells), after=grid[r][c]))


def _may_hold_tcvn3(grids: dict[str, list[list]]) -> bool:
    """A quick look at all of a file's text at once before the cell-by-cell one: text with no
    TCVN3-only character in any cell, or with Unicode-only Vietnamese letters in it, is never
    converted below (nearly every file today is Unicode)."""
    # Every cell at once: repr keeps printable letters as they are and writes the one unprintable
    # TCVN3 letter, the soft hyphen used for ư, as the four characters \xad.
    text = repr(list(grids.values()))
    if _ONLY_TCVN3_CHARS.search(text) or "\\xad" in text:
        return True
    return not has_unicode_vietnamese(text) and bool(_LATIN1_ACCENTED_CHARS.search(text))


def _vn_fonts(path: Path, cells: dict[str, list[tuple[int, int]]]) -> dict[str, set] | None:
    """Which of these cells are set in a `.Vn…` (TCVN3) font; None when the format has no fonts we read."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, data_only=True)
    except Exception:
        return None
    found: dict[str, set] = {}
    for sheet, wanted in cells.items():
        if sheet not in book.sheetnames:
            continue
        ws = book[sheet]
        for r, c in wanted:
            name = ws.cell(row=r + 1, column=c + 1).font.name or ""
            if name.lower().startswith(".vn"):
                found.setdefault(sheet, set()).add((r, c))
    return found


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _looks_like_spreadsheet(data: bytes) -> bool:
    """A zip (xlsx, xlsm, ods) or an OLE container (xls, encrypted xlsx) by its first bytes;
    anything else (a text or PDF renamed .xlsx) is not a spreadsheet at all."""
    return data.startswith(b"PK") or data.startswith(_OLE)


def _is_encrypted(data: bytes) -> bool:
    """An encrypted OOXML file is an OLE container holding `EncryptedPackage`."""
    return data.startswith(_OLE) and "EncryptedPackage".encode("utf-16-le") in data


def _check_template_version(wb: "Workbook", sheet: str) -> None:
    """An old template is a warning: its columns still read, but the clerk should take the new one."""
    from pipeline.template import TEMPLATE_VERSION, TEMPLATE_VERSION_LABEL, is_older, template_version

    version = template_version(wb.info)
    if version is not None and is_older(version):
        wb.issues.append(iss.make("TEMPLATE_OLD", file=wb.file, sheet=sheet, column=TEMPLATE_VERSION_LABEL,
                                  row=wb.info_rows.get("template_version"), value=version, detail=TEMPLATE_VERSION))


def _read_info(grid: list[list]) -> tuple[dict[str, object], dict[str, int]]:
    """label → value, and label → Excel row of the label (so issues about it can point there)."""
    info: dict[str, object] = {}
    rows: dict[str, int] = {}
    for r, row in enumerate(grid[:50]):
        cells = [v for v in row]
        for j, cell in enumerate(cells):
            label = INFO_LABELS.get(_key(cell))
            if label and label not in info:
                rows.setdefault(label, r + 1)
                value = next((v for v in cells[j + 1:] if not is_blank(v)), None)
                if value is not None:
                    info[label] = value
                break
    return info, rows


def _find_table(grid: list[list], sheet: str, kind: str):
    """Locate the header row (a row naming the full-name column) → (Table, title texts) or None.
    `kind`: "members" or "candidates"."""
    lookup = _LOOKUPS[kind]
    width = max((len(r) for r in grid), default=0)
    for h, row in enumerate(grid[:40]):
        keys = [_key(v) for v in row]
        if not any(lookup.get(k) == "full_name" for k in keys):
            continue
        titles = [t for r in grid[:h] for t in (clean_text(v) for v in r) if t]
        return _table(grid, sheet, h, width, kind), titles
    return None


@dataclass(frozen=True)
class _Layout:
    """What a header says: which column holds which key, as written, and whether a second
    header row (merged titles over sub-columns) sits under it."""

    columns: dict[int, str]       # column index → key
    headers: dict[str, str]       # key → header as written
    positions: dict[str, int]     # key → column index
    gender_cols: dict[int, str]   # Nam/Nữ sub-columns under Ngày sinh → gender
    two_rows: bool


def _table(grid, sheet, h, width, kind: str) -> Table:
    top = tuple(grid[h]) + ("",) * (width - len(grid[h]))
    sub = tuple(grid[h + 1]) + ("",) * (width - len(grid[h + 1])) if h + 1 < len(grid) else ("",) * width
    looks_like_data = any(isinstance(v, (int, float, dt.date)) and not isinstance(v, bool) for v in sub)
    # Nearly every file has the template's header: its layout is worked out once.
    layout = _layout(top, None if looks_like_data else sub, kind)
    columns, gender_cols, two_rows = layout.columns, layout.gender_cols, layout.two_rows
    headers, positions = dict(layout.headers), dict(layout.positions)
    kept = _body_rows(grid, h + (2 if two_rows else 1))
    rows = [grid[i] for i in kept]
    if any(len(r) < width for r in rows):
        rows = [list(r) + [""] * (width - len(r)) for r in rows]
    transposed = list(zip(*rows)) if rows else [()] * width
    data: dict[str, Sequence] = {key: transposed[j] for j, key in columns.items()}
    if gender_cols:
        births, genders, birth_cols, conflicts = [], [], [], []
        for r in rows:
            filled = [(j, g) for j, g in gender_cols.items() if not is_blank(r[j])]
            births.append(r[filled[0][0]] if filled else "")
            genders.append(filled[0][1] if filled else "")
            birth_cols.append(filled[0][0] if filled else None)
            conflicts.append(len(filled) > 1)
        data.update(birth_date=births, gender=genders, _birth_col=birth_cols, _gender_conflict=conflicts)
        headers.setdefault("gender", headers["birth_date"])
    for key in DATE_KEYS.intersection(data):
        data[key] = _as_dates(data[key])
    return Table(sheet=sheet, headers=headers, columns=data, row=[i + 1 for i in kept], header_row=h + 1,
                 positions=positions)


def _as_dates(values: Sequence) -> Sequence:
    """A column of real Excel dates and blanks → datetime64 (NaT for a blank): one number a cell
    instead of a Python object, which is what makes sending many files' rows between processes
    cheap. Any other column (a date typed as text, a number, a year out of YEARS) stays as it is,
    to be judged later."""
    try:
        days = [_NO_DAY if v == "" else v.toordinal() for v in values]
    except AttributeError:  # a cell that is not a date
        return values
    known = [d for d in days if d != _NO_DAY]
    if not known or min(known) < _FIRST_DAY or max(known) > _LAST_DAY:
        return values
    return (np.array(days, dtype="int64") - _EPOCH_DAY).astype("datetime64[D]")


@functools.lru_cache(maxsize=256)
def _layout(top: tuple, sub: tuple | None, kind: str) -> _Layout:
    """The header row `top` and, unless the next row holds data, that next row `sub`."""
    lookup = _LOOKUPS[kind]
    width = len(top)
    sub = sub if sub is not None else ("",) * width
    # A second header row: its non-empty cells are header words (Nam/Nữ, known headers, or
    # sub-columns under a merged title), not data.
    sub_keys = [_key(v) for v in sub]
    tops, carried = [], ""
    for v in top:
        carried = clean_text(v) or carried
        tops.append(lookup.get(_key(carried)))
    two_rows = (any(k in SUB_COLUMNS.get(tops[j], {}) for j, k in enumerate(sub_keys))
                or sum(1 for k in sub_keys if k in lookup) >= 2)
    columns: dict[int, str] = {}
    headers: dict[str, str] = {}
    gender_cols: dict[int, str] = {}
    positions: dict[str, int] = {}
    carried = ""
    for j in range(width):
        top_text = clean_text(top[j]) or ""
        if top_text:
            carried = top_text
        sub_text = clean_text(sub[j]) if two_rows else None
        if two_rows and sub_text and _key(sub_text) in ("nam", "nu") and lookup.get(_key(carried)) == "birth_date":
            gender_cols[j] = "Nam" if _key(sub_text) == "nam" else "Nữ"
            positions.setdefault("birth_date", j)
            headers.setdefault("birth_date", carried)
            continue
        header = top_text
        key = lookup.get(_key(top_text))
        sub_of = SUB_COLUMNS.get(lookup.get(_key(carried)), {})
        if two_rows and sub_text and _key(sub_text) in sub_of:
            key, header = sub_of[_key(sub_text)], f"{carried} ({sub_text})"
        elif two_rows and sub_text and (key is None or _key(sub_text) in lookup):
            sub_key = lookup.get(_key(sub_text))
            if sub_key:
                key, header = sub_key, sub_text
        if key and key not in headers and key != "row_number":
            columns[j] = key
            headers[key] = header
            positions[key] = j
    return _Layout(columns=columns, headers=headers, positions=positions, gender_cols=gender_cols, two_rows=two_rows)


def _body_rows(grid: list[list], first: int) -> list[int]:
    """Indexes of the rows under the header that hold people: no blank rows, total rows or the
    signature block (DOMAIN §3).

    A row that starts with a running number (STT) and has three cells or more is a person's row
    and is kept without a closer look: that is nearly every row, and looking closer (folding
    every cell) would cost more than reading the file. Every other row is looked at."""
    kept: list[int] = []
    in_footer = False
    for i in range(first, len(grid)):
        row = grid[i]
        filled = len(row) - row.count("")
        if not filled:
            continue
        head = row[0]
        if filled >= 3 and (type(head) is float or type(head) is int):
            kept.append(i)
            continue
        cells = [v for v in row if not is_blank(v)]
        if not cells:
            continue
        texts = [fold(v) for v in cells]
        if any(t in SIGNATURE_WORDS or _DATE_LINE.search(t) for t in texts):
            in_footer = True
        first_text = texts[0]
        if first_text in TOTAL_WORDS or first_text.startswith(("tong cong", "tong so")):
            continue
        if in_footer and len(cells) <= 2:
            continue
        # A row holding only a running number (STT pre-filled in an empty template) is blank.
        if len(cells) == 1 and isinstance(cells[0], (int, float)):
            continue
        kept.append(i)
    return kept
