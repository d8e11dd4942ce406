"""The checks over the accepted submissions → typed tables and issues (docs/rules.md lists every
rule; the rules themselves are declared in `pipeline.rulebook`).

Two steps, each one vectorised pass over one frame holding many files' rows (no per-file frames,
no per-row Python in the common path); every problem collected, nothing raises:

- `prepare`: what needs no period and no other file: reading each value (dates, lists, citizen
  IDs), required cells, dates that contradict each other. It runs where the files are read (in
  the reading workers, a chunk of files each), so only typed columns travel back.
- `validate`: the accepted files' prepared rows against the period (dates after it, overdue
  recognition, expired certificates), against the working-day calendar of the configuration (the
  ceremony's and the recognition's limits), and against each other and the register (one person
  twice; helpers, looked up across the grassroots organisation).

Each issue points at the file, sheet, Excel row and the column header as written in the file.
Values that cannot be read become missing (NaT/None) and the issue says so; the person still
counts (docs/figures.md).
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from dataclasses import dataclass, replace
from itertools import chain, repeat

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from pipeline import rulebook
from pipeline.charter import (
    CERTIFICATE, PLAUSIBLE_AGES, PROBATION, age_in_months, ceremony_due, over_admission_age, overdue_mask,
    probation_end, probation_start, recognition_due, under_admission_age, years_and_months, youth_age,
)
from pipeline.contract import (
    ETHNIC_ALIASES, ETHNIC_GROUPS, GENDERS, HELPER_KEYS, LABELS, MEMBER_DATE_KEYS, MEMBER_REQUIRED, NO_RELIGION,
    YES_WORDS,
)
from pipeline.contract import (
    GENERAL_EDUCATION_LEVELS, POLITICAL_THEORY_LEVELS, PROFESSIONAL_LEVELS, UNTRAINED, general_education,
    occupation_group, political_theory_level, professional_level,
)
from pipeline.intake import Submission
from pipeline.normalize import EXCEL_ERRORS, PERSON_ID, age_at, citizen_ids, clean_text, fold, parse_dates, real_dates
from pipeline.period import Period
from pipeline.register import Register
from pipeline.roster import Workbook
from pipeline.status import FileStatus
from pipeline.tables import Table, raw_frame
from pipeline.workdays import WorkCalendar, vietnam

def _squash(text: str) -> str:
    return re.sub(r"[\s\-']", "", fold(text))


_ETHNIC_INDEX = {_squash(g): g for g in ETHNIC_GROUPS} | {_squash(k): v for k, v in ETHNIC_ALIASES.items()}


class _Collector:
    """Issues for rows of many files, each with its own header spellings and cell positions."""

    def __init__(self, tables: dict[str, Table], units: dict[str, str] | None = None):
        self.tables, self.units, self.out = tables, units or {}, []

    def add(self, rule: str, rows: pd.DataFrame, key: str | None, values=None, **ctx):
        """One issue per row of `rows` (which has file, row and, for Nam/Nữ files, _birth_col).

        `values` and any ctx item may be a Series aligned with `rows` (a value per row)."""
        if rows.empty:
            return
        per_row = {k: v for k, v in ctx.items() if isinstance(v, pd.Series)}
        fixed = {k: v for k, v in ctx.items() if k not in per_row}
        birth = rows.get("_birth_col")
        for index, file, row in zip(rows.index, rows["file"], rows["row"]):
            table = self.tables[file]
            column = table.headers.get(key, LABELS.get(key, key)) if key else None
            position = table.positions.get(key) if key else None
            if key in ("birth_date", "gender") and birth is not None and pd.notna(birth[index]):
                position = int(birth[index])
            value = values[index] if isinstance(values, pd.Series) else values
            cell = None if position is None else f"{get_column_letter(position + 1)}{int(row)}"
            self.out.append(rulebook.make(rule, unit=self.units.get(file), file=file, sheet=table.sheet, row=int(row),
                                     column=column, value=_shown(value), cell=cell,
                                     **fixed, **{k: v[index] for k, v in per_row.items()}))


def _shown(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.strftime("%d/%m/%Y")
    return value if isinstance(value, str) else clean_text(value)


def _day_text(days: pd.Series) -> pd.Series:
    return days.dt.strftime("%d/%m/%Y")


def _stack(tables: dict[str, Table]) -> pd.DataFrame:
    """Every table's raw rows in one frame, with file and sheet beside them: the columns of all
    files are chained first and the frame is built once."""
    if any(t.columns is None for t in tables.values()):
        raise ValueError("these tables' rows were already typed by rules.prepare")
    keys = list(dict.fromkeys(key for table in tables.values() for key in table.columns))
    sizes = [len(t) for t in tables.values()]
    data = {key: _chain_column([table.columns.get(key) for table in tables.values()], sizes) for key in keys}
    data["row"] = list(chain.from_iterable(table.row for table in tables.values()))
    data["file"] = list(chain.from_iterable(repeat(file, n) for file, n in zip(tables, sizes)))
    data["sheet"] = list(chain.from_iterable(repeat(t.sheet, n) for t, n in zip(tables.values(), sizes)))
    return raw_frame(data)


def _chain_column(parts: list, sizes: list[int]):
    """One key's values from every table: datetime64 when every table that has rows has it as
    real dates (the tables without the column give NaT), else Python objects (None where a table
    lacks it). A table without rows has no values to say otherwise (an empty candidate sheet)."""
    if all(isinstance(p, np.ndarray) or p is None or not len(p) for p in parts) \
            and any(isinstance(p, np.ndarray) for p in parts):
        return np.concatenate([p if isinstance(p, np.ndarray) else np.full(n, np.datetime64("NaT"), dtype=_dtype(parts))
                               for p, n in zip(parts, sizes)])
    return list(chain.from_iterable(p.astype(object) if isinstance(p, np.ndarray) else p or repeat(None, n)
                                    for p, n in zip(parts, sizes)))


def _dtype(parts: list):
    return next(p.dtype for p in parts if isinstance(p, np.ndarray))


def _column(raw: pd.DataFrame, key: str) -> pd.Series:
    return raw[key] if key in raw else pd.Series(None, index=raw.index, dtype=object)


def _present(raw: pd.DataFrame, tables: dict[str, Table], key: str) -> pd.Series:
    """Whether each row's file has this column at all (looked up row by row: cheaper than a
    pandas map, which costs more to set up than a roster's rows cost to look up)."""
    has = {f: key in t.headers for f, t in tables.items()}
    files = raw["file"]
    return pd.Series(np.fromiter((has.get(f, False) for f in files.to_numpy()), dtype=bool, count=len(files)),
                     index=files.index, name=files.name)


