import datetime as dt

import pytest

from builders import member, sample_config, write_register, write_roster
from pipeline.build import build_report
from pipeline.reading import load_inbox
from pipeline.period import Period
from pipeline.register import read_register

Q3 = Period(2022, 3)


@pytest.fixture
def report(tmp_path):
    """CB-A: 3 members (one admitted in Q3, one in Q1); CB-B: 2 (one admitted in Q2, also listed in CB-H1);
    CB-H1: 2; CB-H2 sends nothing."""
    register = read_register(write_register(tmp_path / "units.xlsx"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [
        member("Nguyễn Văn An", 1980, n=1),
        member("Hà Thị Cúc", 1998, "Nữ", admitted=dt.date(2022, 8, 1), n=2, **{"Dân tộc": "Tày"}),
        member("Lò Văn Dũng", 1990, admitted=dt.date(2022, 2, 1), n=3, **{"Tôn giáo": "Phật giáo", "Đoàn viên": None}),
    ], candidates=[{"Họ và tên": "Quần Chúng Một", "Ngày cấp giấy chứng nhận": dt.date(2021, 1, 1)},
                   {"Họ và tên": "Quần Chúng Hai", "Ngày cấp giấy chứng nhận": dt.date(2015, 1, 1)}])
    write_roster(inbox / "CB-B_2022-Q3.xlsx", "CB-B", [
        member("Trần Văn Bảo", 1995, admitted=dt.date(2022, 5, 10), n=4),
        member("Vũ Văn Em", 1970, admitted=dt.date(2021, 7, 1), ceremony=dt.date(2021, 7, 10),
               official=dt.date(2022, 7, 15), n=5),
    ])
    write_roster(inbox / "CB-H1_2022-Q3.xlsx", "CB-H1", [
        member("Trần Văn Bảo", 1995, admitted=dt.date(2022, 5, 10), n=4),   # the same person as in CB-B
        member("Đinh Văn Phúc", 1985, admitted=dt.date(2021, 2, 1), official=None, n=6),   # overdue
    ])
    return build_report(register, load_inbox(inbox, register), Q3, sample_config(), dt.date(2022, 10, 27))


def test_members_count_each_person_once_up_the_tree(report):
    u = report.units
    assert u.loc["CB-A", "members"] == 3
    assert u.loc["CB-B", "members"] == 2
    assert u.loc["CB-H1", "members"] == 2
    assert u.loc["DB-H", "members"] == 2
    assert u.loc["DB-T", "members"] == 6          # 7 rows, one person twice


def test_admissions_by_quarter_and_year_to_date(report):
    root = report.totals
    assert root["admitted_quarter"] == 1
    assert root["admitted_ytd"] == 3
    assert [root[f"admitted_q{q}"] for q in (1, 2, 3, 4)] == [1, 1, 1, 0]
    assert report.admitted_ytd_ratio == pytest.approx(3 / 6)
    assert list(report.admitted_in_quarter["full_name"]) == ["Hà Thị Cúc"]


def test_probationary_recognized_and_overdue(report):
    root = report.totals
    assert root["probationary"] == 4           # Cúc, Dũng, Bảo (once), Phúc
    assert root["recognized_quarter"] == 1     # Em
    assert root["overdue"] == 1
    assert list(report.overdue["full_name"]) == ["Đinh Văn Phúc"]
    assert report.overdue.loc[0, "due_on"] == dt.date(2022, 2, 11)


def test_ytd_breakdown(report):
    root = report.totals
    assert root["ytd_women"] == 1 and root["ytd_minority"] == 1 and root["ytd_religion"] == 1
    assert root["ytd_youth_union"] == 2
    # ages at admission: Cúc 24, Dũng 31, Bảo 27
    assert root["ytd_age_18_30"] == 2
    assert root["ytd_age_sum"] / root["ytd_age_known"] == pytest.approx((24 + 31 + 27) / 3)


def test_candidates_and_valid_certificates(report):
    assert report.units.loc["CB-A", "candidates"] == 2
    assert report.units.loc["DB-T", "candidates_certified"] == 1


def test_targets_sum_up_the_tree_unless_the_unit_has_its_own(report):
    t = report.units["target_year"]
    assert t["CB-A"] == 3 and t["DB-H"] == 4 and t["DB-T"] == 3 + 2 + 4
    assert t.isna()["CB-H1"]


def test_coverage_never_pretends_to_be_complete(report):
    cov = report.coverage
    assert (cov.expected, cov.submitted, cov.accepted) == (4, 3, 3)
    assert cov.missing == ["CB-H2"] and not cov.complete
    assert report.units.loc["CB-H2", "status"] == "missing"
    assert report.units.loc["DB-H", "cells_accepted"] == 1
    assert [i.unit for i in report.issues if i.rule == "UNIT_MISSING"] == ["CB-H2"]


def test_appendix_lists_name_a_subordinate_cell_with_its_committee(report):
    assert report.overdue.loc[0, "unit_name"] == "Chi bộ Đội An ninh (Đảng bộ Công an huyện Đông Sơn)"


def test_a_file_without_an_official_date_column_claims_nobody_overdue(tmp_path):
    from builders import MEMBER_HEADER

    register = read_register(write_register(tmp_path / "units.xlsx"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    header = [h for h in MEMBER_HEADER if h != "Ngày chính thức"]
    write_roster(inbox / "CB-A.xlsx", "CB-A", [member("Nguyễn Văn An", 1980, n=1)], header=header)
    report = build_report(register, load_inbox(inbox, register), Q3, sample_config(), dt.date(2022, 10, 27))
    assert report.totals["overdue"] == 0 and report.overdue.empty
    assert not [i for i in report.issues if i.rule == "RECOGNITION_OVERDUE"]


def test_cells_with_and_without_a_target_beside_summed_committees_do_not_stop_the_run(tmp_path):
    rows = [["DB-T", "Đảng bộ X", "Đảng bộ", None, None, None],
            ["CB-A", "Chi bộ A", "Chi bộ cơ sở", "DB-T", None, 3],
            ["CB-B", "Chi bộ B", "Chi bộ cơ sở", "DB-T", None, None],
            ["DB-H", "Đảng bộ H", "Đảng bộ cơ sở", "DB-T", None, None],
            ["CB-H1", "Chi bộ H1", "Chi bộ trực thuộc", "DB-H", None, 2],
            ["CB-H2", "Chi bộ H2", "Chi bộ trực thuộc", "DB-H", None, None]]
    register = read_register(write_register(tmp_path / "units.xlsx", rows))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [member("An", 1990, n=1)])
    report = build_report(register, load_inbox(inbox, register), Q3, sample_config(), dt.date(2022, 10, 27))
    targets = report.units["target_year"]
    assert (targets["DB-T"], targets["DB-H"], targets["CB-A"], targets["CB-H1"]) == (5, 2, 3, 2)
    assert targets.isna()[["CB-B", "CB-H2"]].all()


def test_a_person_admitted_after_the_quarter_is_not_counted_in_it(tmp_path):
    register = read_register(write_register(tmp_path / "units.xlsx"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [
        member("An", 1990, n=1), member("Tháng Mười", 1999, admitted=dt.date(2022, 10, 3), official=None, n=2)])
    report = build_report(register, load_inbox(inbox, register), Q3, sample_config(), dt.date(2022, 10, 27))
    assert report.units.at["CB-A", "members"] == 1 and report.units.at["DB-T", "probationary"] == 0
    assert [i.rule for i in report.issues if i.unit == "CB-A"] == ["ADMITTED_AFTER_PERIOD"]


def test_an_unreadable_official_date_is_neither_probationary_nor_overdue(tmp_path):
    register = read_register(write_register(tmp_path / "units.xlsx"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [
        member("An", 1980, n=1, admitted=dt.date(2005, 5, 1), official="31/02/2006"),
        member("Bình", 1998, n=2, admitted=dt.date(2022, 8, 1), official=None)])
    report = build_report(register, load_inbox(inbox, register), Q3, sample_config(), dt.date(2022, 10, 27))
    cell = report.units.loc["CB-A"]
    assert (cell["members"], cell["probationary"], cell["overdue"]) == (2, 1, 0)
