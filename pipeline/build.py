"""Matched submissions → the Report: the one place the report's stages are put together.

Which file counts (`intake.select`), the checks against the period and across files
(`rules.validate`), each cell's status, the figures up the tree and the appendices
(`pipeline.figures`). Files, the clock and progress come in as arguments.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd

from pipeline import intake, rulebook
from pipeline.bulk import paused_gc
from pipeline.config import Config
from pipeline.figures import admitted_in_quarter, cell_statuses, overdue_people, unit_figures
from pipeline.period import Period
from pipeline.register import Register
from pipeline.report import Report
from pipeline.rules import Prepared, validate
from pipeline.rulebook import ERROR, WARNING
from pipeline.status import FileStatus, UnitStatus


def build_report(register: Register, submissions: list[intake.Submission], period: Period,
                 config: Config, today: dt.date, prepared: Prepared | None = None) -> Report:
    """`prepared`: the rows `read_inbox` typed (else the accepted files' tables are typed here)."""
    with paused_gc():
        return _build_report(register, submissions, period, config, today, prepared)


def _build_report(register: Register, submissions: list[intake.Submission], period: Period,
                  config: Config, today: dt.date, prepared: Prepared | None) -> Report:
    intake.select(submissions, period)
    members, candidates, row_issues = validate(submissions, period, prepared)
    # Admitted after the period's last day: not a member yet on that day (ADMITTED_AFTER_PERIOD
    # says so); counted from the next period.
    members = members[~(members["admitted_on"] > pd.Timestamp(period.end))].reset_index(drop=True)
    statuses, coverage = cell_statuses(register, submissions, period)
    found = [i for sub in submissions for i in sub.issues] + row_issues
    for cell, status in statuses.items():
        if status == UnitStatus.MISSING:
            found.append(rulebook.make("UNIT_MISSING", unit=cell))
        elif status == UnitStatus.REJECTED:
            found.append(rulebook.make("UNIT_REJECTED", unit=cell))
    found.sort(key=rulebook.sort_key)

    units = register.units[["name", "type", "parent", "depth", "is_cell", "email"]].copy()
    units["status"] = [statuses.get(c, UnitStatus.AGGREGATE) if cell else UnitStatus.AGGREGATE
                       for c, cell in zip(units.index, units["is_cell"])]
    accepted_files = {s.unit: s.file for s in submissions if s.status == FileStatus.ACCEPTED}
    units["file"] = units.index.map(lambda c: accepted_files.get(c))
    units = units.join(unit_figures(register, members, candidates, statuses, period))

    counts = Counter((i.file, i.severity) for i in found if i.file is not None)
    files = pd.DataFrame([
        {"file": s.file, "path": s.workbook.path, "unit": s.unit, "period": s.period.label if s.period else None,
         "status": s.status, "status_vi": FileStatus(s.status).vi,
         "errors": counts[s.file, ERROR], "warnings": counts[s.file, WARNING]}
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
