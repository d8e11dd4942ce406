"""The committee's report and a cell's notice laid out as Hướng dẫn 36-HD/VPTW wants, read back from
the PDFs with pdfplumber: each element's font, size, style and place (templates/print.css says which
rule each follows).

  header (page 1)    left column: tên cơ quan cấp trên 14 upright, tên cơ quan ban hành 14 bold, "*",
                     "Số     -XX/YY" 14 upright with room for the number; right column: "ĐẢNG CỘNG SẢN
                     VIỆT NAM" 15 bold, underlined by a rule as long as it, the place and date 14 italic
  title              tên loại 15-16 bold, trích yếu 14-15 bold, both centred; "-----" under it, no drawn rule
  body               14 upright; first line indented 1-1.27 cm; ≥ 6 pt between paragraphs; single to 1.5 lines
  signature          right: thẩm quyền, chức vụ (14 bold upper case), room to sign, họ tên (14 bold)
  Nơi nhận           left, level with the signature: "Nơi nhận:" 14 upright underlined, items 12 upright
  page numbers       13-14, top centre, from page 2
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import pdfplumber
import pytest

from pipeline import rulebook
from pipeline.feedback import views
from pipeline.render import committee, unit_pdf

MM = 72 / 25.4
# print.css: @page margin 20mm 15mm 20mm 30mm on A4.
LEFT = 30 * MM
RIGHT = 595.28 - 15 * MM
TOP_MARGIN = 20 * MM
CENTRE = (LEFT + RIGHT) / 2     # the middle of the text block
BODY = 14
SINGLE = 1.15                   # single line spacing of Times New Roman (and its metric twin), in ems


@dataclass(frozen=True)
class Span:
    """A run of text on a page: where it is and how it is set."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    fonts: frozenset[str]   # the font names without their subset prefix
    sizes: frozenset[float]

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def bold(self) -> bool:
        return all("Bold" in f for f in self.fonts)

    @property
    def italic(self) -> bool:
        return all("Italic" in f for f in self.fonts)

    @property
    def upright(self) -> bool:
        return not any("Italic" in f for f in self.fonts)

    @property
    def regular(self) -> bool:
        return self.upright and not any("Bold" in f for f in self.fonts)

    @property
    def size(self) -> float:
        assert len(self.sizes) == 1, f"{self.text!r} mixes sizes {sorted(self.sizes)}"
        return next(iter(self.sizes))


def _span(text: str, chars: list[dict]) -> Span:
    chars = [c for c in chars if c["text"].strip()]
    return Span(text=text, x0=min(c["x0"] for c in chars), x1=max(c["x1"] for c in chars),
                top=min(c["top"] for c in chars), bottom=max(c["bottom"] for c in chars),
                fonts=frozenset(c["fontname"].split("+")[-1] for c in chars),
                sizes=frozenset(round(c["size"], 1) for c in chars))


def find(page, text: str, *, regex: bool = False) -> Span:
    """The one place `text` is on `page`."""
    found = page.search(text, regex=regex, return_chars=True)
    assert len(found) == 1, f"{text!r} found {len(found)} times on page {page.page_number}"
    return _span(found[0]["text"], found[0]["chars"])


def lines(page) -> list[Span]:
    """The page's text lines, top to bottom."""
    return [_span(line["text"], line["chars"])
            for line in page.extract_text_lines(return_chars=True) if line["text"].strip()]


def underline(page, span: Span):
    """The horizontal rule drawn just under `span` and at least as wide as it (a stroked line or a
    border's edge), or None."""
    for edge in page.horizontal_edges:
        if span.bottom - 4 <= edge["top"] <= span.bottom + 4 and edge["x0"] <= span.x0 + 2 \
                and edge["x1"] >= span.x1 - 2:
            return edge
    return None


def page_with(pdf, text: str):
    pages = [page for page in pdf.pages if page.search(text, regex=False)]
    assert len(pages) == 1, f"{text!r} is on {len(pages)} pages"
    return pages[0]