def _blank(values: pd.Series) -> pd.Series:
    if values.dtype.kind == "M":   # real dates (tables._as_dates): only NaT is blank
        return pd.Series(values.isna().to_numpy(), index=values.index, dtype=bool)
    return pd.Series([v is None or v != v or (type(v) is str and not v.strip()) for v in values.to_numpy()],
                     index=values.index, dtype=bool)


def _map_unique(values: pd.Series, func) -> pd.Series:
    """func over the distinct values only (rosters repeat `Kinh`, `Nam`, `x` thousands of times).
    True and 1 are equal to Python but not to a clerk: booleans are mapped apart."""
    array = values.to_numpy()
    mixed = pd.api.types.infer_dtype(array, skipna=True) not in ("string", "empty", "floating", "integer")
    booleans = [type(v) is bool for v in array] if mixed else []
    if any(booleans):
        out = values.map(func).astype(object) if all(booleans) else pd.Series(None, index=values.index, dtype=object)
        if not all(booleans):
            mask = pd.Series(booleans, index=values.index)
            out[mask] = values[mask].map(func)
            out[~mask] = _map_unique(values[~mask], func)
        return out
    # Missing cells (None, NaN) are one value, met as NaN, as pandas' factorize gives them without
    # a sentinel; with it (-1: the last result here) factorizing costs a third as much.
    codes, uniques = pd.factorize(array)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [func(v) for v in uniques]
    if (codes < 0).any():
        results[-1] = func(np.nan)
    return pd.Series(results[codes], index=values.index, dtype=object)


def _text(raw: pd.DataFrame, key: str, unique: bool = False) -> pd.Series:
    values = _column(raw, key)
    return (_map_unique(values, clean_text) if unique else values.map(clean_text)).astype(object)


# ---------- dates ----------

def _dates(raw, key, col: _Collector, allow_year=False) -> tuple[pd.Series, pd.Series]:
    """→ (the dates, and whether each cell held something that could not be read as one)."""
    values = _column(raw, key)
    if values.dtype.kind == "M":   # real dates (tables._as_dates): each one read, or blank
        return real_dates(values), pd.Series(False, index=values.index)
    days, status = parse_dates(values, allow_year=allow_year)
    # Rows are taken out only where there is something to report: taking none still copies every column.
    status = status.to_numpy()
    bad, error, year = status == "bad", status == "error", status == "year"
    if bad.any():
        col.add("BAD_DATE", raw[bad], key, values,
                detail=" Người này chưa được tính ở các số liệu cần ngày này.")
    if error.any():
        col.add("EXCEL_ERROR", raw[error], key, values)
    if year.any():
        col.add("BIRTH_YEAR_ONLY", raw[year], key, values)
    return days, pd.Series(bad | error, index=values.index)


# ---------- values from a list ----------

