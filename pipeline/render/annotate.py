"""A cell's own workbook returned to it, annotated: every issue's cell filled and commented, and
a result sheet listing them all. The original submission is only read; the words of the returned
workbook live here.

The copy holds the sender's values, never anything that acts when it is opened: a formula comes
back as the value it last showed (or, with none, as its text); links to other workbooks, names
that compute and links out of the workbook are left out; text that looks like a formula
(`=HYPERLINK(…)`, in a cell or quoted by an issue) is written as text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from python_calamine import CalamineWorkbook

from pipeline.contract import RESULT_SHEET
from pipeline.files import atomic_path
from pipeline.normalize import fold
from pipeline.rulebook import ERROR, SEVERITY_VI

# Author of the comments we add: how a later run recognises (and replaces) its own notes.
COMMENT_AUTHOR = "Kiểm tra tự động"
# Excel's own light red and light yellow: errors and warnings, the same in the PDF.
FILLS = {ERROR: "FFC7CE", "warning": "FFEB9C"}
RESULT_HEADERS = ["Mức độ", "Trang", "Ô", "Dòng", "Cột", "Giá trị", "Nội dung và cách sửa"]
RESULT_WIDTHS = [10, 16, 7, 7, 20, 20, 75]
# Suffixes openpyxl opens; the others (.xls, .ods) are rebuilt from their values.
OPENPYXL_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
REBUILT_SUFFIXES = (".xls", ".ods", ".xlsb")


def annotate_workbook(source: Path, target: Path, issues: list[dict]) -> Path | None:
    """Copy the unit's workbook to `target` (.xlsx) with every issue marked; None if unopenable.

    The source is only read. Each issue with a known cell (or row) fills that cell light red
    (error) or light yellow (warning) and adds a comment with the message — one comment per cell,
    listing every issue on it. The sheet "Kết quả kiểm tra", added last and shown first, lists all
    of them, file-level ones included.
    """
    wb, titles = _open_copy(Path(source))
    if wb is None:
        return None
    _remove_previous_annotations(wb)
    _inert(wb, Path(source))

    placed: list[tuple[dict, str | None, str | None]] = []   # issue, sheet title, cell ref
    by_cell: dict[tuple[str, str], list[dict]] = {}
    for issue in issues:
        title = titles.get(issue.get("sheet"))
        ref = _locate(wb[title], issue) if title else None
        placed.append((issue, title, ref))
        if ref:
            by_cell.setdefault((title, ref), []).append(issue)

    for (title, ref), found in by_cell.items():
        cell = wb[title][ref]
        worst = ERROR if any(i["severity"] == ERROR for i in found) else "warning"
        cell.fill = PatternFill("solid", fgColor=FILLS[worst])
        lines = [f"{SEVERITY_VI.get(i['severity'], i['severity'])}: {i['message']}" for i in found]
        text = "\n\n".join(lines)
        if cell.comment is not None:  # the clerk's own note stays, ours follows it
            text = f"{cell.comment.text}\n\n{text}"
        comment = Comment(text, COMMENT_AUTHOR)
        comment.width = 320
        comment.height = min(60 + 18 * sum(len(line) // 45 + 1 for line in lines), 600)
        cell.comment = comment

    _add_result_sheet(wb, placed)
    wb.template = False
    with atomic_path(Path(target)) as tmp:
        wb.save(tmp)
    return Path(target)


def _open_copy(source: Path):
    """(openpyxl Workbook, {sheet name as read by the loader → sheet title}) or (None, {})."""
    suffix = source.suffix.lower()
    if suffix in OPENPYXL_SUFFIXES:
        try:  # keep_vba off: the copy is a plain .xlsx; links to other workbooks are not read
            wb = load_workbook(source, keep_links=False)
        except Exception:  # protected, damaged or not really an OOXML file
            wb = None
        if wb is not None:
            return wb, {name: name for name in wb.sheetnames}
    if suffix in OPENPYXL_SUFFIXES + REBUILT_SUFFIXES:
        try:
            return _rebuild(source)
        except Exception:  # calamine: zip/ole/xml errors of many types
            return None, {}
    return None, {}


def _rebuild(source: Path):
    """A plain .xlsx with the same sheets and values (.xls and .ods: openpyxl cannot open them).

    calamine's grid starts at A1 (`skip_empty_area=False`), so row and column numbers in the
    issues point at the same cells here as in the original.
    """
    book = CalamineWorkbook.from_path(str(source))
    wb = Workbook()
    wb.remove(wb.active)
    titles: dict[str, str] = {}
    for name in book.sheet_names:
        grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        ws = wb.create_sheet(_sheet_title(name, wb.sheetnames))
        titles[name] = ws.title
        widths: dict[int, int] = {}
        for r, row in enumerate(grid, start=1):
            # A title or footer line (one value in the row) spills over; it does not size a column.
            in_table = sum(1 for v in row if v not in (None, "")) > 1
            for c, value in enumerate(row, start=1):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
                    value = int(value)  # calamine reads every number as float: 1.0 → 1
                cell = _as_text(ws.cell(row=r, column=c, value=value))
                if isinstance(value, (dt.date, dt.datetime)):
                    cell.number_format = "dd/mm/yyyy"
                    shown = 10
                else:
                    shown = len(str(value))
                if in_table:
                    widths[c] = max(widths.get(c, 0), min(shown, 40))
        for c, width in widths.items():
            ws.column_dimensions[get_column_letter(c)].width = max(8, width + 2)
    if not wb.sheetnames:
        wb.create_sheet("Sheet1")
    return wb, titles


def _as_text(cell):
    """`cell` with text that starts with `=` kept as text: openpyxl takes any such string for a
    formula, and Excel would run it."""
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"
    return cell


def _inert(wb, source: Path) -> None:
    """Make the copy hold values only: each formula cell gets the value Excel last showed for it
    (read from the same file with data_only), or its formula as text when the file holds none;
    names other than plain references are dropped, and so are links to outside the workbook (a
    web page, a file, a mail address; links inside the book stay). Links to other workbooks were
    not read at all (keep_links=False)."""
    formulas = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append((ws.title, cell))
                if cell.hyperlink is not None and cell.hyperlink.target:
                    cell.hyperlink = None
    if formulas:  # most rosters have none: the second reading is only paid for when needed
        shown = load_workbook(source, data_only=True, keep_links=False)
        for title, cell in formulas:
            value = shown[title][cell.coordinate].value
            if value is None:
                value = getattr(cell.value, "text", None) or str(cell.value)   # an array formula's text
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)   # openpyxl refuses control characters
            cell.value = value
            _as_text(cell)
    for names in [wb.defined_names] + [ws.defined_names for ws in wb.worksheets]:
        for name in [n for n, defined in names.items() if not _plain_reference(defined.value)]:
            del names[name]


# What a defined name may be and stay in the copy: references and constants, joined only by the
# reference operators (union, range, intersection); nothing that computes.
PLAIN_OPERANDS = {Token.RANGE, Token.NUMBER, Token.TEXT, Token.LOGICAL, Token.ERROR}
REFERENCE_OPERATORS = {",", ":", " "}


def _plain_reference(value) -> bool:
    """A name's value that only points into this workbook (or is a constant): no function, no
    arithmetic, no other workbook (`[1]Sheet1!A1`)."""
    try:
        tokens = Tokenizer(f"={value}").items
    except Exception:  # not a formula openpyxl can read: not plain either
        return False
    for token in tokens:
        if token.type == Token.WSPACE or (token.type == Token.OP_IN and token.value in REFERENCE_OPERATORS):
            continue
        if token.type != Token.OPERAND or token.subtype not in PLAIN_OPERANDS:
            return False
        if token.subtype == Token.RANGE and "[" in token.value:
            return False
    return bool(tokens)


def _sheet_title(name: str, taken: list[str]) -> str:
    """Excel's sheet-name rules (31 characters, no []:*?/\\), unique in the book."""
    title = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(name))[:31] or "Sheet"
    base, n = title, 2
    while title in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    return title


