"""The Report: everything the committee PDF, summary.json and the Excel workbook are made from.

Built once by `pipeline.build.build_report`; the renderers only read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from pipeline.config import Config
from pipeline.rulebook import ERROR, WARNING, Issue
from pipeline.period import Period

# Per-unit figure columns of Report.units (docs/figures.md). Every unit row has all of them; a
# non-cell's figures are over its whole subtree (persons counted once).
FIGURE_COLUMNS = [
    "members",             # distinct persons on the member sheets
    "probationary",        # members with no official_on (đảng viên dự bị)
    "admitted_quarter",    # admitted_on inside the quarter
    "admitted_ytd",        # admitted_on from 1 January to the quarter's end
    "admitted_q1", "admitted_q2", "admitted_q3", "admitted_q4",  # admitted_on per quarter of the year (0 after Q)
    "recognized_quarter",  # official_on inside the quarter
    "candidates",          # rows on the candidate sheets (quần chúng ưu tú)
    "candidates_certified",  # candidates with a certificate valid at the quarter's end
    "ytd_women", "ytd_minority", "ytd_religion", "ytd_youth_union", "ytd_age_18_30",
    "ytd_age_known",       # YTD admissions whose age at admission is known
    "ytd_age_sum",         # sum of their ages at admission (full years) → average
    "overdue",             # probationary members overdue for recognition
    "cells_expected",      # cells (chi bộ) in the subtree
    "cells_submitted",     # of which sent a file for this period
    "cells_accepted",      # of which the file was used
]


@dataclass(frozen=True)
class Coverage:
    expected: int
    submitted: int
    accepted: int
    rejected: list[str]   # unit codes (or file names no unit was found for)
    missing: list[str]    # unit codes
    on_time: int = 0      # cells whose usable file came by the deadline (pipeline.deadlines)
    late: int = 0         # cells whose usable file came after it

    @property
    def complete(self) -> bool:
        return not self.rejected and not self.missing and self.accepted == self.expected

    @property
    def completeness_rate(self) -> float | None:
        return self.accepted / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        """None when no deadline is set (Report.deadline)."""
        return self.on_time / self.expected if self.expected else None


@dataclass(frozen=True)
class BreakdownScope:
    """Admissions of one span (the quarter, or 1 January to the quarter's end) broken down, for
    every unit of the register (its subtree, a person once), built by `pipeline.breakdowns`."""

    # Persons admitted, per unit (index: every unit code, tree order; the root first).
    total: pd.Series
    # Dimension key (breakdowns.DIMENSIONS) → units × categories (int, same index as `total`; the
    # columns in the dimension's order, `breakdowns.NOT_RECORDED` last). Each row sums to `total`.
    tables: dict[str, pd.DataFrame]


@dataclass(frozen=True)
class AdmittingUnits:
    """Cells (chi bộ) and grassroots organisations (chi bộ cơ sở, đảng bộ cơ sở) with figures this
    quarter; which admitted at least one member this year; which have no source (no quần chúng ưu
    tú on their sheets). Unit codes, in tree order."""

    cells: list[str]
    cells_admitting: list[str]
    cells_without_source: list[str]
    grassroots: list[str]
    grassroots_admitting: list[str]
    grassroots_without_source: list[str]


@dataclass(frozen=True)
class PreviousYear:
    """The same period of the previous year, from that year's summary.json in the output folder."""

    year: int
    admitted_quarter: int
    admitted_ytd: int
    # Dimension → category → count, over the whole committee; empty when that report had no
    # breakdowns (made before they existed).
    quarter: dict[str, dict[str, int]]
    ytd: dict[str, dict[str, int]]


@dataclass(frozen=True)
class Breakdowns:
    quarter: BreakdownScope
    ytd: BreakdownScope
    units: AdmittingUnits
    previous: PreviousYear | None = None   # None: no report of that period in the output folder


@dataclass
class Report:
    period: Period
    config: Config
    report_date: dt.date
    # One row per register unit in tree order (pre-order, root first, children in register order).
    # Index: unit code. Columns: name, type, parent (None for root), depth (root 0), is_cell, email
    # (the register's, where feedback is sent; None when it has none),
    # status ("accepted" | "rejected" | "missing" for cells, "aggregate" otherwise),
    # file (accepted file name or None), target_year (Int64, summed up the tree, <NA> when no
    # unit of the subtree has one), then FIGURE_COLUMNS (int), errors and warnings (the unit's
    # issues; a committee's: its subtree's), then deadlines.TIMELINESS_COLUMNS.
    units: pd.DataFrame
    structure: dict[str, int | str]   # Register.structure(): the tree's shape below the root
    coverage: Coverage
    # People for the appendices; columns: full_name, birth_date, gender, unit_code, unit_name,
    # admitted_on (date) — unsorted: the renderer sorts the Vietnamese way.
    admitted_in_quarter: pd.DataFrame
    # Columns: full_name, unit_code, unit_name, probation_start, due_on (probation's end), recognition_due (the
    # last day allowed for recognition; dates), days_overdue (int, calendar days after recognition_due).
    overdue: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    # Every file found in the inbox: file (name inside the inbox), path (where it is read from;
    # never written), unit, period (label), slug ("2022-Q3"), status, status_vi, errors, warnings.
    files: pd.DataFrame | None = None
    # When the cells' files were due (None: no deadline set, timeliness not judged), how it was set
    # (config.DeadlineSettings.for_period), and when timeliness was judged (files not yet come by
    # then are "awaiting" until the deadline has passed).
    deadline: dt.date | None = None
    deadline_rule: str | None = None
    assessed_at: dt.datetime | None = None
    # The admissions broken down as the Party's statistics do (pipeline.breakdowns; docs/figures.md).
    breakdowns: Breakdowns | None = None

    @property
    def root(self) -> str:
        return self.units.index[0]

    @property
    def totals(self) -> pd.Series:
        return self.units.iloc[0]

    @property
    def admitted_ytd_ratio(self) -> float:
        members = int(self.totals["members"])
        return int(self.totals["admitted_ytd"]) / members if members else 0.0

    def error_count(self) -> int:
        return sum(1 for i in self.issues if i.severity == ERROR)

    def warning_count(self) -> int:
        return sum(1 for i in self.issues if i.severity == WARNING)