@functools.cache
def _closest(squashed: str, allowed: tuple[str, ...]) -> str:
    index = {_squash(a): a for a in allowed}
    close = difflib.get_close_matches(squashed, list(index), n=1, cutoff=0.6)
    suggestion = f" Có phải là \"{index[close[0]]}\"?" if close else ""
    return suggestion + f" Giá trị hợp lệ: {', '.join(allowed[:8])}{'…' if len(allowed) > 8 else ''}."


def _choice(raw, key, col: _Collector, allowed_index: dict[str, str], allowed: tuple[str, ...]) -> pd.Series:
    text = _text(raw, key, unique=True)
    squashed = _map_unique(text, lambda t: None if t is None else _squash(t))
    hit = squashed.map(allowed_index).astype(object).where(squashed.notna(), None)
    wrong = text.notna() & hit.isna()
    if wrong.any():
        suggestion = squashed[wrong].map(lambda s: _closest(s, allowed))
        col.add("BAD_VALUE", raw[wrong], key, text, suggestion=suggestion)
    return hit.where(hit.notna(), None)


def _level(raw, key, col: _Collector, reader, allowed: tuple[str, ...] | None, unreadable: pd.DataFrame,
           blank: str | None = None) -> pd.Series:
    """A statistics column (`contract.general_education`, …) → its list's value, None where not
    recorded. Text the reader cannot place is a BAD_VALUE (`allowed` given: a closed list) and stays
    unrecorded; a blank cell of a file that has the column is `blank` when given (political theory:
    blank means not trained). An Excel error value stays unrecorded."""
    text = _text(raw, key, unique=True)
    level = _map_unique(text, lambda t: reader(fold(t)) if isinstance(t, str) else None)
    wrong = text.notna() & level.isna()
    if allowed is not None and wrong.any():
        suggestion = _map_unique(text[wrong], lambda t: _closest(_squash(t), allowed))
        col.add("BAD_VALUE", raw[wrong], key, text, suggestion=suggestion)
    if blank is not None:
        empty = text.isna() & _present(raw, col.tables, key)
        if key in unreadable:
            empty &= ~unreadable[key]
        level = level.mask(empty, blank)
    return level.astype(object).where(level.notna(), None)


# ---------- members ----------

