import datetime as dt

import pytest

from builders import member, write_register, write_roster
from pipeline import intake
from pipeline.period import Period
from pipeline.register import read_register
from pipeline.roster import read_workbook
from pipeline.rules import validate

Q3 = Period(2022, 3)


@pytest.fixture
def check(tmp_path):
    register = read_register(write_register(tmp_path / "units.xlsx"))

    def run(*files):
        """files: (code, members[, candidates]) → (members frame, issues as (rule, unit, row, column, value))."""
        paths = []
        for n, (code, members, *cands) in enumerate(files):
            paths.append(write_roster(tmp_path / f"{code}-{n}.xlsx", code, members,
                                      candidates=cands[0] if cands else ()))
        subs = intake.select(intake.match([read_workbook(p) for p in paths], register), Q3)
        frame, _, found = validate(subs, Q3)
        return frame, found

    return run


def where(found, rule):
    return [(i.unit, i.row, i.column, i.value) for i in found if i.rule == rule]


def test_a_clean_file_raises_no_issue(check):
    _, found = check(("CB-A", [member("Nguyễn Văn An", 1990, n=1), member("Hà Thị Cúc", 1993, "Nữ", n=2)]))
    assert found == []


def test_required_value_missing_is_an_error_and_the_person_still_counts(check):
    frame, found = check(("CB-A", [member("Nguyễn Văn An", 1990, **{"Dân tộc": None})]))
    assert where(found, "REQUIRED_MISSING") == [("CB-A", 2, "Dân tộc", None)]
    assert found[0].severity == "error" and "Điền dân tộc" in found[0].message
    assert len(frame) == 1


def test_unreadable_date_is_an_error_that_says_the_figures_lack_it(check):
    frame, found = check(("CB-A", [member("An", 1990, **{"Ngày vào Đảng": "31/02/2010"})]))
    assert where(found, "BAD_DATE") == [("CB-A", 2, "Ngày vào Đảng", "31/02/2010")]
    assert "chưa được tính" in found[0].message
    assert frame["admitted_on"].isna().all()


def test_value_outside_its_list_suggests_the_closest(check):
    _, found = check(("CB-A", [member("An", 1990, **{"Dân tộc": "Kihn"}), member("Bình", 1990, n=2, **{"Giới tính": "nu"})]))
    assert where(found, "BAD_VALUE") == [("CB-A", 2, "Dân tộc", "Kihn")]
    assert "Có phải là \"Kinh\"?" in found[0].message


def test_citizen_id_rules(check):
    rows = [
        member("An", 1990, n=1, **{"Số CCCD": "04909000123"}),        # 11 characters as text
        member("Bình", 1990, n=2, **{"Số CCCD": "123456789"}),        # old CMND
        member("Cúc", 1990, "Nữ", n=3, **{"Số CCCD": "049090000003"}),  # 4th digit says male
        member("Dũng", 1991, n=4, **{"Số CCCD": "049088000004"}),      # birth year says 1988
    ]
    _, found = check(("CB-A", rows))
    assert where(found, "CCCD_FORMAT") == [("CB-A", 2, "Số CCCD", "04909000123")]
    assert where(found, "CCCD_OLD_CMND") == [("CB-A", 3, "Số CCCD", "123456789")]
    mismatch = [i for i in found if i.rule == "CCCD_MISMATCH"]
    assert [(i.row, i.severity) for i in mismatch] == [(4, "warning"), (5, "warning")]
    assert "giới tính Nữ" in mismatch[0].message and "năm sinh 1991" in mismatch[1].message


def test_same_person_in_two_units_is_an_error_on_both_rows(check):
    frame, found = check(("CB-A", [member("An", 1990, n=7)]), ("CB-B", [member("Bình", 1991, n=8), member("An", 1990, n=7)]))
    dup = [(i.unit, i.row) for i in found if i.rule == "DUPLICATE_PERSON"]
    assert dup == [("CB-A", 2), ("CB-B", 3)]
    assert all(i.severity == "error" for i in found if i.rule == "DUPLICATE_PERSON")


