"""One file's bytes → its sheets as grids of cell values, or the reason it cannot be read.

What identifies a spreadsheet (its first bytes), reading it once into memory with calamine
(xlsx, xlsm, xls, ods), and putting back the error values (`#REF!`) calamine reads as empty. The
tables in the grids are found by `pipeline.tables`; nothing here looks at what the cells mean.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from pipeline import rulebook
from pipeline.rulebook import Issue

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}

Grids = dict[str, list[list]]   # sheet name → rows from A1 (row i is Excel row i + 1)


def load_grids(path: Path, file: str) -> tuple[Grids | None, list[Issue]]:
    """Every sheet of the file at `path` (named `file` in issues), or None and why not."""
    def problem(rule: str, **kw) -> tuple[None, list[Issue]]:
        return None, [rulebook.make(rule, file=file, **kw)]

    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        return problem("FILE_NOT_SPREADSHEET", value=path.suffix)
    try:
        data = path.read_bytes()  # once: calamine, the error-cell look and the sniffing share it
    except OSError as exc:
        return problem("FILE_UNREADABLE", detail=exc.strerror or type(exc).__name__)
    if not _looks_like_spreadsheet(data):
        return problem("FILE_NOT_SPREADSHEET", value=path.suffix)
    try:
        grids = _read_grids(data)
    except Exception as exc:  # calamine: zip/ole/xml errors of many types
        if _is_encrypted(data):
            return problem("FILE_PROTECTED")
        return problem("FILE_UNREADABLE", detail=str(exc).splitlines()[0][:120] or type(exc).__name__)
    _restore_error_values(path, data, grids)
    return grids, []


def _read_grids(data: bytes) -> Grids:
    """Every sheet of the file's bytes as a list of rows starting at A1 (row i = Excel row i + 1)."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    grids = {}
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        grids[name] = sheet.to_python(skip_empty_area=False)
    return grids


def _restore_error_values(path: Path, data: bytes, grids: Grids) -> None:
    """calamine reads an error cell (`#REF!`, `#DIV/0!`) as empty; put the error text back so it is
    reported, not mistaken for a blank. Only files that hold an error cell (`t="e"` in an .xlsx
    sheet's XML, `calcext:value-type="error"` in an .ods) are read a second time, for those cells.
    (.xls errors stay blank: known gap.)"""
    if path.suffix.lower() == ".ods":
        _restore_ods_errors(data, grids)
        return
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not _has_error_cells(data):
        return
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
    for table in ElementTree.fromstring(data).iter(table_ns + "table"):
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


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _looks_like_spreadsheet(data: bytes) -> bool:
    """A zip (xlsx, xlsm, ods) or an OLE container (xls, encrypted xlsx) by its first bytes;
    anything else (a text or PDF renamed .xlsx) is not a spreadsheet at all."""
    return data.startswith(b"PK") or data.startswith(_OLE)


def _is_encrypted(data: bytes) -> bool:
    """An encrypted OOXML file is an OLE container holding `EncryptedPackage`."""
    return data.startswith(_OLE) and "EncryptedPackage".encode("utf-16-le") in data
