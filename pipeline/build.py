"""Inbox + register → Report. The one place the stages are put together.

Files, the clock and progress display come in as arguments (STYLE: stages over plain data).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from pipeline import intake, issues as iss
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.figures import admitted_in_quarter, cell_statuses, overdue_people, unit_figures
from pipeline.period import Period
from pipeline.register import Register
from pipeline.report import Report
from pipeline.parallel import make_reader_executor, paused_gc, run_tasks
from pipeline.roster import read_workbooks
from pipeline.rules import validate

import pandas as pd

Progress = Callable[[Iterable], Iterable]
READ_CHUNK = 20


def load_inbox(inbox: Path, register: Register, progress: Progress = lambda it: it,
               workers: int | None = None) -> list[intake.Submission]:
    """Read and match every file of the inbox (nothing in it is ever written).

    Many files are read on `workers` processes (None: one per core), in chunks of READ_CHUNK
    files so that each result sent back is worth its pickling."""
    paths = intake.list_inbox(inbox)
    chunks = [[(p, str(p.relative_to(inbox))) for p in paths[i:i + READ_CHUNK]]
              for i in range(0, len(paths), READ_CHUNK)]
    read: list[list] = [[] for _ in chunks]
    with paused_gc(), make_reader_executor(workers, len(paths)) as executor:
        for index, workbooks in progress(run_tasks(executor, read_workbooks, [(c,) for c in chunks])):
            read[index] = workbooks
    return intake.match([wb for workbooks in read for wb in workbooks], register)


def choose_period(submissions: list[intake.Submission], year: int | None, quarter: int) -> Period:
    if not 1 <= quarter <= 4:
        raise PipelineError(f"Quý phải là 1, 2, 3 hoặc 4 (đang là {quarter}).")
    if year is None:
        year = intake.infer_year(submissions, quarter)
    return Period(year, quarter)


def build_report(register: Register, submissions: list[intake.Submission], period: Period,
                 config: Config, today: dt.date) -> Report:
    with paused_gc():
        return _build_report(register, submissions, period, config, today)


def _build_report(register: Register, submissions: list[intake.Submission], period: Period,
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

    counts = Counter((i.file, i.severity) for i in found if i.file is not None)
    files = pd.DataFrame([
        {"file": s.file, "path": s.workbook.path, "unit": s.unit, "period": s.period.label if s.period else None,
         "status": s.status, "status_vi": intake.STATUS_VI.get(s.status, s.status),
         "errors": counts[s.file, iss.ERROR], "warnings": counts[s.file, iss.WARNING]}
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
