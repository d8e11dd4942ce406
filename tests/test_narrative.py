"""The narrative the department writes (render.narrative): its figures filled in, its mistakes
stopped before the run reads or writes anything, its text escaped, and the samples' seed sentences."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from builders import member, sample_config, write_register, write_roster
from pdfcheck import page_texts
from pipeline.app import make_report
from pipeline.config import NarrativeSettings, load_config
from pipeline.errors import PipelineError
from pipeline.period import Period
from pipeline.render import vn
from pipeline.render.committee import committee_context, render_committee_html
from pipeline.render.narrative import PLACEHOLDERS, load_narrative

REPO = Path(__file__).resolve().parents[1]
Q3 = Period(2022, 3)

FIGURES = """{# Lời văn thử. #}
## Mở đầu

{{ standing_committee }} báo cáo {{ period }}: {{ members }} đảng viên,
kết nạp {{ admitted_quarter }} đồng chí trong quý, {{ admitted_ytd }} đồng chí từ đầu năm, tỷ lệ {{ ratio }}.

## Đánh giá

**Nhận xét:** {{ cells_accepted }}/{{ cells_expected }} chi bộ có số liệu{% if overdue %}; {{ overdue }} đồng chí
quá hạn xét công nhận chính thức{% endif %}.

## Nhiệm vụ

*Một là,* giữ vững {{ committee_name }}.
"""


def narrative_config(tmp_path: Path, text: str, **settings):
    """The samples' settings with their narrative in `tmp_path/loi-van/2022-Q3.md`."""
    folder = tmp_path / "loi-van"
    folder.mkdir(exist_ok=True)
    (folder / "2022-Q3.md").write_text(text, encoding="utf-8")
    return sample_config(narrative=NarrativeSettings(file=str(folder / "{year}-Q{quarter}.md")), **settings)


def texts(view: dict) -> dict[str, list[str]]:
    return {part: [p.text for p in paragraphs] for part, paragraphs in view.items()}


def test_placeholders_are_filled_with_the_reports_figures_written_the_vietnamese_way(tmp_path, small_report):
    narrative = load_narrative(narrative_config(tmp_path, FIGURES), Q3)
    context = committee_context(small_report, narrative)
    t, cov = small_report.totals, small_report.coverage
    said = texts(context["narrative"])
    assert said["opening"] == [
        f"Ban Thường vụ Đảng ủy Công an tỉnh báo cáo quý III năm 2022: {vn.number(t['members'])} đảng viên, kết nạp "
        f"{vn.padded(t['admitted_quarter'])} đồng chí trong quý, {vn.padded(t['admitted_ytd'])} đồng chí từ đầu năm, "
        f"tỷ lệ {context['ratio']}."]
    assert re.search(r"kết nạp 0\d đồng chí trong quý", said["opening"][0])   # 1–9 padded, as the PDF writes it
    assert said["assessment"] == [f"Nhận xét: {vn.padded(cov.accepted)}/{vn.padded(cov.expected)} chi bộ có số liệu; "
                                  f"{vn.padded(t['overdue'])} đồng chí quá hạn xét công nhận chính thức."]
    [opening_run] = context["narrative"]["tasks"][0].runs[:1]
    assert (opening_run.text, opening_run.italic, opening_run.bold) == ("Một là,", True, False)
    assert context["narrative"]["assessment"][0].runs[0].bold


def test_the_samples_configuration_names_a_per_quarter_file_beside_it():
    config = load_config(REPO / "input_samples" / "pipeline.toml")
    narrative = load_narrative(config, Q3)
    assert narrative.source == str(REPO / "input_samples" / "loi-van" / "2022-Q3.md")


def test_a_placeholder_that_does_not_exist_stops_the_run_before_anything_is_read_or_written(tmp_path):
    config = narrative_config(tmp_path, "## Mở đầu\n\nKết nạp\n{{ admited_quarter }} đồng chí.\n\n## Đánh giá\n\n## Nhiệm vụ\n")
    out = tmp_path / "out"
    with pytest.raises(PipelineError) as caught:   # the inbox and the register are not even there
        make_report(inbox=tmp_path / "inbox", units=tmp_path / "units.xlsx", quarter=3, year=2022, out=out,
                    config=config)
    message = str(caught.value)
    assert f"Tệp lời văn {tmp_path / 'loi-van' / '2022-Q3.md'}, dòng 4" in message
    assert "không có số liệu nào tên “admited_quarter”" in message
    assert "Các tên dùng được: " + ", ".join(PLACEHOLDERS) in message
    assert not out.exists()


def test_without_the_year_the_narrative_is_checked_once_the_files_give_it_still_before_writing(tmp_path):
    write_register(tmp_path / "units.xlsx")
    (tmp_path / "inbox").mkdir()
    write_roster(tmp_path / "inbox" / "CB-A_2022-Q3.xlsx", "CB-A", [member("Nguyễn Văn An", 1990, n=1)])
    config = narrative_config(tmp_path, "## Mở đầu\n{{ so_dang_vien }}\n## Đánh giá\n## Nhiệm vụ\n")
    with pytest.raises(PipelineError, match="dòng 2: không có số liệu nào tên “so_dang_vien”"):
        make_report(inbox=tmp_path / "inbox", units=tmp_path / "units.xlsx", quarter=3, out=tmp_path / "out",
                    config=config, workers=1)
    assert not (tmp_path / "out").exists()


def test_a_named_file_that_is_not_there_is_said_with_its_period(tmp_path):
    config = narrative_config(tmp_path, FIGURES)
    with pytest.raises(PipelineError) as caught:
        load_narrative(config, Period(2022, 4))
    assert (f"Không tìm thấy tệp lời văn {tmp_path / 'loi-van' / '2022-Q4.md'} của quý IV năm 2022"
            in str(caught.value))


@pytest.mark.parametrize("text, words", [
    ("## Mở đầu\nA\n## Kết luận\nB\n## Đánh giá\n## Nhiệm vụ\n",
     "dòng 3: không có phần “Kết luận”. Các đề mục dùng được: “## Mở đầu”, “## Đánh giá”, “## Nhiệm vụ”"),
    ("## Mở đầu\nA {{ members }\n## Đánh giá\n## Nhiệm vụ\n", "dòng 2: viết sai cú pháp"),
    ("## Mở đầu\nA\n## Nhiệm vụ\nB\n", "thiếu đề mục “## Đánh giá”"),
    ("Lời mở đầu\n## Mở đầu\n## Đánh giá\n## Nhiệm vụ\n", "dòng 1: chữ trước đề mục đầu tiên"),
    ("## Mở đầu\n## Đánh giá\n### Nhiệm vụ\n", "dòng 3: “### Nhiệm vụ” không phải đề mục"),
    ("## Mở đầu\n## Đánh giá\n## Nhiệm vụ\n## mở đầu\n", "dòng 4: đề mục “## Mở đầu” đã có ở dòng 1"),
    ("## Mở đầu\n\n{{ members.so_luong }}\n## Đánh giá\n## Nhiệm vụ\n", "dòng 3: không điền được"),
])
def test_a_mistake_in_the_file_is_said_with_its_line(tmp_path, text, words):
    with pytest.raises(PipelineError) as caught:
        load_narrative(narrative_config(tmp_path, text), Q3)
    assert words in str(caught.value)
    assert str(tmp_path / "loi-van" / "2022-Q3.md") in str(caught.value)


def test_headings_are_matched_without_case_or_diacritics(tmp_path):
    narrative = load_narrative(narrative_config(tmp_path, "## MỞ ĐẦU\nA\n## danh gia\nB\n## Nhiệm  vụ\nC\n"), Q3)
    assert [part for part, _ in narrative.parts] == ["opening", "assessment", "tasks"]


def test_the_clerks_text_is_escaped_and_only_stars_make_italic_and_bold(tmp_path, small_report):
    text = ("## Mở đầu\n\nTỷ lệ <5% & <b>không đậm</b>, **đậm**, *nghiêng*, \\*sao\\* và 2 * 3.\n\n"
            "## Đánh giá\n\n{{ committee_name }}\n\n## Nhiệm vụ\n")
    report = replace(small_report, config=narrative_config(tmp_path, text, committee_name="Đảng bộ *Mẫu*"))
    html = render_committee_html(report, load_narrative(report.config, Q3))
    assert ("<p>Tỷ lệ &lt;5% &amp; &lt;b&gt;không đậm&lt;/b&gt;, <strong>đậm</strong>, <em>nghiêng</em>, *sao* và "
            "2 * 3.</p>") in html
    assert "<p>Đảng bộ *Mẫu*</p>" in html      # a value's stars are not markup


def test_without_the_key_the_shipped_narrative_gives_the_reports_own_sentences(small_report):
    context = committee_context(small_report)
    said = texts(context["narrative"])
    assert said["opening"] == [
        "Thời gian qua, Ban Thường vụ Đảng ủy Công an tỉnh luôn chú trọng tập trung lãnh đạo, chỉ đạo làm tốt công tác "
        "phát triển đảng viên mới với phương châm “Coi trọng chất lượng, không chạy theo số lượng”. Ban Thường vụ Đảng "
        "ủy Công an tỉnh báo cáo kết quả công tác phát triển đảng viên quý III năm 2022 như sau:"]
    assert said["assessment"] == []
    assert [p.runs[0].text for p in context["narrative"]["tasks"][1:]] == ["Một là,", "Hai là,", "Ba là,", "Bốn là,"]
    html = render_committee_html(small_report)
    assert "<h3>5. Đánh giá chung</h3>" not in html          # no assessment: no heading for it
    assert "<p><em>Một là,</em> thường xuyên quan tâm" in html


def test_a_misspelt_narrative_key_or_pattern_is_an_error(tmp_path):
    path = tmp_path / "pipeline.toml"
    path.write_text('[narrative]\nfiles = "loi-van/{year}-Q{quarter}.md"\n', encoding="utf-8")
    with pytest.raises(PipelineError, match=r"Mục \[narrative\] .* có khóa không biết: files. Các khóa hợp lệ: file"):
        load_config(path)
    path.write_text('[narrative]\nfile = "loi-van/{nam}-Q{quarter}.md"\n', encoding="utf-8")
    with pytest.raises(PipelineError, match=r"chỉ được có \{year\} và \{quarter\}"):
        load_config(path)


@pytest.fixture(scope="module")
def samples_pdf_text(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("samples")
    run = make_report(inbox=REPO / "input_samples" / "inbox", units=REPO / "input_samples" / "units.xlsx", quarter=3,
                      year=2022, out=out, config=REPO / "input_samples" / "pipeline.toml", feedback=False)
    return " ".join(page_texts(PdfReader(run.pdf)))


def test_the_samples_pdf_has_the_seed_reports_narrative(samples_pdf_text):
    text = samples_pdf_text
    for sentence in (
        "Trong những năm qua, bên cạnh việc lãnh đạo, chỉ đạo các tổ chức cơ sở đảng làm tốt công tác quản lý",
        "Từ đó xây dựng niềm tin, lòng tự hào và động cơ phấn đấu đúng đắn để sớm được đứng vào hàng ngũ của Đảng.",
        "việc tạo nguồn phát triển đảng viên là một nhiệm vụ hết sức quan trọng",
        "Quần chúng cảm tình đảng được cấp ủy các chi, đảng bộ quan tâm giáo dục về chính trị, tư tưởng, đào tạo",
        "tổ chức xét duyệt kết nạp đảng viên và công nhận đảng viên chính thức được thực hiện một cách dân chủ",
        "xem đây là nhiệm vụ trọng tâm, thường xuyên trong công tác xây dựng Đảng. Các cấp ủy Đảng là chủ thể",
        "Hai là, các cấp ủy làm tốt công tác tạo nguồn, trên cơ sở xây dựng Nghị quyết của tổ chức Đảng",
        "Ba là, trong công tác phát triển Đảng phải coi trọng chất lượng, không chạy theo số lượng",
        "giúp đỡ đảng viên trong thời gian dự bị.",
        # The figures sentence stays the pipeline's own.
        "Trong quý III năm 2022, Ban Thường vụ Đảng ủy Công an tỉnh đã ban hành Quyết định kết nạp Đảng đối với 01 "
        "đồng chí, nâng tổng số đảng viên được kết nạp Đảng từ đầu năm đến nay là 34 đồng chí, chiếm tỷ lệ 3%",
    ):
        assert sentence in text
    assert "5. Đánh giá chung" in text
    assert "thuờng" not in text and "Thời gian qua" not in text
    # The assessment comes before section II, the tasks in section III.
    assert text.index("5. Đánh giá chung") < text.index("II. TÌNH HÌNH") < text.index("Một là,")
