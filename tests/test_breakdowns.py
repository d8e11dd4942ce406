"""Admissions broken down as the Party's statistics do (pipeline.breakdowns), and where they go:
summary.json, the Excel workbook, the committee PDF. Every person here is fictional."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from builders import MEMBER_HEADER, member, sample_config, write_register, write_roster
from pipeline import contract
from pipeline.breakdowns import DIMENSIONS, NOT_RECORDED, previous_year
from pipeline.build import build_report
from pipeline.contract import general_education, occupation_group, political_theory_level, professional_level
from pipeline.normalize import fold
from pipeline.outputs import BREAKDOWN_SHEETS, summary, write_workbook
from pipeline.period import Period
from pipeline.reading import load_inbox
from pipeline.register import read_register
from pipeline.render import committee

Q3 = Period(2022, 3)
GE, PT, OCC, EDU = "Giáo dục phổ thông", "Lý luận chính trị", "Nghề nghiệp / đối tượng", "Trình độ chuyên môn"
# CB-B's file is an old one: none of the statistics columns, no Tôn giáo.
OLD_HEADER = [h for h in MEMBER_HEADER if h not in (GE, PT, OCC, "Tôn giáo")]


def _inbox(tmp_path):
    """Root DB-T; chi bộ cơ sở CB-A, CB-B; đảng bộ cơ sở DB-H with chi bộ trực thuộc CB-H1, CB-H2.

    Admitted in 2022 (Q3 = from 1 July): CB-A 3 (two in Q3), CB-B 1, CB-H1 2, CB-H2 1 (and CB-H1's
    Trần Văn Bảo again: the same person counts once in DB-H and DB-T)."""
    register = read_register(write_register(tmp_path / "units.xlsx"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_roster(inbox / "CB-A_2022-Q3.xlsx", "CB-A", [
        member("Nguyễn Văn An", 1980, n=1),   # admitted 2005: not in the breakdowns
        member("Hà Thị Cúc", 1998, "Nữ", admitted=dt.date(2022, 8, 1), n=2,
               **{"Dân tộc": "Tày", GE: "12/12", EDU: "Cử nhân Luật", PT: "Sơ cấp", OCC: "Sinh viên"}),
        member("Lò Văn Dũng", 1990, admitted=dt.date(2022, 2, 1), n=3,
               **{"Tôn giáo": "Phật giáo", GE: "9/12", EDU: "ThS", PT: None, OCC: "Công an"}),
        member("Mai Văn Giang", 1960, admitted=dt.date(2022, 9, 1), n=7,
               **{"Tôn giáo": "phật giáo", GE: "lớp mười", EDU: "Luật", PT: "Trung cấp LLCT", OCC: "Thợ may"}),
    ], candidates=[{"Họ và tên": "Quần Chúng Một", "Ngày cấp giấy chứng nhận": dt.date(2021, 1, 1)}])
    write_roster(inbox / "CB-B_2022-Q3.xlsx", "CB-B", [
        member("Vũ Văn Em", 1985, admitted=dt.date(2022, 3, 1), n=5),
    ], header=OLD_HEADER)
    write_roster(inbox / "CB-H1_2022-Q3.xlsx", "CB-H1", [
        member("Trần Văn Bảo", 1995, admitted=dt.date(2022, 5, 10), n=4, **{GE: "THPT", EDU: "Kỹ sư CNTT"}),
        member("Đinh Thị Phương", 1989, "Nữ", admitted=dt.date(2022, 7, 20), n=6,
               **{GE: "10/10", EDU: "Đại học", PT: "Cao cấp", OCC: "Lực lượng vũ trang"}),
    ], candidates=[{"Họ và tên": "Quần Chúng Hai", "Ngày cấp giấy chứng nhận": dt.date(2021, 1, 1)}])
    write_roster(inbox / "CB-H2_2022-Q3.xlsx", "CB-H2", [
        member("Trần Văn Bảo", 1995, admitted=dt.date(2022, 5, 10), n=4, **{GE: "THPT", EDU: "Kỹ sư CNTT"}),
        member("Lê Văn Hùng", 2003, admitted=dt.date(2022, 6, 1), n=8),
    ])
    return register, load_inbox(inbox, register)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    register, submissions = _inbox(tmp_path_factory.mktemp("breakdowns"))
    return build_report(register, submissions, Q3, sample_config(), dt.date(2022, 10, 27))


def _root_row(report, key, scope="ytd"):
    table = getattr(report.breakdowns, scope).tables[key]
    return {c: int(n) for c, n in table.loc[report.root].items() if n}


def test_every_row_adds_up_to_its_total_at_every_level(built):
    b, units = built.breakdowns, built.units
    # The breakdowns' totals are the admissions the figures count, for every unit of the tree.
    assert b.ytd.total.to_dict() == units["admitted_ytd"].to_dict()
    assert b.quarter.total.to_dict() == units["admitted_quarter"].to_dict()
    assert b.ytd.total.to_dict() == {"DB-T": 7, "CB-A": 3, "CB-B": 1, "DB-H": 3, "CB-H1": 2, "CB-H2": 2}
    for scope in (b.ytd, b.quarter):
        for dim in DIMENSIONS:
            sums = scope.tables[dim.key].sum(axis=1)
            assert sums.to_dict() == scope.total.to_dict(), dim.key


def test_a_person_on_two_cells_sheets_counts_once_above_them(built):
    ytd = built.breakdowns.ytd
    education = ytd.tables["general_education"]
    assert education.at["CB-H1", "Trung học phổ thông"] == 2 and education.at["CB-H2", "Trung học phổ thông"] == 1
    assert education.at["DB-H", "Trung học phổ thông"] == 2   # Trần Văn Bảo once, Đinh Thị Phương


def test_general_education_as_offices_write_it_and_what_is_not_recorded(built):
    # 12/12, THPT, 10/10 → THPT; 9/12 → THCS; "lớp mười" unreadable, CB-B has no column, CB-H2's
    # Lê Văn Hùng left it blank: not recorded.
    assert _root_row(built, "general_education") == {"Trung học phổ thông": 3, "Trung học cơ sở": 1, NOT_RECORDED: 3}
    bad = [i for i in built.issues if i.rule == "BAD_VALUE" and i.column == GE]
    assert [(i.unit, i.row, i.value) for i in bad] == [("CB-A", 5, "lớp mười")]   # the 4th member, under the header
    assert "Trung học phổ thông" in bad[0].message


def test_professional_level_from_free_text(built):
    # Cử nhân Luật, Kỹ sư CNTT, Đại học → Đại học; ThS → Thạc sĩ; "Luật" names no level (an issue);
    # CB-B's Vũ Văn Em and Lê Văn Hùng: "Đại học" (the builders' default).
    assert _root_row(built, "professional") == {"Đại học": 5, "Thạc sĩ": 1, NOT_RECORDED: 1}
    assert [(i.unit, i.value) for i in built.issues if i.rule == "BAD_VALUE" and i.column == EDU] == [("CB-A", "Luật")]


def test_political_theory_blank_is_untrained_and_a_missing_column_is_not_recorded(built):
    assert _root_row(built, "political_theory") == {
        "Chưa qua đào tạo": 3, "Sơ cấp": 1, "Trung cấp": 1, "Cao cấp": 1, NOT_RECORDED: 1}
    assert _root_row(built, "political_theory", "quarter") == {"Sơ cấp": 1, "Trung cấp": 1, "Cao cấp": 1}


def test_occupation_outside_the_groups_counts_as_other_without_an_issue(built):
    assert _root_row(built, "occupation") == {
        "Lực lượng vũ trang": 2, "Học sinh, sinh viên": 1, "Khác": 1, NOT_RECORDED: 3}
    assert not [i for i in built.issues if i.column == OCC]


def test_age_bands_gender_ethnicity_and_religion(built):
    # Ages at admission: 24, 31, 62, 36, 27, 33, 19.
    assert _root_row(built, "age") == {"18–30": 3, "31–35": 2, "36–40": 1, "Trên 60": 1}
    assert _root_row(built, "gender") == {"Nam": 5, "Nữ": 2}
    assert _root_row(built, "ethnicity") == {"Kinh": 6, "Tày": 1}
    # "Phật giáo" and "phật giáo" are one religion; CB-B's file has no Tôn giáo column.
    assert _root_row(built, "religion") == {"Không": 4, "Phật giáo": 2, NOT_RECORDED: 1}


def test_units_admitting_and_without_source(built):
    u = built.breakdowns.units
    assert u.cells == ["CB-A", "CB-B", "CB-H1", "CB-H2"] and u.cells_admitting == u.cells
    assert u.cells_without_source == ["CB-B", "CB-H2"]
    assert u.grassroots == ["CB-A", "CB-B", "DB-H"] and u.grassroots_admitting == ["CB-A", "CB-B", "DB-H"]
    assert u.grassroots_without_source == ["CB-B"]   # DB-H has CB-H1's candidate


def test_summary_holds_every_category_in_total_and_only_non_zero_per_unit(built):
    section = json.loads(json.dumps(summary(built)))["breakdowns"]
    total = section["year"]["total"]
    assert total["admitted"] == 7 and set(total["age"]) == set(built.breakdowns.ytd.tables["age"].columns)
    assert section["year"]["units"]["DB-H"]["general_education"] == {"Trung học phổ thông": 2, NOT_RECORDED: 1}
    assert section["quarter"]["units"].keys() == {"DB-T", "CB-A", "DB-H", "CB-H1"}   # who admitted in Q3
    assert section["admitting_units"]["cells_without_source"] == {"count": 2, "of": 4, "codes": ["CB-B", "CB-H2"]}
    assert "previous_year" not in section


def test_workbook_has_every_unit_times_category_as_numbers(built, tmp_path):
    wb = load_workbook(write_workbook(built, tmp_path / "so-lieu.xlsx"))
    ws = wb[BREAKDOWN_SHEETS["ytd"]]
    header = [c.value for c in ws[1]]
    rows = {r[0].value: {h: c.value for h, c in zip(header, r)} for r in ws.iter_rows(min_row=2)}
    assert list(rows) == ["DB-T", "CB-A", "CB-B", "DB-H", "CB-H1", "CB-H2"]
    assert rows["DB-H"]["Tổng số kết nạp"] == 3 and rows["DB-H"]["Giáo dục phổ thông: Trung học phổ thông"] == 2
    assert rows["CB-B"]["Lý luận chính trị: Chưa ghi"] == 1
    assert ws.cell(2, 1).font.bold   # the whole committee's row
    # The quarter's sheet lists the units that admitted in the quarter only (the others: all zeros).
    quarter = [r[0].value for r in wb[BREAKDOWN_SHEETS["quarter"]].iter_rows(min_row=2)]
    assert quarter == ["DB-T", "CB-A", "DB-H", "CB-H1"]


def test_the_previous_year_is_compared_when_its_summary_is_given(tmp_path):
    register, submissions = _inbox(tmp_path)
    last = {"period": {"year": 2021, "quarter": 3}, "totals": {"admitted_quarter": 2, "admitted_ytd": 5},
            "breakdowns": {"year": {"total": {"admitted": 5, "gender": {"Nam": 4, "Nữ": 1}}}}}
    report = build_report(register, submissions, Q3, sample_config(), dt.date(2022, 10, 27), last_year=last)
    previous = report.breakdowns.previous
    assert (previous.year, previous.admitted_quarter, previous.admitted_ytd) == (2021, 2, 5)
    assert previous.ytd == {"gender": {"Nam": 4, "Nữ": 1}}
    section = summary(report)["breakdowns"]["previous_year"]
    assert section == {"year": 2021, "admitted_quarter": 2, "admitted_ytd": 5,
                       "breakdowns": {"quarter": {}, "year": {"gender": {"Nam": 4, "Nữ": 1}}}}
    detail = committee.breakdown_view(report)["detail"]
    assert detail["previous"]["ytd_change"] == "tăng 02 đồng chí (40,0%)"
    assert detail["previous"]["quarter_change"] == "tăng 01 đồng chí (50,0%)"
    # A summary of another period (a folder renamed by hand) is no comparison.
    assert previous_year(last | {"period": {"year": 2020, "quarter": 3}}, Q3) is None
    assert previous_year(None, Q3) is None


def test_make_report_compares_with_last_years_report_in_the_output_folder(tmp_path):
    from pipeline.app import make_report
    register, _ = _inbox(tmp_path)
    out = tmp_path / "out"
    (out / "2021-Q3").mkdir(parents=True)
    (out / "2021-Q3" / "summary.json").write_text(json.dumps(
        {"period": {"year": 2021, "quarter": 3}, "totals": {"admitted_quarter": 4, "admitted_ytd": 9}}))
    run = make_report(inbox=tmp_path / "inbox", units=tmp_path / "units.xlsx", quarter=3, year=2022, out=out,
                      config=sample_config(), feedback=False, today=dt.date(2022, 10, 27))
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(run.pdf).pages)
    assert ("So với cùng kỳ năm 2021 (trong quý kết nạp 04 đồng chí, từ đầu năm 09 đồng chí), số đảng viên "
            "kết nạp trong quý giảm 01 đồng chí (25,0%), từ đầu năm giảm 02 đồng chí (22,2%).") in text
    assert json.loads(run.summary.read_text())["breakdowns"]["previous_year"]["admitted_ytd"] == 9
    # The body's compact table, what is incomplete, and Phụ lục 3.
    assert "Trình độ chuyên môn Đại học: 05; Thạc sĩ: 01; chưa ghi: 01" in text
    assert "chưa ghi lý luận chính trị: 01 đồng chí" in text
    assert "Từ đầu năm đến nay, 04/04 chi bộ và 03/03 tổ chức cơ sở đảng" in text
    assert "Có 02 chi bộ chưa có quần chúng ưu tú (chưa có nguồn kết nạp); 01 tổ chức cơ sở đảng chưa có nguồn" in text
    appendix = text[text.index("Phụ lục 3: Cơ cấu đảng viên mới kết nạp quý III năm 2022"):]
    assert "Đảng bộ Công an huyện Đông Sơn" in appendix and "Cùng kỳ năm 2021" not in appendix


def test_without_last_years_report_nothing_is_said(built):
    html = committee.render_committee_html(built)
    assert "cùng kỳ" not in html.lower()


@pytest.mark.parametrize("text, level", [
    ("12/12", "Trung học phổ thông"), ("10/10", "Trung học phổ thông"), ("THPT", "Trung học phổ thông"),
    ("Tốt nghiệp THPT", "Trung học phổ thông"), ("12/12 (bổ túc)", "Trung học phổ thông"),
    ("9/12", "Trung học cơ sở"), ("11/12", "Trung học cơ sở"), ("7/10", "Trung học cơ sở"),
    ("5/12", "Tiểu học"), ("Tiểu học", "Tiểu học"), ("13/12", None), ("lớp mười", None),
])
def test_general_education_readings(text, level):
    assert general_education(fold(text)) == level


@pytest.mark.parametrize("text, level", [
    ("Cử nhân Luật", "Đại học"), ("Kỹ sư CNTT", "Đại học"), ("ĐH An ninh", "Đại học"), ("ThS", "Thạc sĩ"),
    ("Cử nhân Luật, Thạc sĩ QLNN", "Thạc sĩ"), ("TS. Kinh tế", "Tiến sĩ"), ("Trung cấp CSND", "Trung cấp"),
    ("Cao đẳng nghề", "Cao đẳng"), ("Sơ cấp", "Sơ cấp"), ("Không", "Chưa qua đào tạo"), ("Luật", None),
])
def test_professional_readings(text, level):
    assert professional_level(fold(text)) == level


def test_political_theory_and_occupation_readings():
    assert [political_theory_level(fold(t)) for t in ("Sơ cấp", "TC LLCT", "Cao cấp", "Cử nhân chính trị", "x")] == [
        "Sơ cấp", "Trung cấp", "Cao cấp", "Cử nhân", None]
    assert [occupation_group(fold(t)) for t in ("Công an", "Giáo viên", "Sinh viên", "Nông dân", "Thợ may")] == [
        "Lực lượng vũ trang", "Viên chức", "Học sinh, sinh viên", "Nông dân", "Khác"]
    assert set(contract.OCCUPATIONS) >= {occupation_group(fold(t)) for t in ("Công nhân", "Cán bộ, công chức")}


def test_a_file_without_the_new_columns_reads_without_an_issue_about_them(built):
    assert not [i for i in built.issues if i.unit == "CB-B" and i.rule != "TEMPLATE_OLD"]
