"""Make templates/committee.docx, the Word template of the committee report's editable copy.

    .venv/bin/python scripts/make_word_template.py [--out templates/committee.docx]

The template is a Word document with docxtpl's Jinja tags (`{{ … }}`, `{%p … %}` for whole
paragraphs, `{%tr … %}` for table rows, `{{r … }}` for runs with their own bold and italic) over
the values of pipeline.render.word.word_context (committee_context's, the PDF's). It is laid out
as the PDF is (Hướng dẫn 36-HD/VPTW): A4, margins 20/15/20/30 mm, Times New Roman 14, 6 pt after
each paragraph, first lines indented 1 cm, the two-column header, page numbers top centre from
page 2. Its paragraph styles carry the look ("Normal", "Mục", "Tiểu mục", "Bảng", …), so the
department restyles the report by changing a style in Word. The same script gives the same bytes
(pipeline.render.word.stable_docx, fixed document properties).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from pipeline.render.word import AUTO_COLUMNS, DEFAULT_TEMPLATE, stable_docx

FONT = "Times New Roman"
TEXT_WIDTH_MM = 210 - 30 - 15
# The template's own date (its zip entries and properties): fixed, so the file is byte-stable.
MADE = dt.date(2022, 1, 1)
CENTER, RIGHT, LEFT, JUSTIFY = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT,
                                WD_ALIGN_PARAGRAPH.JUSTIFY)


def _fonts(element, size: float | None = None) -> None:
    """Times New Roman for every script (no theme font: a theme would win over the name)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for key in list(fonts.attrib):
        del fonts.attrib[key]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    if size:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), str(int(size * 2)))


def _style(doc, name: str, *, base: str = "Normal", size: float = 14, bold: bool = False, italic: bool = False,
           align=JUSTIFY, indent: bool = True, before: float = 0, after: float = 6, keep: bool = False,
           outline: int | None = None):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles[base]
    style.quick_style = True
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    _fonts(style.element)
    fmt = style.paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = Cm(1) if indent else Cm(0)
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.keep_with_next = keep
    if outline is not None:
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline))
        style.element.get_or_add_pPr().append(level)
    return style