def _blank_error_values(raw: pd.DataFrame, col: _Collector) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An Excel error value (`#REF!`) is reported once at its cell and then read as empty.

    → (rows with those cells emptied, a mask of them, so no later check reports the same cell
    again as missing)."""
    keys = [k for k in raw.columns if k not in ("row", "unit", "file", "sheet") and not k.startswith("_")]
    # A column of real dates (tables._as_dates) holds no text, so no error value.
    errors = pd.DataFrame({k: np.zeros(len(raw), dtype=bool) if raw[k].dtype.kind == "M"
                           else raw[k].isin(EXCEL_ERRORS).to_numpy() for k in keys}, index=raw.index)
    if not errors.to_numpy().any():
        return raw, errors
    raw = raw.copy()
    for key in keys:
        if errors[key].any():
            col.add("EXCEL_ERROR", raw[errors[key]], key, raw[key])
            raw[key] = raw[key].where(~errors[key], None)
    return raw, errors


def type_members(raw: pd.DataFrame, col: _Collector) -> pd.DataFrame:
    """Raw member rows → typed rows (no unit yet); value-level issues go to `col`."""
    raw, errored = _blank_error_values(raw, col)
    names = _text(raw, "full_name")
    unnamed = names.isna()
    if unnamed.any():
        col.add("ROW_NOT_COUNTED", raw[unnamed], "full_name")
        raw, names = raw[~unnamed], names[~unnamed]
        errored = errored.loc[raw.index]
    out = pd.DataFrame({"file": raw["file"], "sheet": raw["sheet"],
                        "row": raw["row"].astype(int), "full_name": names}, index=raw.index)
    if "_birth_col" in raw:  # Nam/Nữ files: which of the two columns holds the birth date
        out["_birth_col"] = raw["_birth_col"]
    for key in MEMBER_DATE_KEYS:
        out[key], unreadable = _dates(raw, key, col, allow_year=key == "birth_date")
        if key == "official_on":
            # Not known, rather than not official: such a person is left out of the figures that
            # need the date (probationary, overdue), never counted as probationary.
            out["official_unreadable"] = unreadable.astype(bool)
    out["gender"] = _choice(raw, "gender", col, {_squash(g): g for g in GENDERS}, GENDERS)
    out["ethnicity"] = _choice(raw, "ethnicity", col, _ETHNIC_INDEX, ETHNIC_GROUPS)
    out["religion"] = _text(raw, "religion", unique=True)
    out["has_religion"] = _map_unique(out["religion"], lambda v: fold(v or "") not in NO_RELIGION).astype(bool)
    out["youth_union"] = _map_unique(_text(raw, "youth_union", unique=True),
                                     lambda v: fold(v or "") in YES_WORDS).astype(bool)
    out["education"] = _text(raw, "education", unique=True)
    # The breakdowns' columns (pipeline.breakdowns): None = not recorded.
    out["general_education"] = _level(raw, "general_education", col, general_education, GENERAL_EDUCATION_LEVELS,
                                      errored)
    out["professional"] = _level(raw, "education", col, professional_level, PROFESSIONAL_LEVELS, errored)
    out["political_theory"] = _level(raw, "political_theory", col, political_theory_level, POLITICAL_THEORY_LEVELS,
                                     errored, blank=UNTRAINED)
    out["occupation"] = _level(raw, "occupation", col, occupation_group, None, errored)
    out["has_religion_column"] = _present(raw, col.tables, "religion")
    out["note"] = _text(raw, "note", unique=True)
    out["citizen_id"] = citizen_ids(_column(raw, "citizen_id"))
    tables = col.tables
    out["has_official_column"] = _present(raw, tables, "official_on")
    if "_gender_conflict" in raw:
        conflict = raw["_gender_conflict"].eq(True)
        if conflict.any():
            col.add("BAD_VALUE", raw[conflict], "gender", "Nam và Nữ",
                    suggestion=" Chỉ ghi ngày sinh vào một trong hai cột Nam, Nữ.")
    for key in MEMBER_REQUIRED:
        if key == "full_name":
            continue
        missing = _present(raw, tables, key) & _blank(_column(raw, key))
        if key in errored:
            missing &= ~errored[key]
        if key == "gender" and "_birth_col" in raw:
            missing &= raw["_birth_col"].isna() | ~_present(raw, tables, "gender")
        if missing.any():
            col.add("REQUIRED_MISSING", raw[missing], key)
    _check_citizen_ids(out, raw, col)
    _check_date_order(out, col)
    return out.reset_index(drop=True)


def _check_citizen_ids(out: pd.DataFrame, raw: pd.DataFrame, col: _Collector) -> None:
    ids = out["citizen_id"]
    text = ids[ids.notna()].astype(object)
    # The digits looked at one ID at a time in plain Python: each is a few characters, and a
    # pandas string operation costs more to set up than the IDs of a chunk of files to read.
    values = text.to_numpy()
    decimal = np.fromiter((v.isdecimal() for v in values), dtype=bool, count=len(values))
    length = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
    nine, twelve = decimal & (length == 9), decimal & (length == 12)
    if nine.any():
        col.add("CCCD_OLD_CMND", out.loc[text.index[nine]], "citizen_id", ids)
    odd = ~nine & ~twelve
    if odd.any():   # the cell as written, of these rows only
        odd_rows = text.index[odd]
        col.add("CCCD_FORMAT", out.loc[odd_rows], "citizen_id",
                _column(raw, "citizen_id").loc[odd_rows].map(clean_text))
    # The 4th digit: century and gender (0/1: 1900s man/woman, 2/3: 2000s); digits 5–6: birth year.
    full = values[twelve]
    code = np.fromiter((int(v[3]) for v in full), dtype=np.int64, count=len(full))
    known = code <= 3
    full, code = full[known], code[known]
    rows = out.loc[text.index[twelve][known]]
    woman = pd.Series(code % 2 == 1, index=rows.index)
    gender_wrong = rows["gender"].notna() & (woman != rows["gender"].eq("Nữ"))
    year = np.where(code < 2, 1900, 2000) + np.fromiter((int(v[4:6]) for v in full), dtype=np.int64, count=len(full))
    year_wrong = rows["birth_date"].notna() & (rows["birth_date"].dt.year != year)
    wrong = rows[gender_wrong | year_wrong]
    if wrong.empty:
        return
    number = pd.Series(full, index=rows.index, dtype=object)[wrong.index]
    gender_text = "giới tính " + wrong["gender"].fillna("") + " (chữ số thứ 4 là " + number.str[3] + ")"
    year_text = ("năm sinh " + wrong["birth_date"].dt.year.astype("Int64").astype(str) + " (chữ số 4–6 là "
                 + number.str[3:6] + ")")
    g, y = gender_wrong[wrong.index], year_wrong[wrong.index]
    detail = gender_text.where(g & ~y, year_text.where(y & ~g, gender_text + " và " + year_text))
    col.add("CCCD_MISMATCH", wrong, "citizen_id", ids, detail=detail)


def _check_date_order(out: pd.DataFrame, col: _Collector) -> None:
    """Dates of one person that contradict each other (no period and no configuration needed:
    this runs in the reading workers). The ceremony's limit in working days needs the
    configured calendar: `_check_ceremony`, in `validate`."""
    born, admitted, ceremony, official = (out[k] for k in MEMBER_DATE_KEYS)
    months = age_in_months(born, admitted)
    young, old = under_admission_age(months), over_admission_age(months)
    if young.any():
        col.add("ADMISSION_UNDER_18", out[young], "admitted_on", admitted, detail=years_and_months(months[young]))
    if old.any():
        col.add("ADMISSION_OVER_60", out[old], "admitted_on", admitted, detail=years_and_months(months[old]))
    start = probation_start(out)
    earliest = start + PROBATION
    early = start.notna() & official.notna() & (official < earliest)
    if early.any():
        col.add("OFFICIAL_TOO_EARLY", out[early], "official_on", official, detail=_day_text(earliest[early]))
    before = admitted.notna() & ceremony.notna() & (ceremony < admitted)
    if before.any():
        col.add("CEREMONY_BEFORE_DECISION", out[before], "ceremony_on", ceremony, detail=_day_text(admitted[before]))


def _check_ceremony(out: pd.DataFrame, col: _Collector, calendar: WorkCalendar) -> None:
    """The ceremony after the last day allowed (`charter.ceremony_due`): late, whatever day of
    the week it was held on. A ceremony before the decision is another rule's."""
    admitted, ceremony = out["admitted_on"], out["ceremony_on"]
    both = admitted.notna() & ceremony.notna() & (ceremony >= admitted)
    if not both.any():
        return
    due = ceremony_due(admitted.where(both), calendar)
    late = both & (ceremony > due)
    if not late.any():
        return
    working = calendar.between(admitted[late], ceremony[late])
    col.add("CEREMONY_LATE", out[late], "ceremony_on", ceremony,
            detail="quyết định ngày " + _day_text(admitted[late]) + "; hạn chót là ngày " + _day_text(due[late])
            + ", lễ kết nạp là ngày làm việc thứ " + working.astype(str) + " sau quyết định")


