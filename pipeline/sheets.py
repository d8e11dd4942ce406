"""One file's bytes → its sheets as grids of cell values, or the reason it cannot be read.

What the file really is and whether it may be read within the limits is `pipeline.sniff`'s (its
bytes, never its name). Here it is read once into memory with calamine (xlsx, xlsm, xlsb, xls,
ods; an .xlsx as the look's copy with its parts already unpacked, `sniff.Sniffed.stored`), each
sheet's extent checked again before its values become Python objects (the only check
an .xls gets), text longer than a cell may hold cut, and the error values (`#REF!`)
calamine reads as empty put back. The tables in the grids are found by `pipeline.tables`;
nothing here looks at what the cells mean.
"""

from __future__ import annotations

import contextlib
import errno
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree as SafeTree
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, XmlError, ZipError

from pipeline import rulebook, sniff
from pipeline.config import DEFAULT_LIMITS, LimitSettings
from pipeline.rulebook import Issue

Grids = dict[str, list[list]]   # sheet name → rows from A1 (row i is Excel row i + 1)


@dataclass
class Loaded:
    """What one file gave: its grids (None when it cannot be read) and the issues on the way;
    the format it really is, and its formula cells saved without a computed value (sheet →
    (row, column) from 0: calamine reads them as empty, `roster` says why)."""

    grids: Grids | None
    issues: list[Issue]
    kind: str | None = None
    uncalculated: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


class _Refused(Exception):
    def __init__(self, refusal: sniff.Refusal):
        self.refusal = refusal


def load_grids(path: Path, file: str, limits: LimitSettings = DEFAULT_LIMITS) -> Loaded:
    """Every sheet of the file at `path` (named `file` in issues), or None and why not. A file
    over a limit costs no more than its look (`sniff`); nothing here raises for a bad file."""
    def refused(refusal: sniff.Refusal) -> Loaded:
        return Loaded(None, [rulebook.make(refusal.rule, file=file, **refusal.fields)])

    try:
        size = path.stat().st_size
        too_big = sniff.file_too_large(size, limits)
        if too_big:
            return refused(too_big.refusal)
        cap = limits.max_file_mb * sniff.MB + 1   # a file still growing is not read past the limit
        with open(path, "rb") as fh:  # once: the sniffing, calamine and the error-cell look share it
            # As much as the disk said and a byte more, so that a buffer the size of the limit is
            # not made for every file; only a file that grew since is read on, to the limit.
            data = fh.read(min(size + 1, cap))
            if len(data) == size + 1 and len(data) < cap:
                data += fh.read(cap - len(data))
    except OSError as exc:
        return refused(sniff.Refusal("FILE_UNREADABLE", {"detail": _os_words(exc)}))
    try:
        found = sniff.sniff(data, path.suffix, limits)
    except Exception:  # noqa: BLE001  a shape the look did not foresee: the file is refused, the run goes on
        return refused(sniff.Refusal("FILE_UNREADABLE", {"detail": "không nhận ra được cấu trúc của tệp"}))
    if found.refusal:
        return refused(found.refusal)
    try:
        grids = _read_grids(found.stored or data, limits)   # the parts the look unpacked, not unpacked again
    except _Refused as exc:
        return refused(exc.refusal)
    except PasswordError:
        return refused(sniff.Refusal("FILE_PROTECTED"))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: B036  calamine's errors, and a Rust panic (pyo3 raises a BaseException)
        return refused(sniff.Refusal("FILE_UNREADABLE", {"detail": _calamine_words(exc)}))
    issues = _cut_long_text(grids, limits.max_cell_chars, file) if found.long_parts or found.kind == "xls" else []
    if found.error_cells:  # a second reader refusing what calamine read leaves the errors blank
        with contextlib.suppress(Exception):
            _restore_error_values(data, found.kind, grids)
    return Loaded(grids, issues, found.kind, found.uncalculated)