def setup(doc) -> None:
    """Page, the default font and the styles the template's paragraphs use."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.right_margin = Mm(20), Mm(15)
    section.bottom_margin, section.left_margin = Mm(20), Mm(30)
    section.header_distance, section.footer_distance = Mm(8), Mm(8)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = run_defaults.find(qn("w:rFonts"))
    for key in list(fonts.attrib):
        del fonts.attrib[key]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    lang = run_defaults.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "vi-VN")
    normal = doc.styles["Normal"]
    normal.font.size = Pt(14)
    _fonts(normal.element, 14)
    fmt = normal.paragraph_format
    fmt.alignment = JUSTIFY
    fmt.first_line_indent = Cm(1)
    fmt.space_before, fmt.space_after = Pt(0), Pt(6)
    fmt.line_spacing = 1.1
    fmt.widow_control = True
    _style(doc, "Mục", bold=True, before=8, after=4, keep=True, outline=0)
    _style(doc, "Tiểu mục", bold=True, before=6, after=4, keep=True, outline=1)
    _style(doc, "Căn giữa", align=CENTER, indent=False, after=0)
    _style(doc, "Tên văn bản", size=15, bold=True, align=CENTER, indent=False, before=22, after=2)
    _style(doc, "Trích yếu", bold=True, align=CENTER, indent=False, after=0)
    _style(doc, "Ghi chú bảng", size=12, italic=True, indent=False, after=6)
    _style(doc, "Biểu đồ", size=12, align=CENTER, indent=False, after=2, keep=True)
    _style(doc, "Chú thích biểu đồ", size=12, italic=True, align=CENTER, indent=False, after=6)
    _style(doc, "Đơn vị tính", size=12, italic=True, align=RIGHT, indent=False, after=2, keep=True)
    table_text = _style(doc, "Bảng", size=11, align=LEFT, indent=False, after=0)
    table_text.paragraph_format.line_spacing = 1.0
    _style(doc, "Bảng số", base="Bảng", size=11, align=RIGHT, indent=False, after=0)
    _style(doc, "Bảng giữa", base="Bảng", size=11, align=CENTER, indent=False, after=0)
    _style(doc, "Bảng tiêu đề", base="Bảng", size=10, bold=True, align=CENTER, indent=False, after=0)
    _style(doc, "Bảng đậm", base="Bảng", size=11, bold=True, align=LEFT, indent=False, after=0)
    _style(doc, "Bảng thụt", base="Bảng", size=11, align=LEFT, indent=False, after=0).paragraph_format.left_indent = Pt(12)
    _style(doc, "Tiêu đề bảng", bold=True, align=LEFT, indent=False, before=8, after=2, keep=True)
    _style(doc, "Tiêu đề phụ lục", bold=True, align=CENTER, indent=False, after=2)
    _style(doc, "Dòng phụ lục", size=12, italic=True, align=CENTER, indent=False, after=10)
    _style(doc, "Nơi nhận", size=12, align=LEFT, indent=False, after=0)
    _style(doc, "Người ký", bold=True, align=CENTER, indent=False, after=0)
    _page_numbers(section)


def _page_numbers(section) -> None:
    """The page number top centre, from page 2 (the first page's header is empty)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.style = "Căn giữa"
    run = paragraph.add_run()
    run.font.size = Pt(13)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = text
            run._r.append(code)
        else:
            shown = OxmlElement("w:t")
            shown.text = text
            run._r.append(shown)
    section.first_page_header.paragraphs[0].style = "Căn giữa"


def p(container, text: str = "", style: str = "Normal", *, bold: bool | None = None, italic: bool | None = None,
      underline: bool | None = None, size: float | None = None, before: float | None = None,
      page_break: bool = False):
    paragraph = container.add_paragraph(style=style)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        if size:
            run.font.size = Pt(size)
    if before is not None:
        paragraph.paragraph_format.space_before = Pt(before)
    if page_break:
        paragraph.paragraph_format.page_break_before = True
    return paragraph


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _widths(table, fractions: list[float]) -> None:
    """Fixed column widths: the grid's (what LibreOffice lays out by) and each cell's (Word's)."""
    table.autofit = False
    for column, fraction in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), fractions):
        column.set(qn("w:w"), str(round(TEXT_WIDTH_MM * fraction / 25.4 * 1440)))
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for row in table.rows:
        for cell, fraction in zip(row.cells, fractions):
            cell.width = Mm(TEXT_WIDTH_MM * fraction)


def _cell(cell, text: str, style: str = "Bảng") -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    if text:
        paragraph.add_run(text)


def _repeat_header(row) -> None:
    props = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    props.append(header)


def data_table(doc, headers: list[str], cells: list[tuple[str, str]], fractions: list[float], loop: str):
    """A bordered table: its header row (repeated on each page), then `loop` (`{%tr for … %}`), the
    row of `cells` (text, style) repeated for each item, and `{%tr endfor %}`."""
    return table_of(doc, headers, [loop, cells, "{%tr endfor %}"], fractions)


def table_of(doc, headers: list[str], rows: list, fractions: list[float], first_column: int | None = None):
    """A bordered table: the header row, then each of `rows`: a tag (a row of its own, which docxtpl
    replaces by the tag) or a list of cells (text, style). `first_column`: a table whose columns
    come from the report ({%tc %}); render.word spreads them, the first this many percent."""
    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), "57")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    table._tbl.tblPr.append(margins)
    if first_column is not None:
        caption = OxmlElement("w:tblCaption")
        caption.set(qn("w:val"), AUTO_COLUMNS.format(first_column))
        table._tbl.tblPr.append(caption)
    for cell, text in zip(table.rows[0].cells, headers):
        _cell(cell, text, "Bảng tiêu đề")
    _repeat_header(table.rows[0])
    for row, spec in zip(table.rows[1:], rows):
        if isinstance(spec, str):
            _cell(row.cells[0], spec)
            continue
        for cell, (text, style) in zip(row.cells, spec):
            _cell(cell, text, style)
    _widths(table, fractions)
    return table


