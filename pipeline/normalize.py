"""Text, dates and citizen IDs as offices type them → clean values (docs/roster-format.md).

Day first, always: Vietnamese dates are never month first.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata

import numpy as np
import pandas as pd

EXCEL_EPOCH = dt.date(1899, 12, 30)
_EPOCH_DAY = dt.date(1970, 1, 1).toordinal()   # day 0 of datetime64
# Years a date in a roster can have; a date outside them is a typing slip (and beyond what a
# datetime64[ns] column holds, 1677–2262).
YEARS = (1800, 2200)
# A citizen ID that identifies a person: 12-digit CCCD or the old 9-digit CMND.
PERSON_ID = r"\d{12}|\d{9}"
EXCEL_ERRORS = {"#REF!", "#VALUE!", "#N/A", "#NAME?", "#DIV/0!", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"}


def is_blank(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return value is pd.NA or value is pd.NaT


def clean_text(value) -> str | None:
    """NFC, single spaces, stripped; None for blank. Numbers that are whole print without `.0`."""
    if type(value) is not str:
        if is_blank(value):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, (dt.datetime, dt.date)):
            value = value.strftime("%d/%m/%Y")
        value = str(value)
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return " ".join(value.split()) or None   # str.split(): the whitespace `\s` matches, Unicode too


def fold(value) -> str:
    """Compare key: no diacritics (đ → d), lower case, single spaces. `Họ và tên` → `ho va ten`."""
    text = clean_text(value)
    if text is None:
        return ""
    if text.isascii():
        return text.lower()
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.lower()


_DAY_FIRST = r"^(?P<d>\d{1,2})[/\-.](?P<m>\d{1,2})[/\-.](?P<y>\d{4})$"
_ISO = r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T]00:00(?::00)?)?$"
# A date written out as offices type it: "ngày 15 tháng 3 năm 1990", "15 tháng 03 năm 1990" (folded).
_IN_WORDS = r"^(?:ngay\s*)?(?P<d>\d{1,2})\s*thang\s*(?P<m>\d{1,2})\s*(?:nam|,)\s*(?P<y>\d{4})$"


def _kind(value) -> str:
    if isinstance(value, (dt.date, pd.Timestamp)):
        return "date"
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return "num"
    return "str" if isinstance(value, str) else "none" if value is None else "other"


_KIND_OF_TYPE = {t: _kind(v) for t, v in ((dt.datetime, dt.datetime(2000, 1, 1)), (dt.date, dt.date(2000, 1, 1)),
                                            (pd.Timestamp, pd.Timestamp(2000, 1, 1)), (int, 1), (float, 1.0),
                                            (np.float64, np.float64(1)), (np.int64, np.int64(1)), (str, ""),
                                            (type(None), None), (bool, True))}


def _kinds(values: pd.Series) -> np.ndarray:
    """Each value's kind (date, num, str, none, other), looked up by its type: one dict lookup a
    value instead of a chain of isinstance calls. A NumPy array: the masks made from it are
    compared and combined without pandas' cost per operation."""
    kinds = np.empty(len(values), dtype=object)
    kinds[:] = [_KIND_OF_TYPE.get(type(v)) or _kind(v) for v in values.to_numpy()]
    return kinds


