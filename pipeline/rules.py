"""The checks of DOMAIN §4 over the accepted submissions → typed tables and issues.

One pass, every problem collected; nothing raises. Each issue points at the file, sheet, Excel
row and the column header as written in the file. Values that cannot be read become missing
(NaT/None) and the issue says so; the person still counts (DOMAIN §5).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from pipeline import issues as iss
from pipeline.intake import ACCEPTED, Submission
from pipeline.normalize import EXCEL_ERRORS, PERSON_ID, add_months, citizen_id, clean_text, fold, full_years, is_blank, parse_date
from pipeline.period import Period
from pipeline.roster import MEMBER_LABELS, MEMBER_REQUIRED, Table

GENDERS = ("Nam", "Nữ")
ETHNIC_GROUPS = (
    "Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Mông", "Dao", "Gia Rai", "Ê Đê", "Ba Na",
    "Sán Chay", "Chăm", "Cơ Ho", "Xơ Đăng", "Sán Dìu", "Hrê", "Ra Glai", "Mnông", "Thổ", "Xtiêng",
    "Khơ Mú", "Bru - Vân Kiều", "Cơ Tu", "Giáy", "Tà Ôi", "Mạ", "Giẻ Triêng", "Co", "Chơ Ro",
    "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào", "La Chí", "Kháng", "Phù Lá", "La Hủ", "La Ha", "Pà Thẻn",
    "Lự", "Ngái", "Chứt", "Lô Lô", "Mảng", "Cờ Lao", "Bố Y", "Cống", "Si La", "Pu Péo", "Rơ Măm",
    "Brâu", "Ơ Đu",
)
# Other spellings in use → the list's name.
ETHNIC_ALIASES = {"hmong": "Mông", "h'mong": "Mông", "stieng": "Xtiêng", "khmu": "Khơ Mú", "van kieu": "Bru - Vân Kiều",
                  "bru": "Bru - Vân Kiều", "co lao": "Cờ Lao", "raglai": "Ra Glai", "gie-trieng": "Giẻ Triêng",
                  "ede": "Ê Đê", "jrai": "Gia Rai", "bahnar": "Ba Na", "cham": "Chăm", "khome": "Khmer"}
NO_RELIGION = ("", "khong", "khong co", "-", "0")
YES_WORDS = ("x", "co", "yes", "1", "v", "dv", "doan vien")

MEMBER_DATES = ("birth_date", "admitted_on", "ceremony_on", "official_on")
PROBATION_MONTHS = 12
RECOGNITION_GRACE_DAYS = 30
CEREMONY_WORKING_DAYS = 30
CERTIFICATE_MONTHS = 60


def _squash(text: str) -> str:
    return re.sub(r"[\s\-']", "", fold(text))


_ETHNIC_INDEX = {_squash(g): g for g in ETHNIC_GROUPS} | {_squash(k): v for k, v in ETHNIC_ALIASES.items()}


class _Collector:
    """Issues for one table, with the table's own header spellings."""

    def __init__(self, sub: Submission, table: Table):
        self.sub, self.table, self.out = sub, table, []
        # Under the Nam/Nữ layout the birth date's column differs row by row.
        self.birth_cols = {}
        if "_birth_col" in table.rows:
            self.birth_cols = {r: c for r, c in zip(table.rows["row"], table.rows["_birth_col"]) if pd.notna(c)}

    def add(self, rule: str, row: int, key: str | None, value=None, **ctx):
        column = self.table.headers.get(key, MEMBER_LABELS.get(key, key)) if key else None
        shown = value
        if isinstance(value, (dt.date, pd.Timestamp)):
            shown = value.strftime("%d/%m/%Y")
        elif value is not None and not isinstance(value, str):
            shown = clean_text(value)
        position = self.table.positions.get(key) if key else None
        if key in ("birth_date", "gender") and row in self.birth_cols:
            position = int(self.birth_cols[row])
        cell = None if position is None or row is None else f"{get_column_letter(position + 1)}{int(row)}"
        self.out.append(iss.make(rule, unit=self.sub.unit, file=self.sub.file, sheet=self.table.sheet,
                                 row=row, column=column, value=shown, cell=cell, **ctx))


