"""The committee report: Vietnamese formatting, the chart, the HTML context and the PDF a reader gets."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from builders import sample_config
from pipeline.rulebook import RULES, Issue
from pipeline.period import Period
from pipeline.render import committee, vn
from pipeline.render.chart import admissions_chart_svg
from pipeline.report import Coverage, Report

MM = 72 / 25.4


# --- Vietnamese formatting ----------------------------------------------------------------------

def test_number_uses_thousands_dot():
    assert vn.number(1098) == "1.098"
    assert vn.number(1234567) == "1.234.567"
    assert vn.number(34) == "34"


def test_percent_uses_decimal_comma_and_configured_decimals():
    assert vn.percent(34 / 1098) == "3%"
    assert vn.percent(34 / 1098, 1) == "3,1%"
    assert vn.percent(1.5) == "150%"


def test_halves_round_up_as_people_round_by_hand():
    assert (vn.percent(0.025), vn.percent(0.035)) == ("3%", "4%")
    assert vn.decimal(26.25) == "26,3"


def test_counts_under_ten_are_padded_to_two_digits():
    assert [vn.padded(n) for n in (1, 9, 10, 34, 1098)] == ["01", "09", "10", "34", "1.098"]


def test_zero_is_written_0_not_00():
    assert vn.padded(0) == "0"


def test_date_line_pads_days_under_ten_and_only_months_one_and_two():
    assert vn.date_line("An Hòa", dt.date(2022, 10, 27)) == "An Hòa, ngày 27 tháng 10 năm 2022"
    assert vn.date_words(dt.date(2022, 3, 5)) == "ngày 05 tháng 3 năm 2022"
    assert vn.date_words(dt.date(2022, 2, 27)) == "ngày 27 tháng 02 năm 2022"
    assert vn.date_words(dt.date(2022, 1, 1)) == "ngày 01 tháng 01 năm 2022"
    assert vn.date_words(dt.date(2022, 12, 9)) == "ngày 09 tháng 12 năm 2022"


def test_short_date_is_day_first_with_two_digit_day_and_month():
    assert vn.short_date(dt.date(1990, 9, 5)) == "05/09/1990"
    assert vn.short_date(pd.Timestamp("1990-09-05")) == "05/09/1990"
    assert vn.short_date(None) == ""


def _sorted(names):
    return sorted(names, key=vn.name_sort_key)


def test_names_sort_by_given_name_then_middle_then_family():
    assert _sorted(["Nguyễn Thị Đào", "Trần Văn Dũng", "Lê Văn An", "Phạm Thị An", "Bùi An"]) == [
        "Bùi An", "Phạm Thị An", "Lê Văn An", "Trần Văn Dũng", "Nguyễn Thị Đào"]


def test_names_sort_in_vietnamese_alphabet_order():
    # a < ă < â, d < đ, o < ô < ơ, u < ư: code-point order would put Â before Ă and Ư last of all.
    assert _sorted(["Lê Ân", "Lê Ăn", "Lê An", "Lê Đạt", "Lê Dung", "Lê Ơn", "Lê Ôn", "Lê On",
                    "Lê Ưng", "Lê Uyên"]) == [
        "Lê An", "Lê Ăn", "Lê Ân", "Lê Dung", "Lê Đạt", "Lê On", "Lê Ôn", "Lê Ơn", "Lê Uyên", "Lê Ưng"]


def test_names_sort_letters_before_tones_and_tones_in_dictionary_order():
    assert _sorted(["Bạ", "Bá", "Bã", "Bả", "Bà", "Ba"]) == ["Ba", "Bà", "Bả", "Bã", "Bá", "Bạ"]
    assert _sorted(["Bách", "Bạc", "Bac"]) == ["Bac", "Bạc", "Bách"]


def test_name_sort_ignores_case_and_unicode_normalisation():
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Đào")
    assert vn.name_sort_key(nfd)[:3] == vn.name_sort_key("NGUYỄN THỊ ĐÀO")[:3]


def test_formatting_functions_are_jinja_filters():
    from jinja2 import Environment

    env = Environment()
    vn.register_filters(env)
    out = env.from_string("{{ 1098|number }} {{ 1|padded }} {{ 0.031|percent(1) }}").render()
    assert out == "1.098 01 3,1%"


# --- chart ----------------------------------------------------------------------------------------

def test_chart_is_inline_svg_with_text_in_the_report_font_and_no_date(small_report):
    svg = admissions_chart_svg(small_report.units, 3, 2022)
    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    # Text stays text, set in the embedded Liberation Serif by WeasyPrint (checked on the PDF below).
    assert "Chi bộ Phòng Tham mưu</text>" in svg
    assert "font-family: 'Liberation Serif'" in svg
    assert "<dc:date>" not in svg


def test_quarters_not_reached_are_outlined_and_said_not_drawn_as_bars(small_report):
    svg = admissions_chart_svg(small_report.units, 3, 2022)
    assert svg.count("chưa</text>") == 1 and "đến kỳ</text>" in svg   # quý IV only
    assert "Quý chưa đến kỳ</text>" in svg
    assert "hatch" not in svg.lower()
    assert "chưa</text>" not in admissions_chart_svg(small_report.units, 4, 2022)


def test_chart_is_deterministic(small_report):
    assert admissions_chart_svg(small_report.units, 3, 2022) == admissions_chart_svg(
        small_report.units, 3, 2022)


# --- what the template receives -------------------------------------------------------------------

def test_unit_table_follows_the_tree_with_total_last(small_report):
    rows, cut = committee.unit_rows(small_report)
    assert cut is None
    assert [(r["number"], r["name"]) for r in rows] == [
        ("1", "Chi bộ Phòng Tham mưu"),
        ("2", "Chi bộ Phòng Cảnh sát hình sự"),
        ("3", "Đảng bộ Công an huyện Bình Sơn"),
        ("3.1", "Chi bộ Đội Cảnh sát điều tra"),
        ("3.2", "Chi bộ Công an xã Ăn Tây"),
        ("", "Tổng cộng"),
    ]
    by_number = {r["number"]: r for r in rows}
    assert by_number["3.2"]["status_note"] == "Chưa gửi danh sách"
    assert by_number["3"]["partial"] == "1/2"
    assert by_number[""]["partial"] == "3/4"
    # Đảng viên, Dự bị, trong quý, từ đầu năm, chỉ tiêu, đạt, công nhận, quần chúng
    assert by_number[""]["cells"] == ["1.098", "36", "2", "34", "34", "100%", "9", "23"]
    assert by_number["3.1"]["cells"][5] == "150%"


def test_every_catalogue_rule_has_a_vietnamese_label():
    assert all(rule.label for rule in RULES.values())


def test_issue_table_counts_by_rule_errors_first_and_unknown_rules_show_their_code(small_report):
    extra = Issue(severity="warning", rule="SOMETHING_NEW", message="…", unit="CB-PC01")
    report = dataclasses.replace(small_report, issues=[*small_report.issues, extra])
    rows = committee.issue_rows(report)
    assert [r["severity"] for r in rows[:2]] == ["Lỗi", "Lỗi"]
    assert {"label": "SOMETHING_NEW", "rule": "SOMETHING_NEW", "severity": "Cảnh báo",
            "count": 1, "units": 1} in rows


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_complete_coverage_says_so_and_claims_nothing_missing(small_report):
    complete = Coverage(expected=4, submitted=4, accepted=4, rejected=[], missing=[])
    text = _text(committee.render_committee_html(dataclasses.replace(small_report, coverage=complete)))
    assert "Tất cả các chi bộ đã gửi danh sách" in text
    assert "chưa gửi danh sách:" not in text
    assert "Số liệu trên tổng hợp" not in text


def test_rejected_units_and_unknown_files_are_named_next_to_the_totals(small_report):
    coverage = Coverage(expected=4, submitted=4, accepted=2, rejected=["CB-PC02", "ds moi.xlsx"],
                        missing=["CB-CAH-02"])
    text = _text(committee.render_committee_html(dataclasses.replace(small_report, coverage=coverage)))
    assert ("Số liệu trên tổng hợp từ 2/4 chi bộ; còn 01 chi bộ chưa gửi danh sách: Chi bộ Công an xã "
            "Ăn Tây; 01 chi bộ có tệp không dùng được: Chi bộ Phòng Cảnh sát hình sự; 01 tệp chưa xác "
            "định được của chi bộ nào: ds moi.xlsx.") in text


def test_empty_appendices_say_none(small_report):
    report = dataclasses.replace(small_report, admitted_in_quarter=small_report.admitted_in_quarter.iloc[0:0],
                                 overdue=small_report.overdue.iloc[0:0])
    text = _text(committee.render_committee_html(report))
    assert text.count("Không có.") == 2


def test_quarter_without_admissions_is_worded_without_a_zero_decision(small_report):
    units = small_report.units.copy()
    units.loc[small_report.root, "admitted_quarter"] = 0
    text = _text(committee.render_committee_html(dataclasses.replace(small_report, units=units)))
    assert "chưa ban hành Quyết định kết nạp Đảng nào" in text


# --- the PDF ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf(small_report, tmp_path_factory) -> PdfReader:
    path = committee.write_committee_pdf(small_report, tmp_path_factory.mktemp("pdf") / "report.pdf")
    return PdfReader(path)


def _page_text(page) -> str:
    return re.sub(r"\s+", " ", page.extract_text())


@pytest.fixture(scope="module")
def pdf_text(pdf) -> str:
    return " ".join(_page_text(p) for p in pdf.pages)


def test_pdf_states_structure_with_padded_counts_and_formatted_total(pdf_text):
    assert ("Đảng bộ Công an tỉnh là Đảng bộ cấp trên trực tiếp của tổ chức cơ sở đảng; gồm có 02 chi "
            "bộ cơ sở, 01 đảng bộ cơ sở (có 02 chi bộ trực thuộc) với 1.098 đảng viên.") in pdf_text


def test_pdf_results_sentence_is_in_the_seed_style(pdf_text):
    assert "Kết quả công tác phát triển đảng viên quý III năm 2022" in pdf_text
    assert ("Trong quý III năm 2022, Ban Thường vụ Đảng ủy Công an tỉnh đã ban hành Quyết định kết nạp "
            "Đảng đối với 02 đồng chí, nâng tổng số đảng viên được kết nạp Đảng từ đầu năm đến nay là "
            "34 đồng chí, chiếm tỷ lệ 3% so với tổng số đảng viên của Đảng bộ Công an tỉnh") in pdf_text
    assert "đạt 100% chỉ tiêu năm" in pdf_text
    assert "tuổi bình quân khi kết nạp 26,6 tuổi" in pdf_text


def test_pdf_says_coverage_is_incomplete_next_to_the_totals(pdf, pdf_text):
    sentence = ("Số liệu trên tổng hợp từ 3/4 chi bộ; còn 01 chi bộ chưa gửi danh sách: "
                "Chi bộ Công an xã Ăn Tây.")
    assert sentence in _page_text(pdf.pages[0])
    assert "(chưa gồm số liệu của 01 chi bộ nêu trên)" in pdf_text


def test_pdf_header_and_signature(pdf, pdf_text):
    first = _page_text(pdf.pages[0])
    for line in ("ĐẢNG BỘ TỈNH AN HÒA", "ĐẢNG ỦY CÔNG AN TỈNH", "ĐẢNG CỘNG SẢN VIỆT NAM",
                 "An Hòa, ngày 27 tháng 10 năm 2022", "BÁO CÁO"):
        assert line in first
    for line in ("Nơi nhận:", "- Ban Tổ chức Tỉnh ủy,", "T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ",
                 "Trần Minh Khang"):
        assert line in pdf_text


def test_pdf_appendix_lists_admitted_in_vietnamese_name_order(pdf_text):
    appendix = pdf_text[pdf_text.index("Phụ lục 1: Danh sách đảng viên được kết nạp trong quý III năm 2022"):]
    assert appendix.index("Trần Văn Dũng") < appendix.index("Nguyễn Thị Đào")
    assert "05/09/1995" in appendix
    overdue = pdf_text[pdf_text.index("Phụ lục 2: Đảng viên dự bị quá hạn xét công nhận chính thức"):]
    assert "Hạn xét công nhận" in overdue
    assert "Lê Văn Bình" in overdue and "01/07/2022 12/08/2022 49" in overdue   # probation's end, last day, days past


def _texts_by_height(page) -> list[tuple[float, str]]:
    """(y of the baseline in PDF points from the bottom, text), highest first."""
    found: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            # y of tm × cm
            found.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text.strip()))

    page.extract_text(visitor_text=visit)
    return sorted(found, reverse=True)


def test_pdf_page_numbers_start_on_page_two_at_the_top(pdf):
    assert len(pdf.pages) >= 3
    top_margin = float(pdf.pages[0].mediabox.height) - 20 * MM
    first = _texts_by_height(pdf.pages[0])
    assert first[0][0] < top_margin, f"text in page 1's top margin: {first[0]}"
    for number in (2, 3):
        y, text = _texts_by_height(pdf.pages[number - 1])[0]
        assert (text, y > top_margin) == (str(number), True)


def test_pdf_is_a4(pdf):
    box = pdf.pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 297)


def _fonts(resources, seen: set) -> list:
    """Every font dictionary reachable from a resource dictionary (form XObjects included)."""
    if resources is None:
        return []
    resources = resources.get_object()
    found = []
    for ref in (resources.get("/Font") or {}).values():
        font = ref.get_object()
        if id(font) not in seen:
            seen.add(id(font))
            found.append(font)
            found.extend(d.get_object() for d in font.get("/DescendantFonts", []))
    for ref in (resources.get("/XObject") or {}).values():
        xobject = ref.get_object()
        found.extend(_fonts(xobject.get("/Resources"), seen))
    return found


def test_pdf_embeds_every_font_and_only_the_shipped_one(pdf):
    seen: set = set()
    fonts = [f for page in pdf.pages for f in _fonts(page.get("/Resources"), seen)]
    assert fonts
    for font in fonts:
        if font.get("/Subtype") == "/Type0":
            continue  # checked through its descendant font
        descriptor = font["/FontDescriptor"].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font.get("/BaseFont")
        assert "Liberation-Serif" in str(font.get("/BaseFont")), font.get("/BaseFont")


def test_pdf_chart_words_are_text_in_the_report_font(pdf_text):
    assert "Kết nạp theo quý năm 2022" in pdf_text
    assert "Kết nạp từ đầu năm theo đơn vị, so với chỉ tiêu năm" in pdf_text


# --- a committee too large to list in full ------------------------------------------------------
#
# A national-style roll-up: 12 đảng bộ under the root, each with 10 chi bộ (132 units below the
# root, more than MAX_UNIT_ROWS), one admission in the quarter per chi bộ: 120 people listed in
# appendix 1 (more than MAX_APPENDIX_PEOPLE), and 3 overdue for recognition.

WORKBOOK = "so-lieu-phat-trien-dang-vien-2022-Q3.xlsx"
GIVEN_NAMES = ["An", "Bình", "Cường", "Dũng", "Đào", "Giang", "Hà", "Khánh", "Lan", "Minh", "Nam", "Phúc",
               "Quang"]


def _cell_figures(n: int) -> dict:
    return {"members": 20 + n % 7, "probationary": 2, "admitted_quarter": 1, "admitted_ytd": 2,
            "admitted_q1": 1, "admitted_q3": 1, "recognized_quarter": 1, "candidates": 3,
            "candidates_certified": 2, "ytd_age_known": 2, "ytd_age_sum": 52}


def _report(tree, *, missing=frozenset(), admitted=0, overdue=0):
    """A Report over `tree` (code, name, type, parent, target) in the shape build_report makes."""
    from conftest import _build_units

    cells = [code for code, *_ in tree if not any(parent == code for *_, parent, _ in tree)]
    units = _build_units(tree, {c: _cell_figures(i) for i, c in enumerate(cells)}, set(missing))
    people = [{"full_name": f"Nguyễn Văn {GIVEN_NAMES[i % len(GIVEN_NAMES)]} {i:03d}",
               "birth_date": dt.date(1995, 1, 1), "gender": "Nam", "unit_code": cells[0],
               "unit_name": "Chi bộ Đội số 1", "admitted_on": dt.date(2022, 8, 1)}
              for i in range(admitted)]
    late = [{"full_name": f"Trần Thị Hoa {i:03d}", "unit_code": cells[0],
             "unit_name": "Chi bộ Đội số 1", "probation_start": dt.date(2021, 1, 1),
             "due_on": dt.date(2022, 1, 1), "recognition_due": dt.date(2022, 2, 23), "days_overdue": 219}
            for i in range(overdue)]
    kept = [c for c in cells if c not in missing]
    top = units[units["depth"] == 1]
    date = dt.date(2022, 10, 27)
    return Report(
        period=Period(2022, 3), config=sample_config(report_date=date), report_date=date, units=units,
        structure={"grassroots_cells": int(top["is_cell"].sum()),
                   "grassroots_committees": int((~top["is_cell"]).sum()),
                   "subordinate_cells": int((units["is_cell"] & (units["depth"] > 1)).sum())},
        coverage=Coverage(expected=len(cells), submitted=len(kept), accepted=len(kept), rejected=[],
                          missing=sorted(missing)),
        admitted_in_quarter=pd.DataFrame(
            people, columns=["full_name", "birth_date", "gender", "unit_code", "unit_name", "admitted_on"]),
        overdue=pd.DataFrame(
            late, columns=["full_name", "unit_code", "unit_name", "probation_start", "due_on", "recognition_due",
                           "days_overdue"]),
    )


def _national_tree(committees=12, cells=10):
    tree = [("DB", "Đảng bộ Công an tỉnh", "Đảng bộ", None, None)]
    for i in range(1, committees + 1):
        tree.append((f"DB-{i:02d}", f"Đảng bộ Công an huyện số {i}", "Đảng bộ cơ sở", "DB", 10 + i))
        tree += [(f"CB-{i:02d}-{j:02d}", f"Chi bộ Đội số {j} huyện số {i}", "Chi bộ trực thuộc",
                  f"DB-{i:02d}", None) for j in range(1, cells + 1)]
    return tree


@pytest.fixture(scope="module")
def large_report():
    return _report(_national_tree(), admitted=120, overdue=3)


@pytest.fixture(scope="module")
def large_pdf_text(large_report, tmp_path_factory) -> str:
    path = committee.write_committee_pdf(large_report,
                                         tmp_path_factory.mktemp("large") / "report.pdf")
    return " ".join(_page_text(p) for p in PdfReader(path).pages)


def test_large_tree_table_lists_the_top_level_rolled_up_and_points_to_the_workbook(
        large_report, large_pdf_text):
    assert len(large_report.units) - 1 > committee.MAX_UNIT_ROWS
    text = large_pdf_text
    table = text[text.index("4. Kết quả theo đơn vị"):text.index("Biểu đồ:")]
    for i in range(1, 13):
        assert f"Đảng bộ Công an huyện số {i} " in table
    # A row's figures are its whole subtree's, as Report.units has them (huyện số 1: its ten chi bộ).
    units = large_report.units
    members = int(units.loc[units["parent"] == "DB-01", "members"].sum())
    assert members == units.at["DB-01", "members"]
    assert f"Đảng bộ Công an huyện số 1 {members} " in table
    # No unit below the top level in the report (the table, the chart); appendix 1 names the
    # new members' chi bộ.
    assert "Chi bộ Đội số" not in text[:text.index("Phụ lục 1:")]
    assert ("bảng trên chỉ liệt kê 12 đơn vị trực thuộc trực tiếp Đảng bộ Công an tỉnh; số liệu của "
            "mỗi đơn vị gồm cả các chi bộ trực thuộc đơn vị đó. Số liệu chi tiết của từng đơn vị, từng "
            f"chi bộ có tại trang “Tổng hợp theo đơn vị” của tệp Excel {WORKBOOK} gửi kèm báo cáo."
            ) in table
    assert "Do số đơn vị lớn (132 đơn vị, trong đó 120 chi bộ)" in table


def test_large_appendix_lists_the_first_people_and_counts_the_others(large_report, large_pdf_text):
    appendix = large_pdf_text[large_pdf_text.index("Phụ lục 1:"):large_pdf_text.index("Phụ lục 2:")]
    shown = committee.MAX_APPENDIX_PEOPLE
    assert (f"… và {120 - shown} đồng chí khác (danh sách đầy đủ 120 đồng chí trong tệp Excel "
            f"{WORKBOOK} gửi kèm báo cáo).") in appendix
    assert appendix.count("Nguyễn Văn") == shown
    # The running text keeps the exact count; the short appendix 2 lists everyone.
    assert ("Ban Thường vụ Đảng ủy Công an tỉnh đã ban hành Quyết định kết nạp Đảng đối với "
            "120 đồng chí") in large_pdf_text
    overdue = large_pdf_text[large_pdf_text.index("Phụ lục 2:"):]
    assert overdue.count("Trần Thị Hoa") == 3 and "đồng chí khác" not in overdue


def test_appendix_keeps_the_first_people_in_vietnamese_name_order(large_report):
    people, count = committee.appendix_people(large_report.admitted_in_quarter)
    assert count == 120 and len(people) == committee.MAX_APPENDIX_PEOPLE
    everyone = sorted(large_report.admitted_in_quarter["full_name"], key=vn.name_sort_key)
    assert [p["full_name"] for p in people] == everyone[:committee.MAX_APPENDIX_PEOPLE]


def test_table_goes_down_to_the_deepest_level_that_fits():
    # 3 đảng bộ cấp trên cơ sở → 5 đảng bộ cơ sở each → 10 chi bộ each: 3 + 15 rows fit,
    # + 150 do not.
    tree = [("DB", "Đảng bộ Công an tỉnh", "Đảng bộ", None, None)]
    for i in range(1, 4):
        tree.append((f"K{i}", f"Đảng bộ Khối {i}", "Đảng bộ cấp trên cơ sở", "DB", None))
        for j in range(1, 6):
            tree.append((f"K{i}-{j}", f"Đảng bộ cơ sở {i}.{j}", "Đảng bộ cơ sở", f"K{i}", None))
            tree += [(f"K{i}-{j}-{k}", f"Chi bộ {i}.{j}.{k}", "Chi bộ trực thuộc", f"K{i}-{j}", None)
                     for k in range(1, 11)]
    report = _report(tree)
    rows, cut = committee.unit_rows(report)
    assert [r["number"] for r in rows[:7]] == ["1", "1.1", "1.2", "1.3", "1.4", "1.5", "2"]
    assert len(rows) == 3 + 15 + 1 and rows[-1]["name"] == "Tổng cộng"
    assert cut == {"depth": 2, "listed": 18, "units": 168, "cells": 150, "top_level": 3, "others": 0}
    text = _text(committee.render_committee_html(report))
    assert ("bảng trên liệt kê các đơn vị đến cấp thứ 2 dưới Đảng bộ Công an tỉnh (18 đơn vị)"
            in text)


def test_too_many_top_level_units_lists_the_largest_and_sums_the_others():
    tree = [("DB", "Đảng bộ Công an tỉnh", "Đảng bộ", None, None)]
    tree += [(f"CB-{i:03d}", f"Chi bộ cơ sở số {i}", "Chi bộ cơ sở", "DB", 2) for i in range(150)]
    report = _report(tree)
    rows, cut = committee.unit_rows(report)
    listed, others, total = rows[:-2], rows[-2], rows[-1]
    assert len(listed) == committee.MAX_UNIT_ROWS - 1
    assert cut["others"] == 150 - len(listed) and cut["listed"] == len(listed)
    members = report.units["members"]
    assert min(int(r["cells"][0]) for r in listed) == members.iloc[1:].nlargest(len(listed)).min()
    assert others["name"] == f"Các đơn vị khác ({cut['others']} đơn vị)"
    # The listed rows and the others row add up to the total, column by column (targets included).
    for column in (0, 2, 3, 4):
        assert sum(int(r["cells"][column].replace(".", "")) for r in [*listed, others]) == int(
            total["cells"][column].replace(".", ""))
    text = _text(committee.render_committee_html(report))
    assert ("bảng trên liệt kê 99 trong số 150 đơn vị trực thuộc Đảng bộ Công an tỉnh có nhiều đảng "
            "viên nhất; 51 đơn vị còn lại được cộng chung ở dòng “Các đơn vị khác”") in text
    # The chart, too, draws the top level only, and says how many it leaves out.
    assert ("(36 đơn vị có nhiều đảng viên được kết nạp nhất trong số 150 đơn vị trực thuộc)"
            in text)
    assert admissions_chart_svg(report.units, 3, 2022).count(">Chi bộ cơ sở số") == 36


def test_long_coverage_lists_are_cut_with_the_exact_count(large_report):
    cells = [c for c in large_report.units.index if c.startswith("CB-")]
    report = _report(_national_tree(), missing=set(cells[:30]))
    text = _text(committee.render_committee_html(report))
    # Next to the totals: only the count; section II names the first ones and counts the rest.
    assert ("Số liệu trên tổng hợp từ 90/120 chi bộ; còn 30 chi bộ chưa gửi danh sách (danh sách tại "
            "mục II).") in text
    section = text[text.index("Chi bộ chưa gửi danh sách (30):"):]
    shown = committee.MAX_NAMES_IN_TEXT
    more = f"và {30 - shown} chi bộ khác (danh sách đầy đủ trong tệp Excel {WORKBOOK} gửi kèm báo cáo)."
    assert section.index(more) < section.index("Qua kiểm tra tự động")
    assert section.count("Chi bộ Đội số") == shown


def test_seed_sized_tree_is_listed_in_full_with_nothing_cut():
    from pipeline.build import build_report
    from pipeline.reading import load_inbox
    from pipeline.register import read_register

    samples = Path(__file__).resolve().parents[1] / "input_samples"
    register = read_register(samples / "units.xlsx")
    report = build_report(register, load_inbox(samples / "inbox", register), Period(2022, 3),
                          sample_config(report_date=dt.date(2022, 10, 27)), dt.date(2022, 10, 27))
    rows, cut = committee.unit_rows(report)
    assert cut is None and len(rows) == 80 + 1  # 28 units + 52 chi bộ trực thuộc, then the total
    context = committee.committee_context(report)
    # The widths the table has always had: STT 7%, the name 35%, each figure 7.25%.
    widths = [float(w.removesuffix("%")) for w in context["column_widths"]]
    assert widths == pytest.approx([7, 35] + [7.25] * 8, abs=0.05)
    assert len(context["admitted_people"]) == context["admitted_count"] == len(
        report.admitted_in_quarter)
    text = _text(committee.render_committee_html(report))
    assert "Do số đơn vị lớn" not in text and "đồng chí khác" not in text


def _widths(report) -> list[float]:
    rows, _ = committee.unit_rows(report)
    return [float(w.removesuffix("%")) for w in committee.unit_column_widths(rows)]


def test_a_figure_column_grows_for_a_seven_digit_total(small_report):
    units = small_report.units.copy()
    units.loc[small_report.root, "members"] = 5_300_000  # a national roll-up
    national = dataclasses.replace(small_report, units=units)
    assert committee.unit_rows(national)[0][-1]["cells"][0] == "5.300.000"
    before, after = _widths(small_report), _widths(national)
    # Only "Đảng viên" grows, and the name column gives up the room.
    assert before[2] == 7.25 and after[2] > 7.25 and after[3:] == before[3:]
    assert after[1] == pytest.approx(before[1] - (after[2] - 7.25), abs=0.002)
    assert sum(after) == pytest.approx(100, abs=0.01)