def parse_dates(values: pd.Series, allow_year: bool = False) -> tuple[pd.Series, pd.Series]:
    """Vectorised `normalize.parse_date`: → (datetime64 column, status column: ok/empty/bad/year/error)."""
    if pd.api.types.is_datetime64_any_dtype(values):  # real dates only (tables._as_dates)
        days = real_dates(values)
        return days, pd.Series(np.where(days.notna(), "ok", "empty"), index=values.index, dtype=object)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    status = pd.Series("bad", index=values.index, dtype=object)
    # The masks are NumPy arrays, and each step runs only where it has cells to read: a date
    # column is nearly all real dates, and a pandas operation costs more than a file's cells.
    kind = _kinds(values)
    num = kind == "num"
    numbers = pd.to_numeric(values.where(num), errors="coerce")
    n = numbers.to_numpy()
    missing = np.isnan(n)
    status[(kind == "none") | (num & missing)] = "empty"
    dates = kind == "date"
    if dates.any():
        # A date cell typed with a wrong year (3022) is a real Excel date, but no one's: bad.
        found = values[dates]
        found = found[[YEARS[0] <= v.year <= YEARS[1] for v in found.to_numpy()]]
        out.loc[found.index] = _midnights(found)
        status.loc[found.index] = "ok"
    whole = ~missing & (n == np.round(n))
    if allow_year:
        year = whole & (n >= 1900) & (n <= 2100)
        if year.any():
            out[year] = pd.to_datetime(dict(year=numbers[year].astype(int), month=1, day=1))
            status[year] = "year"
            whole &= ~year
    # Excel serial days, up to the last day of the years read (pandas holds dates only to 2262)
    serial = whole & (n >= 1) & (n <= (dt.date(YEARS[1], 12, 31) - EXCEL_EPOCH).days)
    if serial.any():
        out[serial] = pd.Timestamp(EXCEL_EPOCH) + pd.to_timedelta(numbers[serial], unit="D")
        status[serial] = "ok"
    text = values[kind == "str"].str.strip()   # the text cells only (a date column holds few)
    status.loc[text.index[text.eq("")]] = "empty"
    status.loc[text.index[text.str.upper().isin(EXCEL_ERRORS)]] = "error"
    if allow_year:
        year = text.str.fullmatch(r"\d{4}").fillna(False).astype(bool)
        if year.any():
            out.loc[text.index[year]] = pd.to_datetime(dict(year=text[year].astype(int), month=1, day=1))
            status.loc[text.index[year]] = "year"
    for pattern in (_DAY_FIRST, _ISO, _IN_WORDS):
        left = text[status.loc[text.index].eq("bad")]
        if left.empty:
            continue
        if pattern is _IN_WORDS:  # compared folded: "ngày 15 tháng 3 năm 1990" → "ngay 15 thang 3 nam 1990"
            left = left.map(fold)
        parts = left.str.extract(pattern).dropna()
        if parts.empty:
            continue
        days = pd.to_datetime(dict(year=parts["y"].astype(int), month=parts["m"].astype(int),
                                   day=parts["d"].astype(int)), errors="coerce")
        good = days.dropna()
        out[good.index] = good
        status[good.index] = "ok"
    return out, status


def real_dates(values: pd.Series) -> pd.Series:
    """A datetime64 column (`tables._as_dates`) as `parse_dates` gives it: each day at midnight,
    in nanoseconds; every cell is read ("ok") or blank ("empty")."""
    return values.dt.normalize().astype("datetime64[ns]")


def _midnights(found: pd.Series) -> pd.Series:
    """Date cells → datetime64[ns] at midnight. Excel's dates (`date`, naive `datetime`) by their
    day number, at once; anything else (a Timestamp, a time zone) as pandas reads it."""
    values = found.to_numpy()
    if all(type(v) is dt.date or (type(v) is dt.datetime and v.tzinfo is None) for v in values):
        days = np.array([v.toordinal() for v in values], dtype="int64") - _EPOCH_DAY
        return pd.Series(days.astype("datetime64[D]").astype("datetime64[ns]"), index=found.index)
    return pd.to_datetime(found).dt.normalize()


def parse_date(value, *, allow_year: bool = False) -> tuple[dt.date | None, str]:
    """One value: → (date, status); status is "ok", "empty", "bad", "year" (a year alone, taken as
    1 January) or "error" (an Excel error value such as #REF!). Same rules as `parse_dates`."""
    if isinstance(value, dt.datetime):   # the common case, without building a Series (~3 ms)
        return value.date(), "ok"
    if isinstance(value, dt.date):
        return value, "ok"
    if value is None:
        return None, "empty"
    days, status = parse_dates(pd.Series([value], dtype=object), allow_year=allow_year)
    day = days.iloc[0]
    return (None if pd.isna(day) else day.date()), status.iloc[0]


_ID_MARKS = str.maketrans("", "", ".-'")


def citizen_ids(values: pd.Series) -> pd.Series:
    """`citizen_id` of each value (text, nearly every cell, without a call per cell)."""
    return pd.Series(["".join(v.split()).translate(_ID_MARKS) or None if type(v) is str else citizen_id(v)
                      for v in values.to_numpy()], index=values.index, dtype=object)


def citizen_id(value) -> str | None:
    """Digits as text, without spaces, dots, dashes or the apostrophe that forces text in Excel;
    a number that lost its leading zeros gets them back when it has 10–11 digits."""
    if type(value) is str:
        text = value
    elif value is None or value is pd.NA or value is pd.NaT:
        return None
    elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if value != value:  # NaN
            return None
        if float(value).is_integer():
            text = str(int(value))
            text = text.zfill(12) if 10 <= len(text) <= 11 else text
        else:
            text = str(float(value))
    else:
        text = str(value)
    return "".join(text.split()).translate(_ID_MARKS) or None


def age_at(born: pd.Series, on) -> pd.Series:
    """Full years from each birth date to `on` (a date, or a column of dates); NaN where missing."""
    if isinstance(on, (dt.date, pd.Timestamp)):
        on = pd.Series(pd.Timestamp(on), index=born.index)
    years = on.dt.year - born.dt.year
    before_birthday = (on.dt.month * 100 + on.dt.day) < (born.dt.month * 100 + born.dt.day)
    return (years - before_birthday.astype(int)).where(born.notna() & on.notna())