def header(doc) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    for cell in (left, right):
        cell.paragraphs[0].style = "Căn giữa"
    left.paragraphs[0].add_run("{{ config.superior_body }}")
    p(left, "{{ config.issuing_body }}", "Căn giữa", bold=True)
    p(left, "*", "Căn giữa")
    p(left, "{{ config.document_number_line }}", "Căn giữa")
    run = right.paragraphs[0].add_run("ĐẢNG CỘNG SẢN VIỆT NAM")
    run.bold, run.underline, run.font.size = True, True, Pt(15)
    p(right, "{{ date_line }}", "Căn giữa", italic=True, before=8)
    _widths(table, [0.43, 0.57])


UNIT_HEADERS = ["STT", "Đơn vị", "Đảng viên", "Dự bị", "Kết nạp trong quý", "Kết nạp từ đầu năm", "Chỉ tiêu năm",
                "Đạt (%)", "Công nhận chính thức trong quý", "Quần chúng ưu tú"]

RESULTS = (
    "Trong {{ period.label }}, {{ config.deciding_body }} "
    "{% if totals.admitted_quarter %}đã ban hành Quyết định kết nạp Đảng đối với {{ totals.admitted_quarter|padded }} "
    "đồng chí, nâng tổng số đảng viên được kết nạp Đảng từ đầu năm đến nay là {{ totals.admitted_ytd|padded }} đồng chí"
    "{% else %}chưa ban hành Quyết định kết nạp Đảng nào; tổng số đảng viên được kết nạp Đảng từ đầu năm đến nay là "
    "{{ totals.admitted_ytd|padded }} đồng chí{% endif %}, chiếm tỷ lệ {{ ratio }} so với tổng số đảng viên của "
    "{{ config.committee_name }}{% if not coverage.complete %} (chưa gồm số liệu của "
    "{{ (coverage.expected - coverage.accepted)|padded }} chi bộ nêu trên){% endif %}."
    "{% if target %} So với chỉ tiêu kết nạp {{ target|padded }} đảng viên trong năm {{ period.year }}, đến nay đạt "
    "{{ achievement }} chỉ tiêu năm.{% endif %}"
    "{% if admitted_people %} Danh sách đảng viên được kết nạp trong quý tại Phụ lục 1.{% endif %}")

BREAKDOWN = (
    "Trong số {{ breakdown.admitted_ytd|padded }} đồng chí được kết nạp từ đầu năm: nữ {{ breakdown.women|padded }} "
    "đồng chí, dân tộc thiểu số {{ breakdown.minority|padded }} đồng chí, có tôn giáo {{ breakdown.religion|padded }} "
    "đồng chí, đoàn viên {{ breakdown.youth_union|padded }} đồng chí, từ 18 đến 30 tuổi "
    "{{ breakdown.age_18_30|padded }} đồng chí{% if breakdown.average_age %}; tuổi bình quân khi kết nạp "
    "{{ breakdown.average_age }} tuổi{% if breakdown.age_partial %} (tính trên {{ breakdown.age_known|padded }} đồng "
    "chí có đủ ngày sinh){% endif %}{% endif %}{% if breakdown.detail %}. Cơ cấu đảng viên mới kết nạp như sau (chi "
    "tiết theo đơn vị tại Phụ lục 3):{% else %}.{% endif %}")

