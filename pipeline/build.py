"""Inbox + register → Report. The one place the stages are put together.

Files, the clock and progress display come in as arguments (STYLE: stages over plain data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

from pipeline import intake, issues as iss
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.figures import admitted_in_quarter, cell_statuses, overdue_people, unit_figures
from pipeline.period import Period
from pipeline.register import Register
from pipeline.report import Report
from pipeline.roster import read_workbook
from pipeline.rules import validate

import pandas as pd

Progress = Callable[[Iterable], Iterable]


def load_inbox(inbox: Path, register: Register, progress: Progress = lambda it: it) -> list[intake.Submission]:
    """Read and match every file of the inbox (nothing in it is ever written)."""
    paths = intake.list_inbox(inbox)
    workbooks = [read_workbook(p, name=str(p.relative_to(inbox))) for p in progress(paths)]
    return intake.match(workbooks, register)


def choose_period(submissions: list[intake.Submission], year: int | None, quarter: int) -> Period:
    if not 1 <= quarter <= 4:
        raise PipelineError(f"Quý phải là 1, 2, 3 hoặc 4 (đang là {quarter}).")
    if year is None:
        year = intake.infer_year(submissions, quarter)
    return Period(year, quarter)


def build_report(register: Register, submissions: list[intake.Submission], period: Period,
                 config: Config, today: dt.date) -> Report:
    intake.select(submissions, period)
    members, candidates, row_issues = validate(submissions, period)
    statuses, coverage = cell_statuses(register, submissions, period)
    found = [i for sub in submissions for i in sub.issues] + row_issues
    for cell, status in statuses.items():
        if status == "missing":
            found.append(iss.make("UNIT_MISSING", unit=cell))
        elif status == intake.REJECTED:
            found.append(iss.make("UNIT_REJECTED", unit=cell))
    found.sort(key=iss.sort_key)

    units = register.units[["name", "type", "parent", "depth", "is_cell"]].copy()
    units["status"] = [statuses.get(c, "aggregate") if cell else "aggregate"
                       for c, cell in zip(units.index, units["is_cell"])]
    accepted_files = {s.unit: s.file for s in submissions if s.status == intake.ACCEPTED}
    units["file"] = units.index.map(lambda c: accepted_files.get(c))
    units = units.join(unit_figures(register, members, candidates, statuses, period))

    files = pd.DataFrame([
        {"file": s.file, "path": s.workbook.path, "unit": s.unit, "period": s.period.label if s.period else None,
         "status": s.status, "status_vi": intake.STATUS_VI.get(s.status, s.status),
         "errors": sum(1 for i in s.issues if i.severity == iss.ERROR) +
                   sum(1 for i in row_issues if i.file == s.file and i.severity == iss.ERROR),
         "warnings": sum(1 for i in s.issues if i.severity == iss.WARNING) +
                     sum(1 for i in row_issues if i.file == s.file and i.severity == iss.WARNING)}
        for s in submissions
    ], columns=["file", "path", "unit", "period", "status", "status_vi", "errors", "warnings"])

    return Report(
        period=period,
        config=config,
        report_date=config.report_date or today,
        units=units,
        structure=register.structure(),
        coverage=coverage,
        admitted_in_quarter=admitted_in_quarter(members, register, period),
        overdue=overdue_people(members, register, period),
        issues=found,
        files=files,
    )