def _check_member_dates(out: pd.DataFrame, col: _Collector, period: Period) -> None:
    """Dates against the period: after its end, an implausible age at its end, overdue recognition."""
    end = pd.Timestamp(period.end)
    end_text = period.end.strftime("%d/%m/%Y")
    admitted, ceremony = out["admitted_on"], out["ceremony_on"]
    late = admitted > end
    col.add("ADMITTED_AFTER_PERIOD", out[late], "admitted_on", admitted, detail=end_text)
    for key in ("birth_date", "official_on"):
        col.add("DATE_AFTER_PERIOD", out[out[key] > end], key, out[key], detail=end_text)
    # A ceremony after the period for a decision known to be in it (or after it: said above) is
    # real and accepted; only a ceremony whose decision date is unknown is questioned.
    unknown_decision = (ceremony > end) & admitted.isna()
    col.add("DATE_AFTER_PERIOD", out[unknown_decision], "ceremony_on", ceremony, detail=end_text)
    born = out["birth_date"]
    age = age_at(born, period.end)
    odd = born.notna() & ((age < PLAUSIBLE_AGES[0]) | (age > PLAUSIBLE_AGES[1]))
    col.add("AGE_IMPLAUSIBLE", out[odd], "birth_date", born, detail=_years(age[odd]) + " tuổi vào cuối kỳ")
    overdue = overdue_mask(out, period.end)   # the same rule the figures count
    start, ended, due = probation_start(out), probation_end(out), out["recognition_due"]
    col.add("RECOGNITION_OVERDUE", out[overdue], "official_on", None,
            detail=_day_text(ended[overdue]) + " (dự bị từ " + _day_text(start[overdue])
            + "), hạn chót để chi bộ xét công nhận là ngày " + _day_text(due[overdue]))


def _years(values: pd.Series) -> pd.Series:
    return values.astype("Int64").astype(str)


# ---------- candidates ----------

CANDIDATE_FRAME = ["unit", "file", "sheet", "row", "full_name", "birth_date", "certificate_on", "certified"]


def type_candidates(raw: pd.DataFrame, col: _Collector) -> pd.DataFrame:
    """Raw candidate rows → typed rows (no unit, not yet judged against the period); each helper
    column becomes the name as written (`helper_1`) and the citizen ID it may hold (`helper_1_id`)."""
    if raw.empty:
        return _empty_candidates()
    raw, _ = _blank_error_values(raw, col)
    names = _text(raw, "full_name")
    unnamed = names.isna()
    if unnamed.any():
        col.add("ROW_NOT_COUNTED", raw[unnamed], "full_name")
        raw, names = raw[~unnamed], names[~unnamed]
    out = pd.DataFrame({"file": raw["file"], "sheet": raw["sheet"],
                        "row": raw["row"].astype(int), "full_name": names}, index=raw.index)
    out["birth_date"], _ = _dates(raw, "birth_date", col, allow_year=True)
    out["certificate_on"], _ = _dates(raw, "certificate_on", col)
    missing = out["certificate_on"].isna() & _blank(_column(raw, "certificate_on"))
    if missing.any():
        col.add("CERT_MISSING", out[missing], "certificate_on")
    for key in HELPER_KEYS:
        if key in raw:
            out[key] = _text(raw, key)
            out[f"{key}_id"] = citizen_ids(_column(raw, key))
    return out.reset_index(drop=True)


