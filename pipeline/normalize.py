"""Text, dates and citizen IDs as offices type them → clean values (DOMAIN §3).

Day first, always: Vietnamese dates are never month first.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

EXCEL_EPOCH = dt.date(1899, 12, 30)
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
    try:
        import pandas as pd

        return value is pd.NA or value is pd.NaT
    except Exception:  # pragma: no cover
        return False


def clean_text(value) -> str | None:
    """NFC, single spaces, stripped; None for blank. Numbers that are whole print without `.0`."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        value = value.strftime("%d/%m/%Y")
    text = unicodedata.normalize("NFC", str(value))
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


def fold(value) -> str:
    """Compare key: no diacritics (đ → d), lower case, single spaces. `Họ và tên` → `ho va ten`."""
    text = clean_text(value)
    if text is None:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.lower()


_DATE_PATTERNS = [
    # (regex, order of groups: day, month, year)
    (re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$"), ("y", "m", "d")),
]


def parse_date(value, *, allow_year: bool = False) -> tuple[dt.date | None, str]:
    """→ (date, status); status is "ok", "empty", "bad", "year" (a year alone, taken as 1 January)
    or "error" (an Excel error value such as #REF!)."""
    if is_blank(value):
        return None, "empty"
    if isinstance(value, dt.datetime):
        return value.date(), "ok"
    if isinstance(value, dt.date):
        return value, "ok"
    if isinstance(value, bool):
        return None, "bad"
    if isinstance(value, (int, float)):
        number = float(value)
        if allow_year and number.is_integer() and 1900 <= number <= 2100:
            return dt.date(int(number), 1, 1), "year"
        if number.is_integer() and 1 <= number < 2958466:  # Excel serial day numbers
            return EXCEL_EPOCH + dt.timedelta(days=int(number)), "ok"
        return None, "bad"
    text = clean_text(value) or ""
    if text.upper() in EXCEL_ERRORS:
        return None, "error"
    if allow_year and re.fullmatch(r"\d{4}", text):
        return dt.date(int(text), 1, 1), "year"
    for pattern, order in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            parts = dict(zip(order, (int(g) for g in m.groups())))
            try:
                return dt.date(parts["y"], parts["m"], parts["d"]), "ok"
            except ValueError:
                return None, "bad"
    return None, "bad"


def citizen_id(value) -> str | None:
    """Digits of a citizen ID as text. A number that lost its leading zeros gets them back when
    it has 10–11 digits (a 12-digit CCCD typed into a number cell)."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value) or ""
    text = re.sub(r"[\s.\-']", "", text)
    if isinstance(value, int) and 10 <= len(text) < 12:
        text = text.zfill(12)
    return text or None


def full_years(born: dt.date, on: dt.date) -> int:
    """Age in full years on a day."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return dt.date(year, month, min(day.day, last))
