"""Timeliness: which cells sent a usable file by the deadline, and the reporting rates up the tree.

The way DHIS2 reports a data set: the *completeness rate* of a committee is the share of its cells
whose figures are in (accepted / expected), the *on-time rate* the share whose usable file was
first seen on or before the deadline (on time / expected). A cell's time is when the pipeline
first saw the earliest usable file it sent for the period (`pipeline.arrivals`): a correction sent
after the deadline does not make an on-time cell late; a file that could not be used does not make
a cell on time. docs/figures.md, "Hạn nộp".
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from pipeline.intake import Submission
from pipeline.period import Period
from pipeline.register import Register
from pipeline.status import FileStatus, Timeliness, UnitStatus

TIMELINESS_COLUMNS = ["timeliness", "days_late", "submitted_at", "cells_on_time", "cells_late",
                      "completeness_rate", "on_time_rate"]


def submitted_at(submissions: list[Submission], period: Period,
                 first_seen: dict[str, dt.datetime]) -> dict[str, dt.datetime]:
    """Each cell → when its earliest usable file for `period` was first seen."""
    out: dict[str, dt.datetime] = {}
    for sub in submissions:
        seen = first_seen.get(sub.file)
        if sub.unit is None or sub.period != period or seen is None or \
                sub.status not in (FileStatus.ACCEPTED, FileStatus.SUPERSEDED):
            continue
        if sub.unit not in out or seen < out[sub.unit]:
            out[sub.unit] = seen
    return out


def judge(status: UnitStatus, seen: dt.datetime | None, deadline: dt.date | None,
          today: dt.date) -> tuple[Timeliness, int | None]:
    """One cell's timeliness and days late."""
    if status == UnitStatus.ACCEPTED:
        if deadline is None or seen is None:
            return Timeliness.RECEIVED, None
        late = (seen.date() - deadline).days
        return (Timeliness.LATE, late) if late > 0 else (Timeliness.ON_TIME, None)
    if status == UnitStatus.REJECTED:
        return Timeliness.REJECTED, None
    if deadline is not None and today <= deadline:
        return Timeliness.AWAITING, None
    return Timeliness.MISSING, None


def unit_timeliness(register: Register, statuses: dict[str, UnitStatus], seen: dict[str, dt.datetime],
                    deadline: dt.date | None, today: dt.date) -> pd.DataFrame:
    """TIMELINESS_COLUMNS for every unit of the register (index: unit code, tree order). A
    committee has no timeliness of its own; its counts and rates are over the cells below it."""
    cells = register.cells.index
    judged = {c: judge(statuses.get(c, UnitStatus.MISSING), seen.get(c), deadline, today) for c in cells}
    own = pd.DataFrame({
        "cell": list(cells),
        "on_time": [int(judged[c][0] == Timeliness.ON_TIME) for c in cells],
        "late": [int(judged[c][0] == Timeliness.LATE) for c in cells],
        "accepted": [int(statuses.get(c) == UnitStatus.ACCEPTED) for c in cells],
        "expected": 1,
    })
    rolled = own.merge(register.ancestors_frame(), on="cell").groupby("unit")[
        ["on_time", "late", "accepted", "expected"]].sum().reindex(register.units.index).fillna(0).astype(int)
    frame = pd.DataFrame(index=register.units.index)
    is_cell = register.units["is_cell"]
    frame["timeliness"] = [judged[c][0] if cell else None for c, cell in zip(frame.index, is_cell)]
    frame["days_late"] = pd.array([judged[c][1] if cell else None for c, cell in zip(frame.index, is_cell)],
                                  dtype="Int64")
    frame["submitted_at"] = [seen.get(c) if cell else None for c, cell in zip(frame.index, is_cell)]
    frame["cells_on_time"] = rolled["on_time"]
    frame["cells_late"] = rolled["late"]
    expected = rolled["expected"].where(rolled["expected"] > 0)
    frame["completeness_rate"] = rolled["accepted"] / expected
    frame["on_time_rate"] = rolled["on_time"] / expected if deadline is not None else float("nan")
    return frame
