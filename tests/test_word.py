"""The committee report's editable Word copy (render.word): read back with python-docx, its figures
are summary.json's; the department's own template is used; a broken one stops the run in words."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import pytest

from builders import sample_config
from pipeline.app import make_report
from pipeline.config import WordSettings
from pipeline.errors import PipelineError
from pipeline.render import vn
from pipeline.render.committee import committee_context
from pipeline.render.word import DEFAULT_TEMPLATE, INDENT, check_word_template, render_committee_docx

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "input_samples"
UNIT_HEADER = ["STT", "Đơn vị", "Đảng viên", "Dự bị", "Kết nạp trong quý", "Kết nạp từ đầu năm", "Chỉ tiêu năm",
               "Đạt (%)", "Công nhận chính thức trong quý", "Quần chúng ưu tú"]


@pytest.fixture(scope="module")
def samples_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("samples")
    return make_report(inbox=SAMPLES / "inbox", units=SAMPLES / "units.xlsx", quarter=3, year=2022, out=out,
                       config=SAMPLES / "pipeline.toml", feedback=False)


@pytest.fixture(scope="module")
def document(samples_run):
    return docx.Document(str(samples_run.docx))


def body_text(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_the_word_copy_sits_beside_the_pdf_with_its_name(samples_run):
    assert samples_run.docx == samples_run.pdf.with_suffix(".docx")
    assert samples_run.docx.is_file()
    page = samples_run.page.read_text(encoding="utf-8")
    assert f'<a id="committee-docx" href="{samples_run.docx.name}">' in page


def test_the_header_block_is_the_party_documents(document):
    header = document.tables[0]
    left, right = header.rows[0].cells
    assert [p.text for p in left.paragraphs] == ["ĐẢNG BỘ TỈNH AN HÒA", "ĐẢNG ỦY CÔNG AN TỈNH", "*",
                                                "Số \u2003\u2003-BC/ĐUCA"]
    assert left.paragraphs[1].runs[0].bold and not left.paragraphs[0].runs[0].bold
    motto, date_line = right.paragraphs
    assert motto.text == "ĐẢNG CỘNG SẢN VIỆT NAM" and motto.runs[0].bold and motto.runs[0].underline
    assert date_line.text == "An Hòa, ngày 27 tháng 10 năm 2022" and date_line.runs[0].italic
    texts = body_text(document)
    assert texts[:3] == ["BÁO CÁO", "Kết quả công tác phát triển đảng viên quý III năm 2022", "-----"]


def test_the_page_is_a4_with_the_documents_margins_font_and_page_numbers_from_page_two(document):
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.right_margin, section.bottom_margin,
                                  section.left_margin)] == [20, 15, 20, 30]
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 14
    assert normal.paragraph_format.space_after.pt == 6 and round(normal.paragraph_format.first_line_indent.cm, 2) == 1
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml and "PAGE" not in section.first_page_header._element.xml


def test_the_results_sentence_has_the_seeds_figures(document):
    [sentence] = [t for t in body_text(document) if "đã ban hành Quyết định kết nạp Đảng" in t]
    assert sentence.startswith(
        "Trong quý III năm 2022, Ban Thường vụ Đảng ủy Công an tỉnh đã ban hành Quyết định kết nạp Đảng đối với 01 đồng "
        "chí, nâng tổng số đảng viên được kết nạp Đảng từ đầu năm đến nay là 34 đồng chí, chiếm tỷ lệ 3% so với tổng "
        "số đảng viên của Đảng bộ Công an tỉnh.")
    assert any(t.startswith("Đảng bộ Công an tỉnh là Đảng bộ cấp trên trực tiếp của tổ chức cơ sở đảng; gồm có 19 chi "
                            "bộ cơ sở, 09 đảng bộ cơ sở (có 52 chi bộ trực thuộc) với 1.098 đảng viên.")
               for t in body_text(document))


def test_the_narrative_is_the_departments_with_its_italic(document):
    texts = body_text(document)
    assert any(t.startswith("Trong những năm qua, bên cạnh việc lãnh đạo, chỉ đạo các tổ chức cơ sở đảng") for t in texts)
    [first_task] = [p for p in document.paragraphs if p.text.startswith("Một là,")]
    runs = [r for r in first_task.runs if r.text]
    assert runs[0].text == "Một là," and runs[0].italic
    assert not runs[1].italic
    assert texts.index("5. Đánh giá chung") < texts.index("II. TÌNH HÌNH TIẾP NHẬN VÀ CHẤT LƯỢNG SỐ LIỆU")
    assert texts.index("III. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM TRONG THỜI GIAN TỚI") < texts.index(first_task.text)


def test_the_unit_table_is_a_word_table_with_summary_jsons_figures(samples_run, document):
    summary = json.loads(samples_run.summary.read_text(encoding="utf-8"))
    [table] = [t for t in document.tables if [c.text for c in t.rows[0].cells] == UNIT_HEADER]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    units = summary["units"][1:]                 # tree order, the root (the total) first
    assert len(rows) - 1 == len(units)           # every unit below the root, once, then the total
    for (_, label, members, _, quarter, ytd, *_), unit in zip(rows[:-1], units):
        assert label.split("\n")[0].replace(INDENT, "").strip() == unit["name"]
        if unit["status"] in ("accepted", "aggregate"):
            assert [members, quarter, ytd] == [vn.number(unit[k]) for k in ("members", "admitted_quarter",
                                                                             "admitted_ytd")], unit["code"]
        else:                                    # a cell without figures says why under its name
            assert "\n" in label and members == ""
    total = rows[-1]
    t = summary["totals"]
    assert total[1] == "Tổng cộng"
    assert total[2:6] == [vn.number(t[k]) for k in ("members", "probationary", "admitted_quarter", "admitted_ytd")]
    assert total[2] == "1.098"


def test_the_signature_and_recipients(document):
    signature = document.tables[[i for i, t in enumerate(document.tables)
                                 if t.rows[0].cells[0].paragraphs[0].text == "Nơi nhận:"][0]]
    recipients, signer = signature.rows[0].cells
    title = recipients.paragraphs[0]
    assert title.runs[0].underline and title.runs[0].font.size.pt == 14
    assert [p.text for p in recipients.paragraphs[1:]] == [f"- {r}" for r in sample_config().recipients]
    assert recipients.paragraphs[1].style.font.size.pt == 12
    lines = [p.text for p in signer.paragraphs if p.text]
    assert lines == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Trần Minh Khang"]


def test_the_appendix_lists_the_admitted_member(samples_run, document):
    def headed(*names):
        return [t for t in document.tables if [c.text for c in t.rows[0].cells][:len(names)] == list(names)]

    [table] = headed("STT", "Họ và tên", "Ngày sinh")
    admitted = samples_run.report.admitted_in_quarter
    assert [row.cells[1].text for row in table.rows[1:]] == list(admitted["full_name"])
    [overdue] = headed("STT", "Họ và tên", "Đơn vị", "Hết hạn dự bị ngày", "Hạn xét công nhận")
    late = samples_run.report.overdue
    assert [[c.text for c in row.cells][1:] for row in overdue.rows[1:]] == [
        [p.full_name, p.unit_name, p.due_on.strftime("%d/%m/%Y"), p.recognition_due.strftime("%d/%m/%Y"),
         str(p.days_overdue)] for p in late.itertuples()]


def test_the_chart_is_the_pdfs_drawing_as_a_picture_with_its_caption(samples_run, document):
    from pipeline.render.chart import admissions_chart

    report = samples_run.report
    [shape] = document.inline_shapes
    assert abs(shape.width.mm - 160) < 0.5                      # the PDF's 16 cm
    blip = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
    picture = document.part.related_parts[blip].blob
    assert picture == admissions_chart(report.units, report.period.quarter, report.period.year, png=True)[1]
    captions = [p.text for p in document.paragraphs if p.text.startswith("Biểu đồ:")]
    assert captions == ["Biểu đồ: Kết nạp đảng viên theo quý và theo đơn vị so với chỉ tiêu năm 2022"]


def test_appendix_3s_tables_by_unit_bold_the_committees_and_the_total(document):
    tables = [t for t in document.tables if t.rows[0].cells[0].text == "Đơn vị" and t.rows[-1].cells[0].text == "Tổng cộng"]
    assert tables
    for table in tables:
        total = table.rows[-1]
        assert all(run.bold for cell in total.cells for p in cell.paragraphs for run in p.runs if run.text.strip())
        names = {row.cells[0].text: {bool(r.bold) for r in row.cells[0].paragraphs[0].runs if r.text.strip()}
                 for row in table.rows[1:-1]}
        # A đảng bộ (a committee over cells) is bold, a chi bộ cơ sở is not, as in the PDF.
        assert all(bold == {name.startswith("Đảng bộ")} for name, bold in names.items()), names
        assert {name.split()[0] for name in names} == {"Chi", "Đảng"}


def test_the_same_report_gives_the_same_bytes_dated_the_report_date(small_report):
    context = committee_context(small_report)
    first, second = render_committee_docx(context), render_committee_docx(committee_context(small_report))
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {info.date_time for info in z.infolist()} == {(2022, 10, 27, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2022-10-27T00:00:00Z" in core


def test_the_shipped_template_is_what_the_script_makes():
    from scripts.make_word_template import make_template   # the committed .docx is the script's output
    assert make_template() == DEFAULT_TEMPLATE.read_bytes()


def restyled(path: Path, extra: str) -> Path:
    """The shipped template as a department would change it: a bigger font, and a paragraph of its own."""
    document = docx.Document(str(DEFAULT_TEMPLATE))
    document.styles["Normal"].font.size = docx.shared.Pt(13)
    document.add_paragraph(extra)
    document.save(str(path))
    return path


def test_a_template_named_in_the_configuration_is_used(committee):
    template = restyled(committee / "mau.docx", "Bản của Ban Tổ chức: {{ totals.members|number }} đảng viên.")
    config = sample_config(word=WordSettings(template=str(template)))
    run = make_report(inbox=committee / "inbox", units=committee / "units.xlsx", quarter=3, year=2022,
                      out=committee / "out", config=config, feedback=False, workers=1)
    written = docx.Document(str(run.docx))
    assert "Bản của Ban Tổ chức: 2 đảng viên." in body_text(written)
    assert written.styles["Normal"].font.size.pt == 13


@pytest.mark.parametrize("make, words", [
    (lambda p: p, "Không tìm thấy mẫu Word"),
    (lambda p: (p.write_text("không phải Word", encoding="utf-8"), p)[1], "không phải tệp Word .docx"),
    (lambda p: restyled(p, "Số đảng viên: {{ totals.members|number }"), "có thẻ viết sai"),
    (lambda p: restyled(p, "{{ so_dang_vien }}"), "dùng tên không có trong báo cáo: so_dang_vien"),
])
def test_a_broken_template_stops_the_run_before_the_outputs_are_written(committee, make, words):
    template = make(committee / "mau.docx")
    config = sample_config(word=WordSettings(template=str(template)))
    with pytest.raises(PipelineError) as caught:
        make_report(inbox=committee / "inbox", units=committee / "units.xlsx", quarter=3, year=2022,
                    out=committee / "out", config=config, feedback=False, workers=1)
    assert words in str(caught.value)
    assert str(template) in str(caught.value) and "[word]" in str(caught.value)
    assert not (committee / "out" / "2022-Q3").exists()


def test_the_template_check_takes_the_shipped_one_without_the_key():
    assert check_word_template(sample_config()) == DEFAULT_TEMPLATE