UNITS_ADMITTING = (
    "Từ đầu năm đến nay, {{ breakdown.detail.cells_admitting|padded }}/{{ breakdown.detail.cells|padded }} chi bộ và "
    "{{ breakdown.detail.grassroots_admitting.count|padded }}/{{ breakdown.detail.grassroots|padded }} tổ chức cơ sở "
    "đảng (chi bộ cơ sở, đảng bộ cơ sở) kết nạp được đảng viên{% if breakdown.detail.grassroots_not_admitting.count %}; "
    "{{ breakdown.detail.grassroots_not_admitting.count|padded }} tổ chức cơ sở đảng chưa kết nạp được đảng viên: "
    "{{ breakdown.detail.grassroots_not_admitting|names('tổ chức cơ sở đảng', workbook) }}{% endif %}. "
    "{% if breakdown.detail.cells_without_source.count %}Có {{ breakdown.detail.cells_without_source.count|padded }} "
    "chi bộ chưa có quần chúng ưu tú (chưa có nguồn kết nạp){% if breakdown.detail.grassroots_without_source.count %}; "
    "{{ breakdown.detail.grassroots_without_source.count|padded }} tổ chức cơ sở đảng chưa có nguồn: "
    "{{ breakdown.detail.grassroots_without_source|names('tổ chức cơ sở đảng', workbook) }}{% else %}: "
    "{{ breakdown.detail.cells_without_source|names('chi bộ', workbook) }}{% endif %}.{% else %}Tất cả các chi bộ đều "
    "có quần chúng ưu tú để tạo nguồn kết nạp.{% endif %}{% if breakdown.detail.previous %} So với cùng kỳ năm "
    "{{ breakdown.detail.previous.year }} (trong quý kết nạp {{ breakdown.detail.previous.quarter|padded }} đồng chí, "
    "từ đầu năm {{ breakdown.detail.previous.ytd|padded }} đồng chí), số đảng viên kết nạp trong quý "
    "{{ breakdown.detail.previous.quarter_change }}, từ đầu năm {{ breakdown.detail.previous.ytd_change }}.{% endif %}")

TABLE_CUT = (
    "Do số đơn vị lớn ({{ table_cut.units|padded }} đơn vị, trong đó {{ table_cut.cells|padded }} chi bộ), bảng trên"
    "{% if table_cut.others %} liệt kê {{ table_cut.listed|padded }} trong số {{ table_cut.top_level|padded }} đơn vị "
    "trực thuộc {{ config.committee_name }} có nhiều đảng viên nhất; {{ table_cut.others|padded }} đơn vị còn lại được "
    "cộng chung ở dòng “Các đơn vị khác”{% elif table_cut.depth == 1 %} chỉ liệt kê {{ table_cut.listed|padded }} đơn "
    "vị trực thuộc trực tiếp {{ config.committee_name }}{% else %} liệt kê các đơn vị đến cấp thứ {{ table_cut.depth }} "
    "dưới {{ config.committee_name }} ({{ table_cut.listed|padded }} đơn vị){% endif %}; số liệu của mỗi đơn vị gồm cả "
    "các chi bộ trực thuộc đơn vị đó. Số liệu chi tiết của từng đơn vị, từng chi bộ có tại trang “{{ unit_sheet }}” "
    "của tệp Excel {{ workbook }} gửi kèm báo cáo.")

TIMELINESS = (
    "Hạn gửi danh sách {{ period.label }} là ngày {{ timeliness.deadline }} ({{ timeliness.rule }}): "
    "{{ timeliness.on_time|padded }} chi bộ gửi đúng hạn (đạt {{ timeliness.on_time_rate }} số chi bộ phải gửi)"
    "{% if timeliness.late %}, {{ timeliness.late|padded }} chi bộ gửi muộn: "
    "{{ timeliness.late_names|names('chi bộ', workbook) }}{% endif %}{% if timeliness.awaiting %}; "
    "{{ timeliness.awaiting|padded }} chi bộ chưa gửi, chưa đến hạn{% endif %}. Tỷ lệ gửi đủ và gửi đúng hạn theo "
    "từng đơn vị:")


