"""The committee report: Vietnamese formatting, the chart, the HTML context and the PDF a reader gets."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata

import pandas as pd
import pytest
from pypdf import PdfReader

from pipeline.issues import CATALOGUE, LABELS, Issue
from pipeline.render import committee, vn
from pipeline.render.chart import admissions_chart_svg
from pipeline.report import Coverage

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

def test_chart_is_inline_svg_with_text_as_paths_and_no_date(small_report):
    svg = admissions_chart_svg(small_report.units, 3, 2022)
    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert "<text" not in svg  # text drawn as paths: no font needed, diacritics always render
    assert "<dc:date>" not in svg


def test_chart_is_deterministic(small_report):
    assert admissions_chart_svg(small_report.units, 3, 2022) == admissions_chart_svg(
        small_report.units, 3, 2022)


# --- what the template receives -------------------------------------------------------------------

def test_unit_table_follows_the_tree_with_total_last(small_report):
    rows, shallow = committee.unit_rows(small_report)
    assert not shallow
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


def test_large_tree_table_lists_only_the_roots_children(small_report, monkeypatch):
    monkeypatch.setattr(committee, "MAX_UNITS_FULL_TABLE", 3)
    rows, shallow = committee.unit_rows(small_report)
    assert shallow
    assert [r["number"] for r in rows] == ["1", "2", "3", ""]
    html = committee.render_committee_html(small_report)
    assert '<td class="stt">3.1</td>' not in html and '<td class="stt">3</td>' in html
    assert "chỉ liệt kê các đơn vị trực thuộc trực tiếp" in html


def test_every_catalogue_rule_has_a_vietnamese_label():
    assert set(CATALOGUE) <= set(LABELS)


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
    assert "Lê Văn Bình" in overdue and "01/07/2022" in overdue


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