def _empty_candidates() -> pd.DataFrame:
    return pd.DataFrame({"file": pd.Series(dtype=object), "sheet": pd.Series(dtype=object),
                         "row": pd.Series(dtype="int64"), "full_name": pd.Series(dtype=object),
                         "birth_date": pd.Series(dtype="datetime64[ns]"),
                         "certificate_on": pd.Series(dtype="datetime64[ns]")})


def _check_candidates(out: pd.DataFrame, members: pd.DataFrame, col: _Collector, period: Period,
                      organisation: dict[str, str]) -> None:
    """Certificates against the period (adds `certified`), and the helpers."""
    end = pd.Timestamp(period.end)
    oldest = end - CERTIFICATE
    cert = out["certificate_on"]
    out["certified"] = cert.between(oldest, end)
    col.add("CERT_EXPIRED", out[cert < oldest], "certificate_on", cert)
    col.add("DATE_AFTER_PERIOD", out[cert > end], "certificate_on", cert, detail=period.end.strftime("%d/%m/%Y"))
    _check_helpers(out, members, col, period, organisation)


# A helper whose official date could not be read: neither official nor not (no issue either way).
UNKNOWN = "unknown"
# Of two members of one organisation with the same name (or ID), the more official one counts.
_OFFICIAL_RANK = {False: 0, UNKNOWN: 1, True: 2}

# The Youth Union's grassroots committee as offices name it in a helper column (folded, without
# dots and dashes): "Đoàn TN", "Đoàn thanh niên", "Đoàn TNCS Hồ Chí Minh", "Đoàn cơ sở", "BCH Đoàn
# (trường, cơ sở, …)", "Ban Chấp hành Đoàn cơ sở", and a chi đoàn cơ sở (the Youth Union's grassroots
# organisation where there is no đoàn cơ sở) or its committee. "Đoàn" alone is a family name.
_YOUTH_UNION = re.compile(r"((ban chap hanh|bch)\s+(chi\s+)?doan|doan\s+(tn|thanh nien|tncs|co so)|chi doan co so)\b")
# A chi đoàn (a branch, not a grassroots organisation): its meeting proposes the member, but the
# introduction is the grassroots committee's.
_YOUTH_BRANCH = re.compile(r"(ban chap hanh\s+|bch\s+)?chi doan\b")


def youth_union_named(text: pd.Series) -> pd.Series:
    """Whether each helper cell names the Youth Union's grassroots committee rather than a person
    ("youth"), names a chi đoàn ("branch"), or neither (None)."""
    def kind(value):
        if value is None:
            return None
        folded = re.sub(r"\s+", " ", re.sub(r"[.\-–,]", " ", fold(value))).strip()
        if _YOUTH_UNION.match(folded):
            return "youth"
        return "branch" if _YOUTH_BRANCH.match(folded) else None
    return _map_unique(text, kind)


def _check_helpers(out, members, col: _Collector, period: Period, organisation: dict[str, str]) -> None:
    """Introducers (đảng viên giúp đỡ) must be official members of the candidate's grassroots
    organisation (tổ chức cơ sở đảng: `Register.grassroots`), named by full name or citizen ID,
    in any of its cells; a Youth Union member of youth age may be introduced by the Youth Union's
    grassroots committee and one official member instead.

    Looked up by the citizen ID the cell holds, then by the name as written, then (a name not
    found so) without diacritics and case. Two members of the organisation with the same name:
    found, and official if either is."""
    end = pd.Timestamp(period.end)
    official = (members["official_on"].notna() & (members["official_on"] <= end)).astype(object)
    if "official_unreadable" in members:
        official[members["official_unreadable"].astype(bool)] = UNKNOWN  # neither official nor not
    member_org = _organisation_of(members["unit"], organisation)
    candidate_org = _organisation_of(out["unit"], organisation)
    by_id = _Lookup(member_org, members["citizen_id"], official)
    by_name = _Lookup(member_org, members["full_name"], official)
    loosely: _Lookup | None = None
    youth: dict[str, pd.Series] = {}
    for key in HELPER_KEYS:
        if key not in out:
            continue
        text = out[key]
        found = by_id.get(candidate_org, out[f"{key}_id"])
        found = found.where(found.notna(), by_name.get(candidate_org, text))
        missed = text.notna() & found.isna()
        if missed.any():
            if loosely is None:
                loosely = _Lookup(member_org, members["full_name"].map(fold), official)
            found[missed] = loosely.get(candidate_org[missed], text[missed].map(fold))
        named = text.notna()
        kind = pd.Series(None, index=out.index, dtype=object)
        unmatched = named & found.isna()
        if unmatched.any():
            kind[unmatched] = youth_union_named(text[unmatched])
        youth[key] = kind.eq("youth")
        col.add("HELPER_NOT_FOUND", out[unmatched & kind.isna()], key, text)
        col.add("HELPER_NOT_OFFICIAL", out[named & found.eq(False)], key, text)
        col.add("YOUTH_UNION_INTRODUCER", out[kind.eq("branch")], key, text,
                detail="chi đoàn không phải là tổ chức giới thiệu đoàn viên vào Đảng; nghị quyết của chi đoàn "
                       "chỉ là căn cứ để Ban Chấp hành Đoàn cơ sở giới thiệu")
    if youth:
        _check_youth_union(out, youth, col, end)