def _dates(frame: pd.DataFrame, key: str, col: _Collector, *, allow_year=False) -> pd.Series:
    out = []
    for value, row in zip(frame[key], frame["row"]):
        day, status = parse_date(value, allow_year=allow_year)
        if status == "bad":
            col.add("BAD_DATE", row, key, value, detail=" Người này chưa được tính ở các số liệu cần ngày này.")
        elif status == "error":
            col.add("EXCEL_ERROR", row, key, value)
        elif status == "year":
            col.add("BIRTH_YEAR_ONLY", row, key, value)
        out.append(day)
    return pd.Series(pd.to_datetime(out), index=frame.index)


def _choice(frame, key, col: _Collector, allowed_index: dict[str, str], allowed: tuple[str, ...]) -> pd.Series:
    out = []
    for value, row in zip(frame[key], frame["row"]):
        text = clean_text(value)
        if text is None:
            out.append(None)
            continue
        hit = allowed_index.get(_squash(text))
        if hit is None:
            close = difflib.get_close_matches(_squash(text), list(allowed_index), n=1, cutoff=0.6)
            suggestion = f" Có phải là \"{allowed_index[close[0]]}\"?" if close else ""
            suggestion += f" Giá trị hợp lệ: {', '.join(allowed[:8])}{'…' if len(allowed) > 8 else ''}."
            col.add("BAD_VALUE", row, key, text, suggestion=suggestion)
        out.append(hit)
    return pd.Series(out, index=frame.index, dtype=object)


def _text(frame, key) -> pd.Series:
    if key not in frame:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return frame[key].map(clean_text).astype(object)


def _blank_error_values(raw: pd.DataFrame, col: "_Collector") -> tuple[pd.DataFrame, pd.DataFrame]:
    """An Excel error value (`#REF!`) is reported once at its cell and then read as empty.

    → (rows with those cells emptied, a same-shaped mask of them, so no later check reports the
    same cell again as missing)."""
    keys = [k for k in raw.columns if k != "row" and not k.startswith("_")]
    errors = raw[keys].map(lambda v: isinstance(v, str) and v.strip().upper() in EXCEL_ERRORS)
    if not errors.to_numpy().any():
        return raw, errors
    raw = raw.copy()
    for key in keys:
        for index in raw.index[errors[key]]:
            col.add("EXCEL_ERROR", raw.at[index, "row"], key, raw.at[index, key])
            raw.at[index, key] = None
    return raw, errors


def type_members(sub: Submission, period: Period) -> tuple[pd.DataFrame, list[iss.Issue]]:
    """Raw member rows of one accepted file → typed rows + value-level issues."""
    table = sub.workbook.members
    col = _Collector(sub, table)
    raw, errored = _blank_error_values(table.rows, col)
    names = _text(raw, "full_name")
    unnamed = names.isna()
    for row in raw.loc[unnamed, "row"]:
        col.add("ROW_NOT_COUNTED", row, "full_name")
    raw = raw[~unnamed]
    out = pd.DataFrame(index=raw.index)
    out["unit"] = sub.unit
    out["file"] = sub.file
    out["sheet"] = table.sheet
    out["row"] = raw["row"].astype(int)
    out["full_name"] = names[~unnamed]
    for key in MEMBER_DATES:
        out[key] = _dates(raw, key, col, allow_year=key == "birth_date") if key in raw else pd.NaT
    out["gender"] = _choice(raw, "gender", col, {_squash(g): g for g in GENDERS}, GENDERS) if "gender" in raw else None
    out["ethnicity"] = _choice(raw, "ethnicity", col, _ETHNIC_INDEX, ETHNIC_GROUPS) if "ethnicity" in raw else None
    out["religion"] = _text(raw, "religion")
    out["has_religion"] = out["religion"].map(lambda v: fold(v or "") not in NO_RELIGION)
    out["youth_union"] = _text(raw, "youth_union").map(lambda v: fold(v or "") in YES_WORDS)
    out["education"] = _text(raw, "education")
    out["note"] = _text(raw, "note")
    out["citizen_id"] = raw["citizen_id"].map(citizen_id) if "citizen_id" in raw else None
    out["has_official_column"] = "official_on" in table.headers
    if "_gender_conflict" in raw:
        for row in raw.loc[raw["_gender_conflict"].eq(True), "row"]:
            col.add("BAD_VALUE", row, "gender", "Nam và Nữ", suggestion=" Chỉ ghi ngày sinh vào một trong hai cột Nam, Nữ.")
    for key in MEMBER_REQUIRED:
        if key == "full_name" or key not in table.headers:
            continue
        missing = raw[key].map(is_blank) if key in raw else pd.Series(True, index=raw.index)
        if key in errored:
            missing &= ~errored.loc[raw.index, key]
        for row in raw.loc[missing, "row"]:
            col.add("REQUIRED_MISSING", row, key)
    _check_citizen_ids(out, raw, col)
    _check_member_dates(out, col, period, has_official="official_on" in table.headers)
    return out.reset_index(drop=True), col.out