# --- the two documents ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Document:
    pdf: pdfplumber.PDF
    superior: str
    issuing: str
    code: str             # "BC/ĐUCA": the number line is "Số <room>-BC/ĐUCA"
    date_line: str
    kind: str             # tên loại
    subject: str          # the trích yếu's first words
    signer: tuple[str, str, str]
    recipients: list[str]


NOTICE_CELL = "CB-CAH-01"   # under a đảng bộ cơ sở: its Nơi nhận line names it


def _notice_report(report):
    """The small report with enough issues in one cell's file for its notice to run to a second page."""
    more = [rulebook.make("BAD_DATE", unit=NOTICE_CELL, file="CB-CAH-01_2022-Q3.xlsx", sheet="Đảng viên",
                          row=10 + n, column="Ngày sinh", value=f"31/02/19{60 + n}") for n in range(30)]
    return dataclasses.replace(report, issues=[*report.issues, *more])


@pytest.fixture(scope="module")
def report_pdf(small_report, tmp_path_factory):
    config = small_report.config
    path = committee.write_committee_pdf(small_report, tmp_path_factory.mktemp("layout") / "report.pdf")
    document = Document(pdf=pdfplumber.open(path), superior=config.superior_body,
                        issuing=config.issuing_body, code=config.document_code,
                        date_line="An Hòa, ngày 27 tháng 10 năm 2022",
                        kind="BÁO CÁO", subject="Kết quả công tác phát triển đảng viên",
                        signer=(config.signer_on_behalf, config.signer_title, config.signer_name),
                        recipients=[f"- {r}" for r in config.recipients])
    yield document
    document.pdf.close()


@pytest.fixture(scope="module")
def notice_pdf(small_report, tmp_path_factory):
    view = views.unit_view(_notice_report(small_report), NOTICE_CELL)
    path = unit_pdf.write_feedback_pdf(view, tmp_path_factory.mktemp("layout") / "notice.pdf")
    notice = small_report.config.feedback   # the samples': the Ban Tổ chức issues it
    assert notice.issuing_body == "BAN TỔ CHỨC"
    document = Document(pdf=pdfplumber.open(path), superior=notice.superior_body,
                        issuing=notice.issuing_body, code=notice.document_code,
                        date_line="An Hòa, ngày 27 tháng 10 năm 2022",
                        kind="THÔNG BÁO", subject="Kết quả kiểm tra danh sách đảng viên",
                        signer=(notice.signer_on_behalf, notice.signer_title, notice.signer_name),
                        recipients=["- Chi bộ Đội Cảnh sát điều tra (Đảng bộ Công an huyện Bình Sơn),",
                                    *(f"- {r}" for r in notice.recipients)])
    yield document
    document.pdf.close()


@pytest.fixture(params=["report", "notice"])
def doc(request) -> Document:
    return request.getfixturevalue(f"{request.param}_pdf")


# --- header ----------------------------------------------------------------------------------------

def test_header_names_the_superior_upright_and_the_issuing_body_bold_both_14_upper_case_on_the_left(doc):
    page = doc.pdf.pages[0]
    superior, issuing = find(page, doc.superior), find(page, doc.issuing)
    for span in (superior, issuing):
        assert span.size == 14 and span.text == span.text.upper()
        assert span.x1 < CENTRE                                  # the left column
    assert superior.regular and issuing.bold and issuing.upright
    assert issuing.top > superior.top
    assert abs(superior.centre - issuing.centre) < 2             # centred in their column


def test_an_asterisk_stands_under_the_issuing_body_and_the_number_line_under_it(doc):
    page = doc.pdf.pages[0]
    issuing = find(page, doc.issuing)
    star = _only_star(page)
    number = find(page, rf"Số\s*-{re.escape(doc.code)}", regex=True)
    assert issuing.bottom <= star.top < number.top
    assert abs(star.centre - issuing.centre) < 2 and abs(number.centre - issuing.centre) < 2
    assert number.size == 14 and number.regular
    assert not number.text.startswith("Số:")                     # a Party number has no colon


