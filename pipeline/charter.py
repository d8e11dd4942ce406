"""The Party's rules on ages and time limits, and the one reading of each that the checks
(`pipeline.rules`) and the figures (`pipeline.figures`) share, so a warning and a count can never
disagree. `docs/figures.md` explains each.
"""

from __future__ import annotations

import pandas as pd

ADMISSION_MIN_AGE = 18      # full years at the admission decision
ADMISSION_MAX_AGE = 60      # older needs the superior committee's consent (a warning)
PLAUSIBLE_AGES = (16, 100)  # a member's age at the end of the period outside these is a typing slip
PROBATION_MONTHS = 12       # probation (dự bị) from the ceremony, or the decision when no ceremony
RECOGNITION_GRACE_DAYS = 30  # overdue for recognition only this long after probation ends
CEREMONY_WORKING_DAYS = 30  # the ceremony within this many working days of the decision
CERTIFICATE_MONTHS = 60     # a candidate's certificate (lớp bồi dưỡng nhận thức về Đảng) is valid this long
YOUTH_AGE_LIMIT = 30        # the 18–30 age band of the admissions breakdown

PROBATION = pd.DateOffset(months=PROBATION_MONTHS)
RECOGNITION_GRACE = pd.Timedelta(days=RECOGNITION_GRACE_DAYS)
CERTIFICATE = pd.DateOffset(months=CERTIFICATE_MONTHS)


def probation_start(members: pd.DataFrame) -> pd.Series:
    """The ceremony date, else the admission decision's."""
    return members["ceremony_on"].fillna(members["admitted_on"])


def probation_end(members: pd.DataFrame) -> pd.Series:
    return probation_start(members) + PROBATION


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
    """Probationary members overdue for recognition at `period_end`: no official date and
    probation over more than RECOGNITION_GRACE_DAYS before it.

    A file without a Ngày chính thức column cannot say who is overdue (and raises no issue)."""
    known = members["has_official_column"].astype(bool) & ~official_unknown(members)
    return known & members["official_on"].isna() & (probation_end(members) + RECOGNITION_GRACE < pd.Timestamp(period_end))