def _remove_previous_annotations(wb) -> None:
    """A returned copy sent back again: drop our old result sheet, comments and their fills."""
    if RESULT_SHEET in wb.sheetnames:
        wb.remove(wb[RESULT_SHEET])
    ours = {prefix + c for c in FILLS.values() for prefix in ("", "00", "FF")}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                comment = getattr(cell, "comment", None)
                if comment is None or comment.author != COMMENT_AUTHOR:
                    continue
                cell.comment = None
                if str(cell.fill.fgColor.rgb).upper() in ours:
                    cell.fill = PatternFill(fill_type=None)


def _locate(ws, issue: dict) -> str | None:
    """The cell an issue points at: its reference; else its row's first used cell; else, for a
    label on the info sheet (`Năm`, `Mã đơn vị`), the value beside the label; else None."""
    ref = issue.get("cell")
    row = issue.get("row")
    if not ref and row:
        ref = next((c.coordinate for c in next(ws.iter_rows(min_row=row, max_row=row), ())
                    if c.value not in (None, "")), f"A{row}")
    if not ref and issue.get("column"):
        ref = _value_beside_label(ws, issue["column"])
    if not ref:
        return None
    for merged in ws.merged_cells.ranges:  # a merged area takes its note on its top-left cell
        if ref in merged:
            return merged.start_cell.coordinate
    return ref


