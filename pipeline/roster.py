"""One roster workbook → its info sheet and its tables (`Workbook`), problems as issues.

The steps, each in its own module: the file's bytes → grids (`pipeline.sheets`), text typed in
TCVN3 converted (`pipeline.tcvn3`), the info sheet's label/value pairs read here, the member and
candidate tables found in their sheets (`pipeline.tables`). Which unit and period the workbook is
for is decided later (`pipeline.intake`). A roster's format is `docs/roster-format.md`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter

from pipeline import rulebook, sheets, tcvn3
from pipeline.bulk import paused_gc
from pipeline.config import DEFAULT_LIMITS, LimitSettings
from pipeline.contract import (
    CANDIDATE_SHEET_WORDS, INFO_LABELS, INFO_SHEET_NAMES, LABELS, MEMBER_REQUIRED, MEMBER_SHEET_NAMES,
    OWN_SHEET_NAMES, TEMPLATE_VERSION, TEMPLATE_VERSION_LABEL, is_older, template_version,
)
from pipeline.normalize import is_blank
from pipeline.rulebook import Issue
from pipeline.tables import Table, find_table, header_key

# How far down the info sheet its labels are looked for.
INFO_SEARCH_ROWS = 50


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
    issues: list[Issue] = field(default_factory=list)    # unit is filled in later (intake)

    @property
    def readable(self) -> bool:
        return self.members is not None


def read_workbook(path: Path, name: str | None = None, limits: LimitSettings = DEFAULT_LIMITS) -> Workbook:
    """Read one file; problems come back as issues on the Workbook, never as exceptions. A file
    over one of `limits` ([limits] of the configuration) is refused before it is parsed."""
    path = Path(path)
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = 0.0   # gone since the inbox was listed: load_grids says so
    wb = Workbook(file=name or path.name, path=path, mtime=mtime)
    loaded = sheets.load_grids(path, wb.file, limits)
    wb.issues += loaded.issues
    grids = loaded.grids
    if grids is None:
        return wb
    wb.issues += tcvn3.convert_grids(path, grids, wb.file, loaded.kind)
    if not any(any(not is_blank(v) for v in row) for grid in grids.values() for row in grid):
        wb.issues.append(rulebook.make("FILE_EMPTY", file=wb.file))
        return wb
    _read_tables(wb, grids)
    _check_uncalculated(wb, grids, loaded.uncalculated)
    return wb


def _read_tables(wb: Workbook, grids: sheets.Grids) -> None:
    problem = lambda rule, **kw: wb.issues.append(rulebook.make(rule, file=wb.file, **kw))  # noqa: E731
    names = list(grids)
    info_sheet = next((s for s in names if header_key(s) in INFO_SHEET_NAMES), None)
    if info_sheet:
        wb.info_sheet = info_sheet
        wb.info, wb.info_rows = _read_info(grids[info_sheet])
        _check_template_version(wb, info_sheet)
    data_sheets = [s for s in names if s != info_sheet and header_key(s) not in OWN_SHEET_NAMES]
    cand_sheet = next((s for s in data_sheets if any(w in header_key(s) for w in CANDIDATE_SHEET_WORDS)), None)
    member_sheets = [s for s in data_sheets if s != cand_sheet]
    member_sheets.sort(key=lambda s: (header_key(s) not in MEMBER_SHEET_NAMES, "dang vien" not in header_key(s)))

    for sheet in member_sheets:
        found = find_table(grids[sheet], sheet, "members")
        if found is not None:
            wb.members, wb.titles = found
            break
    if wb.members is not None and wb.members.next_header is not None and not cand_sheet:
        # The candidates written under the members on the same sheet, with their own header.
        below = find_table(grids[wb.members.sheet], wb.members.sheet, "candidates", start=wb.members.next_header)
        if below is not None:
            wb.candidates = below[0]
    if wb.members is None:
        problem("NO_MEMBER_SHEET", detail=", ".join(f"\"{n}\"" for n in member_sheets) or "không có")
        return
    for key in MEMBER_REQUIRED:
        if key not in wb.members.headers and not (key == "gender" and "gender" in wb.members.columns):
            problem("MISSING_COLUMN", sheet=wb.members.sheet, row=wb.members.header_row, column=LABELS[key])
    if cand_sheet:
        found = find_table(grids[cand_sheet], cand_sheet, "candidates")
        if found is not None:
            wb.candidates = found[0]
        elif any(any(not is_blank(v) for v in row) for row in grids[cand_sheet]):
            problem("MISSING_COLUMN", sheet=cand_sheet, column=LABELS["full_name"])


def read_workbooks(files: list[tuple[Path, str]], limits: LimitSettings = DEFAULT_LIMITS) -> list[Workbook]:
    """read_workbook over (path, name) pairs: one task of a reading pool."""
    with paused_gc():
        return [read_workbook(path, name, limits) for path, name in files]


def _check_uncalculated(wb: Workbook, grids: sheets.Grids, cells: dict[str, list[tuple[int, int]]]) -> None:
    """Formula cells saved without a computed value (a file written by a program that does not
    calculate, never by Excel or LibreOffice) read as empty: a name, a date would be reported
    missing when it is only not computed. Where the reader uses such a cell — the info sheet, a
    column of the member or candidate table, or any sheet when no member table was found — the
    file gets FORMULA_NOT_CALCULATED (one per sheet, naming the first cell), which makes it
    unusable; elsewhere (an STT column, a sheet not read) the formula is harmless and ignored."""
    tables = [t for t in (wb.members, wb.candidates) if t is not None]
    for sheet, found in cells.items():
        if sheet not in grids:
            continue
        used = [t for t in tables if t.sheet == sheet]
        if used:
            columns = {c for t in used for c in t.positions.values()}
            first = min(t.header_row for t in used) - 1
            found = [(r, c) for r, c in found if c in columns and r >= first]
        elif sheet != wb.info_sheet and wb.members is not None:
            continue
        if not found:
            continue
        r, c = min(found)
        wb.issues.append(rulebook.make("FORMULA_NOT_CALCULATED", file=wb.file, sheet=sheet, row=r + 1,
                                       cell=f"{get_column_letter(c + 1)}{r + 1}", detail=len(found)))


def _check_template_version(wb: Workbook, sheet: str) -> None:
    """An old template is a warning: its columns still read, but the clerk should take the new one."""
    version = template_version(wb.info)
    if version is not None and is_older(version):
        wb.issues.append(rulebook.make("TEMPLATE_OLD", file=wb.file, sheet=sheet, column=TEMPLATE_VERSION_LABEL,
                                       row=wb.info_rows.get("template_version"), value=version,
                                       detail=TEMPLATE_VERSION))


def _read_info(grid: list[list]) -> tuple[dict[str, object], dict[str, int]]:
    """label → value, and label → Excel row of the label (so issues about it can point there)."""
    info: dict[str, object] = {}
    rows: dict[str, int] = {}
    for r, row in enumerate(grid[:INFO_SEARCH_ROWS]):
        cells = list(row)
        for j, cell in enumerate(cells):
            label = INFO_LABELS.get(header_key(cell))
            if label and label not in info:
                rows.setdefault(label, r + 1)
                value = next((v for v in cells[j + 1:] if not is_blank(v)), None)
                if value is not None:
                    info[label] = value
                break
    return info, rows