def test_dates_after_the_quarter_and_implausible_ages(check):
    _, found = check(("CB-A", [member("An", 1990, admitted=dt.date(2022, 10, 2)), member("Bé", 2010, n=2),
                               member("Cụ", 1900, n=3),
                               member("Sau", 1990, n=4, **{"Ngày sinh": dt.date(2023, 1, 5)})]))
    # Admitted after the quarter: a warning (the person counts from the next quarter), not an
    # error; the ceremony that followed that decision is not questioned.
    assert ("CB-A", 2, "Ngày vào Đảng", "02/10/2022") in where(found, "ADMITTED_AFTER_PERIOD")
    assert all(i.severity == "warning" for i in found if i.rule == "ADMITTED_AFTER_PERIOD")
    assert ("CB-A", 5, "Ngày sinh", "05/01/2023") in where(found, "DATE_AFTER_PERIOD")
    assert not [i for i in found if i.rule == "DATE_AFTER_PERIOD" and i.column == "Ngày kết nạp"]
    assert [r for _, r, *_ in where(found, "AGE_IMPLAUSIBLE")] == [3, 4, 5]


def test_admission_age_under_18_is_an_error_over_60_a_warning(check):
    _, found = check(("CB-A", [member("Trẻ", dt.date(1995, 6, 1), admitted=dt.date(2013, 5, 1)),
                               member("Già", dt.date(1950, 1, 1), admitted=dt.date(2011, 3, 1), n=2)]))
    assert where(found, "ADMISSION_UNDER_18") == [("CB-A", 2, "Ngày vào Đảng", "01/05/2013")]
    assert where(found, "ADMISSION_OVER_60") == [("CB-A", 3, "Ngày vào Đảng", "01/03/2011")]


def test_probation_rules(check):
    early = member("Sớm", 1990, admitted=dt.date(2020, 1, 10), ceremony=dt.date(2020, 1, 20),
                   official=dt.date(2020, 12, 1))
    overdue = member("Trễ", 1990, admitted=dt.date(2021, 3, 10), ceremony=dt.date(2021, 3, 20), official=None, n=2)
    in_time = member("Vừa", 1990, admitted=dt.date(2021, 8, 1), ceremony=dt.date(2021, 9, 10), official=None, n=3)
    _, found = check(("CB-A", [early, overdue, in_time]))
    assert where(found, "OFFICIAL_TOO_EARLY") == [("CB-A", 2, "Ngày chính thức", "01/12/2020")]
    assert [r for _, r, *_ in where(found, "RECOGNITION_OVERDUE")] == [3]
    assert "quá hạn xét công nhận chính thức" in [i for i in found if i.rule == "RECOGNITION_OVERDUE"][0].message.lower()


def test_ceremony_more_than_30_working_days_after_the_decision(check):
    late = member("Muộn", 1990, admitted=dt.date(2021, 1, 4), ceremony=dt.date(2021, 3, 1), n=1)   # 40 working days
    ok = member("Đúng", 1990, admitted=dt.date(2021, 1, 4), ceremony=dt.date(2021, 2, 12), n=2)   # 29 working days
    _, found = check(("CB-A", [late, ok]))
    assert where(found, "CEREMONY_LATE") == [("CB-A", 2, "Ngày kết nạp", "01/03/2021")]


def test_candidate_certificate_and_helpers(check):
    members = [member("Nguyễn Văn An", 1980, n=1),
               member("Lý Văn Dự", 1995, admitted=dt.date(2022, 5, 1), official=None, n=2)]
    candidates = [
        {"Họ và tên": "Quần Chúng Một", "Ngày cấp giấy chứng nhận": dt.date(2021, 5, 1),
         "Đảng viên giúp đỡ 1": "nguyễn văn an", "Đảng viên giúp đỡ 2": "Lý Văn Dự"},
        {"Họ và tên": "Quần Chúng Hai", "Ngày cấp giấy chứng nhận": dt.date(2016, 5, 1),
         "Đảng viên giúp đỡ 1": "Người Lạ"},
        {"Họ và tên": "Quần Chúng Ba"},
    ]
    _, found = check(("CB-A", members, candidates))
    assert where(found, "HELPER_NOT_OFFICIAL") == [("CB-A", 2, "Đảng viên giúp đỡ 2", "Lý Văn Dự")]
    assert where(found, "HELPER_NOT_FOUND") == [("CB-A", 3, "Đảng viên giúp đỡ 1", "Người Lạ")]
    assert where(found, "CERT_EXPIRED") == [("CB-A", 3, "Ngày cấp giấy chứng nhận", "01/05/2016")]
    assert where(found, "CERT_MISSING") == [("CB-A", 4, "Ngày cấp giấy chứng nhận", None)]
    assert {i.sheet for i in found} == {"Quần chúng ưu tú"}