def _value_beside_label(ws, label: str) -> str | None:
    key = fold(label)
    for row in ws.iter_rows(max_row=min(ws.max_row, 50)):
        for i, cell in enumerate(row):
            if isinstance(cell.value, str) and fold(cell.value).rstrip(":") == key:
                rest = [c for c in row[i + 1:] if c.value not in (None, "")]
                value = rest[0] if rest else ws.cell(row=cell.row, column=cell.column + 1)
                return value.coordinate
    return None


def _add_result_sheet(wb, placed: list[tuple[dict, str | None, str | None]]) -> None:
    ws = wb.create_sheet(RESULT_SHEET)  # last: the loader looks for members in the first sheets
    ws.append(RESULT_HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for issue, title, ref in placed:
        ws.append([
            SEVERITY_VI.get(issue["severity"], issue["severity"]),
            title or issue.get("sheet") or "(cả tệp)",
            ref or "",
            issue.get("row"),
            issue.get("column") or "",
            issue.get("value") or "",
            issue["message"],
        ])
        r = ws.max_row
        for cell in ws[r]:   # the value and the column quoted from the sender's file stay text
            _as_text(cell)
        colour = FILLS.get(issue["severity"], FILLS["warning"])
        ws.cell(row=r, column=1).fill = PatternFill("solid", fgColor=colour)
        if ref:
            link = ws.cell(row=r, column=3)
            quoted = title.replace("'", "''")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{quoted}'!{ref}")
            link.font = Font(color="0563C1", underline="single")
        for c in range(1, len(RESULT_HEADERS) + 1):
            centred = RESULT_HEADERS[c - 1] in ("Ô", "Dòng")
            ws.cell(row=r, column=c).alignment = Alignment(wrap_text=True, vertical="top",
                                                           horizontal="center" if centred else None)
    if not placed:
        ws.append(["", "", "", None, "", "", "Không phát hiện lỗi hay cảnh báo nào trong tệp này."])
    for c, width in enumerate(RESULT_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    # Printed on A4 landscape, all columns on one page width, the header row on every page.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(RESULT_HEADERS))}{ws.max_row}"
    # Opened on the result sheet, so the clerk reads it first.
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = wb.sheetnames.index(RESULT_SHEET)
