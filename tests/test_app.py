"""The library API (pipeline.app): each command as one function, used by the CLI and callable by
any program (watch and send will call it)."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager

import pytest

from builders import sample_config
from pipeline.app import check_files, make_report
from pipeline.errors import PipelineError


class Recorder:
    """A Display that remembers what it was asked to show."""

    def __init__(self):
        self.seen: list[str] = []

    def track(self, label, items):
        self.seen.append(label)
        return items

    @contextmanager
    def status(self, label):
        self.seen.append(label)
        yield

    def say(self, text):
        self.seen.append(text)


def test_make_report_writes_the_report_and_returns_what_it_wrote(committee):
    display = Recorder()
    run = make_report(inbox=committee / "inbox", units=committee / "units.xlsx", quarter=3,
                      out=committee / "out", config=sample_config(), report_date=dt.date(2022, 10, 27), workers=1,
                      display=display)
    assert run.folder == committee / "out" / "2022-Q3"
    assert run.pdf.is_file() and run.workbook.is_file() and run.summary.is_file()
    summary = json.loads(run.summary.read_text(encoding="utf-8"))
    assert summary["totals"]["members"] == 2 and summary["totals"]["admitted_quarter"] == 1
    assert summary["report_date"] == "2022-10-27"
    assert run.report.coverage.missing == ["CB-B", "CB-H1", "CB-H2"]
    assert run.packages == run.folder / "units" and run.feedback.rendered == ["CB-A", "CB-B", "CB-H1", "CB-H2"]
    assert display.seen == ["Đọc danh sách", "Đang viết báo cáo PDF…", "Gói phản hồi"]
    assert sorted(p.name for p in (committee / "inbox").iterdir()) == ["CB-A_2022-Q3.xlsx"]  # only read


def test_without_feedback_no_package_is_made(committee):
    run = make_report(inbox=committee / "inbox", units=committee / "units.xlsx", quarter=3, year=2022,
                      out=committee / "out", config=sample_config(), feedback=False, workers=1)
    assert run.feedback is None and run.packages is None and not (run.folder / "units").exists()


def test_a_configuration_file_that_is_not_there_is_refused_in_words(committee):
    with pytest.raises(PipelineError, match="Không tìm thấy tệp cấu hình"):
        make_report(inbox=committee / "inbox", units=committee / "units.xlsx", quarter=3,
                    out=committee / "out", config=committee / "khong-co.toml")


def test_check_files_judges_each_file_on_its_own_without_a_report(committee):
    results = check_files([committee / "inbox" / "CB-A_2022-Q3.xlsx"], year=2022, quarter=2)
    [result] = results
    assert result.unit == "CB-A" and result.members == 2 and result.period.label == "quý II năm 2022"
    assert {i.rule for i in result.issues} == {"OTHER_PERIOD", "ADMITTED_AFTER_PERIOD"}
    assert not (committee / "out").exists()


def test_a_quarter_no_file_is_for_stops_and_names_the_periods_found(committee):
    with pytest.raises(PipelineError) as caught:
        make_report(inbox=committee / "inbox", units=committee / "units.xlsx", quarter=2,
                    out=committee / "out", config=sample_config(), workers=1)
    assert "Thư mục nhận có 1 tệp quý III năm 2022; không có tệp nào quý II năm 2022" in str(caught.value)
    assert "QUARTER=3 YEAR=2022" in str(caught.value)
    assert not (committee / "out").exists()


@pytest.mark.parametrize("day, words", [(dt.date(2022, 9, 1), "chưa sau ngày cuối quý III năm 2022"),
                                        (dt.date(2023, 2, 1), "muộn hơn cả quý IV năm 2022"),
                                        (dt.date(2022, 10, 27), None)])
def test_a_report_date_outside_the_reporting_window_is_warned(committee, day, words):
    run = make_report(inbox=committee / "inbox", units=committee / "units.xlsx", quarter=3,
                      out=committee / "out", config=sample_config(), report_date=day, feedback=False, workers=1)
    assert [w for w in run.warnings if words and words in w] if words else run.warnings == []
