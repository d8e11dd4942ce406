"""Another committee's own files, as its offices made them and LibreOffice re-saved them
(tests/data/offices, made by tests/data/make_offices.py): a register where some cells have a target
and others none, and a roster with section rows, the candidates under the members on the same
sheet, dates written in words, an unreadable official date, a ceremony before its decision, and
dates after the quarter. What each must give is written here by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from builders import sample_config
from pipeline.build import build_report
from pipeline.period import Period
from pipeline.reading import load_inbox
from pipeline.register import read_register

DATA = Path(__file__).resolve().parent / "data" / "offices"
Q1 = Period(2025, 1)


@pytest.fixture(scope="module")
def report():
    register = read_register(DATA / "units.xlsx")
    return build_report(register, load_inbox(DATA / "inbox", register), Q1, sample_config(), dt.date(2025, 4, 15))


def issues(report, unit):
    return sorted((i.rule, i.row, i.column) for i in report.issues if i.unit == unit)


def test_mixed_targets_roll_up_without_stopping_the_run(report):
    targets = report.units["target_year"]
    assert (targets["DB-KCQ"], targets["DB-STC"], targets["CB-STP"], targets["CB-STC-1"]) == (3, 1, 2, 1)
    assert targets.isna()[["CB-SNV", "CB-STC-2"]].all()


def test_section_rows_and_the_candidates_below_are_not_members(report):
    cell = report.units.loc["CB-STP"]
    # Six members listed; the one admitted on 10/04/2025 counts from quý II: five.
    assert cell["members"] == 5
    assert cell["candidates"] == 1 and cell["candidates_certified"] == 1


def test_the_roster_raises_exactly_what_is_wrong(report):
    assert issues(report, "CB-STP") == [
        ("ADMITTED_AFTER_PERIOD", 10, "Ngày vào Đảng"),      # 10/04/2025
        ("BAD_DATE", 6, "Ngày chính thức"),                  # 31/02/2020
        ("CEREMONY_BEFORE_DECISION", 8, "Ngày kết nạp"),     # 10/08/2024 before 20/08/2024
    ]


def test_dates_in_words_count_and_an_unreadable_official_date_is_not_probation(report):
    cell = report.units.loc["CB-STP"]
    # Probationary: Khổng Thị Ngược and Tạ Văn Kịp (Mạc Văn Sai's official date is unreadable, so
    # he is neither; Đoàn Thị Lời's dates, in words, say she became official in 2016).
    assert cell["probationary"] == 2 and cell["overdue"] == 0
    assert cell["admitted_quarter"] == 1          # Tạ Văn Kịp, 25/03/2025; his ceremony on 08/04 is accepted
    helpers = [i for i in report.issues if i.rule.startswith("HELPER")]
    assert helpers == []                          # Mạc Văn Sai is not said to be "not official"


def test_the_legacy_xls_reads_and_the_committee_counts_once(report):
    assert report.units.at["CB-STC-1", "members"] == 1
    assert report.units.at["DB-KCQ", "members"] == 6
    assert report.coverage.missing == ["CB-SNV", "CB-STC-2"]