def _check_citizen_ids(out: pd.DataFrame, raw: pd.DataFrame, col: _Collector) -> None:
    for cid, value, row, gender, born in zip(out["citizen_id"], raw.get("citizen_id", out["citizen_id"]),
                                             out["row"], out["gender"], out["birth_date"]):
        if cid is None:
            continue
        if re.fullmatch(r"\d{9}", cid):
            col.add("CCCD_OLD_CMND", row, "citizen_id", cid)
            continue
        if not re.fullmatch(r"\d{12}", cid):
            col.add("CCCD_FORMAT", row, "citizen_id", clean_text(value))
            continue
        code = int(cid[3])
        if code > 3:
            continue
        wrong = []
        if gender is not None and (code % 2 == 1) != (gender == "Nữ"):
            wrong.append(f"giới tính {gender} (chữ số thứ 4 là {code})")
        if not pd.isna(born):
            century = 1900 if code < 2 else 2000
            if century + int(cid[4:6]) != born.year:
                wrong.append(f"năm sinh {born.year} (chữ số 4–6 là {cid[3:6]})")
        if wrong:
            col.add("CCCD_MISMATCH", row, "citizen_id", cid, detail=" và ".join(wrong))


def _check_member_dates(out: pd.DataFrame, col: _Collector, period: Period, has_official: bool = True) -> None:
    end = pd.Timestamp(period.end)
    for key in MEMBER_DATES:
        late = out[key] > end
        for row, day in zip(out.loc[late, "row"], out.loc[late, key]):
            col.add("DATE_AFTER_PERIOD", row, key, day, detail=period.end.strftime("%d/%m/%Y"))
    for rec in out.itertuples():
        born = None if pd.isna(rec.birth_date) else rec.birth_date.date()
        admitted = None if pd.isna(rec.admitted_on) else rec.admitted_on.date()
        ceremony = None if pd.isna(rec.ceremony_on) else rec.ceremony_on.date()
        official = None if pd.isna(rec.official_on) else rec.official_on.date()
        if born:
            age = full_years(born, period.end)
            if age < 16 or age > 100:
                col.add("AGE_IMPLAUSIBLE", rec.row, "birth_date", born, detail=f"{age} tuổi vào cuối kỳ")
        if born and admitted:
            at = full_years(born, admitted)
            if at < 18:
                col.add("ADMISSION_UNDER_18", rec.row, "admitted_on", admitted, detail=at)
            elif at > 60:
                col.add("ADMISSION_OVER_60", rec.row, "admitted_on", admitted, detail=at)
        start = ceremony or admitted
        if admitted and ceremony:
            days = int(np.busday_count(admitted, ceremony))
            if days > CEREMONY_WORKING_DAYS:
                col.add("CEREMONY_LATE", rec.row, "ceremony_on", ceremony,
                        detail=f"{days} ngày làm việc sau ngày {admitted:%d/%m/%Y}")
        if start and official:
            earliest = add_months(start, PROBATION_MONTHS)
            if official < earliest:
                col.add("OFFICIAL_TOO_EARLY", rec.row, "official_on", official, detail=f"{earliest:%d/%m/%Y}")
        elif start and not official and has_official:
            due = add_months(start, PROBATION_MONTHS)
            if period.end > due + dt.timedelta(days=RECOGNITION_GRACE_DAYS):
                col.add("RECOGNITION_OVERDUE", rec.row, "official_on", None, detail=f"{start:%d/%m/%Y}")


