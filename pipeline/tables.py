"""Finding a roster table in a sheet's grid: the header row, what each column is, and the rows
that hold people. The tolerances for real files' layouts live here.

Nothing is typed or judged beyond finding the table: values stay as the file has them (a column
of real Excel dates becomes datetime64, nothing else), each kept row keeps its Excel row number,
and each column key keeps its header as written, so every later issue can point at the cell.
The columns and their accepted spellings are `pipeline.contract`'s.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.contract import CANDIDATE_COLUMNS, DATE_KEYS, MEMBER_COLUMNS, SUB_COLUMNS, Column
from pipeline.normalize import YEARS, clean_text, fold, is_blank

# Days since 1970-01-01, as datetime64[D] counts them: a blank is NaT (the smallest int64).
_EPOCH_DAY = dt.date(1970, 1, 1).toordinal()
_NO_DAY = np.iinfo("int64").min
_FIRST_DAY, _LAST_DAY = (dt.date(YEARS[0], 1, 1).toordinal() - _EPOCH_DAY,
                         dt.date(YEARS[1], 12, 31).toordinal() - _EPOCH_DAY)
# How far down a sheet the header row is looked for.
HEADER_SEARCH_ROWS = 40
# Words that start the footer under a table: totals and the signature block (folded).
TOTAL_WORDS = ("tong cong", "cong", "tong so", "tong")
SIGNATURE_WORDS = ("t/m chi bo", "tm chi bo", "t/m chi uy", "bi thu", "pho bi thu", "nguoi lap", "nguoi lap bieu",
                   "xac nhan", "chi uy vien", "t/m dang uy")
_DATE_LINE = re.compile(r"ngay .* thang .* nam")


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
    # Grid index of another table's header row found under this one (a candidate list written
    # below the members on the same sheet): this table ends above it. None: none found.
    next_header: int | None = None

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


@functools.lru_cache(maxsize=8192, typed=True)
def header_key(header) -> str:
    """Folded header without notes in brackets or stray marks: `Ngày sinh (dd/mm/yyyy)*` → `ngay sinh`."""
    text = fold(header)
    text = re.sub(r"\(.*?\)", "", text)
    text = re.sub(r"[*:.]+$", "", text.strip())
    return re.sub(r"\s+", " ", text).strip()


def _lookup(columns: tuple[Column, ...]) -> dict[str, str]:
    return {alias: c.key for c in columns for alias in c.aliases}


_LOOKUPS = {"members": _lookup(MEMBER_COLUMNS), "candidates": _lookup(CANDIDATE_COLUMNS)}
_ANY_HEADER = _LOOKUPS["members"] | _LOOKUPS["candidates"]


def find_table(grid: list[list], sheet: str, kind: str, start: int = 0) -> tuple[Table, list[str]] | None:
    """Locate the header row (a row naming the full-name column) at or below grid row `start` →
    (Table, title texts above it) or None. `kind`: "members" or "candidates"."""
    lookup = _LOOKUPS[kind]
    width = max((len(r) for r in grid), default=0)
    for h in range(start, min(len(grid), start + HEADER_SEARCH_ROWS)):
        keys = [header_key(v) for v in grid[h]]
        if not any(lookup.get(k) == "full_name" for k in keys):
            continue
        titles = [t for r in grid[start:h] for t in (clean_text(v) for v in r) if t]
        return _table(grid, sheet, h, width, kind), titles
    return None


def _is_header_row(cells: list) -> bool:
    """A row naming the full-name column and at least one other known column: the header of a
    table, never a person."""
    keys = {key for v in cells if isinstance(v, str) for key in [_ANY_HEADER.get(header_key(v))] if key}
    return "full_name" in keys and len(keys) >= 2


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
    kept, next_header = _body_rows(grid, h + (2 if two_rows else 1), positions.get("full_name"))
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
                 positions=positions, next_header=next_header)


def _as_dates(values: Sequence) -> Sequence:
    """A column of real Excel dates and blanks → datetime64 (NaT for a blank): one number a cell
    instead of a Python object, which is what makes sending many files' rows between processes
    cheap. Any other column (a date typed as text, a number, a year out of YEARS) stays as it is,
    to be judged later."""
    try:
        days = [_NO_DAY if v == "" else v.toordinal() - _EPOCH_DAY for v in values]
    except AttributeError:  # a cell that is not a date
        return values
    known = [d for d in days if d != _NO_DAY]
    if not known or min(known) < _FIRST_DAY or max(known) > _LAST_DAY:
        return values
    return np.array(days, dtype="datetime64[D]")


@functools.lru_cache(maxsize=256)
def _layout(top: tuple, sub: tuple | None, kind: str) -> _Layout:
    """The header row `top` and, unless the next row holds data, that next row `sub`."""
    lookup = _LOOKUPS[kind]
    width = len(top)
    sub = sub if sub is not None else ("",) * width
    # A second header row: its non-empty cells are header words (Nam/Nữ, known headers, or
    # sub-columns under a merged title), not data.
    sub_keys = [header_key(v) for v in sub]
    tops, carried = [], ""
    for v in top:
        carried = clean_text(v) or carried
        tops.append(lookup.get(header_key(carried)))
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
        if two_rows and sub_text and header_key(sub_text) in ("nam", "nu") and lookup.get(header_key(carried)) == "birth_date":
            gender_cols[j] = "Nam" if header_key(sub_text) == "nam" else "Nữ"
            positions.setdefault("birth_date", j)
            headers.setdefault("birth_date", carried)
            continue
        header = top_text
        key = lookup.get(header_key(top_text))
        sub_of = SUB_COLUMNS.get(lookup.get(header_key(carried)), {})
        if two_rows and sub_text and header_key(sub_text) in sub_of:
            key, header = sub_of[header_key(sub_text)], f"{carried} ({sub_text})"
        elif two_rows and sub_text and (key is None or header_key(sub_text) in lookup):
            sub_key = lookup.get(header_key(sub_text))
            if sub_key:
                key, header = sub_key, sub_text
        if key and key not in headers and key != "row_number":
            columns[j] = key
            headers[key] = header
            positions[key] = j
    return _Layout(columns=columns, headers=headers, positions=positions, gender_cols=gender_cols, two_rows=two_rows)


def _body_rows(grid: list[list], first: int, name_col: int | None) -> tuple[list[int], int | None]:
    """Indexes of the rows under the header that hold people — no blank rows, section headings
    ("I. ĐẢNG VIÊN CHÍNH THỨC"), total rows or the signature block (docs/roster-format.md) — and
    the index of another table's header row if one starts below (the table ends there).

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
        if _is_header_row(cells):
            # A second table on the sheet; a title line just above it is its own, not a person.
            if kept and kept[-1] == i - 1 and _is_heading(grid[i - 1], name_col):
                kept.pop()
            return kept, i
        texts = [fold(v) for v in cells]
        if any(t in SIGNATURE_WORDS or _DATE_LINE.search(t) for t in texts):
            in_footer = True
        first_text = texts[0]
        if first_text in TOTAL_WORDS or first_text.startswith(("tong cong", "tong so")):
            continue
        if in_footer and len(cells) <= 2:
            continue
        if _is_heading(row, name_col):
            continue
        # A row holding only a running number (STT pre-filled in an empty template) is blank.
        if len(cells) == 1 and isinstance(cells[0], (int, float)):
            continue
        kept.append(i)
    return kept, None


_SECTION = re.compile(r"^(?:[ivx]+|[a-z]|\d{1,2})\s*[.)/-]\s*\S")


def _is_heading(row: list, name_col: int | None) -> bool:
    """A section heading or a title inside the table: one text cell, outside the name column,
    numbered like a section ("I.", "II.", "A.", "1.") or written in capitals. (A lone name in the
    name column stays a person's row, to be reported, never dropped.)"""
    filled = [(j, v) for j, v in enumerate(row) if not is_blank(v)]
    if len(filled) != 1:
        return False
    j, value = filled[0]
    if not isinstance(value, str) or j == name_col:
        return False
    text = clean_text(value) or ""
    letters = [ch for ch in text if ch.isalpha()]
    return bool(_SECTION.match(fold(text))) and len(letters) >= 3 or (len(letters) >= 3 and text.upper() == text)