def body(doc) -> None:
    p(doc, "BÁO CÁO", "Tên văn bản")
    p(doc, "Kết quả công tác phát triển đảng viên {{ period.label }}", "Trích yếu")
    p(doc, "-----", "Căn giữa").paragraph_format.space_after = Pt(12)
    p(doc, "{{ config.committee_name }} {{ structure.role }};{% if structure.parts %} gồm có "
           "{{ structure.parts|join(', ') }} với{% else %} có{% endif %} {{ totals.members|number }} đảng viên."
           "{% if not coverage.complete %} Số liệu trên tổng hợp từ {{ coverage.accepted }}/{{ coverage.expected }} "
           "chi bộ; {{ coverage_clauses }}.{% endif %}")
    narrative(doc, "opening")

    p(doc, "I. KẾT QUẢ CÔNG TÁC PHÁT TRIỂN ĐẢNG VIÊN", "Mục")
    p(doc, "1. Kết nạp đảng viên", "Tiểu mục")
    p(doc, RESULTS)
    p(doc, "{%p if breakdown.admitted_ytd %}")
    p(doc, BREAKDOWN)
    p(doc, "{%p endif %}")
    p(doc, "{%p if breakdown.detail %}")
    p(doc, "{%p if breakdown.admitted_ytd %}")
    data_table(doc, ["Tiêu chí", "Từ đầu năm", "Trong quý"],
               [("{{ row.title }}", "Bảng"), ("{{ row.ytd }}", "Bảng"), ("{{ row.quarter }}", "Bảng")],
               [0.24, 0.46, 0.30], "{%tr for row in breakdown.detail.compact %}")
    p(doc, "{%p if breakdown.detail.incomplete %}")
    p(doc, "Số liệu cơ cấu chưa đầy đủ: {% for i in breakdown.detail.incomplete %}{{ i.what }}: {{ i.count|padded }} "
           "đồng chí{{ '; ' if not loop.last }}{% endfor %}.", "Ghi chú bảng")
    p(doc, "{%p endif %}")
    p(doc, "{%p endif %}")
    p(doc, UNITS_ADMITTING)
    p(doc, "{%p endif %}")

    p(doc, "2. Công nhận đảng viên chính thức", "Tiểu mục")
    p(doc, "Trong {{ period.label }}, đã công nhận đảng viên chính thức đối với {{ totals.recognized_quarter|padded }} "
           "đồng chí. Hiện toàn Đảng bộ có {{ totals.probationary|padded }} đảng viên dự bị{% if totals.overdue %}, "
           "trong đó {{ totals.overdue|padded }} đồng chí đã quá hạn xét công nhận chính thức (danh sách tại Phụ lục 2)"
           "{% else %}, không có đồng chí nào quá hạn xét công nhận chính thức{% endif %}.")

    p(doc, "3. Công tác tạo nguồn", "Tiểu mục")
    p(doc, "Các chi bộ đang theo dõi, bồi dưỡng {{ totals.candidates|padded }} quần chúng ưu tú, trong đó "
           "{{ totals.candidates_certified|padded }} quần chúng có giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng còn "
           "giá trị. Quần chúng cảm tình đảng được cấp ủy các chi, đảng bộ quan tâm giáo dục về chính trị, tư tưởng và "
           "phân công đảng viên chính thức, gương mẫu theo dõi, giúp đỡ.")

    p(doc, "4. Kết quả theo đơn vị", "Tiểu mục")
    p(doc, "Đơn vị tính: đồng chí", "Đơn vị tính")
    figures = [(f"{{{{r row.figures[{i}] }}}}", "Bảng số") for i in range(8)]
    data_table(doc, UNIT_HEADERS, [("{{ row.number }}", "Bảng giữa"), ("{{r row.label }}", "Bảng"), *figures],
               [0.07, 0.35] + [0.0725] * 8, "{%tr for row in unit_table %}")
    p(doc, "{%p if table_cut %}")
    p(doc, TABLE_CUT, "Ghi chú bảng")
    p(doc, "{%p endif %}")
    p(doc, "{{ chart }}", "Biểu đồ")
    p(doc, "Biểu đồ: Kết nạp đảng viên theo quý và theo đơn vị so với chỉ tiêu năm {{ period.year }}"
           "{% if chart_cut %} ({{ chart_units|padded }} đơn vị có nhiều đảng viên được kết nạp nhất trong số "
           "{{ top_level_units|padded }} đơn vị trực thuộc){% endif %}", "Chú thích biểu đồ")

    p(doc, "{%p if narrative.assessment %}")
    p(doc, "5. Đánh giá chung", "Tiểu mục")
    narrative(doc, "assessment")
    p(doc, "{%p endif %}")

    p(doc, "II. TÌNH HÌNH TIẾP NHẬN VÀ CHẤT LƯỢNG SỐ LIỆU", "Mục")
    p(doc, "Kỳ báo cáo này có {{ coverage.expected|padded }} chi bộ phải gửi danh sách đảng viên; đã gửi "
           "{{ coverage.submitted|padded }} chi bộ, số liệu của {{ coverage.accepted|padded }} chi bộ được sử dụng."
           "{% if coverage.complete %} Tất cả các chi bộ đã gửi danh sách và số liệu đều được sử dụng.{% endif %}")
    p(doc, "{%p if timeliness %}")
    p(doc, TIMELINESS)
    data_table(doc, ["Đơn vị", "Số chi bộ", "Có số liệu", "Tỷ lệ", "Đúng hạn", "Muộn", "Tỷ lệ đúng hạn"],
               [("{{ row.name }}", "Bảng"), ("{{ row.expected|number }}", "Bảng số"),
                ("{{ row.accepted|number }}", "Bảng số"), ("{{ row.completeness }}", "Bảng số"),
                ("{{ row.on_time|number }}", "Bảng số"), ("{{ row.late|number }}", "Bảng số"),
                ("{{ row.on_time_rate }}", "Bảng số")],
               [0.37, 0.1, 0.1, 0.1, 0.1, 0.1, 0.13], "{%tr for row in timeliness.rows %}")
    p(doc, "{%p if timeliness.cut %}")
    p(doc, "Tỷ lệ của {{ timeliness.cut|padded }} đơn vị cấp dưới khác có trong tệp Excel {{ workbook }}, trang "
           "“{{ unit_sheet }}”.", "Ghi chú bảng")
    p(doc, "{%p endif %}")
    p(doc, "{%p endif %}")
    for key, words, noun in (("missing", "Chi bộ chưa gửi danh sách", "chi bộ"),
                             ("rejected_units", "Chi bộ có tệp không dùng được", "chi bộ"),
                             ("unresolved_files", "Tệp chưa xác định được của chi bộ nào", "tệp")):
        p(doc, f"{{%p if coverage.{key}.count %}}")
        p(doc, f"{words} ({{{{ coverage.{key}.count|padded }}}}): {{{{ coverage.{key}|names('{noun}', workbook) }}}}.")
        p(doc, "{%p endif %}")
    p(doc, "{%p if issue_rows %}")
    p(doc, "Qua kiểm tra tự động, phát hiện {{ errors|padded }} lỗi và {{ warnings|padded }} cảnh báo trong các tệp đã "
           "gửi, cụ thể như sau:")
    data_table(doc, ["STT", "Nội dung", "Mức độ", "Số lượng", "Số đơn vị"],
               [("{{ loop.index }}", "Bảng giữa"), ("{{ row.label }}", "Bảng"), ("{{ row.severity }}", "Bảng giữa"),
                ("{{ row.count|number }}", "Bảng số"), ("{{ row.units|number }}", "Bảng số")],
               [0.07, 0.57, 0.12, 0.12, 0.12], "{%tr for row in issue_rows %}")
    p(doc, "{%p else %}")
    p(doc, "Qua kiểm tra tự động, không phát hiện lỗi hay cảnh báo nào trong các tệp đã gửi.")
    p(doc, "{%p endif %}")
    p(doc, "Mỗi chi bộ nhận được thông báo kết quả kiểm tra riêng, ghi rõ số liệu của chi bộ và từng lỗi, cảnh báo (tệp, trang, "
           "dòng, cột) cùng cách khắc phục; đề nghị các chi bộ kiểm tra, sửa và gửi lại danh sách.")

    p(doc, "III. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM TRONG THỜI GIAN TỚI", "Mục")
    narrative(doc, "tasks")
    p(doc, "Trên đây là báo cáo kết quả công tác phát triển đảng viên {{ period.label }} của "
           "{{ config.standing_committee }}.")