def _only_star(page) -> Span:
    stars = [c for c in page.chars if c["text"] == "*" and c["top"] < 200]   # in the header
    assert len(stars) == 1, f"{len(stars)} asterisks in the header"
    return _span("*", stars)


def test_the_number_line_leaves_room_for_a_number_written_by_hand(doc):
    chars = doc.pdf.pages[0].search(rf"Số\s*-{re.escape(doc.code)}", regex=True, return_chars=True)[0]["chars"]
    so, dash = chars[1], next(c for c in chars if c["text"] == "-")   # "ố" and the hyphen after the room
    assert dash["x0"] - so["x1"] >= 20


def test_dang_cong_san_viet_nam_is_15_bold_upper_case_on_the_right_underlined_by_its_own_length(doc):
    page = doc.pdf.pages[0]
    motto, superior = find(page, "ĐẢNG CỘNG SẢN VIỆT NAM"), find(page, doc.superior)
    assert motto.size == 15 and motto.bold and motto.upright
    assert motto.x0 > CENTRE - 10 and abs(motto.top - superior.top) < 3    # right column, first line
    rule = underline(page, motto)
    assert rule is not None, "no rule under ĐẢNG CỘNG SẢN VIỆT NAM"
    assert abs((rule["x1"] - rule["x0"]) - (motto.x1 - motto.x0)) < 4


def test_place_and_date_are_14_italic_under_the_title_of_the_party(doc):
    page = doc.pdf.pages[0]
    date, motto = find(page, doc.date_line), find(page, "ĐẢNG CỘNG SẢN VIỆT NAM")
    assert date.size == 14 and date.italic and not date.bold
    assert date.top > motto.bottom and abs(date.centre - motto.centre) < 3


# --- title ---------------------------------------------------------------------------------------

def test_the_kind_of_document_is_15_to_16_bold_and_centred(doc):
    kind = find(doc.pdf.pages[0], doc.kind)
    assert 15 <= kind.size <= 16 and kind.bold and kind.upright
    assert abs(kind.centre - CENTRE) < 2


def test_the_subject_is_14_to_15_bold_centred_with_a_row_of_hyphens_under_it_and_no_rule(doc):
    page = doc.pdf.pages[0]
    kind = find(page, doc.kind)
    subject = [line for line in lines(page) if line.top > kind.bottom][:5]
    assert subject[0].text.startswith(doc.subject)
    hyphens = next(i for i, line in enumerate(subject) if re.fullmatch(r"-{3,}", line.text))
    for line in subject[:hyphens]:
        assert 14 <= line.size <= 15 and line.bold and line.upright
        assert abs(line.centre - CENTRE) < 3
    row = subject[hyphens]
    assert abs(row.centre - CENTRE) < 3 and row.top - subject[hyphens - 1].bottom < 10
    body = next(line for line in lines(page) if line.top > row.bottom)
    drawn = [e for e in page.horizontal_edges if kind.bottom < e["top"] < body.top]
    assert drawn == [], "a drawn rule between the title and the text: the Party models use hyphens"


# --- body -------------------------------------------------------------------------------------------

def _body_lines(page) -> list[Span]:
    return [line for line in lines(page)
            if line.sizes == {BODY} and line.regular and LEFT - 1 < line.x0 < LEFT + 40]


