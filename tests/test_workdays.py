"""The Party's time and introducer rules as the current regulations have them: working days with
Vietnam's public holidays and the configured moved days, the ceremony and recognition limits,
introducers across the grassroots organisation, the Youth Union's introduction, ages in months."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from builders import member, sample_config, write_register, write_roster
from pipeline import intake
from pipeline.build import build_report
from pipeline.charter import age_in_months, years_and_months
from pipeline.config import Config, load_config
from pipeline.contract import GRASSROOTS_CELL, GRASSROOTS_COMMITTEE, PARTIAL_COMMITTEE, ROOT, SUBORDINATE_CELL
from pipeline.errors import PipelineError
from pipeline.period import Period
from pipeline.reading import load_inbox
from pipeline.register import read_register
from pipeline.roster import read_workbook
from pipeline.rules import validate
from pipeline.workdays import WorkCalendar
from pipeline.workspace import config_toml

Q2, Q3 = Period(2022, 2), Period(2022, 3)

# Two đảng bộ cơ sở (one with a đảng bộ bộ phận between it and two of its cells) and a chi bộ cơ sở.
REGISTER = [
    ["DB-T", "Đảng bộ Khối Doanh nghiệp tỉnh", ROOT, None, None, None],
    ["CB-A", "Chi bộ Công ty Cấp nước", GRASSROOTS_CELL, "DB-T", None, None],
    ["DB-X", "Đảng bộ Công ty Xi măng", GRASSROOTS_COMMITTEE, "DB-T", None, None],
    ["CB-X1", "Chi bộ Phân xưởng Nghiền", SUBORDINATE_CELL, "DB-X", None, None],
    ["DB-XP", "Đảng bộ bộ phận Khối Sản xuất", PARTIAL_COMMITTEE, "DB-X", None, None],
    ["CB-X2", "Chi bộ Phân xưởng Lò nung", SUBORDINATE_CELL, "DB-XP", None, None],
    ["DB-Y", "Đảng bộ Công ty Điện lực", GRASSROOTS_COMMITTEE, "DB-T", None, None],
    ["CB-Y1", "Chi bộ Điện lực Thành phố", SUBORDINATE_CELL, "DB-Y", None, None],
]


@pytest.fixture
def check(tmp_path):
    register = read_register(write_register(tmp_path / "units.xlsx", rows=REGISTER))

    def run(*files, period=Q3, calendar=None):
        """files: (code, members[, candidates]) → (members frame, issues)."""
        paths = [write_roster(tmp_path / f"{code}-{n}.xlsx", code, members, year=period.year, quarter=period.quarter,
                              candidates=cands[0] if cands else ())
                 for n, (code, members, *cands) in enumerate(files)]
        subs = intake.select(intake.match([read_workbook(p) for p in paths], register), period)
        frame, _, found = validate(subs, period, calendar=calendar, register=register)
        return frame, found

    return run


def where(found, rule):
    return [(i.unit, i.row, i.column, i.value) for i in found if i.rule == rule]


def days(*texts):
    return pd.Series(pd.to_datetime(list(texts), dayfirst=True))


# ---------- the calendar ----------

def test_tet_and_national_day_are_days_off_and_the_governments_working_saturday_is_a_working_day():
    calendar = WorkCalendar()
    assert not calendar.is_working_day(dt.date(2023, 1, 23))    # Mùng 2 Tết Quý Mão, a Monday
    assert not calendar.is_working_day(dt.date(2022, 9, 1))     # the day given with National Day
    assert calendar.is_working_day(dt.date(2024, 5, 4))         # Saturday worked for 29/04/2024
    assert not calendar.is_working_day(dt.date(2024, 4, 29))
    # 16 Monday–Friday days from 10/01/2023 to 31/01/2023, less Tết's five weekdays (20, 23–26).
    assert calendar.between(days("09/01/2023"), days("31/01/2023")).tolist() == [11]


def test_the_nth_working_day_after_a_date_does_not_count_the_date_itself():
    calendar = WorkCalendar()
    # From a Friday, from the Saturday after it and from the Sunday: the 1st working day is Monday.
    assert calendar.after(days("05/08/2022", "06/08/2022", "07/08/2022"), 1).dt.date.tolist() == \
        [dt.date(2022, 8, 8)] * 3
    assert calendar.after(days("17/08/2022"), 30).dt.date.tolist() == [dt.date(2022, 9, 30)]
    assert calendar.after(pd.Series([pd.NaT]), 30).isna().all()


def test_a_configured_working_saturday_and_an_extra_day_off_change_the_count():
    start, end = days("01/07/2022"), days("15/07/2022")
    assert WorkCalendar().between(start, end).tolist() == [10]
    saturday, monday = dt.date(2022, 7, 9), dt.date(2022, 7, 11)
    assert WorkCalendar(working_days=[saturday]).between(start, end).tolist() == [11]
    assert WorkCalendar(days_off=[monday]).between(start, end).tolist() == [9]
    assert WorkCalendar(working_days=[saturday]).after(days("08/07/2022"), 1).dt.date.tolist() == [saturday]


def test_the_calendar_comes_from_the_configuration_and_moves_the_ceremonys_last_day(check, tmp_path):
    # Decision Friday 01/07/2022 (July has no public holiday): its 30th working day is Friday
    # 12/08/2022. An extra day off on 26/07 moves it to Monday 15/08; a working Saturday on 23/07
    # brings it back a day, to Thursday 11/08.
    rows = [member("Hồ Văn Lễ", 1995, admitted=dt.date(2022, 7, 1), ceremony=dt.date(2022, 8, 15), n=1),
            member("Hà Văn Kịp", 1995, admitted=dt.date(2022, 7, 1), ceremony=dt.date(2022, 8, 12), n=2)]
    both = load_config(_toml(tmp_path, '[calendar]\nworking_days = ["23/07/2022"]\ndays_off = [2022-07-26]\n'))
    assert (both.calendar.working_days, both.calendar.days_off) == ((dt.date(2022, 7, 23),), (dt.date(2022, 7, 26),))
    late = {}
    for name, text in [("none", ""), ("day off", 'days_off = ["26/07/2022"]'),
                       ("working Saturday", 'working_days = ["23/07/2022"]'),
                       ("both", 'working_days = ["23/07/2022"]\ndays_off = ["26/07/2022"]')]:
        config = load_config(_toml(tmp_path, f"[calendar]\n{text}\n"))
        _, found = check(("CB-A", rows), calendar=config.calendar.work_calendar())
        late[name] = [i.value for i in found if i.rule == "CEREMONY_LATE"]
    assert late == {"none": ["15/08/2022"], "day off": [], "working Saturday": ["15/08/2022", "12/08/2022"],
                    "both": ["15/08/2022"]}


def _toml(tmp_path, text):
    path = tmp_path / "other.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, named", [
    ('[calendar]\ndays_off = ["31/02/2025"]\n', "days_off"),
    ('[calendar]\nworking_days = ["26/04/2025", 5]\n', "working_days"),
    ('[calendar]\ndays_off = "02/05/2025"\n', "days_off"),
    ('[calendar]\nday_off = ["02/05/2025"]\n', "day_off"),
    ('[calendar]\ndays_off = ["26/04/2025"]\nworking_days = ["2025-04-26"]\n', "26/04/2025"),
    ('calendar = "VN"\n', "[calendar]"),
])
def test_a_wrong_calendar_section_is_refused_naming_what_to_fix(tmp_path, text, named):
    with pytest.raises(PipelineError) as error:
        load_config(_toml(tmp_path, text))
    assert named in str(error.value)
    assert "[calendar]" in str(error.value)


def test_the_init_configuration_shows_the_calendar_section_commented_and_it_loads(tmp_path):
    text = config_toml(Config())
    assert '[calendar]\n# days_off = ["02/05/2025"]\n# working_days = ["26/04/2025"]' in text
    uncommented = text.replace('# days_off = ["02/05/2025"]', 'days_off = ["02/05/2025"]')
    assert load_config(_toml(tmp_path, uncommented)).calendar.days_off == (dt.date(2025, 5, 2),)


# ---------- the ceremony ----------

def test_a_ceremony_across_tet_is_not_late_though_more_than_30_monday_to_friday_days(check):
    q1 = Period(2023, 1)
    decision, last_day = dt.date(2023, 1, 9), dt.date(2023, 2, 27)
    # Monday to Friday alone, 27/02/2023 is the 35th day after the decision: the old count said late.
    assert np.busday_count(decision + dt.timedelta(days=1), last_day + dt.timedelta(days=1)) == 35
    _, found = check(("CB-A", [
        member("Lương Thị Xuân", 1996, "Nữ", admitted=decision, ceremony=last_day, n=1),
        member("Cao Văn Tết", 1996, admitted=decision, ceremony=dt.date(2023, 2, 28), n=2),
    ]), period=q1)
    assert where(found, "CEREMONY_LATE") == [("CB-A", 3, "Ngày kết nạp", "28/02/2023")]
    [issue] = [i for i in found if i.rule == "CEREMONY_LATE"]
    assert "quyết định ngày 09/01/2023; hạn chót là ngày 27/02/2023, lễ kết nạp là ngày làm việc thứ 31" in issue.message


def test_a_weekend_ceremony_right_after_the_last_working_day_is_late(check):
    # Decision 01/07/2022: the 30th working day is Friday 12/08/2022; Saturday 13/08 is after it.
    _, found = check(("CB-A", [
        member("Đúng Hạn", 1995, admitted=dt.date(2022, 7, 1), ceremony=dt.date(2022, 8, 12), n=1),
        member("Thứ Bảy", 1995, admitted=dt.date(2022, 7, 1), ceremony=dt.date(2022, 8, 13), n=2),
    ]))
    assert [r for _, r, *_ in where(found, "CEREMONY_LATE")] == [3]


def test_reading_stays_configuration_free_the_ceremony_is_judged_in_validate(tmp_path):
    from pipeline.rules import prepare

    path = write_roster(tmp_path / "CB-A.xlsx", "CB-A", [
        member("Muộn Lắm", 1990, admitted=dt.date(2021, 1, 4), ceremony=dt.date(2021, 6, 1), n=1)])
    assert [i.rule for i in prepare([read_workbook(path)]).issues] == []


# ---------- recognition ----------

# Q2 2022 ends on Thursday 30/06/2022; June 2022 has no public holiday. Probation ending on
# Thursday 19/05/2022 (ceremony 19/05/2021) gives 20/05 as the 1st working day after it and
# 30/06 as the 30th: the last day allowed.
AT_THE_LAST_DAY = dt.date(2021, 5, 19)      # last day allowed 30/06/2022 = the period's end
A_DAY_LATER = dt.date(2021, 5, 20)          # last day allowed 01/07/2022: the period ends the day before
A_DAY_EARLIER = dt.date(2021, 5, 18)        # last day allowed 29/06/2022: the period ends the day after


def probationers():
    return [member(name, 1994, admitted=start - dt.timedelta(days=10), ceremony=start, official=None, n=n)
            for n, (name, start) in enumerate([("Đúng Ngày", AT_THE_LAST_DAY), ("Chưa Đến", A_DAY_LATER),
                                               ("Quá Một Ngày", A_DAY_EARLIER)], start=1)]


def test_recognition_is_overdue_only_after_the_30th_working_day_after_probation(check):
    frame, found = check(("CB-A", probationers()), period=Q2)
    assert frame["recognition_due"].dt.date.tolist() == [dt.date(2022, 6, 30), dt.date(2022, 7, 1),
                                                          dt.date(2022, 6, 29)]
    assert where(found, "RECOGNITION_OVERDUE") == [("CB-A", 4, "Ngày chính thức", None)]
    [issue] = [i for i in found if i.rule == "RECOGNITION_OVERDUE"]
    assert ("12 tháng dự bị đã hết ngày 18/05/2022 (dự bị từ 18/05/2021), hạn chót để chi bộ xét công nhận "
            "là ngày 29/06/2022") in issue.message


def test_the_overdue_figure_and_appendix_follow_the_same_last_day(tmp_path):
    register = read_register(write_register(tmp_path / "units.xlsx", rows=REGISTER))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_roster(inbox / "CB-A_2022-Q2.xlsx", "CB-A", probationers(), year=2022, quarter=2)
    report = build_report(register, load_inbox(inbox, register), Q2, sample_config(), dt.date(2022, 7, 5))
    assert report.totals["overdue"] == 1
    assert report.overdue[["full_name", "due_on", "days_overdue"]].values.tolist() == [
        ["Quá Một Ngày", dt.date(2022, 5, 18), 1]]
    assert report.overdue["recognition_due"].tolist() == [Q2.end - dt.timedelta(days=1)]


def test_national_day_moves_the_last_day_for_recognition(check):
    # Probation ending 17/08/2022: with 01/09 and 02/09 off, its 30th working day is 30/09/2022, the
    # quarter's last day: not overdue (30 calendar days, or Monday to Friday, would say overdue).
    frame, found = check(("CB-A", [member("Quốc Khánh", 1994, admitted=dt.date(2021, 8, 7),
                                          ceremony=dt.date(2021, 8, 17), official=None, n=1)]))
    assert frame["recognition_due"].dt.date.tolist() == [dt.date(2022, 9, 30)]
    assert where(found, "RECOGNITION_OVERDUE") == []


# ---------- introducers ----------

def official(name, n):
    return member(name, 1980, admitted=dt.date(2010, 5, 1), n=n)


def candidate(name, helper_1, helper_2=None, *, born=dt.date(1997, 4, 2), youth="x"):
    return {"Họ và tên": name, "Ngày sinh": born, "Ngày cấp giấy chứng nhận": dt.date(2022, 3, 1),
            "Đảng viên giúp đỡ 1": helper_1, "Đảng viên giúp đỡ 2": helper_2, "Đoàn viên": youth}


def test_a_helper_from_a_sister_cell_of_the_same_grassroots_committee_is_found(check):
    _, found = check(
        ("CB-X1", [official("Phạm Văn Nghiền", 1)], [
            candidate("Quần Chúng Một", "Trịnh Văn Lò", "pham van nghien"),   # CB-X2, through the đảng bộ bộ phận
            candidate("Quần Chúng Hai", "Ngô Văn Điện"),                      # DB-Y: another đảng bộ cơ sở
            candidate("Quần Chúng Ba", "Lê Thị Nước"),                       # CB-A: a chi bộ cơ sở of its own
        ]),
        ("CB-X2", [official("Trịnh Văn Lò", 2)]),
        ("CB-Y1", [official("Ngô Văn Điện", 3)]),
        ("CB-A", [official("Lê Thị Nước", 4)]),
    )
    assert where(found, "HELPER_NOT_FOUND") == [("CB-X1", 3, "Đảng viên giúp đỡ 1", "Ngô Văn Điện"),
                                                ("CB-X1", 4, "Đảng viên giúp đỡ 1", "Lê Thị Nước")]
    [issue] = [i for i in found if i.rule == "HELPER_NOT_FOUND"][:1]
    assert "không có trong danh sách đảng viên của tổ chức cơ sở đảng" in issue.message


def test_a_helper_is_found_by_citizen_id_in_a_sister_cell(check):
    from builders import cccd

    _, found = check(("CB-X1", [official("Phạm Văn Nghiền", 1)], [candidate("Quần Chúng Một", cccd(2, born=1980))]),
                     ("CB-X2", [official("Trịnh Văn Lò", 2)]))
    assert where(found, "HELPER_NOT_FOUND") == []


def test_the_same_name_on_two_members_of_the_organisation_is_official_if_either_is(check):
    probationary = member("Trùng Tên", 1999, admitted=dt.date(2022, 5, 1), official=None, n=1)
    _, found = check(("CB-X1", [probationary], [candidate("Quần Chúng Một", "Trùng Tên"),
                                                candidate("Quần Chúng Hai", "Dự Bị Một")]),
                     ("CB-X2", [official("Trùng Tên", 2),
                                member("Dự Bị Một", 1999, admitted=dt.date(2022, 5, 1), official=None, n=3)]))
    assert where(found, "HELPER_NOT_OFFICIAL") == [("CB-X1", 3, "Đảng viên giúp đỡ 1", "Dự Bị Một")]
    assert where(found, "HELPER_NOT_FOUND") == []


# ---------- the Youth Union ----------

def test_the_youth_union_introduces_a_member_aged_25_and_warns_for_others(check):
    _, found = check(("CB-A", [official("Lê Văn Chính", 1)], [
        candidate("Đoàn Viên Trẻ", "Đoàn TN", "Lê Văn Chính"),                           # 25, a member: accepted
        candidate("Không Vào Đoàn", "Ban Chấp hành Đoàn cơ sở", "Lê Văn Chính", youth=None),
        candidate("Quá Tuổi", "BCH Đoàn", "Lê Văn Chính", born=dt.date(1988, 1, 5)),     # 34
        candidate("Hai Lần Đoàn", "Đoàn thanh niên", "Đoàn cơ sở"),
        candidate("Chi Đoàn", "Chi đoàn Phòng Kỹ thuật", "Lê Văn Chính"),
        candidate("Họ Đoàn", "Đoàn Văn Hùng", "Lê Văn Chính"),                            # a family name
    ]))
    assert where(found, "HELPER_NOT_FOUND") == [("CB-A", 7, "Đảng viên giúp đỡ 1", "Đoàn Văn Hùng")]
    assert where(found, "YOUTH_UNION_INTRODUCER") == [
        ("CB-A", 3, "Đảng viên giúp đỡ 1", "Ban Chấp hành Đoàn cơ sở"),
        ("CB-A", 4, "Đảng viên giúp đỡ 1", "BCH Đoàn"),
        ("CB-A", 5, "Đảng viên giúp đỡ 2", "Đoàn cơ sở"),
        ("CB-A", 6, "Đảng viên giúp đỡ 1", "Chi đoàn Phòng Kỹ thuật"),
    ]
    messages = {i.row: i.message for i in found if i.rule == "YOUTH_UNION_INTRODUCER"}
    assert "không phải là đoàn viên" in messages[3]
    assert "đã 34 tuổi vào cuối kỳ, quá độ tuổi thanh niên" in messages[4]
    assert "cả hai người giới thiệu đều là tổ chức Đoàn" in messages[5]
    assert "chi đoàn không phải là tổ chức giới thiệu" in messages[6]
    assert all(i.severity == "warning" for i in found if i.rule == "YOUTH_UNION_INTRODUCER")


# ---------- ages in months ----------

def test_admission_age_is_counted_in_months_with_the_day_ignored(check):
    _, found = check(("CB-A", [
        member("Vừa Đủ", dt.date(2004, 3, 20), admitted=dt.date(2022, 3, 5), n=1),     # 216 months: 18
        member("Thiếu Tháng", dt.date(2004, 4, 2), admitted=dt.date(2022, 3, 28), n=2),  # 215 months
        member("Đủ Sáu Mươi", dt.date(1950, 1, 31), admitted=dt.date(2010, 1, 1), n=3),  # 720 months: 60
        member("Quá Sáu Mươi", dt.date(1949, 12, 1), admitted=dt.date(2010, 1, 31), n=4),  # 721 months
    ]))
    assert [r for _, r, *_ in where(found, "ADMISSION_UNDER_18")] == [3]
    assert [r for _, r, *_ in where(found, "ADMISSION_OVER_60")] == [5]
    messages = {i.rule: i.message for i in found if i.rule.startswith("ADMISSION_")}
    assert "khi đó mới 17 tuổi 11 tháng, chưa đủ 18 tuổi (tính theo tháng)" in messages["ADMISSION_UNDER_18"]
    assert "khi đó đã 60 tuổi 1 tháng (trên 60 tuổi" in messages["ADMISSION_OVER_60"]


def test_age_in_months_and_its_words():
    months = age_in_months(days("20/03/2004", "31/01/1950", None), days("05/03/2022", "01/01/2010", "01/01/2010"))
    assert months.tolist() == [216, 720, pd.NA]
    assert years_and_months(pd.Series([215, 216, 721])).tolist() == ["17 tuổi 11 tháng", "18 tuổi", "60 tuổi 1 tháng"]
