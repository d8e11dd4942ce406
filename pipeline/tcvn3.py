"""Text typed in the legacy TCVN3 (ABC) encoding with the `.VnTime` fonts → Unicode: the table,
and the pass over a file's grids that converts the cells typed in it (`convert_grids`).

Offices still type with the `.VnTime` font family: the file then holds Latin-1 look-alikes
(`NguyÔn V¨n An` for `Nguyễn Văn An`). The mapping is the public TCVN 5712:1993 (VN3) table.
Capitals typed with the `.VnTimeH` font use the lower-case code points; a word whose other
letters are capitals is given back in capitals.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from pipeline import rulebook
from pipeline.rulebook import Issue

# TCVN3 code point → Unicode letter.
_TABLE = {
    "µ": "à", "¶": "ả", "·": "ã", "¸": "á", "¹": "ạ",
    "¨": "ă", "»": "ằ", "¼": "ẳ", "½": "ẵ", "¾": "ắ", "Æ": "ặ",
    "©": "â", "Ç": "ầ", "È": "ẩ", "É": "ẫ", "Ê": "ấ", "Ë": "ậ",
    "®": "đ",
    "Ì": "è", "Î": "ẻ", "Ï": "ẽ", "Ð": "é", "Ñ": "ẹ",
    "ª": "ê", "Ò": "ề", "Ó": "ể", "Ô": "ễ", "Õ": "ế", "Ö": "ệ",
    "×": "ì", "Ø": "ỉ", "Ü": "ĩ", "Ý": "í", "Þ": "ị",
    "ß": "ò", "á": "ỏ", "â": "õ", "ã": "ó", "ä": "ọ",
    "«": "ô", "å": "ồ", "æ": "ổ", "ç": "ỗ", "è": "ố", "é": "ộ",
    "¬": "ơ", "ê": "ờ", "ë": "ở", "ì": "ỡ", "í": "ớ", "î": "ợ",
    "ï": "ù", "ñ": "ủ", "ò": "ũ", "ó": "ú", "ô": "ụ",
    "\xad": "ư", "õ": "ừ", "ö": "ử", "÷": "ữ", "ø": "ứ", "ù": "ự",
    "ú": "ỳ", "û": "ỷ", "ü": "ỹ", "ý": "ý", "þ": "ỵ",
    "¡": "Ă", "¢": "Â", "§": "Đ", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư",
}
_TRANSLATE = str.maketrans(_TABLE)

# Characters that appear in TCVN3 text but never in Vietnamese written in Unicode.
ONLY_TCVN3 = set("µ¶·¸¹¨»¼½¾Æ©ÇË®§ªÎÏÐÑÖ×ØÞÜßäåæçëîïñö÷øûüþ«¬\xad¡¢£¤¥¦")
# Letters only Unicode Vietnamese has (outside Latin-1): their presence means the text is Unicode.
_UNICODE_VIET = re.compile(r"[\u0100-\u01b0\u1ea0-\u1ef9]")


LATIN1_ACCENTED = set(_TABLE) - ONLY_TCVN3


def looks_tcvn3(text: str) -> bool:
    """Surely TCVN3: it has a character Unicode Vietnamese never uses, and none only Unicode has."""
    return any(ch in ONLY_TCVN3 for ch in text) and not _UNICODE_VIET.search(text)


def maybe_tcvn3(text: str) -> bool:
    """Could be either (`Giíi tÝnh` is TCVN3 for `Giới tính`, `Lê` is Unicode): decided by the
    cell's font or the rest of the sheet."""
    return any(ch in LATIN1_ACCENTED for ch in text) and not _UNICODE_VIET.search(text) and not looks_tcvn3(text)


def has_unicode_vietnamese(text: str) -> bool:
    return bool(_UNICODE_VIET.search(text))


def to_unicode(text: str) -> str:
    converted = text.translate(_TRANSLATE)

    def case(match: re.Match) -> str:
        original, word = match.group(0), converted[match.start():match.end()]
        ascii_letters = [ch for ch in original if ch.isascii() and ch.isalpha()]
        if len(ascii_letters) >= 2 and all(ch.isupper() for ch in ascii_letters):
            return word.upper()
        return word

    return re.sub(r"\S+", case, text)


# ---------- the pass over a file ----------

_ONLY_TCVN3_CHARS = re.compile("[" + re.escape("".join(sorted(ONLY_TCVN3))) + "]")
_LATIN1_ACCENTED_CHARS = re.compile("[" + re.escape("".join(sorted(LATIN1_ACCENTED))) + "]")


def convert_grids(path: Path, grids: dict[str, list[list]], file: str, kind: str | None = None) -> list[Issue]:
    """Text typed in TCVN3 (.VnTime) → Unicode, in place; one warning per sheet names an example.

    A cell with a character only TCVN3 uses is converted. A cell that could be either (`Giíi tÝnh`)
    is converted when its font is a `.Vn…` font (read with openpyxl, only for such files), or, where
    fonts cannot be read (.xls, .ods), when the same sheet has sure TCVN3 cells. `kind` is the
    format the file really is (`sniff`); None: the one its suffix says."""
    if not _may_hold_tcvn3(grids):
        return []
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
        return []
    fonts = _vn_fonts(path, kind or path.suffix.lower().lstrip("."), unsure) if unsure else None
    issues = []
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
            grid[rr][cc] = to_unicode(grid[rr][cc])
        issues.append(rulebook.make("TCVN3_CONVERTED", file=file, sheet=sheet, value=before,
                                    cell=f"{get_column_letter(c + 1)}{r + 1}", detail=len(cells), after=grid[r][c]))
    return issues


def _may_hold_tcvn3(grids: dict[str, list[list]]) -> bool:
    """A quick look at all of a file's text at once before the cell-by-cell one: text with no
    TCVN3-only character in any cell, or with Unicode-only Vietnamese letters in it, is never
    converted below (nearly every file today is Unicode)."""
    # Every text cell joined, then searched at once: only text can hold a letter (numbers and
    # dates never do), and joining the strings costs a tenth of printing every cell with repr.
    text = "\x00".join([v for grid in grids.values() for row in grid for v in row if isinstance(v, str)])
    if _ONLY_TCVN3_CHARS.search(text):
        return True
    return not has_unicode_vietnamese(text) and bool(_LATIN1_ACCENTED_CHARS.search(text))


def _vn_fonts(path: Path, kind: str, cells: dict[str, list[tuple[int, int]]]) -> dict[str, set] | None:
    """Which of these cells are set in a `.Vn…` (TCVN3) font; None when the format has no fonts we read."""
    if kind not in ("xlsx", "xlsm"):
        return None
    try:
        with open(path, "rb") as fh:   # a file object: openpyxl then goes by the bytes, not the suffix
            book = load_workbook(fh, data_only=True)
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