def test_body_text_is_14_upright_indented_1_to_1_27_cm_with_6_pt_between_paragraphs(doc):
    page = doc.pdf.pages[0]
    everything = lines(page)
    body = set(_body_lines(page))
    within, between, indents = [], [], []
    for above, below in zip(everything, everything[1:]):
        if above not in body or below not in body:
            continue
        if below.x0 > LEFT + 5:          # a paragraph's first line
            between.append(below.top - above.top)
            indents.append(below.x0 - LEFT)
        else:
            within.append(below.top - above.top)
    assert within and between, "no two body paragraphs on page 1"
    pitch = min(within)
    assert max(within) - pitch < 0.5                                  # one line spacing throughout
    assert max(15, SINGLE * BODY) - 0.1 <= pitch <= 1.5 * SINGLE * BODY   # single (or 15 pt) to 1.5 lines
    assert min(between) - pitch >= 6 - 0.1, f"paragraphs {min(between) - pitch:.1f} pt apart"
    assert all(10 * MM - 0.5 <= i <= 12.7 * MM + 0.5 for i in indents), indents


# --- signature and Nơi nhận --------------------------------------------------------------------

def test_the_signature_is_on_the_right_14_bold_upper_case_with_room_to_sign_above_the_name(doc):
    page = page_with(doc.pdf, "Nơi nhận:")
    right = page.within_bbox((CENTRE, find(page, "Nơi nhận:").top - 2, RIGHT + 5, page.height))
    signer = lines(right)[:3]
    assert [line.text for line in signer] == list(doc.signer)
    for line in signer:
        assert line.size == 14 and line.bold and line.upright
    assert all(line.text == line.text.upper() for line in signer[:2])
    assert max(line.centre for line in signer) - min(line.centre for line in signer) < 2
    assert signer[2].top - signer[1].bottom >= 20 * MM                # room for the signature and seal


def test_noi_nhan_is_14_upright_underlined_level_with_the_signature_and_its_items_12_upright(doc):
    page = page_with(doc.pdf, "Nơi nhận:")
    title = find(page, "Nơi nhận:")
    assert title.size == 14 and title.regular
    assert underline(page, title) is not None, "Nơi nhận: is not underlined"
    assert abs(title.x0 - LEFT) < 1
    on_behalf = find(page, doc.signer[0])
    assert abs(on_behalf.top - title.top) < 3                         # level with the signature
    left = page.within_bbox((0, title.bottom, CENTRE, page.height))
    items = lines(left)
    assert _items(items) == doc.recipients
    for line in items:
        assert line.size == 12 and line.regular


def _items(lines_: list[Span]) -> list[str]:
    """Nơi nhận's items, one each, a wrapped item's lines put together."""
    items: list[str] = []
    for line in lines_:
        if line.text.startswith("- ") or not items:
            items.append(line.text)
        else:
            items[-1] += " " + line.text
    return items


# --- page numbers ----------------------------------------------------------------------------------

def test_pages_are_numbered_from_two_at_the_top_centre_in_13_to_14(doc):
    assert len(doc.pdf.pages) >= 2
    first = doc.pdf.pages[0].within_bbox((0, 0, doc.pdf.pages[0].width, TOP_MARGIN))
    assert lines(first) == []
    margin = lines(doc.pdf.pages[1].within_bbox((0, 0, doc.pdf.pages[1].width, TOP_MARGIN)))
    assert [line.text for line in margin] == ["2"]
    number = margin[0]
    assert 13 <= number.size <= 14 and number.regular and abs(number.centre - CENTRE) < 2


# --- the notice is the issuing body's -----------------------------------------------------------

def test_the_notice_names_its_cell_in_the_subject_and_the_text_and_has_no_kinh_gui_line(notice_pdf):
    text = " ".join(page.extract_text() for page in notice_pdf.pdf.pages)
    flat = " ".join(text.split())
    assert "Kính gửi" not in flat
    assert ("Kết quả kiểm tra danh sách đảng viên quý III năm 2022 của Chi bộ Đội Cảnh sát điều tra") in flat
    assert ("Ban Tổ chức Đảng ủy Công an tỉnh thông báo kết quả kiểm tra danh sách đảng viên quý III năm 2022 "
            "của Chi bộ Đội Cảnh sát điều tra (Đảng bộ Công an huyện Bình Sơn), mã đơn vị CB-CAH-01") in flat