def _os_words(exc: OSError) -> str:
    """Why the file could not be read from the disk, in the clerk's words."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "không có quyền đọc tệp này"
    if exc.errno == errno.ENOENT:
        return "tệp đã bị xóa hoặc chuyển đi trong lúc đọc"
    if exc.errno == errno.EISDIR:
        return "đây là một thư mục"
    return "lỗi khi đọc tệp trên đĩa"


def _calamine_words(exc: BaseException) -> str:
    """What calamine's failure says about the file, in the clerk's words (its own text is English
    and technical, so it is not shown)."""
    if isinstance(exc, ZipError):
        return "tệp nén bên trong bảng tính bị hỏng"
    if isinstance(exc, XmlError):
        return "nội dung XML bên trong bảng tính bị hỏng"
    if isinstance(exc, CalamineError):
        return "nội dung bảng tính bị hỏng hoặc không đúng cấu trúc"
    return "nội dung bảng tính bị hỏng"


def _read_grids(data: bytes, limits: LimitSettings) -> Grids:
    """Every sheet of the file's bytes as a list of rows starting at A1 (row i = Excel row i + 1).

    Each sheet's extent is checked before its values are made Python objects, and the cells of
    every sheet added up: for an .xls this is the only check (`sniff` measured the others before
    calamine saw them)."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    grids = {}
    cells = 0
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        end = sheet.end
        rows, columns = (end[0] + 1, end[1] + 1) if end else (0, 0)
        cells += rows * columns
        over = sniff.extent_refusal(name, rows, columns, limits) or sniff.cells_refusal(cells, limits)
        if over:
            raise _Refused(over.refusal)
        grids[name] = sheet.to_python(skip_empty_area=False)
    return grids


def _cut_long_text(grids: Grids, limit: int, file: str) -> list[Issue]:
    """Text longer than `limit` characters cut to it, one warning per sheet naming the first cell.

    Cut, not refused: no office suite writes such a cell (Excel's own limit is 32,767), so it is a
    pasted or generated block, most likely in a note; the rest of the row, and the cell's figures,
    are still good. Refusing the file would cost the cell its figures for one note."""
    issues = []
    for sheet, grid in grids.items():
        first, count = None, 0
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if value.__class__ is str and len(value) > limit:
                    if first is None:
                        first = (r, c, value[:60] + "…")
                    row[c] = value[:limit]
                    count += 1
        if first:
            r, c, shown = first
            issues.append(rulebook.make("CELL_TOO_LONG", file=file, sheet=sheet, row=r + 1,
                                        cell=f"{get_column_letter(c + 1)}{r + 1}", value=shown,
                                        detail=f"{count} ô dài hơn giới hạn {sniff._number(limit)} ký tự"))
    return issues


def _restore_error_values(data: bytes, kind: str, grids: Grids) -> None:
    """calamine reads an error cell (`#REF!`, `#DIV/0!`) as empty; put the error text back so it is
    reported, not mistaken for a blank. Only files that hold an error cell (`t="e"` in an .xlsx
    sheet's XML, `calcext:value-type="error"` in an .ods: `sniff` saw it) are read a second time,
    for those cells. (.xls and .xlsb errors stay blank: known gap.)"""
    if kind == "ods":
        _restore_ods_errors(data, grids)
        return
    if kind != "xlsx":
        return
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
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


def _put(grid: list[list], r: int, c: int, value) -> None:
    while len(grid) <= r:
        grid.append([])
    grid[r].extend([""] * (c + 1 - len(grid[r])))
    grid[r][c] = value


# Error cells put back in one .ods at most (a real file has a few; the rest stay blank).
_ODS_ERROR_CELLS = 100_000


def _restore_ods_errors(data: bytes, grids: Grids) -> None:
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
    budget = _ODS_ERROR_CELLS
    for table in SafeTree.fromstring(data, forbid_dtd=True).iter(table_ns + "table"):
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
                if cell.get(calc_type) == "error" and budget > 0:
                    text = "".join(cell.itertext()).strip() or "#VALUE!"
                    for rr in range(r, r + min(rows, 1000)):
                        for cc in range(c, c + min(span, 1000)):
                            _put(grid, rr, cc, text)
                    budget -= min(rows, 1000) * min(span, 1000)
                c += span
            r += rows