def narrative(doc, part: str) -> None:
    """The department's paragraphs of one part, each with its own bold and italic runs."""
    p(doc, f"{{%p for paragraph in narrative.{part} %}}")
    p(doc, "{{r paragraph }}")
    p(doc, "{%p endfor %}")


def signature(doc) -> None:
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    first = left.paragraphs[0]
    first.style = "Nơi nhận"
    run = first.add_run("Nơi nhận:")
    run.underline, run.font.size = True, Pt(14)
    first.paragraph_format.space_before = Pt(12)
    p(left, "{%p for recipient in config.recipients %}", "Nơi nhận")
    p(left, "- {{ recipient }}", "Nơi nhận")
    p(left, "{%p endfor %}", "Nơi nhận")
    right.paragraphs[0].style = "Người ký"
    right.paragraphs[0].paragraph_format.space_before = Pt(12)
    right.paragraphs[0].add_run("{{ config.signer_on_behalf }}")
    p(right, "{{ config.signer_title }}", "Người ký")
    for _ in range(4):
        p(right, "", "Người ký")
    p(right, "{{ config.signer_name }}", "Người ký")
    _widths(table, [0.5, 0.5])


ATTACHED = ("(Kèm theo Báo cáo {{ attached_number }}, {{ report.report_date|date_words }} của "
            "{{ config.standing_committee }})")