def _check_youth_union(out, youth: dict[str, pd.Series], col: _Collector, end) -> None:
    """The Youth Union named as an introducer: only for a Youth Union member of youth age, and
    with one official member beside it."""
    any_youth = pd.concat(list(youth.values()), axis=1).any(axis=1)
    if not any_youth.any():
        return
    member = out["youth_union"] if "youth_union" in out else pd.Series(None, index=out.index, dtype=object)
    not_member = member.eq(False)   # None: the file has no Đoàn viên column, nothing to say
    born = out["birth_date"]
    too_old = born.notna() & ~youth_age(born, end)
    detail = pd.Series("người vào Đảng không phải là đoàn viên (cột \"Đoàn viên\" không đánh dấu)", index=out.index)
    detail[too_old] = ("người vào Đảng đã " + _years(age_at(born[too_old], end))
                       + " tuổi vào cuối kỳ, quá độ tuổi thanh niên (đến 30 tuổi)")
    for key, named in youth.items():
        wrong = named & (not_member | too_old)
        col.add("YOUTH_UNION_INTRODUCER", out[wrong], key, out[key], detail=detail[wrong])
    both = pd.concat(list(youth.values()), axis=1).all(axis=1) & (len(youth) == len(HELPER_KEYS))
    if both.any():
        last = HELPER_KEYS[-1]
        col.add("YOUTH_UNION_INTRODUCER", out[both], last, out[last],
                detail="cả hai người giới thiệu đều là tổ chức Đoàn; cần thêm một đảng viên chính thức giới thiệu")


def _organisation_of(units: pd.Series, organisation: dict[str, str]) -> pd.Series:
    """Each cell's grassroots organisation (`Register.grassroots`); a cell the map does not have
    (no register given) is its own."""
    return _map_unique(units.astype(object), lambda unit: organisation.get(unit, unit))


class _Lookup:
    """(organisation, key) → value, looked up for a whole column at once; of rows sharing a key,
    the most official value (`_OFFICIAL_RANK`) wins."""

    def __init__(self, units: pd.Series, keys: pd.Series, values: pd.Series):
        joined = (units.astype(object) + "\x00" + keys.astype(object)).astype(object)
        known = joined.notna()
        rank = values[known].map(_OFFICIAL_RANK).to_numpy()
        best = pd.DataFrame({"key": joined[known].to_numpy(dtype=object), "rank": rank,
                             "value": values[known].to_numpy(dtype=object)})
        best = best.sort_values("rank", kind="stable").drop_duplicates("key", keep="last")
        self.index = pd.Index(best["key"].to_numpy(dtype=object))
        self.values = best["value"].to_numpy(dtype=object)

    def get(self, units: pd.Series, keys: pd.Series) -> pd.Series:
        joined = (units.astype(object) + "\x00" + keys.astype(object)).astype(object)
        position = self.index.get_indexer(joined.to_numpy(dtype=object))
        found = np.empty(len(position), dtype=object)
        found[:] = None
        hit = position >= 0
        found[hit] = self.values[position[hit]]
        return pd.Series(found, index=units.index, dtype=object)


# ---------- across files ----------

def duplicates(members: pd.DataFrame, col: _Collector) -> None:
    """The same citizen ID twice, in one file or in two units: an error on every row."""
    ids = members["citizen_id"]
    valid = ids.notna() & ids.fillna("").str.fullmatch(PERSON_ID)
    dup = members[valid & ids.duplicated(keep=False)]
    if dup.empty:
        return
    places = dup.groupby("citizen_id")[["unit", "file", "row"]].apply(lambda g: list(g.itertuples(index=False)))
    detail = pd.Series([
        "; ".join(f"dòng {p.row} tệp {p.file}" + ("" if p.unit == unit else f" ({p.unit})")
                  for p in places[cid] if (p.file, p.row) != (file, row))
        for cid, unit, file, row in zip(dup["citizen_id"], dup["unit"], dup["file"], dup["row"])
    ], index=dup.index)
    col.add("DUPLICATE_PERSON", dup, "citizen_id", dup["citizen_id"], detail=detail)


