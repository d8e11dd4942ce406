"""The inbox: which files, which unit and period each is for, and which submission counts.

Reading a file is `pipeline.roster`'s; here each workbook is matched to the register and to a
period, and one submission per cell is chosen (docs/roster-format.md, "Which unit, which
period, which file"). `check` uses the same matching and judges every file on its own
(`select_each`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline import rulebook
from pipeline.contract import INFO_FIELDS, INFO_SHEET, LABELS, MEMBER_CORE
from pipeline.errors import PipelineError
from pipeline.normalize import clean_text, fold, parse_date
from pipeline.period import ROMAN, Period
from pipeline.register import Register
from pipeline.roster import Workbook
from pipeline.rulebook import RULES, Issue, Unusable
from pipeline.status import FileStatus

# Files an inbox holds that are nobody's submission: what the system leaves in a folder, and what is
# still being written (an office suite's temporary save, a browser's download). `ignored_reason`
# says which; the report's listing, the manifest and `watch` all go by it.
IGNORED_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")
PARTIAL_SUFFIXES = {".tmp": "tệp tạm", ".part": "tệp đang tải dở", ".crdownload": "tệp đang tải dở"}


@dataclass
class Submission:
    workbook: Workbook
    unit: str | None = None
    period: Period | None = None
    period_source: str = ""          # info | filename | title | assumed
    created_on: dt.date | None = None
    status: FileStatus = FileStatus.REJECTED
    issues: list[Issue] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.workbook.file


def ignored_reason(name: str) -> str | None:
    """Why a file of this name is not read as a submission, in the words a clerk reads ("tệp khóa
    của Office"); None when it may be one. Office's `~$…` and LibreOffice's `.~lock…#` sit beside a
    workbook while it is open; `.tmp`, `.part`, `.crdownload` are a save or a download not yet done."""
    if name.startswith("~$"):
        return "tệp khóa của Office"
    if name.startswith(".~lock"):
        return "tệp khóa của LibreOffice"
    suffix = Path(name).suffix.lower()
    if suffix in PARTIAL_SUFFIXES:
        return f"{PARTIAL_SUFFIXES[suffix]} ({suffix})"
    if name.lower() in {n.lower() for n in IGNORED_NAMES}:
        return "tệp hệ thống"
    if name.startswith("."):
        return "tệp ẩn"
    return None


def list_inbox(inbox: Path) -> list[Path]:
    """Every file a clerk put in the inbox (sub-folders included), minus what `ignored_reason`
    leaves out (lock, partial, hidden and system files)."""
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise PipelineError(f"Không tìm thấy thư mục nhận danh sách {inbox}. Kiểm tra lại INBOX= / --inbox.")
    files = [p for p in inbox.rglob("*") if p.is_file() and ignored_reason(p.name) is None]
    return sorted(files, key=lambda p: str(p.relative_to(inbox)).lower())


def require_apart(inbox: Path, out: Path) -> None:
    """Stop when the output folder is the inbox or inside it (or holds it): the reports would be
    written into the inbox, and the next run would read them as rosters."""
    inbox, out = Path(inbox).resolve(), Path(out).resolve()
    if out == inbox or inbox in out.parents or out in inbox.parents:
        raise PipelineError(f"Thư mục kết quả {out} và thư mục nhận {inbox} lồng vào nhau: kết quả sẽ bị ghi vào "
                            "thư mục nhận và bị đọc lại như danh sách. Chọn thư mục kết quả ở ngoài thư mục nhận "
                            "(OUT= / --out).")


# ---------- which unit ----------

def resolve_unit(wb: Workbook, register: Register) -> tuple[str | None, list[Issue]]:
    codes = register.codes
    problems: list[Issue] = []
    stated = clean_text(wb.info.get("code"))
    if stated and stated.upper() in codes:
        return codes[stated.upper()], problems

    found = _code_in_name(Path(wb.file).stem, codes)
    how = f"đơn vị {found} theo tên tệp" if found else None
    if not found:
        texts = [t for t in [clean_text(wb.info.get("name")), *wb.titles, Path(wb.file).stem] if t]
        found = _unit_by_name(texts, register)
        how = f"đơn vị {found} theo tên đơn vị" if found else None
    at = {"sheet": wb.info_sheet, "row": wb.info_rows.get("code"), "column": INFO_FIELDS["code"]} if stated else {}
    if found and stated:
        problems.append(rulebook.make("UNIT_CODE_UNKNOWN", file=wb.file, value=stated, detail=how, unit=found, **at))
    if not found and (wb.readable or wb.info):
        detail = f"mã \"{stated}\" không có trong danh mục" if stated else "không có mã đơn vị, tên tệp và tên đơn vị không khớp danh mục"
        problems.append(rulebook.make("UNIT_UNKNOWN", file=wb.file, value=stated, detail=detail, **at))
    return found, problems


def _contains(text: str, key: str) -> bool:
    return bool(key) and re.search(rf"(?<![a-z0-9]){re.escape(key)}(?![a-z0-9])", text) is not None


def _unit_by_name(texts: list[str], register: Register) -> str | None:
    """The cell whose name (without "Chi bộ") appears in the texts, ignoring case and diacritics.

    Many cells share a name (`Chi bộ Đội An ninh` in every district): then the one whose committee
    is named too wins; still several → none (the file is rejected rather than guessed)."""
    folded = [fold(t).replace("_", " ").replace("-", " ") for t in texts]
    hits = [(any(_contains(t, parent_key) for t in folded), len(key), code)
            for code, key, parent_key in register.cell_name_keys
            if any(_contains(t, key) for t in folded)]
    if not hits:
        return None
    hits.sort(reverse=True)
    best = [h for h in hits if h[:2] == hits[0][:2]]
    return best[0][2] if len(best) == 1 else None


def _code_in_name(stem: str, codes: dict[str, str]) -> str | None:
    """The longest register code standing as a whole word in the file name (`CB-PC02_2022-Q3`).

    Looks up each word-bounded piece of the name instead of searching for every code: the cost
    grows with the name's length, not with the size of the register."""
    upper = stem.upper()
    word = [ch.isascii() and ch.isalnum() for ch in upper]
    starts = [i for i in range(len(upper)) if i == 0 or not word[i - 1]]
    ends = [j for j in range(1, len(upper) + 1) if j == len(upper) or not word[j]]
    hits = [codes[upper[i:j]] for i in starts for j in ends if j > i and upper[i:j] in codes]
    return max(hits, key=len) if hits else None


# ---------- which period ----------

_ROMAN_TO_INT = {v.lower(): k for k, v in ROMAN.items()}
_PERIOD_PATTERNS = [
    re.compile(r"(?<!\d)(\d{4})\s*[-_ ]?\s*q\s*([1-4])(?!\d)"),
    re.compile(r"(?<![a-z])q\s*([1-4])\s*[-_ ]?\s*(\d{4})(?!\d)"),
    re.compile(r"quy\s*([1-4]|iv|iii|ii|i)\s*[-_ ,/]*\s*(?:nam\s*)?(\d{4})(?!\d)"),
]


def _parse_quarter(value) -> int | None:
    text = fold(value).replace("quy", "").strip()
    if not text:
        return None
    if text.isdigit() or re.fullmatch(r"\d+\.0", text):
        q = int(float(text))
        return q if 1 <= q <= 4 else None
    return _ROMAN_TO_INT.get(text)


def _parse_year(value) -> int | None:
    text = fold(value)
    m = re.fullmatch(r"(?:nam\s*)?(\d{4})(?:\.0)?", text)
    return int(m.group(1)) if m and 1990 <= int(m.group(1)) <= 2100 else None


def period_in_text(text: str) -> Period | None:
    folded = fold(text).replace("_", " ")
    for pattern in _PERIOD_PATTERNS:
        m = pattern.search(folded)
        if not m:
            continue
        a, b = m.groups()
        if a.isdigit() and len(a) == 4:
            year, q = int(a), int(b)
        else:
            q = int(a) if a.isdigit() else _ROMAN_TO_INT[a]
            year = int(b)
        return Period(year, q)
    return None


def resolve_period(wb: Workbook) -> tuple[Period | None, str, list[Issue]]:
    problems = []
    year_raw, quarter_raw = wb.info.get("year"), wb.info.get("quarter")
    year, quarter = _parse_year(year_raw), _parse_quarter(quarter_raw)
    for raw, parsed, key in ((year_raw, year, "year"), (quarter_raw, quarter, "quarter")):
        if raw is not None and parsed is None:
            problems.append(rulebook.make("BAD_QUARTER", file=wb.file, sheet=wb.info_sheet, column=INFO_FIELDS[key],
                                          value=raw, row=wb.info_rows.get(key)))
    if year and quarter:
        return Period(year, quarter), "info", problems
    found = period_in_text(Path(wb.file).stem)
    if found:
        return found, "filename", problems
    for title in wb.titles:
        found = period_in_text(title)
        if found:
            return found, "title", problems
    return None, "assumed", problems


def infer_year(submissions: list[Submission], quarter: int) -> int:
    """The year of the submissions for this quarter; several years → ask for YEAR=."""
    years = sorted({s.period.year for s in submissions if s.period and s.period.quarter == quarter})
    if not years:
        years = sorted({s.period.year for s in submissions if s.period})
    if len(years) == 1:
        return years[0]
    if not years:
        raise PipelineError(
            "Không xác định được năm báo cáo từ các tệp (không tệp nào ghi năm). "
            "Chạy lại với YEAR=, ví dụ: make report QUARTER=3 YEAR=2022."
        )
    raise PipelineError(
        f"Thư mục nhận có danh sách của nhiều năm ({', '.join(map(str, years))}). "
        f"Chọn năm báo cáo bằng YEAR=, ví dụ: make report QUARTER={quarter} YEAR={years[-1]}."
    )


def require_submissions_for(submissions: list[Submission], period: Period) -> None:
    """Stop when no file is for `period` while the inbox holds files of other periods: the period
    asked for is most likely a slip (QUARTER=2 for quý I files), and a report of nothing would tell
    every cell that sent its file that it did not."""
    if any(s.period == period or (s.period is None and s.workbook.readable) for s in submissions):
        return
    found: dict[Period, int] = {}
    for s in submissions:
        if s.period is not None:
            found[s.period] = found.get(s.period, 0) + 1
    if not found:
        return
    listed = ", ".join(f"{count} tệp {p.label}" for p, count in sorted(found.items(), key=lambda kv: (kv[0].year, kv[0].quarter)))
    likeliest = max(found, key=lambda p: (found[p], p.year, p.quarter))
    raise PipelineError(
        f"Thư mục nhận có {listed}; không có tệp nào {period.label}. Có phải "
        f"QUARTER={likeliest.quarter} YEAR={likeliest.year}? Chạy lại với đúng kỳ báo cáo.")


def choose_period(submissions: list[Submission], year: int | None, quarter: int) -> Period:
    if not 1 <= quarter <= 4:
        raise PipelineError(f"Quý phải là 1, 2, 3 hoặc 4 (đang là {quarter}).")
    if year is None:
        year = infer_year(submissions, quarter)
    return Period(year, quarter)


# ---------- every workbook matched ----------

def match(workbooks: list[Workbook], register: Register | None) -> list[Submission]:
    """Unit and period for every workbook (period None when the file does not say).

    Without a register (`check` on a cell's own machine) the unit is the file's own code as
    written, else its file name."""
    out = []
    for wb in workbooks:
        sub = Submission(workbook=wb, issues=list(wb.issues))
        if register is None:
            sub.unit = clean_text(wb.info.get("code")) or Path(wb.file).stem
        else:
            _match_unit(sub, register)
        sub.period, sub.period_source, problems = resolve_period(wb)
        sub.issues += problems
        sub.created_on, _ = parse_date(wb.info.get("created_on"))
        out.append(sub)
    return out


def _match_unit(sub: Submission, register: Register) -> None:
    # Even an unreadable file is matched (by its name) so its cell shows as rejected, not missing.
    wb = sub.workbook
    unit, problems = resolve_unit(wb, register)
    sub.unit = unit
    sub.issues += problems
    if unit is not None and not register.units.at[unit, "is_cell"]:
        sub.issues.append(rulebook.make("UNIT_NOT_CELL", file=wb.file, sheet=wb.info_sheet, column=INFO_FIELDS["code"],
                                        row=wb.info_rows.get("code"), value=unit,
                                        detail=register.units.at[unit, "type"].lower(), unit=unit))
        sub.unit = None


# ---------- which submission counts ----------

def select(submissions: list[Submission], period: Period) -> list[Submission]:
    """Decide each submission's status for this period; the latest `Ngày lập`, then file time, wins."""
    for sub in submissions:
        if sub.period is None:
            sub.period = period
            if sub.workbook.readable:  # an unreadable file's own problem is said already
                sub.issues.append(_assumed(sub, period, sub.workbook.info_sheet))
    candidates: dict[str, list[Submission]] = {}
    for sub in submissions:
        if sub.period is not None and sub.period != period:
            sub.status = FileStatus.OTHER_PERIOD
            sub.issues.append(_other_period(sub))
        elif usable(sub):
            candidates.setdefault(sub.unit, []).append(sub)
        else:
            sub.status = FileStatus.REJECTED
    for unit, subs in candidates.items():
        subs.sort(key=lambda s: (s.created_on or dt.date.min, s.workbook.mtime, s.file), reverse=True)
        winner = subs[0]
        winner.status = FileStatus.ACCEPTED
        for other in subs[1:]:
            other.status = FileStatus.SUPERSEDED
            other.issues.append(rulebook.make("DUPLICATE_SUBMISSION", file=other.file, unit=unit, detail=winner.file))
    for sub in submissions:
        if sub.unit is not None:
            sub.issues = [i if i.unit else replace(i, unit=sub.unit) for i in sub.issues]
    return submissions


def select_each(submissions: list[Submission], period: Period | None,
                today: dt.date) -> dict[Period, list[Submission]]:
    """`check`: every file judged on its own (no file supersedes another) against `period`, else
    the period it says, else the last quarter that has ended by `today`. A file for another
    period than asked is said so and still checked. → the files grouped by the period they are
    checked against."""
    by_period: dict[Period, list[Submission]] = {}
    for sub in submissions:
        own = sub.period
        target = period or own or last_finished_quarter(today)
        if own is None and sub.workbook.readable:
            sub.issues.append(_assumed(sub, target, INFO_SHEET))
        elif own is not None and own != target:
            sub.issues.append(_other_period(sub))
        sub.period = target
        sub.status = FileStatus.ACCEPTED if usable(sub) else FileStatus.REJECTED
        by_period.setdefault(target, []).append(sub)
    return by_period


def last_finished_quarter(today: dt.date) -> Period:
    current = Period(today.year, (today.month - 1) // 3 + 1)
    return Period(today.year - 1, 4) if current.quarter == 1 else Period(today.year, current.quarter - 1)


def _assumed(sub: Submission, period: Period, sheet: str | None) -> Issue:
    return rulebook.make("PERIOD_ASSUMED", file=sub.file, sheet=sheet, unit=sub.unit, detail=period.label)


def _other_period(sub: Submission) -> Issue:
    return rulebook.make("OTHER_PERIOD", file=sub.file, unit=sub.unit, detail=sub.period.label)


_CORE_LABELS = {LABELS[key] for key in MEMBER_CORE}


def usable(sub: Submission) -> bool:
    """The file can give its cell's figures: it was read, its unit is known, and none of its
    issues makes it unusable (rulebook.Unusable)."""
    return sub.workbook.readable and sub.unit is not None and not any(_makes_unusable(i, sub) for i in sub.issues)


def _makes_unusable(issue: Issue, sub: Submission) -> bool:
    unusable = RULES[issue.rule].unusable
    if unusable is Unusable.CORE_COLUMN:
        members = sub.workbook.members
        return issue.column in _CORE_LABELS and members is not None and issue.sheet == members.sheet
    return unusable is Unusable.YES
