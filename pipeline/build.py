"""Inbox + register → Report. The one place the stages are put together.

Files, the clock and progress display come in as arguments (STYLE: stages over plain data).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from collections.abc import Callable, Iterable
from pathlib import Path

from pipeline import intake, issues as iss
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.figures import admitted_in_quarter, cell_statuses, overdue_people, unit_figures
from pipeline.period import Period
from pipeline.register import Register
from pipeline.report import Report
from pipeline.parallel import make_reader_executor, paused_gc, reader_count, run_tasks
from pipeline import rules
from pipeline.roster import Workbook, read_workbooks
from pipeline.rules import Prepared, validate

import pandas as pd

Progress = Callable[[Iterable], Iterable]
READ_CHUNK = 500


@dataclass
class Inbox:
    """Every file of the inbox read and matched to its unit, and their rows typed (`prepared`)."""

    submissions: list[intake.Submission]
    prepared: Prepared


def read_inbox(inbox: Path, register: Register, progress: Progress = lambda it: it,
               workers: int | None = None) -> Inbox:
    """Read, match and prepare every file of the inbox (nothing in it is ever written).

    Many files are read on `workers` processes (None: one per core), in a few large chunks:
    each worker also types its chunk's rows (`rules.prepare`), so what comes back is a few
    typed columns per chunk, not every cell as a Python object. The tables' raw rows are dropped
    once typed."""
    submissions, parts = _read(inbox, register, progress, workers, prepare=True)
    return Inbox(submissions, Prepared.concat(parts))


def load_inbox(inbox: Path, register: Register, progress: Progress = lambda it: it,
               workers: int | None = None) -> list[intake.Submission]:
    """Read and match every file of the inbox, keeping each table's raw rows (for `check`, tests,
    and whatever looks at one file); `validate` then prepares the accepted files' rows itself."""
    return _read(inbox, register, progress, workers, prepare=False)[0]


def _read(inbox, register, progress, workers, prepare: bool):
    paths = intake.list_inbox(inbox)
    readers = reader_count(workers, len(paths))
    files = [(p, str(p.relative_to(inbox))) for p in paths]
    read: list[tuple] = []
    with paused_gc(), make_reader_executor(readers) as executor:
        chunks = _chunks(files, readers)
        for _, result in progress(run_tasks(executor, read_chunk, [(c, prepare) for c in chunks])):
            read.append(result)
    order = {name: i for i, (_, name) in enumerate(files)}
    workbooks = sorted((wb for books, _ in read for wb in books), key=lambda wb: order[wb.file])
    return intake.match(workbooks, register), [prepared for _, prepared in read if prepared is not None]


def _chunks(files: list[tuple[Path, str]], readers: int) -> list[list[tuple[Path, str]]]:
    """Few, large chunks: typing rows costs ~40 ms a call whatever its size. With several readers,
    two chunks each of about equal bytes (the biggest file first to the lightest chunk), so no
    reader waits on another; in one process, chunks of READ_CHUNK files keep a progress bar moving."""
    if readers <= 1:
        return [files[i:i + READ_CHUNK] for i in range(0, len(files), READ_CHUNK)]
    sizes = {path: _size(path) for path, _ in files}
    chunks: list[list] = [[] for _ in range(min(2 * readers, len(files)))]
    loads = [0] * len(chunks)
    for item in sorted(files, key=lambda f: -sizes[f[0]]):
        lightest = loads.index(min(loads))
        chunks[lightest].append(item)
        loads[lightest] += sizes[item[0]]
    return chunks


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_chunk(files: list[tuple[Path, str]], prepare: bool) -> tuple[list[Workbook], Prepared | None]:
    """One task of the reading pool: read these files and, when `prepare`, type their rows."""
    with paused_gc():
        workbooks = read_workbooks(files)
        if not prepare:
            return workbooks, None
        prepared = rules.prepare(workbooks)
        for wb in workbooks:
            for table in (wb.members, wb.candidates):
                if table is not None:
                    table.columns = None  # typed in `prepared` now
        return workbooks, prepared


def choose_period(submissions: list[intake.Submission], year: int | None, quarter: int) -> Period:
    if not 1 <= quarter <= 4:
        raise PipelineError(f"Quý phải là 1, 2, 3 hoặc 4 (đang là {quarter}).")
    if year is None:
        year = intake.infer_year(submissions, quarter)
    return Period(year, quarter)


def build_report(register: Register, submissions: list[intake.Submission], period: Period,
                 config: Config, today: dt.date, prepared: Prepared | None = None) -> Report:
    """`prepared`: the rows `read_inbox` typed (else the accepted files' tables are typed here)."""
    with paused_gc():
        return _build_report(register, submissions, period, config, today, prepared)


def _build_report(register: Register, submissions: list[intake.Submission], period: Period,
                  config: Config, today: dt.date, prepared: Prepared | None) -> Report:
    intake.select(submissions, period)
    members, candidates, row_issues = validate(submissions, period, prepared)
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