def type_candidates(sub: Submission, members: pd.DataFrame, period: Period) -> tuple[pd.DataFrame, list[iss.Issue]]:
    table = sub.workbook.candidates
    if table is None:
        return pd.DataFrame(columns=["unit", "file", "sheet", "row", "full_name", "certificate_on", "certified"]), []
    col = _Collector(sub, table)
    raw, _ = _blank_error_values(table.rows, col)
    names = _text(raw, "full_name")
    for row in raw.loc[names.isna(), "row"]:
        col.add("ROW_NOT_COUNTED", row, "full_name")
    raw = raw[names.notna()]
    out = pd.DataFrame(index=raw.index)
    out["unit"], out["file"], out["sheet"] = sub.unit, sub.file, table.sheet
    out["row"] = raw["row"].astype(int)
    out["full_name"] = names[names.notna()]
    out["birth_date"] = _dates(raw, "birth_date", col, allow_year=True) if "birth_date" in raw else pd.NaT
    out["certificate_on"] = _dates(raw, "certificate_on", col) if "certificate_on" in raw else pd.NaT
    oldest = pd.Timestamp(add_months(period.end, -CERTIFICATE_MONTHS))
    end = pd.Timestamp(period.end)
    out["certified"] = out["certificate_on"].between(oldest, end)
    for rec in out.itertuples():
        if pd.isna(rec.certificate_on):
            if "certificate_on" not in raw or is_blank(raw.at[rec.Index, "certificate_on"]):
                col.add("CERT_MISSING", rec.row, "certificate_on")
        elif rec.certificate_on < oldest:
            col.add("CERT_EXPIRED", rec.row, "certificate_on", rec.certificate_on)
        elif rec.certificate_on > end:
            col.add("DATE_AFTER_PERIOD", rec.row, "certificate_on", rec.certificate_on, detail=f"{period.end:%d/%m/%Y}")
    by_name = {fold(n): o for n, o in zip(members["full_name"], members["official_on"])}
    by_id = {c: o for c, o in zip(members["citizen_id"], members["official_on"]) if c}
    for key in ("helper_1", "helper_2"):
        if key not in raw:
            continue
        for value, row in zip(raw[key], out["row"]):
            text = clean_text(value)
            if text is None:
                continue
            ident = citizen_id(value)
            if ident in by_id:
                official = by_id[ident]
            elif fold(text) in by_name:
                official = by_name[fold(text)]
            else:
                col.add("HELPER_NOT_FOUND", row, key, text)
                continue
            if pd.isna(official) or official > end:
                col.add("HELPER_NOT_OFFICIAL", row, key, text)
    return out.reset_index(drop=True), col.out


def duplicates(members: pd.DataFrame, tables: dict[str, Table]) -> list[iss.Issue]:
    """The same citizen ID twice, in one file or in two units: an error on every row."""
    ids = members["citizen_id"]
    dup = members[ids.notna() & ids.str.fullmatch(PERSON_ID).fillna(False).astype(bool) & ids.duplicated(keep=False)]
    out = []
    for cid, group in dup.groupby("citizen_id", sort=True):
        places = list(zip(group["unit"], group["file"], group["sheet"], group["row"]))
        for unit, file, sheet, row in places:
            others = [f"dòng {r} tệp {f}" + ("" if u == unit else f" ({u})") for u, f, s, r in places if (f, r) != (file, row)]
            table = tables[file]
            position = table.positions.get("citizen_id")
            out.append(iss.make("DUPLICATE_PERSON", unit=unit, file=file, sheet=sheet, row=row,
                                column=table.headers.get("citizen_id", "Số CCCD"), value=cid, detail="; ".join(others),
                                cell=None if position is None else f"{get_column_letter(position + 1)}{row}"))
    return out


def validate(submissions: list[Submission], period: Period):
    """→ (members, candidates, issues) over every accepted submission."""
    members, candidates, found = [], [], []
    tables = {}
    for sub in submissions:
        if sub.status != ACCEPTED:
            continue
        m, problems = type_members(sub, period)
        found += problems
        c, problems = type_candidates(sub, m, period)
        found += problems
        members.append(m)
        candidates.append(c)
        tables[sub.file] = sub.workbook.members
    members_frame = pd.concat(members, ignore_index=True) if members else _empty_members()
    candidates_frame = pd.concat(candidates, ignore_index=True) if candidates else pd.DataFrame(
        columns=["unit", "file", "sheet", "row", "full_name", "certificate_on", "certified"])
    found += duplicates(members_frame, tables)
    return members_frame, candidates_frame, found


def _empty_members() -> pd.DataFrame:
    frame = pd.DataFrame(columns=["unit", "file", "sheet", "row", "full_name", *MEMBER_DATES, "gender", "ethnicity",
                                  "religion", "has_religion", "youth_union", "education", "note", "citizen_id",
                                  "has_official_column"])
    for key in MEMBER_DATES:
        frame[key] = pd.to_datetime(frame[key])
    return frame