def appendices(doc) -> None:
    p(doc, "Phụ lục 1: Danh sách đảng viên được kết nạp trong {{ period.label }}", "Tiêu đề phụ lục", page_break=True)
    p(doc, ATTACHED, "Dòng phụ lục")
    people(doc, "admitted_people", "admitted_count",
           ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Đơn vị", "Ngày vào Đảng"],
           [("{{ loop.index }}", "Bảng giữa"), ("{{ person.full_name }}", "Bảng"),
            ("{{ person.birth_date|short_date }}", "Bảng giữa"), ("{{ person.gender }}", "Bảng giữa"),
            ("{{ person.unit_name }}", "Bảng"), ("{{ person.admitted_on|short_date }}", "Bảng giữa")],
           [0.07, 0.25, 0.14, 0.1, 0.3, 0.14])
    p(doc, "Phụ lục 2: Đảng viên dự bị quá hạn xét công nhận chính thức", "Tiêu đề phụ lục", page_break=True)
    p(doc, ATTACHED, "Dòng phụ lục")
    people(doc, "overdue_people", "overdue_count",
           ["STT", "Họ và tên", "Đơn vị", "Hết hạn dự bị ngày", "Hạn xét công nhận", "Số ngày quá hạn"],
           [("{{ loop.index }}", "Bảng giữa"), ("{{ person.full_name }}", "Bảng"), ("{{ person.unit_name }}", "Bảng"),
            ("{{ person.due_on|short_date }}", "Bảng giữa"), ("{{ person.recognition_due|short_date }}", "Bảng giữa"),
            ("{{ person.days_overdue|number }}", "Bảng số")],
           [0.07, 0.24, 0.3, 0.13, 0.13, 0.13])
    p(doc, "{%p if breakdown.detail %}")
    p(doc, "Phụ lục 3: Cơ cấu đảng viên mới kết nạp {{ period.label }}", "Tiêu đề phụ lục", page_break=True)
    p(doc, ATTACHED, "Dòng phụ lục")
    p(doc, "1. Toàn {{ config.committee_name }}", "Tiêu đề bảng")
    p(doc, "Đơn vị tính: đồng chí", "Đơn vị tính")
    # One block of rows per dimension (its title, then its categories); last year's column only
    # when there is last year's report to compare with ({%tc if %}).
    compared = "{%tc if breakdown.detail.compared %}"
    table_of(doc, ["Tiêu chí", "Trong quý", "Từ đầu năm", compared,
                   "Cùng kỳ năm {{ breakdown.detail.previous.year }} (từ đầu năm)", "{%tc endif %}"], [
        "{%tr for dimension in breakdown.detail.totals %}",
        [("{{ dimension.title }}", "Bảng đậm"), ("", "Bảng"), ("", "Bảng"), (compared, "Bảng"), ("", "Bảng"),
         ("{%tc endif %}", "Bảng")],
        "{%tr for item in dimension.rows %}",
        [("{{ item.label }}", "Bảng thụt"), ("{{ item.quarter }}", "Bảng số"), ("{{ item.ytd }}", "Bảng số"),
         (compared, "Bảng"), ("{{ item.previous }}", "Bảng số"), ("{%tc endif %}", "Bảng")],
        "{%tr endfor %}",
        "{%tr endfor %}",
    ], [0.46, 0.18, 0.18, 0.0, 0.18, 0.0], first_column=46)
    p(doc, "{%p for table in breakdown.detail.unit_tables %}")
    p(doc, "{{ loop.index + 1 }}. Kết nạp từ đầu năm theo đơn vị: {{ table.title|lower }}", "Tiêu đề bảng")
    table_of(doc, ["Đơn vị", "{%tc for header in table.headers %}", "{{ header }}", "{%tc endfor %}"], [
        "{%tr for row in table.rows %}",
        [("{{r row.name }}", "Bảng"), ("{%tc for value in row.cells %}", "Bảng"), ("{{r value }}", "Bảng số"),
         ("{%tc endfor %}", "Bảng")],
        "{%tr endfor %}",
    ], [0.3, 0.0, 0.7, 0.0], first_column=30)
    p(doc, "{%p endfor %}")
    p(doc, "Số liệu của mỗi đơn vị gồm cả các chi bộ trực thuộc; một đồng chí chỉ tính một lần. Số liệu của từng đơn "
           "vị, từng chi bộ và từng nhóm có tại trang “{{ breakdown_sheet }}” của tệp Excel {{ workbook }} gửi kèm báo "
           "cáo.", "Ghi chú bảng")
    p(doc, "{%p endif %}")


