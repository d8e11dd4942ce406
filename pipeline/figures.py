"""The figures for every unit, rolled up the tree, and the coverage (docs/figures.md).

Each member row gets boolean flags (vectorised); flags are rolled up by pairing every cell with
its ancestors, so a person on two cells' sheets counts once above them. A unit's figures are
over its whole subtree.
"""

from __future__ import annotations

import pandas as pd

from pipeline.charter import (
    ADMISSION_MIN_AGE, YOUTH_AGE_LIMIT, overdue_mask, probation_end, probation_start, probationary_mask,
)
from pipeline.contract import MAJORITY_GROUP
from pipeline.intake import Submission
from pipeline.normalize import PERSON_ID, age_at
from pipeline.period import Period
from pipeline.register import Register
from pipeline.report import FIGURE_COLUMNS, Coverage
from pipeline.status import FileStatus, UnitStatus


def person_key(members: pd.DataFrame) -> pd.Series:
    """Citizen ID when it looks like one, else the row's own position: one person per row."""
    ids = members["citizen_id"].astype(object)
    valid = ids.notna() & ids.astype(str).str.fullmatch(PERSON_ID).astype(bool)
    key = ids.where(valid)
    own = ~valid
    key[own] = members["file"][own].astype(str) + "#" + members["row"][own].astype(str)
    return key.astype(object)