@dataclass
class Prepared:
    """Rows typed by `prepare`: members and candidates of many files (with `file`, no unit yet)
    and the issues about their values (unit None)."""

    members: pd.DataFrame
    candidates: pd.DataFrame
    issues: list[rulebook.Issue]

    @classmethod
    def concat(cls, parts: list[Prepared]) -> Prepared:
        def frames(name):
            kept = [getattr(p, name) for p in parts if len(getattr(p, name))]
            if len(kept) == 1:
                return kept[0].reset_index(drop=True)
            return pd.concat(kept, ignore_index=True) if kept else getattr(prepare([]), name)

        return cls(frames("members"), frames("candidates"), [i for p in parts for i in p.issues])

    def of(self, units: dict[str, str]) -> Prepared:
        """The rows and issues of these files only (file → unit), with their unit."""
        def frame(rows: pd.DataFrame) -> pd.DataFrame:
            rows = rows[rows["file"].isin(list(units))].reset_index(drop=True)
            rows.insert(0, "unit", rows["file"].map(units).astype(object))
            return rows

        issues = [replace(i, unit=units[i.file]) for i in self.issues if i.file in units]
        return Prepared(frame(self.members), frame(self.candidates), issues)


def prepare(workbooks: list[Workbook]) -> Prepared:
    """The checks that need no period and no other file, over these workbooks' tables at once."""
    members = {wb.file: wb.members for wb in workbooks if wb.members is not None}
    member_col = _Collector(members)
    typed_members = type_members(_stack(members), member_col)
    candidates = {wb.file: wb.candidates for wb in workbooks if wb.candidates is not None}
    candidate_col = _Collector(candidates)
    raw_candidates = _stack(candidates)
    typed_candidates = type_candidates(raw_candidates, candidate_col)
    if "youth_union" not in typed_candidates:
        typed_candidates["youth_union"] = _candidate_youth_union(raw_candidates, typed_candidates, candidates)
    return Prepared(typed_members, typed_candidates, member_col.out + candidate_col.out)


def _candidate_youth_union(raw: pd.DataFrame, typed: pd.DataFrame, tables: dict[str, Table]) -> pd.Series:
    """Each typed candidate row's `Đoàn viên` cell: True (marked), False (blank), or None when its
    file has no such column (whether the candidate is a Youth Union member is then not known)."""
    if typed.empty:
        return pd.Series(None, index=typed.index, dtype=object)
    marked = _map_unique(_text(raw, "youth_union", unique=True), lambda v: fold(v or "") in YES_WORDS)
    marked = marked.astype(object).where(_present(raw, tables, "youth_union"), None)
    # (file, Excel row) names one raw row: each file has one candidate table, each row once.
    by_row = dict(zip(zip(raw["file"].tolist(), raw["row"].astype(int).tolist()), marked.to_numpy(dtype=object)))
    wanted = zip(typed["file"].tolist(), typed["row"].astype(int).tolist())
    return pd.Series([by_row.get(key, np.nan) for key in wanted], index=typed.index, dtype=object)


def validate(submissions: list[Submission], period: Period, prepared: Prepared | None = None, *,
             calendar: WorkCalendar | None = None, register: Register | None = None):
    """→ (members, candidates, issues) over every accepted submission.

    `prepared`: the rows `prepare` typed when the files were read (of any files: only the accepted
    ones are kept); without it, the accepted files' tables are prepared here. `calendar`: the
    working days of the configuration ([calendar]; default: Vietnam's public holidays alone).
    `register`: where helpers are looked up (the candidate's grassroots organisation); without
    it, in the candidate's own cell. The members come back with `recognition_due`, the last day
    allowed for recognition, which `charter.overdue_mask` (the figures too) reads."""
    accepted = [s for s in submissions if s.status == FileStatus.ACCEPTED]
    units = {s.file: s.unit for s in accepted}
    if prepared is None:
        prepared = prepare([s.workbook for s in accepted])
    rows = prepared.of(units)
    members, candidates = rows.members, rows.candidates
    calendar = calendar or vietnam()
    members["recognition_due"] = recognition_due(members, calendar)
    member_col = _Collector({s.file: s.workbook.members for s in accepted}, units)
    _check_ceremony(members, member_col, calendar)
    _check_member_dates(members, member_col, period)
    duplicates(members, member_col)
    with_candidates = [s for s in accepted if s.workbook.candidates is not None]
    candidate_col = _Collector({s.file: s.workbook.candidates for s in with_candidates}, units)
    _check_candidates(candidates, members, candidate_col, period, register.grassroots if register else {})
    found = sorted(rows.issues + member_col.out + candidate_col.out, key=rulebook.sort_key)
    return members.drop(columns=["_birth_col"], errors="ignore"), candidates[CANDIDATE_FRAME], found
