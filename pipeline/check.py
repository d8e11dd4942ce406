"""Validation on its own: workbooks → issues, without building a report.

What a cell clerk or the department runs before the deadline (`python -m pipeline check FILE...`).
Without a register the unit is taken from the file as written; with one it is resolved as the
report does. Each file is checked against the period asked for, else its own, else the last
quarter that has ended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pipeline import intake, issues as iss
from pipeline.normalize import clean_text
from pipeline.period import Period
from pipeline.register import Register
from pipeline.roster import read_workbook
from pipeline.rules import validate


@dataclass
class FileCheck:
    file: str
    unit: str | None
    period: Period | None
    members: int
    issues: list[iss.Issue]

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == iss.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity == iss.WARNING)


def last_finished_quarter(today: dt.date) -> Period:
    current = Period(today.year, (today.month - 1) // 3 + 1)
    return Period(today.year - 1, 4) if current.quarter == 1 else Period(today.year, current.quarter - 1)


def check_files(paths: list[Path], register: Register | None, period: Period | None,
                today: dt.date) -> list[FileCheck]:
    workbooks = [read_workbook(p, name=p.name) for p in paths]
    if register is not None:
        subs = intake.match(workbooks, register)
    else:
        subs = []
        for wb in workbooks:
            sub = intake.Submission(workbook=wb, issues=list(wb.issues))
            sub.unit = clean_text(wb.info.get("code")) or Path(wb.file).stem
            sub.period, sub.period_source, problems = intake.resolve_period(wb)
            sub.issues += problems
            subs.append(sub)
    by_period: dict[Period, list[intake.Submission]] = {}
    for sub in subs:
        own = sub.period
        target = period or own or last_finished_quarter(today)
        if own is None and sub.workbook.readable:
            sub.issues.append(iss.make("PERIOD_ASSUMED", file=sub.file, sheet="Thông tin", unit=sub.unit,
                                       detail=target.label))
        elif own is not None and own != target:
            sub.issues.append(iss.make("OTHER_PERIOD", file=sub.file, unit=sub.unit, detail=own.label))
        sub.period = target
        usable = sub.workbook.readable and sub.unit is not None and not intake.fatal(sub)
        sub.status = intake.ACCEPTED if usable else intake.REJECTED
        by_period.setdefault(target, []).append(sub)
    row_issues: list[iss.Issue] = []
    members: dict[str, int] = {}
    for p, group in by_period.items():
        frame, _, found = validate(group, p)
        row_issues += found
        members.update(frame.groupby("file").size().to_dict())
    results = []
    for sub in subs:
        found = sub.issues + [i for i in row_issues if i.file == sub.file]
        results.append(FileCheck(file=sub.file, unit=sub.unit, period=sub.period,
                                 members=int(members.get(sub.file, 0)), issues=sorted(found, key=iss.sort_key)))
    return results