def member_flags(members: pd.DataFrame, period: Period) -> pd.DataFrame:
    """One row per member row: unit, person, and 0/1 (or age) columns to be summed."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    year_start = pd.Timestamp(period.year_start)
    admitted, official = members["admitted_on"], members["official_on"]
    flags = pd.DataFrame({"unit": members["unit"], "person": person_key(members)})
    flags["members"] = 1
    flags["probationary"] = probationary_mask(members, period.end)
    flags["admitted_quarter"] = admitted.between(start, end)
    ytd = admitted.between(year_start, end)
    flags["admitted_ytd"] = ytd
    for q in range(1, 5):
        q_start, q_end = period.quarter_bounds(q)
        flags[f"admitted_q{q}"] = admitted.between(pd.Timestamp(q_start), min(pd.Timestamp(q_end), end))
    flags["recognized_quarter"] = official.between(start, end)
    flags["ytd_women"] = ytd & members["gender"].eq("Nữ")
    flags["ytd_minority"] = ytd & members["ethnicity"].notna() & members["ethnicity"].ne(MAJORITY_GROUP)
    flags["ytd_religion"] = ytd & members["has_religion"].astype(bool)
    flags["ytd_youth_union"] = ytd & members["youth_union"].astype(bool)
    age = age_at(members["birth_date"], admitted)
    flags["ytd_age_18_30"] = ytd & age.between(ADMISSION_MIN_AGE, YOUTH_AGE_LIMIT)
    flags["ytd_age_known"] = ytd & age.notna()
    flags["ytd_age_sum"] = age.where(ytd, 0).fillna(0)
    flags["overdue"] = overdue_mask(members, period.end)
    return flags


def unit_figures(register: Register, members: pd.DataFrame, candidates: pd.DataFrame,
                 statuses: dict[str, str], period: Period) -> pd.DataFrame:
    """Every FIGURE_COLUMN for every unit of the register (index: unit code, tree order)."""
    pairs = register.ancestors_frame()
    flags = member_flags(members, period)
    value_cols = [c for c in flags.columns if c not in ("unit", "person")]
    # A person listed in two cells counts once in every unit above both: the few people on more
    # than one row are rolled up person by person, everyone else cell by cell.
    repeated = flags["person"].duplicated(keep=False)
    once = flags[~repeated].groupby("unit")[value_cols].sum().rename_axis("cell").reset_index()
    once = once.merge(pairs, on="cell").groupby("unit")[value_cols].sum()
    rolled = flags[repeated].merge(pairs, left_on="unit", right_on="cell", suffixes=("_cell", ""))
    twice = rolled.groupby(["unit", "person"], sort=False)[value_cols].max().groupby(level="unit").sum()
    figures = once.add(twice, fill_value=0) if len(twice) else once

    cand = pd.DataFrame({"unit": candidates["unit"], "candidates": 1,
                         "candidates_certified": candidates["certified"].astype(bool).astype(int)})
    cand = cand.merge(pairs, left_on="unit", right_on="cell", suffixes=("_cell", ""))
    figures = figures.join(cand.groupby("unit")[["candidates", "candidates_certified"]].sum(), how="outer")

    cells = pd.DataFrame({"cell": register.cells.index})
    cells["cells_expected"] = 1
    cells["cells_submitted"] = cells["cell"].map(
        lambda c: statuses.get(c, UnitStatus.MISSING) != UnitStatus.MISSING).astype(int)
    cells["cells_accepted"] = cells["cell"].map(lambda c: statuses.get(c) == UnitStatus.ACCEPTED).astype(int)
    cells = cells.merge(pairs, on="cell")
    figures = figures.join(cells.groupby("unit")[["cells_expected", "cells_submitted", "cells_accepted"]].sum(),
                           how="outer")

    figures = figures.reindex(register.units.index).reindex(columns=FIGURE_COLUMNS).fillna(0).astype(int)
    figures.insert(0, "target_year", rolled_targets(register))
    return figures


def rolled_targets(register: Register) -> pd.Series:
    """A unit's own target when the register gives one, else the sum of its children's."""
    units = register.units
    target = units["target"].astype("Int64").copy()
    for depth in sorted(units["depth"].unique(), reverse=True):  # the deepest level is final first
        open_units = units.index[(units["depth"] == depth) & target.isna()]
        if len(open_units):
            kids = target.groupby(units["parent"]).sum(min_count=1)
            # by label and as plain values: a Series on the right is realigned, and an all-missing
            # one used to be taken for positions (KeyError) when cells with and without a target mix
            target.loc[open_units] = kids.reindex(open_units).to_numpy()
    return target


def cell_statuses(register: Register, submissions: list[Submission],
                  period: Period) -> tuple[dict[str, UnitStatus], Coverage]:
    """accepted / rejected / missing for every cell, and the coverage line of the report."""
    cells = list(register.cells.index)
    statuses: dict[str, UnitStatus] = {}
    unresolved: list[str] = []
    for sub in submissions:
        in_period = sub.period == period
        if sub.unit is None:
            if sub.period is None or in_period:
                unresolved.append(sub.file)
            continue
        if not in_period:
            continue
        # A cell with a file for the period is accepted when one of its files is, else rejected.
        if sub.status == FileStatus.ACCEPTED or statuses.get(sub.unit) == UnitStatus.ACCEPTED:
            statuses[sub.unit] = UnitStatus.ACCEPTED
        else:
            statuses[sub.unit] = UnitStatus.REJECTED
    for cell in cells:
        statuses.setdefault(cell, UnitStatus.MISSING)
    rejected = [c for c in cells if statuses[c] == UnitStatus.REJECTED] + sorted(unresolved)
    missing = [c for c in cells if statuses[c] == UnitStatus.MISSING]
    accepted = sum(1 for c in cells if statuses[c] == UnitStatus.ACCEPTED)
    submitted = sum(1 for c in cells if statuses[c] != UnitStatus.MISSING)
    return statuses, Coverage(expected=len(cells), submitted=submitted, accepted=accepted,
                              rejected=rejected, missing=missing)


def admitted_in_quarter(members: pd.DataFrame, register: Register, period: Period) -> pd.DataFrame:
    chosen = members[members["admitted_on"].between(pd.Timestamp(period.start), pd.Timestamp(period.end))]
    chosen = chosen.drop_duplicates(subset=None if chosen.empty else ["citizen_id", "full_name"])
    return pd.DataFrame({
        "full_name": chosen["full_name"],
        "birth_date": chosen["birth_date"].dt.date,
        "gender": chosen["gender"],
        "unit_code": chosen["unit"],
        "unit_name": chosen["unit"].map(register.display_names()),
        "admitted_on": chosen["admitted_on"].dt.date,
    }).reset_index(drop=True)


def overdue_people(members: pd.DataFrame, register: Register, period: Period) -> pd.DataFrame:
    chosen = members[overdue_mask(members, period.end)]
    start = probation_start(chosen)
    due = probation_end(chosen)
    return pd.DataFrame({
        "full_name": chosen["full_name"],
        "unit_code": chosen["unit"],
        "unit_name": chosen["unit"].map(register.display_names()),
        "probation_start": start.dt.date,
        "due_on": due.dt.date,   # the end of probation ("Hết hạn dự bị ngày")
        "recognition_due": chosen["recognition_due"].dt.date,   # the last day allowed ("Hạn xét công nhận")
        # calendar days past the last day allowed for recognition (charter.recognition_due)
        "days_overdue": (pd.Timestamp(period.end) - chosen["recognition_due"]).dt.days.astype(int),
    }).reset_index(drop=True)
