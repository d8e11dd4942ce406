"""Matched submissions → the Report: the one place the report's stages are put together.

Which file counts (`intake.select`), the checks against the period and across files
(`rules.validate`), each cell's status, the figures up the tree and the appendices
(`pipeline.figures`). Files, the clock and progress come in as arguments.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace

import pandas as pd

from pipeline import intake, rulebook
from pipeline.breakdowns import admission_breakdowns
from pipeline.bulk import paused_gc
from pipeline.config import Config
from pipeline.deadlines import submitted_at, unit_timeliness
from pipeline.figures import admitted_in_quarter, cell_statuses, overdue_people, unit_figures
from pipeline.period import Period
from pipeline.register import Register
from pipeline.report import Report
from pipeline.rules import Prepared, validate
from pipeline.rulebook import ERROR, WARNING
from pipeline.status import FileStatus, UnitStatus


def build_report(register: Register, submissions: list[intake.Submission], period: Period,
                 config: Config, today: dt.date, prepared: Prepared | None = None,
                 first_seen: dict[str, dt.datetime] | None = None, now: dt.datetime | None = None,
                 last_year: dict | None = None) -> Report:
    """`prepared`: the rows `read_inbox` typed (else the accepted files' tables are typed here).
    `first_seen`: when each file (by its name in the inbox) was first seen (`pipeline.arrivals`),
    for timeliness; `now`: when timeliness is judged (default: `today`'s start). `last_year`: the
    summary.json of the same quarter of the previous year, for the breakdowns' comparison (None: none)."""
    now = now or dt.datetime.combine(today, dt.time()).astimezone()
    with paused_gc():
        return _build_report(register, submissions, period, config, today, prepared, first_seen or {}, now,
                             last_year)


def _build_report(register: Register, submissions: list[intake.Submission], period: Period,
                  config: Config, today: dt.date, prepared: Prepared | None,
                  first_seen: dict[str, dt.datetime], now: dt.datetime, last_year: dict | None = None) -> Report:
    intake.select(submissions, period)
    members, candidates, row_issues = validate(submissions, period, prepared,
                                              calendar=config.calendar.work_calendar(), register=register)
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
    units = units.join(issue_counts(register, found))
    deadline, rule = config.deadlines.for_period(period)
    units = units.join(unit_timeliness(register, statuses, submitted_at(submissions, period, first_seen),
                                       deadline, now.date()))
    root = units.iloc[0]
    coverage = replace(coverage, on_time=int(root["cells_on_time"]), late=int(root["cells_late"]))

    counts = Counter((i.file, i.severity) for i in found if i.file is not None)
    files = pd.DataFrame([
        {"file": s.file, "path": s.workbook.path, "unit": s.unit, "period": s.period.label if s.period else None,
         "slug": s.period.slug if s.period else None,
         "status": s.status, "status_vi": FileStatus(s.status).vi,
         "errors": counts[s.file, ERROR], "warnings": counts[s.file, WARNING]}
        for s in submissions
    ], columns=["file", "path", "unit", "period", "slug", "status", "status_vi", "errors", "warnings"])

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
        deadline=deadline,
        deadline_rule=rule,
        assessed_at=now,
        breakdowns=admission_breakdowns(register, members, units, period, last_year),
    )


def issue_counts(register: Register, issues: list[rulebook.Issue]) -> pd.DataFrame:
    """errors and warnings per unit: a cell's own issues, a committee's over its subtree."""
    counts = Counter((i.unit, i.severity) for i in issues if i.unit is not None)
    own = pd.DataFrame({"cell": register.units.index,
                        "errors": [counts[c, ERROR] for c in register.units.index],
                        "warnings": [counts[c, WARNING] for c in register.units.index]})
    rolled = own.merge(register.ancestors_frame(every_unit=True), on="cell").groupby("unit")[
        ["errors", "warnings"]].sum()
    return rolled.reindex(register.units.index).fillna(0).astype(int)
