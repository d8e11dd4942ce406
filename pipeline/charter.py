"""The Party's rules on ages and time limits, and the one reading of each that the checks
(`pipeline.rules`) and the figures (`pipeline.figures`) share, so a warning and a count can never
disagree. `docs/figures.md` explains each.

The rules are the Party Charter's (Điều lệ Đảng) as the current regulations apply them: Quy định
232-QĐ/TW (2025, replacing 24-QĐ/TW of 2021; amended by 294-QĐ/TW) and the Secretariat's Hướng
dẫn 01-HD/TW. Limits in working days are counted with a `workdays.WorkCalendar`, passed in (this
module stays a leaf): the day of the event is not counted, and the N-th working day after it is
the last one allowed.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

ADMISSION_MIN_AGE = 18      # at the admission, counted in months ("đủ 18 tuổi … tính theo tháng")
ADMISSION_MAX_AGE = 60      # older (in months) needs the consent of a committee directly under the Centre
PLAUSIBLE_AGES = (16, 100)  # a member's age at the end of the period outside these is a typing slip
PROBATION_MONTHS = 12       # probation (dự bị) from the ceremony, or the decision when no ceremony
RECOGNITION_WORKING_DAYS = 30  # the cell considers recognition within this many working days of probation's end
CEREMONY_WORKING_DAYS = 30  # the ceremony within this many working days of the decision
CERTIFICATE_MONTHS = 60     # a candidate's certificate (lớp bồi dưỡng nhận thức về Đảng) is valid this long
YOUTH_AGE_LIMIT = 30        # the 18–30 age band of the admissions breakdown; youth age (độ tuổi thanh niên)

PROBATION = pd.DateOffset(months=PROBATION_MONTHS)
CERTIFICATE = pd.DateOffset(months=CERTIFICATE_MONTHS)


def age_in_months(born: pd.Series, on) -> pd.Series:
    """Age in whole months by (year, month) alone, the day of the month ignored, as the Party
    counts the age of admission ("tính theo tháng"): born 20/03/2004, on 05/03/2022 → 216 months,
    18 years. `on` a date or a column of dates; missing where either date is."""
    if isinstance(on, (dt.date, pd.Timestamp)):
        on = pd.Series(pd.Timestamp(on), index=born.index)
    months = (on.dt.year - born.dt.year) * 12 + (on.dt.month - born.dt.month)
    return months.where(born.notna() & on.notna()).astype("Int64")


def under_admission_age(months: pd.Series) -> pd.Series:
    """Fewer than 18 years of months at the admission (ADMISSION_UNDER_18)."""
    return (months < ADMISSION_MIN_AGE * 12).fillna(False).astype(bool)


def over_admission_age(months: pd.Series) -> pd.Series:
    """More than 60 years of months at the admission (ADMISSION_OVER_60): 60 years and 0 months is still 60."""
    return (months > ADMISSION_MAX_AGE * 12).fillna(False).astype(bool)


def years_and_months(months: pd.Series) -> pd.Series:
    """`17 tuổi 11 tháng`, `61 tuổi` (no months when they are 0), for a message."""
    years, rest = months // 12, months % 12
    text = years.astype(str) + " tuổi"
    return text.where(rest.eq(0), text + " " + rest.astype(str) + " tháng")


def youth_age(born: pd.Series, on) -> pd.Series:
    """Of youth age (độ tuổi thanh niên, up to 30) on `on`: at most 30 years and 11 months, in the
    same months as the admission age; False where the birth date is missing."""
    return (age_in_months(born, on) < (YOUTH_AGE_LIMIT + 1) * 12).fillna(False).astype(bool)


def ceremony_due(admitted: pd.Series, calendar) -> pd.Series:
    """The last day the ceremony may be held: the CEREMONY_WORKING_DAYS-th working day after the
    admission decision's date (the regulations count from the day the cell receives the decision,
    which no roster says; the decision's own date is the earliest it can be)."""
    return calendar.after(admitted, CEREMONY_WORKING_DAYS)


def probation_start(members: pd.DataFrame) -> pd.Series:
    """The ceremony date, else the admission decision's."""
    return members["ceremony_on"].fillna(members["admitted_on"])


def probation_end(members: pd.DataFrame) -> pd.Series:
    """The day 12 months after the start: the first day the member may be official (an earlier
    official date is OFFICIAL_TOO_EARLY), and the day from which the cell's limit is counted."""
    return probation_start(members) + PROBATION


def recognition_due(members: pd.DataFrame, calendar) -> pd.Series:
    """The last day allowed for the cell to consider recognition: the RECOGNITION_WORKING_DAYS-th
    working day after `probation_end` (`calendar`: a `workdays.WorkCalendar`). `rules.validate`
    stores it as the members' `recognition_due` column, which `overdue_mask` reads."""
    return calendar.after(probation_end(members), RECOGNITION_WORKING_DAYS)


def official_unknown(members: pd.DataFrame) -> pd.Series:
    """Rows whose Ngày chính thức was written but could not be read: whether they are official is
    not known, so they are in neither the probationary nor the overdue count."""
    if "official_unreadable" not in members:
        return pd.Series(False, index=members.index)
    return members["official_unreadable"].fillna(False).astype(bool)


def probationary_mask(members: pd.DataFrame, period_end) -> pd.Series:
    """Members still on probation (đảng viên dự bị) at `period_end`: no official date, or one after it."""
    official = members["official_on"]
    return (official.isna() & ~official_unknown(members)) | (official > pd.Timestamp(period_end))


def overdue_mask(members: pd.DataFrame, period_end) -> pd.Series:
    """Probationary members overdue for recognition at `period_end`: no official date, and
    `period_end` after their `recognition_due` (on that day itself they are not overdue yet).

    A file without a Ngày chính thức column cannot say who is overdue (and raises no issue)."""
    known = members["has_official_column"].astype(bool) & ~official_unknown(members)
    return known & members["official_on"].isna() & (members["recognition_due"] < pd.Timestamp(period_end))