def test_a_row_with_data_but_no_name_is_named_in_an_issue(check):
    frame, found = check(("CB-A", [member("An", 1990), member(None, 1991, n=2)]))
    assert where(found, "ROW_NOT_COUNTED") == [("CB-A", 3, "Họ và tên", None)]
    assert len(frame) == 1


def test_under_the_nam_nu_layout_an_issue_points_at_the_cell_actually_filled(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Đảng viên"
    ws.append(["Họ và tên", "Ngày sinh", None, "Dân tộc", "Số CCCD", "Ngày vào Đảng"])
    ws.append([None, "Nam", "Nữ"])
    ws.merge_cells("B1:C1")
    ws.append(["Đỗ Thị Hoa", None, "31/02/1991", "Kinh", "049191000002", dt.date(2012, 1, 1)])
    path = tmp_path / "CB-A_2022-Q3.xlsx"
    wb.save(path)
    register = read_register(write_register(tmp_path / "units.xlsx"))
    subs = intake.select(intake.match([read_workbook(path)], register), Q3)
    frame, _, found = validate(subs, Q3)
    assert frame.loc[0, "gender"] == "Nữ"
    assert [(i.rule, i.cell, i.column) for i in found] == [("BAD_DATE", "C3", "Ngày sinh")]


def test_a_real_date_cell_with_an_impossible_year_is_a_bad_date_not_a_crash(check):
    # Typed 12/05/3022 in a date-formatted cell: Excel keeps it as a date, no one's.
    frame, found = check(("CB-A", [member("An", 1990, **{"Ngày vào Đảng": dt.date(3022, 5, 12)}),
                                   member("Bình", 1991, n=2)]))
    assert where(found, "BAD_DATE") == [("CB-A", 2, "Ngày vào Đảng", "12/05/3022")]
    assert frame["admitted_on"].isna().tolist() == [True, False]


def test_a_ceremony_before_the_decision_is_an_error(check):
    _, found = check(("CB-A", [member("An", 1990, admitted=dt.date(2015, 5, 1), ceremony=dt.date(2015, 4, 20))]))
    assert where(found, "CEREMONY_BEFORE_DECISION") == [("CB-A", 2, "Ngày kết nạp", "20/04/2015")]
    [issue] = [i for i in found if i.rule == "CEREMONY_BEFORE_DECISION"]
    assert issue.severity == "error" and "trước ngày quyết định kết nạp (01/05/2015)" in issue.message


def test_a_ceremony_after_the_quarter_for_a_decision_inside_it_is_accepted_and_still_timed(check):
    _, found = check(("CB-A", [
        member("Kịp", 1998, admitted=dt.date(2022, 9, 20), ceremony=dt.date(2022, 10, 5), official=None, n=1),
        member("Muộn", 1998, admitted=dt.date(2022, 8, 1), ceremony=dt.date(2022, 11, 30), official=None, n=2)]))
    assert where(found, "DATE_AFTER_PERIOD") == []
    assert [r for _, r, *_ in where(found, "CEREMONY_LATE")] == [3]   # still 30 working days at most


def test_an_unreadable_official_date_leaves_the_person_out_of_probation_not_in_it(check):
    frame, found = check(("CB-A", [
        member("Chính", 1980, n=1, admitted=dt.date(2005, 5, 1), official="31/02/2006")],
        [{"Họ và tên": "Quần Chúng", "Ngày cấp giấy chứng nhận": dt.date(2022, 1, 5), "Đảng viên giúp đỡ 1": "Chính"}]))
    assert [r for _, r, *_ in where(found, "BAD_DATE")] == [2]
    assert where(found, "RECOGNITION_OVERDUE") == []        # not known to be overdue
    assert where(found, "HELPER_NOT_OFFICIAL") == []        # not known to be probationary
    assert frame["official_unreadable"].tolist() == [True]


def test_the_overdue_message_names_the_day_probation_ended(check):
    _, found = check(("CB-A", [member("Chậm", 1990, admitted=dt.date(2020, 10, 15), ceremony=dt.date(2020, 10, 25),
                                      official=None)]))
    [issue] = [i for i in found if i.rule == "RECOGNITION_OVERDUE"]
    assert "12 tháng dự bị đã hết ngày 25/10/2021 (dự bị từ 25/10/2020)" in issue.message