def people(doc, listed: str, count: str, headers: list[str], cells, fractions) -> None:
    p(doc, f"{{%p if {listed} %}}")
    data_table(doc, headers, cells, fractions, f"{{%tr for person in {listed} %}}")
    p(doc, f"{{%p if {count} > {listed}|length %}}")
    p(doc, f"… và {{{{ ({count} - {listed}|length)|padded }}}} đồng chí khác (danh sách đầy đủ {{{{ {count}|padded }}}} "
           "đồng chí trong tệp Excel {{ workbook }} gửi kèm báo cáo).", "Ghi chú bảng")
    p(doc, "{%p endif %}")
    p(doc, "{%p else %}")
    p(doc, "Không có.", "Ghi chú bảng")
    p(doc, "{%p endif %}")


def make_template() -> bytes:
    doc = Document()
    setup(doc)
    header(doc)
    body(doc)
    signature(doc)
    appendices(doc)
    props = doc.core_properties
    props.title = "Mẫu báo cáo kết quả công tác phát triển đảng viên"
    props.subject = "Báo cáo quý của Ban Thường vụ (pipeline, docxtpl)"
    props.author = props.last_modified_by = ""
    # (No tags here: docxtpl renders the properties too.)
    props.comments = ("Mẫu Word của báo cáo: đổi kiểu chữ, cỡ chữ, lề bằng các kiểu (Styles); giữ nguyên các thẻ "
                      "trong ngoặc nhọn.")
    props.keywords = props.category = ""
    props.revision = 1
    stamp = dt.datetime.combine(MADE, dt.time())
    props.created = props.modified = props.last_printed = stamp
    buffer = io.BytesIO()
    doc.save(buffer)
    return stable_docx(buffer.getvalue(), MADE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_TEMPLATE)
    args = parser.parse_args()
    args.out.write_bytes(make_template())
    print(args.out)  # noqa: T201


if __name__ == "__main__":
    main()
